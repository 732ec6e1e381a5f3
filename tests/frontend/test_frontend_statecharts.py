"""The statechart language read into the model, and its checks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from frontend_support import codes_of, run
from hypothesis import given, settings
from hypothesis import strategies as st

from gubernator_gen.compiler import CompileOptions, compile_path
from gubernator_gen.driver.cli import main
from gubernator_gen.frontend import schema
from gubernator_gen.frontend.codes import CODES
from gubernator_gen.frontend.load import load_text
from gubernator_gen.frontend.tree import plain
from gubernator_gen.model import (
    ExpressionGuard,
    GuardSignature,
    HistoryDepth,
    MachineSpec,
    NamedGuard,
    StateKind,
)

CHART = """\
context:
  score: int
states:
  - name: off
    type: initial
  - name: on
    on_enter: [power_up]
    states:
      - name: idle
      - name: busy
        states:
          - name: working
          - name: saving
      - name: back
        type: history
        history: deep
        default: saving
    always:
      - dest: off
        guards: [{expr: "score < 0"}, {guard: allowed, params: {level: 2}}]
        actions: [shut_down]
        description: power cut
    after:
      - seconds: 2.5
        dest: busy
        internal: true
  - name: both
    type: parallel
    states:
      - name: left
        type: terminal
      - name: right
        type: terminal
transitions:
  - trigger: start
    source: off
    dest: on
  - trigger: resume
    source: off
    dest: back
  - trigger: split
    source: on
    dest: both
  - trigger: save
    source: on
    dest: saving
    internal: true
  - trigger: work
    source: idle
    dest: working
  - trigger: done.state.both
    source: both
    dest: off
  - trigger: stop
    source: "*"
    dest: off
"""


def _data(text: str) -> object:
    """``text`` as plain data, read the YAML 1.2 way (``off`` stays a string)."""
    root = load_text(text, path="chart.yaml", defines={}, environ={}).root
    assert root is not None
    return plain(root)


def _spec(text: str) -> MachineSpec:
    result = run(text)
    assert [d for d in result.diagnostics if d.is_error] == []
    assert result.spec is not None
    return result.spec


def test_nested_states_are_listed_in_document_order_with_their_tree() -> None:
    spec = _spec(CHART)
    assert [s.name for s in spec.states] == [
        "off", "on", "idle", "busy", "working", "saving", "back", "both", "left",
        "right",
    ]  # fmt: skip
    assert spec.is_statechart
    on = spec.state("on")
    assert on.children == ("idle", "busy", "back") and on.initial == "idle"
    assert spec.state("busy").initial == "working"
    assert spec.state("working").parent == "busy"
    back = spec.state("back")
    assert back.history is HistoryDepth.DEEP and back.history_default == "saving"
    assert back.kind is StateKind.STABLE and back.initial is None
    both = spec.state("both")
    assert both.parallel and both.initial is None
    assert spec.tree.ancestors("saving") == ("busy", "on")


def test_always_and_after_read_their_guard_items() -> None:
    spec = _spec(CHART)
    (always,) = spec.state("on").always
    assert always.dest == "off" and always.actions == ("shut_down",)
    assert always.description == "power cut" and not always.internal
    assert always.guards == ("allowed",)
    expression, named = always.guard_items
    assert isinstance(expression, ExpressionGuard) and expression.text == "score < 0"
    assert isinstance(named, NamedGuard) and named.params[0].value == 2
    (after,) = spec.state("on").after
    assert after.seconds == 2.5 and after.dest == "busy" and after.internal
    assert spec.guard_signatures[0].name == "allowed"
    assert isinstance(spec.guard_signatures[0], GuardSignature)
    assert "allowed" in spec.guards and "shut_down" in spec.actions


def test_internal_and_done_state_triggers_reach_the_model() -> None:
    spec = _spec(CHART)
    by_trigger = {t.trigger: t for t in spec.transitions}
    assert by_trigger["save"].internal and not by_trigger["split"].internal
    assert "done.state.both" in spec.triggers


def test_a_wildcard_means_the_top_level_states_of_a_statechart() -> None:
    stop = next(t for t in _spec(CHART).transitions if t.trigger == "stop")
    assert stop.wildcard and stop.sources == ("off", "on", "both")


def test_a_statechart_without_type_initial_starts_in_its_first_state() -> None:
    text = CHART.replace("    type: initial\n", "", 1)
    spec = _spec(text)
    assert spec.initial_state.name == "off"
    flat = "states:\n  - name: A\n  - name: B\ntransitions: []\n"
    assert codes_of(run(flat)) == ["GG302"]


def test_a_parallel_state_first_is_where_a_statechart_starts() -> None:
    text = """\
