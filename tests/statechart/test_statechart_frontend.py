"""YAML statecharts build the IR that the phase-1 test builder builds.

Random charts of :mod:`statechart_charts` (nested, parallel and history
states, internal, eventless and delayed transitions, final children,
``done.state`` triggers) are written out as spec YAML and read back by the
front end; the model must equal the builder's, positions aside. The few
ways the two differ on purpose are normalised here, each with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statechart_charts import Arrow, Node, Shown, chart_spec, parallel_charts
from statechart_charts import random_charts as drawn_charts

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.frontend import read_spec_text
from gubernator_gen.model import (
    DelayedTransition,
    EventlessTransition,
    MachineSpec,
    NamedGuard,
    State,
    StateKind,
    Transition,
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
_POS = SourcePos("spec", 1, 1)
_DONE = "done.state."


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _identifier(action: str) -> str:
    """The builder's action names (``in:s1``) as the identifiers specs need."""
    return "".join(c if c.isalnum() else "_" for c in action)


# -- the model as YAML -----------------------------------------------------------


def render(spec: MachineSpec) -> str:
    """The spec text of ``spec`` (a chart without wildcards)."""
    lines = [
        "meta:",
        f"  machine_name: {_q(spec.name)}",
        f"  version: {_q(spec.version)}",
        "states:",
    ]
    initial = spec.initial_state
    unmarked = initial.parallel  # its type is parallel: it starts as the first
    pending = [(s.name, 1) for s in reversed(spec.states) if s.parent is None]
    while pending:
        name, depth = pending.pop()
        state = spec.state(name)
        lines.extend(_state(state, "  " * depth, marked=state is initial))
        if state.children:
            lines.append("  " * depth + "  states:")
            pending.extend((c, depth + 1) for c in reversed(state.children))
    assert not unmarked or spec.states[0] is initial
    lines.append("transitions:")
    for transition in spec.transitions:
        lines.extend(_transition(transition))
    if not spec.transitions:
        lines[-1] += " []"
    return "\n".join(lines) + "\n"


def _state(state: State, pad: str, *, marked: bool) -> Iterator[str]:
    yield f"{pad}- name: {_q(state.name)}"
    if state.parallel:
        yield f"{pad}  type: parallel"
    elif state.history is not None:
        yield f"{pad}  type: history"
        yield f"{pad}  history: {state.history.value}"
    elif state.kind is StateKind.TERMINAL:
        yield f"{pad}  type: terminal"
    elif marked:
        yield f"{pad}  type: initial"
    if state.history_default is not None:
        yield f"{pad}  default: {_q(state.history_default)}"
    if state.initial is not None:
        yield f"{pad}  initial: {_q(state.initial)}"
    for key, names in (("on_enter", state.on_enter), ("on_exit", state.on_exit)):
        if names:
            yield f"{pad}  {key}: [{', '.join(_identifier(n) for n in names)}]"
    for key, edges in (("always", state.always), ("after", state.after)):
        if edges:
            yield f"{pad}  {key}:"
            for edge in edges:
                yield from _edge(edge, pad + "    ")


def _edge(edge: EventlessTransition | DelayedTransition, pad: str) -> Iterator[str]:
    first = "- "
    if isinstance(edge, DelayedTransition):
        yield f"{pad}- seconds: {edge.seconds!r}"
        first = "  "
    yield f"{pad}{first}dest: {_q(edge.dest)}"
    yield from _common(edge.guards, edge.actions, edge.internal, pad + "  ")


def _transition(transition: Transition) -> Iterator[str]:
    yield f"  - trigger: {_q(transition.trigger)}"
    yield f"    source: [{', '.join(_q(s) for s in transition.sources)}]"
    yield f"    dest: {_q(transition.dest)}"
    yield from _common(
        transition.guards, transition.actions, transition.internal, "    "
    )


def _common(
    guards: tuple[str, ...], actions: tuple[str, ...], internal: bool, pad: str
) -> Iterator[str]:
    if guards:
        yield f"{pad}guards: [{', '.join(guards)}]"
    if actions:
        yield f"{pad}actions: [{', '.join(_identifier(a) for a in actions)}]"
    if internal:
        yield f"{pad}internal: true"


# -- what the front end is expected to build -----------------------------------


def expected(spec: MachineSpec) -> MachineSpec:
    """The builder's model as the front end builds it, positions aside.

    The front end resolves a compound state's initial child (the builder
    leaves it unset for the first), reads guard names as guard items too,
    and gets identifiers for actions; and a parallel state the machine
    starts in comes first, where the language can say so.
    """
    states = []
    for state in spec.states:
        children = [c for c in state.children if not spec.state(c).is_history]
        initial = state.initial
        if initial is None and children and not state.parallel:
            initial = children[0]
        states.append(
            replace(
                state,
                pos=_POS,
                initial=initial,
                on_enter=tuple(map(_identifier, state.on_enter)),
                on_exit=tuple(map(_identifier, state.on_exit)),
                always=tuple(_normal_edge(e) for e in state.always),
                after=tuple(_normal_edge(e) for e in state.after),
            )
        )
    transitions = tuple(
        replace(
            t,
            pos=_POS,
            actions=tuple(map(_identifier, t.actions)),
            guard_items=tuple(NamedGuard(g) for g in t.guards),
        )
        for t in spec.transitions
    )
    return _positionless(
        replace(spec, states=_initial_first(tuple(states)), transitions=transitions)
    )


