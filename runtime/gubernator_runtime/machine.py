"""``MachineBase``: the class every generated machine derives from.

A generated module defines ``class OrderManagement(MachineBase[State,
Trigger, Context])`` with ``definition = _DEFINITION``. When that class is
created (at import), :class:`_MachineTables` turns the definition into
dispatch tables holding a prebuilt success ``TransitionResult`` per
(state, transition); an instance then only binds its guards. ``process``
is, on an unguarded transition, two dict lookups and a return (SPEC §4, §5).

Dispatch tables are keyed by ``State``/``Trigger`` members. Members of a
``str`` enum hash and compare equal to their values, so plain strings from a
database row or a message find the same entries without any conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from gubernator_runtime._base import (
    EMPTY_MAPPING,
    S,
    T,
    describe,
    lookup_callables,
    plain_str,
)
from gubernator_runtime.definition import MachineDefinition, StateInfo, TransitionInfo
from gubernator_runtime.errors import (
    ConfigurationError,
    GuardError,
    GuardRejectedError,
    InvalidTransitionError,
    TerminalStateError,
    UndefinedStateError,
    UndefinedTriggerError,
)
from gubernator_runtime.events import Event
from gubernator_runtime.executor import ActionExecutor, is_async_callable
from gubernator_runtime.results import NO_OP_METADATA, TransitionResult
from gubernator_runtime.timeouts import TIMEOUT_TRIGGER, TimeoutInfo, is_expired

if TYPE_CHECKING:
    from datetime import datetime

#: The machine's context type (a ``TypedDict`` or ``Mapping[str, Any]``).
C = TypeVar("C")

#: The trigger of results proposed by ``ExecutionResult.fallback``.
FALLBACK_TRIGGER = "_fallback"

GuardCallable = Callable[[Any], object]
#: Candidate transitions in spec order, each with its guard names.
_Candidates = tuple[tuple[tuple[str, ...], TransitionResult[Any]], ...]
#: The same with the guards bound: ``((name, callable), ...)`` per candidate.
_BoundCandidates = tuple[
    tuple[tuple[tuple[str, GuardCallable], ...], TransitionResult[Any]], ...
]


class _OneGuard(tuple):  # type: ignore[type-arg]
    """A cell with one candidate and one guard: ``(name, guard, result)``.

    Its own class, so ``process`` can tell it from the general candidates by
    identity and evaluate it inline.
    """

    __slots__ = ()


#: state → trigger → prebuilt result (unguarded), a ``_OneGuard``, or bound
#: candidates (guarded).
_Dispatch = dict[Any, dict[Any, Any]]

_TERMINAL_METADATA = MappingProxyType({"reason": "terminal_state"})
_UNDEFINED_TRIGGER_METADATA = MappingProxyType({"reason": "undefined_trigger"})
_INVALID_TRANSITION_METADATA = MappingProxyType({"reason": "invalid_transition"})


class _MachineTables:
    """Everything a machine class derives from its definition, built once.

    Raises ``ConfigurationError`` for a definition that does not hang
    together (unknown states or triggers, bad dispatch indices), so a broken
    module fails at import with a message rather than later in ``process``.
    """

    __slots__ = (
        "action_names",
        "available",
        "available_triggers",
        "candidates",
        "definition",
        "fallback_state",
        "fast",
        "guard_names",
        "guarded_cells",
        "name",
        "permissive",
        "state_info",
        "state_names",
        "state_of",
        "strict",
        "terminal",
        "terminal_states",
        "timeout_results",
        "timeouts",
        "trigger_names",
        "trigger_of",
    )

    def __init__(self, definition: MachineDefinition[Any, Any]) -> None:
        self.definition = definition
        self.name = definition.name
        self.strict = definition.strict_mode
        state_type = definition.state_type
        trigger_type = definition.trigger_type

        def fail(problem: str) -> ConfigurationError:
            return ConfigurationError(
                f"invalid machine definition {self.name!r}: {problem}",
                machine=self.name,
            )

        # Lookups keyed by member; plain strings find them too (str enums).
        state_members = _members(state_type, "state_type", fail)
        trigger_members = _members(trigger_type, "trigger_type", fail)

        def to_trigger(value: object) -> Any:
            try:
                return trigger_members[value]
            except (KeyError, TypeError):
                raise fail(
                    f"{describe(value)!r} is not a {trigger_type.__name__}"
                ) from None

        state_info: dict[Any, StateInfo] = {}
        for info in definition.states:
            member = state_members.get(info.name)
            if member is None:
                raise fail(f"{describe(info.name)!r} is not a {state_type.__name__}")
            if member in state_info:
                raise fail(f"state {plain_str(member)!r} is defined twice")
            state_info[member] = info
        state_of: dict[Any, Any] = {member: member for member in state_info}

        def known_state(value: object) -> Any:
            try:
                return state_of[value]
            except (KeyError, TypeError):
                if value in state_members:
                    problem = "is not one of the definition's states"
                else:
                    problem = f"is not a {state_type.__name__}"
                raise fail(f"{describe(value)!r} {problem}") from None

        self.state_info = state_info
        self.state_of = state_of
        known_state(definition.initial_state)
        self.terminal = frozenset(m for m, i in state_info.items() if i.is_terminal)

        transitions = definition.transitions
        triggers = [to_trigger(t.trigger) for t in transitions]
        dests = [known_state(t.dest) for t in transitions]
        self.trigger_of: dict[Any, Any] = {member: member for member in triggers}
        descriptions = [
            MappingProxyType({"transition_description": t.description})
            for t in transitions
        ]

        candidates: dict[Any, dict[Any, _Candidates]] = {}
        available: dict[Any, tuple[TransitionInfo, ...]] = {}
        available_triggers: dict[Any, tuple[Any, ...]] = {}
        for state_key, row in definition.dispatch.items():
            source = known_state(state_key)
            if source in self.terminal:
                raise fail(f"terminal state {plain_str(source)!r} has transitions")
            on_exit = state_info[source].on_exit
            cells: dict[Any, _Candidates] = {}
            used: set[int] = set()
            for trigger_key, indices in row.items():
                trigger = to_trigger(trigger_key)
                found: list[tuple[tuple[str, ...], TransitionResult[Any]]] = []
                reachable = True
                for index in indices:
                    if not 0 <= index < len(transitions):
                        raise fail(f"dispatch index {index} is out of range")
                    transition = transitions[index]
                    if triggers[index] != trigger or source not in transition.sources:
                        raise fail(
                            f"dispatch lists transition {index} under state "
                            f"{plain_str(source)!r} and trigger "
                            f"{plain_str(trigger)!r}, which it does not leave "
                            "from or fire on"
                        )
                    used.add(index)
                    if not reachable:
                        continue  # behind an unguarded candidate: never fires
                    dest = dests[index]
                    result = TransitionResult.prebuilt_success(
                        source,
                        dest,
                        trigger,
                        transition.actions,
                        on_exit,
                        state_info[dest].on_enter,
                        descriptions[index],
                    )
                    found.append((transition.guards, result))
                    reachable = bool(transition.guards)
                if found:
                    cells[trigger] = tuple(found)
            candidates[source] = cells
            leaving = sorted(used)
            available[source] = tuple(transitions[i] for i in leaving)
            available_triggers[source] = tuple(
                dict.fromkeys(triggers[i] for i in leaving)
            )
        self.candidates = candidates
        self.available = available
        self.available_triggers = available_triggers
        # Unguarded first candidates: the whole of the hot path's table.
        fast: _Dispatch = {}
        guarded: list[tuple[Any, Any, _Candidates]] = []
        for source, cells in candidates.items():
            for trigger, cell in cells.items():
                if cell[0][0]:
                    guarded.append((source, trigger, cell))
                else:
                    fast.setdefault(source, {})[trigger] = cell[0][1]
        self.fast = fast
        self.guarded_cells = tuple(guarded)
        # Non-strict machines built without guards let every guard pass, so
        # each cell resolves to its first candidate.
        permissive: _Dispatch | None = None
        if not self.strict and guarded:
            permissive = {source: dict(row) for source, row in fast.items()}
            for source, trigger, cell in guarded:
                permissive.setdefault(source, {})[trigger] = cell[0][1]
        self.permissive = permissive

        timeouts: dict[Any, Any] = {}
        timeout_results: dict[Any, TransitionResult[Any]] = {}
        for member, info in state_info.items():
            timeout = info.timeout
            if timeout is None or member in self.terminal:
                continue
            dest = known_state(timeout.destination)
            timeouts[member] = timeout
            timeout_results[member] = TransitionResult(
                True,
                member,
                dest,
                TIMEOUT_TRIGGER,
                (),
                info.on_exit,
                state_info[dest].on_enter,
                None,
                {"reason": "timeout", "timeout_seconds": timeout.seconds},
            )
        self.timeouts = timeouts
        self.timeout_results = timeout_results

        fallback = definition.error_policy.default_fallback
        self.fallback_state = None if fallback is None else known_state(fallback)
        self.state_names = tuple(state_info)
        self.trigger_names = tuple(self.trigger_of)
        self.terminal_states = tuple(m for m in state_info if m in self.terminal)
        self.guard_names = definition.guard_names
        self.action_names = definition.action_names

    def bind(self, guards: Mapping[str, GuardCallable]) -> _Dispatch:
        """The hot-path table with every guarded cell's guards bound."""
        if not self.guarded_cells:
            return self.fast
        dispatch: _Dispatch = dict(self.fast)
        copied: set[Any] = set()
        for source, trigger, found in self.guarded_cells:
            if source not in copied:
                dispatch[source] = dict(dispatch.get(source, {}))
                copied.add(source)
            if len(found) == 1 and len(found[0][0]) == 1:
                (name,), result = found[0]
                dispatch[source][trigger] = _OneGuard((name, guards[name], result))
            else:
                dispatch[source][trigger] = tuple(
                    (tuple((name, guards[name]) for name in names), result)
                    for names, result in found
                )
        return dispatch

    def lookup_state(self, value: object) -> Any:
        """The ``State`` member for ``value``; ``UndefinedStateError`` if none."""
        try:
            return self.state_of[value]
        except (KeyError, TypeError):
            raise UndefinedStateError(value, self.name) from None


