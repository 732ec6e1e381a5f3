"""Which types an operator accepts and what it gives: the language's type rules.

The rules are deliberately at least as strict as ``mypy --strict`` on the
emitted code (so that an expression that passes the checker never fails
mypy), and stricter where Python would only fail or say something useless
at run time: ``bool`` is not a number here, ``decimal`` does not mix with
``float`` in arithmetic, a ``datetime`` is not ordered against a ``date``,
and an equality between types that can never be equal (``str == int``) is
an error rather than a constant ``False``.
"""

from __future__ import annotations

from gubernator_gen.expressions import (
    ANY,
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    FLOAT,
    INT,
    NEVER,
    NONE,
    STR,
    ArithOp,
    DictType,
    EnumType,
    ExprType,
    ListType,
    LiteralValue,
    OptionalType,
    RecordType,
    TupleType,
    optional,
    without_none,
)

_NUMBERS = (INT, FLOAT, DECIMAL)


def a(type_: ExprType) -> str:
    """``type_`` with its indefinite article, for messages: ``an int``, ``a str``."""
    text = str(type_)
    return f"an {text}" if text[:1] in "aeiou" else f"a {text}"


def literal_type(value: LiteralValue) -> ExprType:
    """The type of a literal value."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    return STR


def is_number(type_: ExprType) -> bool:
    """``int``, ``float`` or ``decimal`` (``bool`` is not a number here)."""
    return type_ in _NUMBERS


def is_text(type_: ExprType) -> bool:
    """``str`` or an enum of strings."""
    return type_ is STR or isinstance(type_, EnumType)


def is_condition(type_: ExprType) -> bool:
    """True for what ``and``, ``or``, ``not`` and a guard accept."""
    return type_ in (BOOL, ANY)


def join(first: ExprType, second: ExprType) -> ExprType | None:
    """The type holding values of both, for list items and ``min``/``max``.

    ``None`` when the two do not mix (``int`` and ``str``).
    """
    if first == second:
        return first
    if first is NEVER or second is NEVER:
        return second if first is NEVER else first
    if ANY in (first, second):
        return ANY
    if (
        NONE in (first, second)
        or isinstance(first, OptionalType)
        or isinstance(second, OptionalType)
    ):
        inner = join(_some(first), _some(second))
        return None if inner is None else optional(inner)
    if {first, second} == {INT, FLOAT}:
        return FLOAT
    if is_text(first) and is_text(second):
        if isinstance(first, EnumType) and isinstance(second, EnumType):
            return EnumType(tuple(dict.fromkeys(first.values + second.values)))
        return STR
    if isinstance(first, TupleType) and isinstance(second, TupleType):
        item = join(first.item, second.item)
        return None if item is None else TupleType(item)
    if isinstance(first, ListType) and isinstance(second, ListType):
        item = join(first.item, second.item)
        return None if item is None else ListType(item)
    return None


def _some(type_: ExprType) -> ExprType:
    """``type_`` without ``None``; the type ``None`` itself becomes ``never``."""
    return NEVER if type_ is NONE else without_none(type_)


def can_be_equal(first: ExprType, second: ExprType) -> bool:
    """True when a value of ``first`` may ``==`` a value of ``second``."""
    first, second = _some(first), _some(second)
    if NEVER in (first, second) or ANY in (first, second):
        return True
    if is_number(first) and is_number(second):
        return True
    if is_text(first) and is_text(second):
        if isinstance(first, EnumType) and isinstance(second, EnumType):
            return bool(set(first.values) & set(second.values))
        return True
    if isinstance(first, ListType) and isinstance(second, ListType):
        return can_be_equal(first.item, second.item)
    if isinstance(first, TupleType) and isinstance(second, TupleType):
        return can_be_equal(first.item, second.item)
    if isinstance(first, DictType) and isinstance(second, DictType):
        return can_be_equal(first.value, second.value)
    return first == second


def can_be_ordered(first: ExprType, second: ExprType) -> bool:
    """True when ``<`` and friends apply (neither side may be ``None``)."""
    if ANY in (first, second):
        return True
    if is_number(first) and is_number(second):
        return True
    if is_text(first) and is_text(second):
        return True
    return first == second and first in (DATE, DATETIME)


def arithmetic(op: ArithOp, left: ExprType, right: ExprType) -> ExprType | None:
    """The type of ``left op right``, or ``None`` when it is refused."""
    if ANY in (left, right):
        other = right if left is ANY else left
        added = op is ArithOp.ADD and is_text(other)
        return ANY if other is ANY or is_number(other) or added else None
    if left in (INT, FLOAT) and right in (INT, FLOAT):
        if op is ArithOp.DIV or FLOAT in (left, right):
            return FLOAT
        return INT
    if DECIMAL in (left, right) and {left, right} <= {DECIMAL, INT}:
        return DECIMAL
    if op is ArithOp.ADD and is_text(left) and is_text(right):
        return STR
    return None


def negated(type_: ExprType) -> ExprType | None:
    """The type of ``-x``, or ``None`` when it is refused."""
    return type_ if type_ is ANY or is_number(type_) else None


def sized(type_: ExprType) -> bool:
    """True when ``len`` applies."""
    return (
        type_ is ANY
        or is_text(type_)
        or isinstance(type_, (ListType, TupleType, DictType, RecordType))
    )


def member_type(container: ExprType) -> ExprType | None:
    """What ``x in container`` compares ``x`` with, or ``None`` if refused.

    Items of a list or tuple, keys of a dict or record (strings), and
    substrings of a string.
    """
    if container is ANY:
        return ANY
    if isinstance(container, (ListType, TupleType)):
        return container.item
    if isinstance(container, (DictType, RecordType)) or is_text(container):
        return STR
    return None


def item_type(base: ExprType, key: str | int) -> ExprType | None:
    """The type of ``base[key]`` for a list, tuple, str or dict; ``None`` if refused.

    Records are looked up by the caller (their keys are names).
    """
    if base is ANY:
        return ANY
    if isinstance(key, int):
        if isinstance(base, (ListType, TupleType)):
            return base.item
        return STR if is_text(base) else None
    return base.value if isinstance(base, DictType) else None


def assignable(target: ExprType, value: ExprType, *, display: bool = False) -> bool:
    """True when a value of type ``value`` may be stored in a field of ``target``.

    A field that may be absent (``int?``) still holds an ``int`` when it is
    set, so ``None`` is never assignable. ``display`` is true for a list or
    tuple literal, whose items may widen (``[1, 2]`` fits ``list[float]``);
    any other list must match exactly, lists being mutable.
    """
    target = without_none(target)
    if ANY in (target, value) or value is NEVER:
        return True
    if value is NONE or isinstance(value, OptionalType):
        return False
    if target == value:
        return True
    if target is FLOAT and value is INT:
        return True
    if target is STR and isinstance(value, EnumType):
        return True
    if isinstance(target, EnumType) and isinstance(value, EnumType):
        return set(value.values) <= set(target.values)
    if display and isinstance(target, ListType) and isinstance(value, ListType):
        return assignable(target.item, value.item, display=True)
    return False
