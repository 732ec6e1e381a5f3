"""What a statechart's generated module cannot run yet: the GG480 refusals.

:func:`.chart_module.compile_for_module` asks these checks in turn and
reports the first that finds something, as one located error: guard items
or ``assign`` where several regions decide inside a step
(:func:`run_time_decision`, once ``in_state`` tests are decided), and
``assign`` on a ``done.state`` transition
that a result without ``context_updates`` takes, ``start()``'s or a
fallback move's (:func:`assign_without_context`), a fallback move that
goes on at run time (:func:`continued_fallback`), and, for a chart past
the table limits, what its runtime cannot decide per event
(:func:`factored_unsupported`). docs/statecharts.md ("What is refused")
and the GG480 row of docs/language.md name the whole list.
"""

from __future__ import annotations

from gubernator_gen.backend import chart_folding
from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.backend.chart_keys import transition_of
from gubernator_gen.backend.statechart.chart import Origin, TransitionRef
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import Cell, Offer, Step
from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.model import (
    MachineSpec,
    NamedGuard,
    Transition,
)


def not_yet(pos: SourcePos, what: str) -> Diagnostic:
    """The GG480 error saying that ``what`` (at ``pos``) is not compiled yet."""
    return error(
        backend_codes.STATECHART_NOT_COMPILED,
        f"{what}: not compiled yet by this gubernator-gen (compound, history "
        "and parallel states are)",
        pos,
    )


def position(spec: MachineSpec, ref: TransitionRef) -> SourcePos:
    """Where the statechart transition ``ref`` is written."""
    if ref.origin is Origin.EVENT:
        return spec.transitions[ref.index].pos
    state = spec.state(ref.source)
    if ref.origin is Origin.ALWAYS:
        return state.always[ref.index].pos
    return state.after_entries[ref.index].pos


def run_time_decision(
    spec: MachineSpec, tables: ConfigurationTables
) -> Diagnostic | None:
    """A guard asked inside a step, in a resume cell, that modules cannot
    ask there yet: guard items or ``assign`` where several regions decide
    at once (asked of folded tables: a region's choice ``in_state``
    settles is no choice)."""
    for cell in tables.resumes.values():
        if len(cell.offers) < 2 or settled(spec, cell):
            continue
        for offer in cell.offers:
            for candidate in offer.candidates:
                if not _plain(transition_of(spec, candidate.transition)):
                    return not_yet(
                        position(spec, candidate.transition),
                        "guard items or assign on a transition that several "
                        "parallel regions may take inside a step",
                    )
    return None


def assign_without_context(
    spec: MachineSpec, start: Step, fallbacks: tuple[Step, ...]
) -> Diagnostic | None:
    """``assign`` on a transition that a prebuilt result with no
    ``context_updates`` takes: ``start()``'s step, or a fallback move's
    (``done.state`` transitions taken on the way in)."""
    for step, what in (
        (start, "start()"),
        *((f, "a fallback move") for f in fallbacks),
    ):
        for micro in step.microsteps:
            for ref in micro.transitions:
                if ref.origin is Origin.EVENT and spec.transitions[ref.index].assign:
                    return not_yet(
                        position(spec, ref),
                        f"assign on a done.state transition taken by {what}",
                    )
    return None


def continued_fallback(
    spec: MachineSpec, fallbacks: tuple[Step, ...]
) -> Diagnostic | None:
    """A fallback move that goes on with a decision inside the step: the
    executor proposes a prebuilt move and follows no resume cell."""
    if any(step.resume is not None or step.overflow for step in fallbacks):
        return not_yet(
            spec.pos,
            "an error_policy.default_fallback whose move goes on with "
            "guarded eventless or done.state transitions",
        )
    return None


def factored_unsupported(spec: MachineSpec) -> Diagnostic | None:
    """What a chart past the table limits cannot decide per event yet."""
    if chart_folding.reads_states(spec):
        # Cells are not keyed by configuration: no key to decide it for.
        return not_yet(spec.pos, "in_state() in a chart past the table limits")
    if spec.error_policy.default_fallback is not None:
        return not_yet(
            spec.pos,
            "error_policy.default_fallback in a chart past the table limits",
        )
    for transition in spec.transitions:
        if transition.assign and transition.trigger.startswith("done.state."):
            # The factored runtime evaluates every assign of a step against
            # the context given to process; the tabled mode lets a later
            # microstep see the earlier ones' updates. Refused rather than
            # decided two ways.
            return not_yet(
                transition.pos,
                "assign on a done.state transition in a chart past the table " "limits",
            )
    return None


def _guarded_or_assigns(spec: MachineSpec, offer: Offer) -> bool:
    first = offer.candidates[0]
    return first.guarded or bool(transition_of(spec, first.transition).assign)


def _plain(transition: Transition) -> bool:
    """Plain guard calls and no ``assign``: what a ``Regions`` cell runs."""
    items = transition.guard_items
    return not transition.assign and all(
        isinstance(item, NamedGuard) and not item.negated and not item.params
        for item in items
    )


def settled(spec: MachineSpec, cell: Cell) -> bool:
    """Several regions answer: one step when no region's choice is open."""
    return not any(_guarded_or_assigns(spec, offer) for offer in cell.offers)
