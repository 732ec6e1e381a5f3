"""Statechart specs for the tests: a small builder and a hypothesis strategy.

:func:`chart_spec` turns a nested description into a :class:`MachineSpec`
as the phase-2 front end will (parent, children, initial child, history,
parallel, always/after, internal). :func:`random_charts` draws random
charts: depth at most four, compound and parallel states, shallow and deep
history with defaults, final children and their ``done.state`` events,
internal, eventless and delayed transitions. Every state enters and exits
with its own action (``in:S`` / ``out:S``) and every transition has its own
action, so comparing action lists compares the exact order.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.expressions import INT
from gubernator_gen.expressions.nodes import (
    ArithOp,
    BinOp,
    Expr,
    FieldRead,
    InState,
    Literal,
    Not,
)
from gubernator_gen.model import (
    EMPTY_METADATA,
    Assignment,
    ContextField,
    ContextType,
    DelayedTransition,
    ErrorPolicy,
    EventlessTransition,
    ExpressionGuard,
    GuardItem,
    HistoryDepth,
    MachineSpec,
    NamedGuard,
    NamedType,
    State,
    StateKind,
    Transition,
)

EVENTS = ("e0", "e1")
GUARDS = ("g0", "g1", "g2")


def _pos(line: int) -> SourcePos:
    return SourcePos("chart.yaml", line, 1)


@dataclass
class Node:
    """A state of a chart under construction (children in document order)."""

    name: str
    children: list[Node] = field(default_factory=list)
    initial: str | None = None
    parallel: bool = False
    final: bool = False
    history: HistoryDepth | None = None
    default: str | None = None
    always: list[tuple[str, tuple[str, ...], bool]] = field(default_factory=list)
    after: list[tuple[float, str, tuple[str, ...]]] = field(default_factory=list)
    #: Per ``after`` entry, an ``in_state`` test after its guards (or none).
    after_tests: dict[int, tuple[str, bool]] = field(default_factory=dict)
    #: Per ``always`` entry, an ``in_state`` test after its guards (or none).
    always_tests: dict[int, tuple[str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class Arrow:
    """A transition: trigger, sources, dest, guards, internal."""

    trigger: str
    source: str | tuple[str, ...]
    dest: str
    guards: tuple[str, ...] = ()
    internal: bool = False
    wildcard: bool = False
    #: A guard expression ``in_state(S)`` (``not in_state(S)`` when the flag
    #: is true) after the named guards.
    state_test: tuple[str, bool] | None = None
    #: The named guards are negated (``{not: g}``).
    negated: bool = False
    #: ``assign`` one context field (``f0`` or ``f1``) the transition's index.
    assigns: bool = False


def _state_test(test: tuple[str, bool]) -> ExpressionGuard:
    """The guard item ``in_state(S)`` or ``not in_state(S)``."""
    name, negated = test
    expr: Expr = InState(name)
    text = f"in_state({name!r})"
    if negated:
        expr, text = Not(expr), f"not {text}"
    return ExpressionGuard(expr, text)


def _items(
    guards: tuple[str, ...], test: tuple[str, bool] | None, negated: bool = False
) -> tuple[GuardItem, ...]:
    """Guard items: none for plain named guards alone."""
    if test is None and not negated:
        return ()
    named = tuple(NamedGuard(g, negated=negated) for g in guards)
    return named if test is None else (*named, _state_test(test))


#: The context fields random ``assign`` entries set.
FIELDS = ("f0", "f1")


def _assign(arrow: Arrow, index: int) -> tuple[Assignment, ...]:
    """``f<index % 2>: index``; every third transition adds the other
    field's value instead (``f1: f0 + 3``), so that what a value sees of
    the updates before it shows."""
    if not arrow.assigns:
        return ()
    value: Expr = Literal(index, INT)
    text = str(index)
    if index % 3 == 0:
        other = FIELDS[(index + 1) % 2]
        value = BinOp(FieldRead(other, INT), ArithOp.ADD, value, INT)
        text = f"{other} + {index}"
    return (Assignment(FIELDS[index % 2], value, text),)


def _state(node: Node, parent: str | None, first: str, line: int) -> State:
    kind = StateKind.STABLE
    if node.final:
        kind = StateKind.TERMINAL
    elif parent is None and node.name == first:
        kind = StateKind.INITIAL
    return State(
        name=node.name,
        kind=kind,
        description="",
        on_enter=() if node.history else (f"in:{node.name}",),
        on_exit=() if node.history else (f"out:{node.name}",),
        timeout=None,
        metadata=EMPTY_METADATA,
        pos=_pos(line),
        parent=parent,
        children=tuple(c.name for c in node.children),
        initial=node.initial,
        parallel=node.parallel,
        history=node.history,
        history_default=node.default,
        always=tuple(
            EventlessTransition(
                dest,
                guards,
                (f"always:{node.name}:{i}",),
                internal,
                guard_items=_items(guards, node.always_tests.get(i)),
            )
            for i, (dest, guards, internal) in enumerate(node.always)
        ),
        after=tuple(
            DelayedTransition(
                seconds,
                dest,
                guards,
                (f"after:{node.name}:{i}",),
                guard_items=_items(guards, node.after_tests.get(i)),
            )
            for i, (seconds, dest, guards) in enumerate(node.after)
        ),
    )


def chart_spec(
    top: Sequence[Node], arrows: Sequence[Arrow], initial: str | None = None
) -> MachineSpec:
    """The :class:`MachineSpec` of the tree ``top`` and the transitions ``arrows``.

    ``initial`` is the top-level initial state (default: the first).
    """
    states: list[State] = []
    first = initial or top[0].name
    pending: list[tuple[Node, str | None]] = [(n, None) for n in reversed(top)]
    while pending:
        node, parent = pending.pop()
        states.append(_state(node, parent, first, len(states) + 1))
        pending.extend((c, node.name) for c in reversed(node.children))
    transitions = tuple(
        Transition(
            index=i,
            trigger=a.trigger,
            sources=(a.source,) if isinstance(a.source, str) else a.source,
            dest=a.dest,
            guards=a.guards,
            actions=(f"t{i}",),
            description="",
            metadata=EMPTY_METADATA,
            pos=_pos(1000 + i),
            internal=a.internal,
            wildcard=a.wildcard,
            guard_items=_items(a.guards, a.state_test, a.negated),
            assign=_assign(a, i),
        )
        for i, a in enumerate(arrows)
    )
    context = None
    if any(a.assigns for a in arrows):
        context = tuple(
            ContextField(name, NamedType(ContextType.INT), False, _pos(1))
            for name in FIELDS
        )
    digest = hashlib.sha256(repr((top, arrows)).encode()).hexdigest()
    return MachineSpec(
        source_name="chart.yaml",
        name="chart",
        version="1.0.0",
        strict_mode=True,
        description="",
        class_name=None,
        context=context,
        states=tuple(states),
        transitions=transitions,
        error_policy=ErrorPolicy(),
        spec_sha256=digest,
        pos=_pos(1),
        name_pos=_pos(1),
    )


# -- random charts -------------------------------------------------------------


class _Names:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"s{self.count}"


@dataclass(frozen=True)
class Features:
    """What random charts may use (all of it by default)."""

    parallel: bool = True
    history: bool = True
    delayed: bool = True
    #: Eventless transitions with guards (unguarded ones are always drawn).
    guarded_eventless: bool = True
    #: The most ``always:`` transitions in one chart.
    eventless: int = 3
    #: Transitions guarded by ``in_state`` tests too.
    in_state: bool = False
    #: Transitions with ``assign`` (``done.state`` ones taken in later
    #: microsteps of a step among them).
    assign: bool = False


ALL_FEATURES = Features()
#: What generated modules run keyed by state: compound states, final
#: children and their done.state events, internal transitions, eventless
#: transitions with and without guards.
COMPOUND_ONLY = Features(parallel=False, history=False, delayed=False, eventless=2)
#: What generated modules run on configurations: history and parallel too.
CONFIGURED = Features(delayed=False, eventless=2)
#: Compound charts with ``after:`` entries (on any state, guards allowed).
COMPOUND_DELAYED = dataclasses.replace(COMPOUND_ONLY, delayed=True)
#: Charts on configurations with ``after:`` entries.
CONFIGURED_DELAYED = dataclasses.replace(CONFIGURED, delayed=True)
#: Compound charts whose transitions also ``assign`` (see also
#: :func:`finishing_charts`).
COMPOUND_ASSIGN = dataclasses.replace(COMPOUND_ONLY, assign=True)
#: Compound charts whose transitions also test states (``in_state``).
COMPOUND_IN_STATE = dataclasses.replace(COMPOUND_ONLY, in_state=True)
#: Compound charts with ``after:`` entries, transitions and entries also
#: testing states.
COMPOUND_DELAYED_IN_STATE = dataclasses.replace(COMPOUND_DELAYED, in_state=True)
#: Charts with history and parallel states whose transitions also test
#: states (``in_state``).
CONFIGURED_IN_STATE = dataclasses.replace(CONFIGURED, in_state=True)
#: The same with ``after:`` entries.
CONFIGURED_DELAYED_IN_STATE = dataclasses.replace(CONFIGURED_IN_STATE, delayed=True)


@st.composite
def _tree(
    draw: st.DrawFn,
    names: _Names,
    depth: int,
    region: bool = False,
    shape: str = "atomic",
    features: Features = ALL_FEATURES,
) -> Node:
    """One state and its subtree; ``depth`` counts down to zero; ``shape``
    forces the state's own shape (else drawn)."""
    node = Node(names.next())
    if shape == "atomic" and depth > 0 and names.count < 16:
        weights = ["atomic", "atomic", "compound", "compound"]
        if features.parallel:
            weights.append("parallel")
        shape = draw(st.sampled_from(weights))
    if shape == "compound":
        count = draw(st.integers(1, 3))
        node.children = [
            draw(_tree(names, depth - 1, features=features)) for _ in range(count)
        ]
        if draw(st.integers(0, 3)) == 0:
            node.children.append(Node(names.next(), final=True))
        states = list(node.children)
        node.initial = draw(st.sampled_from([c.name for c in states]))
        if features.history and draw(st.booleans()):
            depth_kind = draw(st.sampled_from(list(HistoryDepth)))
            if depth_kind is HistoryDepth.SHALLOW:
                choices = [c.name for c in states]
            else:
                choices = [d.name for c in states for d in _walk(c) if not d.history]
            default = draw(st.sampled_from(choices)) if draw(st.booleans()) else None
            at = draw(st.integers(0, len(node.children)))
            node.children.insert(
                at, Node(names.next(), history=depth_kind, default=default)
            )
    elif shape == "parallel" and not region:
        count = draw(st.integers(2, 3))
        node.parallel = True
        node.children = [
            draw(_tree(names, depth - 1, region=True, features=features))
            for _ in range(count)
        ]
    return node


