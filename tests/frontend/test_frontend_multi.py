"""A file with many independent problems reports every one of them, once."""

from __future__ import annotations

import json

from frontend_support import located, run

from gubernator_gen.diagnostics import Severity

MANY_PROBLEMS = """\
meta:
  machine_name: ${NAME}
  version: 1.0
  strict_mode: yes
  descripton: hello
context:
  order_id: string
  def: str
states:
  - name: PENDING
    type: initial
    on_enter: [class]
    timeout: {seconds: 0, destination: DONE}
  - name: PAID
    type: initial
  - name: DONE
    type: terminal
    metadata: !!set {a, b}
  - name: DONE
transitions:
  - trigger: pay
    source: PENDNG
    dest: PAID
  - trigger: pay
    source: PENDING
    dest: PAID
  - trigger: pay
    source: PENDING
    dest: PAID
    dest: PAID
  - trigger: finish
    source: DONE
    dest: PAID
  - trigger: Refund
    source: PAID
    dest: DONE
error_policy:
  retry_attempts: -1
  default_fallback: NOWHERE
"""

EXPECTED = [
    ("GG104", 2, 17),  # ${NAME} is not defined
    ("GG201", 3, 12),  # version is a number
    ("GG201", 4, 16),  # yes is a string, not a boolean
    ("GG204", 5, 3),  # descripton
    ("GG205", 7, 13),  # string is not a context type
    ("GG307", 8, 3),  # context field def
    ("GG307", 12, 16),  # action class
    ("GG207", 13, 24),  # seconds: 0
    ("GG303", 15, 11),  # a second initial state
    ("GG111", 18, 15),  # !!set
    ("GG301", 19, 11),  # DONE again
    ("GG304", 22, 13),  # PENDNG
    ("GG309", 28, 13),  # shadowed by the transition at line 24
    ("GG110", 30, 5),  # dest repeated
    ("GG305", 32, 13),  # leaves terminal DONE
    ("GG202", 34, 14),  # Refund
    ("GG207", 38, 19),  # retry_attempts: -1
    ("GG304", 39, 21),  # NOWHERE
]


def test_every_problem_is_reported_in_position_order() -> None:
    result = run(MANY_PROBLEMS, path="orders.yaml")
    assert located(result.diagnostics) == EXPECTED
    assert result.spec is None
    assert all(d.severity is Severity.ERROR for d in result.diagnostics)
    by_line = {d.pos.line: d.message for d in result.diagnostics}
    assert "did you mean 'PENDING'?" in by_line[22]
    assert "line 24" in by_line[28]
    assert "did you mean 'description'?" in by_line[5]
    assert "did you mean 'str'?" in by_line[7]


def test_text_and_json_forms() -> None:
    result = run(MANY_PROBLEMS, path="specs/orders.yaml")
    first = result.diagnostics[0]
    assert first.format() == (f"specs/orders.yaml:2:17: error: {first.message} [GG104]")
    records = json.loads(json.dumps([d.to_dict() for d in result.diagnostics]))
    assert [(r["code"], r["line"], r["column"]) for r in records] == EXPECTED
    assert {r["path"] for r in records} == {"specs/orders.yaml"}
    assert {r["severity"] for r in records} == {"error"}


def test_warnings_are_only_reported_without_errors() -> None:
    # A misspelt dest leaves its intended state "unreachable"; with the
    # error present that warning would only repeat it.
    text = """\
states:
  - name: A
    type: initial
  - name: B
  - name: C
    type: terminal
transitions:
  - trigger: go
    source: A
    dest: BB
  - trigger: on
    source: B
    dest: C
"""
    assert [d.code for d in run(text).diagnostics] == ["GG304"]
    fixed = run(text.replace("dest: BB", "dest: B"))
    assert fixed.diagnostics == () and fixed.spec is not None
