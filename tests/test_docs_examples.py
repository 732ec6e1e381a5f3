"""The examples in ``docs/`` are real: what the pages show is what the tools do.

Conventions of the pages:

* a fenced block whose first line is a comment naming a file
  (``# door.yaml``, ``# shop/pyproject.toml``) is that file's content; the
  named files of all pages are written into a fresh scratch folder for each
  page, so a page may use another page's specs (a name defined twice must
  have one content);
* a ``console`` block holds ``$ command`` lines, each followed by its
  output (standard output and standard error as they interleave); a line
  ``...`` stands for any number of lines, and a trailing ``# exit N`` is
  the expected exit status (0 when absent). Commands are ``gubernator-gen``
  or ``python -m gubernator_gen`` (run in-process), optionally preceded by
  ``NAME=value`` assignments, and ``cd``. Blocks that only illustrate use
  ``sh`` and are not run;
* ``pycon`` blocks are doctests, run in order as one session per page,
  with the modules of the valid specs (``door.yaml`` → ``door``)
  importable.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gubernator_gen.compiler import compile_path
from gubernator_gen.driver.cli import main

REPO = Path(__file__).resolve().parent.parent
PAGES = tuple(REPO / "docs" / name for name in ("language.md", "runtime.md", "cli.md"))

_FENCE = re.compile(r"^(`{3,})(\S*)\s*$")
_NAMED = re.compile(r"^#\s+([\w./-]+\.(?:ya?ml|toml|py))\s*$")
_EXIT = re.compile(r"\s+# exit (\d+)$")
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Block:
    """One fenced block: its info string, its lines, where it starts."""

    language: str
    lines: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Command:
    """One ``$`` line of a console block with its expected output and status."""

    text: str
    expected: tuple[str, ...]
    status: int
    line: int


def blocks(text: str) -> Iterator[Block]:
    """The fenced blocks at the left margin of a page."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opened = _FENCE.match(lines[index])
        if opened is None:
            index += 1
            continue
        fence, language = opened.groups()
        start = index + 1
        end = start
        while end < len(lines) and lines[end].rstrip() != fence:
            end += 1
        yield Block(language, tuple(lines[start:end]), start + 1)
        index = end + 1


def session_text(text: str) -> str:
    """The page with every line outside ``pycon`` blocks blanked.

    Line numbers stay those of the page, and a block's closing fence cannot
    be read as the last line of an expected output.
    """
    kept = [""] * len(text.splitlines())
    for block in blocks(text):
        if block.language == "pycon":
            for offset, line in enumerate(block.lines):
                kept[block.line - 1 + offset] = line
    return "\n".join(kept) + "\n"


def named_files(pages: tuple[Path, ...]) -> dict[str, str]:
    """File name → content of every named block of ``pages``."""
    files: dict[str, str] = {}
    for page in pages:
        for block in blocks(page.read_text(encoding="utf-8")):
            named = _NAMED.match(block.lines[0]) if block.lines else None
            if named is None or block.language == "console":
                continue
            name, content = named.group(1), "\n".join(block.lines) + "\n"
            if files.get(name, content) != content:
                raise AssertionError(
                    f"{page.name}:{block.line}: {name} is defined twice"
                )
            files[name] = content
    return files


def commands(block: Block) -> Iterator[Command]:
    """The commands of a console block."""
    current: tuple[str, int, int] | None = None
    output: list[str] = []
    for offset, line in enumerate(block.lines):
        if line.startswith("$ "):
            if current is not None:
                yield Command(current[0], tuple(output), current[1], current[2])
            text = line[2:]
            status = _EXIT.search(text)
            if status is not None:
                text = text[: status.start()]
            current = (text, int(status.group(1)) if status else 0, block.line + offset)
            output = []
        elif current is not None:
            output.append(line)
    if current is not None:
        yield Command(current[0], tuple(output), current[1], current[2])


def matches(expected: tuple[str, ...], actual: str) -> bool:
    """``actual`` equals the expected lines, ``...`` standing for any lines."""
    pattern = "".join(
        r"(?:.*\n)*?" if line == "..." else re.escape(line.rstrip()) + r"\n"
        for line in expected
    )
    lines = [line.rstrip() for line in actual.splitlines()]
    text = "".join(line + "\n" for line in lines)
    return re.fullmatch(pattern, text) is not None


