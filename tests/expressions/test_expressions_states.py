"""``in_state`` decided by known active states (expressions/states.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gubernator_gen.expressions import BOOL, INT, reads_state
from gubernator_gen.expressions.nodes import (
    BoolOp,
    BoolOperator,
    Compare,
    CompareOp,
    Expr,
    FieldRead,
    InState,
    Literal,
    Not,
)
from gubernator_gen.expressions.states import decide_states

STATES = ("A", "B", "C")
_FLAG = FieldRead("flag", BOOL)
_POSITIVE = Compare(FieldRead("amount", INT), (CompareOp.GT,), (Literal(0, INT),), BOOL)


def _expressions() -> st.SearchStrategy[Expr]:
    leaves = st.one_of(
        st.sampled_from(STATES).map(InState), st.just(_FLAG), st.just(_POSITIVE)
    )

    def extend(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        ops = st.sampled_from(list(BoolOperator))
        parts = st.lists(inner, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            inner.map(Not), st.builds(lambda op, vs: BoolOp(op, vs, BOOL), ops, parts)
        )

    return st.recursive(leaves, extend, max_leaves=6)


def _value(expr: Expr, active: frozenset[str], ctx: dict[str, object]) -> object:
    """What the expression evaluates to (Python's ``and``/``or`` values)."""
    if isinstance(expr, InState):
        return expr.state in active
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, FieldRead):
        return ctx[expr.name]
    if isinstance(expr, Not):
        return not _value(expr.operand, active, ctx)
    if isinstance(expr, Compare):
        return _value(expr.left, active, ctx) > _value(expr.comparators[0], active, ctx)  # type: ignore[operator]
    assert isinstance(expr, BoolOp)
    result: object = None
    for part in expr.values:
        result = _value(part, active, ctx)
        if bool(result) is (expr.op is BoolOperator.OR):
            return result
    return result


@given(
    _expressions(),
    st.frozensets(st.sampled_from(STATES)),
    st.booleans(),
    st.integers(-1, 1),
    st.booleans(),
)
def test_deciding_the_states_keeps_the_value(
    expr: Expr, active: frozenset[str], flag: bool, amount: int, truth: bool
) -> None:
    decided = decide_states(expr, active, truth=truth)
    assert not reads_state(decided)
    ctx: dict[str, object] = {"flag": flag, "amount": amount}
    before, after = _value(expr, active, ctx), _value(decided, active, ctx)
    # Every operand here is a real bool: the value is kept, not only its truth.
    assert after == before


def test_a_decided_guard_is_a_literal_and_the_rest_is_kept() -> None:
    both = BoolOp(BoolOperator.AND, (InState("A"), _POSITIVE), BOOL)
    assert decide_states(both, {"A", "P"}, truth=True) == _POSITIVE
    assert decide_states(both, {"B"}, truth=True) == Literal(False, BOOL)
    either = BoolOp(BoolOperator.OR, (Not(InState("A")), _FLAG), BOOL)
    assert decide_states(either, {"B"}, truth=True) == Literal(True, BOOL)
    assert decide_states(either, {"A"}, truth=True) == _FLAG
    assert decide_states(_POSITIVE, {"A"}, truth=True) is _POSITIVE
