"""The emitter: the one owner of the layout of generated code.

The plan hands over structured expressions (:class:`Atom`, :class:`Call`,
:class:`TupleOf`, :class:`DictOf`) and statements made of them; this module
decides every line break and every indentation. It lays code out the way
black does for these shapes, so black need not run over the bulk of a
large module (see :mod:`gubernator_gen.backend.formatting`):

* an expression is written on one line when that line fits in black's line
  length;
* otherwise a call whose arguments fit on one line of their own is split
  around them (black's "right-hand split"), and anything else is exploded
  one element per line with a trailing comma (a "magic trailing comma",
  which black keeps exploded), each element laid out by the same rule one
  level deeper.

A one-element tuple is the exception black makes: its comma is not magic,
so it stays on one line whenever it may fit. Widths are over-estimated for
non-ASCII text (:func:`gubernator_gen.backend.literals.display_width`),
which can only choose the exploded form early, still black-stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

from gubernator_gen.backend import literals

#: black's line length in the generator's fixed mode.
LINE_LENGTH = 88
#: One level of indentation.
INDENT = "    "


@dataclass(frozen=True, slots=True)
class Atom:
    """Finished source text that is never split: a name or a literal."""

    text: str


@dataclass(frozen=True, slots=True)
class Call:
    """``callee(args)``; each argument ``(keyword or None, value)``."""

    callee: str
    args: tuple[tuple[str | None, Expr], ...]


@dataclass(frozen=True, slots=True)
class TupleOf:
    """A tuple display."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class SetOf:
    """A set display (not empty: ``{}`` is a dict)."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class DictOf:
    """A dict display, entries in order."""

    entries: tuple[tuple[Expr, Expr], ...]


Expr: TypeAlias = "Atom | Call | TupleOf | SetOf | DictOf"


def indent(depth: int) -> str:
    """The indentation of ``depth`` levels."""
    return INDENT * depth


def fits(text: str, depth: int) -> bool:
    """True when ``text`` indented by ``depth`` levels fits the line length."""
    return len(INDENT) * depth + literals.display_width(text) <= LINE_LENGTH


def inline(expr: Expr, memo: dict[int, str] | None = None) -> str:
    """``expr`` on one line; ``memo`` keeps the text of nodes already seen
    (by identity: the tree is alive and unchanged while it is laid out)."""
    if isinstance(expr, Atom):
        return expr.text
    if memo is not None:
        known = memo.get(id(expr))
        if known is not None:
            return known
    # Atoms, most of the parts, are read in place: this runs for every node
    # of a large module.
    if isinstance(expr, Call):
        args = []
        for key, value in expr.args:
            text = value.text if isinstance(value, Atom) else inline(value, memo)
            args.append(text if key is None else f"{key}={text}")
        text = f"{expr.callee}({', '.join(args)})"
    elif isinstance(expr, (TupleOf, SetOf)):
        items = [
            item.text if isinstance(item, Atom) else inline(item, memo)
            for item in expr.items
        ]
        if isinstance(expr, SetOf):
            text = "{" + ", ".join(items) + "}"
        else:
            text = f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    else:
        entries = ", ".join(
            [f"{inline(k, memo)}: {inline(v, memo)}" for k, v in expr.entries]
        )
        text = "{" + entries + "}"
    if memo is not None:
        memo[id(expr)] = text
    return text


def _argument(key: str | None, value: Expr, memo: dict[int, str] | None) -> str:
    text = inline(value, memo)
    return text if key is None else f"{key}={text}"


def _elements(
    expr: Expr, memo: dict[int, str]
) -> tuple[str, str, list[tuple[str, Expr]]]:
    """An exploded expression: opening text, closing text, (lead, element)s."""
    if isinstance(expr, Call):
        leads = [("" if key is None else f"{key}=", value) for key, value in expr.args]
        return f"{expr.callee}(", ")", leads
    if isinstance(expr, TupleOf):
        return "(", ")", [("", item) for item in expr.items]
    if isinstance(expr, SetOf):
        return "{", "}", [("", item) for item in expr.items]
    if isinstance(expr, DictOf):
        return "{", "}", [(f"{inline(k, memo)}: ", v) for k, v in expr.entries]
    raise TypeError("an atom cannot be exploded")


def _sole_collection(expr: Expr) -> bool:
    """A call with one positional argument that is a collection of several."""
    if not isinstance(expr, Call) or len(expr.args) != 1 or expr.args[0][0]:
        return False
    argument = expr.args[0][1]
    if isinstance(argument, (TupleOf, SetOf)):
        return len(argument.items) > 1
    return isinstance(argument, DictOf) and bool(argument.entries)


def _explodable(expr: Expr) -> bool:
    if isinstance(expr, Atom):
        return False
    if isinstance(expr, Call):
        return bool(expr.args)
    if isinstance(expr, (TupleOf, SetOf)):
        return bool(expr.items)
    return bool(expr.entries)


def _surely_too_long(text: str, depth: int) -> bool:
    """True when ``text`` overflows however black measures its characters."""
    return len(INDENT) * depth + _narrowest(text) > LINE_LENGTH


def _narrowest(text: str) -> int:
    """The fewest columns black can give ``text`` (non-ASCII may take none)."""
    return len(text) if text.isascii() else sum(1 for c in text if ord(c) < 0x80)


def _size(expr: Expr, sizes: dict[int, int]) -> int:
    """The fewest columns black can give ``inline(expr)``, without building
    it (each node is measured once: ``sizes`` keeps the answers by node)."""
    if isinstance(expr, Atom):
        return _narrowest(expr.text)
    known = sizes.get(id(expr))
    if known is not None:
        return known
    if isinstance(expr, Call):
        parts: Iterable[Expr] = [value for _, value in expr.args]
        count = len(expr.args)
        size = len(expr.callee) + 2 + sum([len(k) + 1 for k, _ in expr.args if k])
    elif isinstance(expr, (TupleOf, SetOf)):
        parts = expr.items
        count = len(parts)
        size = 2 + (1 if isinstance(expr, TupleOf) and count == 1 else 0)
    else:
        parts = [part for entry in expr.entries for part in entry]
        count = 2 * len(expr.entries)
        size = 2
    # Parts are joined by ", "; a dict's key and value by ": " (as wide).
    # Atoms, most of the parts, are measured in place.
    for part in parts:
        if isinstance(part, Atom):
            text = part.text
            size += len(text) if text.isascii() else _narrowest(text)
        else:
            size += _size(part, sizes)
    size += 2 * max(count - 1, 0)
    sizes[id(expr)] = size
    return size


class _Memo:
    """What one layout has measured and written, by node."""

    __slots__ = ("sizes", "texts")

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        self.texts: dict[int, str] = {}


def lay_out(expr: Expr, depth: int, lead: str = "", tail: str = "") -> list[str]:
    """The lines of ``lead + expr + tail`` at ``depth``, each indented."""
    return _lay_out(expr, depth, lead, tail, _Memo())


def _lay_out(expr: Expr, depth: int, lead: str, tail: str, memo: _Memo) -> list[str]:
    room = LINE_LENGTH - len(INDENT) * depth - len(lead) - len(tail)
    # A one-element tuple's comma is not magic: black joins it again whenever
    # it fits by black's own measure of wide characters, so it is exploded
    # only when it surely does not fit. An undecidable line is left to the
    # formatter's check (which then has black format the statement).
    one_item = isinstance(expr, TupleOf) and len(expr.items) == 1
    explodable = _explodable(expr)
    flat: str | None = None
    # A large collection is never written on one line just to find that it
    # does not fit (its length alone already says so).
    if one_item or not explodable or _size(expr, memo.sizes) <= room:
        flat = f"{lead}{inline(expr, memo.texts)}{tail}"
        if not explodable or fits(flat, depth):
            return [indent(depth) + flat]
        if one_item and not _surely_too_long(flat, depth):
            return [indent(depth) + flat]
    # The forms without a trailing comma below are black's only when black
    # too finds the line too long: with wide characters in it, undecidable,
    # so such a line takes the exploded form (stable either way).
    surely_long = flat is None or _surely_too_long(flat, depth)
    if surely_long and _sole_collection(expr):
        # black's form for a call whose one argument is a collection: the
        # collection on lines of its own, no comma after it.
        assert isinstance(expr, Call)
        inner = _lay_out(expr.args[0][1], depth + 1, "", "", memo)
        return [
            f"{indent(depth)}{lead}{expr.callee}(",
            *inner,
            f"{indent(depth)}){tail}",
        ]
    if surely_long and isinstance(expr, Call):
        # black's right-hand split: the arguments on one line of their own
        # when they fit there (no trailing comma then).
        head = f"{lead}{expr.callee}("
        budget = LINE_LENGTH - len(INDENT) * (depth + 1) + len(expr.callee) + 2
        if fits(head, depth) and _size(expr, memo.sizes) <= budget:
            body = ", ".join(_argument(k, v, memo.texts) for k, v in expr.args)
            if fits(body, depth + 1):
                return [
                    indent(depth) + head,
                    indent(depth + 1) + body,
                    f"{indent(depth)}){tail}",
                ]
    opening, closing, elements = _elements(expr, memo.texts)
    lines = [f"{indent(depth)}{lead}{opening}"]
    # An element that fits on its line is written there: the first rule of
    # _lay_out, applied in place (atoms, never split, and most small
    # collections of a large module take this way).
    element_indent = indent(depth + 1)
    element_room = LINE_LENGTH - len(element_indent) - 1
    for element_lead, element in elements:
        if isinstance(element, Atom):
            lines.append(f"{element_indent}{element_lead}{element.text},")
            continue
        if _size(element, memo.sizes) <= element_room - len(element_lead):
            line = f"{element_indent}{element_lead}{inline(element, memo.texts)},"
            if literals.display_width(line) <= LINE_LENGTH:
                lines.append(line)
                continue
        lines.extend(_lay_out(element, depth + 1, element_lead, ",", memo))
    lines.append(f"{indent(depth)}{closing}{tail}")
    return lines


def assignment(target: str, expr: Expr) -> str:
    """The statement ``target = expr`` at module level, ending with a newline."""
    return "\n".join(lay_out(expr, 0, f"{target} = ")) + "\n"


class Block:
    """Statements written line by line; ``nested`` indents what it holds.

    Used for the small functions the module defines (the deciders), which
    black formats with the rest of the skeleton; expressions inside them are
    laid out with :func:`lay_out` at the block's depth.
    """

    def __init__(self, depth: int = 0) -> None:
        self.depth = depth
        self._lines: list[str] = []

    def line(self, text: str = "") -> None:
        """One line at the current depth (an empty line stays empty)."""
        self._lines.append(indent(self.depth) + text if text else "")

    def lines(self, texts: Iterable[str]) -> None:
        """Several lines at the current depth."""
        for text in texts:
            self.line(text)

    def statement(self, expr: Expr, lead: str = "", tail: str = "") -> None:
        """``lead + expr + tail`` laid out at the current depth."""
        self._lines.extend(lay_out(expr, self.depth, lead, tail))

    def nested(self) -> _Nested:
        """A context in which lines are one level deeper."""
        return _Nested(self)

    @property
    def text(self) -> str:
        """Everything written, one newline after each line."""
        return "".join(f"{line}\n" for line in self._lines)


class _Nested:
    def __init__(self, block: Block) -> None:
        self._block = block

    def __enter__(self) -> Block:
        self._block.depth += 1
        return self._block

    def __exit__(self, *exc: object) -> None:
        self._block.depth -= 1
