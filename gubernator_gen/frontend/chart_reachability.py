"""The warnings for statecharts: what can never be active or run.

A flat machine's warnings (:mod:`~gubernator_gen.frontend.reachability`)
follow its transitions from the initial state. A statechart enters states
in more ways, and this module follows all of them:

* entering a state makes its ancestors active too;
* entering a compound state enters its initial child, a parallel state
  every region, a history state its default (or its parent's initial child;
  whatever else it restores was active before, so reached already);
* a transition, ``always:``, ``after:`` or timeout fires while its source
  (or any state inside it) is active; the fallback can be proposed at any
  time.

Warnings: a state nothing enters (GG350, reported at the outermost such
state only: its children follow), an atomic state with no way out even
through its ancestors (GG351), guards and actions only used where the
machine never goes (GG352, GG353, judged generously: an ``on_exit`` counts
as used when anything can fire under the same top-level state), and
``internal: true`` on a transition whose dest is not inside its source
(GG357), and a ``done.state.NAME`` trigger that NAME never raises (GG358).
"""

from __future__ import annotations

from collections.abc import Iterator

from gubernator_gen.diagnostics import Diagnostic, warning
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.state_view import DONE_PREFIX, is_true
from gubernator_gen.frontend.tree import Node, quoted
from gubernator_gen.frontend.view import Name, SpecView, StateView
from gubernator_gen.model import HistoryDepth


class _Chart:
    """The tree of a complete view, by name."""

    def __init__(self, spec: SpecView) -> None:
        self.spec = spec
        self.by_name: dict[str, StateView] = {}
        for state in spec.states:
            assert state.name is not None  # states_complete
            self.by_name.setdefault(state.name.text, state)

    def name(self, state: StateView) -> str:
        assert state.name is not None
        return state.name.text

    def parent(self, name: str) -> str | None:
        parent = self.spec.parent_of(self.by_name[name])
        return None if parent is None else self.name(parent)

    def ancestors(self, name: str) -> list[str]:
        found = []
        parent = self.parent(name)
        while parent is not None:
            found.append(parent)
            parent = self.parent(parent)
        return found

    def top(self, name: str) -> str:
        ancestors = self.ancestors(name)
        return ancestors[-1] if ancestors else name

    def children(self, name: str) -> list[str]:
        """Child states, history states left out."""
        return [
            self.name(self.spec.states[i])
            for i in self.by_name[name].children
            if not self.spec.states[i].history
        ]

    def is_inside(self, name: str, ancestor: str) -> bool:
        return ancestor in self.ancestors(name)

    def entered_with(self, name: str) -> list[str]:
        """What entering ``name`` enters besides it and its ancestors."""
        state = self.by_name[name]
        if state.history:
            if state.default is not None:
                return [state.default.text]
            parent = self.parent(name)
            return [] if parent is None else self.entered_with(parent)
        children = self.children(name)
        if not children:
            return []
        if state.parallel:
            return children
        chosen = state.initial.text if state.initial is not None else children[0]
        return [chosen]


def warnings(spec: SpecView, live: dict[int, tuple[str, ...]]) -> Iterator[Diagnostic]:
    """GG350-GG353 and GG358 for a statechart without errors; ``live`` as
    :attr:`~gubernator_gen.frontend.precedence.Precedence.live`."""
    chart = _Chart(spec)
    initial = _initial(spec)
    reachable = _reachable(chart, initial, live)
    for state in spec.states:
        name = chart.name(state)
        parent = chart.parent(name)
        outermost = parent is None or parent in reachable
        if not state.history and name not in reachable and outermost:
            assert state.name is not None
            yield warning(
                codes.UNREACHABLE_STATE,
                f"state {quoted(name)} is unreachable: nothing enters it from the "
                f"initial state {quoted(initial)} (no transition, always, after or "
                "timeout leads to it, and it is no initial child or history "
                "default on the way)",
                state.name.node.pos,
            )
    yield from _dead_ends(chart)
    yield from _unused(chart, reachable, live)
    yield from _never_done(chart)


def _initial(spec: SpecView) -> str:
    top = [state for state in spec.states if state.parent is None]
    chosen = next((s for s in top if s.kind == "initial"), top[0])
    assert chosen.name is not None
    return chosen.name.text


