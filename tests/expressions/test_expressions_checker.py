"""The checker: what it accepts (with which types) and what it refuses, where.

Texts are placed on line 1 from column 1, so a column is the 1-based index of
the character the error points at.
"""

from __future__ import annotations

import pytest
from expressions_support import FIELDS, SCOPE, assignment, guard, located, value

from gubernator_gen.diagnostics import Severity
from gubernator_gen.expressions import (
    ANY,
    BOOL,
    DECIMAL,
    FLOAT,
    INT,
    NEVER,
    STR,
    BoolOp,
    Compare,
    CompareOp,
    EnumType,
    FieldRead,
    Item,
    ListType,
    Literal,
    OptionalType,
    RecordField,
    RecordType,
    TupleType,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import Scope

ACCEPTED = [
    ("amount > 0 and paid is not None and paid >= amount", BOOL),
    ("count + 1", INT),
    ("count / 2", FLOAT),
    ("count // 2 + count % 3", INT),
    ("ratio * count", FLOAT),
    ("amount * count - amount", DECIMAL),
    ("-amount", DECIMAL),
    ("-5", INT),
    ("-(-5)", INT),
    ("name + 'x'", STR),
    ("len(items) > 0", BOOL),
    ("len(scores) + len(name) + len(tags)", INT),
    ("abs(ratio)", FLOAT),
    ("min(count, 2.5)", FLOAT),
    ("max(items)", INT),
    ("min(name, 'b')", STR),
    ("items[0] + items[-1]", INT),
    ("scores['k']", INT),
    ("tags[0] + name[1]", STR),
    ("0 < count <= 10", BOOL),
    ("status == 'paid' or status in ('new', 'shipped')", BOOL),
    ("'x' in name and 3 not in items and 'k' in scores", BOOL),
    ("limit is None or limit > 3", BOOL),
    ("not (limit is None) and limit > 3", BOOL),
    ("nick is not None and len(nick) > 2", BOOL),
    ("limit in (1, 2, None)", BOOL),
    ("due < start and seen >= seen_at", BOOL),
    ("extra == 1", ANY),
    ("extra + 1 > 2 and flag", ANY),
    ("hint is not None and hint > 1", ANY),
    ("not flag", BOOL),
    ("flag and not maybe is None", BOOL),
    ("1 < 2", BOOL),
    ("not True", BOOL),
    ("in_state('A') or in_state('C')", BOOL),
    ("(1, 2)", TupleType(INT)),
    ("[1, 2.5]", ListType(FLOAT)),
    ("[]", ListType(NEVER)),
    ("amount > 1e999", BOOL),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_accepted_with_type(text: str, expected: object) -> None:
    checked = value(text)
    assert checked.diagnostics == ()
    assert checked.expr is not None
    assert checked.expr.type == expected


REFUSED = [
    # Syntax Python refuses.
    ("amount >", codes.EXPRESSION_SYNTAX, 9),
    ("amount > > 1", codes.EXPRESSION_SYNTAX, 10),
    ("(amount > 1", codes.EXPRESSION_SYNTAX, 1),
    ("'abc", codes.EXPRESSION_SYNTAX, 1),
    ("", codes.EXPRESSION_SYNTAX, 1),
    ("   ", codes.EXPRESSION_SYNTAX, 1),
    ("a\x00b", codes.EXPRESSION_SYNTAX, 2),
    ("count = 1", codes.EXPRESSION_SYNTAX, 7),
    # Syntax outside the language, at the construct (or its operator).
    ("name.upper()", codes.EXPRESSION_NOT_ALLOWED, 5),
    ("amount .real", codes.EXPRESSION_NOT_ALLOWED, 8),
    ("(amount).__class__", codes.EXPRESSION_NOT_ALLOWED, 9),
    ("lambda: 1", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("flag and [i for i in items]", codes.EXPRESSION_NOT_ALLOWED, 10),
    ("flag or {i for i in items}", codes.EXPRESSION_NOT_ALLOWED, 9),
    ("flag or {i: 1 for i in items}", codes.EXPRESSION_NOT_ALLOWED, 9),
    ("flag or len(i for i in items) > 0", codes.EXPRESSION_NOT_ALLOWED, 12),
    ("f'{name}' == name", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("(x := 1) > 0", codes.EXPRESSION_NOT_ALLOWED, 2),
    ("len(*items) > 0", codes.EXPRESSION_NOT_ALLOWED, 5),
    ("items[1:2] == items", codes.EXPRESSION_NOT_ALLOWED, 7),
    ("{'a': 1} == scores", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("count in {1, 2}", codes.EXPRESSION_NOT_ALLOWED, 10),
    ("count if flag else 0", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("count ** 2", codes.EXPRESSION_NOT_ALLOWED, 7),
    ("(count) | 1", codes.EXPRESSION_NOT_ALLOWED, 9),
    ("count << 1", codes.EXPRESSION_NOT_ALLOWED, 7),
    ("~count", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("+count", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("b'x' == name", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("1j == count", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("... == count", codes.EXPRESSION_NOT_ALLOWED, 1),
    ("count is 1", codes.EXPRESSION_NOT_ALLOWED, 10),
    ("limit is None is None", codes.EXPRESSION_NOT_ALLOWED, 10),
    ("nick == None", codes.EXPRESSION_NOT_ALLOWED, 9),
    ("flag == True", codes.EXPRESSION_NOT_ALLOWED, 9),
    ("items[count] > 1", codes.EXPRESSION_NOT_ALLOWED, 7),
    ("count in (1, count)", codes.EXPRESSION_NOT_ALLOWED, 14),
    ("await count", codes.EXPRESSION_NOT_ALLOWED, 1),
    # Names and functions.
    ("amont > 1", codes.UNKNOWN_NAME, 1),
    ("__builtins__", codes.UNKNOWN_NAME, 1),
    ("len", codes.UNKNOWN_NAME, 1),
    ("print(count)", codes.UNKNOWN_FUNCTION, 1),
    ("__import__('os')", codes.UNKNOWN_FUNCTION, 1),
    ("lenn(items)", codes.UNKNOWN_FUNCTION, 1),
    ("items[0](1)", codes.UNKNOWN_FUNCTION, 1),
    ("min(items, key=abs)", codes.UNKNOWN_FUNCTION, 16),
    ("len(items, tags)", codes.UNKNOWN_FUNCTION, 1),
    ("min()", codes.UNKNOWN_FUNCTION, 1),
    ("in_state(name)", codes.UNKNOWN_FUNCTION, 1),
    ("in_state('D')", codes.UNKNOWN_STATE_IN_EXPRESSION, 10),
    # Types.
    ("name == 1", codes.EXPRESSION_TYPE, 9),
    ("count == 'x'", codes.EXPRESSION_TYPE, 10),
    ("flag == count", codes.EXPRESSION_TYPE, 9),
    ("name < count", codes.EXPRESSION_TYPE, 8),
    ("due < seen", codes.EXPRESSION_TYPE, 7),
    ("amount * ratio > 1", codes.EXPRESSION_TYPE, 8),
    ("name - 'a'", codes.EXPRESSION_TYPE, 6),
    ("flag + 1", codes.EXPRESSION_TYPE, 6),
    ("-name", codes.EXPRESSION_TYPE, 1),
    ("len(count)", codes.EXPRESSION_TYPE, 5),
    ("abs(name)", codes.EXPRESSION_TYPE, 5),
    ("min(count, name)", codes.EXPRESSION_TYPE, 12),
    ("max([])", codes.EXPRESSION_TYPE, 5),
    ("count in name", codes.EXPRESSION_TYPE, 1),
    ("count in ratio", codes.EXPRESSION_TYPE, 10),
    ("name in items", codes.EXPRESSION_TYPE, 1),
    ("[1, 'a']", codes.EXPRESSION_TYPE, 5),
    ("count['k']", codes.EXPRESSION_TYPE, 7),
    ("items['k']", codes.EXPRESSION_TYPE, 7),
    ("scores[0]", codes.EXPRESSION_TYPE, 8),
    ("count is None", codes.EXPRESSION_TYPE, 1),
    ("items and flag", codes.EXPRESSION_TYPE, 1),
    ("not count", codes.EXPRESSION_TYPE, 5),
    # Values that may be None.
    ("limit > 3", codes.MAY_BE_NONE, 1),
    ("limit + 1 == 2", codes.MAY_BE_NONE, 1),
    ("len(nick) > 0", codes.MAY_BE_NONE, 5),
    ("'a' in nick", codes.MAY_BE_NONE, 8),
    ("nick in name", codes.MAY_BE_NONE, 1),
    ("-limit", codes.MAY_BE_NONE, 2),
    ("maybe and flag", codes.MAY_BE_NONE, 1),
    ("limit is not None or limit > 3", codes.MAY_BE_NONE, 22),
    ("hint > 1", codes.MAY_BE_NONE, 1),
    # Enum values.
    ("status == 'payed'", codes.UNKNOWN_ITEM, 11),
    ("'shiped' != status", codes.UNKNOWN_ITEM, 1),
    ("status in ('new', 'pad')", codes.UNKNOWN_ITEM, 19),
    # Degenerate forms.
    ("amount > amount", codes.DEGENERATE_EXPRESSION, 10),
    ("ratio == ratio", codes.DEGENERATE_EXPRESSION, 10),
    ("flag and count > 1 and not flag", codes.DEGENERATE_EXPRESSION, 24),
    ("(count > 1) or not (count > 1)", codes.DEGENERATE_EXPRESSION, 16),
    ("- -count", codes.DEGENERATE_EXPRESSION, 1),
    ("flag and False", codes.DEGENERATE_EXPRESSION, 10),
    ("True or flag", codes.DEGENERATE_EXPRESSION, 1),
    ("count > 1 or 2 > 1", codes.DEGENERATE_EXPRESSION, 14),
    ("flag and not (1 > 2)", codes.DEGENERATE_EXPRESSION, 10),
    # Limits.
    ("count > " + "9" * 101, codes.EXPRESSION_LIMIT, 9),
    ("name == '" + "x" * 1001 + "'", codes.EXPRESSION_LIMIT, 9),
    ("count > 0 and " * 150 + "flag", codes.EXPRESSION_LIMIT, 1),
    ("-" * 70 + "count", codes.EXPRESSION_LIMIT, 65),
    ("not " * 70 + "flag", codes.EXPRESSION_LIMIT, 257),
    ("(" * 250 + "count" + ")" * 250, codes.EXPRESSION_SYNTAX, 201),
]


@pytest.mark.parametrize(
    ("text", "code", "column"), REFUSED, ids=[repr(t[:40]) for t, _, _ in REFUSED]
)
def test_refused_at_the_exact_column(text: str, code: str, column: int) -> None:
    checked = value(text)
    assert checked.expr is None
    assert located(checked.diagnostics) == [(code, 1, column)], checked.diagnostics
    diagnostic = checked.diagnostics[0]
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.message and "\n" not in diagnostic.message


def test_every_expression_code_is_in_the_table_and_reported() -> None:
    assert set(codes.EXPRESSION_CODES) <= set(codes.CODES)
    assert all(320 <= int(code[2:]) < 340 for code in codes.EXPRESSION_CODES)
    reported = {code for _, code, _ in REFUSED}
    reported |= {d.code for d in assignment("count", "name").diagnostics}
    reported |= {d.code for d in assignment("cuont", "1").diagnostics}
    # Guard parameters and check: guards have their own tests, which report
    # GUARD_PARAMS_CONFLICT, BAD_GUARD_PARAM and BAD_CHECK.
    elsewhere = {codes.GUARD_PARAMS_CONFLICT, codes.BAD_GUARD_PARAM, codes.BAD_CHECK}
    assert reported | elsewhere == set(codes.EXPRESSION_CODES)


def test_independent_mistakes_are_all_reported_once() -> None:
    checked = value("amont > 1 and name == 2 and (count ** 2 > 1 or x.y)")
    assert located(checked.diagnostics) == [
        (codes.UNKNOWN_NAME, 1, 1),
        (codes.EXPRESSION_TYPE, 1, 23),
        (codes.EXPRESSION_NOT_ALLOWED, 1, 36),
        (codes.EXPRESSION_NOT_ALLOWED, 1, 49),
    ]


def test_messages_suggest_and_explain() -> None:
    assert "did you mean 'amount'?" in value("amont > 1").diagnostics[0].message
    assert "did you mean 'paid'?" in value("status == 'pad'").diagnostics[0].message
    assert "did you mean 'len'?" in value("lenn(items)").diagnostics[0].message
    assert "did you mean 'B'?" in value("in_state('b')").diagnostics[0].message
    assert "limit is not None" in value("limit > 3").diagnostics[0].message
    assert "is None" in value("nick == None").diagnostics[0].message
    no_context = Scope({})
    assert "declares no context" in value("x > 1", no_context).diagnostics[0].message


def test_guard_must_be_a_condition() -> None:
    assert guard("count > 1").ok
    assert guard("extra").ok  # any: its truth is taken
    refused = guard("  count + 1")
    assert located(refused.diagnostics) == [(codes.EXPRESSION_TYPE, 1, 3)]
    assert "condition" in refused.diagnostics[0].message


def test_narrowing_reaches_only_where_mypy_narrows() -> None:
    assert guard("limit is not None and (flag or limit > 1)").ok
    assert guard("(limit is not None and nick is not None) and limit > len(nick)").ok
    assert guard("not (limit is None or nick is None) and limit > len(nick)").ok
    assert guard("(limit is not None or limit is not None) and limit > 1").ok
    assert not guard("(limit is not None or flag) and limit > 1").ok
    assert not guard("(limit is None and flag) or limit > 1").ok
    assert not guard("limit is not None and flag or limit > 1").ok


def test_field_reads_say_how_to_read() -> None:
    checked = value("limit is not None and limit > count")
    assert isinstance(checked.expr, BoolOp)
    presence, comparison = checked.expr.values
    assert isinstance(presence, Compare) and isinstance(comparison, Compare)
    assert presence.left == FieldRead("limit", OptionalType(INT), True)
    assert comparison.left == FieldRead("limit", INT, True)
    assert comparison.comparators[0] == FieldRead("count", INT, False)


def test_nested_boolean_operators_are_merged_and_positions_kept() -> None:
    flat = value("flag and (flag and (count > 1 and flag))").expr
    assert isinstance(flat, BoolOp) and len(flat.values) == 4
    assert flat == value("flag and flag and count > 1 and flag").expr
    assert flat.values[2].pos is not None and flat.values[2].pos.column == 21


def test_negative_literals_and_identifier_normal_forms() -> None:
    assert value("-5").expr == Literal(-5, INT)
    assert value("-(2.5)").expr == Literal(-2.5, FLOAT)
    scope = Scope({"ﬁeld": INT})  # declared with a ligature; Python reads "field"
    checked = value("ﬁeld > 1", scope)
    assert isinstance(checked.expr, Compare)
    assert checked.expr.left == FieldRead("ﬁeld", INT)


def test_records_read_by_key() -> None:
    address = RecordType(
        (RecordField("city", STR), RecordField("zip", STR, optional=True))
    )
    scope = Scope({"address": address, "where": OptionalType(address)})
    city = value("address['city'] == 'Paris'", scope).expr
    assert isinstance(city, Compare) and city.left == Item(
        FieldRead("address", address), "city", STR
    )
    zip_code = value("address['zip'] is None", scope).expr
    assert isinstance(zip_code, Compare)
    assert zip_code.left == Item(
        FieldRead("address", address), "zip", OptionalType(STR), True
    )
    assert value("'zip' in address and len(address) > 0", scope).ok
    assert value("where is not None and where['city'] == 'x'", scope).ok
    assert located(value("address['cty']", scope).diagnostics) == [
        (codes.UNKNOWN_ITEM, 1, 9)
    ]
    assert (
        "did you mean 'city'?" in value("address['cty']", scope).diagnostics[0].message
    )
    assert located(value("where['city']", scope).diagnostics) == [
        (codes.MAY_BE_NONE, 1, 1)
    ]
    assert not value("address['zip'] > 'a'", scope).ok


def test_enum_fields_compare_with_their_values() -> None:
    status = FIELDS["status"]
    assert isinstance(status, EnumType)
    assert value("status == name and status < 'z'").ok
    checked = value("status in ('new', 'paid')")
    assert isinstance(checked.expr, Compare)
    assert checked.expr.ops == (CompareOp.IN,)


def test_assignments_fit_their_fields() -> None:
    assert assignment("count", "count + 1").ok
    assert assignment("ratio", "count + 1").ok  # an int fits a float
    assert assignment("amount", "amount * 2").ok
    assert assignment("status", "'paid'").ok
    assert assignment("name", "status").ok
    assert assignment("items", "[]").ok
    assert assignment("limit", "count").ok  # T? takes a T
    assert assignment("extra", "name").ok
    assert assignment("count", "extra").ok
    refusals = {
        ("count", "name"): (codes.ASSIGN_TYPE, 1, 1),
        ("count", "ratio"): (codes.ASSIGN_TYPE, 1, 1),
        ("count", "flag"): (codes.ASSIGN_TYPE, 1, 1),
        ("amount", "1"): (codes.ASSIGN_TYPE, 1, 1),
        ("status", "'payed'"): (codes.ASSIGN_TYPE, 1, 1),
        ("status", "name"): (codes.ASSIGN_TYPE, 1, 1),
        ("count", "limit"): (codes.ASSIGN_TYPE, 1, 1),
        ("items", "tags"): (codes.ASSIGN_TYPE, 1, 1),
        ("cuont", "1"): (codes.UNKNOWN_ASSIGN_FIELD, 9, 3),
        ("count", "cuont + 1"): (codes.UNKNOWN_NAME, 1, 1),
    }
    for (target, text), expected in refusals.items():
        checked = assignment(target, text)
        assert located(checked.diagnostics) == [expected], (target, text)
    assert "did you mean 'count'?" in assignment("cuont", "1").diagnostics[0].message
    assert "may be None" in assignment("count", "limit").diagnostics[0].message


def test_scope_of_the_model_context() -> None:
    from gubernator_gen.diagnostics import SourcePos
    from gubernator_gen.model import ContextField, ContextType, simple_type

    pos = SourcePos("spec.yaml", 1, 1)
    scope = Scope.of(
        [
            ContextField("amount", simple_type(ContextType.DECIMAL), False, pos),
            ContextField("items", simple_type(ContextType.LIST), True, pos),
            ContextField("blob", simple_type(ContextType.ANY), True, pos),
        ],
        ["A"],
    )
    assert scope.fields == {
        "amount": DECIMAL,
        "items": OptionalType(ListType(ANY)),
        "blob": OptionalType(ANY),
    }
    assert scope.states == ("A",)
    assert value("blob is not None and blob > 1", scope).ok
    assert not value("blob > 1", scope).ok
    assert SCOPE.resolve("amount") == "amount"


def test_scope_of_rich_context_types() -> None:
    from gubernator_gen.diagnostics import SourcePos
    from gubernator_gen.expressions import EnumType, RecordField, RecordType
    from gubernator_gen.model import ContextField, ContextType, NamedType
    from gubernator_gen.model import EnumType as ModelEnum
    from gubernator_gen.model import ListType as ModelList
    from gubernator_gen.model import RecordType as ModelRecord

    pos = SourcePos("spec.yaml", 1, 1)
    geo = ModelRecord((ContextField("lat", NamedType(ContextType.FLOAT), True, pos),))
    scope = Scope.of(
        [
            ContextField("status", ModelEnum(("new", "paid")), False, pos),
            ContextField("lines", ModelList(NamedType(ContextType.INT)), False, pos),
            ContextField("geo", geo, False, pos),
        ]
    )
    assert scope.fields == {
        "status": EnumType(("new", "paid")),
        "lines": ListType(INT),
        "geo": RecordType((RecordField("lat", FLOAT, True),)),
    }
