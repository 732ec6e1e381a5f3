"""Properties over random expressions.

* Every whitelisted expression the strategies write is accepted; the
  emitted function returns what Python's own ``eval`` of the same text
  returns on random contexts (or raises the same exception), and the
  checker's static type describes the value. Tests may ``eval``; the
  product never does.
* Emitted functions are black-stable.
* Syntax outside the language, spliced into a valid expression, is refused
  with one error located inside the spliced text.
* Hostile strings are refused, with positions inside the text, and never
  raise.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable

import pytest
from expressions_strategies import Case, Schema, cases, expressions, namespace, schemas
from expressions_support import (
    IN_STATE,
    STATES,
    located,
    module_source,
    run_module,
    text_at,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gubernator_gen.backend.expressions import assign_function, guard_function
from gubernator_gen.backend.formatting import format_source
from gubernator_gen.diagnostics import Diagnostic
from gubernator_gen.expressions import (
    ANY,
    BOOL,
    DATE,
    DECIMAL,
    FLOAT,
    INT,
    STR,
    ExprType,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import (
    MAX_LENGTH,
    Scope,
    check_expression,
    check_guard,
)

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def degenerate(diagnostics: tuple[Diagnostic, ...]) -> bool:
    """True when the strategies wrote a form the checker refuses as degenerate
    (``x < x``, ``- -x``): in the language, but refused on purpose.
    """
    return bool(diagnostics) and all(
        d.code == codes.DEGENERATE_EXPRESSION for d in diagnostics
    )


def outcome(thunk: Callable[[], object]) -> tuple[str, object]:
    """What running ``thunk`` gives: its value, or the type of what it raised."""
    try:
        return "value", thunk()
    except Exception as exc:
        return "raised", type(exc)


def python_eval(case: Case, ctx: dict[str, object]) -> tuple[str, object]:
    """Python's own evaluation of the case's text (tests only)."""
    names = namespace(case.schema, ctx)
    functions = {
        "__builtins__": {"len": len, "abs": abs, "min": min, "max": max},
        "in_state": lambda state: state == case.state,
    }
    return outcome(lambda: eval(case.text, functions, names))


def same(first: object, second: object) -> bool:
    if isinstance(first, float) and isinstance(second, float):
        return first == second or (first != first and second != second)
    return type(first) is type(second) and first == second


def describes(type_: ExprType, result: object) -> bool:
    """True when a value of ``result``'s Python type can have static ``type_``."""
    expected: dict[ExprType, tuple[type, ...]] = {
        BOOL: (bool,),
        INT: (int,),
        FLOAT: (float, int),
        DECIMAL: (decimal.Decimal,),
        STR: (str,),
        DATE: (datetime.date,),
    }
    if type_ is ANY:
        return True
    allowed = expected[type_]
    if bool not in allowed and isinstance(result, bool):
        return False
    return isinstance(result, allowed)


@SETTINGS
@given(cases(("bool",)))
def test_guard_functions_agree_with_python(case: Case) -> None:
    scope = Scope(case.schema.fields, STATES)
    checked = check_guard(text_at(case.text), scope)
    assume(not degenerate(checked.diagnostics))
    assert checked.expr is not None, (case.text, checked.diagnostics)
    function = guard_function("_guard", checked.expr, in_state=IN_STATE)
    assert format_source(function.source) == function.source
    module = run_module(module_source(case.schema.fields, [function]))
    emitted = module["_guard"]
    state = module["State"](case.state)  # type: ignore[operator]
    for ctx in case.contexts:
        expected = python_eval(case, ctx)
        args = (ctx, state) if len(function.parameters) == 2 else (ctx,)
        actual = outcome(lambda args=args: emitted(*args))  # type: ignore[operator]
        assert expected[1] is not TypeError, (case.text, ctx)
        if expected[0] == "raised":
            assert actual == expected, (case.text, ctx)
        else:
            assert actual == ("value", bool(expected[1])), (case.text, ctx, expected)
            assert type(actual[1]) is bool


@SETTINGS
@given(cases(("int", "num", "float", "decimal", "str"), depth=3))
def test_value_expressions_agree_with_python_and_their_types(case: Case) -> None:
    scope = Scope(case.schema.fields, STATES)
    checked = check_expression(text_at(case.text), scope)
    assume(not degenerate(checked.diagnostics))
    assert checked.expr is not None, (case.text, checked.diagnostics)
    function = assign_function("_assign", [("out", checked.expr)], in_state=IN_STATE)
    assert format_source(function.source) == function.source
    emitted = run_module(module_source(case.schema.fields, [function]))["_assign"]
    for ctx in case.contexts:
        expected = python_eval(case, ctx)
        actual = outcome(lambda ctx=ctx: emitted(ctx)["out"])  # type: ignore[operator]
        assert expected[1] is not TypeError, (case.text, ctx)
        assert actual[0] == expected[0], (case.text, ctx, actual, expected)
        if expected[0] == "raised":
            assert actual[1] is expected[1]
        else:
            assert same(actual[1], expected[1]), (case.text, ctx, actual, expected)
            assert describes(checked.expr.type, actual[1]), (case.text, actual)


