"""Offsets in spec text → the line and column a user sees in the file.

Three pieces: :class:`LineIndex` turns a character offset into a 1-based
line and column the YAML 1.2 way (only LF, CR and CRLF end a line; U+0085,
U+2028 and U+2029 are ordinary characters), :class:`OffsetMap` takes an
offset in the text after ``${VAR}`` substitution back to the text the user
wrote, and :class:`Locator` combines them for the parser's marks, so that
every position points into the file as it is on disk.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gubernator_gen.diagnostics import SourcePos

_LINE_BREAK = re.compile("\r\n|\r|\n")


class LineIndex:
    """1-based line and column of character offsets in one text.

    Lines are indexed on first use, so a text that never needs a position
    costs nothing.
    """

    def __init__(self, text: str, path: str) -> None:
        self._text = text
        self._path = path
        self._line_starts: list[int] | None = None

    @property
    def path(self) -> str:
        """The path positions name."""
        return self._path

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            starts.extend(match.end() for match in _LINE_BREAK.finditer(self._text))
            self._line_starts = starts
        return self._line_starts

    def at(self, offset: int) -> SourcePos:
        """The position of the character at ``offset``.

        Offsets past the end are taken as the end of the text, the place a
        parser means when it reports a problem at the end of the input.
        """
        offset = max(0, min(offset, len(self._text)))
        starts = self._starts()
        line = bisect.bisect_right(starts, offset) - 1
        return SourcePos(self._path, line + 1, offset - starts[line] + 1)

    def line_text(self, line: int) -> str:
        """The text of line ``line`` (1-based) without its line break."""
        starts = self._starts()
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self._text)
        return self._text[starts[line - 1] : end].rstrip("\r\n")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Where each offset of a rewritten text came from in the original.

    The rewritten text is a sequence of segments: copies of the original
    (``literal``), where offsets map one to one, and inserted values, whose
    every offset maps to the start of what they replaced (the ``$`` of a
    ``${VAR}``). ``starts`` are the segments' offsets in the rewritten text,
    ``origins`` their offsets in the original. An empty map is the
    identity.
    """

    starts: Sequence[int] = ()
    origins: Sequence[int] = ()
    literal: Sequence[bool] = ()

    @property
    def is_identity(self) -> bool:
        """True when every offset maps to itself."""
        return not self.starts

    def original(self, offset: int) -> int:
        """The offset in the original text that ``offset`` came from."""
        if not self.starts:
            return offset
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return offset
        origin = self.origins[index]
        if self.literal[index]:
            return origin + offset - self.starts[index]
        return origin


class OffsetMapBuilder:
    """Collects the segments of an :class:`OffsetMap` in text order."""

    def __init__(self) -> None:
        self._starts: list[int] = [0]
        self._origins: list[int] = [0]
        self._literal: list[bool] = [True]

    def segment(self, start: int, origin: int, *, literal: bool) -> None:
        """A segment beginning at ``start`` in the rewritten text.

        A segment that begins where the previous one does replaces it: the
        previous one was empty and holds no offset.
        """
        if self._starts[-1] == start:
            self._starts.pop()
            self._origins.pop()
            self._literal.pop()
        self._starts.append(start)
        self._origins.append(origin)
        self._literal.append(literal)

    def build(self) -> OffsetMap:
        """The map; the identity when nothing but copies was recorded."""
        if self._literal == [True] and self._origins == [0]:
            return OffsetMap()
        return OffsetMap(
            tuple(self._starts), tuple(self._origins), tuple(self._literal)
        )


class Locator:
    """Scanner marks and offsets → positions in the file as the user wrote it.

    The scanned text differs from the file by substitution (undone with the
    offset map) and by YAML 1.1 line breaks (undone by counting lines
    afresh). Without either (``direct``), the scanner's own line and column
    are right and cheaper than an offset lookup, which matters at one call
    per node.
    """

    def __init__(
        self, lines: LineIndex, offsets: OffsetMap, scanned: str, *, direct: bool
    ) -> None:
        self._lines = lines
        self._path = lines.path
        self._offsets = offsets
        self._end = len(scanned)
        #: The position of a scanner mark (anything with ``index``, ``line``
        #: and ``column``).
        self.mark: Callable[[Any], SourcePos] = self._direct if direct else self._mapped

    def _direct(self, mark: Any) -> SourcePos:
        if mark.index >= self._end:
            # At the end of a file without a final newline the scanner
            # names the start of a line that does not exist.
            return self.offset(mark.index)
        return SourcePos(self._path, mark.line + 1, mark.column + 1)

    def _mapped(self, mark: Any) -> SourcePos:
        return self.offset(mark.index)

    def offset(self, offset: int) -> SourcePos:
        """The position of the character at ``offset`` of the scanned text."""
        return self._lines.at(self._offsets.original(offset))

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) of the file as written."""
        return self._lines.line_text(line)
