"""Fuzzing the front end: ``read_spec_text`` on bytes, YAML-ish text and
mutated real specs.

Whatever the input, the front end answers with diagnostics, never an
exception; every diagnostic names the given path and a line and column
inside the text; a model comes back exactly when there is no error; and no
diagnostic is the "internal error" of a spec the checks accepted but could
not model. The example counts are bounded so the whole file runs in a few
seconds in CI.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gubernator_gen.frontend import FrontendResult, read_spec_text

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/*.yaml"))
SPECS = [path.read_text("utf-8") for path in EXAMPLES]
PATH = "fuzz.yaml"
#: Examples per target; GUBERNATOR_FUZZ_EXAMPLES=100000 fuzzes for real
#: (with fresh random examples each run instead of CI's fixed ones).
EXAMPLES_PER_TARGET = int(os.environ.get("GUBERNATOR_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES_PER_TARGET,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize="GUBERNATOR_FUZZ_EXAMPLES" not in os.environ,
)

_LINE_BREAK = re.compile("\r\n|\r|\n")


def _bounds(text: str | bytes) -> tuple[int, int]:
    """The most lines and the widest line (in characters) ``text`` can have.

    Bytes are measured one character per byte, which bounds every decoding.
    """
    decoded = text.decode("latin-1") if isinstance(text, bytes) else text
    lines = _LINE_BREAK.split(decoded)
    return len(lines), max(len(line) for line in lines)


def check_answer(text: str | bytes) -> FrontendResult:
    """Run the front end on ``text`` and check the properties every answer has."""
    result = read_spec_text(text, path=PATH)
    most_lines, widest = _bounds(text)
    for diagnostic in result.diagnostics:
        shown = diagnostic.format()
        assert diagnostic.pos.path == PATH, shown
        assert 1 <= diagnostic.pos.line <= most_lines, shown
        assert 1 <= diagnostic.pos.column <= widest + 1, shown
        assert diagnostic.message and "internal error" not in diagnostic.message
        assert re.fullmatch(r"GG\d{3}", diagnostic.code), shown
    has_error = any(d.is_error for d in result.diagnostics)
    assert (result.spec is None) == has_error
    return result


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    check_answer(data)


# Printable text: control characters stop the reader at once (GG106), so
# they are left to the random bytes above and the rest gets deeper.
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)

# YAML-ish text: lines of indentation, keys the spec language uses, and
# values that exercise every YAML feature that has tripped parsers up.
KEYS = st.sampled_from(
    [
        "meta",
        "machine_name",
        "version",
        "strict_mode",
        "context",
        "states",
        "transitions",
        "error_policy",
        "retry_attempts",
        "default_fallback",
        "name",
        "type",
        "on_enter",
        "on_exit",
        "timeout",
        "seconds",
        "destination",
        "trigger",
        "source",
        "dest",
        "guards",
        "actions",
        "metadata",
        "description",
        "machines",
        "<<",
        "? complex",
    ]
)
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "A",
            "initial",
            "terminal",
            "go",
            "[A, B]",
            "{seconds: 5, destination: A}",
            "&anchor A",
            "*anchor",
            "!!binary aGk=",
            "!!timestamp 2024-01-01",
            "!custom x",
            "${VAR}",
            "${VAR:?needed}",
            "${VAR:-fallback}",
            "1e400",
            "-1",
            "99999999999999999999999",
            ".nan",
            "yes",
            "~",
            "|",
            ">-",
            "'unterminated",
            '"\\x00"',
            "[",
            "{",
            "- - -",
            "'\u2028'",
            "ﬁll",
        ]
    ),
    PRINTABLE,
)
LINES = st.builds(
    lambda indent, dash, key, value: " " * indent + dash + f"{key}: {value}",
    st.sampled_from([0, 2, 4, 6, 3]),
    st.sampled_from(["", "- "]),
    KEYS,
    VALUES,
)


@FUZZ
@given(st.lists(LINES, max_size=25), st.sampled_from(["\n", "\r\n", "\r"]))
def test_yaml_ish_text(lines: list[str], newline: str) -> None:
    check_answer(newline.join(lines))


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    """A real spec with a few random edits: cuts, insertions, swaps, copies."""
    text = draw(st.sampled_from(SPECS))
    for _ in range(draw(st.integers(1, 4))):
        size = len(text)
        start = draw(st.integers(0, size))
        end = draw(st.integers(start, min(size, start + 40)))
        edit = draw(st.sampled_from(["cut", "insert", "replace", "swap", "copy"]))
        if edit == "cut":
            text = text[:start] + text[end:]
        elif edit == "insert":
            text = text[:start] + draw(VALUES) + text[start:]
        elif edit == "replace":
            text = text[:start] + draw(PRINTABLE) + text[end:]
        else:
            lines = text.split("\n")
            first = draw(st.integers(0, len(lines) - 1))
            second = draw(st.integers(0, len(lines) - 1))
            if edit == "swap":
                lines[first], lines[second] = lines[second], lines[first]
            else:
                lines.insert(second, lines[first])
            text = "\n".join(lines)
    return text


@FUZZ
@given(mutated_specs())
def test_mutated_example_specs(text: str) -> None:
    check_answer(text)


@FUZZ
@given(mutated_specs(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_mutated_example_specs_as_bytes(text: str, encoding: str) -> None:
    check_answer(text.encode(encoding, "replace"))


def test_the_unmutated_examples_pass() -> None:
    # The oracle above must accept real specs, or it checks nothing.
    assert SPECS
    for text in SPECS:
        assert check_answer(text).spec is not None
