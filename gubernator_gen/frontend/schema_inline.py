"""The spec schema with its references inlined, for fast validation.

The published schema (``spec.schema.json``) uses ``$ref`` (and
``allOf: [$ref]`` to attach a description), which jsonschema resolves on
every use; validating a machine of thousands of transitions is several times
faster without. Part of :mod:`~gubernator_gen.frontend.schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_DEFINITIONS = "#/definitions/"


def inlined_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with every ``$ref`` inlined but the recursive ones.

    A definition that contains itself (a state's ``states:`` lists states)
    stays a ``$ref`` where it recurs, resolved against an inlined copy kept
    under ``definitions``.
    """
    definitions = schema.get("definitions", {})
    inlined: dict[str, Any] = _inline(schema, definitions, ())
    inlined["definitions"] = {
        name: _inline(definitions[name], definitions, (name,))
        for name in _recursive(definitions)
    }
    return inlined


def _recursive(definitions: Mapping[str, Any]) -> tuple[str, ...]:
    """The definitions that refer to themselves, directly or not."""

    def refs(node: Any) -> set[str]:
        found: set[str] = set()
        pending = [node]
        while pending:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, Mapping):
                ref = item.get("$ref")
                if isinstance(ref, str) and ref.startswith(_DEFINITIONS):
                    found.add(ref[len(_DEFINITIONS) :])
                pending.extend(item.values())
        return found

    direct = {name: refs(body) for name, body in definitions.items()}
    recursive = []
    for name in definitions:
        seen: set[str] = set()
        pending = list(direct[name])
        while pending:
            other = pending.pop()
            if other not in seen:
                seen.add(other)
                pending.extend(direct.get(other, ()))
        if name in seen:
            recursive.append(name)
    return tuple(recursive)


def _inline(
    node: Any,
    definitions: Mapping[str, Any],
    within: tuple[str, ...],
    *,
    names: bool = False,
) -> Any:
    """The schema with every ``$ref`` replaced by its definition.

    The published schema uses ``$ref`` (and ``allOf: [$ref]`` to attach a
    description), which jsonschema resolves on every use; validating a
    machine of thousands of transitions is several times faster without.
    ``within`` are the definitions being inlined around ``node``: a
    reference back to one of them (a state's ``states:`` lists states)
    stays a ``$ref``, so inlining ends. For a single-``allOf`` wrapper the
    referenced definition's title and description win: they state the rule
    that messages quote. ``names`` marks a ``properties`` mapping, whose
    keys are property names rather than keywords.
    """
    if isinstance(node, list):
        return [_inline(item, definitions, within) for item in node]
    if not isinstance(node, Mapping):
        return node
    if names:
        return {key: _inline(value, definitions, within) for key, value in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFINITIONS):
        name = ref[len(_DEFINITIONS) :]
        if name in within:
            return {"$ref": ref}
        return _inline(definitions[name], definitions, (*within, name))
    inlined = {
        key: _inline(value, definitions, within, names=key == "properties")
        for key, value in node.items()
        if key != "definitions"
    }
    all_of = inlined.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        del inlined["allOf"]
        return {**inlined, **all_of[0]}
    return inlined