def _state_tests(states: list[Node]) -> st.SearchStrategy[tuple[str, bool] | None]:
    """Half the time no test, else ``in_state`` of a state, maybe negated."""
    tests = st.tuples(st.sampled_from([n.name for n in states]), st.booleans())
    return st.one_of(st.none(), tests)


def _walk(node: Node) -> list[Node]:
    found = [node]
    for child in node.children:
        found.extend(_walk(child))
    return found


def _entries(
    draw: st.DrawFn,
    by_name: dict[str, Node],
    sources: list[str],
    targets: list[str],
    eventless: bool,
    features: Features,
) -> None:
    """Draw the ``always:`` and ``after:`` entries of a random chart's states."""
    states = list(by_name.values())
    containers = [n.name for n in states if n.children]
    guard_lists = st.lists(st.sampled_from(GUARDS), max_size=2, unique=True).map(tuple)
    if eventless:
        for _ in range(draw(st.integers(0, features.eventless))):
            owner = by_name[draw(st.sampled_from(sources))]
            guards = draw(
                st.lists(st.sampled_from(GUARDS), min_size=1, max_size=2, unique=True)
            )
            unguarded = not features.guarded_eventless or draw(st.integers(0, 9)) == 0
            owner.always.append(
                (
                    draw(st.sampled_from(targets)),
                    () if unguarded else tuple(guards),
                    draw(st.booleans()),
                )
            )
            # in_state asked inside a step (a resume cell, decided there)
            test = (
                draw(_state_tests(states)) if features.in_state and containers else None
            )
            if test is not None:
                owner.always_tests[len(owner.always) - 1] = test
    for _ in range(draw(st.integers(0, 2)) if features.delayed else 0):
        owner = by_name[draw(st.sampled_from(sources))]
        owner.after.append(
            (
                draw(st.sampled_from([1, 2.5, 60])),
                draw(st.sampled_from(targets)),
                draw(guard_lists),
            )
        )
        test = draw(_state_tests(states)) if features.in_state and containers else None
        if test is not None:
            owner.after_tests[len(owner.after) - 1] = test


