"""The statechart IR: the tree's views, and flat specs as one-level charts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from statechart_charts import Arrow, Node, chart_spec

from gubernator_gen.backend.statechart import compile_chart
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import Configuration, Phase
from gubernator_gen.compiler import CompileOptions, compile_path
from gubernator_gen.model import HistoryDepth, MachineSpec, NamedGuard

EXAMPLES = sorted(Path(__file__).parents[2].glob("examples/*/*.yaml"))


def _nested() -> MachineSpec:
    return chart_spec(
        [
            Node("A", [Node("A1", [Node("a"), Node("H", history=HistoryDepth.DEEP)])]),
            Node("B", [Node("b1"), Node("b2")], parallel=True),
        ],
        [Arrow("e", "a", "b2")],
    )


def test_the_tree_is_in_document_order_with_ancestors_innermost_first() -> None:
    tree = _nested().tree
    assert list(tree.order) == ["A", "A1", "a", "H", "B", "b1", "b2"]
    assert tree.ancestors("a") == ("A1", "A")
    assert tree.ancestors("a", upto="A") == ("A1",)
    assert tree.depths["H"] == 2 and tree.depths["B"] == 0
    assert tree.children[None] == ("A", "B")
    assert tree.is_descendant("a", "A") and not tree.is_descendant("A", "A")
    assert tree.is_descendant("b1", None)
    assert tree.sorted(["b2", "a", "A"]) == ("A", "a", "b2")


def test_a_very_deep_tree_needs_no_recursion() -> None:
    flat = chart_spec([Node(f"n{i}") for i in range(3000)], [])
    chain = tuple(
        replace(
            state,
            parent=f"n{i - 1}" if i else None,
            children=(f"n{i + 1}",) if i < 2999 else (),
        )
        for i, state in enumerate(flat.states)
    )
    spec = replace(flat, states=chain)
    assert spec.tree.depths["n2999"] == 2999
    assert len(spec.tree.ancestors("n2999")) == 2999


#: The examples written as statecharts; every other one is flat.
STATECHART_EXAMPLES = {
    "support_ticket",
    "deployment_pipeline",
    "order_management",
    "document_review",
}


def test_example_specs_are_flat_charts() -> None:
    """Every flat example is a tree of depth one (the statechart examples
    are the ones in ``STATECHART_EXAMPLES``)."""
    assert EXAMPLES
    assert {path.parent.name for path in EXAMPLES} >= STATECHART_EXAMPLES
    for path in EXAMPLES:
        spec = compile_path(path, CompileOptions(format=False, environ={})).spec
        assert spec is not None
        if path.parent.name in STATECHART_EXAMPLES:
            assert spec.is_statechart
        else:
            assert not spec.is_statechart
            tree = spec.tree
            assert list(tree.order) == [s.name for s in spec.states]
            assert all(tree.parents[s.name] is None for s in spec.states)
            assert all(not t.internal for t in spec.transitions)


FLAT_NAMES = ["A", "B", "C", "D"]


@st.composite
def flat_specs(draw: st.DrawFn) -> MachineSpec:
    names = FLAT_NAMES[: draw(st.integers(1, 4))]
    finals = draw(st.sets(st.sampled_from(names[1:] or ["-"])))
    top = [Node(n, final=n in finals) for n in names]
    sources = [n for n in names if n not in finals]
    arrows = []
    for _ in range(draw(st.integers(0, 6))):
        wildcard = draw(st.integers(0, 3)) == 0  # source: "*"
        guards = st.lists(st.sampled_from(["g0", "g1"]), max_size=2, unique=True)
        arrows.append(
            Arrow(
                draw(st.sampled_from(["go", "stop"])),
                tuple(sources) if wildcard else draw(st.sampled_from(sources)),
                draw(st.sampled_from(names)),
                tuple(draw(guards)),
                wildcard=wildcard,
            )
        )
    return chart_spec(top, arrows)


@settings(max_examples=150, deadline=None)
@given(flat_specs())
def test_a_flat_machine_tables_as_the_flat_dispatch_decides(spec: MachineSpec) -> None:
    """Per state: the candidates of docs/language.md#processing in the model's dispatch
    order
    (named sources before wildcards; up to the first unguarded one),
    each stepping from the state's on_exit through the transition's actions
    to the destination's on_enter."""
    tables = compile_chart(spec)
    assert isinstance(tables, ConfigurationTables) and tables.keyed_by_state
    dispatch = {
        state: {trigger: [t.index for t in found] for trigger, found in row}
        for state, row in spec.dispatch()
    }
    for key in tables.keys:
        (state,) = key.atomic
        assert key == Configuration((state,))
        expected = dispatch.get(state, {})
        cells = tables.cells[key]
        assert set(cells) == set(expected)
        for trigger, indices in expected.items():
            reachable: list[int] = []
            for index in indices:
                reachable.append(index)
                if not spec.transitions[index].guards:
                    break
            linear = cells[trigger].linear
            assert linear is not None
            assert [c.transition.index for c, _ in linear] == reachable
            for candidate, step in linear:
                transition = spec.transitions[candidate.transition.index]
                assert [(a.phase, a.name) for a in step.actions] == [
                    *((Phase.EXIT, n) for n in spec.state(state).on_exit),
                    *((Phase.TRANSITION, n) for n in transition.actions),
                    *((Phase.ENTER, n) for n in spec.state(transition.dest).on_enter),
                ]
                assert step.target == Configuration((transition.dest,))


def test_declarative_guard_items_make_a_candidate_guarded() -> None:
    spec = chart_spec(
        [Node("A"), Node("B")], [Arrow("go", "A", "B"), Arrow("go", "A", "A")]
    )
    guarded = replace(spec.transitions[0], guard_items=(NamedGuard("ready"),))
    spec = replace(spec, transitions=(guarded, spec.transitions[1]))
    tables = compile_chart(spec)
    assert isinstance(tables, ConfigurationTables)
    (offer,) = tables.cells[Configuration(("A",))]["go"].offers
    assert [c.transition.index for c in offer.candidates] == [0, 1]
    assert offer.candidates[0].guard_items == (NamedGuard("ready"),)
    assert offer.candidates[0].guarded and not offer.candidates[1].guarded
