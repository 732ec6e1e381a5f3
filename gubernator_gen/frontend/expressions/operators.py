"""The rest of the checker: ``and``/``or``/``not``, unary minus, arithmetic, and
what a condition proves about absent fields (narrowing)."""

from __future__ import annotations

import ast
from collections.abc import Callable

from gubernator_gen.expressions import (
    ANY,
    BOOL,
    ArithOp,
    BinOp,
    BoolOp,
    BoolOperator,
    Compare,
    CompareOp,
    Expr,
    FieldRead,
    Literal,
    Negate,
    Not,
    admits_none,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import rules
from gubernator_gen.frontend.expressions.checker import Narrowed, may_be_none
from gubernator_gen.frontend.expressions.comparisons import (
    ComparisonChecker,
    is_none,
    literal_truth,
)

_ARITH_OPS: dict[type[ast.operator], ArithOp] = {
    ast.Add: ArithOp.ADD,
    ast.Sub: ArithOp.SUB,
    ast.Mult: ArithOp.MUL,
    ast.Div: ArithOp.DIV,
    ast.FloorDiv: ArithOp.FLOORDIV,
    ast.Mod: ArithOp.MOD,
}
_REFUSED_OPERATORS: dict[type[ast.AST], str] = {
    ast.Pow: "the power operator **",
    ast.BitAnd: "the bitwise operator &",
    ast.BitOr: "the bitwise operator |",
    ast.BitXor: "the bitwise operator ^",
    ast.LShift: "the shift operator <<",
    ast.RShift: "the shift operator >>",
    ast.MatMult: "the operator @",
    ast.UAdd: "unary +",
    ast.Invert: "the bitwise operator ~",
}


class ExpressionChecker(ComparisonChecker):
    """The whole language: :class:`ComparisonChecker` with ``and``, ``or``,
    ``not``, unary minus and arithmetic.
    """

    def _handlers(self) -> dict[type[ast.AST], Callable[..., Expr | None]]:
        handlers = super()._handlers()
        handlers.update(
            {
                ast.BoolOp: ExpressionChecker.bool_op,
                ast.UnaryOp: ExpressionChecker.unary_op,
                ast.BinOp: ExpressionChecker.bin_op,
            }
        )
        return handlers

    # -- and / or / not ------------------------------------------------------------

    def bool_op(self, node: ast.BoolOp, narrowed: Narrowed) -> Expr | None:
        """``a and b ...`` / ``a or b ...``; nested ones of the same kind are merged."""
        op = BoolOperator.AND if isinstance(node.op, ast.And) else BoolOperator.OR
        values: list[Expr] = []
        failed = False
        current = narrowed
        for operand in _flatten(node):
            checked = self.condition(operand, current, op.value)
            if checked is None:
                failed = True
                continue
            when_true, when_false = facts(checked)
            current = current | (when_true if op is BoolOperator.AND else when_false)
            values.append(checked)
        if failed:
            return None
        for value, operand in zip(values, _flatten(node), strict=True):
            truth = literal_truth(value)
            if truth is not None:
                useless = truth is (op is BoolOperator.AND)
                effect = (
                    "it adds nothing: drop it"
                    if useless
                    else f"the whole condition is always {str(truth).lower()}"
                )
                return self.fail(
                    codes.DEGENERATE_EXPRESSION,
                    f"this part of '{op.value}' is always {str(truth).lower()}, so "
                    f"{effect}",
                    operand,
                )
            if isinstance(value, Not) and value.operand in values:
                always = "false" if op is BoolOperator.AND else "true"
                return self.fail(
                    codes.DEGENERATE_EXPRESSION,
                    f"a condition {op.value} its own negation is always {always}",
                    operand,
                )
        type_ = BOOL if all(v.type is BOOL for v in values) else ANY
        return BoolOp(op, tuple(values), type_, self.parsed.place(node))

    def condition(self, node: ast.AST, narrowed: Narrowed, where: str) -> Expr | None:
        """``node`` checked as a condition: ``bool`` (or ``any``)."""
        checked = self.check(node, narrowed)
        if checked is None:
            return None
        if rules.is_condition(checked.type):
            return checked
        if admits_none(checked.type):
            return self.fail(codes.MAY_BE_NONE, may_be_none(node), node)
        return self.fail(
            codes.EXPRESSION_TYPE,
            f"'{where}' needs a condition (true or false), not "
            f"{rules.a(checked.type)}; compare it with something",
            node,
        )

    def unary_op(self, node: ast.UnaryOp, narrowed: Narrowed) -> Expr | None:
        """``not x`` and ``-x`` (``-5`` is the literal -5)."""
        place = self.parsed.place(node)
        if isinstance(node.op, ast.Not):
            operand = self.condition(node.operand, narrowed, "not")
            return None if operand is None else Not(operand, BOOL, place)
        if not isinstance(node.op, ast.USub):
            return self.fail(
                codes.EXPRESSION_NOT_ALLOWED,
                f"{_REFUSED_OPERATORS[type(node.op)]} is not part of the expression "
                "language",
                node,
            )
        operand = self.check(node.operand, narrowed)
        if operand is None:
            return None
        if isinstance(operand, Literal) and type(operand.value) in (int, float):
            assert isinstance(operand.value, (int, float))
            return Literal(-operand.value, operand.type, place)  # -5 is a literal
        if isinstance(operand, Negate):
            return self.fail(
                codes.DEGENERATE_EXPRESSION,
                "a double minus (- -x) is x itself: write it without",
                node,
            )
        if admits_none(operand.type) and operand.type is not ANY:
            return self.fail(codes.MAY_BE_NONE, may_be_none(node.operand), node.operand)
        type_ = rules.negated(operand.type)
        if type_ is None:
            return self.fail(
                codes.EXPRESSION_TYPE,
                f"{rules.a(operand.type)} cannot be negated",
                node,
            )
        return Negate(operand, type_, place)

    # -- arithmetic --------------------------------------------------------------------

    def bin_op(self, node: ast.BinOp, narrowed: Narrowed) -> Expr | None:
        """``a + b``, ``-``, ``*``, ``/``, ``//`` and ``%``."""
        at_operator = self.after(node.left)
        op = _ARITH_OPS.get(type(node.op))
        if op is None:
            self.report(
                codes.EXPRESSION_NOT_ALLOWED,
                f"{_REFUSED_OPERATORS[type(node.op)]} is not part of the expression "
                "language",
                node,
                index=at_operator,
            )
            return None
        left = self.check(node.left, narrowed)
        right = self.check(node.right, narrowed)
        if left is None or right is None:
            return None
        for side, checked in ((node.left, left), (node.right, right)):
            if admits_none(checked.type) and checked.type is not ANY:
                return self.fail(codes.MAY_BE_NONE, may_be_none(side), side)
        type_ = rules.arithmetic(op, left.type, right.type)
        if type_ is None:
            self.report(
                codes.EXPRESSION_TYPE,
                f"'{op.value}' does not apply to {rules.a(left.type)} and "
                f"{rules.a(right.type)}",
                node,
                index=at_operator,
            )
            return None
        return BinOp(left, op, right, type_, self.parsed.place(node))


def _flatten(node: ast.BoolOp) -> list[ast.expr]:
    """The operands of ``node`` with same-operator ``BoolOp`` operands spliced in."""
    operands: list[ast.expr] = []
    pending: list[ast.expr] = list(reversed(node.values))
    while pending:
        operand = pending.pop()
        if isinstance(operand, ast.BoolOp) and type(operand.op) is type(node.op):
            pending.extend(reversed(operand.values))
        else:
            operands.append(operand)
    return operands


def facts(expr: Expr) -> tuple[frozenset[str], frozenset[str]]:
    """Fields proved not ``None`` when ``expr`` is true, and when it is false.

    Only fields that may be absent count: the emitted code reads them into
    a local variable, which mypy narrows the same way.
    """
    if isinstance(expr, Compare) and len(expr.ops) == 1:
        target = expr.left
        if (
            isinstance(target, FieldRead)
            and target.may_be_absent
            and is_none(expr.comparators[0])
        ):
            proved = frozenset({target.name})
            if expr.ops[0] is CompareOp.IS_NOT:
                return proved, frozenset()
            if expr.ops[0] is CompareOp.IS:
                return frozenset(), proved
    if isinstance(expr, Not):
        when_true, when_false = facts(expr.operand)
        return when_false, when_true
    if isinstance(expr, BoolOp):
        parts = [facts(value) for value in expr.values]
        trues = [part[0] for part in parts]
        falses = [part[1] for part in parts]
        if expr.op is BoolOperator.AND:
            return frozenset().union(*trues), frozenset.intersection(*falses)
        return frozenset.intersection(*trues), frozenset().union(*falses)
    return frozenset(), frozenset()
