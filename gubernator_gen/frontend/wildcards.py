"""Checks of ``source: "*"``, the wildcard source (docs/language.md#wildcard-sources).

``*`` stands alone as a transition's ``source`` and means every
non-terminal state. Anywhere else (a state's name, an item of a list of
sources, a dest, a timeout destination, the fallback) it is an error, GG312:
it would be ambiguous or meaningless. A wildcard transition that can fire
from no state at all (every state has a transition from a named source with
the same trigger and no guards, or an earlier wildcard one without guards
takes the trigger) is shadowed, GG309; being beaten at some states is the
point of a wildcard and no problem.
"""

from __future__ import annotations

from collections.abc import Iterator

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.precedence import Precedence
from gubernator_gen.frontend.tree import quoted
from gubernator_gen.frontend.view import WILDCARD, Name, SpecView, TransitionView

__all__ = ["WILDCARD", "check", "shadowed"]


def check(spec: SpecView) -> Iterator[Diagnostic]:
    """GG312 for every ``*`` that is not a transition's whole ``source``."""
    for state in spec.states:
        if state.name is not None and state.name.text == WILDCARD:
            yield _misplaced(
                state.name,
                f"{quoted(WILDCARD)} cannot name a state: source: {quoted(WILDCARD)} "
                "means every non-terminal state",
            )
        yield from _not_a_state(state.timeout_dest, "a timeout destination")
        for edge in state.edges:
            yield from _not_a_state(edge.dest, "a dest")
    for transition in spec.transitions:
        if not transition.wildcard and len(transition.sources.names) > 1:
            for source in transition.sources.names:
                if source.text == WILDCARD:
                    yield _misplaced(
                        source,
                        f"{quoted(WILDCARD)} stands alone: write source: "
                        f"{quoted(WILDCARD)} for every non-terminal state, or list "
                        "the states",
                    )
        yield from _not_a_state(transition.dest, "a dest")
    yield from _not_a_state(spec.fallback, "default_fallback")


def _not_a_state(name: Name | None, what: str) -> Iterator[Diagnostic]:
    if name is not None and name.text == WILDCARD:
        yield _misplaced(
            name,
            f"{quoted(WILDCARD)} is only a source (every non-terminal state); "
            f"{what} names one state",
        )


def _misplaced(name: Name, message: str) -> Diagnostic:
    return error(codes.MISPLACED_WILDCARD, message, name.node.pos)


def shadowed(
    spec: SpecView, transition: TransitionView, analysis: Precedence
) -> Iterator[Diagnostic]:
    """GG309 when the wildcard ``transition`` can fire from no state."""
    if analysis.live.get(transition.index) or transition.trigger is None:
        return
    covered = spec.sources_of(transition)
    if not covered:
        return  # every state is terminal: nothing to shadow
    winners = [analysis.beaten[(transition.index, s)] for s in covered]
    wildcard_winner = next((w for w in winners if w.wildcard), None)
    trigger = quoted(transition.trigger.text)
    if wildcard_winner is not None:
        reason = (
            f"the wildcard transition at line {wildcard_winner.item.pos.line} has "
            "the same trigger and no guards, so it always wins"
        )
    else:
        reason = (
            "every state it could leave has a transition with this trigger from a "
            "named source and no guards, which wins over a wildcard"
        )
    yield error(
        codes.SHADOWED_TRANSITION,
        f"transition {trigger} from {quoted(WILDCARD)} can never fire: {reason}",
        transition.sources.names[0].node.pos,
    )