# --------------------------------------------------------------------------
# Refusals

# Syntax Python reads but the language refuses; {b} is a boolean operand.
REFUSED = [
    "x.y",
    "flag.__class__",
    "().__class__.__bases__[0]",
    "(lambda: 1)",
    "[i for i in (1, 2)]",
    "{i for i in (1, 2)}",
    "{i: 1 for i in (1, 2)}",
    "(i for i in (1, 2))",
    "f'{1}'",
    "f'x'",
    "(y := 1)",
    "[*(1, 2)]",
    "(1, 2)[0:1]",
    "(1, 2)[::2]",
    "{1: 2}",
    "{1, 2}",
    "(1 if True else 2)",
    "2 ** 3",
    "2 & 3",
    "2 | 3",
    "2 ^ 3",
    "2 << 3",
    "2 >> 3",
    "~2",
    "+2",
    "print(1)",
    "__import__('os')",
    "eval('1')",
    "getattr(1, 'real')",
    "open('f')",
    "len(1, 2)",
    "min(1, 2, key=abs)",
    "b'x'",
    "1j",
    "...",
    "1 is 1",
    "1 == None",
    "True == 1",
    "undefined_name",
    "__name__",
    "in_state('Z')",
    "1 + 'a'",
]
CONTEXTS = [
    "{s}",
    "not ({s})",
    "{b} and ({s})",
    "({s}) or {b}",
    "({s}) == 1",
    "len({s}) > 0",
    "min({s}, 1) > 0",
    "(({s}))",
]


@SETTINGS
@given(
    schema=schemas(),
    snippet=st.sampled_from(REFUSED),
    context=st.sampled_from(CONTEXTS),
    data=st.data(),
)
def test_refused_syntax_is_located_inside_it(
    schema: Schema, snippet: str, context: str, data: st.DataObject
) -> None:
    operand = data.draw(expressions(schema, "bool", 1))
    scope = Scope(schema.fields, STATES)
    assume(check_guard(text_at(operand), scope).ok)
    before, after = context.split("{s}")
    before = before.replace("{b}", f"({operand})")
    after = after.replace("{b}", f"({operand})")
    text = before + snippet + after
    checked = check_guard(text_at(text), scope)
    assert checked.expr is None
    assert len(checked.diagnostics) == 1, (text, checked.diagnostics)
    column = checked.diagnostics[0].pos.column
    assert len(before) + 1 <= column <= len(before) + len(snippet), (
        text,
        checked.diagnostics,
    )


@SETTINGS
@given(st.text(max_size=60))
def test_random_text_never_raises_and_errors_stay_inside(text: str) -> None:
    checked = check_guard(text_at(text), Scope({"a": INT, "b": STR}, STATES))
    for diagnostic in checked.diagnostics:
        assert diagnostic.pos.line == 1
        assert 1 <= diagnostic.pos.column <= len(text) + 1
        assert diagnostic.code in codes.EXPRESSION_CODES


HOSTILE = [
    "__import__('os').system('rm -rf /')",
    "().__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "(lambda: exec('import os'))()",
    "globals()['__builtins__']",
    "open('/etc/passwd').read()",
    'f\'{__import__("os").system("x")}\'',
    "(x := __import__('os'))",
    "breakpoint()",
    "a.__dict__",
    "__builtins__",
    "vars()",
    "'a' * 10**10",
    "9" * 101,
    "'" + "x" * 1500 + "'",
    "-" * 1999 + "1",
    "not " * 400 + "True",
    "(" * 300 + "1" + ")" * 300,
    "[" * 300 + "]" * 300,
    "a + " * 600 + "a",
    "1 if 1 else 1",
    "a\x00b",
    "'\ud800'",
    "x" * (MAX_LENGTH + 1),
    "True" + " and True" * (MAX_LENGTH // 9 + 10),
    "yield",
    "await a",
    "lambda: (yield)",
    "\\\n" * 50,
    "# only a comment",
    "a # comment\n and a",
]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:30]) for t in HOSTILE])
def test_hostile_strings_are_refused(text: str) -> None:
    checked = check_guard(text_at(text), Scope({"a": BOOL}, STATES))
    if text == "a # comment\n and a":
        assert checked.ok  # a comment ends at the line break; the rest goes on
        return
    assert checked.expr is None
    assert checked.diagnostics
    for code, line, column in located(checked.diagnostics):
        assert code in codes.EXPRESSION_CODES
        assert line == 1 and 1 <= column <= len(text) + 1
