"""Expression text → a bounded ``ast`` tree whose nodes know their file position.

The text is parsed with ``ast.parse(mode="eval")`` only after cheap checks
that keep hostile input harmless: a length limit, no NUL character or lone
surrogate, and, after parsing, a nesting limit checked without recursion
(so that nothing later can exhaust the stack). Python's own parser has a
recursion limit too; hitting it is reported, never raised.

Positions: Python reports columns in UTF-8 bytes of each line; they are
turned into character indexes of the text, then into file positions by the
``locate`` function the caller gives with the text (which knows how the
YAML scalar was written, see :mod:`gubernator_gen.frontend.scalar_offsets`).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.scalar_offsets import ScalarOffsets

#: Expressions longer than this many characters are refused.
MAX_LENGTH = 2000
#: Expressions nested deeper than this (in syntax tree levels) are refused.
MAX_DEPTH = 64

# Python's tokenizer ends lines at these; other Unicode breaks are not breaks.
_LINE_BREAK = re.compile("\r\n|\r|\n")
_LEADING_SPACE = " \t\f\r\n"
_NUL_OR_SURROGATE = re.compile("[\x00\ud800-\udfff]")
# Python's "(detected at line N)" counts lines of the expression, not the file.
_DETECTED_AT = re.compile(r" \(detected at line \d+\)")
_AS_WRITTEN = "<expression as written>"


@dataclass(frozen=True, slots=True)
class ExpressionText:
    """An expression as written and where each of its characters is.

    ``locate(i)`` is the file position of character ``i`` of ``text``
    (``i == len(text)``: just after the end).
    """

    text: str
    locate: Callable[[int], SourcePos] = field(compare=False)

    @classmethod
    def at(cls, text: str, start: SourcePos) -> ExpressionText:
        """``text`` written verbatim on one line from ``start`` (a plain scalar)."""
        return cls(
            text,
            lambda index: SourcePos(start.path, start.line, start.column + index),
        )

    @classmethod
    def in_scalar(
        cls,
        value: str,
        offsets: ScalarOffsets | None,
        position: Callable[[int], SourcePos],
        start: SourcePos,
    ) -> ExpressionText:
        """``value``, read from a YAML scalar, placed through its offsets.

        ``offsets`` comes from :func:`~gubernator_gen.frontend.scalar_offsets.
        scalar_offsets` for that scalar (offsets in the text the loader read),
        ``position`` turns such an offset into a file position. Without
        offsets (a scalar that could not be read again) every character is
        placed at ``start``, the scalar's own position.
        """
        if offsets is None or offsets.value != value:
            return cls(value, lambda index: start)
        return cls(value, lambda index: position(offsets.offset(index)))


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed expression: the tree and how to place its nodes."""

    tree: ast.expr
    source: ExpressionText
    _shift: int
    _line_starts: tuple[int, ...]
    _body: str

    @classmethod
    def synthetic(cls, tree: ast.expr, places: Sequence[SourcePos]) -> Parsed:
        """A tree built by code rather than parsed (a ``check:`` guard).

        Its nodes' ``col_offset`` (and ``end_col_offset``) say which of
        ``places`` they stand for, all on line 1.
        """
        last = len(places) - 1
        text = " " * len(places)
        source = ExpressionText(text, lambda index: places[max(0, min(index, last))])
        return cls(tree, source, 0, (0,), text)

    def index(self, node: ast.AST) -> int:
        """The character index in the text where ``node`` starts."""
        return self._index(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))

    def end_index(self, node: ast.AST) -> int:
        """The character index in the text just after ``node``."""
        line: int = getattr(node, "end_lineno", None) or getattr(node, "lineno", 1) or 1
        column: int = getattr(node, "end_col_offset", None) or 0
        return self._index(line, column)

    def place(self, node: ast.AST) -> SourcePos:
        """The file position where ``node`` starts."""
        return self.source.locate(self.index(node))

    def _index(self, line: int, byte_column: int) -> int:
        starts = self._line_starts
        line_index = max(0, min(line - 1, len(starts) - 1))
        line_start = starts[line_index]
        line_end = starts[line_index + 1] if line_index + 1 < len(starts) else None
        encoded = self._body[line_start:line_end].encode("utf-8")
        column = len(encoded[:byte_column].decode("utf-8", errors="ignore"))
        return self._shift + line_start + column


