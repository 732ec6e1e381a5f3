"""States as the view reads them, nested ones included.

See docs/language.md#states and docs/language.md#compound-states.

Part of :mod:`~gubernator_gen.frontend.view`, which re-exports these. A state
may hold ``states:`` to any depth; :func:`read_states` lists every state in
document order (a state before its children, children in the order written)
and links each to its parent and children by position in that list, so the
checks that look at "every state" (duplicate names, references, identifiers)
see the nested ones without knowing about nesting. Reading is iterative: the
depth of a spec is bounded by the loader, never by Python's stack.

Like the rest of the view this is lenient and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gubernator_gen.frontend.guard_view import GuardItemView, read_guards
from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode
from gubernator_gen.frontend.view_names import (
    NO_NAMES,
    Name,
    NameList,
    name_of,
    names_of,
)
from gubernator_gen.model import HistoryDepth, StateKind

STATE_KINDS = tuple(kind.value for kind in StateKind)
#: ``type: parallel``: the children are regions, all active together.
PARALLEL_TYPE = "parallel"
#: ``type: history``: a pseudo-state that restores its parent's last children.
HISTORY_TYPE = "history"
#: Every value of a state's ``type``.
STATE_TYPES = (*STATE_KINDS, PARALLEL_TYPE, HISTORY_TYPE)
HISTORY_DEPTHS = tuple(depth.value for depth in HistoryDepth)
#: The kinds of a state's eventless and delayed transitions (their keys).
ALWAYS_KEY, AFTER_KEY = "always", "after"
#: The keys a history state may have; anything else is a located error.
HISTORY_KEYS = ("name", "type", "history", "default", "description", "metadata")
#: Completion events: ``done.state.<name>``
#: (docs/language.md#completion-events-donestate).
DONE_PREFIX = "done.state."


@dataclass(frozen=True, slots=True)
class EdgeView:
    """One entry of a state's ``always:`` or ``after:`` list.

    ``owner`` is the position of its state in :attr:`SpecView.states`,
    ``kind`` is :data:`ALWAYS_KEY` or :data:`AFTER_KEY` and ``index`` its
    position in that list. ``seconds`` is the ``after`` delay when it is a
    scalar. Guards are read as a transition's are.
    """

    owner: int
    kind: str
    index: int
    item: Node
    dest: Name | None = None
    seconds: ScalarNode | None = None
    guards: NameList = NO_NAMES
    guard_items: tuple[GuardItemView, ...] = ()
    guards_node: Node | None = None
    actions: NameList = NO_NAMES
    actions_node: Node | None = None
    internal: Node | None = None
    description: Node | None = None

    @property
    def is_unguarded(self) -> bool:
        """True when the entry has no guards at all (and that could be read)."""
        return self.guards.complete and not self.guard_items


@dataclass(frozen=True, slots=True)
class StateView:
    """What could be read of one state.

    ``kind`` is one of :data:`STATE_KINDS` (``stable`` when absent, and for
    ``type: parallel`` and ``type: history``, which ``parallel`` and
    ``history`` mark) or ``None`` when the ``type`` value is not valid.
    ``timeout`` is the timeout's value as written, ``timeout_dest`` and
    ``timeout_seconds`` what could be read of it.

    ``index`` is the state's position in :attr:`SpecView.states`,
    ``parent`` the position of the state whose ``states:`` lists it
    (``None`` at the top level) and ``children`` the positions of the
    states of its own ``states:`` list (those that are mappings).
    ``initial`` is the ``initial:`` value, ``history_depth`` the
    ``history:`` value of a history state (``shallow`` when absent, ``None``
    when not a depth) and ``default`` its ``default:``.
    """

    item: Node
    name: Name | None
    kind: str | None
    kind_node: Node | None
    on_enter: NameList
    on_exit: NameList
    timeout_key: Node | None = None
    timeout: Node | None = None
    timeout_dest: Name | None = None
    timeout_seconds: ScalarNode | None = None
    description: Node | None = None
    metadata: Node | None = None
    on_enter_node: Node | None = None
    on_exit_node: Node | None = None
    index: int = 0
    parent: int | None = None
    children: tuple[int, ...] = ()
    states_node: Node | None = None
    initial_node: Node | None = None
    initial: Name | None = None
    parallel: bool = False
    history: bool = False
    history_node: Node | None = None
    history_depth: str | None = None
    default_node: Node | None = None
    default: Name | None = None
    always_node: Node | None = None
    always: tuple[EdgeView, ...] = ()
    after_node: Node | None = None
    after: tuple[EdgeView, ...] = ()

    @property
    def has_timeout(self) -> bool:
        """True when the state has a ``timeout`` key (of whatever shape)."""
        return self.timeout is not None

    @property
    def edges(self) -> tuple[EdgeView, ...]:
        """Its ``always:`` entries, then its ``after:`` entries."""
        return (*self.always, *self.after)

    @property
    def uses_statecharts(self) -> bool:
        """True when this state uses a statechart construct (nesting, parallel,
        history, ``always:``, ``after:``)."""
        return bool(
            self.parent is not None
            or self.states_node is not None
            or self.parallel
            or self.history
            or self.always_node is not None
            or self.after_node is not None
        )

    def key(self, name: str) -> Node | None:
        """The key node ``name`` of this state's mapping (``None``: absent)."""
        return self.item.key_node(name) if isinstance(self.item, MapNode) else None


