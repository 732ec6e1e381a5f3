"""The emitter: the one owner of the layout of generated code.

The plan hands over structured expressions (:class:`Atom`, :class:`Call`,
:class:`TupleOf`, :class:`DictOf`) and statements made of them; this module
decides every line break and every indentation. It lays code out the way
black does for these shapes, so black need not run over the bulk of a
large module (see :mod:`gubernator_gen.backend.formatting`):

* an expression is written on one line when that line fits in black's line
  length;
* otherwise it is exploded one element per line with a trailing comma (a
  "magic trailing comma", which black keeps exploded), each element laid
  out by the same rule one level deeper.

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


def inline(expr: Expr) -> str:
    """``expr`` on one line."""
    if isinstance(expr, Atom):
        return expr.text
    if isinstance(expr, Call):
        args = ", ".join(_argument(key, value) for key, value in expr.args)
        return f"{expr.callee}({args})"
    if isinstance(expr, TupleOf):
        items = [inline(item) for item in expr.items]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(expr, SetOf):
        return "{" + ", ".join(inline(item) for item in expr.items) + "}"
    entries = ", ".join(f"{inline(k)}: {inline(v)}" for k, v in expr.entries)
    return f"{{{entries}}}"


def _argument(key: str | None, value: Expr) -> str:
    return inline(value) if key is None else f"{key}={inline(value)}"


def _elements(expr: Expr) -> tuple[str, str, list[tuple[str, Expr]]]:
    """An exploded expression: opening text, closing text, (lead, element)s."""
    if isinstance(expr, Call):
        leads = [("" if key is None else f"{key}=", value) for key, value in expr.args]
        return f"{expr.callee}(", ")", leads
    if isinstance(expr, TupleOf):
        return "(", ")", [("", item) for item in expr.items]
    if isinstance(expr, SetOf):
        return "{", "}", [("", item) for item in expr.items]
    if isinstance(expr, DictOf):
        return "{", "}", [(f"{inline(key)}: ", value) for key, value in expr.entries]
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
    narrowest = sum(1 for char in text if ord(char) < 0x80)  # others: 0 or more
    return len(INDENT) * depth + narrowest > LINE_LENGTH


def _longer_than(expr: Expr, room: int) -> bool:
    """True when ``inline(expr)`` surely takes more than ``room`` characters.

    Stops as soon as it knows, so a large collection is never written out
    on one line only to find that it does not fit.
    """
    if isinstance(expr, Atom):
        return len(expr.text) > room
    if isinstance(expr, Call):
        room -= len(expr.callee) + 2
        parts: list[Expr] = [value for _, value in expr.args]
        room -= sum(len(key) + 1 for key, _ in expr.args if key is not None)
    elif isinstance(expr, (TupleOf, SetOf)):
        room -= 2
        parts = list(expr.items)
    else:
        room -= 2
        parts = [part for entry in expr.entries for part in entry]
    room -= 2 * max(len(parts) - 1, 0)
    for part in parts:
        if room < 0 or _longer_than(part, room):
            return True
        room -= len(inline(part)) if isinstance(part, Atom) else _width(part)
    return room < 0


def _width(expr: Expr) -> int:
    return len(inline(expr))


def lay_out(expr: Expr, depth: int, lead: str = "", tail: str = "") -> list[str]:
    """The lines of ``lead + expr + tail`` at ``depth``, each indented."""
    room = LINE_LENGTH - len(INDENT) * depth - len(lead) - len(tail)
    # A one-element tuple's comma is not magic: black joins it again whenever
    # it fits by black's own measure of wide characters, so it is exploded
    # only when it surely does not fit. An undecidable line is left to the
    # formatter's check (which then has black format the statement).
    one_item = isinstance(expr, TupleOf) and len(expr.items) == 1
    # A large collection is never written on one line just to find that it
    # does not fit (its length alone already says so).
    if one_item or not _explodable(expr) or not _longer_than(expr, room):
        flat = f"{lead}{inline(expr)}{tail}"
        if fits(flat, depth) or not _explodable(expr):
            return [indent(depth) + flat]
        if one_item and not _surely_too_long(flat, depth):
            return [indent(depth) + flat]
    if _sole_collection(expr):
        # black's form for a call whose one argument is a collection: the
        # collection on lines of its own, no comma after it.
        assert isinstance(expr, Call)
        inner = lay_out(expr.args[0][1], depth + 1)
        return [
            f"{indent(depth)}{lead}{expr.callee}(",
            *inner,
            f"{indent(depth)}){tail}",
        ]
    opening, closing, elements = _elements(expr)
    lines = [f"{indent(depth)}{lead}{opening}"]
    for element_lead, element in elements:
        lines.extend(lay_out(element, depth + 1, element_lead, ","))
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