states:
  - name: both
    type: parallel
    states: [{name: a}, {name: b}]
  - name: out
transitions:
  - {trigger: leave, source: both, dest: out}
  - {trigger: again, source: out, dest: both}
"""
    spec = _spec(text)
    assert spec.initial_state.name == "both" and spec.initial_state.parallel


def test_flat_specs_are_not_statecharts_and_keep_their_model() -> None:
    spec = _spec("states:\n  - {name: A, type: initial}\ntransitions: []\n")
    assert not spec.is_statechart
    assert spec.state("A").children == () and spec.state("A").initial is None


def test_names_are_unique_across_the_whole_machine() -> None:
    text = CHART.replace("      - name: idle", "      - name: left")
    assert "GG301" in codes_of(run(text))


def test_a_misspelt_dest_inside_always_is_suggested() -> None:
    text = CHART.replace("      - dest: off\n", "      - dest: of\n")
    result = run(text)
    assert codes_of(result) == ["GG304"]
    assert "did you mean 'off'?" in result.diagnostics[0].message


def test_an_unguarded_always_entry_shadows_the_next() -> None:
    text = CHART.replace(
        "        description: power cut\n",
        "        description: power cut\n      - dest: off\n      - dest: both\n",
    )
    assert codes_of(run(text)) == ["GG309"]


@pytest.mark.parametrize("seconds", ["0", "-1", ".inf"])
def test_after_seconds_must_be_positive_and_finite(seconds: str) -> None:
    text = CHART.replace("seconds: 2.5", f"seconds: {seconds}")
    assert codes_of(run(text)) == ["GG311" if seconds == ".inf" else "GG207"]


def test_always_on_a_terminal_state_is_refused() -> None:
    terminal = "  - name: end\n    type: terminal\n    always: [{dest: off}]\n"
    text = CHART.replace("  - name: both\n", terminal + "  - name: both\n")
    assert "GG305" in codes_of(run(text))


def test_deep_nesting_is_read_without_recursion_limits() -> None:
    depth = 30  # two YAML levels per state: under the loader's depth limit
    lines = ["states:", "  - name: top", "    type: initial"]
    for level in range(depth):
        pad = "  " * (2 * level + 2)
        lines += [f"{pad}states:", f"{pad}  - name: s{level}"]
    lines.append("transitions: []")
    spec = _spec("\n".join(lines) + "\n")
    assert spec.tree.depths[f"s{depth - 1}"] == depth


def _warnings(text: str) -> list[tuple[str, int]]:
    result = run(text)
    return [(d.code, d.pos.line) for d in result.diagnostics]


def test_reachability_follows_initial_children_history_and_regions() -> None:
    # right: only as a region; idle: only as the initial child; busy: only
    # by a delay. None is a warning.
    assert not [w for w in _warnings(CHART) if w[0] == "GG350"]


def test_an_unentered_child_is_reported_once_at_the_outermost_state() -> None:
    text = """\
states:
  - name: a
    type: initial
  - name: lost
    states:
      - name: inner
        states: [{name: deep}]
  - name: box
    states:
      - name: first
      - name: never
transitions:
  - {trigger: go, source: a, dest: box}
  - {trigger: back, source: box, dest: a}
"""
    assert [w for w in _warnings(text) if w[0] == "GG350"] == [
        ("GG350", 4),
        ("GG350", 11),
    ]


def test_a_leaf_whose_parent_or_sibling_region_leaves_is_no_dead_end() -> None:
    text = """\
states:
  - name: a
    type: initial
  - name: box
    states: [{name: x}, {name: y}]
  - name: both
    type: parallel
    states:
      - name: r1
        states: [{name: stuck}]
      - name: r2
        states: [{name: mover}]
  - name: sink
transitions:
  - {trigger: go, source: a, dest: box}
  - {trigger: next, source: x, dest: y}
  - {trigger: out, source: box, dest: both}
  - {trigger: out, source: mover, dest: a}