def _normal_edge(
    edge: EventlessTransition | DelayedTransition,
) -> EventlessTransition | DelayedTransition:
    return replace(
        edge,
        pos=_POS,
        actions=tuple(map(_identifier, edge.actions)),
        guard_items=tuple(NamedGuard(g) for g in edge.guards),
    )


def _initial_first(states: tuple[State, ...]) -> tuple[State, ...]:
    """A parallel initial state's subtree moved to the front (top level)."""
    initial = next(s for s in states if s.kind is StateKind.INITIAL)
    if not initial.parallel:
        return states
    start = states.index(initial)
    end = next(
        (i for i in range(start + 1, len(states)) if states[i].parent is None),
        len(states),
    )
    return states[start:end] + states[:start] + states[end:]


def _positionless(spec: MachineSpec) -> MachineSpec:
    return replace(
        spec,
        states=tuple(
            replace(
                s,
                pos=_POS,
                always=tuple(replace(e, pos=_POS) for e in s.always),
                after=tuple(replace(e, pos=_POS) for e in s.after),
            )
            for s in spec.states
        ),
        transitions=tuple(replace(t, pos=_POS) for t in spec.transitions),
        pos=_POS,
        name_pos=_POS,
        machine_name_pos=None,
        spec_sha256="",
        source_name="chart.yaml",
    )


def read_back(text: str) -> MachineSpec:
    """The model of ``text``, which must give no error."""
    result = read_spec_text(text, path="chart.yaml")
    errors = [d.format() for d in result.diagnostics if d.is_error]
    assert not errors, errors
    assert result.spec is not None
    return _positionless(result.spec)


def unshadowed(spec: MachineSpec) -> MachineSpec:
    """``spec`` without what can never fire, which the language refuses (GG309).

    The random charts may list an unguarded transition before another with
    the same source and trigger, or an unguarded ``always:`` entry before
    another; the later one goes (the rest renumbered).
    """
    unguarded: set[tuple[str, str]] = set()
    kept: list[Transition] = []
    for transition in spec.transitions:
        cells = [(source, transition.trigger) for source in transition.sources]
        if any(cell in unguarded for cell in cells):
            continue
        if not transition.guards:
            unguarded.update(cells)
        kept.append(replace(transition, index=len(kept)))
    states = []
    for state in spec.states:
        always = list(state.always)
        first = next((i for i, e in enumerate(always) if not e.guards), None)
        if first is not None:
            always = always[: first + 1]
        states.append(replace(state, always=tuple(always)))
    return replace(spec, states=tuple(states), transitions=tuple(kept))


def _check(spec: MachineSpec) -> None:
    spec = unshadowed(spec)
    text = render(_initial_first_spec(spec))
    assert read_back(text) == expected(spec), text


def _initial_first_spec(spec: MachineSpec) -> MachineSpec:
    return replace(spec, states=_initial_first(spec.states))


@SETTINGS
@given(drawn_charts().map(Shown))
def test_random_charts_read_back_as_the_builder_builds_them(shown: Shown) -> None:
    _check(shown.spec)


@SETTINGS
@given(parallel_charts().map(Shown))
def test_parallel_charts_read_back_as_the_builder_builds_them(shown: Shown) -> None:
    _check(shown.spec)


# -- hostile names ---------------------------------------------------------------

# Printable text that YAML carries in a double-quoted scalar; a name has no
# space at either end (docs/language.md#names) and "*" alone is the wildcard.
_NAME = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn")),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda name: name not in ("", "*"))
)


def _renamed(spec: MachineSpec, names: list[str]) -> MachineSpec:
    """``spec`` with its states renamed to ``names`` (triggers follow)."""
    mapping = dict(zip((s.name for s in spec.states), names, strict=False))

    def name(old: str | None) -> str | None:
        return None if old is None else mapping[old]

    def trigger(old: str) -> str:
        if old.startswith(_DONE) and old[len(_DONE) :] in mapping:
            return _DONE + mapping[old[len(_DONE) :]]
        return old

    return replace(
        spec,
        states=tuple(
            replace(
                s,
                name=mapping[s.name],
                parent=name(s.parent),
                children=tuple(mapping[c] for c in s.children),
                initial=name(s.initial),
                history_default=name(s.history_default),
                always=tuple(replace(e, dest=mapping[e.dest]) for e in s.always),
                after=tuple(replace(e, dest=mapping[e.dest]) for e in s.after),
            )
            for s in spec.states
        ),
        transitions=tuple(
            replace(
                t,
                trigger=trigger(t.trigger),
                sources=tuple(mapping[s] for s in t.sources),
                dest=mapping[t.dest],
            )
            for t in spec.transitions
        ),
    )


@SETTINGS
@given(st.data())
def test_hostile_names_in_nested_states_read_back_exactly(data: st.DataObject) -> None:
    spec = data.draw(drawn_charts(eventless=False).map(Shown)).spec
    names = data.draw(
        st.lists(
            _NAME,
            min_size=len(spec.states),
            max_size=len(spec.states),
            unique_by=str.casefold,
        )
    )
    _check(_renamed(spec, names))


def test_a_hand_written_chart_reads_back() -> None:
    spec = chart_spec(
        [
            Node("idle"),
            Node(
                "busy",
                [
                    Node('it\'s "quoted"', always=[("done", ("g0",), False)]),
                    Node("#not a comment: x", after=[(2.5, "idle", ())]),
                    Node("H*", history=None),
                ],
                initial="#not a comment: x",
            ),
            Node("done", final=True),
        ],
        [Arrow("go", "idle", "busy"), Arrow("done.state.busy", "busy", "done")],
    )
    _check(spec)
