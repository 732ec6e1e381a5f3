"""Resume cells in generated modules: decisions inside a step (API 2.5).

The differential tests compare configurations and action order with the
oracle; these check by hand what they cannot see: the run-time bound and
its error, the deadlines and ``context_updates`` of a continued step, and
that cells whose steps do not continue are not wrapped.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from gubernator_runtime import (
    API_VERSION,
    EndlessMacrostepError,
    FSMError,
    Resumes,
    TransitionResult,
    entry_times,
)
from statechart_charts import Arrow, Node, chart_spec
from statechart_modules import generate, load, module_ready

from gubernator_gen.backend.sql.edges import legal_edges
from gubernator_gen.frontend import read_spec_text
from gubernator_gen.model import MachineSpec


def _module(spec: MachineSpec) -> Any:
    source, diagnostics = generate(spec)
    assert source is not None, [d.format() for d in diagnostics]
    return load(source)


def _yaml_module(text: str) -> Any:
    result = read_spec_text(text, path="chart.yaml")
    assert result.spec is not None, [d.format() for d in result.diagnostics]
    return _module(result.spec)


def _loop() -> Any:
    """``a`` and ``b`` take each other while ``g0`` passes."""
    top = [
        Node("idle"),
        Node("a", always=[("b", ("g0",), False)]),
        Node("b", always=[("a", ("g0",), False)]),
    ]
    return _module(module_ready(chart_spec(top, [Arrow("e0", "idle", "a")])))


def test_a_guarded_loop_whose_guards_stay_true_passes_the_bound() -> None:
    module = _loop()
    assert API_VERSION >= (2, 5)
    assert isinstance(module._RESUMES, Resumes)
    bound = module._RESUMES.bound
    assert bound == len(module._RESUMES.cells) + 1
    looping = module.Machine(guards={"g0": lambda ctx: True})
    with pytest.raises(EndlessMacrostepError) as caught:
        looping.process("idle", "e0")
    error = caught.value
    assert isinstance(error, FSMError)
    assert error.state == "idle" and error.trigger == "e0"
    assert error.context["bound"] == bound
    assert f"more than {bound} guarded eventless decisions" in error.message
    assert FSMError.from_dict(error.to_dict()) == error
    # Guards that turn false end the loop: each visit asks them again.
    answers = iter([True, True, False])
    settling = module.Machine(guards={"g0": lambda ctx: next(answers)})
    result = settling.process("idle", "e0")
    assert result.target_state is module.State.A
    assert result.all_actions == (
        "out_idle",
        "t0",
        "in_a",
        "out_a",
        "always_a_0",
        "in_b",
        "out_b",
        "always_b_0",
        "in_a",
    )


def test_a_loop_at_the_start_raises_from_start() -> None:
    top = [Node("a", always=[("b", ("g0",), False)]), Node("b")]
    top[1].always.append(("a", ("g0",), False))
    module = _module(module_ready(chart_spec(top, [Arrow("e0", "a", "b")])))
    with pytest.raises(EndlessMacrostepError, match="at the start"):
        module.Machine(guards={"g0": lambda ctx: True}).start()
    started = module.Machine(guards={"g0": lambda ctx: ctx["go"]}).start({"go": False})
    assert started.target_state is module.State.A
    assert started.all_actions == ("in_a",)


def test_done_state_events_raised_without_end_are_a_runtime_error() -> None:
    regions = [
        Node("r1", children=[Node("f1", final=True)]),
        Node("r2", children=[Node("f2", final=True)]),
    ]
    top = [Node("z"), Node("par", regions, parallel=True)]
    arrows = [
        Arrow("done.state.r1", "r1", "r1"),
        Arrow("done.state.r2", "r2", "r2"),
        Arrow("e0", "z", "par"),
    ]
    module = _module(module_ready(chart_spec(top, arrows)))
    machine = module.Machine()
    stored = machine.start().configuration
    with pytest.raises(EndlessMacrostepError, match=r"done\.state events without end"):
        machine.process(stored, "e0")


def test_cells_whose_steps_do_not_continue_are_not_wrapped() -> None:
    top = [Node("idle"), Node("a", always=[("b", ("g0",), False)]), Node("b")]
    arrows = [Arrow("e0", "idle", "a"), Arrow("e1", "b", "idle")]
    module = _module(module_ready(chart_spec(top, arrows)))
    machine = module.Machine(guards={"g0": lambda ctx: False})
    cell = module._DECISIONS["b"]["e1"]
    assert machine._cells["b"]["e1"] is cell  # the prebuilt result itself
    assert machine.process("b", "e1") is cell
    # e0 enters a, whose guarded eventless transition is asked next.
    assert machine._cells["idle"]["e0"] is not module._DECISIONS["idle"]["e0"]
    assert machine.process("idle", "e0").target_state is module.State.A
    # A module without guarded eventless decisions has no resume cells.
    plain = _module(module_ready(chart_spec(top[:1] + top[2:], arrows[1:])))
    assert plain.Machine.resumes is None and not hasattr(plain, "_RESUMES")
    assert plain.Machine()._cells is plain.Machine()._known_tables.hot()[0]


_DEADLINES = """\
states:
  - name: idle
    type: initial
  - name: a
    after: [{seconds: 5, dest: idle}]
    always:
      - {dest: c, guards: [leave]}
      - {dest: c, guards: [{expr: "rounds >= 10"}]}
  - name: c
    after: [{seconds: 9, dest: idle}]
  - name: box
    states:
      - name: inner
      - name: fin
        type: terminal
