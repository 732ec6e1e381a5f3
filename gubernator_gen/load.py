"""Read a spec file into the positioned tree (:mod:`gubernator_gen.tree`).

Steps: read bytes (bounded), decode UTF-8 (a leading BOM is dropped),
substitute ``${VAR}`` references, then parse YAML 1.2 (JSON being a subset,
``.json`` files take the same path). Every problem is a located diagnostic;
no input makes this module raise.

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
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gubernator_gen import frontend_codes as codes
from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.substitute import substitute
from gubernator_gen.tree import MapNode, Node, ScalarNode, ScalarValue, SeqNode, shorten

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
_NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
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
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return LoadResult(
            None,
            None,
            (
                error(
                    codes.UNREADABLE_FILE,
                    f"cannot read the spec: {reason}",
                    _start(name),
                ),
            ),
        )
    return load_text(data, path=name, defines=defines, environ=environ)


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
    bad_char = _NOT_PRINTABLE.search(source)
    if bad_char is not None:
        diagnostics.append(_bad_character(source, bad_char.start(), path))
        return LoadResult(None, source, tuple(diagnostics), frozenset(suspect))
    builder = _TreeBuilder(path)
    root = builder.build(source)
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
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            line, column = _line_column(text, exc.start)
            return error(
                codes.NOT_UTF8,
                "the text contains a lone surrogate, which is not valid UTF-8",
                SourcePos(path, line, column),
            )
        return text.removeprefix("\ufeff")
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
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        byte = data[exc.start]
        return error(
            codes.NOT_UTF8,
            f"the spec is not valid UTF-8 (byte 0x{byte:02x}); save it as UTF-8",
            SourcePos(path, line, column),
        )


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _bad_character(text: str, offset: int, path: str) -> Diagnostic:
    line, column = _line_column(text, offset)
    return error(
        codes.YAML_SYNTAX,
        f"character U+{ord(text[offset]):04X} is not allowed in YAML text",
        SourcePos(path, line, column),
    )


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

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.suspect_lines: set[int] = set()
        # An anchor maps to its node and expanded size; ``None`` while the
        # anchored collection is still open (an alias to it is recursive).
        self._anchors: dict[str, tuple[Node, int] | None] = {}
        self._stack: list[_Frame] = []
        self._root: Node | None = None
        self._node_count = 0
        self._expansion = 0
        self._merge_keys: set[int] = set()

    def build(self, text: str) -> Node | None:
        """The document's root node, or ``None`` (with diagnostics) if unusable."""
        gc_was_enabled = gc.isenabled()
        # The tree is acyclic and built in one go; collecting while millions
        # of fresh objects appear only costs time.
        gc.disable()
        try:
            return self._build(text)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _build(self, text: str) -> Node | None:
        try:
            documents = self._stream(text)
        except _Abort:
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
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        try:
            while True:
                event = get_event()
                if event is None:
                    return documents
                kind = type(event)
                if kind is scalar_event:
                    self._count(event)
                    node = self._scalar(event)
                    self._add(node, 1)
                    if event.anchor is not None:
                        self._anchors[event.anchor] = (node, 1)
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
            self._syntax_error(exc, text)
            raise _Abort from None
        except yaml.YAMLError as exc:
            message = f"invalid YAML: {shorten(str(exc), 200)}"
            self._error(codes.YAML_SYNTAX, message, _start(self.path))
            raise _Abort from None
        finally:
            loader.dispose()

    def _syntax_error(self, exc: yaml.MarkedYAMLError, text: str) -> None:
        mark = exc.problem_mark or exc.context_mark
        pos = self._pos(mark) if mark is not None else _start(self.path)
        pos = _within(pos, text)
        if "maximum nesting depth" in (exc.problem or ""):
            # libyaml 0.2.5 (PyYAML >= 6.0.4) has a nesting limit of its own
            # whose scanner can trip before our depth check sees the events.
            self._error(codes.TOO_DEEP, _TOO_DEEP_MESSAGE, pos)
            return
        message = exc.problem or "invalid YAML"
        if exc.context:
            context = exc.context
            start = exc.context_mark
            if start is not None and start.line + 1 != pos.line:
                context += f" from line {start.line + 1}"
            message = f"{message} ({context})"
        if _tab_near(text, pos.line):
            message += "; YAML does not allow tabs for indentation, use spaces"
        self._error(codes.YAML_SYNTAX, f"invalid YAML: {message}", pos)

    def _pos(self, mark: Any) -> SourcePos:
        return SourcePos(self.path, mark.line + 1, mark.column + 1)

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


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _within(pos: SourcePos, text: str) -> SourcePos:
    """``pos`` moved back to the end of the text if it lies past it.

    At the end of a file without a final newline the parser reports the
    start of a line that does not exist; editors cannot jump there.
    """
    breaks = [match.end() for match in _LINE_BREAK.finditer(text)]
    last_line = len(breaks) + 1
    if pos.line <= last_line:
        return pos
    last_start = breaks[-1] if breaks else 0
    return SourcePos(pos.path, last_line, len(text) - last_start + 1)


def _tab_near(text: str, line: int) -> bool:
    """True when line ``line`` (1-based) or the one before starts with a tab."""
    lines = text.split("\n", line)[max(0, line - 2) : line]
    return any(
        entry[: len(entry) - len(entry.lstrip(" \t"))].count("\t") for entry in lines
    )
