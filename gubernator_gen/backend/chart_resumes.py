"""The resume cells of a statechart module (``_RESUMES``, runtime API 2.5).

Unguarded eventless and ``done.state`` microsteps are folded into each
prebuilt result. Where a guard must be asked inside the macrostep, the
build-time tables stop the step at a :class:`Resume` key and decide what
follows in a *resume cell*, whose steps continue the same way. A module
that has such steps (``ChartModule.resume_keys`` is not ``None``) emits
every resume cell, numbered in the order the tables list them, in the
forms of the decision table:

* one offer: a ``Guarded`` cell of its candidates in priority order (a
  prebuilt result when the first is unguarded). When every candidate may
  decline and the cell's ``otherwise`` still does something (an internal
  event dropped, then more of the macrostep), that step is one more,
  unguarded, candidate; when ``otherwise`` does nothing the cell refuses,
  which ends the call where the previous step rested;
* several offers (parallel regions): one result when every region's choice
  is known, else a ``Regions`` cell, ``otherwise`` being the combination
  in which every offer declined.

A result's ``context_updates`` are the ``assign`` of every microstep of its
step (:mod:`.chart_assign`); a ``Regions`` cell with such results asks its
guards in the runtime's general form (API 2.7).

Each result names its own continuation (``resume=``), and the states with
``after:`` entries it exits (``cancelled=``) so the runtime can keep the
deadlines of the whole call. ``idle`` maps each key with eventless
transitions to the resume cell W3C evaluates after an event that enabled
nothing, and ``bound`` is the tables' ``eventless_bound``.

A chart that uses ``in_state`` has its resume cells folded for their
configurations (:mod:`.chart_folding`): each candidate is guarded as its
resume's configuration sees it, and a cell with no candidate left is its
``otherwise`` step alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from gubernator_gen.backend import (
    chart_assign,
    chart_folding,
    chart_regions,
    decisions,
)
from gubernator_gen.backend.chart_decisions import step_outcome
from gubernator_gen.backend.chart_keys import transition_of
from gubernator_gen.backend.chart_module import ChartModule
from gubernator_gen.backend.chart_refusals import settled
from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.backend.statechart.chart import TransitionRef
from gubernator_gen.backend.statechart.tables import (
    Cell,
    Configuration,
    Resume,
    ResumePhase,
    Step,
)
from gubernator_gen.model import MachineSpec, PlainData, Transition

ModuleCell = decisions.Cell | decisions.RegionsCell


@dataclass(frozen=True, slots=True)
class ResumeTable:
    """``_RESUMES``: each resume cell by its key, the ``idle`` decision of
    each key that has one (its row key as in
    :class:`~gubernator_gen.backend.decisions.Row`: the state, and the
    configuration's index on configurations), and the bound."""

    cells: tuple[tuple[int, ModuleCell], ...]
    idle: tuple[tuple[str, int | None, int], ...]
    bound: int

    @property
    def row(self) -> decisions.Row:
        """The cells as a decision row, to find their decider shapes."""
        return decisions.Row("", tuple(cell for _, cell in self.cells), ())


def resume_table(
    spec: MachineSpec, module: ChartModule, compiled: CompiledFunctions
) -> ResumeTable | None:
    """The module's resume cells; ``None`` when no step continues."""
    keys = module.resume_keys
    if keys is None:
        return None
    tables = module.tables
    index = {key: i for i, key in enumerate(module.configurations)}
    cells = tuple(
        (number, _cell(spec, resume, tables.resumes[resume], compiled, index, keys))
        for resume, number in keys.items()
    )
    idle = tuple(
        (key.atomic[0], index.get(key), keys[resume])
        for key, resume in tables.idle.items()
        if key in tables.cells
    )
    return ResumeTable(cells, idle, tables.eventless_bound)


def _trigger(resume: Resume) -> str:
    """What a resume cell's results name as their trigger: the internal
    event it decides, or the runtime's eventless trigger."""
    if resume.phase is ResumePhase.INTERNAL:
        return resume.queue[0]
    return decisions.EVENTLESS_TRIGGER


def _does_something(step: Step) -> bool:
    return bool(step.microsteps) or step.resume is not None or step.overflow


def _described(spec: MachineSpec, step: Step) -> Mapping[str, PlainData]:
    """The metadata of a step's result: its first transition's description."""
    for micro in step.microsteps:
        for ref in micro.transitions:
            return {decisions.DESCRIPTION_KEY: transition_of(spec, ref).description}
    return {decisions.DESCRIPTION_KEY: ""}


def _cell(
    spec: MachineSpec,
    resume: Resume,
    cell: Cell,
    compiled: CompiledFunctions,
    index: Mapping[Configuration, int],
    keys: Mapping[Resume, int],
) -> ModuleCell:
    source = resume.configuration.atomic[0]
    trigger = _trigger(resume)

    def outcome(step: Step) -> decisions.Outcome:
        return step_outcome(
            source, trigger, step, _described(spec, step), index, False, keys, True
        )

    otherwise = cell.otherwise
    if otherwise is not None and not _does_something(otherwise):
        otherwise = None
    active = (
        chart_folding.active_states(spec, resume.configuration)
        if chart_folding.reads_states(spec)
        else None
    )

    def effect(step: Step, whole: bool) -> str | None:
        return _effect(spec, compiled, active, step, whole)

    if not cell.offers:
        # Folded away: only the step after every offer declined is left
        # (folding leaves out a cell for which even that does nothing).
        assert otherwise is not None
        return decisions.Cell(
            trigger, (_otherwise(outcome(otherwise), effect, otherwise),)
        )
    linear = cell.linear
    if linear is None and settled(spec, cell):
        step = cell.steps[(0,) * len(cell.offers)]
        linear = ((cell.offers[0].candidates[0], step),)
        otherwise = None  # every offer takes its unguarded first candidate
    if linear is None:
        steps = [(choice, step) for choice, step in cell.steps.items()]
        if otherwise is not None:
            steps.append(((-1,) * len(cell.offers), otherwise))
        named = ((choice, effect(step, choice[0] == -1)) for choice, step in steps)
        effects = tuple((c, name) for c, name in named if name is not None)
        results = tuple((choice, outcome(step)) for choice, step in steps)
        return _regions(spec, cell, trigger, results, effects, compiled, active)
    candidates = [
        decisions.with_outcome(
            chart_assign.with_step_effect(
                decisions.guarding(_seen(spec, candidate.transition, active), compiled),
                spec,
                step,
                compiled,
                active,
            ),
            outcome(step),
        )
        for candidate, step in linear
    ]
    if otherwise is not None and candidates[-1].guards:
        candidates.append(_otherwise(outcome(otherwise), effect, otherwise))
    return decisions.Cell(trigger, tuple(candidates))


def _seen(
    spec: MachineSpec, ref: TransitionRef, active: Collection[str] | None
) -> Transition:
    """The transition of a candidate as the resume's configuration sees it
    (its ``in_state`` tests decided, when the chart has any)."""
    transition = transition_of(spec, ref)
    if active is None:
        return transition
    return chart_folding.seen_from(transition, active)


def _otherwise(
    outcome: decisions.Outcome,
    effect: Callable[[Step, bool], str | None],
    step: Step,
) -> decisions.Candidate:
    """The unguarded candidate of the step taken when every offer declines."""
    name = effect(step, True)
    return decisions.Candidate(
        guards=(),
        outcome=outcome,
        guard_forms=(),
        result_form=(
            decisions.ResultForm.COMPUTED if name else decisions.ResultForm.PREBUILT
        ),
        effect=name,
    )


def _effect(
    spec: MachineSpec,
    compiled: CompiledFunctions,
    active: Collection[str] | None,
    step: Step,
    whole: bool,
) -> str | None:
    """The function computing the step's updates, if any (``whole``: even
    from its first microstep alone, which no candidate's transition
    carries)."""
    if not (whole or chart_assign.assigns_later(spec, step)):
        return None
    assign = chart_assign.step_assign(spec, step, active)
    return compiled.effect_name(assign) if assign else None


def _regions(
    spec: MachineSpec,
    cell: Cell,
    trigger: str,
    results: tuple[tuple[tuple[int, ...], decisions.Outcome], ...],
    effects: tuple[tuple[tuple[int, ...], str], ...],
    compiled: CompiledFunctions,
    active: Collection[str] | None,
) -> decisions.RegionsCell:
    """A resume cell several regions decide: the plain form (guards named
    by their labels) unless some result is computed, which the runtime's
    general form (API 2.7) runs, calling the guards by position."""
    if not effects:
        labels = tuple(tuple(c.guards for c in o.candidates) for o in cell.offers)
        return decisions.RegionsCell(trigger, labels, results)
    data = chart_regions.guard_data(spec, cell, compiled, active)
    return decisions.RegionsCell(
        trigger,
        data.offers,
        results,
        calls=data.calls,
        arguments=data.arguments,
        negated=data.negated,
        effects=effects,
    )
