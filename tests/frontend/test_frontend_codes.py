"""One test per diagnostic code, each pinned to its exact line and column.

Every case's expected list is the complete set of diagnostics for the file,
so a test also fails when a mistake is reported twice or cascades.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from frontend_support import BASE, located, run

from gubernator_gen.diagnostics import Severity
from gubernator_gen.frontend import FrontendResult, load, read_spec, schema
from gubernator_gen.frontend import codes as frontend_codes
from gubernator_gen.frontend.tree import MapNode


def _edit(line_no: int, new_line: str, text: str = BASE) -> str:
    """``text`` with its line ``line_no`` (1-based) replaced."""
    lines = text.splitlines(keepends=True)
    lines[line_no - 1] = new_line + "\n"
    return "".join(lines)


def _insert(after: int, new_lines: str, text: str = BASE) -> str:
    """``text`` with ``new_lines`` inserted after line ``after``."""
    lines = text.splitlines(keepends=True)
    return "".join([*lines[:after], new_lines, *lines[after:]])


LAUGHS = """\
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
"""

UNREACHABLE = """\
states:
  - name: A
    type: initial
  - name: B
    type: terminal
  - name: C
transitions:
  - trigger: go
    source: A
    dest: B
  - trigger: go
    source: C
    dest: B
"""

# B is an ordinary state that nothing leaves.
DEAD_END = BASE.replace("    type: terminal\n", "")

# (code, spec text, every diagnostic expected as (code, line, column))
CASES: list[tuple[str, str | bytes, list[tuple[str, int, int]]]] = [
    ("GG102", b"states:\n  - name: \xff\n", [("GG102", 2, 11)]),
    (
        "GG104",
        "meta:\n  machine_name: ${NAME}\n" + BASE,
        [("GG104", 2, 17)],
    ),
    (
        "GG105",
        "meta:\n  machine_name: ${NAME:?pass --define NAME=...}\n" + BASE,
        [("GG105", 2, 17)],
    ),
    ("GG106", _edit(9, "    dest: B: C"), [("GG106", 9, 12)]),
    ("GG107", BASE + "---\nstates: []\n", [("GG107", 10, 1)]),
    ("GG108", "", [("GG108", 1, 1)]),
    ("GG109", "- A\n- B\n", [("GG109", 1, 1)]),
    ("GG110", BASE + "states: []\n", [("GG110", 10, 1)]),
    (
        "GG111",
        "meta:\n  description: !!binary aGk=\n" + BASE,
        [("GG111", 2, 16)],
    ),
    (
        "GG112",
        BASE + "error_policy:\n  retry_attempts: !!int many\n",
        [("GG112", 11, 19)],
    ),
    ("GG113", BASE + "meta:\n  <<: {version: '1.0.0'}\n", [("GG113", 11, 3)]),
    ("GG114", _edit(9, "    dest: *nowhere"), [("GG114", 9, 11)]),
    ("GG115", BASE + "meta:\n  description: &d [*d]\n", [("GG115", 11, 20)]),
    ("GG116", LAUGHS, [("GG116", 5, 36)]),
    ("GG117", "x: " + "[" * 70 + "]" * 70 + "\n", [("GG117", 1, 67)]),
    (
        "GG119",
        BASE + "meta:\n  description: " + "1" * 4001 + "\n",
        [("GG119", 11, 16)],
    ),
    ("GG201", BASE + "error_policy:\n  retry_attempts: '2'\n", [("GG201", 11, 19)]),
    ("GG202", _edit(2, "  - name: a"), [("GG202", 2, 11)]),
    ("GG203", BASE.replace("    dest: B\n", ""), [("GG203", 7, 5)]),
    ("GG204", BASE + "    destination: B\n", [("GG204", 10, 5)]),
    ("GG205", _edit(3, "    type: intial"), [("GG205", 3, 11)]),
    ("GG206", _insert(3, "    metadata: {1: x}\n"), [("GG206", 4, 16)]),
    (
        "GG207",
        _insert(3, "    timeout:\n      seconds: 0\n      destination: B\n"),
        [("GG207", 5, 16)],
    ),
    ("GG208", "states: []\ntransitions: []\n", [("GG208", 1, 9)]),
    ("GG301", _insert(5, "  - name: B\n"), [("GG301", 6, 11)]),
    ("GG302", _edit(3, "    type: stable"), [("GG302", 2, 3)]),
    ("GG303", _edit(5, "    type: initial"), [("GG303", 5, 11)]),
    ("GG304", _edit(9, "    dest: C"), [("GG304", 9, 11)]),
    (
        "GG305",
        BASE + "  - trigger: back\n    source: B\n    dest: A\n",
        [("GG305", 11, 13)],
    ),
    (
        "GG306",
        _insert(5, "    timeout: {seconds: 5, destination: A}\n"),
        [("GG306", 6, 5)],
    ),
    ("GG307", BASE + "    guards: class\n", [("GG307", 10, 13)]),
    ("GG308", BASE + "    actions: [__init__]\n", [("GG308", 10, 15)]),
    (
        "GG309",
        BASE + "  - trigger: go\n    source: A\n    dest: A\n",
        [("GG309", 11, 13)],
    ),
    (
        "GG311",
        _insert(3, "    timeout:\n      seconds: .inf\n      destination: B\n"),
        [("GG311", 5, 16)],
    ),
    ("GG350", UNREACHABLE, [("GG350", 6, 11)]),
    ("GG351", DEAD_END, [("GG351", 4, 11)]),
    (
        "GG352",
        UNREACHABLE + "    guards: [ok]\n",
        [("GG350", 6, 11), ("GG352", 14, 14)],
    ),
    (
        "GG353",
        _insert(6, "    on_enter: [hello]\n", UNREACHABLE),
        [("GG350", 6, 11), ("GG353", 7, 16)],
    ),
    ("GG354", _edit(8, "    source: [A, A]"), [("GG354", 8, 17)]),
]


@pytest.mark.parametrize(
    ("code", "text", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_code_is_reported_at_its_node(
    code: str, text: str | bytes, expected: list[tuple[str, int, int]]
) -> None:
    result = run(text)
    assert located(result.diagnostics) == expected
    reported = next(d for d in result.diagnostics if d.code == code)
    assert reported.message
    assert reported.pos.path == "spec.yaml"
    is_warning = int(code[2:]) >= 350
    assert reported.severity is (Severity.WARNING if is_warning else Severity.ERROR)
    # Warnings alone do not stop the model from being built.
    assert (result.spec is None) == (not is_warning)


def test_gg101_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = read_spec(missing, defines={}, environ={})
    assert located(result.diagnostics) == [("GG101", 1, 1)]
    assert result.diagnostics[0].pos.path == str(missing)
    directory = read_spec(tmp_path, defines={}, environ={})
    assert located(directory.diagnostics) == [("GG101", 1, 1)]
    assert result.spec is None and directory.spec is None


def _read_spec_within(path: Path, seconds: float) -> FrontendResult:
    """``read_spec`` on ``path``, failing the test instead of hanging."""
    results: list[FrontendResult] = []
    worker = threading.Thread(
        target=lambda: results.append(read_spec(path, defines={}, environ={})),
        daemon=True,
    )
    worker.start()
    worker.join(seconds)
    assert results, f"read_spec({path}) blocked"
    return results[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_gg101_named_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    for path in (fifo, link):
        result = _read_spec_within(path, 30)
        assert located(result.diagnostics) == [("GG101", 1, 1)]
        assert result.diagnostics[0].message == (
            "cannot read the spec: it is a named pipe (FIFO), not a regular file"
        )
        assert result.spec is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_gg101_file_replaced_by_a_pipe_after_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check and the opening are two steps; a pipe swapped in between
    # must not block either.
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    regular_file = tmp_path / "regular.yaml"
    regular_file.write_text(BASE)
    regular = regular_file.stat()
    real_stat = os.stat

    def stat_as_before(
        path: str | os.PathLike[str], *args: Any, **kwargs: Any
    ) -> os.stat_result:
        if os.fspath(path) == os.fspath(fifo):
            return regular
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_as_before)
    result = _read_spec_within(fifo, 30)
    assert located(result.diagnostics) == [("GG101", 1, 1)]
    assert "named pipe" in result.diagnostics[0].message


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_gg101_device_is_refused() -> None:
    result = _read_spec_within(Path("/dev/null"), 30)
    assert located(result.diagnostics) == [("GG101", 1, 1)]
    assert result.diagnostics[0].message == (
        "cannot read the spec: it is a character device, not a regular file"
    )


def test_gg103_file_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 50)
    assert located(run(BASE).diagnostics) == [("GG103", 1, 1)]


def test_gg118_too_many_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_NODES", 5)
    # root mapping, "a", the list, 1, 2 are five nodes; "3" is the sixth.
    assert located(run("a: [1, 2, 3, 4]\n").diagnostics) == [("GG118", 1, 11)]


def test_gg209_other_schema_keyword() -> None:
    # The shipped schema uses only keywords with dedicated messages, so an
    # unexpected one (here maxLength) is checked through the explainer.
    from jsonschema import Draft7Validator

    tree = load.load_text(BASE, path="spec.yaml", defines={}, environ={}).root
    assert isinstance(tree, MapNode)
    errors = list(
        Draft7Validator({"properties": {"states": {"maxItems": 1}}}).iter_errors(
            {"states": [1, 2]}
        )
    )
    diagnostics = [d for e in errors for d in schema._explain(e, tree)]
    assert located(tuple(diagnostics)) == [("GG209", 2, 3)]
    assert diagnostics[0].message.startswith("states: ")


def test_gg310_machine_name_from_bad_file_stem() -> None:
    result = run(BASE, path="my-spec.yaml")
    assert located(result.diagnostics) == [("GG310", 1, 1)]
    assert "machine_name: my_spec" in result.diagnostics[0].message
    named = run("meta:\n  machine_name: my_spec\n" + BASE, path="my-spec.yaml")
    assert named.diagnostics == () and named.spec is not None
    assert named.spec.name == "my_spec"


def test_every_code_has_a_test() -> None:
    tested = {case[0] for case in CASES} | {"GG101", "GG103", "GG118", "GG209", "GG310"}
    assert tested == set(frontend_codes.CODES)


def test_codes_table_is_well_formed() -> None:
    for code, meaning in frontend_codes.CODES.items():
        assert code.startswith("GG") and len(code) == 5 and code[2:].isdigit()
        assert 100 <= int(code[2:]) < 400
        assert meaning and meaning == meaning.strip()
        assert meaning.startswith("warning:") == (int(code[2:]) >= 350)


def test_suggestions_in_messages() -> None:
    typo = run(_edit(9, "    dest: BB", _edit(4, "  - name: BBB")))
    assert [d.code for d in typo.diagnostics] == ["GG304"]
    assert "(did you mean 'BBB'?)" in typo.diagnostics[0].message
    key = run(BASE + "    dset: B\n")
    assert "(did you mean 'dest'?)" in key.diagnostics[0].message
    case = run(_edit(9, "    dest: b"))
    assert "(did you mean 'B'?)" in case.diagnostics[0].message
    kind = run(_edit(3, "    type: intial"))
    assert "(did you mean 'initial'?)" in kind.diagnostics[0].message


def test_shadowed_message_names_the_earlier_line() -> None:
    result = run(BASE + "  - trigger: go\n    source: A\n    dest: A\n")
    assert "at line 7" in result.diagnostics[0].message


def test_version_number_hints_to_quote() -> None:
    result = run("meta:\n  version: 1.0\n" + BASE)
    assert located(result.diagnostics) == [("GG201", 2, 12)]
    assert "quotes" in result.diagnostics[0].message
    assert '"1.0.0"' in result.diagnostics[0].message


@pytest.mark.parametrize(
    ("code", "text", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_pure_python_parser_reports_the_same(
    code: str,
    text: str | bytes,
    expected: list[tuple[str, int, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without libyaml the pure-Python parser is used; positions must not move.
    monkeypatch.setattr(load, "_Loader", yaml.SafeLoader)
    assert located(run(text).diagnostics) == expected
