"""The one reading of the spec's keys, shared by the checks and the model builder.

Besides the JSON Schema (``spec.schema.json``), this is the only place that
spells the spec's keys: the semantic checks
(:mod:`~gubernator_gen.frontend.validate`) and the model builder
(:mod:`~gubernator_gen.frontend.build`) both read the tree through
:func:`read`, so a key added to the language is added here once.

The reading is lenient, because the checks run even when the schema found
problems, on whatever parts are well formed: nothing is assumed about
types. A value of the wrong shape is left out of the lenient fields (a
:class:`Name` is ``None``, a :class:`NameList` is incomplete) and the
containing record says it is incomplete, so a check that needs the whole
picture (every state name, every edge) can stand down instead of reporting
nonsense caused by an error already reported. Where the model builder needs
a value of any shape (descriptions, metadata, the sections themselves), the
view keeps the node as it is, and the builder insists on the shape the
checks guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.frontend.guard_view import GuardItemView, read_guards
from gubernator_gen.frontend.state_view import STATE_KINDS as STATE_KINDS
from gubernator_gen.frontend.state_view import EdgeView as EdgeView
from gubernator_gen.frontend.state_view import StateView as StateView
from gubernator_gen.frontend.state_view import is_true, read_states
from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode
from gubernator_gen.frontend.view_names import NO_NAMES as NO_NAMES
from gubernator_gen.frontend.view_names import Name as Name
from gubernator_gen.frontend.view_names import NameList as NameList
from gubernator_gen.frontend.view_names import name_of as name_of
from gubernator_gen.frontend.view_names import names_of as names_of
from gubernator_gen.model import StateKind

#: ``source: "*"``: every non-terminal state (docs/language.md#wildcard-sources).
WILDCARD = "*"

#: The top-level key of a file holding several machines.
MACHINES_KEY = "machines"

#: The keys of a type written as a mapping in ``context`` (``{enum: [...]}``).
TYPE_FORMS = ("enum", "fields", "list", "dict")
OPTIONAL_KEY = "optional"


@dataclass(frozen=True, slots=True)
class MetaView:
    """The ``meta`` section: ``key`` is its key node, ``node`` its value.

    The other fields are the values of ``meta``'s keys (``None`` when
    absent), read only when ``node`` is a mapping.
    """

    key: Node | None = None
    node: Node | None = None
    machine_name: Node | None = None
    version: Node | None = None
    strict_mode: Node | None = None
    description: Node | None = None
    class_name: Node | None = None

    @property
    def is_malformed(self) -> bool:
        """True when ``meta`` is present but not a mapping."""
        return self.node is not None and not isinstance(self.node, MapNode)


@dataclass(frozen=True, slots=True)
class TransitionView:
    """What could be read of one transition (``index`` in the spec's list).

    ``wildcard`` is true for ``source: "*"``, whose ``sources`` then hold
    the one name ``*``; :meth:`SpecView.sources_of` expands it.
    ``guard_items`` are the items of ``guards`` (one for a single name or
    mapping); ``guards`` holds the names of the guard methods they use, and
    is complete when every item could be read. ``assign`` holds the entries
    of ``assign`` whose key is a string, as ``(key, value)``.
    """

    index: int
    item: Node
    trigger: Name | None
    sources: NameList
    dest: Name | None
    guards: NameList
    actions: NameList
    description: Node | None = None
    metadata: Node | None = None
    wildcard: bool = False
    guards_node: Node | None = None
    actions_node: Node | None = None
    guard_items: tuple[GuardItemView, ...] = ()
    assign_node: Node | None = None
    assign: tuple[tuple[ScalarNode, Node], ...] = ()
    internal: Node | None = None

    @property
    def is_internal(self) -> bool:
        """True for ``internal: true`` (docs/language.md#compound-states)."""
        return is_true(self.internal)

    @property
    def is_unguarded(self) -> bool:
        """True when the transition has no guards at all (and that could be read)."""
        return self.guards.complete and not self.guard_items


@dataclass(frozen=True, slots=True)
class PolicyView:
    """The ``error_policy`` section: ``node`` is its value (``None``: absent).

    The other fields are the values of its keys, read only when ``node`` is
    a mapping; ``fallback`` is ``default_fallback`` when it is a string.
    """

    node: Node | None = None
    default_fallback: Node | None = None
    retry_attempts: Node | None = None
    fallback: Name | None = None


@dataclass(frozen=True, slots=True)
class SpecView:
    """The machine as far as it could be read.

    ``states`` holds every state in document order, nested ones included
    (see :mod:`~gubernator_gen.frontend.state_view`). ``states_complete``
    means ``states`` and every nested ``states:`` are lists whose every item
    is a mapping with a string name; ``transitions_complete`` means every
    transition has string sources and a string dest. ``states_node``,
    ``transitions_node`` and ``context_node`` are the sections' values as
    written; ``context`` is the context section when it is a mapping.
    """

    root: MapNode
    meta: MetaView
    states_node: Node | None
    states: tuple[StateView, ...]
    states_complete: bool
    transitions_node: Node | None
    transitions: tuple[TransitionView, ...]
    transitions_complete: bool
    policy: PolicyView
    context_node: Node | None

    @property
    def context(self) -> MapNode | None:
        """The context section, when it is a mapping."""
        node = self.context_node
        return node if isinstance(node, MapNode) else None

    @property
    def fallback(self) -> Name | None:
        """``error_policy.default_fallback`` when it is a string."""
        return self.policy.fallback

    @property
    def is_statechart(self) -> bool:
        """True when a state nests, has children, is parallel or history, or
        has ``always:`` or ``after:`` (as :attr:`MachineSpec.is_statechart`)."""
        return any(state.uses_statecharts for state in self.states)

    @property
    def edges(self) -> tuple[EdgeView, ...]:
        """Every ``always:`` and ``after:`` entry, state by state."""
        return tuple(edge for state in self.states for edge in state.edges)

    def parent_of(self, state: StateView) -> StateView | None:
        """The state whose ``states:`` lists ``state`` (``None``: top level)."""
        return None if state.parent is None else self.states[state.parent]

    def sources_of(self, transition: TransitionView) -> tuple[str, ...]:
        """The states a transition leaves from, ``"*"`` expanded.

        A wildcard stands for every top-level state, in declaration order,
        whose type is not ``terminal`` (a state of unreadable type counts):
        in a flat machine every state; in a statechart the nested states
        inherit it from their top-level ancestor, so that a transition from
        a named source beats it at any depth (docs/language.md#wildcard-sources).
        """
        if not transition.wildcard:
            return transition.sources.texts
        terminal = terminal_names(self)
        return tuple(
            dict.fromkeys(
                state.name.text
                for state in self.states
                if state.name is not None
                and state.parent is None
                and state.name.text not in terminal
            )
        )


@dataclass(frozen=True, slots=True)
class TypeMappingView:
    """A context type written as a mapping: the value of each of its keys.

    ``forms`` holds the keys of :data:`TYPE_FORMS` present, as
    ``(key node, value)``; ``optional`` is the ``optional`` value;
    ``unknown`` are the other keys.
    """

    node: MapNode
    forms: tuple[tuple[ScalarNode, Node], ...]
    optional: Node | None
    unknown: tuple[ScalarNode, ...]


def read_type_mapping(node: MapNode) -> TypeMappingView:
    """Read a context type written as a mapping (``{enum: [a, b]}``)."""
    forms = []
    unknown = []
    for key, value in node.string_items():
        if key.value in TYPE_FORMS:
            forms.append((key, value))
        elif key.value != OPTIONAL_KEY:
            unknown.append(key)
    return TypeMappingView(node, tuple(forms), node.get(OPTIONAL_KEY), tuple(unknown))


def machine_documents(root: MapNode) -> tuple[MapNode, ...] | None:
    """The machine documents of a ``machines:`` file, ``None`` for a one-machine file.

    Items of ``machines`` that are not mappings are left out (the schema
    reports them).
    """
    if MACHINES_KEY not in root:
        return None
    machines = root.get(MACHINES_KEY)
    if not isinstance(machines, SeqNode):
        return ()
    return tuple(item for item in machines.items if isinstance(item, MapNode))


def read(root: MapNode) -> SpecView:
    """Read ``root`` leniently (never raises, whatever its shape)."""
    states_node = root.get("states")
    states, states_complete = read_states(states_node)
    transitions_node = root.get("transitions")
    transitions: list[TransitionView] = []
    transitions_complete = isinstance(transitions_node, SeqNode)
    if isinstance(transitions_node, SeqNode):
        for index, item in enumerate(transitions_node.items):
            transition = _read_transition(index, item)
            transitions.append(transition)
            if not transition.sources.complete or transition.dest is None:
                transitions_complete = False
    return SpecView(
        root=root,
        meta=_read_meta(root),
        states_node=states_node,
        states=states,
        states_complete=states_complete,
        transitions_node=transitions_node,
        transitions=tuple(transitions),
        transitions_complete=transitions_complete,
        policy=_read_policy(root.get("error_policy")),
        context_node=root.get("context"),
    )


def terminal_names(spec: SpecView) -> set[str]:
    """The names of the states whose type is ``terminal``."""
    return {
        state.name.text
        for state in spec.states
        if state.name is not None and state.kind == StateKind.TERMINAL.value
    }


def _read_meta(root: MapNode) -> MetaView:
    node = root.get("meta")
    key = root.key_node("meta")
    if not isinstance(node, MapNode):
        return MetaView(key, node)
    return MetaView(
        key=key,
        node=node,
        machine_name=node.get("machine_name"),
        version=node.get("version"),
        strict_mode=node.get("strict_mode"),
        description=node.get("description"),
        class_name=node.get("class_name"),
    )


def _read_policy(node: Node | None) -> PolicyView:
    if not isinstance(node, MapNode):
        return PolicyView(node)
    fallback = node.get("default_fallback")
    return PolicyView(
        node=node,
        default_fallback=fallback,
        retry_attempts=node.get("retry_attempts"),
        fallback=name_of(fallback),
    )


def _read_transition(index: int, item: Node) -> TransitionView:
    if not isinstance(item, MapNode):
        return TransitionView(index, item, None, NO_NAMES, None, NO_NAMES, NO_NAMES)
    source_node = item.get("source")
    sources = names_of(source_node) if source_node is not None else NO_NAMES
    if not sources.names:
        sources = NO_NAMES
    source_name = name_of(source_node)
    guards_node = item.get("guards")
    actions_node = item.get("actions")
    guard_items, guards = read_guards(guards_node)
    assign_node = item.get("assign")
    assign: tuple[tuple[ScalarNode, Node], ...] = ()
    if isinstance(assign_node, MapNode):
        assign = tuple(assign_node.string_items())
    return TransitionView(
        index=index,
        item=item,
        trigger=name_of(item.get("trigger")),
        sources=sources,
        dest=name_of(item.get("dest")),
        guards=guards,
        actions=names_of(actions_node),
        description=item.get("description"),
        metadata=item.get("metadata"),
        wildcard=source_name is not None and source_name.text == WILDCARD,
        guards_node=guards_node,
        actions_node=actions_node,
        guard_items=guard_items,
        assign_node=assign_node,
        assign=assign,
        internal=item.get("internal"),
    )
