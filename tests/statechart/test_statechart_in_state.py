"""``in_state`` in a statechart's guards, decided per cell at build time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from statechart_modules import case_module, load

from gubernator_gen import backend
from gubernator_gen.backend import chart_folding
from gubernator_gen.backend.sql.edges import legal_edges
from gubernator_gen.backend.statechart import compile_chart
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
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


ALWAYS_CASE = CASE.with_name("chart_in_state_always.yaml")


def test_in_state_inside_a_step_is_decided_for_the_resume_configuration() -> None:
    front = read_spec(ALWAYS_CASE, defines={}, environ={})
    assert front.spec is not None
    result = backend.generate_module(front.spec)
    assert result.source is not None, [d.format() for d in result.diagnostics]
    module = load(result.source)
    machine = module.Machine(guards=None)
    online = machine.process(machine.start().configuration, "start", {"level": 0})
    assert online.configuration.active == ("online", "waiting")
    # Online, syncing asks `level > 2` alone (in_state('online') holds).
    low = machine.process(online.configuration, "sync", {"level": 1})
    assert low.configuration.active == ("online", "syncing")
    high = machine.process(online.configuration, "sync", {"level": 3})
    assert high.configuration.active == ("online", "synced")
    assert high.all_actions == ("sync",)
    # Offline, the entry to waiting passes whatever the context: no guard.
    offline = machine.process(online.configuration, "drop", {"level": 3})
    back = machine.process(offline.configuration, "sync", {"level": 3})
    assert back.configuration.active == ("offline", "waiting")
    # Reconnecting while syncing: the eventless decision after the event
    # is asked from (online, syncing), where level > 2 decides.
    syncing = machine.process(online.configuration, "sync", {"level": 0})
    dropped = machine.process(syncing.configuration, "drop", {"level": 0})
    assert dropped.configuration.active == ("offline", "waiting")
    # done.state.active from (closed, synced): in_state('offline') is
    # false there, the unguarded transition reports.
    closed = machine.process(high.configuration, "close", {"level": 3})
    assert closed.configuration.active == ("idle",)
    assert closed.all_actions[-1] == "report"


def test_a_resume_cell_that_always_refuses_ends_the_step() -> None:
    front = read_spec(ALWAYS_CASE, defines={}, environ={})
    spec = front.spec
    assert spec is not None
    tables = compile_chart(spec)
    assert isinstance(tables, ConfigurationTables)
    folded = chart_folding.fold_tables(spec, tables)
    # From (closed, syncing) neither always: entry can pass and nothing
    # follows: both of its cells (eventless, and after done.state.link)
    # are left out; the done.state.active cell of (closed, synced) is
    # settled (its first transition dropped, the second unguarded).
    gone = set(tables.resumes) - set(folded.resumes)
    assert {r.configuration.atomic for r in gone} == {("closed", "syncing")}
    assert len(gone) == 2
    steps = [
        s
        for row in folded.cells.values()
        for c in row.values()
        for s in c.steps.values()
    ]
    steps += [s for c in folded.resumes.values() for s in c.steps.values()]
    assert all(step.resume is None or step.resume in folded.resumes for step in steps)
    assert set(folded.idle.values()) <= set(folded.resumes)
    done = next(c for r, c in folded.resumes.items() if r.queue)
    assert all(not c.guarded for o in done.offers for c in o.candidates)
