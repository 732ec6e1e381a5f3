"""Checking one guard expression or one ``assign`` entry: the checker's entry points."""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.expressions import (
    ANY,
    EnumType,
    Expr,
    ExprType,
    ListDisplay,
    Literal,
    TupleDisplay,
    admits_none,
    without_none,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import rules
from gubernator_gen.frontend.expressions.operators import ExpressionChecker
from gubernator_gen.frontend.expressions.scope import Scope
from gubernator_gen.frontend.expressions.source import ExpressionText, parse
from gubernator_gen.frontend.suggest import did_you_mean


@dataclass(frozen=True, slots=True)
class Checked:
    """What checking produced: the expression, or ``None`` and why not."""

    expr: Expr | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """True when the expression was accepted."""
        return self.expr is not None


def check_expression(source: ExpressionText, scope: Scope) -> Checked:
    """Check ``source`` as an expression of any type."""
    parsed = parse(source)
    if isinstance(parsed, Diagnostic):
        return Checked(None, (parsed,))
    checker = ExpressionChecker(parsed, scope)
    expr = checker.check(parsed.tree, frozenset())
    diagnostics = tuple(checker.diagnostics)
    if diagnostics:
        # A child refused with no report of its own would be a checker bug;
        # the diagnostics, not the result, decide.
        return Checked(None, diagnostics)
    if expr is None:
        raise AssertionError("an expression was refused without a diagnostic")
    return Checked(expr, ())


def check_guard(source: ExpressionText, scope: Scope) -> Checked:
    """Check ``source`` as an ``expr:`` guard: it must be true or false."""
    checked = check_expression(source, scope)
    if checked.expr is None or rules.is_condition(checked.expr.type):
        return checked
    return Checked(
        None,
        (
            error(
                codes.EXPRESSION_TYPE,
                f"a guard must be a condition (true or false), but this expression "
                f"is {rules.a(checked.expr.type)}; compare it with something",
                _start(source),
            ),
        ),
    )


def check_assignment(
    target: str, target_pos: SourcePos, source: ExpressionText, scope: Scope
) -> Checked:
    """Check one ``assign: {target: expression}`` entry.

    ``target`` must be a context field and the expression's type must fit
    it; the errors point at the target key and at the expression.
    """
    field_name = scope.fields.get(target)
    if field_name is None:
        hint = did_you_mean(target, scope.fields)
        if not scope.fields:
            hint = "; this machine declares no context: fields to update"
        return Checked(
            None,
            (
                error(
                    codes.UNKNOWN_ASSIGN_FIELD,
                    f"assign: {target!r} is not a context field{hint}",
                    target_pos,
                ),
            ),
        )
    checked = check_expression(source, scope)
    expr = checked.expr
    if expr is None:
        return checked
    problem = _assignment_problem(target, field_name, expr)
    if problem is None:
        return checked
    return Checked(None, (error(codes.ASSIGN_TYPE, problem, _start(source)),))


def _assignment_problem(target: str, field: ExprType, expr: Expr) -> str | None:
    enum = without_none(field)
    literal = expr.value if isinstance(expr, Literal) else None
    if isinstance(enum, EnumType) and isinstance(literal, str):
        if literal in enum.values:
            return None
        hint = did_you_mean(literal, enum.values)
        values = ", ".join(map(repr, enum.values))
        return (
            f"assign: {literal!r} is not one of the values {values} of "
            f"{target!r}{hint}"
        )
    display = isinstance(expr, (ListDisplay, TupleDisplay))
    if rules.assignable(field, expr.type, display=display):
        return None
    if admits_none(expr.type) and expr.type is not ANY:
        return (
            f"assign: {target!r} cannot be set to a value that may be None "
            f"({rules.a(expr.type)})"
        )
    return (
        f"assign: {target!r} is {rules.a(field)}, but this expression is "
        f"{rules.a(expr.type)}"
    )


def _start(source: ExpressionText) -> SourcePos:
    text = source.text
    return source.locate(len(text) - len(text.lstrip()))
