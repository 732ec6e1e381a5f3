"""The whitelist walk: a parsed ``ast`` tree → typed :mod:`gubernator_gen.expressions`.

Every node kind has its own method; a kind without one is refused where it
stands (:data:`REFUSED` says why for the usual suspects). Each method
returns the checked node, or ``None`` after reporting why not; a parent
whose child failed returns ``None`` silently, so one mistake is reported
once while mistakes in separate branches are all reported.

Narrowing follows mypy's: inside ``a and b``, ``b`` sees what ``a`` being
true proves (``x is not None``), inside ``a or b`` what ``a`` being false
proves, ``not`` swaps the two. Only fields that may be absent are narrowed:
they are read once into a local variable by the emitted code, which is what
mypy narrows.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.expressions import (
    ANY,
    INT,
    NEVER,
    STR,
    Expr,
    ExprType,
    FieldRead,
    Item,
    ListDisplay,
    ListType,
    Literal,
    OptionalType,
    RecordType,
    TupleDisplay,
    TupleType,
    admits_none,
    optional,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import rules
from gubernator_gen.frontend.expressions.scope import Scope
from gubernator_gen.frontend.expressions.source import Parsed
from gubernator_gen.frontend.suggest import did_you_mean

#: Integer literals must have fewer digits than this.
MAX_INT_DIGITS = 100
#: String literals may hold at most this many characters.
MAX_STRING_LENGTH = 1000

#: What ``in_state`` and the built-in functions are called in expressions.
FUNCTIONS = ("len", "abs", "min", "max", "in_state")

_NO = "is not part of the expression language"
#: Why each of the usual kinds of syntax outside the language is refused.
REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: f"attribute access ('.name') {_NO}",
    ast.Lambda: f"a lambda {_NO}",
    ast.ListComp: f"a comprehension {_NO}",
    ast.SetComp: f"a comprehension {_NO}",
    ast.DictComp: f"a comprehension {_NO}",
    ast.GeneratorExp: f"a generator expression {_NO}",
    ast.JoinedStr: f"an f-string {_NO}",
    ast.FormattedValue: f"an f-string {_NO}",
    ast.NamedExpr: f"an assignment expression (:=) {_NO}",
    ast.Starred: f"unpacking (*x) {_NO}",
    ast.Slice: f"a slice (a[i:j]) {_NO}",
    ast.Dict: f"a dict literal {_NO}; compare with a list or tuple of values",
    ast.Set: f"a set literal {_NO}; write a tuple instead: x in (a, b)",
    ast.IfExp: f"a conditional expression (a if c else b) {_NO}; use and/or",
    ast.Await: f"await {_NO}",
    ast.Yield: f"yield {_NO}",
    ast.YieldFrom: f"yield {_NO}",
}

#: Field names known not to be ``None`` at a point of the expression.
Narrowed = frozenset[str]


class Checker:
    """Checks one parsed expression against a :class:`Scope`: the leaves.

    Calls (:mod:`.calls`), comparisons (:mod:`.comparisons`) and the other
    operators (:mod:`.operators`) extend this class, in that order.
    """

    def __init__(self, parsed: Parsed, scope: Scope) -> None:
        self.parsed = parsed
        self.scope = scope
        self.diagnostics: list[Diagnostic] = []
        self._dispatch = self._handlers()

    # -- plumbing ------------------------------------------------------------

    def check(self, node: ast.AST, narrowed: Narrowed) -> Expr | None:
        """The checked form of ``node``, or ``None`` once a problem is reported."""
        method = self._dispatch.get(type(node))
        if method is None:
            return self.refuse(node)
        return method(self, node, narrowed)

    def _handlers(self) -> dict[type[ast.AST], Callable[..., Expr | None]]:
        """The method for each node kind; subclasses add theirs."""
        return {
            ast.Constant: Checker.constant,
            ast.Name: Checker.name,
            ast.Subscript: Checker.subscript,
            ast.List: Checker.display,
            ast.Tuple: Checker.display,
        }

    def report(
        self, code: str, message: str, node: ast.AST, *, index: int | None = None
    ) -> None:
        """A located error at ``node`` (or at character ``index`` of the text)."""
        at = self.parsed.index(node) if index is None else index
        self.diagnostics.append(error(code, message, self.parsed.source.locate(at)))

    def fail(self, code: str, message: str, node: ast.AST) -> Expr | None:
        """Report at ``node``; always ``None``, for ``return self.fail(...)``."""
        self.report(code, message, node)
        return None

    def refuse(self, node: ast.AST) -> Expr | None:
        """Report syntax outside the language where it stands; always ``None``."""
        reason = REFUSED.get(type(node))
        if isinstance(node, ast.Attribute):
            self.report(
                codes.EXPRESSION_NOT_ALLOWED,
                reason or "",
                node,
                index=self.after(node.value, "."),
            )
            return None
        if reason is None:
            reason = f"this kind of expression ({type(node).__name__}) {_NO}"
        self.report(codes.EXPRESSION_NOT_ALLOWED, reason, node)
        return None

    def after(self, node: ast.AST, wanted: str = "") -> int:
        """The index of the first character after ``node`` that is not a blank
        or a closing parenthesis (the operator following it), or of ``wanted``.
        """
        text = self.parsed.source.text
        index = self.parsed.end_index(node)
        while index < len(text) and (text[index] in " \t\r\n\f)\\"):
            if wanted and text[index] == wanted:
                break
            index += 1
        return index

    # -- leaves ----------------------------------------------------------------

    def constant(self, node: ast.Constant, narrowed: Narrowed) -> Expr | None:
        """A literal: ``None``, a bool, an int, a float or a str, bounded."""
        value = node.value
        place = self.parsed.place(node)
        if value is None or isinstance(value, (bool, float)):
            return Literal(value, rules.literal_type(value), place)
        if isinstance(value, int):
            if abs(value) >= 10**MAX_INT_DIGITS:
                return self.fail(
                    codes.EXPRESSION_LIMIT,
                    f"an integer literal may have at most {MAX_INT_DIGITS} digits",
                    node,
                )
            return Literal(value, INT, place)
        if isinstance(value, str):
            if len(value) > MAX_STRING_LENGTH:
                return self.fail(
                    codes.EXPRESSION_LIMIT,
                    f"a string literal may hold at most {MAX_STRING_LENGTH} "
                    f"characters; this one holds {len(value):,}",
                    node,
                )
            return Literal(value, STR, place)
        kind = {bytes: "a bytes literal", complex: "a complex number"}.get(
            type(value), "'...'"
        )
        return self.fail(codes.EXPRESSION_NOT_ALLOWED, f"{kind} {_NO}", node)

    def name(self, node: ast.Name, narrowed: Narrowed) -> Expr | None:
        """A context field, narrowed when an earlier check proved it not None."""
        field_name = self.scope.resolve(node.id)
        if field_name is None:
            return self.fail(codes.UNKNOWN_NAME, self._unknown_name(node.id), node)
        declared = self.scope.fields[field_name]
        may_be_absent = isinstance(declared, OptionalType)
        type_ = declared
        if isinstance(declared, OptionalType) and field_name in narrowed:
            type_ = declared.inner
        return FieldRead(field_name, type_, may_be_absent, self.parsed.place(node))

    def _unknown_name(self, name: str) -> str:
        if name.startswith("__"):
            return f"{name!r}: names starting with __ are never allowed"
        if name in FUNCTIONS:
            return f"{name!r} is a function: call it, as in {name}(...)"
        if not self.scope.fields:
            return (
                f"{name!r} is not a context field; this machine declares no "
                "context: fields for expressions to read"
            )
        hint = did_you_mean(name, self.scope.fields)
        return f"{name!r} is not a context field{hint}"

    def subscript(self, node: ast.Subscript, narrowed: Narrowed) -> Expr | None:
        """``base[key]`` with a literal string or integer key."""
        if isinstance(node.slice, ast.Slice):
            return self.refuse(node.slice)
        key = literal_key(node.slice)
        if key is None:
            return self.fail(
                codes.EXPRESSION_NOT_ALLOWED,
                "a subscript key must be a literal string or integer",
                node.slice,
            )
        base = self.check(node.value, narrowed)
        if base is None:
            return None
        place = self.parsed.place(node)
        if admits_none(base.type) and base.type is not ANY:
            return self.fail(codes.MAY_BE_NONE, may_be_none(node.value), node.value)
        if isinstance(base.type, RecordType) and isinstance(key, str):
            entry = base.type.get(key)
            if entry is None:
                names = [f.name for f in base.type.fields]
                hint = did_you_mean(key, names)
                return self.fail(
                    codes.UNKNOWN_ITEM,
                    f"{key!r} is not a key of this record{hint}",
                    node.slice,
                )
            if entry.optional:
                return Item(base, key, optional(entry.type), True, place)
            return Item(base, key, entry.type, False, place)
        item = rules.item_type(base.type, key)
        if item is None:
            return self.fail(
                codes.EXPRESSION_TYPE,
                f"{rules.a(base.type)} cannot be indexed with {key!r}",
                node.slice,
            )
        return Item(base, key, item, False, place)

    def display(self, node: ast.List | ast.Tuple, narrowed: Narrowed) -> Expr | None:
        """A list or tuple of literals, all of one type."""
        items: list[Expr] = []
        item_type: ExprType = NEVER
        for element in node.elts:
            if not is_literal(element):
                if isinstance(element, ast.Starred):
                    self.refuse(element)
                else:
                    self.report(
                        codes.EXPRESSION_NOT_ALLOWED,
                        "list and tuple items must be literals (compare one by "
                        "one instead: x == a or x == b)",
                        element,
                    )
                return None
            checked = self.check(element, narrowed)
            if checked is None:
                return None
            joined = rules.join(item_type, checked.type)
            if joined is None:
                return self.fail(
                    codes.EXPRESSION_TYPE,
                    f"this list mixes {item_type} and {checked.type} items",
                    element,
                )
            item_type = joined
            items.append(checked)
        place = self.parsed.place(node)
        if isinstance(node, ast.List):
            return ListDisplay(tuple(items), ListType(item_type), place)
        return TupleDisplay(tuple(items), TupleType(item_type), place)


def literal_key(node: ast.AST) -> str | int | None:
    """The literal string or integer key of a subscript, or ``None``."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str) or type(value) is int:
            return value
        return None
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


def is_literal(node: ast.AST) -> bool:
    """True for a constant, a negative number or a list or tuple of literals."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant)
    return isinstance(node, (ast.List, ast.Tuple))


def may_be_none(node: ast.AST) -> str:
    """The message for a value that may be ``None`` used where it cannot be."""
    if isinstance(node, ast.Name):
        return (
            f"{node.id!r} may be absent (None) here; check it first: "
            f"{node.id} is not None and ..."
        )
    return "this value may be None here; check it with 'is not None' first"
