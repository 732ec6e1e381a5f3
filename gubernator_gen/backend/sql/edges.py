"""The legal state changes of a machine: one ``(source, trigger, dest)`` list.

Everything that may move a stored entity from one state to another is an
edge: each transition from each of its sources, each state's timeout
(trigger ``_timeout``, as ``check_timeout`` reports it) and, when the spec
has an ``error_policy.default_fallback``, the fallback that the action
executor proposes out of any state it just entered (trigger ``_fallback``).

:func:`legal_edges` is the one place that knows this. Each kind of edge is
one function of the model in :data:`EDGE_KINDS`; a statechart's edges
(transitions and ``after:`` entries, between atomic states) come from the
decisions its module makes (:func:`chart_edges`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gubernator_gen.backend import (
    chart_decisions,
    chart_delays,
    chart_module,
    chart_resumes,
)
from gubernator_gen.backend.decisions import (
    FALLBACK_TRIGGER,
    TIMEOUT_TRIGGER,
    Outcome,
    RegionsCell,
)
from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class Edge:
    """One legal change of the stored state: ``source`` to ``dest`` by ``trigger``."""

    source: str
    trigger: str
    dest: str


def transition_edges(spec: MachineSpec) -> Iterator[Edge]:
    """An edge per transition and source, in spec order.

    Guards do not matter here: the database cannot evaluate them, and a
    guarded transition is still a legal change when its guards pass.
    """
    for transition in spec.transitions:
        for source in transition.sources:
            yield Edge(source, transition.trigger, transition.dest)


def timeout_edges(spec: MachineSpec) -> Iterator[Edge]:
    """An edge per state with a timeout, in state order."""
    for state in spec.states:
        if state.timeout is not None:
            yield Edge(state.name, TIMEOUT_TRIGGER, state.timeout.destination)


def fallback_edges(spec: MachineSpec) -> Iterator[Edge]:
    """An edge from every other state to ``error_policy.default_fallback``.

    The executor proposes the fallback out of whatever state the failing
    result entered, terminal states included, so every state gets one. The
    fallback state itself gets none: the executor never proposes it again
    (and an update that keeps the state is always allowed anyway).
    """
    fallback = spec.error_policy.default_fallback
    if fallback is None:
        return
    for state in spec.states:
        if state.name != fallback:
            yield Edge(state.name, FALLBACK_TRIGGER, fallback)


#: Every kind of edge, in the order their edges are listed.
EDGE_KINDS: tuple[Callable[[MachineSpec], Iterator[Edge]], ...] = (
    transition_edges,
    timeout_edges,
    fallback_edges,
)


def legal_edges(spec: MachineSpec) -> tuple[Edge, ...]:
    """Every legal edge of ``spec``, each once, in a fixed order.

    The order is that of :data:`EDGE_KINDS`, then spec order within a
    kind; an edge found twice (two guarded transitions between the same
    states on the same trigger) is kept where it first appears. A
    statechart's edges join atomic states (see :func:`chart_edges`).
    """
    if spec.is_statechart:
        return chart_edges(spec)
    found: dict[Edge, None] = {}
    for kind in EDGE_KINDS:
        found.update(dict.fromkeys(kind(spec)))
    return tuple(found)


def chart_edges(spec: MachineSpec) -> tuple[Edge, ...]:
    """A statechart's edges between the atomic states the application
    stores: for each atomic state's cell, each candidate's move (exit and
    entry sets, initial descents and folded eventless steps included), as
    the generated module decides them. Only for a chart that
    :func:`stored_states` accepts (keyed by state)."""
    compiled = chart_module.compile_for_module(spec)
    assert isinstance(compiled.module, chart_module.ChartModule), (
        "generate_sql refuses it first (a factored chart stores configurations)"
    )
    functions = chart_decisions.compiled_functions(spec, compiled.module)
    rows = chart_decisions.decision_table(spec, compiled.module, functions)
    table = chart_resumes.resume_table(spec, compiled.module, functions)
    reached = {} if table is None else _reached(table)
    found: dict[Edge, None] = {}

    def add(state: str, trigger: str, outcome: Outcome) -> None:
        if outcome.resume is None:
            found.setdefault(Edge(state, trigger, outcome.target))
            return
        targets, stays = reached.get(outcome.resume, ((), False))
        if stays:
            found.setdefault(Edge(state, trigger, outcome.target))
        for target in targets:
            found.setdefault(Edge(state, trigger, target))

    for row in rows:
        for cell in row.cells:
            if isinstance(cell, RegionsCell):
                continue  # only on configurations, which generate_sql refuses
            for candidate in cell.candidates:
                add(row.state, cell.trigger, candidate.outcome)
    # The after: entries, as check_timeout reports them (trigger _timeout).
    timed: set[str] = set()
    for delays in chart_delays.delay_table(spec, compiled.module, functions):
        timed.add(delays.state)
        for entry in delays.cells:
            for candidate in entry.cell.candidates:
                add(delays.state, TIMEOUT_TRIGGER, candidate.outcome)
    # Guarded eventless transitions are asked after any event of the
    # machine, even one the state has no transition for (or a due after:
    # entry whose guards refuse).
    for state, _, number in () if table is None else table.idle:
        triggers = (*spec.triggers, *([TIMEOUT_TRIGGER] if state in timed else ()))
        for trigger in triggers:
            for target in reached[number][0]:
                found.setdefault(Edge(state, trigger, target))
    return tuple(found)


def _reached(
    table: chart_resumes.ResumeTable,
) -> dict[int, tuple[tuple[str, ...], bool]]:
    """Per resume cell, the states a call may end in once it gets there,
    and whether it may end where it was (the cell refuses)."""
    cells = dict(table.cells)
    outcomes: dict[int, tuple[Outcome, ...]] = {}
    stays: dict[int, bool] = {}
    for number, cell in cells.items():
        if isinstance(cell, RegionsCell):
            outcomes[number] = tuple(outcome for _, outcome in cell.steps)
            stays[number] = all(offer[-1] for offer in cell.offers) and not any(
                all(i == -1 for i in choice) for choice, _ in cell.steps
            )
        else:
            outcomes[number] = tuple(c.outcome for c in cell.candidates)
            stays[number] = bool(cell.candidates[-1].guards)
    ends: dict[int, set[str]] = {number: set() for number in cells}
    changed = True
    while changed:  # loops among resume cells: a fixed point
        changed = False
        for number, found in ends.items():
            before = len(found)
            for outcome in outcomes[number]:
                if outcome.resume is None:
                    found.add(outcome.target)
                elif outcome.resume in ends:  # OVERFLOW ends nowhere: it raises
                    follow = outcome.resume
                    found.update(ends[follow])
                    if stays[follow]:
                        found.add(outcome.target)
            changed = changed or len(found) != before
    return {n: (tuple(sorted(ends[n])), stays[n]) for n in cells}


def stored_states(spec: MachineSpec) -> tuple[str, ...]:
    """The states a stored entity may be in: every state of a flat machine,
    the atomic states of a statechart (never a compound or history one)."""
    if not spec.is_statechart:
        return tuple(state.name for state in spec.states)
    return tuple(s.name for s in spec.states if not s.children and not s.is_history)
