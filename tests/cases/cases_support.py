"""Data-driven cases: reading their expectations, checking them, rewriting them.

A case is a spec file under ``tests/cases/``. Its expected diagnostics are
``# expect:`` comment lines inside it; a case under ``generate/`` also has
its generated module beside it as a golden ``<name>.py``. The format and the
update flag are described in ``tests/cases/README.md``.

Everything here works on bytes, so a case may hold text that is not UTF-8 or
that has unusual line ends (only the ``# expect:`` lines must be UTF-8).
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from gubernator_gen.compiler import (
    CompileOptions,
    CompileResult,
    GeneratedModule,
    compile_path,
)
from gubernator_gen.diagnostics import Diagnostic, Severity

CASES_DIR = Path(__file__).resolve().parent
DIAGNOSTICS_DIR = CASES_DIR / "diagnostics"
GENERATE_DIR = CASES_DIR / "generate"

UPDATE_HINT = (
    "If the new output is intended, run `pytest --update-goldens` to rewrite the "
    "expectations, then review the change (`git diff tests/cases`)."
)

#: Lines longer than this are cut from a golden's diff in a failure message.
MAX_DIFF_LINES = 300

#: Anything that looks like an expectation must be one, so a typo is an error
#: rather than a silently ignored comment.
_LOOKS_LIKE_EXPECT = re.compile(rb"^[ \t]*#[ \t]*expect\b", re.IGNORECASE)
_EXPECT = re.compile(
    r"[ \t]*# expect: (?P<line>[1-9][0-9]*):(?P<column>[1-9][0-9]*) "
    r"(?P<severity>error|warning) (?P<code>GG[0-9]{3})(?P<fragments>.*)"
)
_JSON = json.JSONDecoder()


class CaseFileError(Exception):
    """A case file that cannot be read as a case (a malformed ``# expect:``)."""


@dataclass(frozen=True)
class Expectation:
    """One ``# expect:`` line: a diagnostic's position, severity, code and
    fragments of text its message must contain."""

    line: int
    column: int
    severity: str
    code: str
    fragments: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, int, str, str]:
        """What must equal the diagnostic's: position, severity and code."""
        return (self.line, self.column, self.severity, self.code)

    def matches(self, diagnostic: Diagnostic) -> bool:
        """True when ``diagnostic`` is the one this line expects."""
        return self.key == observed_key(diagnostic) and all(
            fragment in diagnostic.message for fragment in self.fragments
        )

    def render(self) -> str:
        """The comment line (without its line end), as the updater writes it."""
        quoted = "".join(" " + json_string(fragment) for fragment in self.fragments)
        return (
            f"# expect: {self.line}:{self.column} {self.severity} {self.code}{quoted}"
        )


@dataclass(frozen=True)
class Case:
    """A case file: its bytes, its expectations, and the lines they are on."""

    path: Path
    data: bytes
    expectations: tuple[Expectation, ...]
    #: 0-based indexes, into ``data.splitlines()``, of the ``# expect:`` lines.
    expect_lines: tuple[int, ...]


def observed_key(diagnostic: Diagnostic) -> tuple[int, int, str, str]:
    """A diagnostic's position, severity and code, as an expectation states them."""
    pos = diagnostic.pos
    return (pos.line, pos.column, diagnostic.severity.value, diagnostic.code)


def json_string(text: str) -> str:
    """``text`` as a JSON string whose characters are all printable.

    Line breaks and control characters would end or break the YAML comment
    the string sits in, so they are written as ``\\uXXXX`` escapes (surrogate
    pairs beyond the BMP, as JSON spells them).
    """
    out = []
    for char in json.dumps(text, ensure_ascii=False):
        if char.isprintable():
            out.append(char)
            continue
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(
                f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
            )
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def parse_expectation(text: str, where: str) -> Expectation:
    """Read one ``# expect:`` line (without its line end); ``where`` locates it."""
    match = _EXPECT.fullmatch(text)
    if match is None:
        raise CaseFileError(
            f"{where}: malformed expectation {text!r}; expected "
            '`# expect: LINE:COL error|warning GGNNN ["message fragment" ...]`'
        )
    rest = match["fragments"]
    fragments: list[str] = []
    index = 0
    while index < len(rest):
        if rest[index] != " " or index + 1 == len(rest):
            raise CaseFileError(
                f"{where}: expected ' \"fragment\"' at {rest[index:]!r}"
            )
        try:
            fragment, index = _JSON.raw_decode(rest, index + 1)
        except json.JSONDecodeError as exc:
            raise CaseFileError(f"{where}: bad message fragment: {exc}") from None
        if not isinstance(fragment, str):
            raise CaseFileError(f"{where}: a message fragment must be a JSON string")
        fragments.append(fragment)
    return Expectation(
        int(match["line"]),
        int(match["column"]),
        match["severity"],
        match["code"],
        tuple(fragments),
    )


