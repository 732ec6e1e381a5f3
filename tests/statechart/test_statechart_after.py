"""``after:`` entries in generated modules: deadlines and ``check_timeout``.

The chart is the golden case ``statechart_after`` (an atomic, a compound
and a parallel state with ``after:`` entries, one guarded, one with a
hostile description); the differential tests against the oracle are in
``test_statechart_modules.py``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from gubernator_runtime import (
    CompoundStateError,
    ConfigurationError,
    TransitionResult,
    UnknownConfigurationError,
    entry_times,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from statechart_charts import Arrow, Node, chart_spec
from statechart_modules import generate, load, module_ready

from gubernator_gen.backend.sql.edges import legal_edges
from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.frontend import read_spec
from gubernator_gen.model import DelayedTransition, Timeout

CASES = Path(__file__).parent.parent / "cases" / "generate"
T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def module() -> Any:
    return load((CASES / "statechart_after.py").read_text(encoding="utf-8"))


@pytest.fixture
def rested() -> dict[str, bool]:
    return {"ok": False}


@pytest.fixture
def machine(module: Any, rested: dict[str, bool]) -> Any:
    return module.Machine(guards={"may_rest": lambda ctx: rested["ok"]})


def _config(module: Any, *active: str) -> Any:
    return module.Configuration(tuple(module.State(a) for a in active))


def test_start_and_steps_carry_the_deadlines_of_the_states_they_enter(
    module: Any, machine: Any
) -> None:
    started = machine.start()
    assert dict(started.deadlines) == {"idle": 5}
    went = machine.process(started.configuration, "go")
    # busy's earliest entry (10 s), then its initial child a (2 s): entry order.
    assert list(went.deadlines.items()) == [("busy", 10), ("a", 2)]
    checked = machine.process(_config(module, "b"), "check")
    assert dict(checked.deadlines) == {"checks": 60, "linting": 1}
    passed = machine.process(_config(module, "linting", "testing"), "pass")
    assert dict(passed.deadlines) == {}  # entering tested starts nothing


def test_nothing_is_due_before_the_deadline(module: Any, machine: Any) -> None:
    idle = _config(module, "idle")
    assert machine.check_timeout(idle, {"idle": T0}, _at(4.999)) is None
    fired = machine.check_timeout(idle, {"idle": T0}, _at(5))
    assert fired.trigger == "_timeout" and fired.success
    assert fired.configuration == _config(module, "a")
    assert fired.all_actions == ("enter_busy",)
    assert dict(fired.metadata) == {
        "reason": "timeout",
        "timeout_state": "idle",
        "timeout_index": 0,
        "timeout_seconds": 5,
    }
    assert list(fired.deadlines) == ["busy", "a"]


def test_a_state_without_an_entry_time_is_never_due(module: Any, machine: Any) -> None:
    assert machine.check_timeout(_config(module, "a"), {"busy": T0}, _at(3)) is None


def test_the_earliest_deadline_fires_first_then_scxml_priority(
    module: Any, machine: Any, rested: dict[str, bool]
) -> None:
    b = _config(module, "b")
    rested["ok"] = True
    # busy's 10 s entry is due before its 30.5 s one.
    late = machine.check_timeout(b, {"busy": T0}, _at(100))
    assert late.metadata["timeout_index"] == 0
    assert late.configuration == _config(module, "idle")
    # a (entered at 9 s, 2 s) is due at 11 s, busy's at 10 s: busy first.
    a = _config(module, "a")
    first = machine.check_timeout(a, {"busy": T0, "a": _at(9)}, _at(12))
    assert first.metadata["timeout_state"] == "busy"
    # Both due at the same moment: the atomic state is tried first.
    tie = machine.check_timeout(a, {"busy": T0, "a": _at(8)}, _at(12))
    assert tie.metadata["timeout_state"] == "a"


def test_a_refusing_guard_lets_the_next_due_entry_fire(
    module: Any, machine: Any, rested: dict[str, bool]
) -> None:
    b = _config(module, "b")
    rested["ok"] = False
    assert machine.check_timeout(b, {"busy": T0}, _at(20)) is None
    fired = machine.check_timeout(b, {"busy": T0}, _at(31))
    assert fired.metadata["timeout_index"] == 1
    assert fired.configuration == _config(module, "done")
    rested["ok"] = True
    rest = machine.check_timeout(b, {"busy": T0}, _at(20))
    assert rest.actions_to_execute == ("rest",)
    assert rest.metadata["transition_description"] == "\"); import os  # {{ }} ''' \\"


def test_parallel_state_entries_are_checked_on_configurations(
    module: Any, machine: Any
) -> None:
    both = _config(module, "linting", "testing")
    entered = {"checks": T0, "linting": T0}
    linted = machine.check_timeout(both, entered, _at(1))
    assert linted.configuration == _config(module, "linted", "testing")
    assert linted.deadlines == {}
    timed_out = machine.check_timeout(
        _config(module, "linted", "testing"), entered, _at(60)
    )
    assert timed_out.configuration == _config(module, "done")
    assert machine.next_deadline(both, entered) == _at(1)
    assert machine.next_deadline(both, entered, after=_at(1)) == _at(60)
    assert machine.next_deadline(_config(module, "done"), entered) is None


def test_entry_times_restart_the_states_a_step_enters(
    module: Any, machine: Any
) -> None:
    went = machine.process(_config(module, "idle"), "go")
    entered = entry_times({"idle": T0, "busy": T0}, went, _at(7))
    assert entered == {"idle": T0, "busy": _at(7), "a": _at(7)}
    naive = entry_times({}, went, datetime(2030, 1, 1))
    assert naive["a"] == T0


def test_bad_calls_are_clear_errors(module: Any, machine: Any) -> None:
    with pytest.raises(TypeError, match="map state names"):
        machine.check_timeout(_config(module, "a"), T0, _at(1))
    with pytest.raises(UnknownConfigurationError):
        machine.check_timeout("nowhere", {}, _at(1))
    with pytest.raises(UnknownConfigurationError):
        machine.check_timeout("a", {}, _at(1))  # a state, not a configuration
    unbound = module.Machine()
    with pytest.raises(ConfigurationError, match="may_rest"):
        unbound.check_timeout(_config(module, "b"), {"busy": T0}, _at(10))
    assert "may_rest" in machine.guard_names and "rest" in machine.action_names


def test_deadlines_survive_serialisation(module: Any, machine: Any) -> None:
    went = machine.process(_config(module, "idle"), "go")
    data = went.to_dict()
    assert data["deadlines"] == {"busy": 10, "a": 2}
    back = TransitionResult.from_dict(data)
    assert dict(back.deadlines) == {"busy": 10, "a": 2}
    with pytest.raises(ValueError, match="deadlines"):
        TransitionResult.from_dict({**data, "deadlines": {"a": "soon"}})
    # Results without deadlines serialise as before.
    assert "deadlines" not in TransitionResult(True, "a", "b", "t").to_dict()


def _compound_after() -> Any:
    top = [
        Node("idle"),
        Node("busy", children=[Node("a"), Node("b")]),
        Node("done", final=True),
    ]
    spec = module_ready(chart_spec(top, [Arrow("go", "idle", "busy")]))
    return spec


def _with_after(spec: Any, name: str, *after: DelayedTransition) -> Any:
    states = tuple(
        dataclasses.replace(s, after=after) if s.name == name else s
        for s in spec.states
    )
    return dataclasses.replace(spec, states=states)


def test_compound_charts_keep_plain_states_and_get_sql_edges() -> None:
    spec = _with_after(_compound_after(), "busy", DelayedTransition(3, "done"))
    source, diagnostics = generate(spec)
    assert source is not None, [d.format() for d in diagnostics]
    module = load(source)
    machine = module.Machine()
    went = machine.process("idle", "go")
    assert went.configuration is None and dict(went.deadlines) == {"busy": 3}
    fired = machine.check_timeout("b", {"busy": T0}, _at(3))
    assert fired.target_state == "done" and fired.source_state == "b"
    with pytest.raises(CompoundStateError):
        machine.check_timeout("busy", {"busy": T0}, _at(3))
    edges = {(e.source, e.trigger, e.dest) for e in legal_edges(spec)}
    assert {("a", "_timeout", "done"), ("b", "_timeout", "done")} <= edges


def test_guard_items_on_after_entries_are_asked_by_check_timeout() -> None:
    path = Path(__file__).parents[1] / "cases" / "generate" / "chart_after_guards.yaml"
    front = read_spec(path, defines={}, environ={})
    assert front.spec is not None
    source, diagnostics = generate(front.spec)
    assert source is not None, [d.format() for d in diagnostics]
    machine = load(source).Machine(guards={"blocked": lambda ctx: False})
    both = {"P": T0, "A": T0}
    # A's own entry asks `amount > 5`; refused, nothing else is due yet.
    assert machine.check_timeout("A", both, _at(6), {"amount": 6}).target_state == "B"
    assert machine.check_timeout("A", both, _at(6), {"amount": 1}) is None
    # P's first entry: `amount > 0 and in_state("A")`, then `not blocked`.
    assert machine.check_timeout("A", both, _at(11), {"amount": 1}).target_state == "Z"
    blocked = load(source).Machine(guards={"blocked": lambda ctx: True})
    assert blocked.check_timeout("A", both, _at(11), {"amount": 1}) is None
    # From B, P's first entry can never pass; its second needs no guard.
    in_b = {"P": T0, "B": T0}
    assert machine.check_timeout("B", in_b, _at(11), {"amount": 1}) is None
    timed = machine.check_timeout("B", in_b, _at(20), {"amount": 1})
    assert timed.target_state == "Z" and timed.metadata["timeout_index"] == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0.5, 1, 2.5, 3, 60]), min_size=1, max_size=3),
    st.floats(0, 100, allow_nan=False),
)
def test_check_timeout_fires_exactly_when_an_entry_is_due(
    seconds: list[float], elapsed: float
) -> None:
    """Any delays on a compound state: a result iff the earliest is due,
    and it is the earliest's (the first written on a tie)."""
    entries = tuple(DelayedTransition(s, "done") for s in seconds)
    source, _ = generate(_with_after(_compound_after(), "busy", *entries), format=False)
    assert source is not None
    machine = load(source).Machine()
    fired = machine.check_timeout("a", {"busy": T0}, _at(elapsed))
    earliest = min(seconds)
    if elapsed < earliest:
        assert fired is None
    else:
        assert fired is not None
        assert fired.metadata["timeout_index"] == seconds.index(earliest)
    assert machine.next_deadline("a", {"busy": T0}) == _at(earliest)


def test_a_timeout_on_a_statechart_state_is_one_more_after_entry() -> None:
    spec = _with_after(_compound_after(), "a", DelayedTransition(3, "done"))
    spec = dataclasses.replace(
        spec,
        states=tuple(
            dataclasses.replace(s, timeout=Timeout(2, "b", SourcePos("c.yaml", 4, 5)))
            if s.name == "a"
            else s
            for s in spec.states
        ),
    )
    source, diagnostics = generate(spec)
    assert source is not None, [d.format() for d in diagnostics]
    machine = load(source).Machine()
    assert dict(machine.process("idle", "go").deadlines) == {"a": 2}
    fired = machine.check_timeout("a", {"a": T0}, _at(5))
    # Both due: the timeout's deadline (2 s) is the earlier one.
    assert fired.target_state == "b"
    assert dict(fired.metadata) == {
        "reason": "timeout",
        "timeout_state": "a",
        "timeout_index": 1,
        "timeout_seconds": 2,
    }
    assert machine.check_timeout("a", {"a": T0}, _at(1)) is None
