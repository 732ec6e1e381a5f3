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
from gubernator_runtime.configuration import Configuration, ConfigurationTextError
from gubernator_runtime.errors import (
    ConfigurationError,
    GuardError,
    GuardRejectedError,
    UndefinedTriggerError,
    UnknownConfigurationError,
)
from gubernator_runtime.events import Event
from gubernator_runtime.factored import FactoredChart, GuardTest, Macrostep, Record
from gubernator_runtime.factored_guards import (
    GuardRaised,
    GuardsMissing,
    guard_test,
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

#: How many stored configurations (and configurations built) a machine
#: class keeps parsed: the hot ones are few, any text may arrive.
_KEPT = 4096
_UNDEFINED_TRIGGER = MappingProxyType({"reason": "undefined_trigger"})

#: A stored configuration, read: its atomic states in document order, its
#: history record, and its first atomic state (what results name).
Parsed = tuple[tuple[str, ...], Record, Any]


class FactoredMachineBase(MachineBase[S, T, C]):
    """Base of machines generated in the factored mode (API 2.6).

    A subclass sets ``definition``, ``factored`` and ``configuration_type``.
    Stateless and thread-safe like ``MachineBase``; the parsed
    configurations each class keeps are a cache.
    """

    __slots__ = ("_tests",)

    #: The module's factored tables.
    factored: ClassVar[FactoredChart]
    #: The module's ``Configuration`` class (results carry its instances).
    configuration_type: ClassVar[type[Configuration]]
    _members: ClassVar[dict[str, Any]]
    _metadata: ClassVar[tuple[Mapping[str, Any], ...]]
    _timed: ClassVar[dict[Any, Mapping[str, Any]]]
    _parsed: ClassVar[dict[Any, Parsed]]
    _built: ClassVar[dict[tuple[tuple[str, ...], Record], Configuration]]

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
        cls._timed = _timed_metadata(chart)
        cls._parsed = {}
        cls._built = {}
        guards: dict[str, None] = {}
        actions: dict[str, None] = {}
        for spec in chart.specs:
            actions.update(dict.fromkeys(spec[1]))
            for guard in spec[5]:
                call = guard if isinstance(guard, str) else guard[1]
                if isinstance(call, str):
                    guards[call] = None
        cls._tables.add_extra_names(tuple(guards), tuple(actions))

    def __init__(self, guards: Any = None) -> None:
        super().__init__(guards)
        chart = type(self).factored
        bound = self._guards
        strict = self._known_tables.strict
        self._tests: tuple[GuardTest | None, ...] = tuple(
            guard_test(spec[5], bound, strict) for spec in chart.specs
        )

    # -- configurations -----------------------------------------------------------

    def _parse(self, value: object) -> Parsed:
        """The stored configuration ``value``, read (kept for the next call)."""
        try:
            found = self._parsed.get(value)
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
        try:
            parsed = type(self).configuration_type.parse(value)
        except ConfigurationTextError:
            raise UnknownConfigurationError(value, tables.name) from None
        chart = type(self).factored
        order = chart.order.__getitem__
        atomic = tuple(sorted(parsed.active, key=order))
        history = parsed.history
        record = tuple(
            (h, tuple(sorted(history[h], key=order)))
            for h in sorted(history, key=order)
        )
        if not chart.legal(atomic) or not chart.legal_record(record):
            raise UnknownConfigurationError(value, tables.name)
        found = (atomic, record, self._members[atomic[0]])
        if len(self._parsed) < _KEPT:
            self._parsed[str.__str__(value)] = found
        return found

    def _configuration(self, atomic: tuple[str, ...], record: Record) -> Configuration:
        key = (atomic, record)
        built = self._built.get(key)
        if built is None:
            built = type(self).configuration_type(atomic, dict(record))
            if len(self._built) < _KEPT:
                self._built[key] = built
                if len(self._parsed) < _KEPT:
                    self._parsed[str.__str__(built)] = (
                        atomic,
                        record,
                        self._members[atomic[0]],
                    )
        return built

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
        parsed = self._parse(current_state)
        if not isinstance(event, str):
            return self._refused(parsed[2], event)
        trigger = self._known_tables.trigger_of.get(event)
        if trigger is None:
            return self._refused(parsed[2], event)
        return self._decide(parsed, event, trigger, context, None)

    def _decide(
        self,
        parsed: Parsed,
        key: Any,
        trigger: Any,
        context: Any,
        metadata: Mapping[str, Any] | None,
    ) -> TransitionResult[S]:
        """The result of the trigger ``key`` (an event, or an ``after:``
        entry with its ``metadata``) from the configuration ``parsed``."""
        atomic, record, source = parsed
        chart = type(self).factored
        name = self._known_tables.name
        try:
            step = chart.process(atomic, record, key, context, self._tests, name)
        except GuardRaised as raised:
            raise GuardError(raised.label, source, trigger, raised.cause) from (
                raised.cause
            )
        except GuardsMissing as missing:
            raise self._needs_guards(source, trigger, missing.names) from None
        if not isinstance(step, Macrostep):
            offered, refused = step
            if not offered or refused is None:
                return self._refused(source, trigger)
            return failure(
                source,
                trigger,
                (GuardRejectedError, source, trigger, refused),
                MappingProxyType({"reason": "guards_failed", "rejected_by": refused}),
            )
        first = step.first
        assert first is not None
        return self._result(
            source,
            trigger,
            step,
            self._metadata[first.index] if metadata is None else metadata,
            context,
        )

    def _result(
        self,
        source: Any,
        trigger: Any,
        step: Macrostep,
        metadata: Mapping[str, Any],
        context: Any,
    ) -> TransitionResult[S]:
        result: TransitionResult[S] = success(
            source,
            self._members[step.atomic[0]],
            trigger,
            tuple(step.transition_actions),
            tuple(step.on_exit),
            tuple(step.on_enter),
            metadata,
            configuration=self._configuration(step.atomic, step.record),
            deadlines=MappingProxyType(step.deadlines) if step.deadlines else None,
        )
        effects = [plan.effect for plan in step.taken if plan.effect is not None]
        if not effects:
            return result
        return with_updates(
            result, _merged(effects), EMPTY_MAPPING if context is None else context
        )

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
            configuration=self._configuration(step.atomic, step.record),
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
        for key in due_entries(row, entered_at, moment):
            metadata = self._timed[key]
            result = self._decide(parsed, key, TIMEOUT_TRIGGER, context, metadata)
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


def _timed_metadata(chart: FactoredChart) -> dict[Any, Mapping[str, Any]]:
    """The metadata of each ``after:`` entry's results, by its trigger."""
    found: dict[Any, Mapping[str, Any]] = {}
    for row in chart.offers.values():
        for key, offer in row.items():
            if not isinstance(key, tuple) or key in found:
                continue
            state, index = key
            metadata: dict[str, Any] = {
                "reason": "timeout",
                "timeout_state": state,
                "timeout_index": index,
                "timeout_seconds": chart.after[state][index],
            }
            description = chart.plans[offer[0]].description
            if description:
                metadata["transition_description"] = description
            found[key] = MappingProxyType(metadata)
    return found


def _merged(effects: list[Effect]) -> Effect:
    """The ``assign`` updates of every transition taken, in order."""
    if len(effects) == 1:
        return effects[0]

    def merged(context: Any) -> dict[str, object]:
        updates: dict[str, object] = {}
        for effect in effects:
            updates.update(effect(context))
        return updates

    return merged
