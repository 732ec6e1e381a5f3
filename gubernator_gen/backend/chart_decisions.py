"""The decision table of a statechart, from the build-time SCXML tables.

When a chart (compiled by :mod:`.chart_module`) has neither parallel states
nor history the tables are keyed by atomic state, and every cell has one
offer: the atomic state's candidates from the state outwards, each with the
complete step its choice takes. This module turns those cells into the
same :class:`~gubernator_gen.backend.decisions.Row` and
:class:`~gubernator_gen.backend.decisions.Cell` values a flat machine has,
so ``process`` on an atomic state is the flat lookup and call; keyed by
configuration, each configuration is a row.

A step's actions keep SCXML's order in the result (:func:`step_outcome`): the
first microstep's exit actions (innermost first) are ``on_exit_actions``,
its transition's actions ``actions_to_execute``, and its entry actions
(outermost first) followed by every action of the eventless and
``done.state`` microsteps folded in after it are ``on_enter_actions``;
``all_actions`` is the exact order. ``target_state`` is the atomic state
the step rests in; every result carries the deadlines its step starts, and
its ``context_updates`` are the ``assign`` of every microstep
(:mod:`.chart_assign`).

A step that ends at a guarded decision inside the macrostep (a guarded
``always:`` or ``done.state`` transition) names the resume cell that
continues it (:mod:`.chart_keys`); :mod:`.chart_resumes` emits those cells.
Several regions answering one event make a ``Regions`` cell
(:mod:`.chart_regions`); the ``after:`` entries are a table of their own
(:mod:`.chart_delays`), and ``error_policy.default_fallback`` one more of
prebuilt moves (:func:`fallback_table`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend import (
    chart_assign,
    chart_folding,
    chart_regions,
    decisions,
)
from gubernator_gen.backend.chart_keys import resume_key
from gubernator_gen.backend.chart_module import ChartModule
from gubernator_gen.backend.compiled import CompiledFunctions, Effect
from gubernator_gen.backend.statechart.tables import (
    Candidate,
    Cell,
    Configuration,
    Phase,
    Resume,
    Step,
)
from gubernator_gen.model import ExpressionGuard, MachineSpec, PlainData


def step_deadlines(step: Step) -> tuple[tuple[str, int | float], ...]:
    """Each state whose ``after:`` entries the step starts, with the seconds
    of its earliest entry, in entry order."""
    earliest: dict[str, int | float] = {}
    for deadline in step.deadlines:
        state = deadline.trigger.state
        known = earliest.get(state)
        if known is None or deadline.seconds < known:
            earliest[state] = deadline.seconds
    return tuple(earliest.items())


def step_outcome(
    source: str,
    trigger: str,
    step: Step,
    metadata: Mapping[str, PlainData],
    index: Mapping[Configuration, int],
    timed: bool = False,
    resumes: Mapping[Resume, int] | None = None,
    continued: bool = False,
) -> decisions.Outcome:
    """A step's result. ``resumes`` numbers the resume cells when the module
    follows them: the result then names its step's continuation. A resume
    cell's step (``continued``) may have no microstep, and carries the
    deadlines it cancels."""
    first, *rest = step.microsteps or (None,)
    actions = () if first is None else first.actions
    return decisions.Outcome(
        source=source,
        target=step.target.atomic[0],
        trigger=trigger,
        actions=tuple(a.name for a in actions if a.phase is Phase.TRANSITION),
        on_exit=tuple(a.name for a in actions if a.phase is Phase.EXIT),
        on_enter=(
            *(a.name for a in actions if a.phase is Phase.ENTER),
            *(a.name for micro in rest if micro is not None for a in micro.actions),
        ),
        metadata=metadata,
        configuration=index.get(step.target),
        deadlines=step_deadlines(step),
        timed=timed,
        resume=resume_key(step, resumes),
        cancelled=step.cancelled if continued else (),
    )


def decision_table(
    spec: MachineSpec, module: ChartModule, compiled: CompiledFunctions
) -> tuple[decisions.Row, ...]:
    """Every key's row: each atomic state in document order (compound states
    have none: ``process`` refuses them), or each configuration in the
    module's order. Cells keep the flat table's form."""
    order = {trigger: i for i, trigger in enumerate(spec.triggers)}
    index = {key: i for i, key in enumerate(module.configurations)}
    resumes = module.resume_keys
    folding = chart_folding.reads_states(spec)
    active: frozenset[str] = frozenset()
    guarding: dict[int, decisions.Candidate] = {}
    rows = []
    for key, row in module.tables.cells.items():
        atomic = key.atomic[0]
        if folding:  # each key sees its own in_state tests decided
            guarding = {}
            active = chart_folding.active_states(spec, key)
        cells: list[decisions.Cell | decisions.RegionsCell] = []
        leaving: set[int] = set()
        for trigger in sorted(
            (t for t in row if isinstance(t, str)), key=order.__getitem__
        ):
            candidates = []
            for offer in row[trigger].offers:
                leaving.update(c.transition.index for c in offer.candidates)
            if len(row[trigger].offers) > 1:
                regions = _Regions(
                    spec, compiled, active if folding else None, index, resumes
                )
                cells.append(regions.cell(atomic, trigger, row[trigger]))
                continue
            for candidate, step in _choices(row[trigger]):
                ref = candidate.transition.index
                transition = spec.transitions[ref]
                if ref not in guarding:
                    seen = (
                        chart_folding.seen_from(transition, active)
                        if folding
                        else transition
                    )
                    guarding[ref] = decisions.guarding(seen, compiled)
                described = {decisions.DESCRIPTION_KEY: transition.description}
                outcome = step_outcome(
                    atomic, trigger, step, described, index, False, resumes
                )
                candidate_of = chart_assign.with_step_effect(
                    guarding[ref], spec, step, compiled, active if folding else None
                )
                candidates.append(decisions.with_outcome(candidate_of, outcome))
            cells.append(decisions.Cell(trigger, tuple(candidates)))
        rows.append(
            decisions.Row(atomic, tuple(cells), tuple(sorted(leaving)), index.get(key))
        )
    if module.configured:
        return tuple(sorted(rows, key=lambda r: r.configuration or 0))
    by_order = spec.tree.order
    return tuple(sorted(rows, key=lambda r: by_order[r.state]))


@dataclass(frozen=True, slots=True)
class _Regions:
    """Cells several regions answer (see :mod:`.chart_regions`), seen from
    one key (``active``: its states, when ``in_state`` is decided);
    ``index`` numbers the configurations and ``resumes`` the resume cells."""

    spec: MachineSpec
    compiled: CompiledFunctions
    active: frozenset[str] | None
    index: Mapping[Configuration, int]
    resumes: Mapping[Resume, int] | None

    def _effect(self, step: Step) -> str | None:
        assign = chart_assign.step_assign(self.spec, step, self.active)
        return self.compiled.effect_name(assign) if assign else None

    def _outcome(self, atomic: str, trigger: str, step: Step) -> decisions.Outcome:
        first = self.spec.transitions[step.microsteps[0].transitions[0].index]
        described = {decisions.DESCRIPTION_KEY: first.description}
        return step_outcome(
            atomic, trigger, step, described, self.index, False, self.resumes
        )

    def cell(
        self, atomic: str, trigger: str, cell: Cell
    ) -> decisions.Cell | decisions.RegionsCell:
        """One candidate when no region's choice is open, else a
        ``Regions`` cell with every combination's outcome."""
        if chart_regions.settled(cell):
            step = cell.steps[(0,) * len(cell.offers)]
            effect = self._effect(step)
            candidate = decisions.Candidate(
                (),
                self._outcome(atomic, trigger, step),
                (),
                decisions.ResultForm.COMPUTED
                if effect
                else decisions.ResultForm.PREBUILT,
                effect=effect,
            )
            return decisions.Cell(trigger, (candidate,))
        steps = []
        effects = []
        for choice, step in cell.steps.items():
            steps.append((choice, self._outcome(atomic, trigger, step)))
            effect = self._effect(step)
            if effect is not None:
                effects.append((choice, effect))
        data = chart_regions.guard_data(self.spec, cell, self.compiled, self.active)
        return decisions.RegionsCell(
            trigger,
            data.offers,
            tuple(steps),
            calls=data.calls,
            arguments=data.arguments,
            negated=data.negated,
            effects=tuple(effects),
        )


