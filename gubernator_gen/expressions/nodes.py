"""The checked expression nodes: frozen, typed, positions outside equality."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.expressions.types import BOOL, ExprType


class CompareOp(str, enum.Enum):
    """A comparison operator; the value is its Python spelling."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"
    IS = "is"
    IS_NOT = "is not"


class BoolOperator(str, enum.Enum):
    """``and`` or ``or``."""

    AND = "and"
    OR = "or"


class ArithOp(str, enum.Enum):
    """A binary arithmetic operator; the value is its Python spelling."""

    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    FLOORDIV = "//"
    MOD = "%"


class Builtin(str, enum.Enum):
    """The functions an expression may call besides ``in_state``."""

    LEN = "len"
    ABS = "abs"
    MIN = "min"
    MAX = "max"


# --------------------------------------------------------------------------
# Nodes

#: The value of a :class:`Literal`.
LiteralValue: TypeAlias = "bool | int | float | str | None"


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant: ``None``, a bool, an int, a float or a str.

    The type takes part in equality, so ``1``, ``1.0`` and ``True`` (equal
    in Python) are three different literals.
    """

    value: LiteralValue
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ListDisplay:
    """A list literal ``[a, b]``; items are literals."""

    items: tuple[Expr, ...]
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class TupleDisplay:
    """A tuple literal ``(a, b)``; items are literals."""

    items: tuple[Expr, ...]
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class FieldRead:
    """The value of context field ``name``.

    ``type`` is the field's type at this point of the expression (``int``
    for a field declared ``int?`` read after ``field is not None``);
    ``may_be_absent`` says the key may be missing, so it is read with
    ``ctx.get`` rather than ``ctx[...]``.
    """

    name: str
    type: ExprType
    may_be_absent: bool = False
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Item:
    """``base[key]`` with a literal key; ``base.get(key)`` when ``may_be_absent``."""

    base: Expr
    key: str | int
    type: ExprType
    may_be_absent: bool = False
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op1 c1 op2 c2 ...`` (a chained comparison, as in Python)."""

    left: Expr
    ops: tuple[CompareOp, ...]
    comparators: tuple[Expr, ...]
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class BoolOp:
    """``a and b and ...`` or ``a or b or ...`` (never nested with the same op)."""

    op: BoolOperator
    values: tuple[Expr, ...]
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    """``not operand``."""

    operand: Expr
    type: ExprType = BOOL
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class BinOp:
    """``left op right`` for the arithmetic operators."""

    left: Expr
    op: ArithOp
    right: Expr
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Negate:
    """``-operand`` (a negative number literal is a :class:`Literal`)."""

    operand: Expr
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """``len``, ``abs``, ``min`` or ``max`` applied to positional arguments."""

    function: Builtin
    args: tuple[Expr, ...]
    type: ExprType
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class InState:
    """``in_state("NAME")``: the machine is in state ``NAME`` (or inside it)."""

    state: str
    type: ExprType = BOOL
    pos: SourcePos | None = field(default=None, compare=False)


#: A checked expression.
Expr: TypeAlias = (
    "Literal | ListDisplay | TupleDisplay | FieldRead | Item | Compare | BoolOp"
    " | Not | BinOp | Negate | Call | InState"
)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``expr``, left to right."""
    if isinstance(expr, (ListDisplay, TupleDisplay)):
        return expr.items
    if isinstance(expr, Item):
        return (expr.base,)
    if isinstance(expr, Compare):
        return (expr.left, *expr.comparators)
    if isinstance(expr, BoolOp):
        return expr.values
    if isinstance(expr, (Not, Negate)):
        return (expr.operand,)
    if isinstance(expr, BinOp):
        return (expr.left, expr.right)
    if isinstance(expr, Call):
        return expr.args
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr`` in source order (pre-order), without recursion."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def fields_read(expr: Expr) -> tuple[str, ...]:
    """The context fields ``expr`` reads, in order of first use."""
    names = (node.name for node in walk(expr) if isinstance(node, FieldRead))
    return tuple(dict.fromkeys(names))


def reads_state(expr: Expr) -> bool:
    """True when ``expr`` uses ``in_state``."""
    return any(isinstance(node, InState) for node in walk(expr))
