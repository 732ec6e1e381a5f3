"""Every link in the repository's Markdown stays inside the repository.

Relative links must name a file or folder that exists in the repository,
and a ``#fragment`` on a link to a Markdown file must name one of its
headings (as GitHub derives heading anchors). Web links (``http``,
``https``, ``mailto``) are allowed; absolute paths, other schemes and any
mention of the internal contract (``../shared``, ``SPEC.md``, ``SPEC §n``)
are not, since readers of the repository cannot follow them.

The Python sources (docstrings and comments of the generator, the runtime,
the benchmarks and the tests, and the templates) are held to the same rule,
and every ``docs/<file>.md#anchor`` or ``README.md#anchor`` they cite must
name an existing heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Folders that are not part of the repository's own text.
_SKIPPED_DIRS = frozenset({"__pycache__", "build", "dist", "node_modules"})
_WEB_SCHEMES = frozenset({"http", "https", "mailto"})
_FORBIDDEN = (
    re.compile(r"\.\./shared"),
    re.compile(r"SPEC\.md"),
    re.compile(r"SPEC §"),
)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def markdown_files() -> list[Path]:
    """Every ``*.md`` file of the repository, hidden and build folders aside."""
    found = []
    for path in sorted(REPO.rglob("*.md")):
        parts = path.relative_to(REPO).parts[:-1]
        if any(
            part.startswith(".") or part in _SKIPPED_DIRS or part.endswith(".egg-info")
            for part in parts
        ):
            continue
        found.append(path)
    return found


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) outside fenced code, with code spans blanked."""
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = _FENCE.match(line)
        if fence is not None:
            if (
                opened
                and opened.group(1)[0] == fence[0]
                and len(opened.group(1)) >= len(fence)
            ):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        yield number, _CODE_SPAN.sub("``", line)


def links(text: str) -> Iterator[tuple[int, str]]:
    """(line number, target) of every inline link and reference definition."""
    for number, line in prose_lines(text):
        for match in _INLINE_LINK.finditer(line):
            yield number, match.group(1)
        definition = _REFERENCE_DEFINITION.match(line)
        if definition:
            yield number, definition.group(1)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped."""
    text = _CODE_SPAN.sub(lambda m: m.group(0).strip("`"), heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text only
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The fragments a link may name in the Markdown file ``path``."""
    text = path.read_text(encoding="utf-8")
    found: set[str] = set(_HTML_ANCHOR.findall(text))
    counts: dict[str, int] = {}
    for _, line in prose_lines(text):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(1))
        seen = counts.get(base, 0)
        counts[base] = seen + 1
        found.add(base if seen == 0 else f"{base}-{seen}")
    return found


def link_problem(source: Path, target: str) -> str | None:
    """Why ``target``, linked from ``source``, is not acceptable; None if it is."""
    scheme = _SCHEME.match(target)
    if scheme is not None:
        if scheme.group(1).lower() in _WEB_SCHEMES:
            return None
        return f"scheme {scheme.group(1)!r} is not a link into the repository"
    if not target:
        return "empty link"
    location, _, fragment = target.partition("#")
    if location.startswith("/"):
        return "absolute path; use a path relative to this file"
    resolved = (source.parent / location).resolve() if location else source
    try:
        resolved.relative_to(REPO)
    except ValueError:
        return "points outside the repository"
    if not resolved.exists():
        return "no such file or folder"
    if fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
        return f"{resolved.name} has no heading with the anchor #{fragment}"
    return None


#: A reference to the repository's documentation in source text.
_DOC_REFERENCE = re.compile(r"((?:docs/[\w.-]+|README)\.md)(?:#([\w-]+))?")
_SOURCE_ROOTS = ("gubernator_gen", "runtime", "benchmarks", "tests", "examples")


