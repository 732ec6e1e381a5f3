"""JSON Schema checks of the positioned tree, reported at the offending nodes.

The schema (``spec.schema.json``, JSON Schema draft 7 so that editors can
use it through ``# yaml-language-server: $schema=…``) ships in the package;
:func:`schema_json` returns its text for ``gubernator-gen schema``.

jsonschema's errors are turned into diagnostics one by one: every independent
problem is reported, an ``anyOf`` ("a name or a list of names") is explained
through the branch that matches the value's type, unknown keys get a "did you
mean" suggestion and point at the key, and messages use the schema's titles
and descriptions, so the schema is the single source of the wording that
editors show too.

A valid document, the usual case, is recognised first by the quick check of
:mod:`gubernator_gen.frontend.schema_fast` and never reaches jsonschema.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes, schema_fast
from gubernator_gen.frontend.schema_inline import inlined_schema
from gubernator_gen.frontend.suggest import did_you_mean, name_repairs
from gubernator_gen.frontend.tree import (
    MapNode,
    Node,
    ScalarNode,
    SeqNode,
    kind_of_value,
    quoted,
)

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "spec.schema.json"

_TYPE_PHRASES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}
_YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})


def schema_json() -> str:
    """The JSON Schema of the spec language, as text (``gubernator-gen schema``)."""
    return resources.files("gubernator_gen").joinpath(SCHEMA_FILE).read_text("utf-8")


@functools.cache
def schema() -> Mapping[str, Any]:
    """The JSON Schema of the spec language, parsed."""
    loaded: dict[str, Any] = json.loads(schema_json())
    return loaded


def _full_match_pattern(
    validator: Any, pattern: str, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    # A "$" ends the string (see schema_fast.full_match).
    if not isinstance(instance, str):
        return
    if schema_fast.full_match(pattern).search(instance) is None:
        from jsonschema.exceptions import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _validator_class() -> Any:
    """jsonschema's draft 7 validator, ``pattern`` matching whole strings.

    jsonschema is imported on the first document the quick check does not
    pass: it is the front end's largest import (about 40 ms, a fifth of
    the command line's start-up) and a valid spec never needs it.
    """
    import jsonschema

    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft7Validator, {"pattern": _full_match_pattern}
    )


@functools.cache
def _inlined() -> Any:
    return inlined_schema(schema())


@functools.cache
def _validator() -> Any:
    return _validator_class()(_inlined())


@functools.cache
def _surely_valid() -> schema_fast.Check | None:
    """The quick check of the schema (``None``: it cannot be compiled)."""
    try:
        return schema_fast.compile_schema(_inlined())
    except schema_fast.UnsupportedSchema:
        return None


def check(root: MapNode) -> tuple[Diagnostic, ...]:
    """Every schema violation of the document ``root``, in document order."""
    diagnostics: list[Diagnostic] = []
    instance = _to_plain(root, diagnostics, {})
    quick = _surely_valid()
    if quick is not None and quick(instance):
        return tuple(diagnostics)  # jsonschema would find nothing
    seen: set[tuple[str, SourcePos, str]] = set()
    for validation_error in _validator().iter_errors(instance):
        for diagnostic in _explain(validation_error, root):
            identity = (diagnostic.code, diagnostic.pos, diagnostic.message)
            if identity not in seen:
                seen.add(identity)
                diagnostics.append(diagnostic)
    return tuple(diagnostics)


def _to_plain(node: Node, diagnostics: list[Diagnostic], memo: dict[int, Any]) -> Any:
    """The node as JSON-like data; non-string keys are reported and left out."""
    if isinstance(node, ScalarNode):
        return node.value
    done = memo.get(id(node))
    if done is not None:
        return done  # an alias: convert (and report) the shared node once
    result: Any
    if isinstance(node, SeqNode):
        result = [_to_plain(item, diagnostics, memo) for item in node.items]
    else:
        result = {}
        for key, value in node.entries:
            if isinstance(key, ScalarNode) and isinstance(key.value, str):
                result[key.value] = _to_plain(value, diagnostics, memo)
            else:
                diagnostics.append(_key_not_string(key))
    memo[id(node)] = result
    return result


def _key_not_string(key: Node) -> Diagnostic:
    if isinstance(key, ScalarNode):
        if key.value is None:
            message = "a mapping key is empty (null); keys must be strings"
        else:
            message = (
                f"mapping key {quoted(key.value)} is {kind_of_value(key.value)}, "
                "not a string; put it in quotes"
            )
    else:
        message = "a mapping key is a list or mapping; keys must be strings"
    return error(codes.KEY_NOT_STRING, message, key.pos)


def _node_at(root: Node, path: Sequence[object]) -> Node:
    """The node at a jsonschema instance path (as deep as the tree allows)."""
    node = root
    for step in path:
        child: Node | None = None
        if isinstance(node, MapNode) and isinstance(step, str):
            child = node.get(step)
        elif (
            isinstance(node, SeqNode)
            and isinstance(step, int)
            and step < len(node.items)
        ):
            child = node.items[step]
        if child is None:
            break
        node = child
    return node


def _show_path(path: Sequence[object]) -> str:
    text = ""
    for step in path:
        text += (
            f"[{step}]"
            if isinstance(step, int)
            else (f".{step}" if text else str(step))
        )
    return text


def _where(path: Sequence[object]) -> str:
    return f"{_show_path(path)}: " if path else ""


def _explain(err: ValidationError, root: MapNode) -> Iterator[Diagnostic]:
    path = list(err.absolute_path)
    node = _node_at(root, path)
    sub: Mapping[str, Any] = err.schema if isinstance(err.schema, Mapping) else {}
    kind = err.validator
    instance = err.instance
    where = _where(path)
    if kind == "anyOf":
        yield from _explain_any_of(err, root, sub, where, node)
    elif kind == "type":
        yield error(
            codes.WRONG_TYPE, where + _type_message(sub, instance, path), node.pos
        )
    elif kind == "additionalProperties":
        yield from _unknown_keys(sub, instance, path, node)
    elif kind == "required":
        owner = "the spec" if not path else _show_path(path)
        for key in sub.get("required", ()):
            if isinstance(instance, Mapping) and key not in instance:
                yield error(
                    codes.MISSING_KEY,
                    f"{owner} is missing the required key {key!r}",
                    node.pos,
                )
    elif kind == "pattern":
        yield _pattern_diagnostic(sub, instance, path, node)
    elif kind == "enum":
        choices = [str(choice) for choice in sub.get("enum", ())]
        hint = did_you_mean(instance, choices) if isinstance(instance, str) else ""
        yield error(
            codes.NOT_ALLOWED_VALUE,
            f"{where}{quoted(instance)} is not a valid {_title(sub, 'value')}{hint}: "
            f"{_description(sub)}",
            node.pos,
        )
    elif kind in ("minimum", "exclusiveMinimum", "maximum"):
        relation = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<="}[kind]
        yield error(
            codes.OUT_OF_RANGE,
            f"{where}{_title(sub, 'value')} must be {relation} {err.validator_value}, "
            f"got {quoted(instance)}",
            node.pos,
        )
    elif kind == "maxLength":
        yield error(
            codes.BAD_NAME,
            f"{where}{quoted(instance)} is too long: a {_title(sub, 'name')} has at "
            f"most {err.validator_value} characters",
            node.pos,
        )
    elif kind == "minItems":
        yield error(
            codes.EMPTY_LIST,
            f"{where}{_title(sub, 'the list')} must not be empty",
            node.pos,
        )
    else:
        yield error(codes.SCHEMA_OTHER, where + quoted(err.message, 200), node.pos)


def _explain_any_of(
    err: ValidationError,
    root: MapNode,
    sub: Mapping[str, Any],
    where: str,
    node: Node,
) -> Iterator[Diagnostic]:
    """Explain "X or a list of X" through the branch the value's type fits."""
    rejected_by_type: set[object] = set()
    by_branch: dict[object, list[ValidationError]] = {}
    for branch_error in err.context or ():
        branch = branch_error.relative_schema_path[0]
        by_branch.setdefault(branch, []).append(branch_error)
        same_instance = list(branch_error.absolute_path) == list(err.absolute_path)
        if branch_error.validator == "type" and same_instance:
            rejected_by_type.add(branch)
    fitting = [b for b in by_branch if b not in rejected_by_type]
    if fitting:
        for branch_error in by_branch[fitting[0]]:
            yield from _explain(branch_error, root)
        return
    yield error(
        codes.WRONG_TYPE,
        f"{where}expected a {_title(sub, 'value')}, got {kind_of_value(err.instance)}"
        f"{_type_hint(('string', 'array'), err.instance)}",
        node.pos,
    )


