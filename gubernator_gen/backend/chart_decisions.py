"""The decision table of a statechart, from the build-time SCXML tables.

A spec with compound states is compiled by
:func:`gubernator_gen.backend.statechart.compile_chart`; when it has neither
parallel states nor history the tables are keyed by atomic state, and
every cell has one offer: the atomic state's candidates from the state
outwards, each with the complete step its choice takes. This module turns
those cells into the same :class:`~gubernator_gen.backend.decisions.Row` and
:class:`~gubernator_gen.backend.decisions.Cell` values a flat machine has, so
``process`` on an atomic state is the flat lookup and call.

A step's actions keep SCXML's order in the result: the first microstep's
exit actions (innermost first) are ``on_exit_actions``, its transition's
actions ``actions_to_execute``, and its entry actions (outermost first)
followed by every action of the eventless and ``done.state`` microsteps
folded in after it are ``on_enter_actions``; ``all_actions`` is the exact
order. ``target_state`` is the atomic state the step rests in.

What is not compiled yet is refused here with one located error (see
:func:`compile_for_module`): parallel states, history, ``after:``,
timeouts of statechart states, guarded eventless transitions and guarded
transitions on ``done.state`` events, which would need run-time decisions
inside a step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.backend import decisions
from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.backend.statechart import ChartProblem, compile_chart
from gubernator_gen.backend.statechart.chart import Origin, TransitionRef
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import Phase, Step
from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.model import MachineSpec, PlainData


@dataclass(frozen=True, slots=True)
class ChartModule:
    """What the module of a statechart needs beyond a flat one's plan.

    ``tables`` are the build-time tables (keyed by atomic state);
    ``initial`` is the atomic state ``start()`` rests in; ``terminal`` the
    top-level terminal states (a nested one is a final child, which its
    parent's transitions still leave); ``parents`` each nested state with
    its parent, in document order.
    """

    tables: ConfigurationTables
    initial: str
    terminal: tuple[str, ...]
    parents: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ChartCompilation:
    """The result of :func:`compile_for_module`: a module or one error."""

    module: ChartModule | None
    diagnostics: tuple[Diagnostic, ...]


def compile_for_module(spec: MachineSpec) -> ChartCompilation:
    """Compile ``spec``'s statechart for a generated module, or refuse it.

    At most one diagnostic: the first construct (in document order) that
    is not compiled yet, or the unguarded eventless loop the chart has.
    """
    refusal = _first_unsupported(spec)
    if refusal is not None:
        return ChartCompilation(None, (refusal,))
    try:
        tables = compile_chart(spec)
    except ChartProblem as problem:
        pos = _position(spec, problem.problem.transitions[0])
        message = (
            f"{problem.problem.message}: an eventless or done.state transition "
            "on the loop needs a guard, or another target"
        )
        return ChartCompilation(
            None, (error(backend_codes.EVENTLESS_LOOP, message, pos),)
        )
    if not isinstance(tables, ConfigurationTables) or not tables.keyed_by_state:
        # Unreachable: without parallel states and history the table is
        # keyed by state; said plainly rather than compiled wrongly.
        return ChartCompilation(None, (_not_yet(spec.pos, "this statechart"),))
    late = _run_time_decision(spec, tables)
    if late is not None:
        return ChartCompilation(None, (late,))
    tree = spec.tree
    module = ChartModule(
        tables=tables,
        initial=tables.start.target.atomic[0],
        terminal=tuple(
            s.name for s in spec.states if s.is_terminal and s.parent is None
        ),
        parents=tuple(
            (s.name, s.parent)
            for s in spec.states
            if s.parent is not None and tree.parents[s.name] is not None
        ),
    )
    return ChartCompilation(module, ())


def _not_yet(pos: SourcePos, what: str) -> Diagnostic:
    return error(
        backend_codes.STATECHART_NOT_COMPILED,
        f"{what}: not compiled yet by this gubernator-gen (compound states "
        "without history are)",
        pos,
    )


def _first_unsupported(spec: MachineSpec) -> Diagnostic | None:
    """The first construct the generated modules cannot run yet."""
    for state in spec.states:
        name = repr(state.name)
        if state.parallel:
            return _not_yet(state.pos, f"parallel state {name}")
        if state.is_history:
            return _not_yet(state.pos, f"history state {name}")
        if state.timeout is not None:
            return _not_yet(
                state.timeout.pos, f"the timeout of statechart state {name}"
            )
        for delayed in state.after:
            return _not_yet(delayed.pos, f"the after: transitions of state {name}")
        for always in state.always:
            if always.guards:
                return _not_yet(
                    always.pos, f"guarded always: transitions (state {name})"
                )
    return None


def _position(spec: MachineSpec, ref: TransitionRef) -> SourcePos:
    """Where the statechart transition ``ref`` is written."""
    if ref.origin is Origin.EVENT:
        return spec.transitions[ref.index].pos
    state = spec.state(ref.source)
    if ref.origin is Origin.ALWAYS:
        return state.always[ref.index].pos
    return state.after[ref.index].pos


def _steps(tables: ConfigurationTables) -> Iterator[Step]:
    yield tables.start
    for row in tables.cells.values():
        for cell in row.values():
            yield from cell.steps.values()


def _run_time_decision(
    spec: MachineSpec, tables: ConfigurationTables
) -> Diagnostic | None:
    """A guard that must be asked inside a step: not compiled yet."""
    for resume in tables.resumes.values():
        for offer in resume.offers:
            for candidate in offer.candidates:
                if candidate.guarded:
                    return _not_yet(
                        _position(spec, candidate.transition),
                        "a guarded transition taken on a done.state event raised "
                        "inside a step",
                    )
    for step in _steps(tables):
        if step.overflow:
            return _not_yet(
                spec.pos, "done.state events raised without end in one step"
            )
    return None


# -- the decision table ---------------------------------------------------------


def _outcome(
    source: str, trigger: str, step: Step, metadata: Mapping[str, PlainData]
) -> decisions.Outcome:
    first, *rest = step.microsteps
    return decisions.Outcome(
        source=source,
        target=step.target.atomic[0],
        trigger=trigger,
        actions=tuple(a.name for a in first.actions if a.phase is Phase.TRANSITION),
        on_exit=tuple(a.name for a in first.actions if a.phase is Phase.EXIT),
        on_enter=(
            *(a.name for a in first.actions if a.phase is Phase.ENTER),
            *(a.name for micro in rest for a in micro.actions),
        ),
        metadata=metadata,
    )


def decision_table(
    spec: MachineSpec, module: ChartModule, compiled: CompiledFunctions
) -> tuple[decisions.Row, ...]:
    """Every atomic state's row, in document order (compound states have
    none: ``process`` refuses them). Cells keep the flat table's form."""
    order = {trigger: i for i, trigger in enumerate(spec.triggers)}
    guarding: dict[int, decisions.Candidate] = {}
    rows = []
    for key, row in module.tables.cells.items():
        atomic = key.atomic[0]
        cells = []
        leaving: set[int] = set()
        for trigger in sorted(
            (t for t in row if isinstance(t, str)), key=order.__getitem__
        ):
            linear = row[trigger].linear
            assert linear is not None, "a machine keyed by state has one offer"
            candidates = []
            for candidate, step in linear:
                index = candidate.transition.index
                leaving.add(index)
                transition = spec.transitions[index]
                if index not in guarding:
                    guarding[index] = decisions.guarding(transition, compiled)
                described = {decisions.DESCRIPTION_KEY: transition.description}
                outcome = _outcome(atomic, trigger, step, described)
                candidates.append(decisions.with_outcome(guarding[index], outcome))
            cells.append(decisions.Cell(trigger, tuple(candidates)))
        rows.append(decisions.Row(atomic, tuple(cells), tuple(sorted(leaving))))
    by_order = spec.tree.order
    return tuple(sorted(rows, key=lambda r: by_order[r.state]))


def start(module: ChartModule) -> decisions.Start:
    """``start()``: the initial leaf, every action on the way in order."""
    step = module.tables.start
    return decisions.Start(step.target.atomic[0], tuple(a.name for a in step.actions))
