"""The independent interpreter: python-statemachine 3.x (``StateChart``).

:class:`Oracle` translates a chart (our :class:`MachineSpec`) into
python-statemachine's dictionary definition and runs it, logging every
entry, exit and transition action in the order the library calls them.

The library follows the W3C SCXML algorithm closely. Where it does not,
this module adjusts the oracle towards W3C, each adjustment documented in
``docs/statecharts.md`` ("Deviations of the oracle") and listed here:

1. Document order. The library numbers states by depth and sibling
   position rather than by a pre-order walk, so a state after a compound
   sibling can sort before that sibling's children; entry and exit order
   follow that number. :func:`_fix_document_order` renumbers the states in
   pre-order before the class is used.
2. Selection order. The library offers an event to the active atomic
   states in the order they entered the configuration (its own code marks
   "TODO: sorted by document order"), which changes the order of
   transition actions and conflict resolution in parallel states after
   the first step. :class:`_DocumentOrderEngine` sorts them by document
   order.
3. Internal transitions of atomic states. W3C treats ``internal`` on a
   transition whose source is atomic as external (it exits and re-enters
   the source); the library enters the source again without exiting it.
   The translation passes ``internal`` only for compound sources.
4. History content. When a transition targets a history state, the
   library files that transition under the parent's default history
   content and so runs its actions a second time while entering the
   parent. W3C runs only the history's default transition's content
   there; the engine drops the targeting transition from it.
5. Deep history records. The library records every active descendant of
   the exited state, compound ones included; W3C records the atomic
   descendants only. Restoring gives the same states, but the recorded
   states are the history's effective targets, which decide the transition
   domain of a transition into the history: from inside the history's
   parent, the library's domain is wider. The engine keeps the atomic
   states of each deep record.
6. The root. The library stops the machine when a top-level parallel
   state's regions are all final, where W3C only queues its
   ``done.state`` event. The translation wraps the chart in one compound
   root state with no actions, so the library never sees a top-level
   final or parallel state (our semantics: a top-level terminal state
   completes the machine with no further actions, which the wrapper also
   gives).
7. Eventless transitions before an event. The library evaluates eventless
   transitions again when it takes an external event, before selecting for
   it; W3C evaluated them at the end of the previous macrostep. The tests'
   guard outcomes change with the event, so :meth:`Oracle.send` changes
   them when the library takes the event off its queue.
8. Internal transitions into a history state outside the source. W3C's
   ``getTransitionDomain`` asks whether the *effective* target states (the
   history's record, else its default) lie inside a compound source, so an
   internal transition from a compound state to its parent's history keeps
   the source when the record is inside it. The library refuses an
   internal transition whose target (the history state) is not inside the
   source; the translation passes it as external (deviation 3) and the
   engine's :meth:`_DocumentOrderEngine.get_transition_domain` applies
   W3C's rule to it.

Errors inside callbacks are not turned into ``error.execution`` events
(``catch_errors_as_events=False``): any exception is a bug of this harness.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from statemachine.engines.sync import SyncEngine
from statemachine.io import create_machine_class_from_definition
from statemachine.orderedset import OrderedSet

from gubernator_gen.backend.statechart.chart import (
    ALWAYS,
    Chart,
    ChartTransition,
    Delay,
    TriggerKey,
)
from gubernator_gen.expressions.nodes import BoolOp, BoolOperator, Expr, InState, Not
from gubernator_gen.model import ExpressionGuard, HistoryDepth, MachineSpec

ROOT = "_root"
#: Microsteps in one macrostep after which the oracle is taken to loop.
RUNAWAY_LIMIT = 120


class Runaway(BaseException):
    """The oracle took more microsteps than any terminating macrostep can.

    A ``BaseException`` so that the library's own error handling (which
    turns ``Exception`` into ``error.execution`` events) lets it through.
    """


def delay_event(trigger: Delay) -> str:
    """The oracle's event name for an ``after:`` entry."""
    return f"after.{trigger.state}.{trigger.index}"


