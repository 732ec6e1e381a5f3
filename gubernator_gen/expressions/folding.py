"""Literal folding: the value of an expression that literals alone decide.

Used by ``validate``'s constant-guard warning and by the emitter, which
writes a comparison of literals as its value. It reads the checked IR; it
never runs spec text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from gubernator_gen.expressions.nodes import (
    ArithOp,
    BinOp,
    BoolOp,
    BoolOperator,
    Builtin,
    Call,
    Compare,
    CompareOp,
    Expr,
    ListDisplay,
    Literal,
    Negate,
    Not,
    TupleDisplay,
)


class _Unknown:
    """The value of an expression that depends on the context."""


UNKNOWN = _Unknown()

# Any: each operator accepts what it accepts; failures are caught in _apply.
_COMPARE: dict[CompareOp, Callable[[Any, Any], object]] = {
    CompareOp.EQ: operator.eq,
    CompareOp.NE: operator.ne,
    CompareOp.LT: operator.lt,
    CompareOp.LE: operator.le,
    CompareOp.GT: operator.gt,
    CompareOp.GE: operator.ge,
    CompareOp.IN: lambda item, container: _member(item, container),
    CompareOp.NOT_IN: lambda item, container: not _member(item, container),
    CompareOp.IS: operator.is_,
    CompareOp.IS_NOT: operator.is_not,
}
_ARITH: dict[ArithOp, Callable[[object, object], object]] = {
    ArithOp.ADD: operator.add,
    ArithOp.SUB: operator.sub,
    ArithOp.MUL: operator.mul,
    ArithOp.DIV: operator.truediv,
    ArithOp.FLOORDIV: operator.floordiv,
    ArithOp.MOD: operator.mod,
}
_BUILTINS: dict[Builtin, Callable[..., object]] = {
    Builtin.LEN: len,
    Builtin.ABS: abs,
    Builtin.MIN: min,
    Builtin.MAX: max,
}


def fold(expr: Expr) -> object:
    """The value of ``expr`` if literals alone decide it, else :data:`UNKNOWN`.

    ``a and b`` is known false as soon as one operand is known false (its
    operands are conditions), and ``a or b`` known true as soon as one is
    known true, whatever the others are.
    """
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, (ListDisplay, TupleDisplay)):
        items = [fold(item) for item in expr.items]
        if any(item is UNKNOWN for item in items):
            return UNKNOWN
        return items if isinstance(expr, ListDisplay) else tuple(items)
    if isinstance(expr, BoolOp):
        return _fold_bool(expr)
    if isinstance(expr, Not):
        value = fold(expr.operand)
        return UNKNOWN if value is UNKNOWN else not value
    if isinstance(expr, Compare):
        return _fold_compare(expr)
    if isinstance(expr, BinOp):
        return _apply(_ARITH[expr.op], fold(expr.left), fold(expr.right))
    if isinstance(expr, Negate):
        return _apply(operator.neg, fold(expr.operand))
    if isinstance(expr, Call):
        return _apply(_BUILTINS[expr.function], *(fold(arg) for arg in expr.args))
    return UNKNOWN  # context fields, items of them, in_state


def _fold_bool(expr: BoolOp) -> object:
    values = [fold(value) for value in expr.values]
    deciding = expr.op is BoolOperator.OR  # the truth value that decides
    if any(value is not UNKNOWN and bool(value) is deciding for value in values):
        return deciding
    if any(value is UNKNOWN for value in values):
        return UNKNOWN
    return values[-1]


def _fold_compare(expr: Compare) -> object:
    """A chain is false as soon as one known link is false, like Python's."""
    operands = [fold(expr.left), *(fold(c) for c in expr.comparators)]
    outcomes = [
        _apply(_COMPARE[op], operands[index], operands[index + 1])
        for index, op in enumerate(expr.ops)
    ]
    if any(outcome is not UNKNOWN and not outcome for outcome in outcomes):
        return False
    return UNKNOWN if any(outcome is UNKNOWN for outcome in outcomes) else True


def _member(item: object, container: object) -> bool:
    if not isinstance(container, (list, tuple, str, dict)):
        raise TypeError("not a container")
    return item in container


def _apply(function: Callable[..., object], *args: object) -> object:
    if any(arg is UNKNOWN for arg in args):
        return UNKNOWN
    try:
        return function(*args)
    except (ArithmeticError, TypeError, ValueError):
        return UNKNOWN
