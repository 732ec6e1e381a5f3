"""Warnings about guards that cannot do what they seem to (docs/language.md#diagnostics
and #guards).

* GG355: a guard expression that is always true (it never refuses) or
  always false (its transition never fires), whatever the context:
  :func:`~gubernator_gen.frontend.expressions.facts.constant_truth`
  (in ``always:`` and ``after:`` entries too).
* GG356: a candidate that can never fire where an earlier candidate for
  the same state and trigger has the same guards, or only guards it has too
  (:func:`~gubernator_gen.frontend.expressions.facts.shadows`): whenever
  all of its guards pass, so do the earlier one's, and the earlier one is
  taken. (An earlier candidate without guards is the error GG309.)

Like the other warnings they are computed only for a spec without errors,
from the guard items the checks compiled
(:class:`~gubernator_gen.frontend.declarative.Declarations`).
"""

from __future__ import annotations

from collections.abc import Iterator

from gubernator_gen.diagnostics import Diagnostic, warning
from gubernator_gen.frontend import codes, precedence
from gubernator_gen.frontend.declarative import Declarations, edge_key
from gubernator_gen.frontend.expressions.facts import constant_truth, shadows
from gubernator_gen.frontend.tree import quoted
from gubernator_gen.frontend.view import SpecView, TransitionView
from gubernator_gen.model import ExpressionGuard

#: At most this many states are named in one GG356 message.
_STATES_SHOWN = 5


def warnings(spec: SpecView, declared: Declarations) -> Iterator[Diagnostic]:
    """The guard warnings of a machine without errors, in document order."""
    found = [declared.transitions.get(t.index) for t in spec.transitions]
    found.extend(declared.edges.get(edge_key(edge)) for edge in spec.edges)
    for compiled in found:
        if compiled is None:
            continue
        for item in compiled.guard_items:
            if not isinstance(item, ExpressionGuard) or item.pos is None:
                continue
            truth = constant_truth(item.expr)
            if truth is None:
                continue
            effect = (
                "so it never refuses: drop it"
                if truth
                else "so the transition can never fire"
            )
            yield warning(
                codes.CONSTANT_GUARD,
                f"this guard expression is always {str(truth).lower()} whatever "
                f"the context, {effect}",
                item.expr.pos or item.pos,
            )
    yield from _shadowed(spec, declared)


def _shadowed(spec: SpecView, declared: Declarations) -> Iterator[Diagnostic]:
    """GG356 once per (later, earlier) pair of transitions, naming the states."""
    found: dict[tuple[int, int], list[str]] = {}
    for (state, _), candidates in precedence.cells(spec).items():
        for position, later in enumerate(candidates):
            earlier = _shadowing(candidates[:position], later, declared)
            if earlier is not None:
                found.setdefault((later.index, earlier.index), []).append(state)
    for (later_index, earlier_index), states in sorted(found.items()):
        later = spec.transitions[later_index]
        earlier = spec.transitions[earlier_index]
        yield _shadow_warning(later, earlier, states, declared)


def _shadowing(
    earlier: list[TransitionView], later: TransitionView, declared: Declarations
) -> TransitionView | None:
    """The first earlier candidate whose guards are all among ``later``'s."""
    mine = declared.transitions.get(later.index)
    if mine is None or not mine.guard_items:
        return None
    for candidate in earlier:
        theirs = declared.transitions.get(candidate.index)
        if theirs is None or not theirs.guard_items:
            return None  # unknown, or GG309's to report
        if shadows(theirs.guard_items, mine.guard_items):
            return candidate
    return None


def _shadow_warning(
    later: TransitionView,
    earlier: TransitionView,
    states: list[str],
    declared: Declarations,
) -> Diagnostic:
    mine = declared.transitions[later.index].guard_items
    theirs = declared.transitions[earlier.index].guard_items
    same = tuple(mine) == tuple(theirs)
    how = "has the same guards" if same else "has only guards this one has too"
    shown = ", ".join(quoted(state) for state in states[:_STATES_SHOWN])
    if len(states) > _STATES_SHOWN:
        shown += f" and {len(states) - _STATES_SHOWN} more"
    where = later.guards_node or later.item
    return warning(
        codes.SHADOWED_BY_GUARDS,
        f"this transition can never fire from {shown}: the transition at line "
        f"{earlier.item.pos.line} is tried first there and {how}, so whenever "
        "these pass it is taken",
        where.pos,
    )
