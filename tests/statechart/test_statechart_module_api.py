"""The module of a compound statechart: its API, its refusals, its typing."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import gubernator_runtime
import pytest
from gubernator_runtime import (
    CompoundStateError,
    ConfigurationError,
    ConfigurationTextError,
    GuardError,
    TransitionResult,
    UndefinedStateError,
    UnknownConfigurationError,
)
from hypothesis import HealthCheck, given, settings
from statechart_charts import (
    COMPOUND_ONLY,
    Arrow,
    Node,
    Shown,
    chart_spec,
    random_charts,
)
from statechart_modules import generate, load, module_ready

from gubernator_gen.backend.sql import Dialect, SqlOptions, generate_sql
from gubernator_gen.backend.sql.edges import legal_edges
from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.frontend import read_spec
from gubernator_gen.model import (
    ErrorPolicy,
    EventlessTransition,
    HistoryDepth,
    MachineSpec,
)


def _ticket() -> MachineSpec:
    """A support ticket: ``active`` holds ``triage`` (``new``, ``assigned``)
    and ``working`` and a final ``resolved``; ``closed`` ends the machine."""
    top = [
        Node("idle"),
        Node(
            "active",
            children=[
                Node("triage", children=[Node("new"), Node("assigned")]),
                Node("working"),
                Node("resolved", final=True),
            ],
        ),
        Node("closed", final=True),
        Node("orphan"),
    ]
    arrows = [
        Arrow("open", "idle", "active"),
        Arrow("assign", "new", "assigned"),
        Arrow("start", "assigned", "working"),
        Arrow("solve", "working", "resolved"),
        Arrow("done.state.active", "active", "closed"),
        Arrow("cancel", "active", "idle", guards=("may_cancel",)),
        Arrow("cancel", "active", "closed"),
        Arrow("reset", "triage", "triage"),
        Arrow("poke", "orphan", "orphan"),
    ]
    return module_ready(chart_spec(top, arrows))


@pytest.fixture(scope="module")
def ticket() -> Any:
    source, diagnostics = generate(_ticket())
    assert source is not None, [d.format() for d in diagnostics]
    return load(source)


def test_start_enters_the_initial_leaf_with_every_on_enter(ticket: Any) -> None:
    result = ticket.Machine(guards={"may_cancel": lambda ctx: True}).start()
    assert result.target_state is ticket.State.IDLE
    assert result.all_actions == ("in_idle",)
    assert ticket.INITIAL_STATE is ticket.State.IDLE
    opened = ticket.Machine(guards={"may_cancel": lambda c: True}).process(
        "idle", "open"
    )
    assert opened.target_state is ticket.State.NEW
    assert opened.on_exit_actions == ("out_idle",)
    assert opened.actions_to_execute == ("t0",)
    assert opened.on_enter_actions == ("in_active", "in_triage", "in_new")


def test_results_carry_the_scxml_order(ticket: Any) -> None:
    machine = ticket.Machine(guards={"may_cancel": lambda ctx: bool(ctx)})
    # Entering the final child raises done.state.active, taken in the step.
    solved = machine.process("working", "solve")
    assert solved.target_state is ticket.State.CLOSED
    assert solved.on_exit_actions == ("out_working",)
    assert solved.actions_to_execute == ("t3",)
    assert solved.on_enter_actions == (
        "in_resolved",
        "out_resolved",
        "out_active",
        "t4",
        "in_closed",
    )
    # A transition of an ancestor, guarded, then its unguarded sibling.
    assert machine.process("assigned", "cancel", {"x": 1}).all_actions == (
        "out_assigned",
        "out_triage",
        "out_active",
        "t5",
        "in_idle",
    )
    refused = machine.process("assigned", "cancel", {})
    assert refused.target_state is ticket.State.CLOSED
    assert refused.actions_to_execute == ("t6",)
    # A self-transition of a compound state exits and re-enters it.
    assert machine.process("assigned", "reset").all_actions == (
        "out_assigned",
        "out_triage",
        "t7",
        "in_triage",
        "in_new",
    )
    assert machine.process("new", "reset").metadata == {"transition_description": ""}


def test_compound_states_are_listed_but_never_processed(ticket: Any) -> None:
    machine = ticket.Machine(guards={"may_cancel": lambda ctx: True})
    assert [s.value for s in ticket.State] == [
        "idle",
        "active",
        "triage",
        "new",
        "assigned",
        "working",
        "resolved",
        "closed",
        "orphan",
    ]
    with pytest.raises(CompoundStateError) as caught:
        machine.process("triage", "assign")
    assert isinstance(caught.value, UndefinedStateError)
    assert "'triage' is a compound state" in str(caught.value)
    assert caught.value.context["leaves"] == ["new", "assigned"]
    with pytest.raises(CompoundStateError):
        machine.process(ticket.State.ACTIVE, "cancel")
    assert machine.get_state("active").name == "active"
    # An unreachable atomic state still has its row.
    assert machine.process("orphan", "poke").all_actions == (
        "out_orphan",
        "t8",
        "in_orphan",
    )


def test_tree_functions_answer_from_tables(ticket: Any) -> None:
    State = ticket.State
    assert ticket.ancestors("new") == (State.TRIAGE, State.ACTIVE)
    assert ticket.ancestors(State.IDLE) == ()
    assert ticket.leaves("active") == (
        State.NEW,
        State.ASSIGNED,
        State.WORKING,
        State.RESOLVED,
    )
    assert ticket.leaves("working") == (State.WORKING,)
    assert ticket.is_in("new", "active") and ticket.is_in("new", "new")
    assert not ticket.is_in("active", "new") and not ticket.is_in("idle", "active")
    for bad in ("nope", 3, ["new"]):
        with pytest.raises(UndefinedStateError):
            ticket.is_in("new", bad)
        with pytest.raises(UndefinedStateError):
            ticket.leaves(bad)


def test_only_top_level_terminal_states_end_the_machine(ticket: Any) -> None:
    machine = ticket.Machine(guards={"may_cancel": lambda ctx: True})
    assert frozenset({ticket.State.CLOSED}) == ticket.TERMINAL_STATES
    assert machine.is_terminal("closed") and not machine.is_terminal("resolved")
    # The final child's ancestors' transitions still leave it.
    assert machine.process("resolved", "cancel").target_state is ticket.State.IDLE
    assert machine.process("closed", "cancel").error.__class__.__name__ == (
        "TerminalStateError"
    )
    leaving = [t.index for t in machine.available_transitions("new")]
    # Its ancestors' transitions too, done.state.active included.
    assert leaving == [1, 4, 5, 6, 7]


def test_state_docstrings_show_paths(ticket: Any) -> None:
    source, _ = generate(_ticket())
    assert source is not None
    assert '"""Path: active / triage / new."""' in source
    assert "Path: active / triage (compound, never stored: its atomic states are " in (
        source
    )


# -- refusals ---------------------------------------------------------------------

_AT = SourcePos("chart.yaml", 77, 5)


def _with_state(spec: MachineSpec, name: str, **changes: Any) -> MachineSpec:
    states = tuple(
        dataclasses.replace(s, **changes) if s.name == name else s for s in spec.states
    )
    return dataclasses.replace(spec, states=states)


def _only_error(spec: MachineSpec) -> tuple[str, SourcePos, str]:
    source, diagnostics = generate(spec)
    assert source is None
    assert len(diagnostics) == 1, [d.format() for d in diagnostics]
    return diagnostics[0].code, diagnostics[0].pos, diagnostics[0].message


def test_a_guarded_always_on_a_compound_state_is_asked_after_each_step() -> None:
    spec = _with_state(
        _ticket(), "active", always=(EventlessTransition("idle", ("g",), pos=_AT),)
    )
    source, diagnostics = generate(spec)
    assert source is not None and not diagnostics
    assert "if _runtime.API_VERSION < (2, 5):" in source
    module = load(source)
    guards = {"g": lambda ctx: ctx.get("leave", False), "may_cancel": lambda c: True}
    machine = module.Machine(guards=guards)
    stays = machine.process("idle", "open", {})
    assert stays.target_state is module.State.NEW
    assert stays.all_actions == ("out_idle", "t0", "in_active", "in_triage", "in_new")
    # The guard passes: the same call leaves active again, in SCXML order.
    left = machine.process("idle", "open", {"leave": True})
    assert left.target_state is module.State.IDLE
    assert left.source_state is module.State.IDLE and left.trigger == "open"
    assert left.on_exit_actions == ("out_idle",)
    assert left.actions_to_execute == ("t0",)
    assert left.on_enter_actions == (
        "in_active",
        "in_triage",
        "in_new",
        "out_new",
        "out_triage",
        "out_active",
        "in_idle",
    )
    # An event that enables nothing still lets the eventless guard decide.
    assert machine.process("new", "start", {"leave": True}).all_actions == (
        "out_new",
        "out_triage",
        "out_active",
        "in_idle",
    )
    refused = machine.process("new", "start", {})
    assert not refused.success and refused.error.__class__.__name__ == (
        "InvalidTransitionError"
    )


def _history_chart() -> MachineSpec:
    top = [
        Node(
            "p",
            children=[Node("a"), Node("h", history=HistoryDepth.SHALLOW), Node("b")],
        ),
        Node("q"),
        Node(
            "par",
            parallel=True,
            children=[
                Node("r1", children=[Node("x1"), Node("x2")]),
                Node("r2", children=[Node("y1"), Node("y2")]),
            ],
        ),
    ]
    arrows = [
        Arrow("e0", "a", "b"),
        Arrow("e1", "p", "q", guards=("g0",)),
        Arrow("e0", "q", "h"),
        Arrow("e2", "q", "par"),
        Arrow("e0", "x1", "x2"),
        Arrow("e0", "y1", "y2"),
        Arrow("e1", "par", "p"),
    ]
    return module_ready(chart_spec(top, arrows))


def test_a_fallback_is_an_scxml_transition_into_the_fallback_state() -> None:
    spec = dataclasses.replace(_ticket(), error_policy=ErrorPolicy("triage"))
    source, diagnostics = generate(spec)
    assert source is not None, [d.format() for d in diagnostics]
    assert "API 2.7" in source or "(2, 7)" in source
    module = load(source)
    machine = module.Machine(guards={"may_cancel": lambda ctx: True})
    working = machine.process("assigned", "start")

    def fail(ctx: Any) -> None:
        raise RuntimeError("no")

    actions = {name: fail for name in module.Actions.__dict__ if name[0] != "_"}
    proposed = machine.executor(actions).execute(working, None).fallback
    # From working: exit it (not active, the domain), enter triage and its
    # initial child.
    assert proposed.source_state == "working" and proposed.target_state == "new"
    assert proposed.trigger == "_fallback"
    assert proposed.all_actions == ("out_working", "in_triage", "in_new")
    assert proposed.metadata["failed_actions"] == list(working.all_actions)
    # Already inside triage: nothing to propose (it would loop).
    assigned = machine.process("new", "assign")
    assert machine.executor(actions).execute(assigned, None).fallback is None


def test_history_and_parallel_states_are_processed_on_configurations() -> None:
    source, diagnostics = generate(_history_chart())
    assert source is not None, [d.format() for d in diagnostics]
    module = load(source)
    machine = module.Machine(guards={"g0": lambda ctx: bool(ctx)})
    started = machine.start()
    assert started.configuration == '{"active":["a"]}'
    assert isinstance(started.configuration, module.Configuration)
    moved = machine.process(started.configuration, "e0")
    left = machine.process(str(moved.configuration), "e1", {"go": 1})
    assert left.configuration == '{"active":["q"],"history":{"h":["b"]}}'
    assert left.all_actions == ("out_b", "out_p", "t1", "in_q")
    # A plain string read from the database is the key.
    back = machine.process("".join(str(left.configuration)), "e0")
    assert back.target_state is module.State.B
    assert back.all_actions == ("out_q", "t2", "in_p", "in_b")
    both = machine.process(left.configuration, "e2")
    assert both.configuration.active == ("x1", "y1")
    assert both.configuration.is_in("par") and both.configuration.is_in("r2")
    assert not both.configuration.is_in("p")
    # Both regions answer e0: one step; exits in reverse document order,
    # transitions and entries in document order.
    assert machine.process(both.configuration, "e0").all_actions == (
        "out_y1",
        "out_x1",
        "t4",
        "t5",
        "in_x2",
        "in_y2",
    )
    refused = machine.process(moved.configuration, "e1", {})
    assert not refused.success and refused.configuration is None
    assert refused.source_state is module.State.B
    assert module.leaves("p") == (module.State.A, module.State.B)
    with pytest.raises(UnknownConfigurationError, match="is a state, but"):
        machine.process("a", "e0")
    with pytest.raises(UnknownConfigurationError, match="not a configuration"):
        machine.process('{"active":["a","b"]}', "e1")
    with pytest.raises(ConfigurationTextError, match="'p' is not an atomic state"):
        module.Configuration.parse('{"active":["p"]}')
    with pytest.raises(ConfigurationTextError, match="'a' is not a history state"):
        module.Configuration.parse('{"active":["b"],"history":{"a":["b"]}}')
    data = json.loads(json.dumps(back.to_dict()))
    assert data["configuration"] == str(back.configuration)
    assert TransitionResult.from_dict(data, module.State) == back


def _regions_module() -> Any:
    spec = _history_chart()
    x, y = spec.transitions[4], spec.transitions[5]
    spec = dataclasses.replace(
        spec,
        transitions=(
            *spec.transitions[:4],
            dataclasses.replace(x, guards=("g1",)),
            dataclasses.replace(y, guards=("g0",)),
            spec.transitions[6],
        ),
    )
    source, diagnostics = generate(spec)
    assert source is not None, [d.format() for d in diagnostics]
    return load(source)


def test_regions_choose_independently_then_take_the_decided_step() -> None:
    module = _regions_module()
    answers = {"g0": True, "g1": True}
    machine = module.Machine(guards={g: (lambda ctx, g=g: answers[g]) for g in answers})
    at_q = machine.process(machine.start().configuration, "e1").configuration
    both = machine.process(at_q, "e2").configuration
    assert both == '{"active":["x1","y1"],"history":{"h":["a"]}}'
    assert machine.process(both, "e0").all_actions == (
        "out_y1",
        "out_x1",
        "t4",
        "t5",
        "in_x2",
        "in_y2",
    )
    answers["g0"] = False
    only_x = machine.process(both, "e0")
    assert only_x.all_actions == ("out_x1", "t4", "in_x2")
    assert only_x.configuration == '{"active":["x2","y1"],"history":{"h":["a"]}}'
    answers["g1"] = False
    refused = machine.process(both, "e0")
    assert not refused.success and refused.metadata["rejected_by"] == "g0"
    assert refused.error.__class__.__name__ == "GuardRejectedError"

    def boom(ctx: object) -> bool:
        raise RuntimeError("down")

    broken = module.Machine(guards={"g0": boom, "g1": lambda ctx: True})
    with pytest.raises(GuardError) as caught:
        broken.process(both, "e0")
    assert caught.value.guard == "g0"
    with pytest.raises(ConfigurationError):
        module.Machine().process(both, "e0")


def test_an_unguarded_eventless_loop_is_refused_at_a_transition_of_it() -> None:
    top = [Node("a", always=[("b", (), False)]), Node("b", always=[("a", (), False)])]
    spec = module_ready(chart_spec(top, [Arrow("e0", "a", "b")]))
    code, pos, message = _only_error(spec)
    assert code == "GG481" and "loop forever" in message
    assert pos in (spec.state("a").always[0].pos, spec.state("b").always[0].pos)


def test_a_guarded_done_state_transition_is_asked_inside_the_step() -> None:
    top = [Node("p", children=[Node("a"), Node("f", final=True)]), Node("q")]
    arrows = [Arrow("e0", "a", "f"), Arrow("done.state.p", "p", "q", guards=("g0",))]
    source, diagnostics = generate(module_ready(chart_spec(top, arrows)))
    assert source is not None and not diagnostics
    module = load(source)
    machine = module.Machine(guards={"g0": lambda ctx: ctx["done"]})
    finished = machine.process("a", "e0", {"done": True})
    assert finished.target_state is module.State.Q
    assert finished.all_actions == (
        "out_a",
        "t0",
        "in_f",
        "out_f",
        "out_p",
        "t1",
        "in_q",
    )
    # The guard declines: the step rests in the final child.
    rests = machine.process("a", "e0", {"done": False})
    assert rests.target_state is module.State.F
    assert rests.all_actions == ("out_a", "t0", "in_f")


# -- hostile names and typing ---------------------------------------------------------

_HOSTILE = ("q\"uo'te", "back\\slash", "中文", "{{ x }}", "a b", "NONE")


def _hostile_chart() -> MachineSpec:
    a, b, c, d, e, f = _HOSTILE
    top = [
        Node(a, children=[Node(b, children=[Node(c), Node(d)]), Node(e)]),
        Node(f, final=True),
    ]
    arrows = [Arrow("go\"'", c, d), Arrow("x\\y", b, e), Arrow("end", a, f)]
    spec = chart_spec(top, arrows)
    states = tuple(
        dataclasses.replace(s, on_enter=(f"enter_{i}",), on_exit=(f"exit_{i}",))
        for i, s in enumerate(spec.states)
    )
    spec = dataclasses.replace(spec, states=states)
    return _with_state(spec, c, description='"""\\ \x00 \u2028')


