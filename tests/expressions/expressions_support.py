"""Shared helpers for the expression-language tests: a rich scope, checking by
text, and a generated module (``Context`` plus emitted functions) to run or
to give to mypy.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from gubernator_gen.backend.expressions import (
    AnnotationNames,
    EmittedFunction,
    InStateForm,
    annotation,
)
from gubernator_gen.backend.literals import string_literal
from gubernator_gen.diagnostics import Diagnostic, SourcePos
from gubernator_gen.expressions import (
    ANY,
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    FLOAT,
    INT,
    STR,
    DictType,
    EnumType,
    ExprType,
    ListType,
    OptionalType,
)
from gubernator_gen.frontend.expressions import (
    Checked,
    ExpressionText,
    Scope,
    check_assignment,
    check_expression,
    check_guard,
)

PATH = "spec.yaml"
STATES = ("A", "B", "C")
IN_STATE = InStateForm({"A": ("A",), "B": ("B",), "C": ("C",)})

#: One field of every kind the language knows.
FIELDS: Mapping[str, ExprType] = MappingProxyType(
    {
        "amount": DECIMAL,
        "paid": OptionalType(DECIMAL),
        "name": STR,
        "nick": OptionalType(STR),
        "count": INT,
        "limit": OptionalType(INT),
        "ratio": FLOAT,
        "flag": BOOL,
        "maybe": OptionalType(BOOL),
        "items": ListType(INT),
        "tags": ListType(STR),
        "scores": DictType(INT),
        "status": EnumType(("new", "paid", "shipped")),
        "due": DATE,
        "start": DATE,
        "seen": DATETIME,
        "seen_at": DATETIME,
        "extra": ANY,
        "hint": OptionalType(ANY),
    }
)
SCOPE = Scope(FIELDS, STATES)


def text_at(text: str) -> ExpressionText:
    """``text`` placed on line 1 from column 1 (column = index + 1)."""
    return ExpressionText.at(text, SourcePos(PATH, 1, 1))


def guard(text: str, scope: Scope = SCOPE) -> Checked:
    """``text`` checked as a guard."""
    return check_guard(text_at(text), scope)


def value(text: str, scope: Scope = SCOPE) -> Checked:
    """``text`` checked as an expression of any type."""
    return check_expression(text_at(text), scope)


def assignment(target: str, text: str, scope: Scope = SCOPE) -> Checked:
    """``assign: {target: text}`` checked."""
    return check_assignment(target, SourcePos(PATH, 9, 3), text_at(text), scope)


def located(diagnostics: Iterable[Diagnostic]) -> list[tuple[str, int, int]]:
    """``(code, line, column)`` of each diagnostic."""
    return [(d.code, d.pos.line, d.pos.column) for d in diagnostics]


NAMES = AnnotationNames(
    decimal="Decimal", datetime="datetime", date="date", any="Any", literal="Literal"
)


def annotations(fields: Mapping[str, ExprType]) -> dict[str, str]:
    """Each field's annotation as a ``Context`` value type."""
    return {
        name: annotation(
            type_.inner if isinstance(type_, OptionalType) else type_, NAMES
        )
        for name, type_ in fields.items()
    }


def module_source(
    fields: Mapping[str, ExprType], functions: Sequence[EmittedFunction | str]
) -> str:
    """A module: imports, ``State``, ``Context`` for ``fields``, then functions."""
    spelled = annotations(fields)
    required = [n for n, t in fields.items() if not isinstance(t, OptionalType)]
    optional = [n for n, t in fields.items() if isinstance(t, OptionalType)]

    def entries(names: list[str]) -> str:
        return ", ".join(f"{string_literal(n)}: {spelled[n]}" for n in names)

    parts = [
        "import enum\n"
        "from datetime import date, datetime\n"
        "from decimal import Decimal\n"
        "from typing import Any, Literal, TypedDict\n",
        "class State(str, enum.Enum):\n"
        + "".join(f"    {s} = {string_literal(s)}\n" for s in STATES),
        f'_Required = TypedDict("_Required", {{{entries(required)}}})\n'
        f'_Optional = TypedDict("_Optional", {{{entries(optional)}}}, total=False)\n',
        "class Context(_Required, _Optional):\n    pass\n",
    ]
    for function in functions:
        parts.append(function if isinstance(function, str) else function.source)
    return "\n\n".join(parts)


def run_module(source: str) -> dict[str, object]:
    """Execute a generated module's source (tests only) and return its names."""
    namespace: dict[str, object] = {"__name__": "generated_for_test"}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace


def sample_value(type_: ExprType) -> object:
    """A fixed value of ``type_`` (for tests that need one)."""
    inner = type_.inner if isinstance(type_, OptionalType) else type_
    samples: dict[ExprType, object] = {
        DECIMAL: decimal.Decimal("12.50"),
        STR: "abc",
        INT: 3,
        FLOAT: 0.5,
        BOOL: True,
        DATE: datetime.date(2024, 1, 2),
        DATETIME: datetime.datetime(2024, 1, 2, 3, 4),
        ANY: 7,
    }
    if isinstance(inner, ListType):
        return [1, 2, 3] if inner.item is INT else ["a", "b"]
    if isinstance(inner, DictType):
        return {"a": 1, "k": 2}
    if isinstance(inner, EnumType):
        return inner.values[0]
    return samples[inner]
