"""One checked expression → Python source text, with the fewest parentheses.

The IR of :mod:`gubernator_gen.expressions` is written out node by node;
names of context fields and string values reach the text only through
:mod:`gubernator_gen.backend.literals`. A few shapes are written in an exact
equivalent that linters prefer (``not a == b`` as ``a != b``, a condition of
literals as its value, ``a < b and b < c`` as ``a < b < c`` when ``b`` is a
field read); everything else is written as it was checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gubernator_gen.backend.literals import (
    float_literal,
    int_literal,
    string_literal,
    tuple_literal,
)
from gubernator_gen.expressions import (
    BOOL,
    BinOp,
    BoolOp,
    BoolOperator,
    Call,
    Compare,
    CompareOp,
    Expr,
    FieldRead,
    InState,
    Item,
    ListDisplay,
    Literal,
    Negate,
    Not,
    TupleDisplay,
    fold,
    walk,
)

#: Python's operator precedence, loosest first (``lambda`` and ``if`` unused).
OR, AND, NOT, COMPARE, ADD, MUL, UNARY, ATOM = 1, 2, 3, 4, 9, 10, 11, 13

_BOOL_PRECEDENCE = {BoolOperator.OR: OR, BoolOperator.AND: AND}
_ARITH_PRECEDENCE = {"+": ADD, "-": ADD, "*": MUL, "/": MUL, "//": MUL, "%": MUL}
# `not (a in b)` is `a not in b`, and so on; linters (ruff's E713, E714,
# SIM201, SIM202) ask for the second form.
_NEGATED = {
    CompareOp.EQ: CompareOp.NE,
    CompareOp.NE: CompareOp.EQ,
    CompareOp.IN: CompareOp.NOT_IN,
    CompareOp.NOT_IN: CompareOp.IN,
    CompareOp.IS: CompareOp.IS_NOT,
    CompareOp.IS_NOT: CompareOp.IS,
}


@dataclass(frozen=True, slots=True)
class InStateForm:
    """How ``in_state("X")`` is written: a test of the state parameter.

    ``members`` maps each state name to the atomic states inside it (itself
    for an atomic state); the test is ``state == "X"`` or
    ``state in ("A", "B")``, with the names as string literals (the ``State``
    enum is ``str``-valued, so members compare equal to them).
    """

    members: Mapping[str, tuple[str, ...]]
    parameter: str = "state"
    annotation: str = "State"


@dataclass(frozen=True, slots=True)
class Reads:
    """How an expression reads its inputs.

    ``ctx`` is the context variable; ``locals`` maps each field that may be
    absent to the local variable holding ``ctx.get(field)``; ``assigned``
    each field an earlier ``assign`` of the same function has set to the
    local holding its new value (read instead of the context).
    """

    ctx: str = "ctx"
    locals: Mapping[str, str] = field(default_factory=dict)
    in_state: InStateForm | None = None
    assigned: Mapping[str, str] = field(default_factory=dict)


def render(expr: Expr, reads: Reads) -> str:
    """``expr`` as Python source, with minimal parentheses."""
    return _render(expr, reads)[0]


def _render(expr: Expr, reads: Reads) -> tuple[str, int]:
    """The source of ``expr`` and the precedence of its outermost operator."""
    if isinstance(expr, Literal):
        return _literal(expr)
    if isinstance(expr, ListDisplay):
        return "[" + ", ".join(render(item, reads) for item in expr.items) + "]", ATOM
    if isinstance(expr, TupleDisplay):
        return tuple_literal([render(item, reads) for item in expr.items]), ATOM
    if isinstance(expr, FieldRead):
        if expr.name in reads.assigned:
            return reads.assigned[expr.name], ATOM
        if expr.may_be_absent:
            return reads.locals[expr.name], ATOM
        return f"{reads.ctx}[{string_literal(expr.name)}]", ATOM
    if isinstance(expr, Item):
        base = _operand(expr.base, reads, ATOM)
        key = (
            string_literal(expr.key)
            if isinstance(expr.key, str)
            else int_literal(expr.key)
        )
        return (f"{base}.get({key})" if expr.may_be_absent else f"{base}[{key}]"), ATOM
    if isinstance(expr, Compare):
        if _constant(expr):
            # Literals alone decide it (`1 < 2`): write the value, which is
            # what Python computes and what linters want instead.
            return repr(fold(expr)), ATOM
        parts = [_operand(expr.left, reads, COMPARE + 1)]
        for op, comparator in zip(expr.ops, expr.comparators, strict=True):
            parts.append(f"{op.value} {_operand(comparator, reads, COMPARE + 1)}")
        return " ".join(parts), COMPARE
    if isinstance(expr, BoolOp):
        precedence = _BOOL_PRECEDENCE[expr.op]
        if _constant(expr):
            return repr(fold(expr)), ATOM
        values = _chained(expr.values) if expr.op is BoolOperator.AND else expr.values
        operands = (_operand(value, reads, precedence + 1) for value in values)
        return f" {expr.op.value} ".join(operands), precedence
    if isinstance(expr, Not):
        return _not(expr, reads)
    if isinstance(expr, BinOp):
        precedence = _ARITH_PRECEDENCE[expr.op.value]
        left = _operand(expr.left, reads, precedence)
        right = _operand(expr.right, reads, precedence + 1)
        return f"{left} {expr.op.value} {right}", precedence
    if isinstance(expr, Negate):
        return "-" + _operand(expr.operand, reads, UNARY), UNARY
    if isinstance(expr, Call):
        args = ", ".join(render(arg, reads) for arg in expr.args)
        return f"{expr.function.value}({args})", ATOM
    if isinstance(expr, InState):
        return _in_state(expr, reads)
    raise TypeError(f"not an expression node: {type(expr).__name__}")


def _operand(expr: Expr, reads: Reads, needed: int) -> str:
    """``expr`` in a place that binds at least as tightly as ``needed``."""
    text, precedence = _render(expr, reads)
    return text if precedence >= needed else f"({text})"


def _literal(expr: Literal) -> tuple[str, int]:
    value = expr.value
    if value is None or isinstance(value, bool):
        return repr(value), ATOM
    if isinstance(value, int):
        text = int_literal(value)
    elif isinstance(value, float):
        text = float_literal(value)
    else:
        return string_literal(value), ATOM
    return text, UNARY if text.startswith("-") else ATOM


def _not(expr: Not, reads: Reads) -> tuple[str, int]:
    """``not x``, written the way linters want when an exact equivalent exists.

    ``not a == b`` is ``a != b`` (and the other pairs of :data:`_NEGATED`)
    for every type the language has; ``not not x`` is ``x`` for a ``bool``
    and ``bool(x)`` otherwise.
    """
    operand = expr.operand
    if _constant(expr):
        return repr(fold(expr)), ATOM
    if isinstance(operand, Compare) and len(operand.ops) == 1:
        flipped_op = _NEGATED.get(operand.ops[0])
        if flipped_op is not None:
            flipped = Compare(
                operand.left, (flipped_op,), operand.comparators, operand.type
            )
            if operand.type is BOOL:
                return _render(flipped, reads)
            # `not` gives a bool where the comparison may not (an `any` side).
            return f"bool({render(flipped, reads)})", ATOM
    if isinstance(operand, InState):
        return _in_state(operand, reads, negated=True)
    if isinstance(operand, Not):
        inner = operand.operand
        if inner.type is BOOL:
            return _render(inner, reads)
        return f"bool({render(inner, reads)})", ATOM
    return "not " + _operand(operand, reads, NOT), NOT


def _constant(expr: Expr) -> bool:
    """True for a condition of literals only (``1 < 2``), which folds to a bool."""
    if any(isinstance(node, (FieldRead, InState)) for node in walk(expr)):
        return False
    return isinstance(fold(expr), bool)


def _chained(values: tuple[Expr, ...]) -> tuple[Expr, ...]:
    """``a < b and b < c`` as ``a < b < c`` when ``b`` is a field read.

    The same comparisons in the same order, ``b`` read once instead of twice
    (reads have no effects), as linters ask (ruff's PLR1716).
    """
    merged: list[Expr] = []
    for value in values:
        previous = merged[-1] if merged else None
        if (
            isinstance(previous, Compare)
            and isinstance(value, Compare)
            and isinstance(value.left, FieldRead)
            and previous.comparators[-1] == value.left
            and _one_direction(previous.ops + value.ops)
        ):
            type_ = BOOL if previous.type is BOOL and value.type is BOOL else value.type
            merged[-1] = Compare(
                previous.left,
                previous.ops + value.ops,
                previous.comparators + value.comparators,
                type_,
            )
            continue
        merged.append(value)
    return tuple(merged)


def _one_direction(ops: tuple[CompareOp, ...]) -> bool:
    return set(ops) <= {CompareOp.LT, CompareOp.LE} or set(ops) <= {
        CompareOp.GT,
        CompareOp.GE,
    }


def _in_state(expr: InState, reads: Reads, *, negated: bool = False) -> tuple[str, int]:
    form = reads.in_state
    if form is None:
        raise ValueError("in_state needs an InStateForm to be written")
    members = form.members[expr.state]
    if len(members) == 1:
        op = "!=" if negated else "=="
        return f"{form.parameter} {op} {string_literal(members[0])}", COMPARE
    literal = tuple_literal([string_literal(member) for member in members])
    op = "not in" if negated else "in"
    return f"{form.parameter} {op} {literal}", COMPARE
