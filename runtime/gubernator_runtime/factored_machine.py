"""``FactoredMachineBase``: the machine of a factored statechart (API 2.6).

A module generated in the factored mode (docs/statecharts.md, "The table
rule") derives its machine from this class instead of ``MachineBase`` and
sets ``factored`` (its :class:`~gubernator_runtime.factored.FactoredChart`)
and ``configuration_type`` (its ``Configuration`` class) instead of a
decision table. ``process``, ``start``, ``check_timeout`` and
``next_deadline`` combine the factored tables per call and return the same
``TransitionResult`` objects a machine on configurations returns: the
configuration to store, ``target_state`` its first active atomic state, the
first microstep's exit and transition actions as ``on_exit_actions`` and
``actions_to_execute`` and every later action in ``on_enter_actions``, so
``all_actions`` is SCXML's exact order, and the ``deadlines`` started.
Everything else (queries, the executor) is ``MachineBase``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from gubernator_runtime._base import EMPTY_MAPPING, C, S, T
from gubernator_runtime.configuration import Configuration
from gubernator_runtime.errors import (
    ConfigurationError,
    GuardError,
    GuardRejectedError,
    UndefinedTriggerError,
    UnknownConfigurationError,
)
from gubernator_runtime.events import Event
from gubernator_runtime.factored import FactoredChart, GuardTest, Macrostep
from gubernator_runtime.factored_guards import (
    GuardRaised,
    GuardsMissing,
    guard_test,
    named_calls,
)
from gubernator_runtime.factored_memo import (
    Ask,
    Assign,
    Configurations,
    Memo,
    Node,
    Parsed,
    Recorder,
    merged,
    recall,
    timed_metadata,
    unbound,
)
from gubernator_runtime.machine import MachineBase
from gubernator_runtime.results import (
    Effect,
    TransitionResult,
    failure,
    started,
    success,
    with_updates,
)
from gubernator_runtime.timeouts import TIMEOUT_TRIGGER, due_entries, next_due, utc_now

if TYPE_CHECKING:
    from datetime import datetime

_UNDEFINED_TRIGGER = MappingProxyType({"reason": "undefined_trigger"})


class FactoredMachineBase(MachineBase[S, T, C]):
    """Base of machines generated in the factored mode (API 2.6).

    A subclass sets ``definition``, ``factored`` and ``configuration_type``.
    Stateless and thread-safe like ``MachineBase``; the parsed
    configurations and the results each class keeps are caches
    (``memo_size``).
    """

    __slots__ = ("_memo", "_rows", "_tests")

    #: How many nodes (results, guard questions) each class keeps of the
    #: results it combined (``factored_memo``; emptied when full); 0: none.
    memo_size: ClassVar[int] = 4096

    #: The module's factored tables.
    factored: ClassVar[FactoredChart]
    #: The module's ``Configuration`` class (results carry its instances).
    configuration_type: ClassVar[type[Configuration]]
    _members: ClassVar[dict[str, Any]]
    _metadata: ClassVar[tuple[Mapping[str, Any], ...]]
    _timed: ClassVar[dict[Any, Mapping[str, Any]]]
    _configurations: ClassVar[Configurations]
    _memos: ClassVar[dict[frozenset[int], Memo]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        own = "definition" in cls.__dict__
        if own and "decisions" not in cls.__dict__:
            cls.decisions = MappingProxyType({})  # nothing is tabled
        super().__init_subclass__(**kwargs)
        if not own:
            return
        chart = cls.__dict__.get("factored")
        if not isinstance(chart, FactoredChart):
            raise TypeError(f"{cls.__name__}.factored must be a FactoredChart")
        definition = cls.definition
        state_type: Any = definition.state_type
        cls._members = {str(m): m for m in state_type}
        cls._metadata = tuple(
            MappingProxyType({"transition_description": plan.description})
            for plan in chart.plans
        )
        cls._timed = timed_metadata(chart)
        cls._configurations = Configurations(
            chart, cls.__dict__["configuration_type"], cls._members
        )
        cls._memos = {}
        cls._tables.add_extra_names(*named_calls(chart.specs))

    def __init__(self, guards: Any = None) -> None:
        super().__init__(guards)
        chart = type(self).factored
        bound = self._guards
        strict = self._known_tables.strict
        self._tests: tuple[GuardTest | None, ...] = tuple(
            guard_test(spec[5], bound, strict) for spec in chart.specs
        )
        self._memo = type(self)._memos.setdefault(unbound(self._tests), Memo())
        self._rows = self._memo.rows

    # -- configurations -----------------------------------------------------------

    def _parse(self, value: object) -> Parsed:
        """The stored configuration ``value``, read (kept for the next call)."""
        try:
            found = self._configurations.parsed.get(value)
        except TypeError:
            found = None
        if found is not None:
            return found
        tables = self._known_tables
        if not isinstance(value, str):
            raise UnknownConfigurationError(value, tables.name)
        member = tables.state_of.get(value)
        if member is not None:
            if member in tables.compound:
                raise tables.compound_error(member)
            raise tables.configuration_needed(value)
        found = self._configurations.read(value)
        if found is None:
            raise UnknownConfigurationError(value, tables.name)
        return found

    # -- processing ---------------------------------------------------------------

    def process(
        self,
        current_state: S | str,
        event: T | str | Event,
        context: C | None = None,
    ) -> TransitionResult[S]:
        """Decide what ``event`` does in the stored configuration
        ``current_state`` (docs/language.md#processing): the factored tables
        combined for this event (docs/statecharts.md). Raises
        ``UnknownConfigurationError`` for a value that is not a
        configuration of the machine, ``GuardError`` when a guard raises,
        ``EndlessMacrostepError`` for a macrostep that never ends."""
        if event.__class__ is Event:
            payload = event._payload
            if payload:
                context = payload if not context else {**context, **payload}  # type: ignore[assignment, dict-item]
            event = event._trigger
        # The hot path: the memo's result, its path's guards asked (as recall).
        try:  # a text not kept yet (or unhashable): the combination decides
            node = self._rows[current_state].get(event)
        except (KeyError, TypeError):
            node = None
        if node is not None:
            if node.__class__ is TransitionResult:
                return node
            root, tests = node, self._tests
            try:
                while node.__class__ is Ask:
                    node = node.answers.get(tests[node.index](context))  # type: ignore[misc]
            except (GuardRaised, GuardsMissing) as error:
                raise self._asked(root, error) from getattr(error, "cause", None)
            if node.__class__ is TransitionResult:
                return node
            if node is not None:  # an Assign leaf
                ctx = EMPTY_MAPPING if context is None else context
                return with_updates(node.result, node.effect, ctx)  # type: ignore[union-attr]
        parsed = self._parse(current_state)
        if not isinstance(event, str):
            return self._refused(parsed[2], event)
        trigger = self._known_tables.trigger_of.get(event)
        if trigger is None:
            return self._refused(parsed[2], event)
        return self._decide(parsed, event, trigger, context, None, current_state)

    def _recall(self, node: Node, context: Any) -> TransitionResult[S] | None:
        """The memo's result at ``node`` (``factored_memo.recall``), a guard
        that raises reported as by the combination."""
        try:
            return recall(node, self._tests, context)
        except (GuardRaised, GuardsMissing) as error:
            raise self._asked(node, error) from getattr(error, "cause", None)

    def _asked(self, node: Node, error: GuardRaised | GuardsMissing) -> Exception:
        """The error of a guard of a memo's path (``node``, an ``Ask``)."""
        ask: Any = node
        if isinstance(error, GuardsMissing):
            return self._needs_guards(ask.source, ask.trigger, error.names)
        return GuardError(error.label, ask.source, ask.trigger, error.cause)

    def _decide(
        self,
        parsed: Parsed,
        key: Any,
        trigger: Any,
        context: Any,
        metadata: Mapping[str, Any] | None,
        text: object,
    ) -> TransitionResult[S]:
        """The result of the trigger ``key`` (an event, or an ``after:``
        entry with its ``metadata``) from the configuration ``parsed``,
        stored as ``text``; kept in the memo."""
        atomic, record, source = parsed
        chart = type(self).factored
        name = self._known_tables.name
        cap = self.memo_size
        tests = Recorder(self._tests) if cap > 0 else self._tests
        try:
            step = chart.process(atomic, record, key, context, tests, name)
        except GuardRaised as raised:
            raise GuardError(raised.label, source, trigger, raised.cause) from (
                raised.cause
            )
        except GuardsMissing as missing:
            raise self._needs_guards(source, trigger, missing.names) from None
        leaf: Node
        if not isinstance(step, Macrostep):
            offered, refused = step
            if not offered or refused is None:
                result = leaf = self._refused(source, trigger)
            else:
                result = leaf = failure(
                    source,
                    trigger,
                    (GuardRejectedError, source, trigger, refused),
                    MappingProxyType(
                        {"reason": "guards_failed", "rejected_by": refused}
                    ),
                )
        else:
            first = step.first
            assert first is not None
            result, effect = self._result(
                source,
                trigger,
                step,
                self._metadata[first.index] if metadata is None else metadata,
            )
            leaf = result
            if effect is not None:
                leaf = Assign(result, effect)
                ctx = EMPTY_MAPPING if context is None else context
                result = with_updates(result, effect, ctx)
        if tests.__class__ is Recorder and isinstance(text, str):  # not the ABC check
            self._memo.add(
                str.__str__(text), key, tests.trace, leaf, (source, trigger), cap
            )
        return result

    def _result(
        self,
        source: Any,
        trigger: Any,
        step: Macrostep,
        metadata: Mapping[str, Any],
    ) -> tuple[TransitionResult[S], Effect | None]:
        """The result of ``step`` before its ``assign`` updates, and what
        computes them from the context (``None``: it has none)."""
        result: TransitionResult[S] = success(
            source,
            self._members[step.atomic[0]],
            trigger,
            tuple(step.transition_actions),
            tuple(step.on_exit),
            tuple(step.on_enter),
            metadata,
            configuration=self._configurations.build(step.atomic, step.record),
            deadlines=MappingProxyType(step.deadlines) if step.deadlines else None,
        )
        effects = [plan.effect for plan in step.taken if plan.effect is not None]
        return result, merged(effects) if effects else None

    def _refused(self, state: Any, event: object) -> TransitionResult[S]:
        """No transition offered: what a machine on configurations answers
        for a trigger its configuration's row lacks."""
        tables = self._known_tables
        trigger = tables.trigger_of.get(event)
        if trigger is not None:
            return self._known(state, trigger)
        if not isinstance(event, str):
            raise TypeError(
                "event must be a Trigger, a trigger name or an Event, "
                f"not {type(event).__name__}"
            )
        if state in tables.terminal or not tables.strict:
            return self._known(state, event)
        return failure(
            state,
            event,
            (UndefinedTriggerError, state, event, tables.name),
            _UNDEFINED_TRIGGER,
        )

    def _needs_guards(
        self, state: Any, trigger: Any, names: tuple[str, ...]
    ) -> ConfigurationError:
        machine = self._known_tables.name
        return ConfigurationError(
            f"machine {machine!r} was built without guards but trigger "
            f"{str(trigger)!r} from state {str(state)!r} needs "
            + ", ".join(repr(name) for name in names),
            machine=machine,
            state=str(state),
            trigger=str(trigger),
            missing_guards=list(names),
        )

    def start(self, context: C | None = None) -> TransitionResult[S]:
        """The result of creating an entity (see ``MachineBase.start``).

        The factored mode combines it when asked; a guarded ``done.state``
        transition taken while entering asks its guards with ``context``.
        """
        chart = type(self).factored
        name = self._known_tables.name
        try:
            step = chart.start(context, self._tests, name)
        except GuardRaised as raised:
            raise GuardError(raised.label, "", "_start", raised.cause) from (
                raised.cause
            )
        except GuardsMissing as missing:
            raise self._needs_guards("", "_start", missing.names) from None
        return started(
            self._members[step.atomic[0]],
            (*step.on_exit, *step.transition_actions, *step.on_enter),
            configuration=self._configurations.build(step.atomic, step.record),
            deadlines=MappingProxyType(step.deadlines) if step.deadlines else None,
        )

    # -- after: entries -----------------------------------------------------------

    def check_timeout(
        self,
        state: S | str,
        entered_at: datetime | Mapping[str, datetime],
        now: datetime | None = None,
        context: C | None = None,
    ) -> TransitionResult[S] | None:
        """The result of the first due ``after:`` entry of the stored
        configuration ``state`` that fires, else None (see
        ``MachineBase.check_timeout``)."""
        parsed = self._parse(state)
        row = type(self).factored.delay_row(parsed[0])
        if not row:
            return None
        if not isinstance(entered_at, Mapping):
            raise TypeError(
                "entered_at must map state names to the moments they were "
                "entered (a statechart with after: entries), not "
                f"{type(entered_at).__name__}"
            )
        moment = utc_now() if now is None else now
        rows = self._rows.get(str.__str__(state))
        for key in due_entries(row, entered_at, moment):
            node = None if rows is None else rows.get(key)
            result = None if node is None else self._recall(node, context)
            if result is None:
                timed = self._timed[key]
                result = self._decide(
                    parsed, key, TIMEOUT_TRIGGER, context, timed, state
                )
            if result.success:
                return result
        return None

    def next_deadline(
        self,
        state: S | str,
        entered_at: Mapping[str, datetime],
        after: datetime | None = None,
    ) -> datetime | None:
        """When the next ``after:`` entry of the stored configuration falls
        due (see ``MachineBase.next_deadline``)."""
        row = type(self).factored.delay_row(self._parse(state)[0])
        return next_due(row, entered_at, after) if row else None