def parse_case(path: Path, data: bytes) -> Case:
    """The expectations written in a case file's ``data``."""
    expectations: list[Expectation] = []
    expect_lines: list[int] = []
    for index, raw in enumerate(data.splitlines()):
        if not _LOOKS_LIKE_EXPECT.match(raw):
            continue
        where = f"{path}:{index + 1}"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CaseFileError(f"{where}: an expectation must be UTF-8") from None
        expectations.append(parse_expectation(text, where))
        expect_lines.append(index)
    return Case(path, data, tuple(expectations), tuple(expect_lines))


def read_case(path: Path) -> Case:
    """Read and parse the case file at ``path``."""
    return parse_case(path, path.read_bytes())


def compile_case(path: Path) -> CompileResult:
    """The whole pipeline on a case, independent of the environment."""
    return compile_path(path, CompileOptions(environ={}))


def agrees(case: Case, diagnostics: Sequence[Diagnostic]) -> bool:
    """True when ``diagnostics`` are exactly the expected ones, in order."""
    return len(case.expectations) == len(diagnostics) and all(
        expected.matches(diagnostic)
        for expected, diagnostic in zip(case.expectations, diagnostics, strict=True)
    )


def expectations_for(
    case: Case, diagnostics: Sequence[Diagnostic]
) -> tuple[Expectation, ...]:
    """The expectations that describe ``diagnostics``, keeping what the case says.

    A diagnostic inherits the fragments of the expectation it answers: the
    one at its position with its severity and code, else the next unused one
    with its severity and code (positions move when lines are added above).
    A fragment the new message no longer contains is replaced by the whole
    new message, so an expectation never silently gets weaker.
    """
    unused = list(case.expectations)
    exact: dict[tuple[int, int, str, str], deque[Expectation]] = defaultdict(deque)
    for expected in unused:
        exact[expected.key].append(expected)
    answered: list[Expectation | None] = []
    for diagnostic in diagnostics:
        same = exact[observed_key(diagnostic)]
        answered.append(same.popleft() if same else None)
        if answered[-1] is not None:
            unused.remove(answered[-1])
    by_kind: dict[tuple[str, str], deque[Expectation]] = defaultdict(deque)
    for expected in unused:
        by_kind[(expected.severity, expected.code)].append(expected)
    result = []
    for diagnostic, previous in zip(diagnostics, answered, strict=True):
        if previous is None:
            kind = (diagnostic.severity.value, diagnostic.code)
            previous = by_kind[kind].popleft() if by_kind[kind] else None
        fragments: tuple[str, ...] = ()
        if previous is not None and previous.fragments:
            kept = all(f in diagnostic.message for f in previous.fragments)
            fragments = previous.fragments if kept else (diagnostic.message,)
        line, column, severity, code = observed_key(diagnostic)
        result.append(Expectation(line, column, severity, code, fragments))
    return tuple(result)


def rewrite_case(case: Case, expectations: Iterable[Expectation]) -> bytes:
    """The case file with ``expectations`` in place of its ``# expect:`` lines.

    The new lines go where the first old one was (the end of the file if it
    had none); every other line is kept as it is.
    """
    lines = case.data.splitlines(keepends=True)
    newline = b"\r\n" if b"\r\n" in case.data else b"\n"
    block = [e.render().encode("utf-8") + newline for e in expectations]
    if not case.expect_lines:
        if lines and not lines[-1].endswith((b"\n", b"\r")):
            lines[-1] += newline
        return b"".join([*lines, *block])
    dropped = set(case.expect_lines)
    first = case.expect_lines[0]
    kept = [line for index, line in enumerate(lines) if index not in dropped]
    return b"".join([*kept[:first], *block, *kept[first:]])


def update_case(
    path: Path, diagnose: Callable[[Path], CompileResult] = compile_case
) -> bool:
    """Rewrite the ``# expect:`` lines of ``path`` from what ``diagnose`` reports.

    A case that already agrees is left untouched. Adding or removing lines
    above the spec's text moves the positions, so the rewrite is repeated
    until the file describes itself. Returns True when the file changed.
    """
    changed = False
    for _ in range(5):
        case = read_case(path)
        diagnostics = diagnose(path).diagnostics
        if agrees(case, diagnostics):
            return changed
        rewritten = rewrite_case(case, expectations_for(case, diagnostics))
        if rewritten == case.data:
            break
        path.write_bytes(rewritten)
        changed = True
    raise CaseFileError(f"{path}: its expectations do not settle when rewritten")


