"""The ``context_updates`` of a statechart step: every ``assign`` it runs.

SCXML runs the executable content of every transition a macrostep takes,
microstep after microstep. A prebuilt step folds the event's microstep and
the unguarded ``done.state`` microsteps after it (``always:`` entries carry
no ``assign``), and a resume cell's step does the same from a guarded
decision, so a step's updates are the ``assign`` of every transition of
every microstep, in the order taken (:func:`step_assign`):

* the values of one microstep (several parallel regions' transitions) all
  see the context as it was when the microstep began, the later
  transition's value winning for a field both set;
* a later microstep's values see the fields the earlier ones set, as
  SCXML's data model does, and as a resume cell's guards and ``assign``
  see the updates of the steps before it.

A step with one microstep that assigns is one ``assign`` list, compiled as
a transition's own is; updates from several microsteps are one
:class:`~gubernator_gen.backend.compiled.AssignSteps` function. When the
chart uses ``in_state``, each microstep's values have it decided for the
states active when that microstep began.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator

from gubernator_gen.backend import chart_folding, decisions
from gubernator_gen.backend.compiled import AssignSteps, CompiledFunctions, Effect
from gubernator_gen.backend.statechart.chart import Origin
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import Microstep, Step
from gubernator_gen.model import Assignment, MachineSpec


def _microstep_assign(
    spec: MachineSpec, micro: Microstep, active: Collection[str] | None
) -> tuple[Assignment, ...]:
    """One microstep's ``assign`` entries, one per field (the last value, at
    the place the field first appears); ``active`` decides ``in_state``."""
    found: dict[str, Assignment] = {}
    for ref in micro.transitions:
        if ref.origin is not Origin.EVENT:
            continue
        assign = spec.transitions[ref.index].assign
        if active is not None:
            assign = chart_folding.fold_assign(assign, active)
        for entry in assign:
            found[entry.target] = entry
    return tuple(found.values())


def step_assign(
    spec: MachineSpec, step: Step, active: Collection[str] | None
) -> Effect:
    """What the step's ``context_updates`` compute (empty: none).
    ``active`` (the states of the key the step starts from) is given when
    ``in_state`` is decided; later microsteps see the states the one
    before them rests in."""
    groups = []
    seen = active
    for micro in step.microsteps:
        assign = _microstep_assign(spec, micro, seen)
        if assign:
            groups.append(assign)
        if active is not None:
            seen = chart_folding.active_states(spec, micro.target)
    if len(groups) < 2:
        return groups[0] if groups else ()
    return AssignSteps(tuple(groups))


def assigns_later(spec: MachineSpec, step: Step) -> bool:
    """True when a microstep after the step's first assigns something."""
    return any(
        spec.transitions[ref.index].assign
        for micro in step.microsteps[1:]
        for ref in micro.transitions
        if ref.origin is Origin.EVENT
    )


def later_effects(spec: MachineSpec, tables: ConfigurationTables) -> Iterator[Effect]:
    """The updates of every step with ``assign`` in a later microstep, in
    table order: event and ``after:`` cells, then resume cells (for the
    module's compiled functions; steps without them compile nothing new)."""
    folding = chart_folding.reads_states(spec)
    for key, row in tables.cells.items():
        active = chart_folding.active_states(spec, key) if folding else None
        for cell in row.values():
            for step in cell.steps.values():
                if assigns_later(spec, step):
                    yield step_assign(spec, step, active)
    for resume, cell in tables.resumes.items():
        active = (
            chart_folding.active_states(spec, resume.configuration) if folding else None
        )
        for step in cell.steps.values():
            if assigns_later(spec, step):
                yield step_assign(spec, step, active)
        if cell.otherwise is not None:
            # Its first microstep too: no candidate's transition carries it.
            yield step_assign(spec, cell.otherwise, active)


def with_step_effect(
    candidate: decisions.Candidate,
    spec: MachineSpec,
    step: Step,
    compiled: CompiledFunctions,
    active: Collection[str] | None,
) -> decisions.Candidate:
    """``candidate`` computing the ``assign`` of every microstep of ``step``
    when a later one assigns (else as it is: its transition's own)."""
    if not assigns_later(spec, step):
        return candidate
    effect = compiled.effect_name(step_assign(spec, step, active))
    return dataclasses.replace(
        candidate, effect=effect, result_form=decisions.ResultForm.COMPUTED
    )