def _type_message(
    sub: Mapping[str, Any], instance: object, path: Sequence[object]
) -> str:
    expected = sub.get("type")
    types = [expected] if isinstance(expected, str) else list(expected or ())
    wanted = " or ".join(_TYPE_PHRASES.get(t, t) for t in types)
    got = kind_of_value(instance)
    if isinstance(instance, (bool, int, float)):
        got += f" ({quoted(instance)})"
    message = f"expected {wanted}, got {got}{_type_hint(types, instance)}"
    if path and path[-1] == "version" and isinstance(instance, (int, float)):
        message += ', e.g. "1.0.0"'
    return message


def _type_hint(types: Sequence[str], instance: object) -> str:
    """Advice for the usual YAML surprises behind a type error."""
    if "string" in types and isinstance(instance, (bool, int, float)):
        return "; put the value in quotes to make it a string"
    yaml11 = isinstance(instance, str) and instance.casefold() in _YAML11_BOOLEANS
    if "boolean" in types and yaml11:
        return "; YAML 1.2 reads yes/no/on/off as strings, write true or false"
    if ("integer" in types or "number" in types) and isinstance(instance, str):
        try:
            float(instance)
        except ValueError:
            return ""
        return "; remove the quotes to make it a number"
    if instance is None and "array" in types:
        return "; write [] for an empty list"
    if instance is None and "object" in types:
        return "; write {} for an empty mapping"
    return ""


