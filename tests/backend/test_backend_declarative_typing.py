"""Guard expressions and ``assign`` are typed through the whole generated module.

The done-criterion of issue 14: with the checker bypassed (the model's
expression built by hand), mypy rejects a generated machine whose guard
expression compares a ``str`` field with an ``int``, and one whose
``assign`` stores a ``str`` in an ``int`` field. The same machine with
checked expressions passes, and so does an application implementing its
``Guards`` protocol with typed keyword parameters; one whose parameters
have the wrong types is rejected. mypy runs once per Python version over
every file (it is slow to start).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from backend_support import generate

from gubernator_gen.expressions import (
    BOOL,
    INT,
    STR,
    Compare,
    CompareOp,
    FieldRead,
    Literal,
)
from gubernator_gen.frontend import read_spec_text
from gubernator_gen.model import Assignment, ExpressionGuard, MachineSpec

SPEC = """\
meta: {machine_name: typed}
context:
  name: str
  count: int
states:
  - {name: A, type: initial}
  - {name: B}
transitions:
  - trigger: go
    source: A
    dest: B
    guards:
      - {expr: "name == 'x'"}
      - {guard: within, params: {limit: 2.5, label: eu}}
    assign:
      count: "count + 1"
"""

GOOD_USER = """\
from typed import Context, Guards, Machine


class MyGuards:
    def within(self, ctx: Context, *, limit: float, label: str) -> bool:
        return ctx["count"] < limit and label != ""


guards: Guards = MyGuards()
result = Machine(guards=guards).process("A", "go", {"name": "x", "count": 1})
updates: object = result.context_updates["count"]
"""

BAD_USER = """\
from typed import Context, Guards


class WrongGuards:
    def within(self, ctx: Context, *, limit: str, label: str) -> bool:
        return limit == label


guards: Guards = WrongGuards()  # E: limit is a float
"""


def _spec() -> MachineSpec:
    result = read_spec_text(SPEC, path="typed.yaml")
    assert result.spec is not None, [d.format() for d in result.diagnostics]
    return result.spec


def _bypassed(spec: MachineSpec) -> MachineSpec:
    """``spec`` with the checker's work replaced by what it refuses."""
    transition = spec.transitions[0]
    name = FieldRead("name", STR)
    str_equals_int = Compare(name, (CompareOp.EQ,), (Literal(1, INT),), BOOL)
    items = (ExpressionGuard(str_equals_int, "name == 1"), transition.guard_items[1])
    assign = (Assignment("count", name, "name"),)
    changed = dataclasses.replace(transition, guard_items=items, assign=assign)
    return dataclasses.replace(spec, transitions=(changed,))


def _mypy(directory: Path, files: list[str], version: str | None) -> str:
    options = ["--python-version", version] if version else []
    (directory / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            *options,
            "--strict",
            "--no-error-summary",
            "--show-error-codes",
            "--no-pretty",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            str(directory / ".mypy_cache"),
            *files,
        ],
        cwd=directory,
        capture_output=True,
        text=True,
    )
    return completed.stdout + completed.stderr


def _errors(report: str, file_name: str) -> list[tuple[int, str]]:
    pattern = re.compile(rf"^{re.escape(file_name)}:(\d+): error: (.*)$", re.MULTILINE)
    return [(int(line), message) for line, message in pattern.findall(report)]


def _function_lines(source: str, name: str) -> range:
    lines = source.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    last = next(
        (i for i in range(first + 1, len(lines)) if lines[i] and lines[i][0] != " "),
        len(lines),
    )
    return range(first + 1, last + 1)


@pytest.mark.parametrize("version", [None, "3.10"], ids=["current", "py3.10"])
def test_mypy_rejects_a_machine_whose_expressions_bypassed_the_checker(
    tmp_path: Path, version: str | None
) -> None:
    good = tmp_path / "good"
    bad = tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "typed.py").write_text(generate(_spec()), encoding="utf-8")
    (good / "user.py").write_text(GOOD_USER, encoding="utf-8")
    (good / "wrong_user.py").write_text(BAD_USER, encoding="utf-8")
    source = generate(_bypassed(_spec()))
    (bad / "typed.py").write_text(source, encoding="utf-8")

    report = _mypy(good, ["typed.py", "user.py", "wrong_user.py"], version)
    assert _errors(report, "typed.py") == [], report
    assert _errors(report, "user.py") == [], report
    wrong = _errors(report, "wrong_user.py")
    assert [line for line, _ in wrong] == [9], report

    report = _mypy(bad, ["typed.py"], version)
    errors = _errors(report, "typed.py")
    guard = _function_lines(source, "_guard_expr_0")
    assign = _function_lines(source, "_assign_0")
    in_guard = [message for line, message in errors if line in guard]
    in_assign = [message for line, message in errors if line in assign]
    assert any("[comparison-overlap]" in m for m in in_guard), report
    assert any("[assignment]" in m for m in in_assign), report
    assert len(errors) == len(in_guard) + len(in_assign), report