@st.composite
def random_charts(
    draw: st.DrawFn, eventless: bool = True, features: Features = ALL_FEATURES
) -> MachineSpec:
    """A random chart: depth at most four, every statechart feature in play
    (those ``features`` allow)."""
    names = _Names()
    # A third of the charts start with a parallel state, so that regions
    # often answer the same event (conflicts, several transitions at once).
    shapes = ["atomic", "atomic", "parallel" if features.parallel else "compound"]
    first = draw(st.sampled_from(shapes))
    top = [draw(_tree(names, 3, shape=first, features=features))]
    top += [
        draw(_tree(names, 3, features=features)) for _ in range(draw(st.integers(0, 2)))
    ]
    if draw(st.integers(0, 3)) == 0:
        top.append(Node(names.next(), final=True))
    nodes = [n for t in top for n in _walk(t)]
    states = [n for n in nodes if not n.history]
    sources = [n.name for n in states if not n.final]
    # Atomic states twice: transitions from them meet in parallel regions.
    sources += [n.name for n in states if not n.final and not n.children]
    targets = [n.name for n in nodes] + [n.name for n in nodes if n.final or n.history]
    containers = [n.name for n in states if n.children]
    triggers = list(EVENTS) + [f"done.state.{c}" for c in containers]
    guard_lists = st.lists(st.sampled_from(GUARDS), max_size=2, unique=True).map(tuple)
    one_or_two = st.lists(st.sampled_from(sources), min_size=1, max_size=2, unique=True)
    siblings = {c.name: [d.name for d in n.children] for n in nodes for c in n.children}
    arrows = []
    for _ in range(draw(st.integers(2, 12))):
        sources_drawn = tuple(draw(one_or_two))
        # Half the transitions stay among the source's siblings, so that
        # regions of a parallel state move together without conflict.
        local = siblings.get(sources_drawn[0])
        pool = local if local and draw(st.booleans()) else targets
        arrows.append(
            Arrow(
                draw(st.sampled_from(triggers)),
                sources_drawn,
                draw(st.sampled_from(pool)),
                draw(guard_lists),
                draw(st.booleans()),
                state_test=(
                    # in_state belongs to statecharts (a flat one is GG323)
                    draw(_state_tests(states))
                    if features.in_state and containers
                    else None
                ),
                assigns=features.assign and draw(st.booleans()),
            )
        )
    _entries(draw, {n.name: n for n in states}, sources, targets, eventless, features)
    return chart_spec(
        top,
        arrows,
        initial=draw(
            st.sampled_from([t.name for t in top if not t.final] or [top[0].name])
        ),
    )


