"""Calls: ``len``, ``abs``, ``min``, ``max`` and ``in_state``, positional only."""

from __future__ import annotations

import ast
from collections.abc import Callable

from gubernator_gen.expressions import (
    ANY,
    BOOL,
    INT,
    NEVER,
    Builtin,
    Call,
    Expr,
    ExprType,
    InState,
    ListType,
    TupleType,
    admits_none,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import rules
from gubernator_gen.frontend.expressions.checker import (
    FUNCTIONS,
    REFUSED,
    Checker,
    Narrowed,
    may_be_none,
)
from gubernator_gen.frontend.suggest import did_you_mean


class CallChecker(Checker):
    """:class:`Checker` with calls."""

    def _handlers(self) -> dict[type[ast.AST], Callable[..., Expr | None]]:
        handlers = super()._handlers()
        handlers[ast.Call] = CallChecker.call
        return handlers

    def call(self, node: ast.Call, narrowed: Narrowed) -> Expr | None:
        """``len``, ``abs``, ``min``, ``max`` or ``in_state``, positional only."""
        if isinstance(node.func, ast.Attribute) or type(node.func) in REFUSED:
            return self.refuse(node.func)
        if not isinstance(node.func, ast.Name):
            return self.fail(
                codes.UNKNOWN_FUNCTION,
                "only len, abs, min, max and in_state can be called",
                node.func,
            )
        name = node.func.id
        if name not in FUNCTIONS:
            hint = did_you_mean(name, FUNCTIONS)
            return self.fail(
                codes.UNKNOWN_FUNCTION,
                f"{name!r} cannot be called; the functions are len, abs, min, max "
                f"and in_state{hint}",
                node.func,
            )
        if node.keywords:
            return self.fail(
                codes.UNKNOWN_FUNCTION,
                f"{name}() takes no keyword arguments",
                node.keywords[0].value,
            )
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                return self.refuse(argument)
        if name == "in_state":
            return self._in_state(node)
        args: list[Expr] = []
        for argument in node.args:
            checked = self.check(argument, narrowed)
            if checked is None:
                return None
            args.append(checked)
        return self._builtin(node, Builtin(name), tuple(args))

    def _in_state(self, node: ast.Call) -> Expr | None:
        if self.scope.in_state_refused is not None:
            return self.fail(
                codes.UNKNOWN_FUNCTION, self.scope.in_state_refused, node.func
            )
        argument = node.args[0] if len(node.args) == 1 else None
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            return self.fail(
                codes.UNKNOWN_FUNCTION,
                'in_state takes one state name in quotes: in_state("NAME")',
                node,
            )
        state = argument.value
        if state not in self.scope.states:
            hint = did_you_mean(state, self.scope.states)
            return self.fail(
                codes.UNKNOWN_STATE_IN_EXPRESSION,
                f"in_state: {state!r} is not a state of this machine{hint}",
                argument,
            )
        return InState(state, BOOL, self.parsed.place(node))

    def _builtin(
        self, node: ast.Call, function: Builtin, args: tuple[Expr, ...]
    ) -> Expr | None:
        place = self.parsed.place(node)
        for argument, expr in zip(node.args, args, strict=True):
            if admits_none(expr.type) and expr.type is not ANY:
                return self.fail(codes.MAY_BE_NONE, may_be_none(argument), argument)
        if function in (Builtin.LEN, Builtin.ABS):
            if len(args) != 1:
                return self.fail(
                    codes.UNKNOWN_FUNCTION,
                    f"{function.value}() takes exactly one argument",
                    node,
                )
            only = args[0].type
            result: ExprType | None
            if function is Builtin.LEN:
                result = INT if rules.sized(only) else None
            else:
                result = only if only is ANY or rules.is_number(only) else None
            if result is None:
                return self.fail(
                    codes.EXPRESSION_TYPE,
                    f"{function.value}() does not apply to {rules.a(only)}",
                    node.args[0],
                )
            return Call(function, args, result, place)
        result_type = self._extreme_type(node, function, args)
        if result_type is None:
            return None
        return Call(function, args, result_type, place)

    def _extreme_type(
        self, node: ast.Call, function: Builtin, args: tuple[Expr, ...]
    ) -> ExprType | None:
        """The type of ``min``/``max``: of one collection, or of several values."""
        name = function.value
        if not args:
            self.report(codes.UNKNOWN_FUNCTION, f"{name}() needs arguments", node)
            return None
        if len(args) == 1:
            only = args[0].type
            item: ExprType | None = ANY if only is ANY else None
            if isinstance(only, (ListType, TupleType)):
                item = only.item
            if item is None or item is NEVER or not _orderable(item):
                self.report(
                    codes.EXPRESSION_TYPE,
                    f"{name}() of one argument needs a non-empty list or tuple of "
                    f"numbers or strings, not {rules.a(only)}",
                    node.args[0],
                )
                return None
            return item
        result = args[0].type
        for argument, expr in zip(node.args[1:], args[1:], strict=True):
            joined = rules.join(result, expr.type)
            if joined is None or not _orderable(joined):
                self.report(
                    codes.EXPRESSION_TYPE,
                    f"{name}() cannot compare {rules.a(result)} with "
                    f"{rules.a(expr.type)}",
                    argument,
                )
                return None
            result = joined
        return result


def _orderable(type_: ExprType) -> bool:
    return rules.can_be_ordered(type_, type_)
