"""The static types of expressions, in the terms the spec's ``context:`` uses."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias


class Simple(enum.Enum):
    """Types without parameters.

    ``NONE`` is the type of the literal ``None``; ``NEVER`` is the item type
    of an empty list literal (it fits wherever a type is expected).
    """

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    DATE = "date"
    ANY = "any"
    NONE = "None"
    NEVER = "never"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class ListType:
    """``list[T]``."""

    item: ExprType

    def __str__(self) -> str:
        return f"list[{self.item}]"


@dataclass(frozen=True, slots=True)
class DictType:
    """``dict[str, T]``: string keys, values of one type."""

    value: ExprType

    def __str__(self) -> str:
        return f"dict[str, {self.value}]"


@dataclass(frozen=True, slots=True)
class TupleType:
    """``tuple[T, ...]``: a tuple literal, or a guard parameter given as a list."""

    item: ExprType

    def __str__(self) -> str:
        return f"tuple[{self.item}, ...]"


@dataclass(frozen=True, slots=True)
class OptionalType:
    """``T?``: a value that may be ``None`` (a field that may be absent)."""

    inner: ExprType

    def __str__(self) -> str:
        return f"{self.inner}?"


@dataclass(frozen=True, slots=True)
class EnumType:
    """``{enum: [a, b]}``: one of a fixed set of strings (a ``Literal``)."""

    values: tuple[str, ...]

    def __str__(self) -> str:
        return "enum[" + ", ".join(repr(value) for value in self.values) + "]"


@dataclass(frozen=True, slots=True)
class RecordField:
    """One key of a nested record; ``optional`` when it may be absent."""

    name: str
    type: ExprType
    optional: bool = False


@dataclass(frozen=True, slots=True)
class RecordType:
    """A nested record (``{fields: {...}}``, a nested ``TypedDict``)."""

    fields: tuple[RecordField, ...]

    def get(self, name: str) -> RecordField | None:
        """The field called ``name``, or ``None``."""
        return next((f for f in self.fields if f.name == name), None)

    def __str__(self) -> str:
        items = ", ".join(
            f"{f.name}: {f.type}{'?' if f.optional else ''}" for f in self.fields
        )
        return "{" + items + "}"


#: The static type of an expression.
ExprType: TypeAlias = (
    "Simple | ListType | DictType | TupleType | OptionalType | EnumType | RecordType"
)

STR, INT, FLOAT, BOOL = Simple.STR, Simple.INT, Simple.FLOAT, Simple.BOOL
DECIMAL, DATETIME, DATE = Simple.DECIMAL, Simple.DATETIME, Simple.DATE
ANY, NONE, NEVER = Simple.ANY, Simple.NONE, Simple.NEVER


def optional(inner: ExprType) -> ExprType:
    """``inner?``; ``None`` and optional types stay as they are."""
    if inner is NONE or isinstance(inner, OptionalType):
        return inner
    return OptionalType(inner)


def admits_none(type_: ExprType) -> bool:
    """True when a value of ``type_`` may be ``None``."""
    return type_ in (ANY, NONE) or isinstance(type_, OptionalType)


def without_none(type_: ExprType) -> ExprType:
    """``type_`` with ``None`` taken out (``int?`` → ``int``)."""
    return type_.inner if isinstance(type_, OptionalType) else type_