class _DocumentOrderEngine(SyncEngine):
    """Offers events to the active atomic states in document order (W3C).

    ``by_record`` holds (by identity) the transitions that are internal in
    our chart but were translated as external, their target being a history
    state outside their source (deviation 8).
    """

    def __init__(self, sm: Any, by_record: set[int]) -> None:
        self.by_record = by_record
        super().__init__(sm)

    def get_transition_domain(self, transition: Any) -> Any:
        if id(transition) in self.by_record:
            # getTransitionDomain: the source, when it is compound and every
            # effective target state (the record, or the history's default)
            # lies inside it; otherwise the library's LCCA.
            states = self.get_effective_target_states(transition)
            source = transition.source
            if (
                states
                and source.is_compound
                and all(s.is_descendant(source) for s in states)
            ):
                return source
        return super().get_transition_domain(transition)

    def _select_transitions(
        self, trigger_data: Any, predicate: Callable[..., Any]
    ) -> Any:
        enabled: OrderedSet[Any] = OrderedSet()
        atomic = sorted(
            (s for s in self.sm.configuration if s.is_atomic),
            key=lambda s: s.document_order,
        )
        for state in atomic:
            transition = self._first_transition_that_matches(
                state, trigger_data, predicate
            )
            if transition is not None:
                enabled.add(transition)
        return self._filter_conflicting_transitions(enabled)

    def _prepare_exit_states(self, enabled_transitions: Any) -> Any:
        prepared = super()._prepare_exit_states(enabled_transitions)
        for name, states in self.sm.history_values.items():
            if self.sm.history_deep.get(name):
                self.sm.history_values[name] = [s for s in states if s.is_atomic]
        return prepared

    def microstep(self, transitions: Any, trigger_data: Any) -> Any:
        hook = getattr(self.sm, "on_microstep", None)
        if hook is not None:
            hook()
        return super().microstep(transitions, trigger_data)

    def _take_external_event(self, external_event: Any) -> Any:
        hook = getattr(self.sm, "on_external_event", None)
        if hook is not None:
            hook()
        return super()._take_external_event(external_event)

    def _add_history_states_to_enter(
        self,
        info: Any,
        state: Any,
        states_to_enter: Any,
        states_for_default_entry: Any,
        default_history_content: dict[str, Any],
    ) -> None:
        super()._add_history_states_to_enter(
            info,
            state,
            states_to_enter,
            states_for_default_entry,
            default_history_content,
        )
        content = default_history_content.get(state.parent.id)
        if content and content[0] is info:
            del content[0]  # only the default transition's own content (W3C)


def _fix_document_order(machine_class: Any) -> None:
    order = 0
    pending = list(reversed(list(machine_class.states)))
    while pending:
        state = pending.pop()
        order += 1
        state.document_order = order
        pending.extend(reversed(list(state.states)))


