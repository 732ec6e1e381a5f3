"""Comparisons: ``== != < <= > >= in not in is None is not None``, chained."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

from gubernator_gen.expressions import (
    ANY,
    BOOL,
    UNKNOWN,
    Compare,
    CompareOp,
    EnumType,
    Expr,
    FieldRead,
    InState,
    ListDisplay,
    Literal,
    TupleDisplay,
    admits_none,
    fold,
    optional,
    walk,
    without_none,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import rules
from gubernator_gen.frontend.expressions.calls import CallChecker
from gubernator_gen.frontend.expressions.checker import Narrowed, may_be_none
from gubernator_gen.frontend.suggest import did_you_mean

_COMPARE_OPS: dict[type[ast.cmpop], CompareOp] = {
    ast.Eq: CompareOp.EQ,
    ast.NotEq: CompareOp.NE,
    ast.Lt: CompareOp.LT,
    ast.LtE: CompareOp.LE,
    ast.Gt: CompareOp.GT,
    ast.GtE: CompareOp.GE,
    ast.In: CompareOp.IN,
    ast.NotIn: CompareOp.NOT_IN,
    ast.Is: CompareOp.IS,
    ast.IsNot: CompareOp.IS_NOT,
}
_ORDERING = (CompareOp.LT, CompareOp.LE, CompareOp.GT, CompareOp.GE)


class ComparisonChecker(CallChecker):
    """:class:`CallChecker` with comparisons."""

    def _handlers(self) -> dict[type[ast.AST], Callable[..., Expr | None]]:
        handlers = super()._handlers()
        handlers[ast.Compare] = ComparisonChecker.compare
        return handlers

    def compare(self, node: ast.Compare, narrowed: Narrowed) -> Expr | None:
        """A comparison or a chain of them (``0 < x <= 10``)."""
        ops = [_COMPARE_OPS[type(op)] for op in node.ops]
        operands = [node.left, *node.comparators]
        checked: list[Expr] = []
        for operand in operands:
            result = self.check(operand, narrowed)
            if result is None:
                return None
            checked.append(result)
        chained = len(ops) > 1 and any(
            literal_truth(part) is None and _reads(part) for part in checked
        )
        for index, op in enumerate(ops):
            pair = Compare(checked[index], (op,), (checked[index + 1],), BOOL)
            truth = literal_truth(pair)
            if chained and truth is not None:
                return self.fail(
                    codes.DEGENERATE_EXPRESSION,
                    f"this link of the comparison compares two constants and is "
                    f"always {str(truth).lower()}",
                    operands[index + 1],
                )
            if checked[index] == checked[index + 1] and any(
                isinstance(part, (FieldRead, InState)) for part in walk(checked[index])
            ):
                return self.fail(
                    codes.DEGENERATE_EXPRESSION,
                    f"this compares a value with itself ('{op.value}'): the result "
                    "does not depend on the context",
                    operands[index + 1],
                )
            fits = self._pair(
                op,
                operands[index],
                checked[index],
                operands[index + 1],
                checked[index + 1],
                single=len(ops) == 1,
            )
            if not fits:
                return None
        any_operand = any(without_none(c.type) is ANY for c in checked)
        identity = ops[0] in (CompareOp.IS, CompareOp.IS_NOT)
        type_ = ANY if any_operand and not identity else BOOL
        return Compare(
            checked[0], tuple(ops), tuple(checked[1:]), type_, self.parsed.place(node)
        )

    def _pair(
        self,
        op: CompareOp,
        left_node: ast.expr,
        left: Expr,
        right_node: ast.expr,
        right: Expr,
        *,
        single: bool,
    ) -> bool:
        """Check ``left op right``; report and return False when it does not fit."""
        if op in (CompareOp.IS, CompareOp.IS_NOT):
            return self._identity(op, left_node, left, right_node, right, single=single)
        if is_none(left) or is_none(right):
            self.fail(
                codes.EXPRESSION_NOT_ALLOWED,
                "compare with None using 'is None' or 'is not None'",
                right_node if is_none(right) else left_node,
            )
            return False
        if op in (CompareOp.EQ, CompareOp.NE):
            return self._equality(left_node, left, right_node, right)
        if op in _ORDERING:
            for side, checked in ((left_node, left), (right_node, right)):
                if admits_none(checked.type) and checked.type is not ANY:
                    self.fail(codes.MAY_BE_NONE, may_be_none(side), side)
                    return False
            if not rules.can_be_ordered(left.type, right.type):
                self.fail(
                    codes.EXPRESSION_TYPE,
                    f"{rules.a(left.type)} and {rules.a(right.type)} cannot be "
                    f"compared with '{op.value}'",
                    right_node,
                )
                return False
            return True
        return self._membership(left_node, left, right_node, right)

    def _identity(
        self,
        op: CompareOp,
        left_node: ast.expr,
        left: Expr,
        right_node: ast.expr,
        right: Expr,
        *,
        single: bool,
    ) -> bool:
        if not is_none(right) or not single:
            self.fail(
                codes.EXPRESSION_NOT_ALLOWED,
                f"'{op.value}' only tests for None: write 'x {op.value} None'",
                right_node,
            )
            return False
        declared = left.type
        if isinstance(left, FieldRead) and left.may_be_absent:
            declared = optional(left.type)
        if not admits_none(declared):
            self.fail(
                codes.EXPRESSION_TYPE,
                f"this {left.type} is never None, so '{op.value} None' is always "
                f"{'false' if op is CompareOp.IS else 'true'} (declare the field "
                f"as '{left.type}?' if it may be absent)",
                left_node,
            )
            return False
        return True

    def _equality(
        self, left_node: ast.expr, left: Expr, right_node: ast.expr, right: Expr
    ) -> bool:
        for side, checked in ((left_node, left), (right_node, right)):
            if isinstance(checked, Literal) and isinstance(checked.value, bool):
                self.fail(
                    codes.EXPRESSION_NOT_ALLOWED,
                    "do not compare with True or False: write the condition itself, "
                    "or 'not' it",
                    side,
                )
                return False
        if not self._enum_values(left, (right_node,), (right,)) or not (
            self._enum_values(right, (left_node,), (left,))
        ):
            return False
        if not rules.can_be_equal(left.type, right.type):
            self.fail(
                codes.EXPRESSION_TYPE,
                f"{rules.a(left.type)} is never equal to {rules.a(right.type)}",
                right_node,
            )
            return False
        return True

    def _membership(
        self, left_node: ast.expr, left: Expr, right_node: ast.expr, right: Expr
    ) -> bool:
        if admits_none(right.type) and right.type is not ANY:
            self.fail(codes.MAY_BE_NONE, may_be_none(right_node), right_node)
            return False
        member = rules.member_type(right.type)
        if member is None:
            self.fail(
                codes.EXPRESSION_TYPE,
                f"'in' needs a list, tuple, dict or string on its right, not a "
                f"{right.type}",
                right_node,
            )
            return False
        text_search = rules.is_text(right.type)
        if text_search and admits_none(left.type) and left.type is not ANY:
            self.fail(codes.MAY_BE_NONE, may_be_none(left_node), left_node)
            return False
        if (
            isinstance(right, (ListDisplay, TupleDisplay))
            and isinstance(right_node, (ast.List, ast.Tuple))
            and not self._enum_values(left, right_node.elts, right.items)
        ):
            return False
        if not rules.can_be_equal(left.type, member):
            what = "a substring of" if text_search else "in"
            self.fail(
                codes.EXPRESSION_TYPE,
                f"{rules.a(left.type)} is never {what} {rules.a(right.type)}",
                left_node,
            )
            return False
        return True

    def _enum_values(
        self, enum_side: Expr, nodes: Sequence[ast.AST], values: Sequence[Expr]
    ) -> bool:
        """String literals compared with an enum must be among its values."""
        enum = without_none(enum_side.type)
        if not isinstance(enum, EnumType):
            return True
        for node, value in zip(nodes, values, strict=False):
            text = value.value if isinstance(value, Literal) else None
            if isinstance(text, str) and text not in enum.values:
                hint = did_you_mean(text, enum.values)
                self.fail(
                    codes.UNKNOWN_ITEM,
                    f"{text!r} is not one of the values "
                    f"{', '.join(map(repr, enum.values))}{hint}",
                    node,
                )
                return False
        return True


def _reads(expr: Expr) -> bool:
    """True when ``expr`` reads the context or the state."""
    return any(isinstance(node, (FieldRead, InState)) for node in walk(expr))


def literal_truth(expr: Expr) -> bool | None:
    """The truth of ``expr`` when it reads nothing and folds, else ``None``."""
    if _reads(expr):
        return None
    value = fold(expr)
    return None if value is UNKNOWN else bool(value)


def is_none(expr: Expr) -> bool:
    return isinstance(expr, Literal) and expr.value is None