def parse(source: ExpressionText) -> Parsed | Diagnostic:
    """The expression's tree, or the one located error that stops reading it."""
    text = source.text
    if len(text) > MAX_LENGTH:
        return error(
            codes.EXPRESSION_LIMIT,
            f"the expression is {len(text):,} characters long; the limit is "
            f"{MAX_LENGTH:,}",
            source.locate(0),
        )
    bad = _NUL_OR_SURROGATE.search(text)
    if bad is not None:
        return error(
            codes.EXPRESSION_SYNTAX,
            f"character U+{ord(bad.group()):04X} cannot appear in an expression",
            source.locate(bad.start()),
        )
    body = text.lstrip(_LEADING_SPACE)
    shift = len(text) - len(body)
    if not body.strip():
        return error(
            codes.EXPRESSION_SYNTAX, "the expression is empty", source.locate(0)
        )
    # Line breaks are blanks, as inside parentheses in Python, so that a
    # literal block (|) may spread an expression over several lines.
    wrapped = "(" + body + "\n)"
    starts = (0, *(match.end() for match in _LINE_BREAK.finditer(wrapped)))
    bracket = _bracket_problem(wrapped, starts)
    if bracket is not None:
        index, message = bracket
        return error(
            codes.EXPRESSION_SYNTAX,
            f"not a valid expression: {message}",
            source.locate(shift + max(0, index - 1)),
        )
    try:
        tree = ast.parse(wrapped, mode="eval").body
    except SyntaxError as exc:
        if len(starts) == 2:
            # On one line Python's own message and place for the text as
            # written are the most precise ("=" rather than "==", ...).
            exc = _own_error(body) or exc
            if exc.filename == _AS_WRITTEN:
                return _syntax_error(exc, source, "(" + body + "\n)", shift, starts, 1)
        return _syntax_error(exc, source, wrapped, shift, starts, 0)
    except (RecursionError, MemoryError):
        return error(
            codes.EXPRESSION_LIMIT,
            "the expression is nested too deeply to be read",
            source.locate(shift),
        )
    parsed = Parsed(tree, source, shift - 1, starts, wrapped)
    too_deep = _too_deep(tree)
    if too_deep is not None:
        return error(
            codes.EXPRESSION_LIMIT,
            f"the expression is nested more than {MAX_DEPTH} levels deep, the limit",
            parsed.place(too_deep),
        )
    return parsed


def _bracket_problem(wrapped: str, starts: tuple[int, ...]) -> tuple[int, str] | None:
    """A closing bracket of the text that would close the added ``(``, or an
    opening one never closed: ``(index in wrapped, message)``; else ``None``.

    Without this, ``a) or (b`` would read as ``(a) or (b)``.
    """
    # The tokenize module ends lines at "\n" only; this keeps every offset.
    normalised = wrapped.replace("\r\n", " \n").replace("\r", "\n")
    opened: list[int] = []
    last = len(wrapped) - 1
    try:
        for token in tokenize.generate_tokens(io.StringIO(normalised).readline):
            if token.type != tokenize.OP or token.string not in "()[]{}":
                continue
            index = starts[token.start[0] - 1] + token.start[1]
            if token.string in "([{":
                opened.append(index)
            elif index == last and len(opened) > 1:
                return opened[1], f"{wrapped[opened[1]]!r} was never closed"
            elif len(opened) == 1 and index != last:
                return index, f"unmatched {token.string!r}"
            elif opened:
                opened.pop()
    except (tokenize.TokenError, SyntaxError):
        if len(opened) >= 2:
            return opened[1], f"{wrapped[opened[1]]!r} was never closed"
    return None


def _own_error(body: str) -> SyntaxError | None:
    """Python's error for ``body`` as written (marked by its file name)."""
    try:
        ast.parse(body, filename=_AS_WRITTEN, mode="eval")
    except SyntaxError as exc:
        return exc
    except (RecursionError, MemoryError, ValueError):
        return None
    return None


def _syntax_error(
    exc: SyntaxError,
    source: ExpressionText,
    wrapped: str,
    shift: int,
    starts: tuple[int, ...],
    columns_from: int,
) -> Diagnostic:
    """A located GG320 for Python's own syntax error (columns are characters).

    ``wrapped`` is the text in the added parentheses; its index ``i`` is the
    text's index ``shift + i - 1``. ``columns_from`` is 1 when ``exc`` is
    about the text as written (one line), whose columns lack the parenthesis.
    """
    message = _DETECTED_AT.sub("", exc.msg or "") or "invalid syntax"
    end = len(wrapped[1:-2].rstrip()) + 1  # just after the text, in wrapped
    if not exc.offset or (exc.lineno or 1) >= len(starts):
        # Python read to the end (or to the added parenthesis): cut short.
        index = end
        if message == "invalid syntax":
            message = "the expression ends too early"
    else:
        line = max(1, exc.lineno or 1)
        column = exc.offset - 1 + columns_from
        index = min(starts[line - 1] + column, starts[line] - 1, end)
    return error(
        codes.EXPRESSION_SYNTAX,
        f"not a valid expression: {message}",
        source.locate(shift + max(0, index - 1)),
    )


def _too_deep(tree: ast.AST) -> ast.AST | None:
    """The first node deeper than :data:`MAX_DEPTH`, found without recursion."""
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None
