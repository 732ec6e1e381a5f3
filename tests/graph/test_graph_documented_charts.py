"""The statecharts of the documentation, read by the front end, draw well.

Every spec file the pages of ``docs/`` show (a ``yaml`` block whose first
line names the file) that models a statechart is drawn in both formats;
the Mermaid text must read back nested as the model, and Graphviz (when
installed) must draw the DOT text without complaint.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graph_checks import dot_problems, needs_graphviz, read_mermaid

from gubernator_gen import frontend
from gubernator_gen.driver.graph import to_dot, to_mermaid
from gubernator_gen.driver.graph_text import mermaid_ids
from gubernator_gen.model import MachineSpec

DOCS = Path(__file__).resolve().parents[2] / "docs"
_NAMED_SPEC = re.compile(r"^```yaml\n# ([\w.-]+\.ya?ml)\n(.*?)^```", re.M | re.S)


def _documented_charts() -> list[tuple[str, MachineSpec]]:
    charts = []
    for page in sorted(DOCS.glob("*.md")):
        for match in _NAMED_SPEC.finditer(page.read_text("utf-8")):
            name, text = match.groups()
            front = frontend.read_spec_text(text, path=name, environ={})
            charts.extend(
                (f"{page.name}:{name}", spec)
                for spec in front.specs
                if spec.is_statechart
            )
    return charts


CHARTS = _documented_charts()


def test_the_pages_show_statecharts() -> None:
    assert len(CHARTS) >= 3, [name for name, _spec in CHARTS]


@pytest.mark.parametrize(("name", "spec"), CHARTS, ids=[n for n, _s in CHARTS])
def test_documented_chart_reads_back_nested(name: str, spec: MachineSpec) -> None:
    shape = read_mermaid(to_mermaid(spec))
    ids = mermaid_ids(spec)
    for state in spec.states:
        outer = [ids[a] for a in reversed(spec.tree.ancestors(state.name))]
        assert [block for block, _area in shape.declared[ids[state.name]]] == outer


@needs_graphviz
@pytest.mark.parametrize(("name", "spec"), CHARTS, ids=[n for n, _s in CHARTS])
def test_documented_chart_is_drawn_by_graphviz(name: str, spec: MachineSpec) -> None:
    assert dot_problems(to_dot(spec)) == []
