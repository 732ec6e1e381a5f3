"""Read a spec file into the positioned tree (:mod:`gubernator_gen.frontend.tree`).

Steps: read bytes (bounded), decode UTF-8 (a leading BOM is dropped),
substitute ``${VAR}`` references, then parse YAML 1.2 (JSON being a subset,
``.json`` files take the same path). Every problem is a located diagnostic;
no input makes this module raise. Every position (of nodes and diagnostics)
is a line and column in the file as written, before substitution, with
lines counted the YAML 1.2 way (:mod:`gubernator_gen.frontend.positions`).

The parser is PyYAML's event stream (libyaml when available, else the pure
Python parser); the tree is built from the events here rather than by
PyYAML's composer and constructor, so that:

* scalars are resolved with the YAML 1.2 core schema (``yes``/``no``/``on``/
  ``off`` stay strings, timestamps stay strings) and no tag ever constructs a
  Python object;
* repeated keys, unsupported tags and YAML 1.1 merge keys are reported at
  the exact node;
* hostile input is bounded while it streams: nesting depth, node count and
  the size that aliases would expand to (the "billion laughs") each have a
  limit, and building is iterative, so no input can exhaust the stack.

PyYAML's scanners read YAML 1.1; :mod:`gubernator_gen.frontend.yaml12` rewrites the
few characters where that differs from YAML 1.2 and JSON before scanning,
and this module turns them back in every scalar.
"""

from __future__ import annotations

import bisect
import errno
import gc
import math
import os
import re
import stat
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes, yaml12
from gubernator_gen.frontend.positions import LineIndex, OffsetMap
from gubernator_gen.frontend.substitute import substitute
from gubernator_gen.frontend.tree import (
    MapNode,
    Node,
    ScalarNode,
    ScalarValue,
    SeqNode,
    shorten,
)

