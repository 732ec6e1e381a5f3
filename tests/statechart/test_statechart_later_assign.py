"""``assign`` on transitions taken in later microsteps of a step.

The module of ``tests/cases/generate/chart_later_assign.yaml`` (its golden
is beside it), driven by hand: a step's ``context_updates`` hold every
microstep's ``assign`` in order, a later microstep's values computed from
the updates before it, through a folded step, a timeout and a resume cell;
and a chart whose regions decide in a resume cell (a ``Regions`` cell with
computed results, runtime API 2.7). ``start()`` and fallback moves carry
no updates: ``assign`` on a ``done.state`` transition they take is refused
(GG480).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from statechart_modules import case_module, generate, load

from gubernator_gen import backend
from gubernator_gen.frontend import read_spec_text

CASE = Path(__file__).parents[1] / "cases" / "generate" / "chart_later_assign.yaml"
CONTEXT = {"count": 1, "total": 10}


def _module() -> Any:
    return case_module(CASE)


def test_a_folded_done_state_transition_sees_the_events_updates() -> None:
    machine = _module().Machine(guards={"ready": lambda ctx: False})
    result = machine.process("c1", "finish", CONTEXT)
    assert result.target_state == "e1"
    # finish: count 2, note; done.state.C: total 10 + 2, then count 0.
    assert dict(result.context_updates) == {
        "count": 0,
        "note": "finishing",
        "total": 12,
    }
    assert list(result.context_updates) == ["count", "note", "total"]


def test_a_timeout_that_goes_on_with_done_state_carries_its_updates() -> None:
    machine = _module().Machine(guards={"ready": lambda ctx: False})
    started = datetime(2026, 1, 1, tzinfo=timezone.utc)
    result = machine.check_timeout(
        "c1", {"C": started}, started + timedelta(seconds=30), CONTEXT
    )
    assert result is not None and result.target_state == "e1"
    assert dict(result.context_updates) == {"total": 11, "count": 0}


def test_a_resume_cells_step_computes_every_microstep_in_order() -> None:
    seen: list[dict[str, object]] = []

    def ready(ctx: Any) -> bool:
        seen.append(dict(ctx))
        return True

    machine = _module().Machine(guards={"ready": ready})
    result = machine.process("e1", "close", CONTEXT)
    assert result.target_state == "Z"
    # done.state.E (guarded, in the resume cell): count 2; then the folded
    # done.state.D: total 10 - 2.
    assert dict(result.context_updates) == {"count": 2, "total": 8}
    assert seen == [CONTEXT]
    declined = _module().Machine(guards={"ready": lambda ctx: False})
    rested = declined.process("e1", "close", CONTEXT)
    assert rested.target_state == "ef" and dict(rested.context_updates) == {}


#: Two regions decide at run time (a resume cell with a Regions form), and
#: the done.state transition they lead to assigns.
_REGIONS = """\
context:
  count: int
states:
  - name: P
    type: parallel
    states:
      - name: R1
        states:
          - name: x1
            always:
              - dest: f1
                guards: [g1]
          - name: f1
            type: terminal
      - name: R2
        states:
          - name: x2
            always:
              - dest: f2
                guards: [g2]
          - name: f2
            type: terminal
  - name: Z
transitions:
  - trigger: done.state.P
    source: P
    dest: Z
    assign:
      count: "count + 1"
  - trigger: back
    source: Z
    dest: P
    assign:
      count: "count * 10"
"""


def test_a_regions_resume_cell_computes_the_later_microsteps_updates() -> None:
    front = read_spec_text(_REGIONS, path="chart.yaml", defines={}, environ={})
    assert front.spec is not None
    source, diagnostics = generate(front.spec)
    assert source is not None, [d.format() for d in diagnostics]
    # A Regions cell whose results are computed is the runtime's 2.7 form.
    assert "_runtime.API_VERSION < (2, 7)" in source
    module = load(source)
    both = module.Machine(guards={"g1": lambda ctx: True, "g2": lambda ctx: True})
    started = both.start({"count": 1})
    assert set(started.configuration.active) == {"Z"}
    assert dict(started.context_updates) == {"count": 2}
    # back sets 10; P's done.state transition then adds 1 to it.
    again = both.process(started.configuration, "back", {"count": 1})
    assert dict(again.context_updates) == {"count": 11}
    one = module.Machine(guards={"g1": lambda ctx: True, "g2": lambda ctx: False})
    stuck = one.process(started.configuration, "back", {"count": 1})
    assert set(stuck.configuration.active) == {"f1", "x2"}
    assert dict(stuck.context_updates) == {"count": 10}


_START_ASSIGNS = """\
context:
  count: int
states:
  - name: C
    states:
      - name: f
        type: terminal
  - name: Z
transitions:
  - trigger: done.state.C
    source: C
    dest: Z
    assign:
      count: "count + 1"
"""


def _refusal(text: str) -> Any:
    """The one diagnostic (GG480) of generating the module of spec ``text``."""
    front = read_spec_text(text, path="chart.yaml", defines={}, environ={})
    assert front.spec is not None
    result = backend.generate_module(front.spec)
    assert result.source is None
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "GG480"
    return diagnostic


def test_assign_on_a_done_state_transition_start_takes_is_refused() -> None:
    diagnostic = _refusal(_START_ASSIGNS)
    assert "assign on a done.state transition taken by start()" in diagnostic.message
    assert diagnostic.pos.line == 10  # the done.state.C transition


def test_assign_on_a_done_state_transition_a_fallback_takes_is_refused() -> None:
    text = _START_ASSIGNS.replace(
        "  - name: C\n", "  - name: A\n    type: initial\n  - name: C\n", 1
    )
    text += "  - trigger: go\n    source: A\n    dest: C\n"
    text += "error_policy:\n  default_fallback: C\n"
    assert "taken by a fallback move" in _refusal(text).message
