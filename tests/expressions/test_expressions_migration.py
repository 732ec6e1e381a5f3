"""pystator-style ``check: {field, op, value}`` guards as expressions."""

from __future__ import annotations

import decimal

import pytest
from expressions_support import (
    FIELDS,
    IN_STATE,
    SCOPE,
    located,
    module_source,
    run_module,
)

from gubernator_gen.backend.expressions import guard_function
from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions.migration import (
    OPERATORS,
    FieldCheck,
    migrate_check,
)
from gubernator_gen.model import PlainData

FIELD_AT = SourcePos("spec.yaml", 5, 16)
OP_AT = SourcePos("spec.yaml", 5, 30)
VALUE_AT = SourcePos("spec.yaml", 5, 40)


def check(
    field: str,
    op: str,
    value: PlainData = None,
    values: tuple[PlainData, ...] | None = None,
) -> FieldCheck:
    return FieldCheck(field, op, FIELD_AT, value, values, OP_AT, VALUE_AT)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (check("count", "eq", 3), "count == 3"),
        (check("count", "neq", 3), "count != 3"),
        (check("count", "ne", 3), "count != 3"),
        (check("count", "gt", 3), "count > 3"),
        (check("count", "gte", 3), "count >= 3"),
        (check("count", "lt", 3), "count < 3"),
        (check("count", "lte", 3.5), "count <= 3.5"),
        (check("limit", "gt", 3), "limit is not None and limit > 3"),
        (check("status", "in", values=("new", "paid")), "status in ('new', 'paid')"),
        (check("count", "not_in", (1, 2)), "count not in (1, 2)"),
        (check("nick", "is_null"), "nick is None"),
        (check("nick", "is_set"), "nick is not None"),
        (check("nick", "is_not_null"), "nick is not None"),
        (check("nick", "eq", None), "nick is None"),
        (check("nick", "neq", None), "nick is not None"),
        (check("name", "contains", "ab"), "'ab' in name"),
        (check("nick", "contains", "ab"), "nick is not None and 'ab' in nick"),
        (check("items", "contains", 3), "3 in items"),
    ],
)
def test_each_operator_becomes_its_expression(spec: FieldCheck, text: str) -> None:
    migrated = migrate_check(spec, SCOPE)
    assert migrated.diagnostics == ()
    assert migrated.text == text
    assert migrated.expr is not None


def test_migrated_checks_behave_like_pystator() -> None:
    # pystator reads ctx.get(field): an absent field is None, and ordering a
    # missing value is false.
    cases = [
        (
            check("limit", "gt", 3),
            [({"limit": 5}, True), ({"limit": 1}, False), ({}, False)],
        ),
        (check("nick", "is_null"), [({}, True), ({"nick": "x"}, False)]),
        (check("limit", "in", (1, 2)), [({"limit": 2}, True), ({}, False)]),
        (check("limit", "not_in", (1, 2)), [({"limit": 2}, False), ({}, True)]),
        (check("amount", "gte", 10), [({"amount": decimal.Decimal("10.0")}, True)]),
        (check("nick", "contains", "b"), [({"nick": "abc"}, True), ({}, False)]),
    ]
    functions = []
    for index, (spec, _) in enumerate(cases):
        migrated = migrate_check(spec, SCOPE)
        assert migrated.expr is not None, migrated.diagnostics
        functions.append(
            guard_function(f"check_{index}", migrated.expr, in_state=IN_STATE)
        )
    module = run_module(module_source(FIELDS, functions))
    base = {"amount": decimal.Decimal(1), "count": 1}
    for index, (_, runs) in enumerate(cases):
        for ctx, expected in runs:
            assert module[f"check_{index}"]({**base, **ctx}) is expected  # type: ignore[operator]


def test_problems_are_located_at_the_part_at_fault() -> None:
    problems = {
        check("cuont", "eq", 1): (codes.UNKNOWN_NAME, FIELD_AT),
        check("name", "eq", 1): (codes.EXPRESSION_TYPE, VALUE_AT),
        check("status", "eq", "payed"): (codes.UNKNOWN_ITEM, VALUE_AT),
        check("count", "is_null"): (codes.EXPRESSION_TYPE, FIELD_AT),
        check("count", "greater", 1): (codes.BAD_CHECK, OP_AT),
        check("name", "starts_with", "a"): (codes.BAD_CHECK, OP_AT),
        check("name", "matches", "a.*"): (codes.BAD_CHECK, OP_AT),
        check("count", "in", 3): (codes.BAD_CHECK, OP_AT),
        check("count", "eq", ("a", 1)): (codes.EXPRESSION_TYPE, VALUE_AT),
    }
    for spec, (code, pos) in problems.items():
        migrated = migrate_check(spec, SCOPE)
        assert migrated.expr is None
        assert located(migrated.diagnostics) == [(code, pos.line, pos.column)], spec
    unknown = migrate_check(check("count", "gte_", 1), SCOPE).diagnostics[0]
    assert "did you mean 'gte'?" in unknown.message
    assert (
        "named guard"
        in migrate_check(check("name", "ends_with", "z"), SCOPE).diagnostics[0].message
    )


def test_the_operator_list_covers_pystators() -> None:
    pystator = {
        "eq",
        "neq",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "not_in",
        "is_set",
        "is_null",
    }
    assert pystator <= set(OPERATORS)
    assert {"contains", "starts_with", "ends_with", "matches"} <= set(OPERATORS)
