"""Facts for validate's warnings: constant guards and identical guard lists;
and the IR's own helpers."""

from __future__ import annotations

import pytest
from expressions_support import value

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.expressions import (
    BOOL,
    INT,
    UNKNOWN,
    ArithOp,
    BinOp,
    BoolOp,
    BoolOperator,
    Compare,
    CompareOp,
    DictType,
    EnumType,
    Expr,
    FieldRead,
    InState,
    ListType,
    Literal,
    OptionalType,
    RecordField,
    RecordType,
    TupleType,
    children,
    fields_read,
    fold,
    reads_state,
    walk,
)
from gubernator_gen.frontend.expressions.facts import (
    constant_truth,
    identical_guards,
    shadows,
)
from gubernator_gen.model import ExpressionGuard, GuardParam, NamedGuard


def expr(text: str) -> Expr:
    checked = value(text)
    assert checked.expr is not None, checked.diagnostics
    return checked.expr


@pytest.mark.parametrize(
    ("text", "truth"),
    [
        ("1 < 2", True),
        ("1 > 2", False),
        ("not True", False),
        ("len('abc') == 3", True),
        ("1 + 1 == 3", False),
        ("'a' in ('a', 'b')", True),
        ("min(1, 2) > 0", True),
        ("True", True),
        ("1 / 0 > 1", None),  # would fail: not a constant
        ("ratio == ratio + 0", None),
        ("count > 1", None),
        ("limit is None", None),
        ("in_state('A')", None),
    ],
)
def test_constant_guards(text: str, truth: bool | None) -> None:
    assert constant_truth(expr(text)) is truth


def test_self_comparison_is_not_a_constant() -> None:
    # The checker refuses `x == x`; the fact itself says it depends (NaN).
    ratio = FieldRead("ratio", INT)
    assert constant_truth(Compare(ratio, (CompareOp.EQ,), (ratio,), BOOL)) is None
    flag = FieldRead("flag", BOOL)
    always = BoolOp(BoolOperator.AND, (flag, Literal(False, BOOL)), BOOL)
    assert constant_truth(always) is False
    assert (
        fold(BinOp(Literal(1, INT), ArithOp.FLOORDIV, Literal(0, INT), INT)) is UNKNOWN
    )


def test_identical_and_shadowing_guard_lists() -> None:
    pos_a = SourcePos("spec.yaml", 3, 9)
    pos_b = SourcePos("spec.yaml", 30, 13)
    first = [
        NamedGuard("paid", pos=pos_a),
        ExpressionGuard(expr("count > 1 and flag"), "count > 1 and flag", pos_a),
    ]
    # Written differently, in another place: the same checked guards.
    second = [
        NamedGuard("paid", pos=pos_b),
        ExpressionGuard(expr("(count>1)  and (flag)"), "(count>1)  and (flag)", pos_b),
    ]
    assert identical_guards(first, second)
    assert not identical_guards(first, list(reversed(second)))
    assert not identical_guards(first, [*second, NamedGuard("more")])
    assert not identical_guards(
        [NamedGuard("paid")], [NamedGuard("paid", negated=True)]
    )
    with_param = [NamedGuard("within", params=(GuardParam("limit", 1),))]
    assert not identical_guards(
        with_param, [NamedGuard("within", params=(GuardParam("limit", 2),))]
    )
    assert identical_guards(
        with_param, [NamedGuard("within", params=(GuardParam("limit", 1, pos_b),))]
    )
    assert not identical_guards(
        [ExpressionGuard(expr("1 == count"))], [ExpressionGuard(expr("count == 1"))]
    )
    assert not identical_guards(
        [ExpressionGuard(expr("count == 1"))], [ExpressionGuard(expr("count == 1.0"))]
    )
    assert shadows(first[:1], second)
    assert shadows([], second)
    assert not shadows(second, first[:1])


def test_ir_helpers() -> None:
    tree = expr("limit is not None and (count + limit > 1 or in_state('A'))")
    kinds = [type(node).__name__ for node in walk(tree)]
    assert kinds[:3] == ["BoolOp", "Compare", "FieldRead"]
    assert fields_read(tree) == ("limit", "count")
    assert reads_state(tree)
    assert not reads_state(expr("count > 1"))
    assert children(Literal(1, INT)) == ()
    assert isinstance(tree, BoolOp) and children(tree) == tree.values
    assert isinstance(next(n for n in walk(tree) if isinstance(n, InState)), InState)
    assert str(OptionalType(ListType(INT))) == "list[int]?"
    assert str(DictType(TupleType(INT))) == "dict[str, tuple[int, ...]]"
    assert str(EnumType(("a", "b"))) == "enum['a', 'b']"
    record = RecordType(
        (RecordField("city", INT), RecordField("zip", INT, optional=True))
    )
    assert str(record) == "{city: int, zip: int?}"
    assert record.get("zip") == RecordField("zip", INT, optional=True)
    assert record.get("nope") is None
    # Positions never take part in equality (nor in hashing).
    here, there = SourcePos("a", 1, 1), SourcePos("b", 9, 9)
    assert Literal(1, INT, here) == Literal(1, INT, there)
    assert hash(Literal(1, INT, here)) == hash(Literal(1, INT, there))
    assert Literal(1, INT) != Literal(True, BOOL) != Literal(1.0, INT)
