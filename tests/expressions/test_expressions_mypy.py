"""mypy --strict (current Python and 3.10), ruff and the emitted code.

* Random expressions the checker accepts, emitted as guard and assign
  functions over one rich ``Context``, pass ``mypy --strict`` and ruff.
* With the checker bypassed (IR built by hand), mypy rejects what the
  checker would have refused: a ``str`` field compared with an ``int`` (the
  done-criterion of issue 14), a value of the wrong type assigned to a
  field, ordering a value that may be absent, an ``any`` result returned as
  ``bool``. So the typing really goes through ``Context``.

mypy is slow to start, so every file of a run goes through it in one batch,
as in tests/backend/test_backend_tools.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from expressions_strategies import Schema, expressions
from expressions_support import (
    FIELDS,
    IN_STATE,
    SCOPE,
    annotations,
    module_source,
    text_at,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_expressions_properties import degenerate

from gubernator_gen.backend.expressions import (
    EmittedFunction,
    assign_function,
    guard_function,
)
from gubernator_gen.expressions import (
    ANY,
    BOOL,
    INT,
    STR,
    Compare,
    CompareOp,
    FieldRead,
    Literal,
    OptionalType,
)
from gubernator_gen.frontend.expressions import check_assignment, check_guard

SCHEMA = Schema(FIELDS)
TARGETS = {
    "int": "count",
    "num": "ratio",
    "float": "ratio",
    "decimal": "amount",
    "str": "name",
}


@dataclass(frozen=True)
class Reports:
    """What mypy (per Python version) and ruff said about a directory."""

    mypy: dict[str, str]
    ruff: subprocess.CompletedProcess[str]


def run_tools(directory: Path, files: list[Path], cache: Path) -> Reports:
    common = [
        "--strict",
        "--cache-dir",
        str(cache),
        "--no-error-summary",
        "--show-error-codes",
        "--hide-error-context",
        "--no-pretty",
        "--config-file",
        str(directory / "mypy.ini"),
    ]
    (directory / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    names = [str(f) for f in files]
    py310 = subprocess.Popen(
        [sys.executable, "-m", "mypy", "--python-version", "3.10", *common, *names],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    current = subprocess.run(
        [sys.executable, "-m", "mypy", *common, *names],
        cwd=directory,
        capture_output=True,
        text=True,
    )
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", *names],
        cwd=directory,
        capture_output=True,
        text=True,
    )
    out_310, _ = py310.communicate()
    return Reports({"current": current.stdout + current.stderr, "3.10": out_310}, ruff)


def error_lines(report: str, file_name: str) -> list[int]:
    pattern = re.compile(rf"^.*{re.escape(file_name)}:(\d+): error:", re.MULTILINE)
    return sorted(int(line) for line in pattern.findall(report))


def cache_dir(request: pytest.FixtureRequest, fallback: Path) -> Path:
    cache = getattr(request.config, "cache", None)
    return cache.mkdir("gubernator-expressions-mypy") if cache else fallback / ".mypy"


@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    guards=st.lists(expressions(SCHEMA, "bool", 3), min_size=40, max_size=40),
    values=st.lists(
        st.sampled_from(sorted(TARGETS)).flatmap(
            lambda kind: st.tuples(st.just(kind), expressions(SCHEMA, kind, 2))
        ),
        min_size=15,
        max_size=15,
    ),
)
def test_accepted_expressions_pass_mypy_strict_and_ruff(
    guards: list[str],
    values: list[tuple[str, str]],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    functions: list[EmittedFunction] = []
    for index, text in enumerate(guards):
        checked = check_guard(text_at(text), SCOPE)
        if degenerate(checked.diagnostics):
            continue
        assert checked.expr is not None, (text, checked.diagnostics)
        functions.append(
            guard_function(
                f"_guard_expr_{index}", checked.expr, in_state=IN_STATE, doc=text
            )
        )
    spelled = annotations(FIELDS)
    for index, (kind, text) in enumerate(values):
        target = TARGETS[kind]
        checked = check_assignment(
            target, text_at(text).locate(0), text_at(text), SCOPE
        )
        if degenerate(checked.diagnostics):
            continue
        assert checked.expr is not None, (target, text, checked.diagnostics)
        functions.append(
            assign_function(
                f"_assign_{index}",
                [(target, checked.expr), ("status", Literal("paid", STR))],
                annotations=spelled,
            )
        )
    directory = tmp_path_factory.mktemp("accepted")
    path = directory / "accepted.py"
    path.write_text(module_source(FIELDS, functions), encoding="utf-8")
    reports = run_tools(directory, [path], cache_dir(request, directory))
    for version, report in reports.mypy.items():
        # Silence is success (--no-error-summary): not even a note or a crash.
        assert report.strip() == "", (version, report)
    assert reports.ruff.returncode == 0, reports.ruff.stdout


def _rejected_functions() -> list[EmittedFunction]:
    name = FieldRead("name", STR)
    limit = FieldRead("limit", INT, may_be_absent=True)
    extra = FieldRead("extra", ANY)
    one = Literal(1, INT)
    spelled = annotations(FIELDS)
    return [
        # The done-criterion: a str field compared with an int.
        guard_function(
            "str_field_equals_int", Compare(name, (CompareOp.EQ,), (one,), BOOL)
        ),
        # A str stored in an int field.
        assign_function("str_into_int_field", [("count", name)], annotations=spelled),
        # An absent-able field ordered without a None check (typed as if narrowed).
        guard_function(
            "unchecked_optional", Compare(limit, (CompareOp.GT,), (one,), BOOL)
        ),
        # An any result returned as bool without bool(...).
        guard_function("any_as_bool", Compare(extra, (CompareOp.EQ,), (one,), BOOL)),
    ]


def test_mypy_rejects_what_the_checker_refuses(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # The checker refuses each of these itself, at the place of the mistake.
    assert not check_guard(text_at("name == 1"), SCOPE).ok
    assert not check_assignment(
        "count", text_at("x").locate(0), text_at("name"), SCOPE
    ).ok
    assert not check_guard(text_at("limit > 1"), SCOPE).ok
    assert FIELDS["limit"] == OptionalType(INT)
    functions = _rejected_functions()
    source = module_source(FIELDS, functions)
    path = tmp_path / "rejected.py"
    path.write_text(source, encoding="utf-8")
    reports = run_tools(tmp_path, [path], cache_dir(request, tmp_path))
    lines = source.splitlines()
    for version, report in reports.mypy.items():
        errors = error_lines(report, "rejected.py")
        for function in functions:
            first = lines.index(function.source.splitlines()[0]) + 1
            last = first + len(function.source.splitlines()) - 1
            inside = [line for line in errors if first <= line <= last]
            assert inside, (version, function.name, report)
        assert len(set(errors)) == len(functions), (version, report)
        assert "comparison-overlap" in report
        assert "no-any-return" in report