def test_hostile_names_in_a_chart_are_literals() -> None:
    source, diagnostics = generate(_hostile_chart())
    assert source is not None, [d.format() for d in diagnostics]
    module = load(source)
    assert [s.value for s in module.State] == list(_HOSTILE)
    machine = module.Machine()
    assert machine.start().target_state == _HOSTILE[2]
    result = machine.process(_HOSTILE[2], "go\"'")
    assert result.target_state == _HOSTILE[3]
    assert machine.process(_HOSTILE[3], "x\\y").target_state == _HOSTILE[4]
    assert module.ancestors(_HOSTILE[3]) == (_HOSTILE[1], _HOSTILE[0])


def _resuming_regions_chart() -> MachineSpec:
    """Both regions of a parallel state decide guarded eventless
    transitions inside the step (a ``Regions`` resume cell)."""
    regions = [
        Node("r1", children=[Node("x1", always=[("x2", ("g0",), False)]), Node("x2")]),
        Node("r2", children=[Node("y1", always=[("y2", ("g1",), False)]), Node("y2")]),
    ]
    top = [Node("q"), Node("par", regions, parallel=True)]
    return module_ready(chart_spec(top, [Arrow("e0", "q", "par")]))


def test_a_regions_resume_cell_decides_each_region() -> None:
    source, diagnostics = generate(_resuming_regions_chart())
    assert source is not None, [d.format() for d in diagnostics]
    assert "_runtime.Regions(" in source.split("_RESUMES")[1]
    module = load(source)
    answers = {"g0": False, "g1": True}
    machine = module.Machine(guards={g: (lambda ctx, g=g: answers[g]) for g in answers})
    result = machine.process(machine.start().configuration, "e0")
    assert result.configuration.active == ("x1", "y2")
    assert result.all_actions == (
        "out_q",
        "t0",
        "in_par",
        "in_r1",
        "in_x1",
        "in_r2",
        "in_y1",
        "out_y1",
        "always_y1_0",
        "in_y2",
    )


