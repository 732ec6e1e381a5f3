"""YAML 1.2 core schema: what a scalar means, and which tags are allowed.

Plain scalars resolve to null, booleans, integers (decimal, ``0o``, ``0x``),
floats (``.inf``, ``.nan`` included) or strings, the YAML 1.2 way: ``yes``,
``no``, ``on`` and ``off`` stay strings, and so do timestamps. Only the core
tags are accepted, and no tag ever constructs a Python object.
"""

from __future__ import annotations

import math
import re

from gubernator_gen.frontend import codes, limits
from gubernator_gen.frontend.tree import ScalarValue, quoted, shorten

CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (
    CORE + "str",
    CORE + "int",
    CORE + "float",
    CORE + "bool",
    CORE + "null",
)
SEQ, MAP = CORE + "seq", CORE + "map"

#: Plain scalars whose first character is not one of these are always
#: strings; checking it first keeps resolution cheap for the common case.
MAYBE_NOT_STRING = frozenset("0123456789-+.~nNtTfF")

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o([0-7]+)\Z")
_INT16 = re.compile(r"0x([0-9a-fA-F]+)\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_TAG_NAMES = {INT: "integer", FLOAT: "number", BOOL: "boolean", NULL: "null"}

#: A problem found while resolving: (code, message). The value that comes
#: with it is a stand-in (the scalar's text).
Problem = tuple[str, str]


class _TooLong:
    """Marks an integer literal with too many digits to convert."""


_TOO_LONG = _TooLong()


def resolve_scalar(
    value: str, tag: str | None, *, plain: bool
) -> tuple[ScalarValue, Problem | None]:
    """The value of a scalar with text ``value`` and ``tag`` (``None``: untagged).

    ``plain`` is false for quoted and block scalars, which are strings.
    """
    if tag is None:
        if not plain or (value and value[0] not in MAYBE_NOT_STRING):
            return value, None
        resolved = resolve_plain(value)
        if isinstance(resolved, _TooLong):
            return value, _too_long()
        return resolved, None
    if tag in ("!", STR):
        return value, None
    if tag in (INT, FLOAT, BOOL, NULL):
        resolved = resolve_plain(value)
        if isinstance(resolved, _TooLong):
            return value, _too_long()
        if tag == FLOAT and type(resolved) is int:
            resolved = float(resolved)
        if _tag_of(resolved) == tag:
            return resolved, None
        message = (
            f"{show_tag(tag)} {quoted(value, 40)} is not a valid {_TAG_NAMES[tag]}"
        )
        return value, (codes.BAD_TAGGED_VALUE, message)
    if tag in (SEQ, MAP):
        message = f"a scalar cannot be tagged {show_tag(tag)}"
        return value, (codes.BAD_TAGGED_VALUE, message)
    message = (
        f"unsupported YAML tag {show_tag(tag)}; only the core tags !!str, !!int, "
        "!!float, !!bool, !!null, !!map and !!seq are allowed"
    )
    return value, (codes.UNSUPPORTED_TAG, message)


def collection_tag_problem(tag: str | None, *, is_map: bool) -> Problem | None:
    """What is wrong with ``tag`` on a mapping (``is_map``) or list, if anything."""
    if tag in (None, "!", MAP, SEQ):
        if tag == (SEQ if is_map else MAP):
            kind = "a mapping" if is_map else "a list"
            return codes.BAD_TAGGED_VALUE, f"{kind} cannot be tagged {show_tag(tag)}"
        return None
    return (
        codes.UNSUPPORTED_TAG,
        f"unsupported YAML tag {show_tag(tag)}; only the core tags !!map, "
        "!!seq, !!str, !!int, !!float, !!bool and !!null are allowed",
    )


def resolve_plain(value: str) -> ScalarValue | _TooLong:
    """Resolve a plain scalar with the YAML 1.2 core schema."""
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT10.match(value):
        if len(value) > limits.MAX_INT_DIGITS:
            return _TOO_LONG
        return int(value, 10)
    match = _INT8.match(value)
    if match:
        too_long = len(value) > limits.MAX_INT_DIGITS
        return _TOO_LONG if too_long else int(match.group(1), 8)
    match = _INT16.match(value)
    if match:
        too_long = len(value) > limits.MAX_INT_DIGITS
        return _TOO_LONG if too_long else int(match.group(1), 16)
    if _FLOAT_RE.match(value):
        return float(value)
    match = _INF.match(value)
    if match:
        return -math.inf if match.group(1) == "-" else math.inf
    if _NAN.match(value):
        return math.nan
    return value


def show_tag(tag: str) -> str:
    """A tag as written in YAML: ``!!int`` for core tags, else shortened."""
    if tag.startswith(CORE):
        return "!!" + tag[len(CORE) :]
    return shorten(tag, 40)


def _too_long() -> Problem:
    return (
        codes.NUMBER_TOO_LONG,
        f"integer has more than {limits.MAX_INT_DIGITS} digits; quote it if it is text",
    )


def _tag_of(value: ScalarValue | _TooLong) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    return STR
