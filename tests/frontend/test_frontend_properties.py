"""Property tests: random valid specs model faithfully; mutations never crash.

Valid specs are generated as data, written out as block YAML (or JSON) and
read back; the model must agree with the data. Mutated specs (data-level and
text-level) must either be accepted, with a model that agrees, or produce
located diagnostics with known codes; the published JSON Schema and the
front end must never disagree silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gubernator_gen.diagnostics import Diagnostic
from gubernator_gen.frontend import FrontendResult, read_spec_text, schema
from gubernator_gen.frontend.codes import CODES
from gubernator_gen.model import (
    ContextType,
    DictType,
    ListType,
    MachineSpec,
    NamedType,
    TypeExpr,
)

STATE_NAMES = ["A", "B", "NO", "Y", "ON", "OFF", "S_1", "PAID", "X9", "N"]
# Free-form names (docs/language.md#names) next to the conventional ones.
FREE_STATE_NAMES = ["pending", "in review", "Order.Placed", "approuvé", "2fa", "null"]
TRIGGERS = ["go", "on", "off", "yes", "no", "y", "import", "class_", "t1", "match"]
FREE_TRIGGERS = ["APPROVE", "_route", "mark as paid", "true", "x:y"]
WILDCARD_TRIGGER = "any event"
GUARDS = ["ok", "match", "case", "type", "_", "g_1", "Guard", "yes", "null_check"]
ACTIONS = ["act", "notify", "_x", "log", "on", "True_"]
CONTEXT_TYPES = [
    *(context_type.value for context_type in ContextType),
    "list[int]",
    "dict[str, decimal]",
    "list[ dict[str,list[date]] ]",
]

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Printable text only: YAML cannot carry C0/C1 controls, surrogates or
# private-use and unassigned code points unescaped.
TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn"),
        whitelist_characters="\n\t",
    ),
    max_size=20,
)
PLAIN_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3)
    ),
    max_leaves=8,
)

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_YAML12_WORDS = {
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "null",
    "Null",
    "NULL",
}


def _scalar(value: object) -> str:
    """A YAML 1.2 scalar: names plain (so ``on`` and ``NO`` are tested), else JSON."""
    if isinstance(value, str):
        if _PLAIN_NAME.match(value) and value not in _YAML12_WORDS:
            return value
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return repr(value)


def to_yaml(value: object, indent: int = 0) -> str:
    """Block-style YAML for JSON-like data (empty collections in flow style)."""
    pad = " " * indent
    if isinstance(value, Mapping) and value:
        lines = []
        for key, item in value.items():
            if isinstance(item, (Mapping, list)) and item:
                lines.append(f"{pad}{_scalar(key)}:\n{to_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{_scalar(key)}: {_inline(item)}")
        return "\n".join(lines)
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            if isinstance(item, Mapping) and item:
                nested = to_yaml(item, indent + 2)
                lines.append(pad + "- " + nested[indent + 2 :])
            elif isinstance(item, list) and item:
                lines.append(f"{pad}-\n{to_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}- {_inline(item)}")
        return "\n".join(lines)
    return pad + _inline(value)


def _inline(value: object) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def _names(draw: st.DrawFn, pool: list[str], max_size: int) -> Any:
    names = draw(st.lists(st.sampled_from(pool), max_size=max_size, unique=True))
    if len(names) == 1 and draw(st.booleans()):
        return names[0]
    return names


@st.composite
def valid_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A spec that passes every check (warnings aside)."""
    names = draw(
        st.lists(
            st.sampled_from(STATE_NAMES + FREE_STATE_NAMES),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    initial = draw(st.sampled_from(names))
    states = [_state(draw, name, initial, names) for name in names]
    open_states = [s["name"] for s in states if s.get("type") != "terminal"]
    transitions = _transitions(draw, open_states, names)
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        spec["meta"] = _meta(draw)
    if draw(st.booleans()):
        spec["context"] = {
            field: kind + draw(st.sampled_from(["", "?"]))
            for field, kind in draw(
                st.dictionaries(
                    st.sampled_from(["order_id", "total", "type", "match", "x_1"]),
                    st.sampled_from(CONTEXT_TYPES),
                    max_size=4,
                )
            ).items()
        }
    spec["states"] = states
    spec["transitions"] = transitions
    if draw(st.booleans()):
        policy: dict[str, Any] = {}
        if draw(st.booleans()):
            policy["default_fallback"] = draw(st.sampled_from(names))
        if draw(st.booleans()):
            policy["retry_attempts"] = draw(st.integers(0, 10))
        spec["error_policy"] = policy
    return spec


def _state(
    draw: st.DrawFn, name: str, initial: str, names: list[str]
) -> dict[str, Any]:
    state: dict[str, Any] = {"name": name}
    if name == initial:
        state["type"] = "initial"
    elif draw(st.booleans()):
        state["type"] = draw(st.sampled_from(["stable", "terminal", "error"]))
    if draw(st.booleans()):
        state["on_enter"] = _names(draw, ACTIONS, 2)
    if draw(st.booleans()):
        state["on_exit"] = _names(draw, ACTIONS, 2)
    if draw(st.booleans()):
        state["description"] = draw(TEXT)
    if state.get("type") != "terminal" and draw(st.booleans()):
        seconds = draw(
            st.integers(1, 10**6)
            | st.floats(0.001, 1e9, allow_nan=False, allow_infinity=False)
        )
        state["timeout"] = {
            "seconds": seconds,
            "destination": draw(st.sampled_from(names)),
        }
    if draw(st.booleans()):
        state["metadata"] = draw(st.dictionaries(TEXT, PLAIN_DATA, max_size=3))
    return state


def _transitions(
    draw: st.DrawFn, open_states: list[str], names: list[str]
) -> list[dict[str, Any]]:
    transitions: list[dict[str, Any]] = []
    unguarded: set[tuple[str, str]] = set()
    for _ in range(draw(st.integers(0, 8)) if open_states else 0):
        trigger = draw(st.sampled_from(TRIGGERS + FREE_TRIGGERS))
        guards = _names(draw, GUARDS, 2)
        # Leave out sources where an earlier unguarded transition always wins.
        sources = [
            s
            for s in draw(
                st.lists(
                    st.sampled_from(open_states), min_size=1, max_size=3, unique=True
                )
            )
            if (s, trigger) not in unguarded
        ]
        if not sources:
            continue
        if not guards:
            unguarded.update((s, trigger) for s in sources)
        transition: dict[str, Any] = {
            "trigger": trigger,
            "source": (
                sources[0] if len(sources) == 1 and draw(st.booleans()) else sources
            ),
            "dest": draw(st.sampled_from(names)),
        }
        if guards or draw(st.booleans()):
            transition["guards"] = guards
        if draw(st.booleans()):
            transition["actions"] = _names(draw, ACTIONS, 3)
        if draw(st.booleans()):
            transition["description"] = draw(TEXT)
        if draw(st.booleans()):
            transition["metadata"] = draw(st.dictionaries(TEXT, PLAIN_DATA, max_size=2))
        transitions.append(transition)
    if open_states and draw(st.booleans()):
        # A wildcard with a trigger of its own can never be shadowed.
        transitions.insert(
            draw(st.integers(0, len(transitions))),
            {
                "trigger": WILDCARD_TRIGGER,
                "source": "*",
                "dest": draw(st.sampled_from(names)),
                "guards": _names(draw, GUARDS, 1),
            },
        )
    return transitions


def _meta(draw: st.DrawFn) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if draw(st.booleans()):
        meta["machine_name"] = draw(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
            | st.sampled_from(["Order Flow", "bestellung-ablauf", "ordre.été"])
        )
    if draw(st.booleans()):
        meta["version"] = draw(
            st.from_regex(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", fullmatch=True)
        )
    if draw(st.booleans()):
        meta["strict_mode"] = draw(st.booleans())
    if draw(st.booleans()):
        meta["description"] = draw(TEXT)
    if draw(st.booleans()):
        meta["class_name"] = draw(
            st.sampled_from(["Machine_", "OrderFSM", "_Private", "match"])
        )
    return meta


def _serialise(spec: object, as_json: bool) -> tuple[str, str]:
    if as_json:
        return json.dumps(spec, ensure_ascii=False, indent=1), "gen_spec.json"
    return to_yaml(spec) + "\n", "gen_spec.yaml"


def _thaw(value: object) -> object:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(item) for item in value]
    return value


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def type_text(type_: TypeExpr) -> str:
    """A context type of the model written as text, brackets always given."""
    if isinstance(type_, NamedType):
        return type_.name.value
    if isinstance(type_, ListType):
        return f"list[{type_text(type_.item)}]"
    if isinstance(type_, DictType):
        return f"dict[str, {type_text(type_.value)}]"
    raise AssertionError(f"not written as text: {type_}")


def _normal_type(text: str) -> str:
    """A type as the spec writes it, in the form of :func:`type_text`."""
    optional = "?" if text.endswith("?") else ""
    body = re.sub(r"\s+", "", text.removesuffix("?"))
    body = re.sub(r"\blist(?!\[)", "list[any]", body)
    body = re.sub(r"\bdict(?!\[)", "dict[str,any]", body)
    return body.replace(",", ", ") + optional


def assert_model_agrees(data: dict[str, Any], spec: MachineSpec) -> None:
    """The model says what the data says, with the documented defaults."""
    meta = data.get("meta") or {}
    assert spec.name == meta.get("machine_name", "gen_spec")
    assert spec.version == meta.get("version", "0.0.0")
    assert spec.strict_mode is meta.get("strict_mode", True)
    assert spec.description == meta.get("description", "")
    assert spec.class_name == meta.get("class_name")
    if "context" in data:
        assert spec.context is not None
        assert [
            (f.name, type_text(f.type) + ("?" if f.optional else ""))
            for f in spec.context
        ] == [(name, _normal_type(kind)) for name, kind in data["context"].items()]
    else:
        assert spec.context is None
    assert len(spec.states) == len(data["states"])
    for raw, state in zip(data["states"], spec.states, strict=True):
        assert state.name == raw["name"]
        assert state.kind.value == raw.get("type", "stable")
        assert state.description == raw.get("description", "")
        assert state.on_enter == _as_tuple(raw.get("on_enter"))
        assert state.on_exit == _as_tuple(raw.get("on_exit"))
        if "timeout" in raw:
            assert state.timeout is not None
            assert state.timeout.seconds == raw["timeout"]["seconds"]
            assert state.timeout.destination == raw["timeout"]["destination"]
        else:
            assert state.timeout is None
        assert _thaw(state.metadata) == raw.get("metadata", {})
    assert len(spec.transitions) == len(data["transitions"])
    for index, (raw, transition) in enumerate(
        zip(data["transitions"], spec.transitions, strict=True)
    ):
        assert transition.index == index
        assert transition.trigger == raw["trigger"]
        if raw["source"] == "*":
            assert transition.wildcard
            assert transition.sources == tuple(
                s["name"] for s in data["states"] if s.get("type") != "terminal"
            )
        else:
            assert not transition.wildcard
            assert transition.sources == tuple(dict.fromkeys(_as_tuple(raw["source"])))
        assert transition.dest == raw["dest"]
        assert transition.guards == _as_tuple(raw.get("guards"))
        assert transition.actions == _as_tuple(raw.get("actions"))
        assert transition.description == raw.get("description", "")
        assert _thaw(transition.metadata) == raw.get("metadata", {})
    policy = data.get("error_policy") or {}
    assert spec.error_policy.default_fallback == policy.get("default_fallback")
    assert spec.error_policy.retry_attempts == policy.get("retry_attempts", 0)


def assert_well_reported(result: FrontendResult, text: str, path: str) -> None:
    """Every diagnostic is located inside the text and has a known code."""
    line_count = text.count("\n") + text.count("\r") + 1
    for diagnostic in result.diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.code in CODES, diagnostic
        assert diagnostic.pos.path == path
        assert 1 <= diagnostic.pos.line <= line_count, (diagnostic, line_count)
        assert diagnostic.pos.column >= 1
        assert diagnostic.message
    has_error = any(d.is_error for d in result.diagnostics)
    assert (result.spec is None) == has_error
    positions = [(d.pos.line, d.pos.column) for d in result.diagnostics]
    assert positions == sorted(positions)


@SETTINGS
@given(valid_specs(), st.booleans())
def test_valid_specs_build_a_model_that_agrees(
    data: dict[str, Any], as_json: bool
) -> None:
    text, path = _serialise(data, as_json)
    result = read_spec_text(text, path=path, environ={})
    assert_well_reported(result, text, path)
    assert [d for d in result.diagnostics if d.is_error] == []
    assert all(int(d.code[2:]) >= 350 for d in result.diagnostics)
    assert result.spec is not None
    assert_model_agrees(data, result.spec)
    jsonschema.Draft7Validator(schema.schema()).validate(data)


JUNK = PLAIN_DATA | st.sampled_from(
    ["", "A", "a", "NOPE", "class", "__x__", "1.0", "initial", "terminal", "-1"]
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _mutate(data: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    if not path:
        return draw(JUNK) if draw(st.integers(0, 9)) == 0 else data
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = draw(st.sampled_from(["replace", "delete", "add_key", "rename"]))
    if action == "replace":
        parent[last] = draw(JUNK)
    elif action == "delete":
        del parent[last]
    elif action == "add_key" and isinstance(parent, dict):
        parent[
            draw(
                st.sampled_from(
                    ["extra", "dest", "destination", "on_entry", "typ", "name"]
                )
                | TEXT
            )
        ] = draw(JUNK)
    elif action == "rename" and isinstance(parent, dict):
        parent[draw(TEXT)] = parent.pop(last)
    return data


@SETTINGS
@given(st.data(), st.booleans())
def test_mutated_specs_are_accepted_or_located(
    data: st.DataObject, as_json: bool
) -> None:
    spec = data.draw(valid_specs())
    for _ in range(data.draw(st.integers(1, 3))):
        spec = _mutate(spec, data.draw)
    text, path = _serialise(spec, as_json)
    result = read_spec_text(text, path=path, environ={})
    assert_well_reported(result, text, path)
    schema_errors = list(jsonschema.Draft7Validator(schema.schema()).iter_errors(spec))
    if schema_errors:
        # The schema rejected it: the front end must have said so, somewhere.
        assert result.spec is None
        # A document that is not a mapping at all is refused by loading.
        schema_codes = ("GG2", "GG108", "GG109")
        assert any(d.code.startswith(schema_codes) for d in result.diagnostics)
    if result.spec is not None:
        assert not schema_errors
        assert_model_agrees(spec, result.spec)


YAML_NOISE = st.sampled_from(
    [*":-[]{}#&*!|>'\"%@`,? \t\n\r\\$", "${X}", "<<", "---", "\ufeff", "\x00", "é"]
)


@SETTINGS
@given(st.data())
def test_text_mutations_never_crash(data: st.DataObject) -> None:
    text, path = _serialise(data.draw(valid_specs()), False)
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(chars)))
        kind = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert" or index == len(chars):
            chars.insert(index, data.draw(YAML_NOISE))
        elif kind == "delete":
            del chars[index]
        else:
            chars[index] = data.draw(YAML_NOISE)
    mutated = "".join(chars)
    for candidate in (mutated, mutated.encode("utf-8", "surrogatepass")):
        result = read_spec_text(candidate, path=path, environ={})
        assert_well_reported(result, mutated, path)
