"""The W3C SCXML algorithm (the recommendation's appendix), at build time.

Pure functions of a :class:`Chart` and a concrete configuration, written to
follow the appendix's procedures one for one: ``selectTransitions`` (here
:func:`offer`, one atomic state's candidates, the guards being decided by
the caller), ``removeConflictingTransitions`` (:func:`remove_conflicts`),
``getTransitionDomain`` and ``findLCCA`` (:func:`domain`, :func:`lcca`),
``computeExitSet`` (:func:`exit_set`), ``computeEntrySet`` with
``addDescendantStatesToEnter`` and ``addAncestorStatesToEnter``
(:func:`entry_set`), and ``microstep`` with ``exitStates``/``enterStates``
(:func:`microstep`), which records history before exiting and queues
``done.state.<id>`` events while entering.

Two differences from the appendix are deliberate and documented in
``docs/statecharts.md``: a top-level final state completes the machine
without running exit actions (the entity stays in it, as in a flat
machine), and a transition always has exactly one target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from gubernator_gen.backend.statechart.chart import Chart, ChartTransition, TriggerKey
from gubernator_gen.backend.statechart.tables import (
    ActionCall,
    Configuration,
    HistoryEntry,
    Microstep,
    Phase,
)
from gubernator_gen.model import HistoryDepth

#: The history record as a mapping: history state → recorded states.
History = Mapping[str, tuple[str, ...]]

DONE_PREFIX = "done.state."


def done_event(state: str) -> str:
    """The completion event of a compound or parallel state."""
    return DONE_PREFIX + state


def active_states(chart: Chart, atomic: Iterable[str]) -> set[str]:
    """Every active state: the atomic states and all their ancestors."""
    active: set[str] = set()
    for name in atomic:
        active.add(name)
        active.update(chart.tree.ancestors(name))
    return active


def offer(
    chart: Chart, atomic: str, trigger: TriggerKey
) -> tuple[ChartTransition, ...]:
    """``atomic``'s candidates on ``trigger``, in selection priority.

    The atomic state's own transitions in document order, then its
    parent's, and so on outwards; the list ends at the first unguarded one,
    which is always enabled.
    """
    found: list[ChartTransition] = []
    for state in (atomic, *chart.tree.ancestors(atomic)):
        for transition in chart.transitions(state, trigger):
            found.append(transition)
            if not transition.guarded:
                return tuple(found)
    return tuple(found)


def effective_targets(
    chart: Chart, transition: ChartTransition, history: History
) -> tuple[str, ...]:
    """The target, or what a history target stands for (record or default)."""
    target = transition.target
    if not chart.is_history(target):
        return (target,)
    recorded = history.get(target)
    if recorded:
        return recorded
    return (chart.history_default(target),)


def lcca(chart: Chart, states: Sequence[str]) -> str | None:
    """The least common compound ancestor (``None``: the root)."""
    head, *tail = states
    for ancestor in chart.tree.ancestors(head):
        if chart.is_compound(ancestor) and all(
            chart.tree.is_descendant(s, ancestor) for s in tail
        ):
            return ancestor
    return None


def domain(chart: Chart, transition: ChartTransition, history: History) -> str | None:
    """The transition domain: every state exited or entered lies strictly inside."""
    targets = effective_targets(chart, transition, history)
    source = transition.source
    if (
        transition.internal
        and chart.is_compound(source)
        and all(chart.tree.is_descendant(s, source) for s in targets)
    ):
        return source
    return lcca(chart, (source, *targets))


def exit_set(
    chart: Chart,
    transitions: Iterable[ChartTransition],
    active: set[str],
    history: History,
) -> tuple[str, ...]:
    """The states the transitions exit, in exit order (reverse document order)."""
    exited: set[str] = set()
    for transition in transitions:
        scope = domain(chart, transition, history)
        exited.update(s for s in active if chart.tree.is_descendant(s, scope))
    return tuple(reversed(chart.tree.sorted(exited)))


def remove_conflicts(
    chart: Chart,
    selected: Iterable[ChartTransition],
    active: set[str],
    history: History,
) -> tuple[ChartTransition, ...]:
    """``removeConflictingTransitions``: selection order, duplicates dropped.

    A transition whose exit set meets an earlier kept one's is dropped,
    unless its source is a descendant of that one's source, which it then
    replaces.
    """
    kept: list[ChartTransition] = []
    for first in dict.fromkeys(selected):
        exits = set(exit_set(chart, (first,), active, history))
        replaced: list[ChartTransition] = []
        preempted = False
        for other in kept:
            if exits & set(exit_set(chart, (other,), active, history)):
                if chart.tree.is_descendant(first.source, other.source):
                    replaced.append(other)
                else:
                    preempted = True
                    break
        if not preempted:
            kept = [t for t in kept if t not in replaced]
            kept.append(first)
    return tuple(kept)


class EntrySet:
    """``addDescendantStatesToEnter`` and ``addAncestorStatesToEnter``."""

    def __init__(self, chart: Chart, history: History) -> None:
        self.chart = chart
        self.history = history
        self.states: set[str] = set()

    def _has_descendant(self, state: str) -> bool:
        tree = self.chart.tree
        return any(tree.is_descendant(s, state) for s in self.states)

    def descendants(self, state: str) -> None:
        chart = self.chart
        if chart.is_history(state):
            parent = chart.tree.parents[state]
            recorded = self.history.get(state)
            targets = recorded if recorded else (chart.history_default(state),)
            for target in targets:
                self.descendants(target)
            for target in targets:
                self.ancestors(target, parent)
            return
        self.states.add(state)
        if chart.is_compound(state):
            initial = chart.initial_child(state)
            self.descendants(initial)
            self.ancestors(initial, state)
        elif chart.is_parallel(state):
            for child in chart.child_states(state):
                if not self._has_descendant(child):
                    self.descendants(child)

    def ancestors(self, state: str, upto: str | None) -> None:
        chart = self.chart
        for ancestor in chart.tree.ancestors(state, upto):
            self.states.add(ancestor)
            if chart.is_parallel(ancestor):
                for child in chart.child_states(ancestor):
                    if not self._has_descendant(child):
                        self.descendants(child)


def entry_set(
    chart: Chart, transitions: Iterable[ChartTransition], history: History
) -> tuple[str, ...]:
    """``computeEntrySet``: the states entered, in entry (document) order."""
    entry = EntrySet(chart, history)
    for transition in transitions:
        entry.descendants(transition.target)
        scope = domain(chart, transition, history)
        for target in effective_targets(chart, transition, history):
            entry.ancestors(target, scope)
    return chart.tree.sorted(entry.states)


def initial_entry_set(chart: Chart) -> tuple[str, ...]:
    """The states entered when the machine starts, in entry order."""
    entry = EntrySet(chart, {})
    initial = chart.initial_child(None)
    entry.descendants(initial)
    entry.ancestors(initial, None)
    return chart.tree.sorted(entry.states)


def in_final_state(chart: Chart, state: str, active: set[str]) -> bool:
    """``isInFinalState``: a compound state resting in a final child, or a
    parallel state all of whose regions do."""
    if chart.is_compound(state):
        return any(chart.is_final(c) and c in active for c in chart.child_states(state))
    if chart.is_parallel(state):
        return all(in_final_state(chart, c, active) for c in chart.child_states(state))
    return False


def record_history(
    chart: Chart, exited: Iterable[str], atomic: Sequence[str], active: set[str]
) -> tuple[HistoryEntry, ...]:
    """The records ``exitStates`` makes for the history children of ``exited``."""
    records: list[HistoryEntry] = []
    tree = chart.tree
    for state in exited:
        for pseudo in chart.history_children(state):
            if chart.states[pseudo].history is HistoryDepth.DEEP:
                value = tuple(a for a in atomic if tree.is_descendant(a, state))
            else:
                value = tuple(c for c in chart.child_states(state) if c in active)
            records.append((pseudo, value))
    return tuple(records)


def merge_history(
    chart: Chart, old: Iterable[HistoryEntry], new: Iterable[HistoryEntry]
) -> tuple[HistoryEntry, ...]:
    """``old`` updated with ``new``, in the document order of the history states."""
    merged = dict(old)
    merged.update(new)
    return tuple((h, merged[h]) for h in chart.tree.sorted(merged))


def microstep(
    chart: Chart,
    config: Configuration,
    trigger: TriggerKey | None,
    transitions: Sequence[ChartTransition],
) -> Microstep:
    """Take ``transitions`` (already free of conflicts) from ``config``."""
    active = active_states(chart, config.atomic)
    old_history = config.recorded
    exited = exit_set(chart, transitions, active, old_history)
    records = record_history(chart, exited, config.atomic, active)
    history = merge_history(chart, config.history, records)
    entered = entry_set(chart, transitions, dict(history))
    actions = [
        ActionCall(Phase.EXIT, s, name)
        for s in exited
        for name in chart.states[s].on_exit
    ]
    actions.extend(
        ActionCall(Phase.TRANSITION, t.source, name, t.ref)
        for t in transitions
        for name in t.actions
    )
    current = active - set(exited)
    raised = _enter(chart, entered, current, actions)
    atomic = chart.tree.sorted(s for s in current if chart.is_atomic(s))
    return Microstep(
        trigger,
        tuple(t.ref for t in transitions),
        exited,
        entered,
        tuple(actions),
        records,
        raised,
        Configuration(atomic, history),
    )


def start_microstep(chart: Chart) -> Microstep:
    """The microstep that enters the initial configuration from no state."""
    entered = initial_entry_set(chart)
    actions: list[ActionCall] = []
    current: set[str] = set()
    raised = _enter(chart, entered, current, actions)
    atomic = chart.tree.sorted(s for s in current if chart.is_atomic(s))
    return Microstep(
        None, (), (), entered, tuple(actions), (), raised, Configuration(atomic)
    )


def _enter(
    chart: Chart, entered: Sequence[str], current: set[str], actions: list[ActionCall]
) -> tuple[str, ...]:
    """``enterStates``: entry actions into ``actions``, ``current`` updated;
    returns the ``done.state`` events raised, in order."""
    raised: list[str] = []
    tree = chart.tree
    for state in entered:
        current.add(state)
        actions.extend(
            ActionCall(Phase.ENTER, state, name)
            for name in chart.states[state].on_enter
        )
        parent = tree.parents[state]
        if not chart.is_final(state) or parent is None:
            continue  # a top-level final state completes the machine
        raised.append(done_event(parent))
        grandparent = tree.parents[parent]
        if (
            grandparent is not None
            and chart.is_parallel(grandparent)
            and all(
                in_final_state(chart, child, current)
                for child in chart.child_states(grandparent)
            )
        ):
            raised.append(done_event(grandparent))
    return tuple(raised)
