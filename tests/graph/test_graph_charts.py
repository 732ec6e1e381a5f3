"""What the statechart diagrams show, feature by feature.

The charts are the goldens' (``golden_charts.py``) plus small ones built
here; the checks read the diagrams as Mermaid and Graphviz would.
"""

from __future__ import annotations

import sys

import pytest
from golden_charts import PIPELINE, SESSION, TICKET
from graph_charts import N, Tr, chart
from graph_checks import (
    dot_clusters,
    dot_problems,
    has_graphviz,
    needs_graphviz,
    read_mermaid,
)

from gubernator_gen.driver.graph import to_dot, to_mermaid
from gubernator_gen.model import HistoryDepth, StateKind


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_a_compound_state_is_a_block_with_its_own_start_point() -> None:
    shape = read_mermaid(to_mermaid(TICKET))
    assert shape.blocks["active"].starts == ["triage"]
    assert shape.blocks["s4"].starts == ["coding"]  # "in progress", aliased
    assert shape.labels["s4"] == "in progress"
    assert shape.declared["coding"] == (("active", 0), ("s4", 0))
    assert shape.declared["s9"] == ()  # "on hold", at the top
    lines = _lines(to_mermaid(TICKET))
    assert 'state "in progress" as s4 {' in lines
    # Mermaid shows no description on a box; DOT's cluster has it as tooltip.
    assert not any(line.startswith("active :") for line in lines)
    assert 'graph [label="active", style="rounded", tooltip="Someone owns it."];' in (
        _lines(to_dot(TICKET))
    )


def test_history_states_are_h_nodes_with_an_edge_to_their_default() -> None:
    shape = read_mermaid(to_mermaid(TICKET))
    assert shape.labels["last"] == "H"
    assert shape.labels["deep"] == "H*"
    edges = {(source, dest): at for source, dest, _label, at in shape.edges}
    # The explicit default, and the parent's initial child without one.
    assert edges[("last", "triage")] == (("active", 0),)
    assert edges[("deep", "coding")] == (("active", 0), ("s4", 0))
    assert edges[("s9", "last")] == ()  # resume: into the history state
    dot = _lines(to_dot(TICKET))
    assert '"deep" [shape="circle", label="H*", tooltip="deep"];' in dot
    assert '"deep" -> "coding";' in dot


def test_parallel_regions_are_areas_of_one_block_and_dashed_clusters() -> None:
    text = to_mermaid(PIPELINE)
    shape = read_mermaid(text)
    assert shape.blocks["checks"].areas == 3  # tests, lint, scan
    assert shape.blocks["checks"].starts == []  # every region starts at once
    assert shape.declared["tests"] == (("checks", 0),)
    assert shape.declared["lint"] == (("checks", 1),)
    assert shape.declared["scan"] == (("checks", 2),)
    assert shape.declared["s5"] == (("checks", 0), ("tests", 0))  # "tests history"
    assert shape.labels["s5"] == "H"
    # An edge between regions is written at the top level.
    assert ("running", "linting", "flaky", ()) in shape.edges
    dot = _lines(to_dot(PIPELINE))
    assert 'graph [label="tests", style="rounded,dashed"];' in dot
    assert 'graph [label="", style="dashed"];' in dot  # the atomic region
    assert '"building" -> "__start_1" [label="built", lhead="cluster_1"];' in dot
    assert (
        '"__start_1" -> "deploying" [label="done.state.checks", ltail="cluster_1"];'
        in dot
    )


@needs_graphviz
def test_graphviz_puts_each_region_in_its_own_cluster() -> None:
    text = to_dot(PIPELINE)
    clusters = dot_clusters(text)
    assert clusters['"running"'] == {"cluster_1", "cluster_2"}
    assert clusters['"tests history"'] == {"cluster_1", "cluster_2"}
    assert clusters['"linting"'] == {"cluster_1", "cluster_6"}
    assert clusters['"scan"'] == {"cluster_1", "cluster_9"}
    assert clusters['"building"'] == set()
    assert dot_problems(text) == []


