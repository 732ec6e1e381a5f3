"""``in_state`` in a statechart's guards, decided per cell at build time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from statechart_modules import case_module

from gubernator_gen.backend.sql.edges import legal_edges
from gubernator_gen.frontend import read_spec

CASE = Path(__file__).parents[1] / "cases" / "generate" / "chart_in_state_guards.yaml"


def _module() -> Any:
    return case_module(CASE)


def test_in_state_is_decided_by_the_state_the_cell_is_for() -> None:
    module = _module()
    machine = module.Machine(guards=None)
    # From A: in_state("A") holds, only `amount > 0` is asked; the assign
    # value in_state("B") is False there.
    taken = machine.process("A", "go", {"amount": 1, "flag": True})
    assert taken.target_state == "Z" and dict(taken.context_updates) == {"flag": False}
    refused = machine.process("A", "go", {"amount": 0, "flag": True})
    assert not refused.success
    assert refused.metadata["rejected_by"] == 'in_state("A") and amount > 0'
    # `not in_state("B") or amount < 0` always passes from A...
    assert machine.process("A", "hop", {"amount": 5, "flag": True}).target_state == "B"
    # ...and from B asks `amount < 0`.
    assert machine.process("B", "hop", {"amount": -1, "flag": True}).success
    assert not machine.process("B", "hop", {"amount": 1, "flag": True}).success
    # From B, P's `go` can never pass: B's own `go` is the only candidate.
    assert machine.process("B", "go", {"amount": 1, "flag": True}).target_state == "A"


def test_the_compiled_guards_never_ask_for_the_state() -> None:
    source = CASE.with_suffix(".py").read_text(encoding="utf-8")
    functions = source.split("def _guard_expr_0")[1].split("def _decide")[0]
    returns = [line.strip() for line in functions.splitlines() if "return" in line]
    assert returns == [
        'return ctx["amount"] > 0',
        'return ctx["amount"] < 0',
        'return {"flag": flag}',
    ]
    assert "flag: bool = False" in functions


def test_sql_edges_of_a_chart_with_in_state_guards() -> None:
    # They used the guard functions of the spec, which has none for in_state.
    front = read_spec(CASE, defines={}, environ={})
    assert front.spec is not None
    edges = {(e.source, e.trigger, e.dest) for e in legal_edges(front.spec)}
    assert ("A", "go", "Z") in edges and ("A", "hop", "B") in edges
    assert ("B", "hop", "B") in edges  # `amount < 0` may still pass in B
    assert ("B", "go", "A") in edges