#: Files larger than this are refused before parsing.
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Collections nested deeper than this are refused.
MAX_DEPTH = 64
_TOO_DEEP_MESSAGE = (
    f"lists and mappings are nested more than {MAX_DEPTH} levels deep, the limit"
)
#: Documents with more nodes (scalars, collections, aliases) are refused.
MAX_NODES = 250_000
#: Aliases may add at most this many nodes to the expanded document.
MAX_ALIAS_EXPANSION = 100_000
#: Integers with more digits than this are refused (Python's own limit is 4300).
MAX_INT_DIGITS = 4000

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (
    _CORE + "str",
    _CORE + "int",
    _CORE + "float",
    _CORE + "bool",
    _CORE + "null",
)
_SEQ, _MAP = _CORE + "seq", _CORE + "map"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o([0-7]+)\Z")
_INT16 = re.compile(r"0x([0-9a-fA-F]+)\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
# Plain scalars whose first character is not one of these are always strings;
# checking it first keeps resolution cheap for the common case.
_MAYBE_NOT_STR = frozenset("0123456789-+.~nNtTfF")
# Characters YAML does not allow in a stream (YAML 1.2, 5.1 "c-printable").
# Those that YAML 1.2 and JSON allow inside quoted strings are rewritten by
# yaml12.prepare before this check and checked where they stand afterwards.
_NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# What a file that is not a regular file is, for "cannot read the spec: ...".
_FILE_KINDS = (
    (stat.S_ISFIFO, "it is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "it is a character device, not a regular file"),
    (stat.S_ISBLK, "it is a block device, not a regular file"),
    (stat.S_ISSOCK, "it is a socket, not a regular file"),
)
# An escape of a UTF-16 surrogate, and a surrogate in a scanned value.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}

_Loader: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


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
    """

    root: Node | None
    text: str | None
    diagnostics: tuple[Diagnostic, ...]
    suspect_lines: frozenset[int] = frozenset()


def load_path(
    path: Path, *, defines: Mapping[str, str], environ: Mapping[str, str]
) -> LoadResult:
    """Load the spec file at ``path``; diagnostics name it ``str(path)``."""
    name = str(path)
    data = _read(path)
    if isinstance(data, str):
        return _failed(
            codes.UNREADABLE_FILE, f"cannot read the spec: {data}", _start(name)
        )
    return load_text(data, path=name, defines=defines, environ=environ)


# Opening without blocking matters only for a file that turned into a named
# pipe after it was checked; elsewhere these flags change nothing.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def _read(path: Path) -> bytes | str:
    """The file's first ``MAX_FILE_BYTES + 1`` bytes, or why it cannot be read.

    Only regular files are opened: opening a named pipe for reading waits
    for a writer (forever, for a spec), and opening a device can have
    effects of its own.
    """
    try:
        problem = _not_regular(os.stat(path).st_mode)
        if problem is not None:
            return problem
        with open(os.open(path, _OPEN_FLAGS), "rb") as stream:
            problem = _not_regular(os.fstat(stream.fileno()).st_mode)
            if problem is not None:
                return problem  # replaced between the check and the opening
            return stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return exc.strerror or exc.__class__.__name__


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode cannot be a spec, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return os.strerror(errno.EISDIR)
    for is_kind, problem in _FILE_KINDS:
        if is_kind(mode):
            return problem
    return "it is not a regular file"


def load_text(
    text: str | bytes,
    *,
    path: str,
    defines: Mapping[str, str],
    environ: Mapping[str, str],
) -> LoadResult:
    """Load spec text already in memory; ``path`` names it in diagnostics."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > MAX_FILE_BYTES:
        return _failed(
            codes.FILE_TOO_LARGE,
            f"the spec is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            _start(path),
        )
    decoded = _decode(text, path)
    if isinstance(decoded, Diagnostic):
        return LoadResult(None, None, (decoded,))
    substituted = substitute(decoded, path=path, defines=defines, environ=environ)
    diagnostics = list(substituted.diagnostics)
    suspect = {d.pos.line for d in diagnostics}
    source = substituted.text
    lines = LineIndex(decoded, path)
    is_json = PurePath(path).suffix.lower() == ".json"
    # A rewritten surrogate pair escape that turns out not to be in a
    # double-quoted scalar would change that scalar: read again, rewriting
    # only those that were (and, should that fail too, none).
    escapes: Container[int] | None = None
    for _ in range(3):
        prepared = yaml12.prepare(source, escapes=escapes)
        locator = _Locator(
            lines,
            substituted.offsets,
            prepared.text,
            direct=substituted.offsets.is_identity and prepared.lines_match,
        )
        bad_char = _NOT_PRINTABLE.search(prepared.text)
        if bad_char is not None:
            diagnostics.append(_bad_character(prepared.text, bad_char.start(), locator))
            return LoadResult(None, source, tuple(diagnostics), frozenset(suspect))
        builder = _TreeBuilder(path, prepared, locator, is_json=is_json)
        root = builder.build()
        if not builder.misplaced_escape:
            break
        escapes = () if escapes is not None else builder.escapes_in_place
    diagnostics.extend(builder.diagnostics)
    suspect.update(builder.suspect_lines)
    return LoadResult(root, source, tuple(diagnostics), frozenset(suspect))


def _start(path: str) -> SourcePos:
    return SourcePos(path, 1, 1)


def _failed(code: str, message: str, pos: SourcePos) -> LoadResult:
    return LoadResult(None, None, (error(code, message, pos),))


def _decode(text: str | bytes, path: str) -> str | Diagnostic:
    """UTF-8 text without a BOM, or the diagnostic saying why not."""
    if isinstance(text, str):
        text = text.removeprefix("\ufeff")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return error(
                codes.NOT_UTF8,
                "the text contains a lone surrogate, which is not valid UTF-8",
                LineIndex(text, path).at(exc.start),
            )
        return text
    for bom, encoding in _OTHER_BOMS.items():
        if text.startswith(bom):
            return error(
                codes.NOT_UTF8,
                f"the spec is {encoding} text; save it as UTF-8",
                _start(path),
            )
    data = text.removeprefix(_UTF8_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        valid = data[: exc.start].decode("utf-8")
        byte = data[exc.start]
        return error(
            codes.NOT_UTF8,
            f"the spec is not valid UTF-8 (byte 0x{byte:02x}); save it as UTF-8",
            LineIndex(valid, path).at(len(valid)),
        )


def _bad_character(text: str, offset: int, locator: _Locator) -> Diagnostic:
    return error(
        codes.YAML_SYNTAX,
        f"character U+{ord(text[offset]):04X} is not allowed in YAML text",
        locator.offset(offset),
    )


class _Locator:
    """Scanner marks and offsets → positions in the file as the user wrote it.

    The scanned text differs from the file by substitution (undone with the
    offset map) and by YAML 1.1 line breaks (undone by counting lines
    afresh). Without either, the scanner's own line and column are right
    and cheaper than an offset lookup, which matters at one call per node.
    """

    def __init__(
        self, lines: LineIndex, offsets: OffsetMap, scanned: str, *, direct: bool
    ) -> None:
        self._lines = lines
        self._offsets = offsets
        self._end = len(scanned)
        self.mark: Callable[[Any], SourcePos] = self._direct if direct else self._mapped

    def _direct(self, mark: Any) -> SourcePos:
        if mark.index >= self._end:
            # At the end of a file without a final newline the scanner
            # names the start of a line that does not exist.
            return self.offset(mark.index)
        return SourcePos(self._lines.path, mark.line + 1, mark.column + 1)

    def _mapped(self, mark: Any) -> SourcePos:
        return self.offset(mark.index)

    def offset(self, offset: int) -> SourcePos:
        """The position of the character at ``offset`` of the scanned text."""
        return self._lines.at(self._offsets.original(offset))

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) of the file as written."""
        return self._lines.line_text(line)


class _Abort(Exception):
    """Stops building after a diagnostic that leaves no usable document."""


@dataclass(slots=True)
class _Frame:
    """A collection whose end event has not arrived yet."""

    is_map: bool
    pos: SourcePos
    anchor: str | None
    items: list[Node] = field(default_factory=list)
    size: int = 1
    pending_key: Node | None = None
    seen_keys: dict[tuple[str, ScalarValue], ScalarNode] = field(default_factory=dict)


class _TreeBuilder:
    """Turns the parser's event stream into the positioned tree."""

    def __init__(
        self,
        path: str,
        prepared: yaml12.Prepared,
        locator: _Locator,
        *,
        is_json: bool,
    ) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.suspect_lines: set[int] = set()
        #: A rewritten escape was outside a double-quoted scalar: the result
        #: is not usable and the text must be read without that rewriting.
        self.misplaced_escape = False
        #: The offsets of rewritten escapes found in double-quoted scalars.
        self.escapes_in_place: frozenset[int] = frozenset()
        self._prepared = prepared
        self._locator = locator
        self._pos = locator.mark
        self._is_json = is_json
        self._restore = prepared.restore if prepared.table else None
        # Quoted scalars as (start, end, double-quoted), recorded only when
        # the rewriting left characters whose place must be checked.
        needs_places = bool(prepared.quoted_only or prepared.escapes)
        self._quoted: list[tuple[int, int, bool]] | None = [] if needs_places else None
        self._scanned_to = 0  # the end of the last scalar seen
        self._misplaced_at: int | None = None
        self._surrogate_escapes = _SURROGATE_ESCAPE.search(prepared.text) is not None
        self._complete = False  # the scanner reached the end of the text
        # An anchor maps to its node and expanded size; ``None`` while the
        # anchored collection is still open (an alias to it is recursive).
        self._anchors: dict[str, tuple[Node, int] | None] = {}
        self._stack: list[_Frame] = []
        self._root: Node | None = None
        self._node_count = 0
        self._expansion = 0
        self._merge_keys: set[int] = set()

    def build(self) -> Node | None:
        """The document's root node, or ``None`` (with diagnostics) if unusable."""
        gc_was_enabled = gc.isenabled()
        # The tree is acyclic and built in one go; collecting while millions
        # of fresh objects appear only costs time.
        gc.disable()
        try:
            return self._build(self._prepared.text)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _build(self, text: str) -> Node | None:
        try:
            documents = self._stream(text)
        except _Abort:
            self._check_places(text)
            return None
        if self._check_places(text):
            return None
        root = self._root
        if root is None or (isinstance(root, ScalarNode) and root.value is None):
            if documents <= 1 and not self.diagnostics:
                self._error(
                    codes.EMPTY_DOCUMENT,
                    "the spec is empty; it needs at least 'states' and 'transitions'",
                    _start(self.path) if root is None else root.pos,
                )
            return None
        if not isinstance(root, MapNode):
            value = root.value if isinstance(root, ScalarNode) else None
            what = "a list" if isinstance(root, SeqNode) else _describe(value)
            self._error(
                codes.ROOT_NOT_MAPPING,
                f"the spec must be a mapping of top-level keys (states, transitions, "
                f"...), not {what}",
                root.pos,
            )
            return None
        return root

    def _stream(self, text: str) -> int:
        """Build from the event stream; the number of documents seen."""
        documents = 0
        loader = _Loader(text)
        # This loop runs once per event of files up to tens of megabytes, so
        # it keeps lookups local and dispatches on the exact event type.
        get_event = loader.get_event
        quoted = self._quoted
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        try:
            while True:
                event = get_event()
                if event is None:
                    self._complete = True
                    return documents
                kind = type(event)
                if kind is scalar_event:
                    self._count(event)
                    node = self._scalar(event)
                    self._add(node, 1)
                    if event.anchor is not None:
                        self._anchors[event.anchor] = (node, 1)
                    if quoted is not None:
                        self._note_scalar(event, quoted)
                elif kind in starts:
                    self._count(event)
                    self._open(event)
                elif kind in ends:
                    self._close()
                elif kind is alias_event:
                    self._count(event)
                    self._alias(event)
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        self._error(
                            codes.SEVERAL_DOCUMENTS,
                            "a spec file holds exactly one YAML document; "
                            "this is a second one",
                            self._pos(event.start_mark),
                        )
                        return documents
        except yaml.MarkedYAMLError as exc:
            self._syntax_error(exc)
            raise _Abort from None
        except yaml.YAMLError as exc:
            message = f"invalid YAML: {shorten(str(exc), 200)}"
            self._error(codes.YAML_SYNTAX, message, _start(self.path))
            raise _Abort from None
        finally:
            loader.dispose()

    def _syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        # By offset, not the scanner's line: at the end of a file without a
        # final newline the scanner names a line that does not exist.
        pos = _start(self.path) if mark is None else self._locator.offset(mark.index)
        if mark is not None and mark.index in self._prepared.quoted_only:
            # The scanner stopped at a control character outside quotes
            # (which it took for a letter): that character is the problem.
            self._misplaced_character(mark.index)
            return
        if "maximum nesting depth" in (exc.problem or ""):
            # libyaml 0.2.5 (PyYAML >= 6.0.4) has a nesting limit of its own
            # whose scanner can trip before our depth check sees the events.
            self._error(codes.TOO_DEEP, _TOO_DEEP_MESSAGE, pos)
            return
        message = self._readable(exc.problem or "invalid YAML")
        if exc.context:
            context = self._readable(exc.context)
            start = exc.context_mark
            start_line = self._locator.offset(start.index).line if start else pos.line
            if start_line != pos.line:
                context += f" from line {start_line}"
            message = f"{message} ({context})"
        if not self._is_json and _tab_near(self._locator, pos.line):
            message += "; YAML does not allow tabs for indentation, use spaces"
        self._error(codes.YAML_SYNTAX, f"invalid YAML: {message}", pos)

    def _readable(self, message: str) -> str:
        """A scanner message with any sentinel it quotes turned back."""
        for code, char in self._prepared.table.items():
            sentinel = chr(code)
            if sentinel in message or repr(sentinel)[1:-1] in message:
                shown = repr(char)[1:-1] if char else ""
                message = message.replace(sentinel, shown)
                message = message.replace(repr(sentinel)[1:-1], shown)
        return message

    def _note_scalar(
        self, event: yaml.ScalarEvent, quoted: list[tuple[int, int, bool]]
    ) -> None:
        start_mark: Any = event.start_mark
        end_mark: Any = event.end_mark
        end: int = end_mark.index
        self._scanned_to = end
        if event.style in ('"', "'"):
            quoted.append((start_mark.index, end, event.style == '"'))

    def _check_places(self, text: str) -> bool:
        """Check where rewritten characters were; True if the result is unusable.

        Characters only allowed in quoted scalars (DEL, C1 controls) are an
        error elsewhere. A rewritten escape outside a double-quoted scalar
        sets :attr:`misplaced_escape`. Past the point where scanning stopped
        nothing is known, so nothing is reported there.
        """
        quoted = self._quoted
        if quoted is None:
            return False
        limit = len(text) if self._complete else self._scanned_to
        double = [(start, end) for start, end, is_double in quoted if is_double]
        escapes = self._prepared.escapes
        self.escapes_in_place = frozenset(o for o in escapes if _inside(o, double))
        if any(o < limit and o not in self.escapes_in_place for o in escapes):
            self.misplaced_escape = True
            return True
        if self._misplaced_at is not None:
            return True  # already reported as the syntax error
        spans = [(start, end) for start, end, _ in quoted]
        for offset in self._prepared.quoted_only:
            if offset < limit and not _inside(offset, spans):
                self._misplaced_character(offset)
                return True
        return False

    def _misplaced_character(self, offset: int) -> None:
        """Report a character only YAML's quoted scalars allow, found elsewhere."""
        self._misplaced_at = offset
        char = self._prepared.restore(self._prepared.text[offset])
        self._error(
            codes.YAML_SYNTAX,
            f"character U+{ord(char):04X} is only allowed inside quoted strings",
            self._locator.offset(offset),
        )

    def _error(
        self, code: str, message: str, pos: SourcePos, *, suspect: bool = False
    ) -> None:
        self.diagnostics.append(error(code, message, pos))
        if suspect:
            self.suspect_lines.add(pos.line)

    def _count(self, event: yaml.NodeEvent) -> None:
        self._node_count += 1
        if self._node_count > MAX_NODES:
            self._error(
                codes.TOO_MANY_NODES,
                f"the spec has more than {MAX_NODES:,} YAML nodes, the limit",
                self._pos(event.start_mark),
            )
            raise _Abort

    def _open(self, event: yaml.CollectionStartEvent) -> None:
        pos = self._pos(event.start_mark)
        if len(self._stack) >= MAX_DEPTH:
            self._error(
                codes.TOO_DEEP,
                _TOO_DEEP_MESSAGE,
                pos,
            )
            raise _Abort
        is_map = isinstance(event, yaml.MappingStartEvent)
        tag = event.tag
        if tag not in (None, "!", _MAP, _SEQ):
            self._error(
                codes.UNSUPPORTED_TAG,
                f"unsupported YAML tag {_show_tag(tag)}; only the core tags !!map, "
                "!!seq, !!str, !!int, !!float, !!bool and !!null are allowed",
                pos,
                suspect=True,
            )
        elif tag == (_SEQ if is_map else _MAP):
            kind = "a mapping" if is_map else "a list"
            self._error(
                codes.BAD_TAGGED_VALUE,
                f"{kind} cannot be tagged {_show_tag(tag)}",
                pos,
                suspect=True,
            )
        if event.anchor is not None:
            self._anchors[event.anchor] = None
        self._stack.append(_Frame(is_map, pos, event.anchor))

    def _close(self) -> None:
        frame = self._stack.pop()
        node: Node
        if frame.is_map:
            items = frame.items
            node = MapNode(
                tuple((items[i], items[i + 1]) for i in range(0, len(items), 2)),
                frame.pos,
            )
        else:
            node = SeqNode(tuple(frame.items), frame.pos)
        if frame.anchor is not None:
            self._anchors[frame.anchor] = (node, frame.size)
        self._add(node, frame.size)

    def _alias(self, event: yaml.AliasEvent) -> None:
        pos = self._pos(event.start_mark)
        name: str = event.anchor or ""
        if name not in self._anchors:
            self._error(
                codes.UNDEFINED_ALIAS,
                f"alias *{shorten(name)} refers to no anchor &{shorten(name)} "
                "before it",
                pos,
                suspect=True,
            )
            self._add(ScalarNode(None, pos), 1)
            return
        target = self._anchors[name]
        if target is None:
            self._error(
                codes.RECURSIVE_ALIAS,
                f"alias *{shorten(name)} refers to a node that contains it",
                pos,
                suspect=True,
            )
            self._add(ScalarNode(None, pos), 1)
            return
        node, size = target
        self._expansion += size
        if self._expansion > MAX_ALIAS_EXPANSION:
            self._error(
                codes.ALIAS_EXPANSION,
                f"aliases expand the spec by more than {MAX_ALIAS_EXPANSION:,} nodes, "
                "the limit",
                pos,
            )
            raise _Abort
        self._add(node, size)

    def _add(self, node: Node, size: int) -> None:
        if not self._stack:
            if self._root is None:
                self._root = node
            return
        frame = self._stack[-1]
        frame.size += size
        if not frame.is_map:
            frame.items.append(node)
            return
        if frame.pending_key is None:
            frame.pending_key = node
            return
        key, frame.pending_key = frame.pending_key, None
        if id(key) in self._merge_keys:
            self._error(
                codes.MERGE_KEY,
                "merge keys (<<) are YAML 1.1 and not supported; write the keys out",
                key.pos,
                suspect=True,
            )
            self.suspect_lines.add(frame.pos.line)
            return
        if isinstance(key, ScalarNode):
            identity = (type(key.value).__name__, key.value)
            first = frame.seen_keys.get(identity)
            if first is not None:
                self._error(
                    codes.DUPLICATE_KEY,
                    f"key {_show_key(key.value)} is repeated in this mapping "
                    f"(first at line {first.pos.line})",
                    key.pos,
                )
                return
            frame.seen_keys[identity] = key
        frame.items.extend((key, node))

    def _scalar(self, event: yaml.ScalarEvent) -> ScalarNode:
        pos = self._pos(event.start_mark)
        value: str = event.value
        if self._restore is not None:
            value = self._restore(value)
        if self._surrogate_escapes and _SURROGATE.search(value):
            value = self._lone_surrogate(value, pos)
        tag = event.tag
        if tag is None:
            if not event.implicit[0]:
                return ScalarNode(value, pos)  # quoted or block: always a string
            if value == "<<":
                node = ScalarNode(value, pos)
                self._merge_keys.add(id(node))
                return node
            if value and value[0] not in _MAYBE_NOT_STR:
                return ScalarNode(value, pos)
            resolved = _resolve_plain(value)
            if isinstance(resolved, _TooLong):
                self._too_long(pos)
                return ScalarNode(value, pos)
            return ScalarNode(resolved, pos)
        if tag in ("!", _STR):
            return ScalarNode(value, pos)
        if tag in (_INT, _FLOAT, _BOOL, _NULL):
            resolved = _resolve_plain(value)
            if isinstance(resolved, _TooLong):
                self._too_long(pos)
                return ScalarNode(value, pos)
            if tag == _FLOAT and type(resolved) is int:
                resolved = float(resolved)
            if _tag_of(resolved) == tag:
                return ScalarNode(resolved, pos)
            self._error(
                codes.BAD_TAGGED_VALUE,
                f"{_show_tag(tag)} {_quote(value)} is not a valid {_TAG_NAMES[tag]}",
                pos,
                suspect=True,
            )
            return ScalarNode(value, pos)
        if tag in (_SEQ, _MAP):
            self._error(
                codes.BAD_TAGGED_VALUE,
                f"a scalar cannot be tagged {_show_tag(tag)}",
                pos,
                suspect=True,
            )
            return ScalarNode(value, pos)
        self._error(
            codes.UNSUPPORTED_TAG,
            f"unsupported YAML tag {_show_tag(tag)}; only the core tags !!str, !!int, "
            "!!float, !!bool, !!null, !!map and !!seq are allowed",
            pos,
            suspect=True,
        )
        return ScalarNode(value, pos)

    def _lone_surrogate(self, value: str, pos: SourcePos) -> str:
        # libyaml refuses such an escape; PyYAML's pure Python scanner makes
        # a string that cannot be written out as UTF-8.
        surrogate = _SURROGATE.search(value)
        assert surrogate is not None
        self._error(
            codes.YAML_SYNTAX,
            f"invalid YAML: this string escapes U+{ord(surrogate.group()):04X}, "
            "half of a surrogate pair, without the other half",
            pos,
            suspect=True,
        )
        return _SURROGATE.sub("\ufffd", value)

    def _too_long(self, pos: SourcePos) -> None:
        self._error(
            codes.NUMBER_TOO_LONG,
            f"integer has more than {MAX_INT_DIGITS} digits; quote it if it is text",
            pos,
            suspect=True,
        )


class _TooLong:
    """Marks an integer literal with too many digits to convert."""


_TOO_LONG = _TooLong()

_TAG_NAMES = {_INT: "integer", _FLOAT: "number", _BOOL: "boolean", _NULL: "null"}


def _resolve_plain(value: str) -> ScalarValue | _TooLong:
    """Resolve a plain scalar with the YAML 1.2 core schema."""
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT10.match(value):
        if len(value) > MAX_INT_DIGITS:
            return _TOO_LONG
        return int(value, 10)
    match = _INT8.match(value)
    if match:
        return _TOO_LONG if len(value) > MAX_INT_DIGITS else int(match.group(1), 8)
    match = _INT16.match(value)
    if match:
        return _TOO_LONG if len(value) > MAX_INT_DIGITS else int(match.group(1), 16)
    if _FLOAT_RE.match(value):
        return float(value)
    match = _INF.match(value)
    if match:
        return -math.inf if match.group(1) == "-" else math.inf
    if _NAN.match(value):
        return math.nan
    return value


def _tag_of(value: ScalarValue | _TooLong) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    if isinstance(value, float):
        return _FLOAT
    return _STR


def _show_tag(tag: str) -> str:
    if tag.startswith(_CORE):
        return "!!" + tag[len(_CORE) :]
    return shorten(tag, 40)


def _quote(value: str) -> str:
    return repr(shorten(value, 40))


def _show_key(value: ScalarValue) -> str:
    return _quote(value) if isinstance(value, str) else shorten(repr(value), 40)


def _describe(value: ScalarValue) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        return f"the string {_quote(value)}"
    return f"the value {shorten(repr(value), 40)}"


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    """True when ``offset`` lies in one of the sorted, disjoint ``spans``."""
    index = bisect.bisect_right(spans, (offset, math.inf)) - 1
    return index >= 0 and offset < spans[index][1]


def _tab_near(locator: _Locator, line: int) -> bool:
    """True when line ``line`` (1-based) or the one before starts with a tab."""
    for entry in (locator.line_text(line - 1), locator.line_text(line)):
        if "\t" in entry[: len(entry) - len(entry.lstrip(" \t"))]:
            return True
    return False