def _unknown_keys(
    sub: Mapping[str, Any], instance: object, path: Sequence[object], node: Node
) -> Iterator[Diagnostic]:
    if not isinstance(instance, Mapping) or not isinstance(node, MapNode):
        return
    known = list(sub.get("properties", {}))
    owner = f" in {_show_path(path)}" if path else " at the top level"
    for key_node, _ in node.string_items():
        key = key_node.value
        if isinstance(key, str) and key not in known:
            yield error(
                codes.UNKNOWN_KEY,
                f"unknown key {quoted(key)}{owner}{did_you_mean(key, known)}",
                key_node.pos,
            )


def _pattern_diagnostic(
    sub: Mapping[str, Any], instance: object, path: Sequence[object], node: Node
) -> Diagnostic:
    if isinstance(node, MapNode) and isinstance(instance, str):
        # propertyNames: the offending string is a key of this mapping.
        key_node = node.key_node(instance)
        if key_node is not None:
            node = key_node
            path = [*path, instance]
    pattern = sub.get("pattern", "")
    hint = ""
    if isinstance(instance, str):
        for candidate in name_repairs(instance):
            # A keyword or __dunder__ name fits the pattern but not the rule.
            usable = not keyword.iskeyword(candidate) and candidate[:2] != "__"
            if usable and _matches(pattern, candidate):
                hint = f" (did you mean {quoted(candidate)}?)"
                break
    return error(
        codes.BAD_NAME,
        f"{_where(path)}{quoted(instance)} is not a valid {_title(sub, 'name')}{hint}: "
        f"{_description(sub)}",
        node.pos,
    )


def _matches(pattern: str, text: str) -> bool:
    return schema_fast.full_match(pattern).search(text) is not None


def _title(sub: Mapping[str, Any], default: str) -> str:
    title = sub.get("title")
    return title if isinstance(title, str) else default


def _description(sub: Mapping[str, Any]) -> str:
    description = sub.get("description", "")
    text = description if isinstance(description, str) else ""
    # Descriptions are written as sentences for editors; inside a message
    # they follow a colon, so start lower-case and drop the final stop.
    # Only the first sentence: later ones explain defaults, not the rule.
    text = re.split(r"(?<!e\.g)\.\s+(?=[A-Z])", text, maxsplit=1)[0].rstrip(".")
    if len(text) > 1 and text[1].isupper():
        return text  # starts with an acronym or a name
    return text[:1].lower() + text[1:]
