"""``MachineBase``: the class every generated machine derives from.

A generated module defines ``class OrderManagement(MachineBase[State,
Trigger, Context])`` with ``definition = _DEFINITION`` (what the machine is)
and ``decisions = _DECISIONS`` (what it does: every cell decided by the
generator, see :mod:`gubernator_runtime.cells`). Creating the class builds
its lookups once (:mod:`gubernator_runtime.tables`); an instance binds the
guarded cells to its guards once. ``process`` is then a lookup, a class
check and, for a guarded cell, one call (docs/runtime.md#the-generated-module,
docs/language.md#processing). Its hot paths (``process`` and its failure
paths) stay in this one class to stay fast; the queries and descriptive
properties come from :class:`~gubernator_runtime.machine_queries.MachineQueries`
and the timeouts from
:class:`~gubernator_runtime.machine_timeouts.MachineTimeouts`, its bases.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Generic

from gubernator_runtime._base import EMPTY_MAPPING, C, S, T, plain_str
from gubernator_runtime.binding import GuardCallable, bind_guards
from gubernator_runtime.cells import (
    DecisionTable,
    HotTable,
    bound_table,
    unbound_table,
)
from gubernator_runtime.definition import MachineDefinition
from gubernator_runtime.errors import (
    InvalidTransitionError,
    TerminalStateError,
    UndefinedTriggerError,
)
from gubernator_runtime.events import Event
from gubernator_runtime.executor import ActionExecutor
from gubernator_runtime.fallbacks import (
    charted_fallback,
    flat_fallback,
)
from gubernator_runtime.machine_queries import MachineQueries
from gubernator_runtime.machine_timeouts import MachineTimeouts
from gubernator_runtime.results import TransitionResult, failure, stay
from gubernator_runtime.resumes import Follower, ResumePlan, Resumes, follower
from gubernator_runtime.resumes import resumed_table as _resumed_table
from gubernator_runtime.tables import MachineTables, build_tables

_new = object.__new__
#: How many (state, undefined trigger) results a machine class keeps.
_KEPT_UNDEFINED = 1024
_TERMINAL = MappingProxyType({"reason": "terminal_state"})
_UNDEFINED_TRIGGER = MappingProxyType({"reason": "undefined_trigger"})
_INVALID_TRANSITION = MappingProxyType({"reason": "invalid_transition"})


class MachineBase(MachineQueries[S, T], MachineTimeouts[S, C], Generic[S, T, C]):
    """Base of generated machines: stateless, thread-safe, typed.

    A subclass sets ``definition`` (a ``MachineDefinition``) and
    ``decisions`` (its decision table); nothing else is required.
    ``guards`` is an object with one method per guard or a
    ``Mapping[str, Callable]``; every guard the spec uses must be present
    (``ConfigurationError`` naming each missing one). Without ``guards`` the
    machine can still be queried; ``process`` then raises
    ``ConfigurationError`` on a guarded transition in strict mode and lets
    guards pass in non-strict mode.
    """

    __slots__ = ("_cells", "_delays", "_follower", "_guards", "_known_tables")

    definition: ClassVar[MachineDefinition[Any, Any]]
    decisions: ClassVar[DecisionTable]
    #: The result of ``start()``, decided by the generator (API 2.1).
    start_result: ClassVar[TransitionResult[Any]]
    #: A statechart with ``after:`` entries (API 2.4): key → ``(state,
    #: index, seconds)`` → cell, each row in SCXML priority order.
    delays: ClassVar[DecisionTable | None] = None
    #: A statechart with guarded eventless decisions inside a step (API
    #: 2.5): its resume cells (:mod:`gubernator_runtime.resumes`).
    resumes: ClassVar[Resumes | None] = None
    #: A statechart with a default fallback (API 2.7): key → the fallback
    #: move from it (keys inside the fallback state have none).
    fallbacks: ClassVar[Mapping[Any, TransitionResult[Any]] | None] = None
    _tables: ClassVar[MachineTables]
    _delay_table: ClassVar[tuple[HotTable, list[Any]] | None] = None
    _resume_plan: ClassVar[ResumePlan | None] = None
    _fallback_table: ClassVar[dict[str, TransitionResult[Any]] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        definition = cls.__dict__.get("definition")
        if definition is None:
            return  # an application subclass of a generated class: inherit
        if not isinstance(definition, MachineDefinition):
            raise TypeError(
                f"{cls.__name__}.definition must be a MachineDefinition, "
                f"not {type(definition).__name__}"
            )
        decisions = cls.__dict__.get("decisions")
        if not isinstance(decisions, Mapping):
            raise TypeError(
                f"{cls.__name__}.decisions must be the generated decision table "
                "(a module generated for gubernator-runtime API 2)"
            )
        cls._tables = build_tables(definition, decisions)
        delays = cls.__dict__.get("delays")
        cls._delay_table = None
        if delays is not None:
            cls._delay_table = unbound_table(
                delays, definition.strict_mode, definition.name
            )
            cls._tables.add_names(delays)
        resumes = cls.__dict__.get("resumes")
        cls._resume_plan = None
        if resumes is not None:
            cls._resume_plan = ResumePlan(resumes, decisions, delays)
            cls._tables.add_names(resumes.table())
        fallbacks = cls.__dict__.get("fallbacks")
        # Keyed by exact text, as results' states and configurations read.
        cls._fallback_table = (
            None
            if fallbacks is None
            else {plain_str(key): result for key, result in fallbacks.items()}
        )

    def __init__(self, guards: Any = None) -> None:
        tables = getattr(type(self), "_tables", None)
        if tables is None:
            raise TypeError(
                f"{type(self).__name__} has no definition; MachineBase is "
                "subclassed by generated modules"
            )
        # The class's tables again, as an instance slot: reading it is the
        # cheapest attribute access there is, on the failure paths.
        self._known_tables: MachineTables = tables
        unbound, guarded = tables.hot()
        delays = type(self)._delay_table
        self._delays: HotTable | None = None if delays is None else delays[0]
        if guards is None:
            self._guards: Mapping[str, GuardCallable] | None = None
            self._cells: HotTable = unbound
        else:
            bound = bind_guards(guards, tables.guard_names, tables.name)
            self._guards = MappingProxyType(bound)
            self._cells = bound_table(unbound, guarded, bound)
            if delays is not None:
                self._delays = bound_table(delays[0], delays[1], bound)
        self._follower: Follower | None = None
        plan = type(self)._resume_plan
        if plan is not None:
            self._resume(plan)

    def _resume(self, plan: ResumePlan) -> None:
        """Follow the resume cells from the cells whose steps continue
        (:mod:`gubernator_runtime.resumes`); only those cells change."""
        tables = self._tables
        follow = self._follower = follower(
            plan.resumes, tables.strict, tables.name, self._guards
        )
        self._cells = _resumed_table(
            self._cells,
            plan.continuing,
            plan.idle,
            follow.run,
            self._no_cell,
            tables.trigger_names,
        )
        if self._delays is not None and plan.delays is not None:
            self._delays = _resumed_table(
                self._delays, plan.delays, plan.idle, follow.run
            )

    # -- processing (docs/language.md#processing)
    # ----------------------------------------------

    def process(
        self,
        current_state: S | str,
        event: T | str | Event,
        context: C | None = None,
    ) -> TransitionResult[S]:
        """Decide what ``event`` does in ``current_state``
        (docs/language.md#processing).

        Returns a ``TransitionResult``; raises ``UndefinedStateError`` for a
        state the machine does not have (``CompoundStateError`` for a
        compound state: applications store atomic states), ``GuardError``
        when a guard raises and ``ConfigurationError`` for a guarded
        transition of a machine built without guards in strict mode.
        """
        # The hot path: a class test, two lookups, a class test, a call.
        # ``.get`` keeps a trigger the state does not know off the costly
        # exception path; only an unknown or unhashable value gets there.
        if event.__class__ is Event:
            return self._process_event(current_state, event, context)
        try:
            cell = self._cells[current_state].get(event)
        except (KeyError, TypeError):
            return self._no_row(current_state, event)
        if cell.__class__ is TransitionResult:
            return cell
        if cell is None:
            return self._no_cell(current_state, event)
        return cell(context)  # type: ignore[no-any-return]

    def _process_event(
        self, current_state: object, event: Event, context: Any
    ) -> TransitionResult[S]:
        """``process`` for an ``Event``: its payload over the context."""
        payload = event._payload
        if payload:
            context = payload if not context else {**context, **payload}
        trigger = event._trigger
        try:
            cell = self._cells[current_state].get(trigger)
        except (KeyError, TypeError):
            return self._no_row(current_state, trigger)
        if cell.__class__ is TransitionResult:
            return cell
        if cell is None:
            return self._no_cell(current_state, trigger)
        return cell(context)  # type: ignore[no-any-return]

    def _no_row(self, current_state: object, event: object) -> TransitionResult[S]:
        """The lookup raised: an unknown or unhashable state, or event."""
        self._tables.lookup_state(current_state)  # raises UndefinedStateError
        return self._no_cell(current_state, event)

    def _no_cell(self, current_state: object, event: object) -> TransitionResult[S]:
        """No cell for this state and event: docs/language.md#processing steps 2 and 4.

        Kept lean: an undefined trigger is a failure path with a target of
        its own (README.md#performance), and its results cannot be kept (the trigger
        could
        be any string).
        """
        tables = self._known_tables
        state: Any = tables.state_of.get(current_state)
        if state is None:
            tables.lookup_state(current_state)  # raises UndefinedStateError
        if state in tables.compound:
            raise tables.compound_error(state)
        if tables.configured and current_state not in tables.configurations:
            raise tables.configuration_needed(current_state)
        trigger = tables.trigger_of.get(event)
        if trigger is not None:
            # Known states and triggers are finitely many: their results are
            # built once and kept.
            known = tables.no_cell.get((state, trigger))
            if known is None:
                known = tables.no_cell[(state, trigger)] = self._known(state, trigger)
            return known
        if not isinstance(event, str):
            raise TypeError(
                "event must be a Trigger, a trigger name or an Event, "
                f"not {type(event).__name__}"
            )
        if state in tables.terminal or not tables.strict:
            return self._known(state, event)  # the same answer as for a known one
        # An undefined trigger in a strict machine: the commonest bad input
        # (a client sending a trigger that does not exist, again and again),
        # so its result is kept, for a bounded number of distinct triggers
        # (any string can arrive here); past that it is built each time.
        undefined = tables.undefined
        key = (state, event)
        kept = undefined.get(key)
        if kept is not None:
            return kept
        result: TransitionResult[S] = _new(TransitionResult)
        result._success = False
        result._source_state = state
        result._target_state = None
        result._trigger = event
        result._actions_to_execute = result._on_exit_actions = ()
        result._on_enter_actions = result._all_actions = ()
        result._error = (UndefinedTriggerError, state, event, tables.name)
        result._metadata = _UNDEFINED_TRIGGER
        result._context_updates = EMPTY_MAPPING
        if len(undefined) < _KEPT_UNDEFINED:
            undefined[key] = result
        return result

    def _known(self, state: Any, trigger: Any) -> TransitionResult[S]:
        """The result for a known trigger that no cell of ``state`` decides."""
        if state in self._tables.terminal:
            return failure(
                state, trigger, (TerminalStateError, state, trigger), _TERMINAL
            )
        if not self._tables.strict:
            return stay(state, trigger)
        return failure(
            state,
            trigger,
            (InvalidTransitionError, state, trigger),
            _INVALID_TRANSITION,
        )

    def start(self, context: C | None = None) -> TransitionResult[S]:
        """The result of creating an entity: from no state into the initial one.

        ``source_state`` is ``None``, the trigger ``"_start"``, and
        ``on_enter_actions`` every ``on_enter`` on the way into the initial
        state. Persist ``target_state`` with the new entity, then run the
        actions (``machine.executor(...).execute(result, context)``), as for
        any other result. ``context`` is what the guards of a statechart's
        eventless transitions taken right at the start see; otherwise
        creating an entity consults no guard.
        """
        result = getattr(type(self), "start_result", None)
        if result is None:
            raise TypeError(
                f"{type(self).__name__} was generated before start() existed: "
                "regenerate its module with a newer gubernator-gen"
            )
        follow = self._follower
        if follow is not None:
            key = getattr(result, "_resume", None)
            if key is not None:  # a guarded eventless decision at the start
                return follow.run(result, context, key, False)
        return result  # type: ignore[no-any-return]

    def can_transition(
        self, state: S | str, trigger: T | str | Event, context: C | None = None
    ) -> bool:
        """True when ``process`` would fire a transition (no-ops do not count)."""
        result = self.process(state, trigger, context)
        return result.success and not result.metadata.get("no_op", False)

    # -- actions (docs/runtime.md#action-executor)
    # --------------------------------------------------

    def executor(
        self,
        actions: Any,
        stop_on_error: bool = False,
        retry_attempts: int | None = None,
    ) -> ActionExecutor[S]:
        """An ``ActionExecutor`` for ``actions`` that knows the spec.

        Every action the spec names (states' ``on_enter``/``on_exit`` and the
        transitions' actions) must be implemented: ``ActionNotFoundError``
        names each missing one. ``retry_attempts`` defaults to the spec's
        ``error_policy``; when actions still fail, ``run.fallback`` proposes
        the transition to ``error_policy.default_fallback``.
        """
        tables = self._tables
        if retry_attempts is None:
            retry_attempts = tables.definition.error_policy.retry_attempts
        return ActionExecutor(
            actions,
            stop_on_error,
            retry_attempts,
            required_actions=tables.action_names,
            fallback=(
                self._propose_fallback if tables.fallback_state is not None else None
            ),
        )

    def _propose_fallback(
        self, result: TransitionResult[S], failed: tuple[str, ...]
    ) -> TransitionResult[S] | None:
        """The transition to the fallback state after ``result``'s actions
        failed, or None (see :mod:`gubernator_runtime.fallbacks`)."""
        charted = type(self)._fallback_table
        if charted is not None:
            return charted_fallback(charted, result, failed)
        return flat_fallback(self._tables, result, failed)

