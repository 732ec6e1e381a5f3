"""The emitter: minimal parentheses, typed functions in black's layout, call
forms for cell functions, annotations, and spec text only ever as literals.
"""

from __future__ import annotations

import ast
import decimal
import re

import pytest
from expressions_support import (
    FIELDS,
    IN_STATE,
    annotations,
    guard,
    module_source,
    run_module,
    value,
)

from gubernator_gen.backend.expressions import (
    AnnotationNames,
    InStateForm,
    Reads,
    annotation,
    assign_function,
    guard_call,
    guard_function,
    render,
)
from gubernator_gen.backend.formatting import format_source
from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.expressions import (
    ANY,
    BOOL,
    INT,
    NEVER,
    STR,
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
    ListType,
    Literal,
    Negate,
    Not,
    OptionalType,
    RecordField,
    RecordType,
    TupleType,
)
from gubernator_gen.model import (
    ExpressionGuard,
    GuardParam,
    NamedGuard,
)

READS = Reads(
    locals={
        "paid": "paid",
        "limit": "limit",
        "nick": "nick",
        "maybe": "maybe",
        "hint": "hint",
    },
    in_state=IN_STATE,
)


def checked(text: str) -> Expr:
    result = value(text)
    assert result.expr is not None, result.diagnostics
    return result.expr


@pytest.mark.parametrize(
    ("text", "emitted"),
    [
        ("count + 1", 'ctx["count"] + 1'),
        ("(count + 1) * 2", '(ctx["count"] + 1) * 2'),
        ("count - (count - 1)", 'ctx["count"] - (ctx["count"] - 1)'),
        ("(count - count) - 1", 'ctx["count"] - ctx["count"] - 1'),
        ("count / (2 * count)", 'ctx["count"] / (2 * ctx["count"])'),
        ("-(count + 1)", '-(ctx["count"] + 1)'),
        ("-(-1) + count", '1 + ctx["count"]'),
        ("count - -1", 'ctx["count"] - -1'),
        ("(-1) * count", '-1 * ctx["count"]'),
        ("(flag or flag) and flag", '(ctx["flag"] or ctx["flag"]) and ctx["flag"]'),
        ("flag or (flag and flag)", 'ctx["flag"] or ctx["flag"] and ctx["flag"]'),
        ("not (flag and flag)", 'not (ctx["flag"] and ctx["flag"])'),
        ("not (count > 1)", 'not ctx["count"] > 1'),
        ("not (count in items)", 'ctx["count"] not in ctx["items"]'),
        ("not (nick is None)", "nick is not None"),
        ("not not flag", 'ctx["flag"]'),
        ("not not (flag or extra == 1)", 'bool(ctx["flag"] or ctx["extra"] == 1)'),
        ("not (count == 1)", 'ctx["count"] != 1'),
        ("not (count != 1)", 'ctx["count"] == 1'),
        ("not (count not in items)", 'ctx["count"] in ctx["items"]'),
        ("1 < 2", "True"),
        ("not (1 + 1 == 2)", "False"),
        ("'a' in ('a', 'b')", "True"),
        (
            "limit is not None and 0 < limit and limit <= 5 and flag",
            'limit is not None and 0 < limit <= 5 and ctx["flag"]',
        ),
        ("0 < count and count > 5", '0 < ctx["count"] and ctx["count"] > 5'),
        ("0 < count and count < 5", '0 < ctx["count"] < 5'),
        ("(count < 2) == flag", '(ctx["count"] < 2) == ctx["flag"]'),
        ("0 < count < 10", '0 < ctx["count"] < 10'),
        ("items[0] + scores['k']", 'ctx["items"][0] + ctx["scores"]["k"]'),
        ("status in ('new',)", 'ctx["status"] in ("new",)'),
        ("count in [1, 2]", 'ctx["count"] in [1, 2]'),
        ("min(count, 2.5, -1)", 'min(ctx["count"], 2.5, -1)'),
        ('name == "it\'s"', 'ctx["name"] == "it\'s"'),
        ("name == 'say \"hi\"'", 'ctx["name"] == \'say "hi"\''),
        ("name == '\\u202e\\n'", 'ctx["name"] == "\\u202e\\n"'),
        ("ratio > 1e999", 'ctx["ratio"] > float("inf")'),
        ("ratio > -0.0", 'ctx["ratio"] > -0.0'),
        ("in_state('B')", 'state == "B"'),
        (
            "paid is not None and paid > amount",
            'paid is not None and paid > ctx["amount"]',
        ),
    ],
)
def test_rendering_uses_minimal_parentheses(text: str, emitted: str) -> None:
    original = checked(text)
    assert render(original, READS) == emitted
    # Read back (with field reads spelled as names again), the emitted text
    # is the same expression; `not (a in b)` comes back as `a not in b`.
    names = re.sub(r'ctx\["(\w+)"\]', r"\1", emitted)
    if names == text or text in REWRITTEN:
        return
    again = value(names)
    assert again.ok, again.diagnostics
    if "not" not in text:
        assert again.expr == original