def _reachable(
    chart: _Chart, initial: str, live: dict[int, tuple[str, ...]]
) -> set[str]:
    """Every state that can be active (history states: those entered)."""
    out: dict[str, list[str]] = {}
    for transition in chart.spec.transitions:
        assert transition.dest is not None  # transitions_complete
        for source in live[transition.index]:
            out.setdefault(source, []).append(transition.dest.text)
    for state in chart.spec.states:
        targets = out.setdefault(chart.name(state), [])
        targets.extend(edge.dest.text for edge in state.edges if edge.dest)
        if state.timeout_dest is not None and state.kind != "terminal":
            targets.append(state.timeout_dest.text)
    seeds = [initial]
    fallback = chart.spec.fallback
    if fallback is not None and fallback.text in chart.by_name:
        seeds.append(fallback.text)
    # A state reached as the ancestor of an entered one is active, but its
    # initial child is not entered on that account.
    reachable: set[str] = set()
    entered: set[str] = set()
    pending = [(name, True) for name in seeds]
    while pending:
        name, entering = pending.pop()
        if name not in chart.by_name:
            continue
        if entering and name not in entered:
            entered.add(name)
            pending.extend((child, True) for child in chart.entered_with(name))
        if name in reachable:
            continue
        reachable.add(name)
        pending.extend((ancestor, False) for ancestor in chart.ancestors(name))
        pending.extend((dest, True) for dest in out.get(name, ()))
    return reachable


def _never_done(chart: _Chart) -> Iterator[Diagnostic]:
    """GG358 at each ``done.state.NAME`` trigger that NAME can never raise."""
    for transition in chart.spec.transitions:
        trigger = transition.trigger
        if trigger is None or not trigger.text.startswith(DONE_PREFIX):
            continue
        name = trigger.text[len(DONE_PREFIX) :]
        if name in chart.by_name and not _can_complete(chart, name):
            why = (
                "a region of it has no terminal child"
                if chart.by_name[name].parallel
                else "it has no terminal child"
            )
            yield warning(
                codes.NEVER_DONE,
                f"trigger {quoted(trigger.text)} never happens: {why} "
                "(done.state.NAME is raised when compound state NAME enters a "
                "terminal child, or when every region of parallel state NAME "
                "has)",
                trigger.node.pos,
            )


def _can_complete(chart: _Chart, name: str) -> bool:
    """Whether state ``name`` can ever be complete (SCXML's "in a final state").

    A terminal state is; a compound state is when it has a terminal child; a
    parallel state when every region can be. Only parallel regions recurse,
    so the depth is bounded by the nesting the loader allows.
    """
    state = chart.by_name[name]
    if state.kind == "terminal":
        return True
    children = chart.children(name)
    if not state.parallel:
        return any(chart.by_name[c].kind == "terminal" for c in children)
    return bool(children) and all(_can_complete(chart, c) for c in children)


def _dead_ends(chart: _Chart) -> Iterator[Diagnostic]:
    """Atomic, non-terminal states that nothing above or beside them leaves.

    Generous on purpose: any transition from inside a parallel state counts
    as a way out for all its regions, as one to a state outside it would be.
    """
    spec = chart.spec
    leaving = {source for t in spec.transitions for source in spec.sources_of(t)}
    leaving.update(chart.name(s) for s in spec.states if s.has_timeout or s.edges)
    # In a parallel state, a transition of one region may leave them all.
    for state in spec.states:
        name = chart.name(state)
        if name in leaving:
            for ancestor in chart.ancestors(name):
                if chart.by_name[ancestor].parallel:
                    leaving.add(ancestor)
    for state in spec.states:
        name = chart.name(state)
        if state.history or state.kind == "terminal" or chart.children(name):
            continue
        if name in leaving or any(a in leaving for a in chart.ancestors(name)):
            continue
        assert state.name is not None
        yield warning(
            codes.DEAD_END_STATE,
            f"state {quoted(name)} has no way out (no transition, always, after or "
            "timeout from it or from a state around it); add one or make it "
            "terminal",
            state.name.node.pos,
        )