def test_chart_modules_pass_mypy_strict_and_ruff(tmp_path: Path) -> None:
    paths = []
    resuming = _with_state(
        _ticket(), "active", always=(EventlessTransition("idle", ("g",)),)
    )
    # in_state() asked inside a step: always: guards, a done.state
    # transition, resume cells folded per configuration (one left out).
    in_state_case = Path(__file__).parents[1] / "cases" / "behaviour"
    asked_inside = read_spec(
        in_state_case / "in_state_inside_a_step.yaml", defines={}, environ={}
    ).spec
    assert asked_inside is not None
    charts = (
        _ticket(),
        _hostile_chart(),
        _history_chart(),
        resuming,
        _resuming_regions_chart(),
        asked_inside,
    )
    for index, spec in enumerate(charts):
        source, _ = generate(spec)
        assert source is not None
        path = tmp_path / f"chart_{index}.py"
        path.write_text(source, encoding="utf-8")
        paths.append(str(path))
    runtime_root = Path(gubernator_runtime.__file__).resolve().parents[1]
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {runtime_root}\n", encoding="utf-8")
    mypy = [sys.executable, "-m", "mypy", "--strict", "--config-file", str(config)]
    for extra in ([], ["--python-version", "3.10"]):
        done = subprocess.run(
            [*mypy, *extra, *paths], capture_output=True, text=True, cwd=tmp_path
        )
        assert done.returncode == 0, done.stdout
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache"]
    done = subprocess.run([*ruff, *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(random_charts(features=COMPOUND_ONLY).map(Shown))
def test_tree_functions_agree_with_the_model(chart: Shown) -> None:
    spec = module_ready(chart.spec)
    source, _ = generate(spec, format=False)
    if source is None or not spec.is_statechart:
        return
    module = load(source)
    tree = spec.tree
    atomic = [s.name for s in spec.states if not s.children]
    for state in spec.states:
        name = state.name
        assert module.ancestors(name) == tree.ancestors(name)
        inside = [a for a in atomic if a == name or tree.is_descendant(a, name)]
        assert list(module.leaves(name)) == inside
        for other in spec.states:
            expected = other.name == name or tree.is_descendant(name, other.name)
            assert module.is_in(name, other.name) is expected


# -- gubernator-gen sql ----------------------------------------------------------


def test_sql_edges_of_a_compound_chart_join_atomic_states() -> None:
    spec = _ticket()
    result = generate_sql(spec, SqlOptions(Dialect.SQLITE, "tickets", "state"))
    assert result.source is not None, [d.format() for d in result.diagnostics]
    edges = {(e.source, e.trigger, e.dest) for e in legal_edges(spec)}
    # The transition on the compound state leaves each of its atomic states;
    # entering it ends in its initial leaf; done.state is folded.
    assert ("idle", "open", "new") in edges
    assert {("new", "cancel", "idle"), ("working", "cancel", "idle")} <= edges
    assert ("working", "solve", "closed") in edges
    assert not any(
        s in ("active", "triage") or d in ("active", "triage") for s, _, d in edges
    )
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute('CREATE TABLE "tickets" (id INTEGER PRIMARY KEY, "state" TEXT)')
    conn.executescript(result.source)
    conn.execute("INSERT INTO tickets VALUES (1, 'idle')")
    conn.execute("UPDATE tickets SET state = 'new' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("UPDATE tickets SET state = 'working' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError):  # a compound state is never stored
        conn.execute("INSERT INTO tickets VALUES (2, 'active')")


def test_sql_of_a_machine_on_configurations_is_refused_where_it_starts() -> None:
    spec = _history_chart()
    result = generate_sql(spec, SqlOptions(Dialect.SQLITE, "t", "state"))
    assert result.source is None
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "GG480" and "configuration" in diagnostic.message
    assert diagnostic.pos == spec.state("h").pos
