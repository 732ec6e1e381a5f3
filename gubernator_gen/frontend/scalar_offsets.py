"""Where each character of a YAML scalar's value stands in the text.

A guard expression is a YAML string, and an error inside it must point at
the exact line and column in the file, whatever style the string is written
in. :func:`scalar_offsets` reads a scalar again, from its start and end
offsets and its style (what the YAML parser reports), the way YAML 1.2 does,
and returns, for every character of the value, the offset in the text it
came from:

* a character written as itself: its own offset;
* an escape (``\\n``, ``\\x41``, ``\\u00e9``, a surrogate pair ``\\ud83d\\ude00``)
  or the quote pair ``''``: the offset of the backslash or first quote;
* a line break folded into a space, or kept as ``\\n``: the offset of that
  line break in the text (the end of the line it ends).

The value is rebuilt along the way; when ``value`` (what the parser read) is
given and differs, the answer is ``None`` and the caller falls back to the
scalar's start. The block scalar indentation indicator (``|2``) counts from
the parent node's indentation, which the scalar's own text does not show;
the indentation is then found from ``value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAK = re.compile("\r\n|\r|\n")
_BREAK_CHARS = "\r\n"
_WHITE = " \t"
_SIMPLE_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_HEX = re.compile("[0-9a-fA-F]+")


@dataclass(frozen=True, slots=True)
class ScalarOffsets:
    """A scalar's value and, per character, the text offset it came from.

    ``offsets`` has one more entry than ``value``: where the value ends (just
    after its last character), for problems found at the end.
    """

    value: str
    offsets: tuple[int, ...]

    def offset(self, index: int) -> int:
        """The text offset of value index ``index`` (clamped to the value)."""
        return self.offsets[max(0, min(index, len(self.value)))]


class _Out:
    """The value being rebuilt and the offsets of its characters."""

    def __init__(self) -> None:
        self.chars: list[str] = []  # pieces, joined at the end
        self.offsets: list[int] = []

    def add(self, text: str, offset: int) -> None:
        """``text`` (an escape's or a fold's result), every character at ``offset``."""
        for char in text:
            self.chars.append(char)
            self.offsets.append(offset)

    def copy(self, text: str, start: int, stop: int) -> None:
        """``text[start:stop]`` written as itself."""
        self.chars.append(text[start:stop])
        self.offsets.extend(range(start, stop))

    def done(self, end: int) -> ScalarOffsets:
        """The result; ``end`` is the offset of the end of the value."""
        return ScalarOffsets("".join(self.chars), (*self.offsets, end))


def scalar_offsets(
    text: str, start: int, end: int, style: str | None, value: str | None = None
) -> ScalarOffsets | None:
    """The offsets of the scalar ``text[start:end]`` written in ``style``.

    ``style`` is PyYAML's: ``None`` (plain), ``"'"``, ``'"'``, ``"|"`` or
    ``">"``. Returns ``None`` when the scalar cannot be read this way or
    reads differently from ``value``.
    """
    if not 0 <= start <= end <= len(text):
        return None
    try:
        if style in ("|", ">"):
            return _block(text, start, end, folded=style == ">", value=value)
        if style == '"':
            result = _flow(text, start + 1, end - 1, double=True)
        elif style == "'":
            result = _flow(text, start + 1, end - 1, double=False)
        elif style is None or style == "":
            result = _flow(text, start, end, double=None)
        else:
            return None
    except (IndexError, ValueError):
        return None
    if result is None or (value is not None and result.value != value):
        return None
    return result


def _flow(
    text: str, start: int, end: int, *, double: bool | None
) -> ScalarOffsets | None:
    """A plain (``double`` is None), single- or double-quoted scalar's content."""
    out = _Out()
    stops = _WHITE + _BREAK_CHARS + ("\\" if double else "'" if double is False else "")
    i = start
    while i < end:
        char = text[i]
        if char not in stops:
            stop = i + 1
            while stop < end and text[stop] not in stops:
                stop += 1
            out.copy(text, i, stop)
            i = stop
        elif char in _WHITE or char in _BREAK_CHARS:
            i = _flow_spaces(text, i, end, out)
        elif char == "'":
            if i + 1 >= end or text[i + 1] != "'":
                return None  # a lone quote cannot be inside the scalar
            out.add("'", i)
            i += 2
        else:
            i = _escape(text, i, end, out)
    return out.done(end)


def _flow_spaces(text: str, i: int, end: int, out: _Out) -> int:
    """Whitespace and line breaks inside a flow scalar, folded as YAML does."""
    run_start = i
    while i < end and text[i] in _WHITE:
        i += 1
    if i >= end or text[i] not in _BREAK_CHARS:
        out.copy(text, run_start, i)  # whitespace inside a line is kept
        return i
    first_break = i
    i = _after_break(text, i)
    kept: list[int] = []
    while True:
        while i < end and text[i] in _WHITE:
            i += 1
        if i < end and text[i] in _BREAK_CHARS:
            kept.append(i)
            i = _after_break(text, i)
            continue
        break
    if kept:
        for offset in kept:
            out.add("\n", offset)
    else:
        out.add(" ", first_break)
    return i