def test_always_after_and_internal_edges_are_labelled() -> None:
    lines = _lines(to_mermaid(SESSION))
    assert "idle --> busy : always [has_work] / pick" in lines
    assert "idle --> asleep : after 30s / dim" in lines
    assert "busy --> stalled : always [blocked] (internal)" in lines
    assert "busy --> idle : after 3600s / autosave" in lines  # 3600.0 seconds
    assert "working --> stalled : after 2.5s [no_progress]" in lines
    assert "stalled --> working : after 60s" in lines  # a timeout, nested
    assert "busy --> idle : done.state.busy / report" in lines
    # Mermaid draws no dashed edge: the states that wait get a dashed border.
    assert "class idle,busy,working,stalled timed" in lines
    dot = _lines(to_dot(SESSION))
    assert '"idle" -> "asleep" [label="after 30s / dim", style="dashed"];' in dot
    assert (
        '"idle" -> "__start_1" [label="always [has_work] / pick", lhead="cluster_1"];'
        in dot
    )
    # An internal transition into its own box is not clipped at the border.
    assert '"__start_1" -> "stalled" [label="always [blocked] (internal)"];' in dot
    clipped = 'label="after 3600s / autosave", style="dashed", ltail="cluster_1"'
    assert f'"__start_1" -> "idle" [{clipped}];' in dot


def test_an_internal_transition_is_marked_in_both_formats() -> None:
    assert "active --> triage : comment / log_comment (internal)" in _lines(
        to_mermaid(TICKET)
    )
    assert (
        '"__start_1" -> "triage" [label="comment / log_comment (internal)"];'
        in _lines(to_dot(TICKET))
    )


def test_names_mermaid_gives_its_own_nodes_are_aliased() -> None:
    machine = chart(
        "reserved",
        [
            N("root", kind=StateKind.INITIAL),
            N("box", (N("box_start"), N("box_end", kind=StateKind.TERMINAL))),
            N("root_end"),
        ],
        [Tr("go", "root", "box"), Tr("on", "box_start", "box_end")],
    )
    shape = read_mermaid(to_mermaid(machine))
    assert shape.labels == {
        "s0": "root",
        "box": "box",
        "s2": "box_start",
        "s3": "box_end",
        "s4": "root_end",
    }
    assert shape.blocks["box"].starts == ["s2"]
    assert shape.blocks["box"].ends == ["s3"]


def test_names_differing_only_in_unusual_spaces_are_two_dot_nodes() -> None:
    machine = chart(
        "spaces",
        [N("a b", kind=StateKind.INITIAL), N("a\u00a0b"), N("a\u2028b")],
        [Tr("go", "a b", "a\u00a0b"), Tr("go", "a\u00a0b", "a\u2028b")],
    )
    text = to_dot(machine)
    assert '"a b" -> "a\u00a0b" [label="go"];' in text
    assert '"a\u00a0b" -> "a\u2028b" [label="go"];' in text
    if has_graphviz():
        assert len(dot_clusters(text)) == 4  # the start point and three states


def test_nesting_deeper_than_the_recursion_limit() -> None:
    depth = sys.getrecursionlimit() + 100
    node = N(f"s{depth}")
    for level in reversed(range(depth)):
        node = N(
            f"s{level}",
            (node,),
            kind=StateKind.INITIAL if level == 0 else StateKind.STABLE,
        )
    machine = chart("deep", [node], [Tr("go", f"s{depth}", "s0")])
    shape = read_mermaid(to_mermaid(machine))
    assert len(shape.declared[f"s{depth}"]) == depth
    assert shape.declared[f"s{depth}"][0] == ("s0", 0)
    dot = to_dot(machine)
    assert dot.count("subgraph ") == depth
    assert f'"s{depth}" -> "__start_0" [label="go", lhead="cluster_0"];' not in dot
    assert f'"s{depth}" -> "__start_0" [label="go"];' in dot  # inside, not clipped


@pytest.mark.parametrize("depth", [HistoryDepth.SHALLOW, HistoryDepth.DEEP])
def test_a_history_state_without_default_points_at_the_initial_child(
    depth: HistoryDepth,
) -> None:
    machine = chart(
        "h",
        [
            N(
                "top",
                (N("h", history=depth), N("a"), N("b")),
                kind=StateKind.INITIAL,
                initial="b",
            ),
            N("out"),
        ],
        [Tr("back", "out", "h"), Tr("leave", "top", "out")],
    )
    lines = _lines(to_mermaid(machine))
    assert "h --> b" in lines
    assert "[*] --> b" in lines