"""
    assert [w for w in _warnings(text) if w[0] == "GG351"] == [("GG351", 13)]


def test_validate_accepts_a_statechart_that_generate_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "chart.yaml"
    # A default_fallback whose move goes on with a guarded always:
    # transition is what statechart modules do not run yet (the executor
    # proposes a prebuilt move).
    failed = "  - name: failed\n    always:\n      - {dest: off, guards: [g]}\n"
    refused = "error_policy:\n  default_fallback: failed\n" + CHART.replace(
        "transitions:\n", failed + "transitions:\n", 1
    )
    spec.write_text(refused, encoding="utf-8")
    assert main(["validate", str(spec)]) == 0
    assert capsys.readouterr().err == ""
    result = compile_path(spec, CompileOptions())
    assert not result.modules
    assert [d.code for d in result.diagnostics] == ["GG480"]
    assert main(["generate", str(spec)]) == 1
    assert not (tmp_path / "chart.py").exists()
    assert main(["sql", str(spec)]) == 1
    assert "GG480" in capsys.readouterr().err


def test_a_history_default_enters_but_an_ancestor_does_not_enter_its_initial() -> None:
    text = """\
states:
  - name: a
    type: initial
  - name: box
    states:
      - name: first
      - name: by_history
      - name: back
        type: history
        default: by_history
transitions:
  - {trigger: go, source: a, dest: back}
  - {trigger: leave, source: box, dest: a}
"""
    assert [w for w in _warnings(text) if w[0] == "GG350"] == [("GG350", 6)]


def test_a_constant_guard_expression_in_always_is_a_warning() -> None:
    text = CHART.replace('{expr: "score < 0"}', '{expr: "1 > 2"}')
    assert "GG355" in codes_of(run(text))


def test_in_state_is_a_statechart_guard_and_refused_in_a_flat_machine() -> None:
    text = CHART.replace('{expr: "score < 0"}', "{expr: \"in_state('busy')\"}")
    (always,) = _spec(text).state("on").always
    assert isinstance(always.guard_items[0], ExpressionGuard)
    assert "in_state" in always.guard_items[0].text
    assert codes_of(run(text.replace("in_state('busy')", "in_state('back')"))) == [
        "GG328"
    ]
    flat = """\
states:
  - {name: A, type: initial}
  - {name: B}
transitions:
  - {trigger: go, source: A, dest: B, guards: [{expr: "in_state('A')"}]}
  - {trigger: back, source: B, dest: A}
"""
    result = run(flat)
    assert codes_of(result) == ["GG323"]
    assert "in a flat machine" in result.diagnostics[0].message


def _paths(data: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path to a value inside ``data`` (mappings and lists)."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*path, index))
    return found


def _replaced(data: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {
            k: _replaced(v, rest, value) if k == head else v for k, v in data.items()
        }
    assert isinstance(data, list)
    return [_replaced(v, rest, value) if i == head else v for i, v in enumerate(data)]


_JUNK = st.sampled_from(
    [None, 0, -1, 2.5, True, "", "*", "busy", "back", "history", "parallel",
     "deep", [], [{}], {}, {"name": "x"}, [{"name": "x", "type": "history"}],
     {"dest": "off"}, [{"seconds": 0, "dest": "nowhere"}], "done.state.on"]
)  # fmt: skip


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.data())
def test_mutated_statecharts_give_located_diagnostics_never_a_crash(
    data: st.DataObject,
) -> None:
    original = _data(CHART)
    path = data.draw(st.sampled_from(_paths(original)[1:]))
    mutated = _replaced(original, path, data.draw(_JUNK))
    result = run(json.dumps(mutated), path="chart.json")
    if result.spec is None:
        assert any(d.is_error for d in result.diagnostics)
    for diagnostic in result.diagnostics:
        assert diagnostic.pos.path == "chart.json" and diagnostic.pos.line >= 1
        assert diagnostic.code in CODES, diagnostic.format()
        assert "internal error" not in diagnostic.message, diagnostic.format()


def test_the_published_schema_and_the_inlined_one_agree_on_nested_states() -> None:
    published = jsonschema.Draft7Validator(schema.schema())
    good = _data(CHART)
    assert not list(published.iter_errors(good))
    assert codes_of(run(json.dumps(good))) == []
    bad = _data(CHART.replace("          - name: saving", "          - nme: x"))
    paths = {tuple(e.absolute_path) for e in published.iter_errors(bad)}
    assert paths == {("states", 1, "states", 1, "states", 1)}
    result = run(json.dumps(bad))
    assert sorted(codes_of(result)) == ["GG203", "GG204"]