def _escape(text: str, i: int, end: int, out: _Out) -> int:
    """A backslash escape in a double-quoted scalar, starting at ``i``."""
    kind = text[i + 1]
    if kind in _SIMPLE_ESCAPES:
        out.add(_SIMPLE_ESCAPES[kind], i)
        return i + 2
    if kind in _HEX_ESCAPES:
        code, after = _hex(text, i + 2, _HEX_ESCAPES[kind])
        if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", after):
            low, after_low = _hex(text, after + 2, 4)
            if 0xDC00 <= low <= 0xDFFF:
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                after = after_low
        out.add(chr(code), i)
        return after
    if kind in _BREAK_CHARS:
        # An escaped line break joins the lines: no space, and the next
        # line's indentation is dropped; empty lines still count.
        i = _after_break(text, i + 1)
        while True:
            while i < end and text[i] in _WHITE:
                i += 1
            if i < end and text[i] in _BREAK_CHARS:
                out.add("\n", i)
                i = _after_break(text, i)
                continue
            return i
    raise ValueError(f"unknown escape \\{kind}")


def _hex(text: str, i: int, digits: int) -> tuple[int, int]:
    chunk = text[i : i + digits]
    if len(chunk) != digits or not _HEX.fullmatch(chunk):
        raise ValueError("bad hexadecimal escape")
    return int(chunk, 16), i + digits


def _after_break(text: str, i: int) -> int:
    """The offset after the line break at ``i`` (``\\r\\n`` counts as one)."""
    return i + 2 if text.startswith("\r\n", i) else i + 1


# --------------------------------------------------------------------------
# Block scalars


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a block scalar's body: ``[start, stop)`` then its break."""

    start: int
    stop: int
    break_at: int | None  # None on the last line of a text without a final break


def _block(
    text: str, start: int, end: int, *, folded: bool, value: str | None
) -> ScalarOffsets | None:
    header = _BREAK.search(text, start, end)
    if header is None:
        return ScalarOffsets("", (end,)) if not value else None
    indicators = text[start + 1 : header.start()].split("#", 1)[0].strip()
    chomping = "+" if "+" in indicators else "-" if "-" in indicators else ""
    explicit = any(char.isdigit() for char in indicators)
    lines = _lines(text, header.end(), end)
    indents = [_auto_indent(text, lines)]
    if explicit:
        if value is None:
            return None
        indents = _possible_indents(text, lines, value)
    for indent in indents:
        result = _block_body(
            text,
            lines,
            indent,
            folded=folded,
            chomping=chomping,
            empty_end=header.start(),
        )
        if result is not None and (value is None or result.value == value):
            return result
    return None


def _lines(text: str, body: int, end: int) -> list[_Line]:
    lines = []
    position = body
    while position < end:
        found = _BREAK.search(text, position, end)
        if found is None:
            lines.append(_Line(position, end, None))
            break
        lines.append(_Line(position, found.start(), found.start()))
        position = found.end()
    return lines


def _leading_spaces(text: str, line: _Line) -> int:
    count = 0
    while line.start + count < line.stop and text[line.start + count] == " ":
        count += 1
    return count


def _is_blank(text: str, line: _Line) -> bool:
    return _leading_spaces(text, line) == line.stop - line.start


def _auto_indent(text: str, lines: list[_Line]) -> int:
    """The most spaces on a leading line, up to the first non-blank one."""
    most = 0
    for line in lines:
        most = max(most, _leading_spaces(text, line))
        if not _is_blank(text, line):
            break
    return max(most, 1)


def _possible_indents(text: str, lines: list[_Line], value: str) -> list[int]:
    """Indentations that could give ``value``, the likeliest first."""
    first = next((line for line in lines if not _is_blank(text, line)), None)
    if first is None:
        return [1]
    content = next((part for part in value.split("\n") if part), "")
    guess = first.stop - first.start - len(content)
    widest = _leading_spaces(text, first)
    return [guess, *(n for n in range(1, widest + 1) if n != guess)]


def _block_body(
    text: str,
    lines: list[_Line],
    indent: int,
    *,
    folded: bool,
    chomping: str,
    empty_end: int,
) -> ScalarOffsets | None:
    """Read the lines of a block scalar indented by ``indent``, as YAML does.

    ``empty_end`` is where a value without content ends (the header's end).
    """
    out = _Out()
    pending: list[int] = []  # breaks of empty lines since the last content
    last_break: int | None = None
    previous_normal = False
    seen_content = False
    content_end = 0
    for line in lines:
        spaces = _leading_spaces(text, line)
        if line.break_at is None and spaces == line.stop - line.start:
            break  # the indentation of the line after the scalar
        if spaces >= line.stop - line.start and spaces <= indent:
            pending.append(line.break_at if line.break_at is not None else line.stop)
            continue
        if spaces < indent:
            return None  # less indented: not part of this scalar
        content_start = line.start + indent
        normal = text[content_start] not in _WHITE
        if seen_content:
            if folded and previous_normal and normal and not pending:
                out.add(" ", last_break if last_break is not None else line.start)
            elif not (folded and previous_normal and normal):
                out.add("\n", last_break if last_break is not None else line.start)
        for offset in pending:
            out.add("\n", offset)
        pending = []
        out.copy(text, content_start, line.stop)
        content_end = line.stop
        last_break = line.break_at
        previous_normal = normal
        seen_content = True
    if not seen_content:
        # Only empty lines: clipped and stripped values are empty.
        for offset in pending if chomping == "+" else ():
            out.add("\n", offset)
        return out.done(empty_end)
    if chomping != "-" and last_break is not None:
        out.add("\n", last_break)
    if chomping == "+":
        for offset in pending:
            out.add("\n", offset)
    return out.done(content_end)
