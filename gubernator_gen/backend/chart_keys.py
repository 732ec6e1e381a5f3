"""What a statechart module's results name beyond their step: keys of
resume cells, and the transitions the build-time tables refer to.

A step that ends at a guarded decision inside the macrostep names the
:class:`Resume` cell that makes it; the module numbers those cells
(:func:`resume_keys`) only when some step needs one, so every other
module's results, and bytes, stay as they were. See
:mod:`gubernator_gen.backend.chart_resumes` for the cells themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gubernator_gen.backend import decisions
from gubernator_gen.backend.statechart.chart import Origin, TransitionRef
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import Resume, Step
from gubernator_gen.model import (
    DelayedTransition,
    EventlessTransition,
    MachineSpec,
    Transition,
)


def transition_of(spec: MachineSpec, ref: TransitionRef) -> Transition:
    """The transition ``ref`` names; an ``always:`` or ``after:`` entry seen
    as one (its guards, actions and description; it has no ``assign``)."""
    if ref.origin is Origin.EVENT:
        return spec.transitions[ref.index]
    state = spec.state(ref.source)
    if ref.origin is Origin.ALWAYS:
        entry: EventlessTransition | DelayedTransition = state.always[ref.index]
        trigger = decisions.EVENTLESS_TRIGGER
    else:
        entry, trigger = state.after_entries[ref.index], decisions.TIMEOUT_TRIGGER
    return Transition(
        index=-1,
        trigger=trigger,
        sources=(ref.source,),
        dest=entry.dest,
        guards=entry.guards,
        actions=entry.actions,
        description=entry.description,
        metadata={},
        pos=entry.pos,
        guard_items=entry.guard_items,
    )


def _steps(tables: ConfigurationTables) -> Iterator[Step]:
    yield tables.start
    for row in tables.cells.values():
        for cell in row.values():
            yield from cell.steps.values()
    for cell in tables.resumes.values():
        yield from cell.steps.values()
        if cell.otherwise is not None:
            yield cell.otherwise


#: The resume key of a step whose ``done.state`` events never stop (the
#: runtime's ``OVERFLOW``: no resume cell has it).
OVERFLOW = -1


def resume_keys(tables: ConfigurationTables) -> Mapping[Resume, int] | None:
    """Each resume cell's key in the module, in the order the tables list
    them; ``None`` when every step settles at build time (guarded eventless
    decisions or endless ``done.state`` events make a module follow them)."""
    guarded = any(
        candidate.guarded
        for cell in tables.resumes.values()
        for offer in cell.offers
        for candidate in offer.candidates
    )
    if not guarded and not any(
        step.resume is not None or step.overflow for step in _steps(tables)
    ):
        return None
    return {resume: number for number, resume in enumerate(tables.resumes)}


def resume_key(step: Step, resumes: Mapping[Resume, int] | None) -> int | None:
    """The module's key of the resume cell continuing ``step``, if any
    (``resumes`` is ``None`` when the module follows none)."""
    if resumes is None:
        return None
    if step.overflow:
        return OVERFLOW
    return None if step.resume is None else resumes[step.resume]
