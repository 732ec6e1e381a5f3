"""The warnings of docs/language.md#diagnostics: what the machine can never reach or
never run.

Unreachable states, dead ends (no way out of a non-terminal state), guards
that are never checked and actions that are never run, and a source listed
twice in one transition. They are computed only for a spec without errors
(see :func:`gubernator_gen.frontend.validate.check`), so the view is read
in full; a part that still could not be read makes them stand down.
Statecharts enter states in more ways than transitions; their warnings are
:mod:`~gubernator_gen.frontend.chart_reachability`'s.
"""

from __future__ import annotations

from collections.abc import Iterator

from gubernator_gen.diagnostics import Diagnostic, warning
from gubernator_gen.frontend import chart_reachability, codes, precedence
from gubernator_gen.frontend.tree import quoted
from gubernator_gen.frontend.view import (
    Name,
    SpecView,
    StateView,
    TransitionView,
)


def warnings(spec: SpecView) -> Iterator[Diagnostic]:
    """The warnings of a spec without errors, in the order they are found."""
    yield from _repeated_sources(spec)
    yield from chart_reachability.internal_warnings(spec)
    if not (spec.states_complete and spec.transitions_complete):
        return
    if spec.is_statechart:
        yield from chart_reachability.warnings(spec, precedence.analyse(spec).live)
        return
    initials = [state for state in spec.states if state.kind == "initial"]
    if len(initials) != 1 or initials[0].name is None:
        return
    initial = initials[0].name.text
    by_name = {
        state.name.text: state for state in spec.states if state.name is not None
    }
    live = _live_transitions(spec)
    with_way_out = {source for t in spec.transitions for source in spec.sources_of(t)}
    reachable = _reachable(spec, initial, live, by_name)
    for state in spec.states:
        assert state.name is not None  # states_complete
        name = state.name.text
        if name not in reachable:
            yield warning(
                codes.UNREACHABLE_STATE,
                f"state {quoted(name)} is unreachable: no transition or timeout leads "
                f"to it from the initial state {quoted(initial)}",
                state.name.node.pos,
            )
        leaves = name in with_way_out or state.has_timeout
        if state.kind != "terminal" and not leaves:
            yield warning(
                codes.DEAD_END_STATE,
                f"state {quoted(name)} has no way out (no transition, no timeout); "
                "add one or make it terminal",
                state.name.node.pos,
            )
    yield from _unused_callables(spec, live, reachable, by_name)


def _repeated_sources(spec: SpecView) -> Iterator[Diagnostic]:
    for transition in spec.transitions:
        seen: set[str] = set()
        for source in transition.sources.names:
            if source.text in seen:
                yield warning(
                    codes.REPEATED_SOURCE,
                    f"source {quoted(source.text)} is listed twice in this transition",
                    source.node.pos,
                )
            seen.add(source.text)


def _live_transitions(
    spec: SpecView,
) -> list[tuple[TransitionView, tuple[str, ...]]]:
    """Each transition with the sources it can actually fire from.

    A source does not count when it is terminal or when a candidate tried
    before this one (:mod:`~gubernator_gen.frontend.precedence`) has no
    guards and so always wins there.
    """
    live = precedence.analyse(spec).live
    return [(transition, live[transition.index]) for transition in spec.transitions]


def _reachable(
    spec: SpecView,
    initial: str,
    live: list[tuple[TransitionView, tuple[str, ...]]],
    by_name: dict[str, StateView],
) -> set[str]:
    edges: dict[str, set[str]] = {}
    for transition, sources in live:
        assert transition.dest is not None  # transitions_complete
        for source in sources:
            edges.setdefault(source, set()).add(transition.dest.text)
    for state in spec.states:
        timeout_dest = state.timeout_dest
        if state.name and timeout_dest and state.kind != "terminal":
            edges.setdefault(state.name.text, set()).add(timeout_dest.text)
    # The fallback can be proposed after any failed action, so it counts as
    # reachable whenever it names a state.
    seeds = [initial]
    if spec.fallback is not None and spec.fallback.text in by_name:
        seeds.append(spec.fallback.text)
    reachable: set[str] = set()
    pending = list(seeds)
    while pending:
        name = pending.pop()
        if name in reachable:
            continue
        reachable.add(name)
        pending.extend(edges.get(name, ()))
    return reachable


def _unused_callables(
    spec: SpecView,
    live: list[tuple[TransitionView, tuple[str, ...]]],
    reachable: set[str],
    by_name: dict[str, StateView],
) -> Iterator[Diagnostic]:
    """Warn about guards and actions that no reachable result can contain."""
    used_guards: set[str] = set()
    used_actions: set[str] = set()
    # The machine starts in its initial state: machine.start() runs its
    # on_enter actions (docs/language.md#creating-an-entity-start), so they are used
    # even with no way back.
    entered = {s.name.text for s in spec.states if s.kind == "initial" and s.name}
    exited: set[str] = set()
    for transition, sources in live:
        fired_from = [s for s in sources if s in reachable]
        if not fired_from:
            continue
        used_guards.update(transition.guards.texts)
        used_actions.update(transition.actions.texts)
        exited.update(fired_from)
        assert transition.dest is not None
        entered.add(transition.dest.text)
    for state in spec.states:
        if state.name is None or state.name.text not in reachable:
            continue
        if state.timeout_dest is not None and state.kind != "terminal":
            exited.add(state.name.text)
            entered.add(state.timeout_dest.text)
    if spec.fallback is not None and spec.fallback.text in by_name:
        # A fallback result exits the state just entered and enters the fallback.
        exited.update(entered)
        entered.add(spec.fallback.text)
    for state_name in entered:
        if state_name in by_name:
            used_actions.update(by_name[state_name].on_enter.texts)
    for state_name in exited:
        if state_name in by_name:
            used_actions.update(by_name[state_name].on_exit.texts)
    reported: set[str] = set()
    for name in _guard_uses(spec):
        if name.text not in used_guards and name.text not in reported:
            reported.add(name.text)
            yield warning(
                codes.UNREACHABLE_GUARD,
                f"guard {quoted(name.text)} is never checked: it is only used by "
                "transitions that can never be taken",
                name.node.pos,
            )
    reported.clear()
    for name in _action_uses(spec):
        if name.text not in used_actions and name.text not in reported:
            reported.add(name.text)
            yield warning(
                codes.UNREACHABLE_ACTION,
                f"action {quoted(name.text)} is never run: it is only used where the "
                "machine never goes",
                name.node.pos,
            )


def _guard_uses(spec: SpecView) -> Iterator[Name]:
    for transition in spec.transitions:
        yield from transition.guards.names


def _action_uses(spec: SpecView) -> Iterator[Name]:
    """Every use of an action name, in document order."""
    uses: list[Name] = []
    for state in spec.states:
        uses.extend(state.on_enter.names)
        uses.extend(state.on_exit.names)
    for transition in spec.transitions:
        uses.extend(transition.actions.names)
    yield from sorted(uses, key=lambda name: (name.node.pos.line, name.node.pos.column))