class Oracle:
    """One running python-statemachine instance of a chart.

    ``guard(name)`` decides every guard; ``log`` collects ``(phase, owner,
    name)`` triples, as our :class:`ActionCall` does.
    """

    def __init__(self, spec: MachineSpec, guard: Callable[[str], bool]) -> None:
        self.chart = Chart(spec)
        self.guard = guard
        self.log: list[tuple[str, str, str]] = []
        self.microsteps = 0
        # Filled once the class exists, read by the engine the constructor
        # makes (it runs the start's macrostep).
        by_record: set[int] = set()
        definition = {
            ROOT: {
                "initial": True,
                "states": self._states(None),
                "enter": [],
                "exit": [],
            }
        }
        machine_class = create_machine_class_from_definition(
            "Oracle",
            states=definition,
            validate_disconnected_states=False,
            validate_trap_states=False,
            validate_final_reachability=False,
            # An exception here is a bug of the harness: let it through
            # rather than turn it into an error.execution event.
            catch_errors_as_events=False,
            _get_engine=lambda machine: _DocumentOrderEngine(machine, by_record),
            history_deep={
                h: self.chart.states[h].history is HistoryDepth.DEEP
                for h in self.chart.states
                if self.chart.is_history(h)
            },
        )
        _fix_document_order(machine_class)
        #: Where each microstep since the last :meth:`take_log` began in the
        #: log, and those of the log it returned last (``taken_microsteps``).
        self.microstep_starts: list[int] = []
        self.taken_microsteps: list[int] = []
        # On the class, so that the start's microsteps are seen too.
        machine_class.on_microstep = staticmethod(self._microstep_begun)
        by_record.update(self._internal_by_record(machine_class))
        self.machine = machine_class()
        self.machine.on_external_event = self._event_taken

        self.next_event: Callable[[], None] | None = None

    def _microstep_begun(self) -> None:
        self.microstep_starts.append(len(self.log))

    def _event_taken(self) -> None:
        if self.next_event is not None:
            self.next_event()

    # -- translation -----------------------------------------------------------

    def _states(self, parent: str | None) -> dict[str, Any]:
        chart = self.chart
        initial = chart.initial_child(parent) if not _parallel(chart, parent) else None
        found: dict[str, Any] = {}
        for name in chart.child_states(parent):
            state = chart.states[name]
            item: dict[str, Any] = {
                "enter": [self._logger("enter", name, a) for a in state.on_enter],
                "exit": [self._logger("exit", name, a) for a in state.on_exit],
                "final": state.is_terminal,
                "parallel": chart.is_parallel(name),
                "initial": initial == name,
            }
            if chart.tree.children[name]:
                item["states"] = self._states(name)
                item["history"] = {
                    h: {
                        "type": chart.states[h].history.value,  # type: ignore[union-attr]
                        "transitions": [{"target": chart.history_default(h)}],
                    }
                    for h in chart.history_children(name)
                }
            transitions = self._transitions(name)
            if transitions:
                item["transitions"] = transitions
            found[name] = item
        return found

    def _transitions(self, name: str) -> list[dict[str, Any]]:
        chart = self.chart
        found: list[dict[str, Any]] = []
        for trigger in chart.triggers(name):
            for transition in chart.transitions(name, trigger):
                found.append(
                    {
                        "event": self.event_name(trigger),
                        "target": transition.target,
                        "internal": _internal(chart, transition),
                        "cond": self._conditions(transition),
                        "on": [
                            self._logger("transition", name, a, count=True)
                            for a in transition.actions
                        ],
                    }
                )
        return found

    def _internal_by_record(self, machine_class: Any) -> set[int]:
        """The library's transitions that :func:`_by_record` picks, by identity.

        Each state's transitions other than its initial one are those
        :meth:`_transitions` gave it, in that order.
        """
        chart = self.chart
        found: set[int] = set()
        pending = list(machine_class.states)
        while pending:
            state = pending.pop()
            pending.extend(state.states)
            if state.id == ROOT:
                continue
            ours = [
                transition
                for trigger in chart.triggers(state.id)
                for transition in chart.transitions(state.id, trigger)
            ]
            theirs = [t for t in state.transitions if not t.initial]
            assert [t.target.id for t in theirs] == [t.target for t in ours], state.id
            pairs = zip(ours, theirs, strict=True)
            found.update(id(their) for mine, their in pairs if _by_record(chart, mine))
        return found

    @staticmethod
    def event_name(trigger: TriggerKey) -> str | None:
        """The oracle's event for ``trigger`` (``None``: eventless)."""
        if trigger is ALWAYS:
            return None
        if isinstance(trigger, Delay):
            return delay_event(trigger)
        assert isinstance(trigger, str)
        return trigger

    def _logger(
        self, phase: str, owner: str, name: str, count: bool = False
    ) -> Callable[..., None]:
        def call(*args: object, **kwargs: object) -> None:
            self.log.append((phase, owner, name))
            if count:
                self.microsteps += 1
                if self.microsteps > RUNAWAY_LIMIT:
                    raise Runaway(name)

        return call

    def _guard(self, name: str, negated: bool = False) -> Callable[..., bool]:
        def call(*args: object, **kwargs: object) -> bool:
            return self.guard(name) is not negated

        return call

    def _conditions(self, transition: ChartTransition) -> list[Callable[..., bool]]:
        """The transition's guards: named ones (maybe negated), and guard
        expressions of ``in_state`` tests."""
        if not transition.guard_items:
            return [self._guard(g) for g in transition.guards]
        found = []
        for item in transition.guard_items:
            if isinstance(item, ExpressionGuard):
                found.append(self._state_test(item.expr))
            else:
                found.append(self._guard(item.name, negated=item.negated))
        return found

    def _state_test(self, expr: Expr) -> Callable[..., bool]:
        """A guard expression of ``in_state`` tests (``not``, ``and``,
        ``or``), asked of the library's active states (SCXML's ``In()``)."""

        def value(node: Expr, active: set[str]) -> bool:
            if isinstance(node, InState):
                return node.state in active
            if isinstance(node, Not):
                return not value(node.operand, active)
            assert isinstance(node, BoolOp), node
            parts = (value(part, active) for part in node.values)
            return any(parts) if node.op is BoolOperator.OR else all(parts)

        def call(*args: object, **kwargs: Any) -> bool:
            # The library passes the machine: ``self.machine`` is not yet
            # set while the constructor runs the start's macrostep, whose
            # always: entries and done.state transitions may ask.
            machine = kwargs.get("machine") or self.machine
            return value(expr, {s.id for s in machine.configuration})

        return call

    # -- running ---------------------------------------------------------------

    def take_log(self) -> list[tuple[str, str, str]]:
        """The actions logged since the last call."""
        found, self.log = self.log, []
        self.taken_microsteps, self.microstep_starts = self.microstep_starts, []
        self.microsteps = 0
        return found

    def send(self, trigger: TriggerKey, taken: Callable[[], None]) -> None:
        """Process one external event (a full macrostep).

        ``taken`` runs when the library takes the event off its queue. The
        library runs eventless transitions again before taking an event;
        W3C ran them at the end of the previous macrostep, with the data
        model as it was then. Guard outcomes in the tests change with the
        event's data, so ``taken`` is where they change.
        """
        event = self.event_name(trigger)
        assert event is not None
        self.next_event = taken
        try:
            self.machine.send(event)
        finally:
            self.next_event = None

    def configuration(self) -> tuple[str, ...]:
        """The active atomic states, in document order."""
        chart = self.chart
        active = [s.id for s in self.machine.configuration if s.id != ROOT]
        return chart.tree.sorted(s for s in active if chart.is_atomic(s))

    def history(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The history record: shallow keeps the child, deep the atomic states."""
        chart = self.chart
        found = []
        for name, states in self.machine.history_values.items():
            ids = [s.id for s in states]
            if chart.states[name].history.value == "deep":  # type: ignore[union-attr]
                ids = [i for i in ids if chart.is_atomic(i)]
            found.append((name, chart.tree.sorted(ids)))
        return tuple(
            (h, v) for h, v in sorted(found, key=lambda e: chart.tree.order[e[0]])
        )


def _internal(chart: Chart, transition: ChartTransition) -> bool:
    """W3C: ``internal`` only matters for a compound source and a target
    inside it; elsewhere the transition is external (the library refuses
    such a transition instead)."""
    source = transition.source
    return (
        transition.internal
        and chart.is_compound(source)
        and chart.tree.is_descendant(transition.target, source)
    )


def _by_record(chart: Chart, transition: ChartTransition) -> bool:
    """Internal, from a compound state, to a history state outside it: W3C
    keeps the source when the history's record (or default) lies inside it,
    which only the run decides (deviation 8)."""
    source = transition.source
    return (
        transition.internal
        and chart.is_compound(source)
        and chart.is_history(transition.target)
        and not chart.tree.is_descendant(transition.target, source)
    )


def _parallel(chart: Chart, name: str | None) -> bool:
    return name is not None and chart.is_parallel(name)
