"""Assembling the positioned tree from the parser's node events.

The tree is built here rather than by PyYAML's composer and constructor, so
that repeated keys, unsupported tags and YAML 1.1 merge keys are reported at
the exact node, scalars are resolved the YAML 1.2 way
(:mod:`gubernator_gen.frontend.resolve`), and the size of the document is
bounded as it grows (:mod:`gubernator_gen.frontend.limits`): the nesting
depth, the node count, and what aliases expand to, in nodes and in
characters. Building is iterative, so no input can exhaust the stack.

An alias shares the node of its anchor, so the tree may be a DAG; every
anchored node carries its expanded size, so an alias to it is counted at
the size it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.frontend import codes, resolve
from gubernator_gen.frontend.limits import Budget
from gubernator_gen.frontend.problems import Problems
from gubernator_gen.frontend.tree import (
    MapNode,
    Node,
    ScalarNode,
    ScalarSpan,
    ScalarValue,
    SeqNode,
    quoted,
    shorten,
)

# A surrogate in a scanned value (from an escape of half a surrogate pair).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _span(event: yaml.ScalarEvent) -> ScalarSpan | None:
    """Where the scalar of ``event`` is written, and in which style."""
    start, end = event.start_mark, event.end_mark
    if start is None or end is None:
        return None
    return ScalarSpan(start.index, end.index, event.style)


@dataclass(slots=True)
class _Frame:
    """A collection whose end event has not arrived yet.

    ``nodes`` and ``characters`` are its expanded size so far: itself and
    every node and scalar character inside it, aliases expanded.
    """

    is_map: bool
    pos: SourcePos
    anchor: str | None
    items: list[Node] = field(default_factory=list)
    nodes: int = 1
    characters: int = 0
    pending_key: Node | None = None
    seen_keys: dict[tuple[type, ScalarValue], ScalarNode] = field(default_factory=dict)


class TreeAssembler:
    """Turns node events, in document order, into the positioned tree.

    Limits raise :class:`~gubernator_gen.frontend.limits.LimitExceeded`;
    every other problem is reported to ``problems`` and building goes on
    with a stand-in value.
    """

    def __init__(
        self,
        problems: Problems,
        *,
        restore: Callable[[str], str] | None,
        surrogate_escapes: bool,
    ) -> None:
        #: The first complete top-level node, once there is one.
        self.root: Node | None = None
        self.budget = Budget()
        self._problems = problems
        self._restore = restore
        self._surrogate_escapes = surrogate_escapes
        # An anchor maps to its node and expanded size (nodes, characters);
        # ``None`` while the anchored collection is still open (an alias to
        # it is recursive).
        self._anchors: dict[str, tuple[Node, int, int] | None] = {}
        self._stack: list[_Frame] = []
        # Merge keys by id, holding the nodes: a freed node's id could be
        # reused by a later node, which would then pass for a merge key.
        self._merge_keys: dict[int, ScalarNode] = {}

    def scalar(self, event: yaml.ScalarEvent, pos: SourcePos) -> None:
        """Add a scalar."""
        value: str = event.value
        if self._restore is not None:
            value = self._restore(value)
        if self._surrogate_escapes and _SURROGATE.search(value):
            value = self._lone_surrogate(value, pos)
        tag = event.tag
        plain: bool = event.implicit[0]
        node: ScalarNode
        if tag is None and plain and value == "<<":
            node = ScalarNode(value, pos)
            self._merge_keys[id(node)] = node
        elif tag is None and (
            not plain or (value and value[0] not in resolve.MAYBE_NOT_STRING)
        ):
            # A string; the common case, made quick. Its span lets an
            # expression written in it be placed character by character.
            node = ScalarNode(value, pos, _span(event))
        else:
            resolved, problem = resolve.resolve_scalar(value, tag, plain=plain)
            if problem is not None:
                self._problems.error(*problem, pos, suspect=True)
            span = _span(event) if isinstance(resolved, str) else None
            node = ScalarNode(resolved, pos, span)
        characters = len(value)
        self._add(node, 1, characters)
        if event.anchor is not None:
            self._anchors[event.anchor] = (node, 1, characters)

    def open(self, event: yaml.CollectionStartEvent, pos: SourcePos) -> None:
        """Start a mapping or a list."""
        self.budget.depth(len(self._stack), pos)
        is_map = isinstance(event, yaml.MappingStartEvent)
        problem = resolve.collection_tag_problem(event.tag, is_map=is_map)
        if problem is not None:
            self._problems.error(*problem, pos, suspect=True)
        if event.anchor is not None:
            self._anchors[event.anchor] = None
        self._stack.append(_Frame(is_map, pos, event.anchor))

    def close(self) -> None:
        """End the innermost open mapping or list."""
        frame = self._stack.pop()
        node: Node
        if frame.is_map:
            items = frame.items
            # Keys and values enter in pairs.
            pairs = zip(items[::2], items[1::2], strict=True)
            node = MapNode(tuple(pairs), frame.pos)
        else:
            node = SeqNode(tuple(frame.items), frame.pos)
        if frame.anchor is not None:
            self._anchors[frame.anchor] = (node, frame.nodes, frame.characters)
        self._add(node, frame.nodes, frame.characters)

    def alias(self, event: yaml.AliasEvent, pos: SourcePos) -> None:
        """Add the node an alias refers to, counting what it expands to."""
        name: str = event.anchor or ""
        if name not in self._anchors:
            self._problems.error(
                codes.UNDEFINED_ALIAS,
                f"alias *{shorten(name)} refers to no anchor &{shorten(name)} "
                "before it",
                pos,
                suspect=True,
            )
            self._add(ScalarNode(None, pos), 1, 0)
            return
        target = self._anchors[name]
        if target is None:
            self._problems.error(
                codes.RECURSIVE_ALIAS,
                f"alias *{shorten(name)} refers to a node that contains it",
                pos,
                suspect=True,
            )
            self._add(ScalarNode(None, pos), 1, 0)
            return
        node, nodes, characters = target
        self.budget.alias(nodes, characters, pos)
        self._add(node, nodes, characters)

    def _add(self, node: Node, nodes: int, characters: int) -> None:
        if not self._stack:
            if self.root is None:
                self.root = node
            return
        frame = self._stack[-1]
        frame.nodes += nodes
        frame.characters += characters
        if not frame.is_map:
            frame.items.append(node)
            return
        if frame.pending_key is None:
            frame.pending_key = node
            return
        key, frame.pending_key = frame.pending_key, None
        if self._is_new_key(frame, key):
            frame.items.extend((key, node))

    def _is_new_key(self, frame: _Frame, key: Node) -> bool:
        """Whether ``key`` may enter the mapping; a merge key or a repeat may not."""
        if id(key) in self._merge_keys:
            self._problems.error(
                codes.MERGE_KEY,
                "merge keys (<<) are YAML 1.1 and not supported; write the keys out",
                key.pos,
                suspect=True,
            )
            self._problems.suspect_lines.add(frame.pos.line)
            return False
        if isinstance(key, ScalarNode):
            identity = (type(key.value), key.value)
            first = frame.seen_keys.get(identity)
            if first is not None:
                self._problems.error(
                    codes.DUPLICATE_KEY,
                    f"key {quoted(key.value, 40)} is repeated in this mapping "
                    f"(first at line {first.pos.line})",
                    key.pos,
                )
                return False
            frame.seen_keys[identity] = key
        return True

    def _lone_surrogate(self, value: str, pos: SourcePos) -> str:
        # libyaml refuses such an escape; PyYAML's pure Python scanner makes
        # a string that cannot be written out as UTF-8.
        surrogate = _SURROGATE.search(value)
        assert surrogate is not None
        self._problems.error(
            codes.YAML_SYNTAX,
            f"invalid YAML: this string escapes U+{ord(surrogate.group()):04X}, "
            "half of a surrogate pair, without the other half",
            pos,
            suspect=True,
        )
        return _SURROGATE.sub("\ufffd", value)
