"""Mode "factored": tables linear in the chart, combined per event.

When the configurations of a machine with parallel regions (or history)
are too many to table one by one, the semantics hand over per-state and
per-transition pieces instead, each decided at build time, and a fixed
combination rule:

* ``offers[atomic][trigger]``: the atomic state's candidates (the same
  :class:`Offer` as in the configuration tables; it does not depend on
  the rest of the configuration);
* ``plans[transition]``: its transition domain and the atomic states it
  enters below the domain (for a history target: per recorded state, via
  ``HistoryPlan``), and its actions;
* ``up[(atomic, stop)]``: the states from an atomic state up to an
  ancestor (exclusive), innermost first, and ``meet[(a, b)]`` the lowest
  common ancestor of two atomic states that can be active together. The
  exit sequence under a domain is then, for the active atomic states
  under it in document order ``a1 … an``, ``up[an, meet(an-1, an)] + … +
  up[a1, domain]``; the entry sequence is the same walk reversed.

Two selected transitions conflict exactly when one's domain contains the
other's (their exit sets are the active descendants of their domains);
the descendant-source rule of SCXML then decides which stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gubernator_gen.backend.statechart import scxml
from gubernator_gen.backend.statechart.chart import (
    Chart,
    ChartTransition,
    TransitionRef,
    TriggerKey,
)
from gubernator_gen.backend.statechart.tables import (
    ActionCall,
    Candidate,
    Microstep,
    Offer,
    Phase,
)
from gubernator_gen.model import HistoryDepth


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    """How a transition into history ``pseudo`` (a child of ``owner``) enters.

    With nothing recorded: ``default_domain`` and ``default_entered``. With
    a record (the active child for shallow history, the active atomic
    states for deep history): the domain is the outermost of
    ``lcca[recorded]`` (or ``internal_domain`` when set), where ``lcca[s]``
    is the domain the record ``s`` alone would give (the source of an
    internal transition from a compound state holding ``s``, else the
    least common compound ancestor of the source and ``s``), and the atomic
    states entered are the recorded ones (deep) or ``descent[recorded]``
    (shallow), plus ``extra[domain]``, the default regions of parallel
    states between ``owner`` and the domain. States are entered up to the
    outer of ``owner`` and the domain (exclusive): W3C enters the record's
    ancestors up to the owner whatever the domain.
    """

    pseudo: str
    owner: str
    deep: bool
    default_domain: str | None
    default_entered: tuple[str, ...]
    internal_domain: str | None
    lcca: Mapping[str, str | None]
    descent: Mapping[str, tuple[str, ...]]
    extra: Mapping[str | None, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class TransitionPlan:
    """One transition as the factored runtime takes it.

    ``domain`` and ``entered`` (atomic states, document order) hold when
    ``history`` is ``None``; otherwise ``history`` decides them.
    """

    ref: TransitionRef
    source: str
    actions: tuple[ActionCall, ...]
    domain: str | None
    entered: tuple[str, ...]
    history: HistoryPlan | None


@dataclass(frozen=True, slots=True)
class FactoredTables:
    """Mode "factored": the pieces and the structure the combination needs.

    ``ancestors[s]`` are ``s``'s proper ancestors, ``depth`` and ``order``
    its depth and document position, ``parents`` its parent; ``on_enter``
    and ``on_exit`` the states' actions; ``histories[s]`` the history
    pseudo-states of ``s`` with whether each is deep; ``finals[s]`` the
    final children of a compound state and ``regions[p]`` the regions of a
    parallel state (for ``done.state`` events); ``queue_bound`` the most
    internal events a macrostep may hold.
    """

    start: Microstep
    offers: Mapping[str, Mapping[TriggerKey, Offer]]
    plans: Mapping[TransitionRef, TransitionPlan]
    up: Mapping[tuple[str, str | None], tuple[str, ...]]
    meet: Mapping[tuple[str, str], str]
    ancestors: Mapping[str, frozenset[str]]
    depth: Mapping[str, int]
    order: Mapping[str, int]
    parents: Mapping[str, str | None]
    on_enter: Mapping[str, tuple[str, ...]]
    on_exit: Mapping[str, tuple[str, ...]]
    histories: Mapping[str, tuple[tuple[str, bool], ...]]
    finals: Mapping[str, frozenset[str]]
    regions: Mapping[str, tuple[str, ...]]
    after: Mapping[str, tuple[int | float, ...]]
    queue_bound: int


def _atomic(chart: Chart, states: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(s for s in states if chart.is_atomic(s))


def _plan(chart: Chart, transition: ChartTransition) -> TransitionPlan:
    actions = tuple(
        ActionCall(Phase.TRANSITION, transition.source, name, transition.ref)
        for name in transition.actions
    )
    history = None
    domain = scxml.domain(chart, transition, {})
    entered = _atomic(chart, scxml.entry_set(chart, (transition,), {}))
    if chart.is_history(transition.target):
        history = _history_plan(chart, transition, domain, entered)
    return TransitionPlan(
        transition.ref, transition.source, actions, domain, entered, history
    )


def _history_plan(
    chart: Chart,
    transition: ChartTransition,
    default_domain: str | None,
    default_entered: tuple[str, ...],
) -> HistoryPlan:
    tree = chart.tree
    pseudo = transition.target
    owner = tree.parents[pseudo]
    assert owner is not None
    deep = chart.states[pseudo].history is HistoryDepth.DEEP
    source = transition.source
    internal_domain = None
    if (
        transition.internal
        and chart.is_compound(source)
        and (owner == source or tree.is_descendant(owner, source))
    ):
        internal_domain = source
    inside = [s for s in chart.states if tree.is_descendant(s, owner)]
    recordable = (
        [s for s in inside if chart.is_atomic(s)] if deep else chart.child_states(owner)
    )
    # getTransitionDomain on the record alone: an internal transition from a
    # compound source keeps the source for a recorded state inside it, even
    # when the history itself lies outside (its parent holds the source).
    keeps = transition.internal and chart.is_compound(source)
    lcca = {
        s: source
        if keeps and tree.is_descendant(s, source)
        else scxml.lcca(chart, (source, s))
        for s in recordable
    }
    descent: dict[str, tuple[str, ...]] = {}
    if not deep:
        for child in recordable:
            entry = scxml.EntrySet(chart, {})
            entry.descendants(child)
            descent[child] = _atomic(chart, tree.sorted(entry.states))
    extra: dict[str | None, tuple[str, ...]] = {}
    for scope in (*tree.ancestors(owner), None):
        entry = scxml.EntrySet(chart, {})
        entry.states.update((owner, *inside))  # the owner's subtree: the record's
        entry.ancestors(owner, scope)
        entered = entry.states.difference(inside)
        extra[scope] = _atomic(chart, tree.sorted(entered))
    extra[owner] = ()
    for scope in inside:
        extra[scope] = ()
    return HistoryPlan(
        pseudo,
        owner,
        deep,
        default_domain,
        default_entered,
        internal_domain,
        MappingProxyType(lcca),
        MappingProxyType(descent),
        MappingProxyType(extra),
    )


def _offers(chart: Chart) -> dict[str, Mapping[TriggerKey, Offer]]:
    offers: dict[str, Mapping[TriggerKey, Offer]] = {}
    for atomic in chart.atomic_states:
        triggers: dict[TriggerKey, None] = {}
        for state in (atomic, *chart.tree.ancestors(atomic)):
            triggers.update(dict.fromkeys(chart.triggers(state)))
        row: dict[TriggerKey, Offer] = {}
        for trigger in triggers:
            candidates = scxml.offer(chart, atomic, trigger)
            row[trigger] = Offer(
                atomic,
                tuple(Candidate(t.ref, t.guards, t.guard_items) for t in candidates),
            )
        offers[atomic] = MappingProxyType(row)
    return offers


def _meet(chart: Chart) -> dict[tuple[str, str], str]:
    """Lowest common ancestors of atomic states in different regions."""
    tree = chart.tree
    meet: dict[tuple[str, str], str] = {}
    for parallel in (s for s in chart.states if chart.is_parallel(s)):
        regions = chart.child_states(parallel)
        inside = {
            r: [a for a in chart.atomic_states if a == r or tree.is_descendant(a, r)]
            for r in regions
        }
        for i, first in enumerate(regions):
            for second in regions[i + 1 :]:
                for a in inside[first]:
                    for b in inside[second]:
                        meet[(a, b)] = parallel
    return meet


def build_factored_tables(chart: Chart, queue_bound: int = 16) -> FactoredTables:
    """Mode "factored" for ``chart`` (sizes linear in the chart, plus the
    pairs of atomic states in different regions)."""
    tree = chart.tree
    up: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for atomic in chart.atomic_states:
        chain = (atomic, *tree.ancestors(atomic))
        for index, stop in enumerate((*chain[1:], None), start=1):
            up[(atomic, stop)] = chain[:index]
    states = chart.states
    return FactoredTables(
        scxml.start_microstep(chart),
        MappingProxyType(_offers(chart)),
        MappingProxyType({ref: _plan(chart, t) for ref, t in chart.by_ref.items()}),
        MappingProxyType(up),
        MappingProxyType(_meet(chart)),
        MappingProxyType({s: frozenset(tree.ancestors(s)) for s in states}),
        MappingProxyType(dict(tree.depths)),
        tree.order,
        tree.parents,
        MappingProxyType({s: st.on_enter for s, st in states.items()}),
        MappingProxyType({s: st.on_exit for s, st in states.items()}),
        MappingProxyType(
            {
                s: tuple(
                    (h, states[h].history is HistoryDepth.DEEP)
                    for h in chart.history_children(s)
                )
                for s in states
                if chart.history_children(s)
            }
        ),
        MappingProxyType(
            {
                s: frozenset(c for c in chart.child_states(s) if chart.is_final(c))
                for s in states
                if chart.is_compound(s)
            }
        ),
        MappingProxyType(
            {s: chart.child_states(s) for s in states if chart.is_parallel(s)}
        ),
        MappingProxyType(
            {
                s: tuple(a.seconds for a in st.after_entries)
                for s, st in states.items()
                if st.after_entries
            }
        ),
        queue_bound,
    )