def run(command: Command, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run one documented command in-process; its status and merged output."""
    words = shlex.split(command.text)
    while words and (assignment := _ASSIGNMENT.match(words[0])) is not None:
        monkeypatch.setenv(*assignment.groups())
        words.pop(0)
    if words[:1] == ["cd"] and len(words) == 2:
        monkeypatch.chdir(words[1])
        return 0, ""
    if words[:1] == ["gubernator-gen"]:
        argv = words[1:]
    elif words[:3] == ["python", "-m", "gubernator_gen"]:
        argv = words[3:]
    else:
        raise AssertionError(f"line {command.line}: cannot run {command.text!r} here")
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = main(argv)
    return status, output.getvalue()


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding every named file of the pages, as the current folder."""
    for name, content in named_files(PAGES).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        for variable in _REFERENCE.findall(content):
            monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _page_id(page: Path) -> str:
    return page.name


def pages_with(language: str) -> list[Path]:
    """The pages that have at least one block of ``language``."""
    return [
        page
        for page in PAGES
        if any(b.language == language for b in blocks(page.read_text(encoding="utf-8")))
    ]


def test_pages_have_examples() -> None:
    assert pages_with("console") and pages_with("pycon")


@pytest.mark.parametrize("page", pages_with("console"), ids=_page_id)
def test_commands_print_what_the_page_shows(
    page: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = 0
    for block in blocks(page.read_text(encoding="utf-8")):
        if block.language != "console":
            continue
        for command in commands(block):
            status, output = run(command, monkeypatch)
            where = f"{page.name}:{command.line}: $ {command.text}"
            assert matches(command.expected, output), f"{where}\n{output}"
            assert status == command.status, f"{where}: exit {status}\n{output}"
            ran += 1
    assert ran > 0


@pytest.mark.parametrize("page", pages_with("pycon"), ids=_page_id)
def test_sessions_run_as_shown(page: Path, scratch: Path) -> None:
    stems = []
    for name in named_files(PAGES):
        spec = scratch / name
        if spec.suffix not in (".yaml", ".yml") or spec.parent != scratch:
            continue
        compiled = compile_path(spec)
        if compiled.source is not None:
            spec.with_suffix(".py").write_text(compiled.source, encoding="utf-8")
            stems.append(spec.stem)
    test = doctest.DocTestParser().get_doctest(
        session_text(page.read_text(encoding="utf-8")), {}, page.name, str(page), 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    sys.path.insert(0, str(scratch))
    try:
        failures, tried = runner.run(test, out=report.write)
    finally:
        sys.path.remove(str(scratch))
        for stem in stems:
            sys.modules.pop(stem, None)
    assert tried > 0
    assert failures == 0, report.getvalue()


def test_every_page_names_only_one_version_of_a_file() -> None:
    assert "door.yaml" in named_files(PAGES)


@pytest.mark.parametrize(
    ("expected", "actual", "result"),
    [
        (("a", "b"), "a\nb\n", True),
        (("a", "...", "d"), "a\nb\nc\nd\n", True),
        (("a", "...", "d"), "a\nd\n", True),
        (("a",), "a\nb\n", False),
        (("a", "b"), "a\n", False),
    ],
)
def test_output_matching(expected: tuple[str, ...], actual: str, result: bool) -> None:
    assert matches(expected, actual) is result


def test_console_blocks_are_parsed() -> None:
    block = Block(
        "console", ("$ gubernator-gen validate x.yaml   # exit 1", "out", "$ cd y"), 1
    )
    parsed = list(commands(block))
    assert [(c.text, c.expected, c.status) for c in parsed] == [
        ("gubernator-gen validate x.yaml", ("out",), 1),
        ("cd y", (), 0),
    ]


def test_environment_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    # Assignments before a command go through monkeypatch, not os.environ.
    before = os.environ.get("GG_DOCS_PROBE")
    with monkeypatch.context() as patch:
        run(Command("GG_DOCS_PROBE=1 gubernator-gen --version", (), 0, 1), patch)
        assert os.environ["GG_DOCS_PROBE"] == "1"
    assert os.environ.get("GG_DOCS_PROBE") == before