def _members(
    enum_type: type[Any], role: str, fail: Callable[[str], ConfigurationError]
) -> dict[Any, Any]:
    problem = f"{role} must be a str Enum, not {enum_type!r}"
    try:
        members = {member: member for member in enum_type}
    except TypeError:
        raise fail(problem) from None
    # Plain strings can only find the members of a str-valued enum.
    if not (isinstance(enum_type, type) and issubclass(enum_type, str)):
        raise fail(problem)
    return members


def _bind_guards(guards: object, tables: _MachineTables) -> dict[str, GuardCallable]:
    bound, missing = lookup_callables(guards, tables.guard_names)
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        noun = "guard" if len(missing) == 1 else "guards"
        raise ConfigurationError(
            f"machine {tables.name!r}: no implementation for {noun} {listed}",
            machine=tables.name,
            missing_guards=missing,
        )
    # An unawaited coroutine is truthy: an async guard would always pass.
    async_guards = [name for name, guard in bound.items() if is_async_callable(guard)]
    if async_guards:
        listed = ", ".join(repr(name) for name in async_guards)
        raise ConfigurationError(
            f"machine {tables.name!r}: guards must be plain functions returning "
            f"bool, not async def: {listed}",
            machine=tables.name,
            async_guards=async_guards,
        )
    return bound


