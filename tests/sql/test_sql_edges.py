"""The legal edges of a machine: transitions, timeouts and fallbacks, each once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sql_support import machine

from gubernator_gen.backend.sql import (
    FALLBACK_TRIGGER,
    TIMEOUT_TRIGGER,
    Edge,
    legal_edges,
)
from gubernator_gen.backend.sql.edges import EDGE_KINDS


def test_every_kind_of_edge_in_a_fixed_order() -> None:
    spec = machine(
        ["NEW", "OPEN", "DONE", "BROKEN"],
        [("open", ["NEW"], "OPEN"), ("close", ["NEW", "OPEN"], "DONE")],
        timeouts={"OPEN": "DONE"},
        terminal=["DONE"],
        fallback="BROKEN",
    )
    assert legal_edges(spec) == (
        Edge("NEW", "open", "OPEN"),
        Edge("NEW", "close", "DONE"),
        Edge("OPEN", "close", "DONE"),
        Edge("OPEN", TIMEOUT_TRIGGER, "DONE"),
        # From every state the executor may have entered, terminal ones too,
        # but not from the fallback state itself.
        Edge("NEW", FALLBACK_TRIGGER, "BROKEN"),
        Edge("OPEN", FALLBACK_TRIGGER, "BROKEN"),
        Edge("DONE", FALLBACK_TRIGGER, "BROKEN"),
    )


def test_an_edge_found_twice_is_listed_once_where_it_first_appears() -> None:
    # Two guarded transitions between the same states on the same trigger.
    spec = machine(
        ["A", "B"],
        [("go", ["A"], "B"), ("back", ["B"], "A"), ("go", ["A"], "B")],
        timeouts={"A": "B"},
    )
    assert legal_edges(spec) == (
        Edge("A", "go", "B"),
        Edge("B", "back", "A"),
        Edge("A", TIMEOUT_TRIGGER, "B"),
    )


def test_no_transition_no_timeout_no_fallback_means_no_edge() -> None:
    assert legal_edges(machine(["ONLY"])) == ()


NAMES = st.sampled_from(["A", "B", "C", "D", "E"])
TRIGGERS = st.sampled_from(["x", "y", "_timeout"])


@given(
    transitions=st.lists(
        st.tuples(
            TRIGGERS, st.lists(NAMES, min_size=1, max_size=3, unique=True), NAMES
        ),
        max_size=8,
    ),
    timeouts=st.dictionaries(NAMES, NAMES, max_size=3),
    fallback=st.none() | NAMES,
)
def test_edges_are_exactly_the_moves_the_runtime_can_make(
    transitions: list[tuple[str, list[str], str]],
    timeouts: dict[str, str],
    fallback: str | None,
) -> None:
    states = ["A", "B", "C", "D", "E"]
    spec = machine(states, transitions, timeouts=timeouts, fallback=fallback)
    edges = legal_edges(spec)
    expected = {Edge(s, t, d) for t, sources, d in transitions for s in sources}
    expected |= {Edge(s, TIMEOUT_TRIGGER, d) for s, d in timeouts.items()}
    if fallback is not None:
        expected |= {
            Edge(s, FALLBACK_TRIGGER, fallback) for s in states if s != fallback
        }
    assert set(edges) == expected
    assert len(edges) == len(set(edges))
    # One function per kind, concatenated in order, duplicates dropped.
    assert edges == tuple(dict.fromkeys(e for kind in EDGE_KINDS for e in kind(spec)))
    assert legal_edges(spec) == edges
