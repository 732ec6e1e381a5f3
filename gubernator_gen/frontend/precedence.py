"""Which transition wins where: candidates in precedence order, and shadowing.

For one state and one trigger the candidates are tried in the order of
:func:`gubernator_gen.model.by_precedence` (transitions from named sources
first, then ``source: "*"`` ones, each group in spec order); a candidate
after one without guards can never fire there. The semantic checks
(:mod:`~gubernator_gen.frontend.validate`, error GG309) and the warnings
(:mod:`~gubernator_gen.frontend.reachability`) both read that answer from
:func:`analyse`, on the lenient view, so they agree with the model's
:meth:`~gubernator_gen.model.MachineSpec.dispatch`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.frontend.view import SpecView, TransitionView, terminal_names
from gubernator_gen.model import by_precedence


@dataclass(frozen=True, slots=True)
class Precedence:
    """Where each transition can fire, and what beats it elsewhere.

    ``live`` maps a transition's index to the non-terminal sources where no
    earlier candidate without guards always wins (spec order of its
    sources); ``beaten`` maps ``(index, state)`` to the transition without
    guards that always wins there instead.
    """

    live: dict[int, tuple[str, ...]]
    beaten: dict[tuple[int, str], TransitionView]


def is_unguarded(transition: TransitionView) -> bool:
    """True when the transition has no guards (and they could be read)."""
    return transition.is_unguarded


def _is_wildcard(transition: TransitionView) -> bool:
    return transition.wildcard


def cells(spec: SpecView) -> dict[tuple[str, str], list[TransitionView]]:
    """The candidates of each ``(state, trigger)``, in the order they are tried.

    Only non-terminal states, and transitions whose trigger could be read.
    """
    terminal = terminal_names(spec)
    candidates: dict[tuple[str, str], list[TransitionView]] = {}
    for transition in spec.transitions:
        if transition.trigger is None:
            continue
        trigger = transition.trigger.text
        for source in dict.fromkeys(spec.sources_of(transition)):
            if source not in terminal:
                candidates.setdefault((source, trigger), []).append(transition)
    return {
        cell: by_precedence(found, _is_wildcard) for cell, found in candidates.items()
    }


def analyse(spec: SpecView) -> Precedence:
    """The precedence of every transition of ``spec`` at every source."""
    live: dict[int, list[str]] = {t.index: [] for t in spec.transitions}
    beaten: dict[tuple[int, str], TransitionView] = {}
    for (source, _), ordered in cells(spec).items():
        winner: TransitionView | None = None
        for transition in ordered:
            if winner is not None:
                beaten[(transition.index, source)] = winner
                continue
            live[transition.index].append(source)
            if is_unguarded(transition):
                winner = transition
    return Precedence(
        {index: _in_order(spec, index, sources) for index, sources in live.items()},
        beaten,
    )


def _in_order(spec: SpecView, index: int, sources: list[str]) -> tuple[str, ...]:
    """``sources`` in the order the transition lists them (or declares them)."""
    wanted = set(sources)
    listed = spec.sources_of(spec.transitions[index])
    return tuple(s for s in dict.fromkeys(listed) if s in wanted)
