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
the caller then always asks jsonschema. A ``$ref`` may name one of the
schema's ``definitions`` (the inlined spec schema keeps one, for the
recursion of nested states).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: A compiled schema: true only when jsonschema would find no error.
Check = Callable[[object], bool]

_DEFINITIONS = "#/definitions/"
# What may stand beside a $ref besides annotations (the definitions it names).
_BESIDE_REF = frozenset({"$ref", "definitions"})

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


def compile_schema(
    schema: object, definitions: Mapping[str, Any] | None = None
) -> Check:
    """A yes/no check of ``schema``.

    A ``$ref`` may only name one of ``definitions`` (by default the
    schema's own) as ``#/definitions/NAME``: the inlined spec schema keeps
    one for the recursion of nested states.
    """
    if definitions is None and isinstance(schema, Mapping):
        definitions = schema.get("definitions")
    return _Refs(definitions or {}).compile(schema)


class _Refs:
    """One compilation: the definitions, each compiled once when named.

    A definition that refers to itself is compiled while it is being
    compiled; its check then finds the finished check when it runs.
    """

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._definitions = definitions
        self._compiled: dict[str, Check] = {}

    def compile(self, schema: object) -> Check:
        """The check of ``schema`` (or of a part of it)."""
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(f"a schema must be a mapping, not {schema!r}")
        if "$ref" in schema:
            return self._ref(schema)
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword == "definitions":
                continue  # definitions are read where a $ref names them
            if keyword in ("properties", "additionalProperties"):
                continue  # compiled together below
            compiler = _KEYWORDS.get(keyword)
            if compiler is None:
                raise UnsupportedSchema(f"keyword {keyword!r}")
            checks.append(compiler(value, schema, self))
        if "properties" in schema or "additionalProperties" in schema:
            checks.append(_properties(schema, self))
        return _all(checks)

    def _ref(self, schema: Mapping[str, Any]) -> Check:
        # Draft 7 ignores the keywords beside a $ref; none is expected here.
        if any(k not in _ANNOTATIONS and k not in _BESIDE_REF for k in schema):
            raise UnsupportedSchema(f"keywords beside $ref: {sorted(schema)}")
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith(_DEFINITIONS):
            raise UnsupportedSchema(f"$ref {ref!r}")
        name = ref[len(_DEFINITIONS) :]
        if name not in self._definitions:
            raise UnsupportedSchema(f"$ref {ref!r}")
        compiled = self._compiled
        if name not in compiled:
            compiled[name] = _never  # while compiling it (never called then)
            compiled[name] = self.compile(self._definitions[name])
        return lambda instance: compiled[name](instance)


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


def _type(value: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
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
) -> Callable[[object, Mapping[str, Any], _Refs], Check]:
    def compile_bound(limit: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
        if not _is_number(limit):
            raise UnsupportedSchema(f"bound {limit!r}")
        # Written so that NaN fails: jsonschema lets it pass, so ask it.
        return lambda instance: not _is_number(instance) or relation(instance, limit)

    return compile_bound


def _max_length(limit: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    if not isinstance(limit, int):
        raise UnsupportedSchema(f"maxLength {limit!r}")
    return lambda instance: not isinstance(instance, str) or len(instance) <= limit


def _min_items(limit: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    if not isinstance(limit, int):
        raise UnsupportedSchema(f"minItems {limit!r}")
    return lambda instance: not isinstance(instance, list) or len(instance) >= limit


def _pattern(pattern: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    if not isinstance(pattern, str):
        raise UnsupportedSchema(f"pattern {pattern!r}")
    search = full_match(pattern).search
    return lambda text: not isinstance(text, str) or search(text) is not None


def _enum(choices: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    # Strings only: jsonschema's equality between bools, ints and floats
    # has its own rules, and an instance of another type goes to it.
    if not isinstance(choices, list):
        raise UnsupportedSchema(f"enum {choices!r}")
    allowed = frozenset(choice for choice in choices if isinstance(choice, str))
    return lambda instance: isinstance(instance, str) and instance in allowed


def _required(keys: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise UnsupportedSchema(f"required {keys!r}")
    needed = tuple(keys)
    return lambda instance: (
        not isinstance(instance, dict) or all(key in instance for key in needed)
    )


def _properties(schema: Mapping[str, Any], refs: _Refs) -> Check:
    """``properties`` and ``additionalProperties`` together (the second
    applies to the keys the first does not name)."""
    named = schema.get("properties", {})
    if not isinstance(named, Mapping):
        raise UnsupportedSchema(f"properties {named!r}")
    checks = {key: refs.compile(sub) for key, sub in named.items()}
    extra = schema.get("additionalProperties", True)
    other = refs.compile(extra)
    get = checks.get

    def check(instance: object) -> bool:
        if isinstance(instance, dict):
            for key, value in instance.items():
                if not get(key, other)(value):
                    return False
        return True

    return check


def _property_names(sub: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    check = refs.compile(sub)
    return lambda instance: (
        not isinstance(instance, dict) or all(check(key) for key in instance)
    )


def _items(sub: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    if isinstance(sub, list):
        raise UnsupportedSchema("items as a list of schemas")
    check = refs.compile(sub)

    def check_items(instance: object) -> bool:
        if isinstance(instance, list):
            for item in instance:
                if not check(item):
                    return False
        return True

    return check_items


def _branches(value: object, refs: _Refs) -> tuple[Check, ...]:
    if not isinstance(value, list) or not value:
        raise UnsupportedSchema(f"a list of schemas expected, not {value!r}")
    return tuple(refs.compile(sub) for sub in value)


def _any_of(value: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    branches = _branches(value, refs)

    def check_any(instance: object) -> bool:
        for branch in branches:  # noqa: SIM110 (a loop: see _all)
            if branch(instance):
                return True
        return False

    return check_any


def _all_of(value: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    return _all(_branches(value, refs))


def _if(condition: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    test = refs.compile(condition)
    then = refs.compile(schema.get("then", True))
    otherwise = refs.compile(schema.get("else", True))
    return lambda instance: then(instance) if test(instance) else otherwise(instance)


def _part_of_if(value: object, schema: Mapping[str, Any], refs: _Refs) -> Check:
    # Compiled with "if"; without one, jsonschema ignores them too.
    return _always


_KEYWORDS: Mapping[str, Callable[[Any, Mapping[str, Any], _Refs], Check]] = {
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
