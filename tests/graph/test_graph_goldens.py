"""The diagrams of hand-built statecharts, kept byte for byte in ``goldens/``.

``pytest --update-goldens`` rewrites a golden that differs (review the diff).
Every golden is also read back: the Mermaid text by the structural reader,
the DOT text by Graphviz (when installed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from golden_charts import GOLDEN_CHARTS
from graph_checks import dot_problems, needs_graphviz, read_mermaid

from gubernator_gen.driver.graph import render_graph

GOLDENS = Path(__file__).resolve().parent / "goldens"
_SUFFIXES = {"mermaid": ".mmd", "dot": ".dot"}


@pytest.mark.parametrize("graph_format", sorted(_SUFFIXES))
@pytest.mark.parametrize("name", sorted(GOLDEN_CHARTS))
def test_chart_diagram_matches_its_golden(
    name: str,
    graph_format: str,
    update_goldens: bool,
    record_golden_update: Callable[[Path], None],
) -> None:
    text = render_graph(GOLDEN_CHARTS[name], graph_format)
    golden = GOLDENS / f"{name}{_SUFFIXES[graph_format]}"
    if update_goldens and (not golden.exists() or golden.read_text("utf-8") != text):
        golden.write_text(text, encoding="utf-8", newline="\n")
        record_golden_update(golden)
    assert golden.exists(), f"no golden {golden.name}: run pytest --update-goldens"
    assert text == golden.read_text("utf-8")


@pytest.mark.parametrize("name", sorted(GOLDEN_CHARTS))
def test_golden_mermaid_reads_back(name: str) -> None:
    shape = read_mermaid((GOLDENS / f"{name}.mmd").read_text("utf-8"))
    assert shape.edges


@needs_graphviz
@pytest.mark.parametrize("name", sorted(GOLDEN_CHARTS))
def test_golden_dot_is_drawn_by_graphviz_without_complaint(name: str) -> None:
    assert dot_problems((GOLDENS / f"{name}.dot").read_text("utf-8")) == []


def test_every_golden_belongs_to_a_chart() -> None:
    expected = {f"{n}{suffix}" for n in GOLDEN_CHARTS for suffix in (".mmd", ".dot")}
    assert {path.name for path in GOLDENS.iterdir()} == expected