def describe(spec: MachineSpec) -> str:
    """A compact text of a chart, for failure reports."""
    lines = []
    for state in spec.states:
        depth = 0
        parent = state.parent
        while parent is not None:
            depth += 1
            parent = spec.state(parent).parent
        flags = []
        if state.parallel:
            flags.append("parallel")
        if state.history:
            flags.append(
                f"history={state.history.value} default={state.history_default}"
            )
        if state.is_terminal:
            flags.append("final")
        if state.initial:
            flags.append(f"initial={state.initial}")
        if state.kind is StateKind.INITIAL:
            flags.append("INITIAL")
        flags.extend(
            f"always->{a.dest}{list(a.guards)}"
            f"{[i.text for i in a.guard_items if isinstance(i, ExpressionGuard)]}"
            f"{'i' if a.internal else ''}"
            for a in state.always
        )
        flags.extend(
            f"after{a.seconds}->{a.dest}{list(a.guards)}"
            f"{[i.text for i in a.guard_items if isinstance(i, ExpressionGuard)]}"
            for a in state.after
        )
        lines.append("  " * depth + state.name + " " + " ".join(flags))
    for t in spec.transitions:
        tests = [i.text for i in t.guard_items if isinstance(i, ExpressionGuard)]
        lines.append(
            f"t{t.index}: {','.join(t.sources)} --{t.trigger}{list(t.guards)}"
            f"{tests if tests else ''}"
            f"{' internal' if t.internal else ''}--> {t.dest}"
        )
    return "\n".join(lines)


