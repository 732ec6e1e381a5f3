"""Mermaid itself reads the diagrams of random hostile charts (opt-in).

The structural reader of ``graph_checks`` encodes what we know of Mermaid's
syntax; this test asks Mermaid (its own parser and the layout data it
hands its renderer, through Node.js and jsdom) whether every state ends up
in the box of its parent, region areas included. It needs Node.js and a
``node_modules`` folder holding the npm packages ``mermaid`` and ``jsdom``
(``npm install mermaid jsdom`` in any folder), named by
``GUBERNATOR_MERMAID_NODE_MODULES``; without it the test is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from golden_charts import GOLDEN_CHARTS
from graph_strategies import hostile_charts
from hypothesis import HealthCheck, Phase, given, settings
from statechart_charts import describe

from gubernator_gen.driver.graph import to_mermaid
from gubernator_gen.driver.graph_text import mermaid_ids
from gubernator_gen.model import MachineSpec

_MODULES = os.environ.get("GUBERNATOR_MERMAID_NODE_MODULES", "")
_SCRIPT = Path(__file__).resolve().parent / "mermaid_nesting.mjs"

pytestmark = pytest.mark.skipif(
    not (_MODULES and shutil.which("node")),
    reason="set GUBERNATOR_MERMAID_NODE_MODULES to a node_modules with mermaid "
    "and jsdom (and have node) to let Mermaid read the diagrams",
)


def _problems(spec: MachineSpec, found: dict[str, object]) -> list[str]:
    """Where Mermaid's nodes disagree with the model's nesting."""
    if "error" in found:
        return [str(found["error"])]
    nodes = {node["id"]: node for node in found["nodes"]}  # type: ignore[attr-defined]
    ids = mermaid_ids(spec)
    problems = []
    for state in spec.states:
        node = nodes.get(ids[state.name])
        if node is None:
            problems.append(f"{ids[state.name]} is missing")
            continue
        parent = node["parent"]
        if state.parent is None:
            expected = parent is None
        elif spec.state(state.parent).parallel:
            area = nodes.get(parent, {})  # a region's area: a divider node
            expected = (
                area.get("shape") == "divider"
                and area.get("parent") == ids[state.parent]
            )
        else:
            expected = parent == ids[state.parent]
        if not expected:
            problems.append(f"{ids[state.name]} is in {parent}")
    return problems


def test_mermaid_nests_every_state_as_the_model(tmp_path: Path) -> None:
    charts: list[MachineSpec] = list(GOLDEN_CHARTS.values())

    @settings(
        max_examples=150,
        deadline=None,
        phases=[Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(spec=hostile_charts())
    def collect(spec: MachineSpec) -> None:
        charts.append(spec)

    collect()
    files = []
    for number, spec in enumerate(charts):
        path = tmp_path / f"{number}.mmd"
        path.write_text(to_mermaid(spec), encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(
        ["node", str(_SCRIPT), *files],
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": _MODULES},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    for path, spec in zip(files, charts, strict=True):
        problems = _problems(spec, found[path])
        assert not problems, f"{problems}\n{describe(spec)}\n{Path(path).read_text()}"
