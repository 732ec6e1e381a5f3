"""A quick, conservative answer to "does this document satisfy the schema?".

jsonschema explains errors well but walks a valid document slowly: for a
machine of thousands of transitions it takes most of the front end's time
to find nothing. :func:`compile_schema` turns the (inlined) schema into
nested closures that only answer yes or no, many times faster. The answer
is one-sided by design: *yes* means jsonschema would report nothing, so
:mod:`gubernator_gen.frontend.schema` may skip it; *no* means "ask
jsonschema", which then finds and explains the errors exactly as before.
Wherever a rule's exact meaning is subtle (a float that is an integer, an
``enum`` of mixed types, NaN), the closure says *no*.

Only the keywords the spec schema uses are understood; a schema with any
other keyword is refused at compile time (:class:`UnsupportedSchema`), and
the caller then always asks jsonschema.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: A compiled schema: true only when jsonschema would find no error.
Check = Callable[[object], bool]

# Keywords that never reject anything.
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$schema", "$id", "$comment"}
)


class UnsupportedSchema(Exception):
    """The schema uses a keyword (or form) this module does not compile."""


@functools.cache
def full_match(pattern: str) -> re.Pattern[str]:
    """``pattern`` as the spec schema means it: a ``$`` ends the string.

    Python's ``$`` also matches before a final newline, so ``"PAID\\n"``
    (from a block scalar) would pass a plain search; names must not carry one.
    """
    anchored = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    return re.compile(anchored)


def compile_schema(schema: object) -> Check:
    """A yes/no check of ``schema`` (with no ``$ref``: inline them first)."""
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, Mapping):
        raise UnsupportedSchema(f"a schema must be a mapping, not {schema!r}")
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword in ("properties", "additionalProperties"):
            continue  # compiled together below
        compiler = _KEYWORDS.get(keyword)
        if compiler is None:
            raise UnsupportedSchema(f"keyword {keyword!r}")
        checks.append(compiler(value, schema))
    if "properties" in schema or "additionalProperties" in schema:
        checks.append(_properties(schema))
    return _all(checks)


def _always(instance: object) -> bool:
    return True


def _never(instance: object) -> bool:
    return False


def _all(checks: Sequence[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    # Loops rather than all(<generator>) here and below: these closures run
    # for every node of the document, and a generator costs a frame each.
    def check_all(instance: object) -> bool:
        for check in frozen:  # noqa: SIM110 (see above)
            if not check(instance):
                return False
        return True

    return check_all


# Draft 7's types for the values a positioned tree holds (None, bool, int,
# float, str, list, dict). A float that is an integer counts as "integer"
# for jsonschema; here it does not, which can only send it to jsonschema.
_TYPES: Mapping[str, Callable[[object], bool]] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    ),
}


def _type(value: object, schema: Mapping[str, Any]) -> Check:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(name in _TYPES for name in names):
        raise UnsupportedSchema(f"type {value!r}")
    tests = tuple(_TYPES[name] for name in names)
    if len(tests) == 1:
        return tests[0]
    return lambda instance: any(test(instance) for test in tests)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bound(
    relation: Callable[[Any, Any], bool],
) -> Callable[[object, Mapping[str, Any]], Check]:
    def compile_bound(limit: object, schema: Mapping[str, Any]) -> Check:
        if not _is_number(limit):
            raise UnsupportedSchema(f"bound {limit!r}")
        # Written so that NaN fails: jsonschema lets it pass, so ask it.
        return lambda instance: not _is_number(instance) or relation(instance, limit)

    return compile_bound


def _max_length(limit: object, schema: Mapping[str, Any]) -> Check:
    if not isinstance(limit, int):
        raise UnsupportedSchema(f"maxLength {limit!r}")
    return lambda instance: not isinstance(instance, str) or len(instance) <= limit


def _min_items(limit: object, schema: Mapping[str, Any]) -> Check:
    if not isinstance(limit, int):
        raise UnsupportedSchema(f"minItems {limit!r}")
    return lambda instance: not isinstance(instance, list) or len(instance) >= limit


def _pattern(pattern: object, schema: Mapping[str, Any]) -> Check:
    if not isinstance(pattern, str):
        raise UnsupportedSchema(f"pattern {pattern!r}")
    search = full_match(pattern).search
    return lambda text: not isinstance(text, str) or search(text) is not None


def _enum(choices: object, schema: Mapping[str, Any]) -> Check:
    # Strings only: jsonschema's equality between bools, ints and floats
    # has its own rules, and an instance of another type goes to it.
    if not isinstance(choices, list):
        raise UnsupportedSchema(f"enum {choices!r}")
    allowed = frozenset(choice for choice in choices if isinstance(choice, str))
    return lambda instance: isinstance(instance, str) and instance in allowed


def _required(keys: object, schema: Mapping[str, Any]) -> Check:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise UnsupportedSchema(f"required {keys!r}")
    needed = tuple(keys)
    return lambda instance: (
        not isinstance(instance, dict) or all(key in instance for key in needed)
    )


def _properties(schema: Mapping[str, Any]) -> Check:
    """``properties`` and ``additionalProperties`` together (the second
    applies to the keys the first does not name)."""
    named = schema.get("properties", {})
    if not isinstance(named, Mapping):
        raise UnsupportedSchema(f"properties {named!r}")
    checks = {key: compile_schema(sub) for key, sub in named.items()}
    extra = schema.get("additionalProperties", True)
    other = compile_schema(extra)
    get = checks.get

    def check(instance: object) -> bool:
        if isinstance(instance, dict):
            for key, value in instance.items():
                if not get(key, other)(value):
                    return False
        return True

    return check


def _property_names(sub: object, schema: Mapping[str, Any]) -> Check:
    check = compile_schema(sub)
    return lambda instance: (
        not isinstance(instance, dict) or all(check(key) for key in instance)
    )


def _items(sub: object, schema: Mapping[str, Any]) -> Check:
    if isinstance(sub, list):
        raise UnsupportedSchema("items as a list of schemas")
    check = compile_schema(sub)

    def check_items(instance: object) -> bool:
        if isinstance(instance, list):
            for item in instance:
                if not check(item):
                    return False
        return True

    return check_items


def _branches(value: object) -> tuple[Check, ...]:
    if not isinstance(value, list) or not value:
        raise UnsupportedSchema(f"a list of schemas expected, not {value!r}")
    return tuple(compile_schema(sub) for sub in value)


def _any_of(value: object, schema: Mapping[str, Any]) -> Check:
    branches = _branches(value)

    def check_any(instance: object) -> bool:
        for branch in branches:  # noqa: SIM110 (a loop: see _all)
            if branch(instance):
                return True
        return False

    return check_any


def _all_of(value: object, schema: Mapping[str, Any]) -> Check:
    return _all(_branches(value))


def _if(condition: object, schema: Mapping[str, Any]) -> Check:
    test = compile_schema(condition)
    then = compile_schema(schema.get("then", True))
    otherwise = compile_schema(schema.get("else", True))
    return lambda instance: then(instance) if test(instance) else otherwise(instance)


def _part_of_if(value: object, schema: Mapping[str, Any]) -> Check:
    # Compiled with "if"; without one, jsonschema ignores them too.
    return _always


_KEYWORDS: Mapping[str, Callable[[Any, Mapping[str, Any]], Check]] = {
    "type": _type,
    "minimum": _bound(lambda value, limit: value >= limit),
    "maximum": _bound(lambda value, limit: value <= limit),
    "exclusiveMinimum": _bound(lambda value, limit: value > limit),
    "exclusiveMaximum": _bound(lambda value, limit: value < limit),
    "maxLength": _max_length,
    "minItems": _min_items,
    "pattern": _pattern,
    "enum": _enum,
    "required": _required,
    "propertyNames": _property_names,
    "items": _items,
    "anyOf": _any_of,
    "allOf": _all_of,
    "if": _if,
    "then": _part_of_if,
    "else": _part_of_if,
}
