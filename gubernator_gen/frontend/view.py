"""A lenient reading of the positioned tree for the semantic checks.

The semantic checks run even when the schema found problems, on whatever
parts are well-formed. This module reads states and transitions without
assuming anything about types: a value of the wrong shape is left out and
the containing record says it is incomplete, so a check that needs the whole
picture (every state name, every edge) can stand down instead of reporting
nonsense caused by an error already reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode

STATE_KINDS = ("initial", "stable", "terminal", "error")


@dataclass(frozen=True, slots=True)
class Name:
    """A string value and the scalar node it came from."""

    text: str
    node: ScalarNode


@dataclass(frozen=True, slots=True)
class NameList:
    """The names of a "name or list of names" value.

    ``complete`` is false when the value had the wrong shape or some items
    were not strings (those are left out of ``names``).
    """

    names: tuple[Name, ...]
    complete: bool

    @property
    def texts(self) -> tuple[str, ...]:
        """The names as strings."""
        return tuple(name.text for name in self.names)


@dataclass(frozen=True, slots=True)
class StateView:
    """What could be read of one state.

    ``kind`` is one of :data:`STATE_KINDS` (``stable`` when absent) or
    ``None`` when the ``type`` value is not valid.
    """

    item: Node
    name: Name | None
    kind: str | None
    kind_node: Node | None
    on_enter: NameList
    on_exit: NameList
    timeout_key: Node | None
    timeout_dest: Name | None
    timeout_seconds: ScalarNode | None
    has_timeout: bool


@dataclass(frozen=True, slots=True)
class TransitionView:
    """What could be read of one transition (``index`` in the spec's list)."""

    index: int
    item: Node
    trigger: Name | None
    sources: NameList
    dest: Name | None
    guards: NameList
    actions: NameList


@dataclass(frozen=True, slots=True)
class SpecView:
    """The machine as far as it could be read.

    ``states_complete`` means ``states`` is a list whose every item is a
    mapping with a string name; ``transitions_complete`` means every
    transition has string sources and a string dest.
    """

    root: MapNode
    meta: MapNode | None
    states_node: Node | None
    states: tuple[StateView, ...]
    states_complete: bool
    transitions: tuple[TransitionView, ...]
    transitions_complete: bool
    fallback: Name | None
    context: MapNode | None


def read(root: MapNode) -> SpecView:
    """Read ``root`` leniently (never raises, whatever its shape)."""
    states_node = root.get("states")
    states: list[StateView] = []
    states_complete = isinstance(states_node, SeqNode)
    if isinstance(states_node, SeqNode):
        for item in states_node.items:
            state = _read_state(item)
            states.append(state)
            if state.name is None:
                states_complete = False
    transitions_node = root.get("transitions")
    transitions: list[TransitionView] = []
    transitions_complete = isinstance(transitions_node, SeqNode)
    if isinstance(transitions_node, SeqNode):
        for index, item in enumerate(transitions_node.items):
            transition = _read_transition(index, item)
            transitions.append(transition)
            if not transition.sources.complete or transition.dest is None:
                transitions_complete = False
    meta = root.get("meta")
    policy = root.get("error_policy")
    fallback = (
        name_of(policy.get("default_fallback")) if isinstance(policy, MapNode) else None
    )
    context = root.get("context")
    return SpecView(
        root=root,
        meta=meta if isinstance(meta, MapNode) else None,
        states_node=states_node,
        states=tuple(states),
        states_complete=states_complete,
        transitions=tuple(transitions),
        transitions_complete=transitions_complete,
        fallback=fallback,
        context=context if isinstance(context, MapNode) else None,
    )


def name_of(node: Node | None) -> Name | None:
    """The string of a string scalar, else ``None``."""
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        return Name(node.value, node)
    return None


def names_of(node: Node | None) -> NameList:
    """A "name or list of names" value; absent means an empty, complete list."""
    if node is None:
        return NameList((), True)
    single = name_of(node)
    if single is not None:
        return NameList((single,), True)
    if isinstance(node, SeqNode):
        names = [name_of(item) for item in node.items]
        present = tuple(name for name in names if name is not None)
        return NameList(present, len(present) == len(names))
    return NameList((), False)


def _read_state(item: Node) -> StateView:
    if not isinstance(item, MapNode):
        empty = NameList((), False)
        return StateView(item, None, None, None, empty, empty, None, None, None, False)
    kind_node = item.get("type")
    kind: str | None = "stable"
    if kind_node is not None:
        kind_name = name_of(kind_node)
        kind = kind_name.text if kind_name and kind_name.text in STATE_KINDS else None
    timeout = item.get("timeout")
    dest: Name | None = None
    seconds: ScalarNode | None = None
    if isinstance(timeout, MapNode):
        dest = name_of(timeout.get("destination"))
        seconds_node = timeout.get("seconds")
        seconds = seconds_node if isinstance(seconds_node, ScalarNode) else None
    return StateView(
        item=item,
        name=name_of(item.get("name")),
        kind=kind,
        kind_node=kind_node,
        on_enter=names_of(item.get("on_enter")),
        on_exit=names_of(item.get("on_exit")),
        timeout_key=item.key_node("timeout"),
        timeout_dest=dest,
        timeout_seconds=seconds,
        has_timeout=timeout is not None,
    )


def _read_transition(index: int, item: Node) -> TransitionView:
    if not isinstance(item, MapNode):
        empty = NameList((), False)
        return TransitionView(index, item, None, empty, None, empty, empty)
    source_node = item.get("source")
    sources = names_of(source_node) if source_node is not None else NameList((), False)
    if not sources.names:
        sources = NameList((), False)
    return TransitionView(
        index=index,
        item=item,
        trigger=name_of(item.get("trigger")),
        sources=sources,
        dest=name_of(item.get("dest")),
        guards=names_of(item.get("guards")),
        actions=names_of(item.get("actions")),
    )