transitions:
  - {trigger: go, source: idle, dest: a}
  - {trigger: bump, source: idle, dest: a, assign: {rounds: "rounds + 10"}}
  - {trigger: pack, source: idle, dest: box}
  - {trigger: end, source: inner, dest: fin}
  - trigger: done.state.box
    source: box
    dest: idle
    guards: [leave]
    assign:
      rounds: "rounds + 1"
context:
  rounds: int
"""


def test_a_continued_step_keeps_the_deadlines_and_updates_of_the_whole_call() -> None:
    module = _yaml_module(_DEADLINES)
    machine = module.Machine(guards={"leave": lambda ctx: ctx.get("leave", False)})
    stays = machine.process("idle", "go", {"rounds": 0})
    assert dict(stays.deadlines) == {"a": 5}
    left = machine.process("idle", "go", {"rounds": 0, "leave": True})
    assert left.target_state is module.State.C
    assert dict(left.deadlines) == {"c": 9}  # a was exited: its deadline ends
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert entry_times({}, left, now) == {"c": now}
    assert machine.check_timeout("c", {"c": now}, now + timedelta(seconds=9))
    inside = machine.process("idle", "pack", {"rounds": 0})
    done = machine.process(inside.target_state, "end", {"rounds": 4, "leave": True})
    assert done.target_state is module.State.IDLE
    assert dict(done.context_updates) == {"rounds": 5}
    kept = machine.process(inside.target_state, "end", {"rounds": 4})
    assert kept.target_state is module.State.FIN and not kept.context_updates
    assert isinstance(kept, TransitionResult)
    # The event's assign runs before the eventless guards, which see it.
    bumped = machine.process("idle", "bump", {"rounds": 0})
    assert bumped.target_state is module.State.C
    assert dict(bumped.context_updates) == {"rounds": 10}
    assert machine.process("idle", "bump", {"rounds": -1}).target_state == "a"


_REVIEW = """\
states:
  - name: idle
    type: initial
  - name: checking
    always:
      - {dest: approved, guards: [is_valid]}
      - {dest: rejected, guards: [is_broken]}
  - name: approved
    type: terminal
  - name: rejected
    always:
      - {dest: idle, guards: [may_retry]}
transitions:
  - {trigger: submit, source: idle, dest: checking}
  - {trigger: review, source: checking, dest: checking}
"""


def test_sql_edges_follow_the_decisions_inside_a_step() -> None:
    result = read_spec_text(_REVIEW, path="review.yaml")
    assert result.spec is not None
    edges = {(e.source, e.trigger, e.dest) for e in legal_edges(result.spec)}
    # submit may rest in checking, go on to approved or rejected, and from
    # rejected back to idle; any event of the machine lets checking's and
    # rejected's guards decide.
    assert edges == {
        ("idle", "submit", "checking"),
        ("idle", "submit", "approved"),
        ("idle", "submit", "rejected"),
        ("idle", "submit", "idle"),
        ("checking", "review", "checking"),
        ("checking", "review", "approved"),
        ("checking", "review", "rejected"),
        ("checking", "review", "idle"),
        ("checking", "submit", "approved"),
        ("checking", "submit", "rejected"),
        ("checking", "submit", "idle"),
        ("rejected", "submit", "idle"),
        ("rejected", "review", "idle"),
    }


EXPRESSION_ONLY = """\
context:
  level: int
states:
  - name: A
    type: initial
  - name: B
    states:
      - name: b1
        always:
          - dest: b2
            guards: [{expr: "level > 1"}]
      - name: b2
transitions:
  - {trigger: go, source: A, dest: B}
  - {trigger: back, source: B, dest: A}
"""


def test_an_always_entry_guarded_by_an_expression_alone_is_asked() -> None:
    # Its guard items reach the chart's candidates: it is a guarded
    # decision inside the step, not an unguarded eventless transition.
    front = read_spec_text(EXPRESSION_ONLY, path="expression_only.yaml")
    assert front.spec is not None
    source, diagnostics = generate(front.spec)
    assert source is not None, [d.format() for d in diagnostics]
    machine = load(source).Machine(guards=None)
    assert machine.process("A", "go", {"level": 0}).target_state == "b1"
    taken = machine.process("A", "go", {"level": 2})
    assert taken.target_state == "b2"