# Written differently on purpose: folded, chained, `in_state`, infinity.
REWRITTEN = {
    "not not (flag or extra == 1)",
    "1 < 2",
    "not (1 + 1 == 2)",
    "'a' in ('a', 'b')",
    "limit is not None and 0 < limit and limit <= 5 and flag",
    "0 < count and count < 5",
    "in_state('B')",
    "ratio > 1e999",
}


def test_nested_same_operators_keep_their_grouping_when_built_by_hand() -> None:
    flag = FieldRead("flag", BOOL)
    inner = BoolOp(BoolOperator.AND, (flag, flag), BOOL)
    outer = BoolOp(BoolOperator.AND, (flag, inner), BOOL)
    assert render(outer, READS) == 'ctx["flag"] and (ctx["flag"] and ctx["flag"])'
    chain = Compare(
        Compare(FieldRead("count", INT), (CompareOp.LT,), (Literal(1, INT),), BOOL),
        (CompareOp.EQ,),
        (flag,),
        BOOL,
    )
    assert render(chain, READS) == '(ctx["count"] < 1) == ctx["flag"]'
    negated = Negate(Literal(-1, INT), INT)
    assert render(negated, READS) == "--1"
    sub = BinOp(
        Literal(1, INT),
        ArithOp.SUB,
        BinOp(Literal(2, INT), ArithOp.ADD, Literal(3, INT), INT),
        INT,
    )
    assert render(sub, READS) == "1 - (2 + 3)"
    assert eval(render(sub, READS)) == 1 - (2 + 3)
    not_of_not_in = Not(
        Compare(flag, (CompareOp.NOT_IN,), (FieldRead("items", ListType(INT)),), BOOL)
    )
    assert render(not_of_not_in, READS) == 'ctx["flag"] in ctx["items"]'


def test_guard_function_reads_absent_fields_once_into_locals() -> None:
    function = guard_function(
        "_guard_expr_0", checked("paid is not None and paid >= amount")
    )
    assert function.parameters == ("ctx",)
    assert function.source == (
        "def _guard_expr_0(ctx: Context) -> bool:\n"
        '    paid = ctx.get("paid")\n'
        '    return paid is not None and paid >= ctx["amount"]\n'
    )


def test_any_typed_guard_is_returned_through_bool() -> None:
    function = guard_function("g", checked("extra == 1"), doc="extra == 1")
    assert function.source == (
        "def g(ctx: Context) -> bool:\n"
        '    """extra == 1"""\n'
        '    return bool(ctx["extra"] == 1)\n'
    )


def test_in_state_adds_the_state_parameter() -> None:
    form = InStateForm(
        {"A": ("A",), "P": ("P1", "P2")}, parameter="current", annotation="State"
    )
    from gubernator_gen.expressions import InState

    expr = BoolOp(BoolOperator.OR, (InState("A"), InState("P")), BOOL)
    function = guard_function("g", expr, in_state=form)
    assert function.parameters == ("ctx", "current")
    assert (
        function.source.splitlines()[0]
        == "def g(ctx: Context, current: State) -> bool:"
    )
    assert 'current == "A" or current in ("P1", "P2")' in function.source
    with pytest.raises(ValueError, match="InStateForm"):
        guard_function("g", expr)


def test_local_names_never_shadow_what_the_code_uses() -> None:
    fields = {
        "len": OptionalType(INT),
        "len_": OptionalType(INT),
        "ctx": OptionalType(INT),
        "l": OptionalType(INT),
        "bool": OptionalType(ANY),
        "state": OptionalType(INT),
        "count": INT,
    }
    from gubernator_gen.frontend.expressions import Scope

    scope = Scope(fields, ("A",))
    text = (
        "len is not None and len_ is not None and ctx is not None and l is not None"
        " and state is not None and len + len_ + ctx + l + state > count"
        " and bool is not None and in_state('A')"
    )
    expr = guard(text, scope).expr
    assert expr is not None
    function = guard_function("g", expr, in_state=InStateForm({"A": ("A",)}))
    lines = function.source.splitlines()
    assert '    len_ = ctx.get("len")' in lines
    assert '    len__ = ctx.get("len_")' in lines
    assert '    ctx_ = ctx.get("ctx")' in lines
    assert '    l_ = ctx.get("l")' in lines
    assert '    bool_ = ctx.get("bool")' in lines
    assert '    state_ = ctx.get("state")' in lines
    namespace = run_module("Context = dict\nState = str\n\n" + function.source)
    g = namespace["g"]
    ctx = {"len": 1, "len_": 2, "ctx": 3, "l": 4, "state": 5, "count": 1, "bool": 0}
    assert g(ctx, "A") is True  # type: ignore[operator]
    assert g({**ctx, "count": 99}, "A") is False  # type: ignore[operator]
    assert g({"count": 1}, "A") is False  # type: ignore[operator]


