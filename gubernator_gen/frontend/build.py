"""The model builder: a checked positioned tree → :class:`MachineSpec`.

Only called on a tree with no error diagnostics, so every value has the
shape the schema promises; this module normalises (single names to tuples,
defaults filled in, integral floats to ``int``) and keeps positions. It is
the last code that looks at the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode
from gubernator_gen.frontend.view import names_of
from gubernator_gen.model import (
    EMPTY_METADATA,
    ContextField,
    ContextType,
    ErrorPolicy,
    MachineSpec,
    PlainData,
    State,
    StateKind,
    Timeout,
    Transition,
    freeze,
)

DEFAULT_VERSION = "0.0.0"


class ModelError(Exception):
    """The tree does not have the shape the checks guarantee (a front-end bug)."""


def spec_sha256(text: str) -> str:
    """SHA-256 (hex) of the spec text with line endings normalised to ``\\n``."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def build(root: MapNode, *, source_name: str, stem: str, text: str) -> MachineSpec:
    """The model of the checked document ``root``.

    ``source_name`` is the spec's file name, ``stem`` the default machine
    name and ``text`` the spec text after substitution (hashed).
    """
    meta = _optional_map(root, "meta")
    name_node = meta.get("machine_name") if meta else None
    class_node = meta.get("class_name") if meta else None
    name = _string(name_node, stem)
    name_pos = (class_node or name_node or root).pos
    policy = _optional_map(root, "error_policy")
    return MachineSpec(
        source_name=source_name,
        name=name,
        version=_string(meta.get("version") if meta else None, DEFAULT_VERSION),
        strict_mode=_boolean(meta.get("strict_mode") if meta else None, True),
        description=_string(meta.get("description") if meta else None, ""),
        class_name=_string(class_node, None) if class_node is not None else None,
        context=_context(root.get("context")),
        states=tuple(_state(item) for item in _items(root.get("states"))),
        transitions=tuple(
            _transition(index, item)
            for index, item in enumerate(_items(root.get("transitions")))
        ),
        error_policy=_error_policy(policy),
        spec_sha256=spec_sha256(text),
        pos=root.pos,
        name_pos=name_pos,
    )


def _optional_map(parent: MapNode, key: str) -> MapNode | None:
    node = parent.get(key)
    if node is None:
        return None
    if not isinstance(node, MapNode):
        raise ModelError(f"{key} is not a mapping")
    return node


def _items(node: Node | None) -> tuple[Node, ...]:
    if not isinstance(node, SeqNode):
        raise ModelError("expected a list")
    return node.items


def _scalar(node: Node) -> ScalarNode:
    if not isinstance(node, ScalarNode):
        raise ModelError(f"expected a scalar at {node.pos}")
    return node


def _string(node: Node | None, default: str | None) -> str:
    if node is None:
        if default is None:
            raise ModelError("missing string")
        return default
    value = _scalar(node).value
    if not isinstance(value, str):
        raise ModelError(f"expected a string at {node.pos}")
    return value


def _boolean(node: Node | None, default: bool) -> bool:
    if node is None:
        return default
    value = _scalar(node).value
    if not isinstance(value, bool):
        raise ModelError(f"expected a boolean at {node.pos}")
    return value


def _names(node: Node | None) -> tuple[str, ...]:
    names = names_of(node)
    if not names.complete:
        raise ModelError("expected a name or a list of names")
    return names.texts


def _metadata(node: Node | None) -> Mapping[str, PlainData]:
    if node is None:
        return EMPTY_METADATA
    frozen = freeze(_plain(node))
    if not isinstance(frozen, Mapping):
        raise ModelError(f"metadata is not a mapping at {node.pos}")
    return frozen


def _plain(node: Node) -> object:
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SeqNode):
        return [_plain(item) for item in node.items]
    result: dict[object, object] = {}
    for key, value in node.entries:
        result[_scalar(key).value] = _plain(value)
    return result


def _context(node: Node | None) -> tuple[ContextField, ...] | None:
    if node is None:
        return None
    if not isinstance(node, MapNode):
        raise ModelError("context is not a mapping")
    fields = []
    for key, value in node.entries:
        type_name = _string(value, None)
        optional = type_name.endswith("?")
        fields.append(
            ContextField(
                name=_string(key, None),
                type=ContextType(type_name.removesuffix("?")),
                optional=optional,
                pos=key.pos,
            )
        )
    return tuple(fields)


def _state(item: Node) -> State:
    if not isinstance(item, MapNode):
        raise ModelError("a state is not a mapping")
    timeout_node = item.get("timeout")
    timeout = None
    if timeout_node is not None:
        if not isinstance(timeout_node, MapNode):
            raise ModelError("timeout is not a mapping")
        timeout = Timeout(
            seconds=_seconds(timeout_node.get("seconds")),
            destination=_string(timeout_node.get("destination"), None),
            pos=timeout_node.pos,
        )
    return State(
        name=_string(item.get("name"), None),
        kind=StateKind(_string(item.get("type"), StateKind.STABLE.value)),
        description=_string(item.get("description"), ""),
        on_enter=_names(item.get("on_enter")),
        on_exit=_names(item.get("on_exit")),
        timeout=timeout,
        metadata=_metadata(item.get("metadata")),
        pos=item.pos,
    )


def _seconds(node: Node | None) -> int | float:
    if node is None:
        raise ModelError("timeout without seconds")
    value = _scalar(node).value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelError(f"timeout seconds is not a number at {node.pos}")
    return value


def _transition(index: int, item: Node) -> Transition:
    if not isinstance(item, MapNode):
        raise ModelError("a transition is not a mapping")
    return Transition(
        index=index,
        trigger=_string(item.get("trigger"), None),
        # A source listed twice (a warning) would otherwise put the same
        # candidate in the dispatch table twice.
        sources=tuple(dict.fromkeys(_names(item.get("source")))),
        dest=_string(item.get("dest"), None),
        guards=_names(item.get("guards")),
        actions=_names(item.get("actions")),
        description=_string(item.get("description"), ""),
        metadata=_metadata(item.get("metadata")),
        pos=item.pos,
    )


def _error_policy(node: MapNode | None) -> ErrorPolicy:
    if node is None:
        return ErrorPolicy()
    fallback = node.get("default_fallback")
    attempts = node.get("retry_attempts")
    retry = 0
    if attempts is not None:
        value = _scalar(attempts).value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ModelError("retry_attempts is not an integer")
        # JSON Schema counts 2.0 as an integer; the model holds a real int.
        retry = int(value)
    return ErrorPolicy(
        default_fallback=_string(fallback, None) if fallback is not None else None,
        retry_attempts=retry,
    )