def contract_problems(path: Path, result: CompileResult) -> list[str]:
    """What every diagnostic of every case must satisfy, whatever it is.

    Diagnostics name the case file; their text and JSON forms say what their
    fields say; GG1xx-GG3xx codes from GG350 are warnings and the others
    errors; the model exists unless the front end found an error, and a module
    is generated unless anything found one.
    """
    problems = []
    for d in result.diagnostics:
        pos = d.pos
        if pos.path != str(path):
            problems.append(f"{d.format()}: names {pos.path!r}, not the case file")
        if not d.message:
            problems.append(f"{d.format()}: the message is empty")
        text = f"{pos.path}:{pos.line}:{pos.column}: {d.severity.value}: "
        if d.format() != f"{text}{d.message} [{d.code}]":
            problems.append(f"{d.format()}: format() does not show its fields")
        record = json.loads(json.dumps(d.to_dict()))
        fields = [pos.path, pos.line, pos.column, d.severity.value, d.code, d.message]
        keys = ["path", "line", "column", "severity", "code", "message"]
        if record != dict(zip(keys, fields, strict=True)):
            problems.append(f"{d.format()}: to_dict() gives {record!r}")
        number = int(d.code[2:])
        if number < 400 and (d.severity is Severity.WARNING) != (number >= 350):
            problems.append(
                f"{d.format()}: GG{number} must not be a {d.severity.value}"
            )
    front_error = any(d.is_error and int(d.code[2:]) < 400 for d in result.diagnostics)
    if (not result.specs) != front_error:
        problems.append(
            f"specs are {result.specs!r} with front-end errors: {front_error}"
        )
    if result.ok == any(d.is_error for d in result.diagnostics):
        problems.append(f"ok is {result.ok} while the errors say otherwise")
    return problems


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(CASES_DIR.parent.parent))
    except ValueError:
        return str(path)


def diagnostics_report(case: Case, diagnostics: Sequence[Diagnostic]) -> str:
    """Why ``diagnostics`` fail ``case``: a diff of the ``# expect:`` lines."""
    expected = [e.render() for e in case.expectations]
    actual = [e.render() for e in expectations_for(case, diagnostics)]
    diff = difflib.unified_diff(
        expected, actual, "expected (# expect: lines)", "actual", lineterm=""
    )
    reported = "\n".join(f"  {d.format()}" for d in diagnostics) or "  (none)"
    return (
        f"{_shown(case.path)}: the diagnostics are not the ones its `# expect:` "
        f"lines state (exact set, in order)\n{chr(10).join(diff)}\n"
        f"reported:\n{reported}\n{UPDATE_HINT}"
    )


def check_diagnostics(
    path: Path,
    *,
    update: bool,
    record: Callable[[Path], None],
    diagnose: Callable[[Path], CompileResult] = compile_case,
) -> CompileResult:
    """Compile the case at ``path`` and fail the test unless its diagnostics are
    the expected ones (after rewriting the expectations when ``update``)."""
    try:
        if update and update_case(path, diagnose):
            record(path)
        case = read_case(path)
    except CaseFileError as exc:
        pytest.fail(str(exc), pytrace=False)
    result = diagnose(path)
    if not agrees(case, result.diagnostics):
        pytest.fail(diagnostics_report(case, result.diagnostics), pytrace=False)
    problems = contract_problems(path, result)
    if problems:
        pytest.fail("\n".join([_shown(path), *problems]), pytrace=False)
    return result


def golden_path(spec_path: Path, module: GeneratedModule | None = None) -> Path:
    """Where a generated module of a generate case is kept: beside its spec,
    as ``generate`` writes it (``<machine>.py`` for a ``machines:`` file)."""
    if module is not None and module.stem is not None:
        return spec_path.parent / f"{module.stem}.py"
    return spec_path.with_suffix(".py")


def golden_paths(spec_path: Path) -> list[Path]:
    """Every golden of a generate case (one per machine of a ``machines:`` file)."""
    modules = compile_case(spec_path).modules
    return [golden_path(spec_path, module) for module in modules]


def golden_report(golden: Path, expected: bytes | None, actual: bytes) -> str | None:
    """Why ``actual`` is not the golden (a unified diff), or None if it is."""
    if expected == actual:
        return None
    if expected is None:
        return f"{_shown(golden)} does not exist.\n{UPDATE_HINT}"
    before = expected.decode("utf-8", "replace").splitlines(keepends=True)
    after = actual.decode("utf-8", "replace").splitlines(keepends=True)
    name = _shown(golden)
    diff = list(difflib.unified_diff(before, after, name, f"{name} (generated)"))
    if not diff:  # the same text with different bytes (line ends, say)
        diff = [
            f"(the texts are equal but the bytes differ: {len(expected)} vs "
            f"{len(actual)} bytes)\n"
        ]
    shown = "".join(diff[:MAX_DIFF_LINES])
    if len(diff) > MAX_DIFF_LINES:
        shown += f"... {len(diff) - MAX_DIFF_LINES} more diff lines\n"
    return f"{name}: the generated module differs from the golden\n{shown}{UPDATE_HINT}"


def check_golden(
    golden: Path, source: str, *, update: bool, record: Callable[[Path], None]
) -> None:
    """Fail the test unless ``source`` is the golden byte for byte (after
    rewriting the golden when ``update``)."""
    actual = source.encode("utf-8")
    expected = golden.read_bytes() if golden.exists() else None
    if update and expected != actual:
        golden.write_bytes(actual)
        record(golden)
        expected = actual
    report = golden_report(golden, expected, actual)
    if report is not None:
        pytest.fail(report, pytrace=False)