def read_states(node: Node | None) -> tuple[tuple[StateView, ...], bool]:
    """Every state under the ``states`` value ``node``, in document order.

    The flag says whether the states are complete: ``node`` and every nested
    ``states:`` are lists whose every item is a mapping with a string name.
    """
    if not isinstance(node, SeqNode):
        return (), False
    found: list[StateView] = []
    complete = True
    # (item, position of its parent)
    pending: list[tuple[Node, int | None]] = [(i, None) for i in reversed(node.items)]
    children: dict[int, list[int]] = {}
    while pending:
        item, parent = pending.pop()
        index = len(found)
        state = _read_state(item, index, parent)
        found.append(state)
        if parent is not None:
            children.setdefault(parent, []).append(index)
        if state.name is None:
            complete = False
        nested = state.states_node
        if nested is not None:
            if isinstance(nested, SeqNode):
                pending.extend((i, index) for i in reversed(nested.items))
            else:
                complete = False
    linked = tuple(
        _with_children(state, tuple(children.get(state.index, ()))) for state in found
    )
    return linked, complete


def _with_children(state: StateView, children: tuple[int, ...]) -> StateView:
    return replace(state, children=children) if children else state


def _read_state(item: Node, index: int, parent: int | None) -> StateView:
    if not isinstance(item, MapNode):
        return StateView(
            item, None, None, None, NO_NAMES, NO_NAMES, index=index, parent=parent
        )
    kind_node = item.get("type")
    kind: str | None = StateKind.STABLE.value
    type_name = name_of(kind_node)
    parallel = history = False
    if kind_node is not None:
        text = type_name.text if type_name is not None else None
        kind = text if text in STATE_KINDS else None
        if text in (PARALLEL_TYPE, HISTORY_TYPE):
            kind = StateKind.STABLE.value
            parallel, history = text == PARALLEL_TYPE, text == HISTORY_TYPE
    timeout = item.get("timeout")
    dest: Name | None = None
    seconds: ScalarNode | None = None
    if isinstance(timeout, MapNode):
        dest = name_of(timeout.get("destination"))
        seconds_node = timeout.get("seconds")
        seconds = seconds_node if isinstance(seconds_node, ScalarNode) else None
    history_node = item.get("history")
    depth = name_of(history_node)
    always_node, after_node = item.get(ALWAYS_KEY), item.get(AFTER_KEY)
    return StateView(
        item=item,
        name=name_of(item.get("name")),
        kind=kind,
        kind_node=kind_node,
        on_enter=names_of(item.get("on_enter")),
        on_exit=names_of(item.get("on_exit")),
        timeout_key=item.key_node("timeout"),
        timeout=timeout,
        timeout_dest=dest,
        timeout_seconds=seconds,
        description=item.get("description"),
        metadata=item.get("metadata"),
        on_enter_node=item.get("on_enter"),
        on_exit_node=item.get("on_exit"),
        index=index,
        parent=parent,
        states_node=item.get("states"),
        initial_node=item.get("initial"),
        initial=name_of(item.get("initial")),
        parallel=parallel,
        history=history,
        history_node=history_node,
        history_depth=(
            HistoryDepth.SHALLOW.value
            if history_node is None
            else (depth.text if depth and depth.text in HISTORY_DEPTHS else None)
        ),
        default_node=item.get("default"),
        default=name_of(item.get("default")),
        always_node=always_node,
        always=_read_edges(always_node, index, ALWAYS_KEY),
        after_node=after_node,
        after=_read_edges(after_node, index, AFTER_KEY),
    )


def _read_edges(node: Node | None, owner: int, kind: str) -> tuple[EdgeView, ...]:
    if not isinstance(node, SeqNode):
        return ()
    return tuple(_read_edge(item, owner, kind, i) for i, item in enumerate(node.items))


def _read_edge(item: Node, owner: int, kind: str, index: int) -> EdgeView:
    if not isinstance(item, MapNode):
        return EdgeView(owner, kind, index, item)
    guards_node = item.get("guards")
    guard_items, guards = read_guards(guards_node)
    seconds = item.get("seconds")
    actions_node = item.get("actions")
    return EdgeView(
        owner=owner,
        kind=kind,
        index=index,
        item=item,
        dest=name_of(item.get("dest")),
        seconds=seconds if isinstance(seconds, ScalarNode) else None,
        guards=guards,
        guard_items=guard_items,
        guards_node=guards_node,
        actions=names_of(actions_node),
        actions_node=actions_node,
        internal=item.get("internal"),
        description=item.get("description"),
    )


def is_true(node: Node | None) -> bool:
    """True for a ``true`` scalar (``internal: true``)."""
    return isinstance(node, ScalarNode) and node.value is True
