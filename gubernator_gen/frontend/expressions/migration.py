"""pystator's ``check: {field, op, value}`` guards as expressions (a migration aid).

pystator evaluates such a check at run time against ``ctx.get(field)``;
here each becomes the expression that means the same and goes through the
same checker, so it is typed against the field like any ``expr:``:

=================  ===========================================
``eq`` / ``neq``   ``field == value`` / ``field != value``
                   (``is None`` / ``is not None`` for ``null``)
``gt`` ... ``lte``  ``field > value`` ...; for a field that may be
                   absent ``field is not None and field > value``
                   (pystator's ordering is false for a missing value)
``in``/``not_in``  ``field in (v1, v2)`` from ``values`` (or a
                   list given as ``value``)
``is_null``        ``field is None``
``is_set``         ``field is not None``
``contains``       ``value in field``
=================  ===========================================

``ne`` and ``is_not_null`` are accepted as spellings of ``neq`` and
``is_set``. ``starts_with``, ``ends_with`` and ``matches`` call string
methods or regular expressions, which the expression language does not
have: they are reported, to be written as named guards.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.expressions import Expr, OptionalType
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions.operators import ExpressionChecker
from gubernator_gen.frontend.expressions.scope import Scope
from gubernator_gen.frontend.expressions.source import Parsed
from gubernator_gen.frontend.suggest import did_you_mean
from gubernator_gen.model import PlainData

_FIELD, _OP, _VALUE = 0, 1, 2
_COMPARISONS: dict[str, type[ast.cmpop]] = {
    "eq": ast.Eq,
    "neq": ast.NotEq,
    "ne": ast.NotEq,
    "gt": ast.Gt,
    "gte": ast.GtE,
    "lt": ast.Lt,
    "lte": ast.LtE,
}
_ORDERING = frozenset({"gt", "gte", "lt", "lte"})
_MEMBERSHIP: dict[str, type[ast.cmpop]] = {"in": ast.In, "not_in": ast.NotIn}
_PRESENCE: dict[str, type[ast.cmpop]] = {
    "is_null": ast.Is,
    "is_set": ast.IsNot,
    "is_not_null": ast.IsNot,
}
_NO_FORM = frozenset({"starts_with", "ends_with", "matches"})
#: Every operator name a check may use.
OPERATORS = (*_COMPARISONS, *_MEMBERSHIP, *_PRESENCE, "contains", *sorted(_NO_FORM))


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """One ``check:`` guard: ``field``, ``op`` and ``value`` (or ``values``).

    ``pos`` is the field's position; ``op_pos`` and ``value_pos`` those of
    the operator and the value, where problems with them are reported.
    """

    field: str
    op: str
    pos: SourcePos
    value: PlainData = None
    values: tuple[PlainData, ...] | None = None
    op_pos: SourcePos | None = None
    value_pos: SourcePos | None = None


@dataclass(frozen=True, slots=True)
class Migrated:
    """A check as an expression: the checked IR (or why not) and its text."""

    expr: Expr | None
    text: str
    diagnostics: tuple[Diagnostic, ...]


def migrate_check(check: FieldCheck, scope: Scope) -> Migrated:
    """The expression that ``check`` means, checked against ``scope``."""
    places = (check.pos, check.op_pos or check.pos, check.value_pos or check.pos)
    built = _build(check, scope)
    if isinstance(built, str):
        return Migrated(None, "", (error(codes.BAD_CHECK, built, places[_OP]),))
    if isinstance(built, Diagnostic):
        return Migrated(None, "", (built,))
    text = ast.unparse(built)
    checker = ExpressionChecker(Parsed.synthetic(built, places), scope)
    expr = checker.check(built, frozenset())
    diagnostics = tuple(checker.diagnostics)
    return Migrated(None if diagnostics else expr, text, diagnostics)


def _build(check: FieldCheck, scope: Scope) -> ast.expr | str | Diagnostic:
    """The expression's tree, or the message (at the operator) why there is none."""
    op = check.op
    name = _at(ast.Name(id=check.field, ctx=ast.Load()), _FIELD)
    if op in _PRESENCE or (op in ("eq", "neq", "ne") and check.value is None):
        is_op = _PRESENCE.get(op) or (ast.Is if op == "eq" else ast.IsNot)
        return _compare(name, is_op(), _at(ast.Constant(None), _OP))
    if op in _COMPARISONS:
        value = _literal(check.value, check)
        if isinstance(value, Diagnostic):
            return value
        comparison = _compare(name, _COMPARISONS[op](), value)
        return _present(comparison, check, scope) if op in _ORDERING else comparison
    if op in _MEMBERSHIP:
        values = check.values if check.values is not None else check.value
        if not isinstance(values, tuple):
            return f"check: '{op}' needs a list of values (values: [...])"
        container = _literal(values, check)
        if isinstance(container, Diagnostic):
            return container
        return _compare(name, _MEMBERSHIP[op](), container)
    if op == "contains":
        value = _literal(check.value, check)
        if isinstance(value, Diagnostic):
            return value
        return _present(_compare(value, ast.In(), name), check, scope)
    if op in _NO_FORM:
        return (
            f"check: '{op}' has no expression form (the expression language has no "
            "string methods or regular expressions); write it as a named guard"
        )
    hint = did_you_mean(op, OPERATORS)
    return f"check: unknown operator {op!r}{hint}; the operators are " + ", ".join(
        OPERATORS
    )


def _present(test: ast.expr, check: FieldCheck, scope: Scope) -> ast.expr:
    """``test``, after ``field is not None`` when the field may be absent."""
    resolved = scope.resolve(check.field)
    if resolved is None or not isinstance(scope.fields[resolved], OptionalType):
        return test
    name = _at(ast.Name(id=check.field, ctx=ast.Load()), _FIELD)
    present = _compare(name, ast.IsNot(), _at(ast.Constant(None), _OP))
    return _at(ast.BoolOp(op=ast.And(), values=[present, test]), _FIELD)


def _compare(left: ast.expr, op: ast.cmpop, right: ast.expr) -> ast.expr:
    return _at(ast.Compare(left=left, ops=[op], comparators=[right]), _FIELD)


def _literal(value: PlainData, check: FieldCheck) -> ast.expr | Diagnostic:
    if isinstance(value, tuple):
        items: list[ast.expr] = []
        for item in value:
            built = _literal(item, check)
            if isinstance(built, Diagnostic):
                return built
            items.append(built)
        return _at(ast.Tuple(elts=items, ctx=ast.Load()), _VALUE)
    if isinstance(value, Mapping):
        return error(
            codes.BAD_CHECK,
            "check: a value must be a number, string, boolean, null or a list",
            check.value_pos or check.pos,
        )
    return _at(ast.Constant(value), _VALUE)


def _at(node: ast.expr, place: int) -> ast.expr:
    """``node`` positioned at ``place`` (see :meth:`Parsed.synthetic`)."""
    node.lineno = node.end_lineno = 1
    node.col_offset = place
    node.end_col_offset = place + 1
    return node
