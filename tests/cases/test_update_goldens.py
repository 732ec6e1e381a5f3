"""The case machinery itself: the ``# expect:`` format, the updater, the flag.

These tests work on case files in a temporary directory, never on the
repository's cases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cases_support import (
    CaseFileError,
    Expectation,
    check_diagnostics,
    check_golden,
    compile_case,
    golden_path,
    parse_case,
    parse_expectation,
    read_case,
    rewrite_case,
    update_case,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from test_diagnostic_cases import LOADERS

from gubernator_gen.diagnostics import Severity

HERE = Path(__file__).resolve().parent

SPEC = """\
states:
  - name: PENDING
    type: initial
  - name: DONE
    type: terminal
transitions:
  - trigger: finish
    source: PENDING
    dest: DONE
"""

#: SPEC with a misspelt dest on its line 9, column 11.
TYPO = SPEC.replace("dest: DONE", "dest: DONNE")


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _in_the_past(path: Path) -> int:
    past = 1_000_000_000 * 10**9
    os.utime(path, ns=(past, past))
    return past


def test_a_wrong_expectation_is_rewritten(tmp_path: Path) -> None:
    # Two wrong lines become one right one: the spec moves up a line, so the
    # updater must rewrite until the file describes itself.
    case = _write(
        tmp_path / "typo.yaml",
        "# The dest is misspelt.\n"
        "# expect: 1:1 error GG304 \"'DONE'\"\n"
        "# expect: 3:3 warning GG350\n" + TYPO,
    )
    assert update_case(case) is True
    assert case.read_text() == (
        "# The dest is misspelt.\n" "# expect: 11:11 error GG304 \"'DONE'\"\n" + TYPO
    )
    assert update_case(case) is False


def test_a_fragment_the_message_lost_becomes_the_whole_message(
    tmp_path: Path,
) -> None:
    case = _write(
        tmp_path / "typo.yaml", '# expect: 10:11 error GG304 "nowhere"\n' + TYPO
    )
    assert update_case(case) is True
    (expected,) = read_case(case).expectations
    (diagnostic,) = compile_case(case).diagnostics
    assert expected == Expectation(10, 11, "error", "GG304", (diagnostic.message,))


def test_cases_that_agree_are_left_untouched(tmp_path: Path) -> None:
    clean = _write(tmp_path / "clean.yaml", SPEC)
    # Expectations need not be where the updater would write them.
    spread = _write(
        tmp_path / "spread.yaml",
        TYPO.replace(
            "    dest: DONNE\n",
            "    # expect: 10:11 error GG304 \"'DONE'\"\n    dest: DONNE\n",
        )
        + "# trailing comment",
    )
    for case in (clean, spread):
        before = case.read_bytes()
        mtime = _in_the_past(case)
        assert update_case(case) is False
        assert case.read_bytes() == before
        assert case.stat().st_mtime_ns == mtime


def test_expectations_are_appended_to_a_case_that_has_none(tmp_path: Path) -> None:
    case = _write(tmp_path / "typo.yaml", TYPO.rstrip("\n"))
    assert update_case(case) is True
    assert case.read_text() == TYPO + "# expect: 9:11 error GG304\n"


def test_a_case_with_crlf_line_ends_keeps_them(tmp_path: Path) -> None:
    case = _write(tmp_path / "typo.yaml", ("# expect: 1:1 error GG304\n" + TYPO))
    case.write_bytes(case.read_bytes().replace(b"\n", b"\r\n"))
    assert update_case(case) is True
    expected = "# expect: 10:11 error GG304\n" + TYPO
    assert case.read_bytes() == expected.replace("\n", "\r\n").encode()


def test_expectations_that_are_no_longer_true_are_removed(tmp_path: Path) -> None:
    case = _write(tmp_path / "spec.yaml", "# expect: 3:3 error GG304\n" + SPEC)
    assert update_case(case) is True
    assert case.read_text() == SPEC


def test_a_failing_case_says_how_to_update(tmp_path: Path) -> None:
    case = _write(tmp_path / "typo.yaml", "# expect: 1:1 error GG304\n" + TYPO)
    recorded: list[Path] = []
    with pytest.raises(pytest.fail.Exception) as failure:
        check_diagnostics(case, update=False, record=recorded.append)
    message = str(failure.value)
    assert "-# expect: 1:1 error GG304\n+# expect: 10:11 error GG304" in message
    assert "pytest --update-goldens" in message
    assert recorded == []
    check_diagnostics(case, update=True, record=recorded.append)
    assert recorded == [case]
    check_diagnostics(case, update=False, record=recorded.append)


def test_a_stale_golden_is_rewritten_and_a_current_one_left_alone(
    tmp_path: Path,
) -> None:
    golden = _write(tmp_path / "m.py", "VALUE = 1\nOTHER = 2\n")
    recorded: list[Path] = []
    with pytest.raises(pytest.fail.Exception) as failure:
        check_golden(
            golden, "VALUE = 3\nOTHER = 2\n", update=False, record=recorded.append
        )
    message = str(failure.value)
    assert "-VALUE = 1\n+VALUE = 3\n OTHER = 2\n" in message
    assert "pytest --update-goldens" in message
    assert golden.read_text() == "VALUE = 1\nOTHER = 2\n"

    check_golden(golden, "VALUE = 3\nOTHER = 2\n", update=True, record=recorded.append)
    assert golden.read_text() == "VALUE = 3\nOTHER = 2\n"
    assert recorded == [golden]
    mtime = _in_the_past(golden)
    check_golden(golden, "VALUE = 3\nOTHER = 2\n", update=True, record=recorded.append)
    assert golden.stat().st_mtime_ns == mtime
    assert recorded == [golden]


def test_a_missing_golden_is_created_only_on_update(tmp_path: Path) -> None:
    golden = tmp_path / "m.py"
    with pytest.raises(pytest.fail.Exception, match="does not exist"):
        check_golden(golden, "X = 1\n", update=False, record=lambda _: None)
    assert not golden.exists()
    check_golden(golden, "X = 1\n", update=True, record=lambda _: None)
    assert golden.read_bytes() == b"X = 1\n"


@pytest.mark.parametrize(
    "line",
    [
        "# expect: 5 error GG304",
        "# expect: 5:9 eror GG304",
        "# expect: 5:9 error G304",
        "# expect: 0:9 error GG304",
        "# expect: 5:9 error GG304 did you mean",
        '# expect: 5:9 error GG304 "unterminated',
        '# expect: 5:9 error GG304 "a""b"',
        "# expect: 5:9 error GG304 42",
        "#expect: 5:9 error GG304",
        "# Expect: 5:9 error GG304",
        "  # expect 5:9 error GG304",
    ],
)
def test_malformed_expectations_are_errors_that_say_where(line: str) -> None:
    data = f"a: 1\n{line}\n".encode()
    with pytest.raises(CaseFileError, match=r"^case\.yaml:2: "):
        parse_case(Path("case.yaml"), data)


def test_lines_that_only_mention_expect_are_comments() -> None:
    data = b"# expected: nothing\n# an expectation: none\nexpect: 1\n"
    assert parse_case(Path("case.yaml"), data).expectations == ()


def test_the_rest_of_a_case_may_be_any_bytes() -> None:
    data = b"a: \xff\r# expect: 1:4 error GG102\rb: 2"
    case = parse_case(Path("case.yaml"), data)
    assert case.expectations == (Expectation(1, 4, "error", "GG102"),)
    assert case.expect_lines == (1,)


_FRAGMENT = st.text(st.characters(codec="utf-8"), max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    line=st.integers(1, 10**6),
    column=st.integers(1, 10**6),
    severity=st.sampled_from([s.value for s in Severity]),
    code=st.from_regex(r"GG[0-9]{3}", fullmatch=True),
    fragments=st.lists(_FRAGMENT, max_size=3),
)
def test_an_expectation_reads_back_as_written(
    line: int, column: int, severity: str, code: str, fragments: list[str]
) -> None:
    expected = Expectation(line, column, severity, code, tuple(fragments))
    rendered = expected.render()
    # One line of printable text: it cannot end the comment it sits in.
    assert rendered.isprintable()
    assert parse_expectation(rendered, "here") == expected
    assert parse_case(Path("c.yaml"), rendered.encode() + b"\n").expectations == (
        expected,
    )


_LINE = st.sampled_from(
    ["a: 1", "", "  - b", "# comment", "# expect: 2:3 error GG304", "x: 'é'"]
)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_LINE, max_size=12), new_count=st.integers(0, 3))
def test_rewriting_keeps_every_other_line_in_order(
    lines: list[str], new_count: int
) -> None:
    case = parse_case(Path("c.yaml"), "".join(f"{line}\n" for line in lines).encode())
    new = [Expectation(n + 1, 1, "warning", "GG350") for n in range(new_count)]
    rewritten = parse_case(Path("c.yaml"), rewrite_case(case, new))
    others = [line for line in lines if not line.startswith("# expect:")]
    kept = rewritten.data.decode().splitlines()
    assert [line for line in kept if not line.startswith("# expect:")] == others
    assert rewritten.expectations == tuple(new)
    if case.expect_lines and new:
        assert rewritten.expect_lines[0] == case.expect_lines[0]


def _harness(root: Path) -> Path:
    """A copy of the case runners, with cases of their own, under ``root``."""
    shutil.copyfile(HERE.parent / "conftest.py", root / "tests" / "conftest.py")
    for name in (
        "cases_support.py",
        "test_diagnostic_cases.py",
        "test_generate_cases.py",
    ):
        shutil.copyfile(HERE / name, root / "tests" / "cases" / name)
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return root


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    runners = [
        "tests/cases/test_diagnostic_cases.py::test_diagnostics_case",
        "tests/cases/test_generate_cases.py::test_generate_case",
    ]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *runners, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_update_flag_end_to_end(tmp_path: Path) -> None:
    wrong = _write(
        tmp_path / "tests/cases/diagnostics/wrong.yaml",
        "# expect: 1:1 error GG304\n" + TYPO,
    )
    clean = _write(tmp_path / "tests/cases/diagnostics/clean.yaml", SPEC)
    spec = _write(tmp_path / "tests/cases/generate/tiny.yaml", SPEC)
    golden = _write(golden_path(spec), "stale\n")
    _harness(tmp_path)
    clean_before = clean.read_bytes()

    before = _pytest(tmp_path)
    assert before.returncode == 1, before.stdout + before.stderr
    assert "pytest --update-goldens" in before.stdout
    assert "+# expect: 10:11 error GG304" in before.stdout
    assert "-stale\n" in before.stdout

    update = _pytest(tmp_path, "--update-goldens")
    assert update.returncode == 0, update.stdout + update.stderr
    assert "--update-goldens rewrote 2 file(s)" in update.stdout
    assert wrong.read_text() == "# expect: 10:11 error GG304\n" + TYPO
    assert clean.read_bytes() == clean_before
    source = compile_case(spec).source
    assert source is not None and golden.read_text(encoding="utf-8") == source

    after = _pytest(tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    # Both diagnostics cases under each parser, and the generate case.
    assert f"{2 * len(LOADERS) + 1} passed" in after.stdout
