"""The quick schema check: its "valid" is never wrong, and valid specs get it.

``schema_fast`` answers yes only when jsonschema would report nothing
(the front end then skips jsonschema). Random instances are drawn by walking
the shipped schema itself (so the test follows any change to it), close to
valid with a few wrong values, and the two validators are compared; valid
specs of every kind must take the quick path, or it saves nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_frontend_properties import _mutate, valid_specs

from gubernator_gen.frontend import schema, schema_fast
from gubernator_gen.frontend.load import load_path
from gubernator_gen.frontend.tree import MapNode

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Values that sit on the edges of the schema's rules.
EDGE_STRINGS = st.sampled_from(
    ["", "A", "a b", " A", "A ", "A\n", "x" * 200, "x" * 201, "1.0.0", "1.0",
     "_x", "2fa", "class", "é", "\x85", "stable", "initial", "str", "list[int]",
     "*", "eq", "a\tb"]
)  # fmt: skip
EDGE_NUMBERS = st.sampled_from(
    [0, 1, -1, 100, 101, 0.0, 1.0, 0.5, -0.5, 2.0, math.nan, math.inf, -math.inf,
     True, False, 10**30]
)  # fmt: skip
# Ordinary values, so that many drawn instances are valid.
ORDINARY_STRINGS = ["A", "go", "g_1", "pending", "1.0.0", "str", "int?", "eq"]
JUNK = (
    st.none()
    | st.booleans()
    | EDGE_NUMBERS
    | EDGE_STRINGS
    | st.just([])
    | st.just({})
)


def _quick() -> schema_fast.Check:
    check = schema._surely_valid()
    assert check is not None, "the shipped schema must compile to a quick check"
    return check


def _jsonschema_finds_nothing(instance: object) -> bool:
    return next(iter(schema._validator().iter_errors(instance)), None) is None


# What the inlined schema's $refs name (a state's nested states).
DEFINITIONS: Mapping[str, Any] = schema._inlined().get("definitions", {})
REF = "#/definitions/"


@st.composite
def instances(draw: st.DrawFn, sub: object, depth: int = 0) -> object:
    """A value for the (inlined) schema ``sub``: mostly fitting, sometimes not."""
    if depth > 8 or not isinstance(sub, Mapping) or draw(st.integers(0, 40)) == 0:
        return draw(JUNK)
    if "$ref" in sub:
        return draw(instances(DEFINITIONS[sub["$ref"][len(REF) :]], depth + 1))
    for combinator in ("anyOf", "allOf"):
        if combinator in sub:
            branch = draw(st.sampled_from(sub[combinator]))
            return draw(instances(branch, depth + 1))
    if "if" in sub:
        return draw(instances(draw(st.sampled_from([sub["then"], sub["else"]])), depth))
    if "enum" in sub:
        return draw(st.sampled_from(sub["enum"]) | JUNK)
    kinds = sub.get("type")
    kind = draw(st.sampled_from(kinds)) if isinstance(kinds, list) else kinds
    if kind == "object" or "properties" in sub:
        return draw(_objects(sub, depth))
    if kind == "array":
        item = sub.get("items", {})
        return draw(st.lists(instances(item, depth + 1), max_size=3))
    if kind == "string":
        pattern = schema_fast.full_match(sub.get("pattern", ""))
        fitting = [text for text in ORDINARY_STRINGS if pattern.search(text)]
        ordinary_text = st.sampled_from(fitting)
        return draw(ordinary_text if draw(st.integers(0, 3)) else EDGE_STRINGS)
    if kind in ("integer", "number"):
        ordinary = st.sampled_from([0, 1, 5, 3600])
        return draw(ordinary if draw(st.integers(0, 3)) else EDGE_NUMBERS)
    if kind == "boolean":
        return draw(st.booleans() | JUNK)
    return draw(JUNK)


@st.composite
def _objects(draw: st.DrawFn, sub: Mapping[str, Any], depth: int) -> dict[str, Any]:
    properties: Mapping[str, Any] = sub.get("properties", {})
    result: dict[str, Any] = {}
    names = st.sampled_from(sorted(properties)) if properties else st.nothing()
    for key in draw(st.lists(names, unique=True)):
        result[key] = draw(instances(properties[key], depth + 1))
    for key in sub.get("required", ()):
        if key not in result and draw(st.integers(0, 30)):
            result[key] = draw(instances(properties.get(key, {}), depth + 1))
    extra = sub.get("additionalProperties", True)
    if extra is not False and draw(st.integers(0, 3)) == 0:
        value_schema = extra if isinstance(extra, Mapping) else {}
        result[draw(EDGE_STRINGS)] = draw(instances(value_schema, depth + 1))
    elif draw(st.integers(0, 30)) == 0:
        result[draw(EDGE_STRINGS)] = draw(JUNK)
    return result


_SCHEMA_VALUED = frozenset(
    {"items", "additionalProperties", "propertyNames", "if", "then", "else"}
)


def _subschemas(sub: object) -> list[Mapping[str, Any]]:
    """``sub`` and every schema inside it, each once per place."""
    if not isinstance(sub, Mapping):
        return []
    found = [sub]
    for key, value in sub.items():
        if key == "properties":
            for inner in value.values():
                found.extend(_subschemas(inner))
        elif key in ("anyOf", "allOf"):
            for inner in value:
                found.extend(_subschemas(inner))
        elif key in _SCHEMA_VALUED:
            found.extend(_subschemas(value))
        elif key == "definitions":
            for inner in value.values():
                found.extend(_subschemas(inner))
    return found


def _with_definitions(sub: Mapping[str, Any]) -> dict[str, Any]:
    """``sub`` as a document of its own: its $refs resolve in it."""
    return {**sub, "definitions": DEFINITIONS}


SUBSCHEMAS = _subschemas(schema._inlined())


def test_the_shipped_schema_compiles() -> None:
    _quick()
    assert len(SUBSCHEMAS) > 50


@SETTINGS
@given(st.data())
def test_quick_yes_means_jsonschema_finds_nothing(data: st.DataObject) -> None:
    """On the whole schema and on every part of it (where valid instances
    are common enough to test both answers)."""
    sub = data.draw(st.sampled_from(SUBSCHEMAS))
    instance = data.draw(instances(sub))
    document = _with_definitions(sub)
    quick = schema_fast.compile_schema(document)(instance)
    judge = schema._validator_class()(document)
    finds_nothing = not list(judge.iter_errors(instance))
    if quick:
        assert finds_nothing, instance
    elif finds_nothing:
        # Only the subtle values (floats, for "integer" and NaN) go to
        # jsonschema needlessly.
        assert _has_float(instance), instance


def _has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, list):
        return any(_has_float(item) for item in value)
    if isinstance(value, dict):
        return any(_has_float(item) for item in value.values())
    return False


@SETTINGS
@given(st.data())
def test_valid_specs_take_the_quick_path(data: st.DataObject) -> None:
    spec = data.draw(valid_specs())
    assert _jsonschema_finds_nothing(spec)
    assert _quick()(spec)
    for _ in range(data.draw(st.integers(1, 3))):
        spec = _mutate(spec, data.draw)
    if _quick()(spec):
        assert _jsonschema_finds_nothing(spec), spec


def _spec_files() -> list[Path]:
    return sorted(
        [*ROOT.glob("examples/*/*.yaml"), *ROOT.glob("tests/cases/generate/*.yaml")]
    )


@pytest.mark.parametrize("path", _spec_files(), ids=lambda path: path.name)
def test_every_generating_spec_takes_the_quick_path(path: Path) -> None:
    root = load_path(path, defines={}, environ={}).root
    assert isinstance(root, MapNode)
    assert _quick()(schema._to_plain(root, [], {}))


def test_every_diagnostic_case_is_judged_alike() -> None:
    """On every diagnostic case, quick yes only where jsonschema has nothing."""
    judged = 0
    for path in sorted(ROOT.glob("tests/cases/diagnostics/*.yaml")):
        root = load_path(path, defines={}, environ={}).root
        if not isinstance(root, MapNode):
            continue
        instance = schema._to_plain(root, [], {})
        judged += 1
        if _quick()(instance):
            assert _jsonschema_finds_nothing(instance), path.name
    assert judged > 20


@pytest.mark.parametrize(
    ("sub", "instance"),
    [
        ({"type": "integer"}, 1.0),  # an integer for jsonschema, not here
        ({"type": "integer", "minimum": 0}, 2.0),
        ({"type": "number", "minimum": 0}, math.nan),  # jsonschema lets NaN pass
        ({"enum": [1, 2]}, 1),  # non-string enums: jsonschema's equality rules
        ({"enum": [True]}, True),
    ],
)
def test_subtle_values_are_left_to_jsonschema(sub: object, instance: object) -> None:
    assert not schema_fast.compile_schema(sub)(instance)


@pytest.mark.parametrize(
    "sub",
    [
        {"oneOf": [{"type": "string"}]},
        {"$ref": "#/definitions/x"},
        {"items": [{"type": "string"}]},
        {"type": "float"},
        {"not": {}},
        {"properties": {"a": {"const": 1}}},
    ],
)
def test_unknown_keywords_are_refused(sub: object) -> None:
    with pytest.raises(schema_fast.UnsupportedSchema):
        schema_fast.compile_schema(sub)


@pytest.mark.parametrize(
    ("sub", "good", "bad"),
    [
        ({"type": ["string", "null"]}, None, 1),
        ({"pattern": "^[a-z]+$"}, "abc", "abc\n"),
        ({"maxLength": 2}, "ab", "abc"),
        ({"minItems": 1}, [1], []),
        ({"required": ["a"]}, {"a": 1}, {"b": 1}),
        ({"properties": {"a": {"type": "string"}}}, {"a": "x", "b": 1}, {"a": 1}),
        ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1}, {"b": 1}),
        ({"additionalProperties": {"type": "string"}}, {"b": "x"}, {"b": 1}),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1}, {"A": 1}),
        ({"items": {"type": "string"}}, ["a"], ["a", 1]),
        ({"anyOf": [{"type": "string"}, {"type": "array"}]}, [], {}),
        ({"allOf": [{"minimum": 0}, {"maximum": 2}]}, 1, 3),
        ({"exclusiveMinimum": 0}, 0.5, 0),
        ({"exclusiveMaximum": 1}, 0.5, 1),
        ({"enum": ["a", 1]}, "a", "b"),
        (
            {"if": {"required": ["m"]}, "then": {"required": ["n"]}, "else": {}},
            {"s": 1},
            {"m": 1},
        ),
        (True, None, None),
        (False, None, None),
    ],
)
def test_each_keyword_accepts_and_rejects_as_jsonschema(
    sub: object, good: object, bad: object
) -> None:
    check = schema_fast.compile_schema(sub)
    judge = schema._validator_class()(sub)
    if sub is not False:
        assert check(good) and judge.is_valid(good)
    if sub is not True:
        assert not check(bad) and not judge.is_valid(bad)


def test_then_and_else_without_if_are_ignored() -> None:
    sub = {"then": {"required": ["n"]}, "else": {"required": ["n"]}}
    validator = schema._validator_class()(sub)
    assert schema_fast.compile_schema(sub)({}) and validator.is_valid({})


def test_a_ref_follows_the_definitions_recursively() -> None:
    node = {
        "type": "object",
        "properties": {"kids": {"type": "array", "items": {"$ref": "#/definitions/n"}}},
        "additionalProperties": False,
    }
    sub = {"definitions": {"n": node}, "$ref": "#/definitions/n"}
    check = schema_fast.compile_schema(sub)
    judge = schema._validator_class()(sub)
    good = {"kids": [{"kids": []}, {}]}
    bad = {"kids": [{"kids": [{"x": 1}]}]}
    assert check(good) and judge.is_valid(good)
    assert not check(bad) and not judge.is_valid(bad)


@pytest.mark.parametrize(
    "sub",
    [
        {"$ref": "#/definitions/missing"},
        {"$ref": "other.json#/definitions/n", "definitions": {"n": {}}},
        {"$ref": "#/definitions/n", "type": "string", "definitions": {"n": {}}},
    ],
    ids=["missing", "elsewhere", "beside-a-keyword"],
)
def test_refs_it_cannot_follow_are_refused(sub: object) -> None:
    with pytest.raises(schema_fast.UnsupportedSchema):
        schema_fast.compile_schema(sub)
