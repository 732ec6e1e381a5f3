"""Random statecharts with hostile names: the diagrams keep their structure.

Charts come from the statechart differential test's strategies (depth up
to four; compound, parallel, shallow and deep history with defaults, final
children, ``done.state`` triggers, internal, eventless and delayed
transitions). Every state, trigger and description is then replaced by
text that breaks naive diagram syntax: quotes, braces, ``--``, ``%%``,
``-->``, ``[*]``, ``:``, ``;``, ``#``, backslashes, newlines, Mermaid
keywords and the ids Mermaid gives nodes of its own. The Mermaid text must
read back with every state declared in the block of its parent; Graphviz
must draw the DOT text without a warning, with each node in the clusters
of its ancestors.
"""

from __future__ import annotations

from collections import Counter

from graph_checks import (
    dot_clusters,
    dot_problems,
    needs_graphviz,
    read_mermaid,
)
from graph_strategies import hostile_charts
from hypothesis import HealthCheck, given, settings
from statechart_charts import Shown

from gubernator_gen.driver.graph import to_dot, to_mermaid
from gubernator_gen.driver.graph_layout import (
    edges,
    initial_child,
    is_container,
    regions,
)
from gubernator_gen.driver.graph_text import dot_id, mermaid_ids
from gubernator_gen.model import HistoryDepth, MachineSpec


def _expected_edges(spec: MachineSpec, ids: dict[str, str]) -> Counter[tuple[str, str]]:
    """Every edge the model asks for, as Mermaid ids (the wildcard excepted)."""
    found: Counter[tuple[str, str]] = Counter()
    for transition in spec.transitions:
        if not transition.wildcard:
            found.update((ids[s], ids[transition.dest]) for s in transition.sources)
    for state in spec.states:
        found.update(
            (ids[state.name], ids[a.dest]) for a in (*state.always, *state.after)
        )
        if state.timeout is not None:
            found[(ids[state.name], ids[state.timeout.destination])] += 1
        if state.history is not None:
            default = state.history_default or initial_child(spec, state.parent)
            if default is not None:
                found[(ids[state.name], ids[default])] += 1
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=hostile_charts())
def test_mermaid_of_any_chart_reads_back_nested_as_the_model(spec: MachineSpec) -> None:
    text = to_mermaid(spec)
    assert text == to_mermaid(spec)  # deterministic
    shape = read_mermaid(text)
    ids = mermaid_ids(spec)
    assert len(set(ids.values())) == len(ids)
    assert set(shape.declared) - {"any_state"} <= set(ids.values())
    for state in spec.states:
        state_id = ids[state.name]
        outer = [ids[a] for a in reversed(spec.tree.ancestors(state.name))]
        place = shape.declared[state_id]
        assert [block for block, _area in place] == outer, Shown(spec)
        parent = None if state.parent is None else spec.state(state.parent)
        if parent is not None and parent.parallel:
            area = 0 if state.history else regions(spec, parent).index(state.name)
            assert place[-1][1] == area, Shown(spec)
        if state.history is not None:
            expected = "H" if state.history is HistoryDepth.SHALLOW else "H*"
            assert shape.labels[state_id] == expected
        if is_container(state):
            block = shape.blocks[state_id]
            if state.parallel:
                assert block.areas == max(1, len(regions(spec, state)))
                assert block.starts == []
            else:
                assert block.areas == 1
                assert block.starts == [ids[initial_child(spec, state.name) or ""]]
    drawn = Counter((source, dest) for source, dest, _label, _at in shape.edges)
    drawn.pop(("any_state", ""), None)
    wildcard_edges = sum(t.wildcard for t in spec.transitions)
    assert (
        sum(source == "any_state" for source, _ in drawn.elements()) == wildcard_edges
    )
    drawn = Counter({k: v for k, v in drawn.items() if k[0] != "any_state"})
    assert drawn == _expected_edges(spec, ids)
    assert len(shape.edges) == len(edges(spec))


@needs_graphviz
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=hostile_charts())
def test_graphviz_draws_any_chart_with_nodes_in_their_clusters(
    spec: MachineSpec,
) -> None:
    text = to_dot(spec)
    assert dot_problems(text) == [], Shown(spec)
    clusters = dot_clusters(text)
    index = {state.name: i for i, state in enumerate(spec.states)}
    for state in spec.states:
        if is_container(state):
            continue
        expected = {f"cluster_{index[a]}" for a in spec.tree.ancestors(state.name)}
        parent = None if state.parent is None else spec.state(state.parent)
        if parent is not None and parent.parallel and state.history is None:
            expected.add(f"cluster_{index[state.name]}")
        assert clusters[dot_id(state.name)] == expected, Shown(spec)
