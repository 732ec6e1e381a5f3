"""The positioned tree: parsed YAML/JSON where every node knows where it was.

``load`` produces it, ``schema`` and ``validate`` check it and the model
builder reads it; nothing after the model builder sees it. Scalars are
already resolved with the YAML 1.2 core schema (``yes`` stays a string).
Aliases share the node they refer to, so the tree may be a DAG; ``load``
bounds how large it would be once expanded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from gubernator_gen.diagnostics import SourcePos

#: The Python value of a resolved scalar.
ScalarValue = None | bool | int | float | str


@dataclass(frozen=True, slots=True)
class ScalarSpan:
    """Where a scalar is written in the scanned text, and how.

    ``start`` and ``end`` are offsets in the text the scanner read (the text
    after substitution); ``style`` is PyYAML's (``None`` for plain, ``"'"``,
    ``'"'``, ``"|"``, ``">"``). With them a string's characters can be
    placed one by one (:mod:`~gubernator_gen.frontend.scalar_offsets`), so
    an error inside an expression points at its exact line and column.
    """

    start: int
    end: int
    style: str | None


@dataclass(frozen=True, slots=True)
class ScalarNode:
    """A resolved scalar and where it starts; ``span`` for a string read from text."""

    value: ScalarValue
    pos: SourcePos
    span: ScalarSpan | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SeqNode:
    """A sequence; ``pos`` is where it starts (``-`` or ``[``)."""

    items: tuple[Node, ...]
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class MapNode:
    """A mapping with its entries in document order.

    Keys are nodes too, so a diagnostic about a key can point at it. Keys are
    unique (``load`` reports repeated ones and keeps the first).
    """

    entries: tuple[tuple[Node, Node], ...]
    pos: SourcePos
    _by_key: dict[str, tuple[Node, Node]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, tuple[Node, Node]] = {}
        for key, value in self.entries:
            if isinstance(key, ScalarNode) and isinstance(key.value, str):
                by_key.setdefault(key.value, (key, value))
        object.__setattr__(self, "_by_key", by_key)

    def get(self, key: str) -> Node | None:
        """The value under the string key ``key``, or ``None``."""
        entry = self._by_key.get(key)
        return None if entry is None else entry[1]

    def key_node(self, key: str) -> Node | None:
        """The key node of the string key ``key``, or ``None``."""
        entry = self._by_key.get(key)
        return None if entry is None else entry[0]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def string_items(self) -> Iterator[tuple[ScalarNode, Node]]:
        """The entries whose key is a string scalar, in document order."""
        for key, value in self.entries:
            if isinstance(key, ScalarNode) and isinstance(key.value, str):
                yield key, value


#: Any node of the positioned tree.
Node = ScalarNode | SeqNode | MapNode


def plain(node: Node) -> object:
    """The node as plain data: scalars, lists and dicts.

    Raises ``TypeError`` for a mapping key that is a list or a mapping (the
    schema reports those).
    """
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SeqNode):
        return [plain(item) for item in node.items]
    result: dict[object, object] = {}
    for key, value in node.entries:
        if not isinstance(key, ScalarNode):
            raise TypeError(f"a mapping key at {key.pos} is not a scalar")
        result[key.value] = plain(value)
    return result


def kind_of(node: Node) -> str:
    """A human name for the type of ``node``'s value, for messages."""
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    return kind_of_value(node.value)


def kind_of_value(value: object) -> str:
    """A human name for the type of a plain value, for messages."""
    if value is None:
        return "null (an empty value)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for messages."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: object, limit: int = 60) -> str:
    """A value as shown inside a message: strings in quotes, cut if long."""
    if isinstance(value, str):
        return repr(shorten(value, limit))
    return shorten(repr(value), limit)
