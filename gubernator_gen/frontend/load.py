"""Load a spec file into the positioned tree (:mod:`gubernator_gen.frontend.tree`).

Steps, each in its own module: read bytes, bounded, and decode UTF-8
(:mod:`~gubernator_gen.frontend.source`); substitute ``${VAR}`` references
(:mod:`~gubernator_gen.frontend.substitute`); let PyYAML's YAML 1.1 scanner
read YAML 1.2 and JSON (:mod:`~gubernator_gen.frontend.yaml12`); parse one
document into the tree (:mod:`~gubernator_gen.frontend.parse`, with
:mod:`~gubernator_gen.frontend.assemble`, :mod:`~gubernator_gen.frontend.resolve`
and :mod:`~gubernator_gen.frontend.limits`). JSON being a subset of YAML
1.2, ``.json`` files take the same path.

Every problem is a located diagnostic; no input makes loading raise. Every
position (of nodes and diagnostics) is a line and column in the file as
written, before substitution, with lines counted the YAML 1.2 way
(:mod:`~gubernator_gen.frontend.positions`).
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.frontend import codes, source, yaml12
from gubernator_gen.frontend.parse import Parsed, parse
from gubernator_gen.frontend.positions import LineIndex, Locator
from gubernator_gen.frontend.substitute import substitute
from gubernator_gen.frontend.tree import Node

# Characters YAML does not allow in a stream (YAML 1.2, 5.1 "c-printable").
# Those that YAML 1.2 and JSON allow inside quoted strings are rewritten by
# yaml12.prepare before this check and checked where they stand afterwards.
_NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading produced.

    ``root`` is ``None`` when there is no usable document (unreadable, not
    UTF-8, syntax error, a limit exceeded). ``text`` is the text after
    substitution (``None`` if the file could not be decoded), from which
    the spec's hash is taken. ``suspect_lines`` are lines where loading
    reported an error and put a stand-in value (an empty value for a failed
    substitution, a string for a bad tag, ...); later checks drop their own
    diagnostics on these lines so that one mistake is reported once.
    ``locator`` places an offset of ``text`` in the file as written (the
    offsets of :class:`~gubernator_gen.frontend.tree.ScalarSpan`).
    """

    root: Node | None
    text: str | None
    diagnostics: tuple[Diagnostic, ...]
    suspect_lines: frozenset[int] = frozenset()
    locator: Locator | None = None


def load_path(
    path: Path, *, defines: Mapping[str, str], environ: Mapping[str, str]
) -> LoadResult:
    """Load the spec file at ``path``; diagnostics name it ``str(path)``."""
    name = str(path)
    data = source.read_bytes(path)
    if isinstance(data, str):
        diagnostic = error(
            codes.UNREADABLE_FILE,
            f"cannot read the spec: {data}",
            source.start_of(name),
        )
        return LoadResult(None, None, (diagnostic,))
    return load_text(data, path=name, defines=defines, environ=environ)


def load_text(
    text: str | bytes,
    *,
    path: str,
    defines: Mapping[str, str],
    environ: Mapping[str, str],
) -> LoadResult:
    """Load spec text already in memory; ``path`` names it in diagnostics."""
    too_large = source.too_large(text, path)
    if too_large is not None:
        return LoadResult(None, None, (too_large,))
    decoded = source.decode(text, path)
    if isinstance(decoded, Diagnostic):
        return LoadResult(None, None, (decoded,))
    substituted = substitute(decoded, path=path, defines=defines, environ=environ)
    diagnostics = list(substituted.diagnostics)
    suspect = {d.pos.line for d in diagnostics}
    text_after = substituted.text
    lines = LineIndex(decoded, path)
    is_json = PurePath(path).suffix.lower() == ".json"
    # A rewritten surrogate pair escape that turns out not to be in a
    # double-quoted scalar would change that scalar: read again, rewriting
    # only those that were (and, should that fail too, none).
    escapes: Container[int] | None = None
    for _ in range(3):
        prepared = yaml12.prepare(text_after, escapes=escapes)
        locator = Locator(
            lines,
            substituted.offsets,
            prepared.text,
            direct=substituted.offsets.is_identity and prepared.lines_match,
        )
        bad_char = _NOT_PRINTABLE.search(prepared.text)
        if bad_char is not None:
            diagnostics.append(_bad_character(prepared.text, bad_char.start(), locator))
            return LoadResult(None, text_after, tuple(diagnostics), frozenset(suspect))
        parsed: Parsed = parse(prepared, locator, path=path, is_json=is_json)
        if not parsed.misplaced_escape:
            break
        escapes = () if escapes is not None else parsed.escapes_in_place
    diagnostics.extend(parsed.problems.diagnostics)
    suspect.update(parsed.problems.suspect_lines)
    return LoadResult(
        parsed.root, text_after, tuple(diagnostics), frozenset(suspect), locator
    )


def _bad_character(text: str, offset: int, locator: Locator) -> Diagnostic:
    return error(
        codes.YAML_SYNTAX,
        f"character U+{ord(text[offset]):04X} is not allowed in YAML text",
        locator.offset(offset),
    )