class Shown:
    """A chart whose ``repr`` is :func:`describe`, so failures print readably."""

    def __init__(self, spec: MachineSpec) -> None:
        self.spec = spec

    def __repr__(self) -> str:
        return "\n" + describe(self.spec)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@st.composite
def history_charts(draw: st.DrawFn) -> MachineSpec:
    """A compound state with a history (mostly deep) whose children and
    leaves take transitions, often internal, into it: the domain then
    depends on where the record or the default lies (inside the source or
    not); half the time the state is a region of a parallel state."""
    names = _Names()
    owner = Node(names.next())
    for _ in range(draw(st.integers(2, 3))):
        child = Node(names.next())
        child.children = [Node(names.next()) for _ in range(draw(st.integers(1, 2)))]
        if draw(st.booleans()):
            inner = Node(names.next(), [Node(names.next()), Node(names.next())])
            child.children.append(inner)
        owner.children.append(child)
    inside = [n for c in owner.children for n in _walk(c)]
    depth = draw(st.sampled_from([HistoryDepth.DEEP] * 3 + [HistoryDepth.SHALLOW]))
    choices = inside if depth is HistoryDepth.DEEP else owner.children
    default = None
    if draw(st.booleans()):
        default = draw(st.sampled_from([n.name for n in choices]))
    history = Node(names.next(), history=depth, default=default)
    owner.children.insert(draw(st.integers(0, len(owner.children))), history)
    outside = Node(names.next())
    top = [owner, outside]
    if draw(st.booleans()):
        other = Node(names.next(), [Node(names.next()), Node(names.next())])
        top = [Node(names.next(), [owner, other], parallel=True), outside]
    sources = [n.name for n in inside]
    targets = [history.name] * 3 + sources + [outside.name, owner.name]
    arrows = [
        Arrow(
            draw(st.sampled_from(EVENTS)),
            draw(st.sampled_from(sources)),
            draw(st.sampled_from(targets)),
            tuple(draw(st.lists(st.sampled_from(GUARDS), max_size=1))),
            draw(st.integers(0, 3)) > 0,
        )
        for _ in range(draw(st.integers(2, 8)))
    ]
    arrows.append(Arrow("e1", top[0].name, outside.name, ("g0",)))
    arrows.append(Arrow("e0", outside.name, history.name))
    return chart_spec(top, arrows)