def _unused(
    chart: _Chart, reachable: set[str], live: dict[int, tuple[str, ...]]
) -> Iterator[Diagnostic]:
    spec = chart.spec
    used_guards: set[str] = set()
    used_actions: set[str] = set()
    moving: set[str] = set()  # top-level states under which something fires
    for transition in spec.transitions:
        fired_from = [s for s in live[transition.index] if s in reachable]
        if fired_from:
            used_guards.update(transition.guards.texts)
            used_actions.update(transition.actions.texts)
            moving.update(chart.top(s) for s in fired_from)
    for state in spec.states:
        name = chart.name(state)
        if name not in reachable:
            continue
        for edge in state.edges:
            used_guards.update(edge.guards.texts)
            used_actions.update(edge.actions.texts)
        if state.edges or (state.has_timeout and state.kind != "terminal"):
            moving.add(chart.top(name))
    everywhere = spec.fallback is not None and spec.fallback.text in chart.by_name
    for state in spec.states:
        name = chart.name(state)
        if name in reachable:
            used_actions.update(state.on_enter.texts)
            if everywhere or chart.top(name) in moving:
                used_actions.update(state.on_exit.texts)
    yield from _report(_guard_uses(spec), used_guards, codes.UNREACHABLE_GUARD)
    yield from _report(_action_uses(spec), used_actions, codes.UNREACHABLE_ACTION)


def _guard_uses(spec: SpecView) -> list[Name]:
    uses = [name for t in spec.transitions for name in t.guards.names]
    uses.extend(name for edge in spec.edges for name in edge.guards.names)
    return sorted(uses, key=lambda name: (name.node.pos.line, name.node.pos.column))


def _action_uses(spec: SpecView) -> list[Name]:
    uses: list[Name] = []
    for state in spec.states:
        uses.extend(state.on_enter.names)
        uses.extend(state.on_exit.names)
        for edge in state.edges:
            uses.extend(edge.actions.names)
    for transition in spec.transitions:
        uses.extend(transition.actions.names)
    return sorted(uses, key=lambda name: (name.node.pos.line, name.node.pos.column))


def _report(uses: list[Name], used: set[str], code: str) -> Iterator[Diagnostic]:
    reported: set[str] = set()
    for name in uses:
        if name.text in used or name.text in reported:
            continue
        reported.add(name.text)
        if code == codes.UNREACHABLE_GUARD:
            message = (
                f"guard {quoted(name.text)} is never checked: it is only used by "
                "transitions that can never be taken"
            )
        else:
            message = (
                f"action {quoted(name.text)} is never run: it is only used where "
                "the machine never goes"
            )
        yield warning(code, message, name.node.pos)


def internal_warnings(spec: SpecView) -> Iterator[Diagnostic]:
    """GG357: ``internal: true`` where the dest is not inside the source.

    Such a transition leaves its source like any other (SCXML takes it as
    external), so the flag says something untrue. Reported once per
    transition, at the flag. A deep history dest whose parent holds a
    compound source is not reported: what it restores may lie inside the
    source, which the flag then keeps active.
    """
    if not spec.states_complete:
        return
    chart = _Chart(spec)
    for transition in spec.transitions:
        dest = transition.dest
        if not transition.is_internal or dest is None:
            continue
        sources = spec.sources_of(transition)
        outside = [s for s in sources if not _inside(chart, dest.text, s)]
        if outside:
            yield _internal_warning(transition.internal, dest.text, outside[0])
    for state in spec.states:
        for edge in state.edges:
            if is_true(edge.internal) and edge.dest is not None:
                owner = chart.name(state)
                if not _inside(chart, edge.dest.text, owner):
                    yield _internal_warning(edge.internal, edge.dest.text, owner)


def _inside(chart: _Chart, dest: str, source: str) -> bool:
    """True where ``internal: true`` can keep ``source`` active."""
    if dest not in chart.by_name or source not in chart.by_name:
        return True  # an error elsewhere
    if chart.is_inside(dest, source):
        return True
    # SCXML decides by the effective targets: a deep history of a state
    # holding a compound source may restore (or default to) states inside it.
    target, owner = chart.by_name[dest], chart.parent(dest)
    return (
        target.history
        and target.history_depth == HistoryDepth.DEEP.value
        and owner is not None
        and chart.is_inside(source, owner)
        and not chart.by_name[source].parallel
        and bool(chart.children(source))
    )


def _internal_warning(flag: Node | None, dest: str, source: str) -> Diagnostic:
    assert flag is not None
    return warning(
        codes.INTERNAL_NOT_INSIDE,
        f"internal: true changes nothing here: {quoted(dest)} is not inside "
        f"{quoted(source)}, so the transition leaves {quoted(source)} as any "
        "transition does (only a transition into its own source's children, or "
        "into a deep history that may restore them, can stay in it); remove "
        "internal: true",
        flag.pos,
    )