def _choices(cell: Cell) -> tuple[tuple[Candidate, Step], ...]:
    """The cell's candidates in priority order, each with its step. Several
    offers (parallel regions) are settled: each takes its first candidate."""
    linear = cell.linear
    if linear is not None:
        return linear
    step = cell.steps[(0,) * len(cell.offers)]
    return ((cell.offers[0].candidates[0], step),)


def compiled_functions(spec: MachineSpec, module: ChartModule) -> CompiledFunctions:
    """The functions the statechart's module compiles: the spec's, and those
    its cells call once their ``in_state`` tests are decided."""
    decided: list[ExpressionGuard | Effect] = []
    if chart_folding.reads_states(spec):
        decided.extend(chart_folding.compiled_items(spec, module.tables))
    decided.extend(chart_regions.compiled_assigns(spec, module.tables))
    # After the others, so the numbering of a module without them stays.
    decided.extend(chart_assign.later_effects(spec, module.tables))
    return CompiledFunctions.of(spec, decided)


def start(module: ChartModule) -> decisions.Start:
    """``start()``: the initial leaf, every action on the way in order."""
    step = module.tables.start
    configurations = module.configurations
    return decisions.Start(
        step.target.atomic[0],
        tuple(a.name for a in step.actions),
        configurations.index(step.target) if configurations else None,
        step_deadlines(step),
        resume_key(step, module.resume_keys),
    )


def fallback_table(
    module: ChartModule,
) -> tuple[tuple[str, int | None, decisions.Outcome], ...]:
    """Each key's fallback result (:mod:`.chart_fallback`), keyed as the
    decision table is; its metadata says why (the runtime adds the failed
    actions). No fallback step continues at run time (refused before)."""
    index = {key: i for i, key in enumerate(module.configurations)}
    metadata: dict[str, PlainData] = {"reason": "action_failed"}
    found = []
    for key, step in module.fallbacks:
        outcome = step_outcome(
            key.atomic[0], decisions.FALLBACK_TRIGGER, step, metadata, index
        )
        found.append(
            (
                key.atomic[0],
                index.get(key),
                dataclasses.replace(outcome, fallback=True),
            )
        )
    return tuple(found)