class MachineBase(Generic[S, T, C]):
    """Base of generated machines: stateless, thread-safe, typed.

    A subclass sets ``definition`` (a ``MachineDefinition``); nothing else is
    required. ``guards`` is an object with one method per guard or a
    ``Mapping[str, Callable]``; every guard the spec uses must be present
    (``ConfigurationError`` naming each missing one). Without ``guards`` the
    machine can still be queried; ``process`` then raises
    ``ConfigurationError`` on a guarded transition in strict mode and lets
    guards pass in non-strict mode.
    """

    __slots__ = ("_dispatch", "_guards")

    definition: ClassVar[MachineDefinition[Any, Any]]
    _tables: ClassVar[_MachineTables]

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
        cls._tables = _MachineTables(definition)

    def __init__(self, guards: Any = None) -> None:
        tables = getattr(type(self), "_tables", None)
        if tables is None:
            raise TypeError(
                f"{type(self).__name__} has no definition; MachineBase is "
                "subclassed by generated modules"
            )
        if guards is None:
            self._guards: Mapping[str, GuardCallable] | None = None
            if tables.permissive is not None:
                self._dispatch: _Dispatch = tables.permissive
            else:
                self._dispatch = tables.fast
        else:
            bound = _bind_guards(guards, tables)
            self._guards = MappingProxyType(bound)
            self._dispatch = tables.bind(bound)

    # -- processing (SPEC §5) ----------------------------------------------

    def process(
        self,
        current_state: S | str,
        event: T | str | Event,
        context: C | None = None,
    ) -> TransitionResult[S]:
        """Decide what ``event`` does in ``current_state`` (SPEC §5).

        Returns a ``TransitionResult``; raises ``UndefinedStateError`` for a
        state the machine does not have, ``GuardError`` when a guard raises
        and ``ConfigurationError`` for a guarded transition of a machine
        built without guards in strict mode.
        """
        # The hot path: no allocation, no parsing, no scanning. Anything
        # unusual (unknown state or trigger, an Event, an unhashable value)
        # misses the table and takes the slow path, which is called after
        # the except clause so that its errors do not chain to the miss.
        try:
            entry = self._dispatch[current_state][event]
        except (KeyError, TypeError):
            pass
        else:
            kind = entry.__class__
            if kind is TransitionResult:
                return entry  # type: ignore[no-any-return]
            if kind is _OneGuard:
                # The commonest guarded cell, inlined: a helper call would
                # cost as much as the lookup. _evaluate is the general case.
                name, check, result = entry
                try:  # the truth test too: a __bool__ may raise
                    if check(EMPTY_MAPPING if context is None else context):
                        return result  # type: ignore[no-any-return]
                except Exception as exc:
                    raise GuardError(
                        name, result.source_state, result.trigger, exc
                    ) from exc
                return self._guards_refused(result, name)
            return self._evaluate(entry, EMPTY_MAPPING if context is None else context)
        return self._process_slow(current_state, event, context)

    def _evaluate(
        self, entry: _BoundCandidates | _OneGuard, ctx: Any
    ) -> TransitionResult[S]:
        if entry.__class__ is _OneGuard:
            name, check, result = entry
            candidates: _BoundCandidates = ((((name, check),), result),)
        else:
            candidates = entry
        rejected_by = ""
        for checks, result in candidates:
            for name, check in checks:
                # The truth test is inside the try: a result whose __bool__
                # raises (an array, say) is the guard's failure too.
                try:
                    if not check(ctx):
                        rejected_by = name
                        break
                except Exception as exc:
                    raise GuardError(
                        name, result.source_state, result.trigger, exc
                    ) from exc
            else:
                return result
        return self._guards_refused(candidates[0][1], rejected_by)

    def _guards_refused(
        self, first: TransitionResult[S], rejected_by: str
    ) -> TransitionResult[S]:
        """Every candidate was refused; ``rejected_by`` refused the last one."""
        return TransitionResult(
            False,
            first.source_state,
            None,
            first.trigger,
            error=GuardRejectedError(first.source_state, first.trigger, rejected_by),
            metadata={"reason": "guards_failed", "rejected_by": rejected_by},
        )

    def _process_slow(
        self, current_state: object, event: object, context: Any
    ) -> TransitionResult[S]:
        tables = self._tables
        if isinstance(event, Event):
            trigger_value: object = event.trigger
            payload = event.payload
            if not payload:
                ctx = context
            elif not context:
                ctx = payload
            else:
                ctx = {**context, **payload}
        else:
            trigger_value = event
            ctx = context
        state = tables.lookup_state(current_state)
        if not isinstance(trigger_value, str):
            raise TypeError(
                "event must be a Trigger, a trigger name or an Event, "
                f"not {type(event).__name__}"
            )
        trigger = tables.trigger_of.get(trigger_value)
        if state in tables.terminal:
            shown = trigger_value if trigger is None else trigger
            return TransitionResult(
                False,
                state,
                None,
                shown,
                error=TerminalStateError(state, shown),
                metadata=_TERMINAL_METADATA,
            )
        if trigger is not None:
            entry = self._dispatch.get(state, EMPTY_MAPPING).get(trigger)
            if entry is not None:
                if entry.__class__ is TransitionResult:
                    return entry
                return self._evaluate(entry, EMPTY_MAPPING if ctx is None else ctx)
            found = tables.candidates.get(state, EMPTY_MAPPING).get(trigger)
            if found:
                # Only reachable for a strict machine built without guards.
                needed = list(dict.fromkeys(g for names, _ in found for g in names))
                raise ConfigurationError(
                    f"machine {tables.name!r} was built without guards but "
                    f"trigger {plain_str(trigger)!r} from state "
                    f"{plain_str(state)!r} needs "
                    + ", ".join(repr(name) for name in needed),
                    machine=tables.name,
                    state=plain_str(state),
                    trigger=plain_str(trigger),
                    missing_guards=needed,
                )
        return self._no_transition(state, trigger_value if trigger is None else trigger)

    def _no_transition(self, state: Any, trigger: str) -> TransitionResult[S]:
        tables = self._tables
        if not tables.strict:
            return TransitionResult(
                True, state, state, trigger, metadata=NO_OP_METADATA
            )
        if trigger in tables.trigger_of:
            return TransitionResult(
                False,
                state,
                None,
                trigger,
                error=InvalidTransitionError(state, trigger),
                metadata=_INVALID_TRANSITION_METADATA,
            )
        return TransitionResult(
            False,
            state,
            None,
            trigger,
            error=UndefinedTriggerError(state, trigger, tables.name),
            metadata=_UNDEFINED_TRIGGER_METADATA,
        )

    def can_transition(
        self, state: S | str, trigger: T | str | Event, context: C | None = None
    ) -> bool:
        """True when ``process`` would fire a transition (no-ops do not count)."""
        result = self.process(state, trigger, context)
        return result.success and not result.metadata.get("no_op", False)

    # -- queries ------------------------------------------------------------

    def available_transitions(self, state: S | str) -> tuple[TransitionInfo, ...]:
        """Transitions leaving ``state`` in spec order, whatever their guards."""
        return self._tables.available.get(self._tables.lookup_state(state), ())

    def available_triggers(self, state: S | str) -> tuple[T, ...]:
        """Distinct triggers of :meth:`available_transitions`, in order."""
        return self._tables.available_triggers.get(self._tables.lookup_state(state), ())

    def get_state(self, name: S | str) -> StateInfo:
        """The ``StateInfo`` of ``name``; ``UndefinedStateError`` if unknown."""
        tables = self._tables
        return tables.state_info[tables.lookup_state(name)]

    def validate_state(self, name: S | str) -> S:
        """``name`` as a ``State`` member; ``UndefinedStateError`` if unknown."""
        return self._tables.lookup_state(name)  # type: ignore[no-any-return]

    def is_terminal(self, state: S | str) -> bool:
        """True when ``state`` is terminal; ``UndefinedStateError`` if unknown."""
        tables = self._tables
        return tables.lookup_state(state) in tables.terminal

    # -- timeouts -----------------------------------------------------------

    def check_timeout(
        self,
        state: S | str,
        entered_at: datetime,
        now: datetime | None = None,
    ) -> TransitionResult[S] | None:
        """The timeout's result if ``state``'s timeout has expired, else None.

        Expired means ``now - entered_at >= seconds`` (naive datetimes are
        UTC; ``now`` defaults to the current time).
        """
        tables = self._tables
        member = tables.lookup_state(state)
        result = tables.timeout_results.get(member)
        if result is None:
            return None
        if is_expired(entered_at, tables.timeouts[member].seconds, now):
            return result
        return None

    def timeout_info(
        self, state: S | str, entered_at: datetime | None = None
    ) -> TimeoutInfo[S]:
        """``state``'s timeout as a ``TimeoutInfo`` (``has_timeout`` False if none)."""
        tables = self._tables
        member = tables.lookup_state(state)
        timeout = tables.timeouts.get(member)
        if timeout is None:
            return TimeoutInfo(None, None, entered_at)
        destination = tables.timeout_results[member].target_state
        return TimeoutInfo(timeout.seconds, destination, entered_at)

    # -- actions (SPEC §6) --------------------------------------------------

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
        """The transition to the fallback state after ``result``'s actions failed.

        It leaves the state just entered (its exit actions) and enters the
        fallback (its enter actions). None when the result did not move
        anywhere, or when it already entered the fallback state (proposing
        it again would loop on a failing enter action).
        """
        tables = self._tables
        fallback = tables.fallback_state
        entered = result.target_state
        if fallback is None or not result.success or entered is None:
            return None
        member = tables.state_of.get(entered)
        if member is None or member == fallback:
            return None
        return TransitionResult(
            True,
            member,
            fallback,
            FALLBACK_TRIGGER,
            (),
            tables.state_info[member].on_exit,
            tables.state_info[fallback].on_enter,
            None,
            {"reason": "action_failed", "failed_actions": list(failed)},
        )

    # -- description --------------------------------------------------------

    @property
    def name(self) -> str:
        """The machine's name."""
        return self._tables.name

    @property
    def version(self) -> str:
        """The definition's version."""
        return self._tables.definition.version

    @property
    def strict_mode(self) -> bool:
        """Strict processing (SPEC §5)."""
        return self._tables.strict

    @property
    def description(self) -> str:
        """The spec's description."""
        return self._tables.definition.description

    @property
    def spec_sha256(self) -> str:
        """SHA-256 of the spec the module was generated from."""
        return self._tables.definition.spec_sha256

    @property
    def initial_state(self) -> S:
        """The initial state."""
        return self._tables.definition.initial_state  # type: ignore[no-any-return]

    @property
    def states(self) -> tuple[StateInfo, ...]:
        """Every state in declaration order."""
        return self._tables.definition.states

    @property
    def transitions(self) -> tuple[TransitionInfo, ...]:
        """Every transition in spec order."""
        return self._tables.definition.transitions

    @property
    def state_names(self) -> tuple[S, ...]:
        """Every state, as ``State`` members in declaration order."""
        return self._tables.state_names

    @property
    def trigger_names(self) -> tuple[T, ...]:
        """Every trigger, in order of first appearance."""
        return self._tables.trigger_names

    @property
    def terminal_states(self) -> tuple[S, ...]:
        """Terminal states in declaration order."""
        return self._tables.terminal_states

    @property
    def guard_names(self) -> tuple[str, ...]:
        """Every guard the spec uses."""
        return self._tables.guard_names

    @property
    def action_names(self) -> tuple[str, ...]:
        """Every action the spec uses."""
        return self._tables.action_names

    @property
    def guards(self) -> Mapping[str, GuardCallable] | None:
        """The bound guards by name (read-only), or None if built without."""
        return self._guards

    def __repr__(self) -> str:
        return f"<{type(self).__name__} machine {self.name!r} version {self.version!r}>"