def test_assign_function_computes_every_value_from_the_given_context() -> None:
    exprs = [
        ("count", checked("count + 1")),
        ("amount", checked("amount * count")),
        ("status", checked("'paid'")),
    ]
    function = assign_function(
        "_assign_0", exprs, annotations=annotations(FIELDS), doc="pay"
    )
    assert function.source == (
        "def _assign_0(ctx: Context) -> dict[str, object]:\n"
        '    """pay"""\n'
        '    count: int = ctx["count"] + 1\n'
        '    amount: Decimal = ctx["amount"] * ctx["count"]\n'
        '    status: Literal["new", "paid", "shipped"] = "paid"\n'
        '    return {"count": count, "amount": amount, "status": status}\n'
    )
    namespace = run_module(module_source(FIELDS, [function]))
    result = namespace["_assign_0"]({"count": 2, "amount": decimal.Decimal("1.5")})  # type: ignore[operator]
    assert result == {"count": 3, "amount": decimal.Decimal("3.0"), "status": "paid"}


def test_long_lines_are_laid_out_by_black_and_everything_is_black_stable() -> None:
    text = " and ".join(["paid is not None and paid >= amount"] * 4 + ["name == 'x'"])
    function = guard_function("_guard_expr_12", checked(text), doc=text)
    assert max(map(len, function.source.splitlines()[2:])) <= 88
    assert format_source(function.source) == function.source
    many = [
        (name, checked(name))
        for name in (
            "count",
            "ratio",
            "name",
            "amount",
            "items",
            "scores",
            "status",
            "flag",
        )
    ]
    assign = assign_function("_assign_3", many, annotations=annotations(FIELDS))
    assert format_source(assign.source) == assign.source


def test_hostile_text_reaches_the_source_only_as_literals() -> None:
    evil = '"); import os; os.system(\'x\') #\n\u2028\x00\'"""'
    expr = Compare(FieldRead("x", STR), (CompareOp.EQ,), (Literal(evil, STR),), BOOL)
    function = guard_function("g", expr, doc=evil)
    tree = ast.parse(function.source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert calls == []  # no call at all: the text stayed inside literals
    namespace = run_module("Context = dict\n\n" + function.source)
    assert namespace["g"]({"x": evil}) is True  # type: ignore[operator]
    assert namespace["g"]({"x": evil[:-1]}) is False  # type: ignore[operator]
    assert evil.replace("\x00", "\\x00") not in function.source


def test_names_that_are_not_identifiers_are_refused() -> None:
    expr = checked("flag")
    for bad in ("not-a-name", "class", "x y", ""):
        with pytest.raises(ValueError, match="identifier"):
            guard_function(bad, expr)
        with pytest.raises(ValueError, match="identifier"):
            guard_call(NamedGuard("g"), callee=bad)
    with pytest.raises(ValueError, match="identifier"):
        guard_call(NamedGuard("g", params=(GuardParam("x-y", 1),)), callee="g")


def test_call_forms_for_cell_functions() -> None:
    pos = SourcePos("spec.yaml", 1, 1)
    assert guard_call(NamedGuard("paid"), callee="g_paid") == "g_paid(ctx)"
    assert (
        guard_call(NamedGuard("paid", negated=True), callee="g", ctx="c") == "not g(c)"
    )
    params = (
        GuardParam("limit", 100, pos),
        GuardParam("tiers", (1, 2.5)),
        GuardParam("tag", 'a"b'),
        GuardParam("none", None),
    )
    assert guard_call(NamedGuard("within", params=params), callee="g") == (
        "g(ctx, limit=100, tiers=(1, 2.5), tag='a\"b', none=None)"
    )
    plain = ExpressionGuard(checked("count > 1"), "count > 1")
    assert guard_call(plain, callee="_guard_expr_0") == "_guard_expr_0(ctx)"
    stateful = ExpressionGuard(checked("in_state('A')"))
    assert guard_call(stateful, callee="e", state="s") == "e(ctx, s)"
    with pytest.raises(ValueError, match="state"):
        guard_call(stateful, callee="e")
    condition = " and ".join(
        guard_call(item, callee=f"c{i}")
        for i, item in enumerate(
            [NamedGuard("a", negated=True), plain, NamedGuard("b", params=params)]
        )
    )
    assert ast.parse(condition, mode="eval")


def test_annotations() -> None:
    names = AnnotationNames(
        decimal="_Decimal", any="_Any", literal="_Literal", record=lambda r: "_Address"
    )
    assert (
        annotation(OptionalType(ListType(DictType(INT))), names)
        == "list[dict[str, int]] | None"
    )
    assert annotation(TupleType(NEVER)) == "tuple[object, ...]"
    assert annotation(EnumType(("a", 'b"')), names) == '_Literal["a", \'b"\']'
    assert annotation(RecordType((RecordField("c", STR),)), names) == "_Address"
    assert annotation(ANY, names) == "_Any"
    with pytest.raises(ValueError, match="record"):
        annotation(RecordType(()))
