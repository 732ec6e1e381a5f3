"""The published JSON Schema: valid, documented, and consistent with the checks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from frontend_support import BASE, codes_of, run

from gubernator_gen.frontend import schema, validate
from gubernator_gen.frontend.load import load_text
from gubernator_gen.frontend.state_view import HISTORY_TYPE, PARALLEL_TYPE
from gubernator_gen.frontend.tree import MapNode
from gubernator_gen.model import ContextType, HistoryDepth, StateKind

# Published at the package's top, where specs' `$schema=` lines point.
SCHEMA_FILE = Path(schema.__file__).parent.parent / "spec.schema.json"


def _plain(text: str) -> Any:
    root = load_text(text, path="t.yaml", defines={}, environ={}).root
    assert isinstance(root, MapNode)
    return schema._to_plain(root, [], {})


def _properties(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema that describes a named property, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties":
                for name, sub in value.items():
                    yield f"{path}/properties/{name}", sub
                    yield from _properties(sub, f"{path}/properties/{name}")
            elif isinstance(value, (dict, list)):
                yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _properties(item, f"{path}/{index}")


def test_schema_text_is_the_shipped_file_and_valid_draft7() -> None:
    text = schema.schema_json()
    assert text == SCHEMA_FILE.read_text("utf-8")
    loaded = json.loads(text)
    jsonschema.Draft7Validator.check_schema(loaded)
    assert loaded["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert loaded["$id"] and loaded["title"] and loaded["description"]
    assert loaded == schema.schema()


def test_every_property_is_documented_for_editors() -> None:
    loaded = schema.schema()
    properties = list(_properties(loaded))
    assert len(properties) > 20
    for path, sub in properties:
        assert "description" in sub or "$ref" in sub, f"{path} has no description"
    for name, definition in loaded["definitions"].items():
        assert definition.get("description"), name


def test_enums_match_the_model() -> None:
    loaded = schema.schema()
    state = loaded["definitions"]["state"]["properties"]
    assert state["type"]["enum"] == [
        *(kind.value for kind in StateKind),
        PARALLEL_TYPE,
        HISTORY_TYPE,
    ]
    assert state["history"]["enum"] == [depth.value for depth in HistoryDepth]
    context_type = loaded["definitions"]["contextType"]
    described = re.findall(r"\b[a-z]+\b", context_type["description"])
    assert {t.value for t in ContextType} <= set(described)


def test_patterns_match_the_semantic_checks() -> None:
    definitions = schema.schema()["definitions"]
    meta = definitions["machine"]["properties"]["meta"]["properties"]
    pairs = [
        (definitions["stateName"]["pattern"], validate.NAME.pattern),
        (definitions["triggerName"]["pattern"], validate.NAME.pattern),
        (meta["machine_name"]["pattern"], validate.NAME.pattern),
        (definitions["callableName"]["pattern"], validate.IDENTIFIER.pattern),
        (meta["class_name"]["pattern"], validate.IDENTIFIER.pattern),
    ]
    for published, checked in pairs:
        assert published.startswith("^") and published.endswith("$")
        assert published[1:-1] + r"\Z" == checked
    for name in ("stateName", "triggerName"):
        assert definitions[name]["maxLength"] == validate.NAME_LIMIT
    assert meta["machine_name"]["maxLength"] == validate.NAME_LIMIT


@pytest.mark.parametrize(
    "text",
    [
        BASE,
        BASE + "extra: 1\n",
        BASE.replace("name: A", "name: a"),
        BASE.replace("source: A", "source: []"),
        BASE.replace("source: A", "source: 7"),
        BASE + "error_policy: {retry_attempts: -1}\n",
        BASE + "context: {x: string, 1y: int}\n",
        BASE.replace("    dest: B\n", "    guards: [ok, 5]\n"),
    ],
)
def test_published_schema_agrees_with_the_validator_used(text: str) -> None:
    # Editors use the published schema as is; the front end uses an inlined,
    # faster copy. Both must find problems at the same places.
    instance = _plain(text)
    published = jsonschema.Draft7Validator(schema.schema())
    expected = sorted(
        tuple(map(str, e.absolute_path)) for e in published.iter_errors(instance)
    )
    used = sorted(
        tuple(map(str, e.absolute_path))
        for e in schema._validator().iter_errors(instance)
    )
    assert used == expected
    assert bool(expected) == any(
        d.code.startswith("GG2") for d in run(text).diagnostics
    )


def test_trailing_newline_is_not_a_valid_name() -> None:
    # A block scalar keeps its newline; Python's "$" would accept it.
    result = run(BASE.replace("    dest: B\n", "    dest: |\n      B\n"))
    assert codes_of(result) == ["GG202"]