@st.composite
def parallel_charts(
    draw: st.DrawFn, in_state: bool = False, forms: bool = False
) -> MachineSpec:
    """A parallel state whose regions answer the same events: conflicts,
    several transitions in one microstep, regions finishing together;
    ``in_state`` draws ``in_state`` tests on transitions too, ``forms``
    negated guards and ``assign``."""
    names = _Names()
    regions = []
    for _ in range(draw(st.integers(2, 3))):
        region = Node(names.next())
        region.children = [Node(names.next()) for _ in range(draw(st.integers(2, 3)))]
        if draw(st.booleans()):
            region.children.append(Node(names.next(), final=True))
        if draw(st.booleans()):
            region.children.append(
                Node(names.next(), history=draw(st.sampled_from(list(HistoryDepth))))
            )
        regions.append(region)
    parallel = Node(names.next(), regions, parallel=True)
    other = Node(names.next())
    top = [parallel, other]
    inner = {c.name: r for r in regions for c in r.children if not c.history}
    leaves = [c.name for r in regions for c in r.children if not (c.history or c.final)]
    tested = [n for t in top for n in _walk(t) if not n.history]
    arrows = []
    for _ in range(draw(st.integers(2, 10))):
        source = draw(st.sampled_from([*leaves, *leaves, parallel.name]))
        region = inner.get(source)
        pool = [c.name for c in region.children] if region else [other.name]
        if draw(st.integers(0, 4)) == 0:
            pool = [other.name, parallel.name, *(r.name for r in regions)]
        arrows.append(
            Arrow(
                draw(st.sampled_from(["e0", "e1", f"done.state.{parallel.name}"])),
                source,
                draw(st.sampled_from(pool)),
                tuple(draw(st.lists(st.sampled_from(GUARDS), max_size=1))),
                draw(st.booleans()),
                state_test=draw(_state_tests(tested)) if in_state else None,
                negated=forms and draw(st.booleans()),
                assigns=forms and draw(st.booleans()),
            )
        )
    arrows.append(Arrow("e1", other.name, parallel.name))
    return chart_spec(top, arrows)


@st.composite
def finishing_charts(
    draw: st.DrawFn, parallel: bool = False, delayed: bool = False
) -> MachineSpec:
    """Compound states nested in a chain, each with a final child, whose
    ``done.state`` transitions (guarded or not, with ``assign`` or not)
    move on: steps of several microsteps that assign, folded at build time
    or continued in resume cells. ``parallel`` makes the outermost state
    parallel (two regions finishing, one event answered by both);
    ``delayed`` adds ``after:`` entries into final children."""
    names = _Names()
    chain = [Node(names.next()) for _ in range(draw(st.integers(1, 3)))]
    for outer, inner in zip(chain, [*chain[1:], None], strict=True):
        outer.children = [Node(names.next()), Node(names.next())]
        if inner is not None:
            outer.children.append(inner)
        outer.children.append(Node(names.next(), final=True))
    top = [chain[0], Node(names.next())]
    if parallel:
        second = Node(names.next())
        second.children = [Node(names.next()), Node(names.next(), final=True)]
        top[0] = Node(names.next(), [chain[0], second], parallel=True)
    containers = [n for t in top for n in _walk(t) if n.children]
    parents = {c.name: n for n in containers for c in n.children}
    arrows = []
    for node in containers:
        final = node.children[-1].name
        if not node.parallel:  # into the final child, from the atomic ones
            for child in node.children[:2]:
                arrows.append((draw(st.sampled_from(EVENTS)), child.name, final))
        parent = parents.get(node.name)
        leaving = [top[-1].name] if parent is None else []
        if parent is not None and not parent.parallel:
            leaving = [parent.children[-1].name, parent.children[0].name]
        if leaving:
            arrows.append(
                (f"done.state.{node.name}", node.name, draw(st.sampled_from(leaving)))
            )
    arrows.append(("e1", top[-1].name, top[0].name))
    if delayed:
        first = chain[-1].children[0]
        first.after.append((1, chain[-1].children[-1].name, ()))
    return chart_spec(
        top,
        [
            Arrow(
                trigger,
                source,
                dest,
                tuple(draw(st.lists(st.sampled_from(GUARDS), max_size=1))),
                assigns=draw(st.booleans()),
            )
            for trigger, source, dest in arrows
        ],
    )
