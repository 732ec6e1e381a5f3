"""``in_state`` decided: an expression as seen from a known set of active states.

A statechart's module keys every decision by an atomic state or by a whole
configuration, so which states are active is known when the cell is built
(docs/language.md#guard-expressions). :func:`decide_states` replaces every
``in_state("X")`` of an expression with its value there and simplifies what
that decides, so the function the module compiles never asks for the state.

Simplifying keeps the meaning the expression had: ``and`` and ``or`` drop a
decided operand only where their value cannot change by it (in a guard, only
the truth counts; elsewhere, only when every operand is a real ``bool``), and
a comparison or operator whose operands are all decided becomes its value
(:func:`~gubernator_gen.expressions.folding.fold`). Anything else keeps its
shape, with ``True`` or ``False`` in place of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from gubernator_gen.expressions.folding import fold
from gubernator_gen.expressions.nodes import (
    BinOp,
    BoolOp,
    BoolOperator,
    Call,
    Compare,
    Expr,
    InState,
    Item,
    ListDisplay,
    Literal,
    Negate,
    Not,
    TupleDisplay,
    reads_state,
)
from gubernator_gen.expressions.types import BOOL


def decide_states(expr: Expr, active: Collection[str], *, truth: bool) -> Expr:
    """``expr`` with each ``in_state`` decided by ``active`` (every active
    state, compound and parallel ones included), simplified.

    ``truth`` says only the expression's truth matters (a guard); an
    ``assign`` value keeps its exact value. The result reads no state; a
    :class:`Literal` when the states alone decide it.
    """
    if not reads_state(expr):
        return expr
    return _decide(expr, active, truth)


def _literal(value: bool) -> Literal:
    return Literal(value, BOOL)


def _known(expr: Expr) -> bool | None:
    """The truth of a decided ``bool`` literal, else ``None``."""
    if isinstance(expr, Literal) and isinstance(expr.value, bool):
        return expr.value
    return None


def _decide(expr: Expr, active: Collection[str], truth: bool) -> Expr:
    if not reads_state(expr):
        return expr
    if isinstance(expr, InState):
        return _literal(expr.state in active)
    if isinstance(expr, BoolOp):
        return _bool_op(expr, active, truth)
    if isinstance(expr, Not):
        operand = _decide(expr.operand, active, truth=True)
        known = _known(operand)
        return _literal(not known) if known is not None else Not(operand, pos=expr.pos)
    rebuilt = _rebuild(expr, lambda part: _decide(part, active, truth=False))
    value = fold(rebuilt)
    if isinstance(value, bool):
        return _literal(value)
    return rebuilt


def _bool_op(expr: BoolOp, active: Collection[str], truth: bool) -> Expr:
    """``a and b``: a false operand decides it, a true one drops out (``or``
    the other way round), where that keeps the value the caller needs."""
    values = [_decide(value, active, truth) for value in expr.values]
    exact = truth or all(value.type == BOOL for value in values)
    if not exact:
        return BoolOp(expr.op, tuple(values), expr.type, expr.pos)
    deciding = expr.op is BoolOperator.OR
    if any(_known(value) is deciding for value in values):
        return _literal(deciding)
    rest = [value for value in values if _known(value) is None]
    if not rest:
        return _literal(not deciding)
    if len(rest) == 1:
        return rest[0]
    return BoolOp(expr.op, tuple(rest), expr.type, expr.pos)


def _rebuild(expr: Expr, part: Callable[[Expr], Expr]) -> Expr:
    """``expr`` with ``part`` applied to each direct sub-expression."""
    if isinstance(expr, Compare):
        return Compare(
            part(expr.left),
            expr.ops,
            tuple(part(c) for c in expr.comparators),
            expr.type,
            expr.pos,
        )
    if isinstance(expr, BinOp):
        return BinOp(part(expr.left), expr.op, part(expr.right), expr.type, expr.pos)
    if isinstance(expr, Negate):
        return Negate(part(expr.operand), expr.type, expr.pos)
    if isinstance(expr, Call):
        return Call(
            expr.function, tuple(part(a) for a in expr.args), expr.type, expr.pos
        )
    if isinstance(expr, Item):
        return Item(part(expr.base), expr.key, expr.type, expr.may_be_absent, expr.pos)
    if isinstance(expr, ListDisplay):
        return ListDisplay(tuple(part(i) for i in expr.items), expr.type, expr.pos)
    if isinstance(expr, TupleDisplay):
        return TupleDisplay(tuple(part(i) for i in expr.items), expr.type, expr.pos)
    return expr