def source_files() -> list[Path]:
    """The Python sources and templates of the repository."""
    found = []
    for root in _SOURCE_ROOTS:
        for path in sorted((REPO / root).rglob("*")):
            if path.suffix not in {".py", ".j2"} or "golden" in path.parts:
                continue
            parts = path.relative_to(REPO).parts[:-1]
            if any(part.startswith(".") or part in _SKIPPED_DIRS for part in parts):
                continue
            found.append(path)
    return found


def doc_reference_problems(path: Path) -> list[str]:
    """Why the documentation references in ``path`` do not resolve."""
    problems = []
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        for match in _DOC_REFERENCE.finditer(line):
            document, fragment = REPO / match.group(1), match.group(2)
            if not document.exists():
                problems.append(f"{path.name}:{number}: no {match.group(1)}")
            elif fragment and fragment not in anchors(document):
                problems.append(
                    f"{path.name}:{number}: {match.group(1)} has no #{fragment}"
                )
    return problems


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO))


def test_markdown_files_are_found() -> None:
    shown = {_shown(path) for path in markdown_files()}
    assert {"README.md", "docs/architecture.md"} <= shown


@pytest.mark.parametrize("path", markdown_files(), ids=_shown)
def test_links_stay_inside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    problems = [
        f"{_shown(path)}:{line}: {target}: {problem}"
        for line, target in links(text)
        if (problem := link_problem(path, target)) is not None
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", markdown_files(), ids=_shown)
def test_no_reference_to_the_internal_contract(path: Path) -> None:
    mentions = [
        f"{_shown(path)}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern.search(line) for pattern in _FORBIDDEN)
    ]
    assert not mentions, "\n".join(mentions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "see [the docs](docs/cli.md#exit-codes) and ![x](a.png)",
            ["docs/cli.md#exit-codes", "a.png"],
        ),
        ("`[not](a link)` but [this](one.md)", ["one.md"]),
        ("[ref]: ../outside.md", ["../outside.md"]),
        ("```\n[in](code.md)\n```\n[out](prose.md)", ["prose.md"]),
    ],
)
def test_links_are_read_from_prose_only(text: str, expected: list[str]) -> None:
    assert [target for _, target in links(text)] == expected


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("../shared/SPEC.md", "points outside the repository"),
        ("/etc/passwd", "absolute path; use a path relative to this file"),
        ("file:///etc/passwd", "scheme 'file' is not a link into the repository"),
        ("docs/nowhere.md", "no such file or folder"),
        (
            "docs/cli.md#no-such-heading",
            "cli.md has no heading with the anchor #no-such-heading",
        ),
        ("docs/cli.md#exit-codes", None),
        ("https://example.org/x", None),
    ],
)
def test_bad_links_are_caught(target: str, problem: str | None) -> None:
    assert link_problem(REPO / "README.md", target) == problem


def test_heading_anchors_follow_github() -> None:
    assert slug("`error_policy`") == "error_policy"
    assert slug("Configuration in pyproject.toml") == "configuration-in-pyprojecttoml"
    assert slug("A first spec") == "a-first-spec"


def test_sources_cite_the_documentation_not_the_contract() -> None:
    sources = source_files()
    assert REPO / "gubernator_gen" / "model.py" in sources
    this_file = Path(__file__).resolve()
    mentions = [
        f"{_shown(path)}:{number}: {line.strip()}"
        for path in sources
        if path != this_file
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern.search(line) for pattern in _FORBIDDEN)
    ]
    assert not mentions, "\n".join(mentions)


def test_documentation_references_in_sources_resolve() -> None:
    this_file = Path(__file__).resolve()
    problems = [
        problem
        for path in source_files()
        if path != this_file
        for problem in doc_reference_problems(path)
    ]
    assert not problems, "\n".join(problems)


def test_a_reference_to_a_missing_heading_is_caught(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text('"""See docs/language.md#no-such-heading and docs/nope.md."""\n')
    problems = doc_reference_problems(source)
    assert len(problems) == 2
    assert "has no #no-such-heading" in problems[0]
    assert "no docs/nope.md" in problems[1]
