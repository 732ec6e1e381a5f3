"""Messages for people coming from other state-machine libraries.

A spec converted from transitions, python-statemachine, pystator or XState
often keeps a construct this language does not have, or spells one of ours
their way (``conditions`` for ``guards``, ``target`` for ``dest``). Instead
of a bare "unknown key", each gets an error (GG210) at the construct that
says what to write here. The schema finds the same nodes; the pipeline keeps
only this message for them (:func:`replaced_positions`).

Every message lives in the tables below. The statechart constructs
(``states:``, ``initial:``, ``type: parallel``, ``type: history``,
``always:``, ``after:``, ``internal:``) are part of the language and read by
:mod:`~gubernator_gen.frontend.view`; what stays here are other libraries'
spellings of them (``parent``, ``regions``, XState's ``after`` mapping).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.guard_view import NOT_KEY, GuardItemView
from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode, quoted
from gubernator_gen.frontend.view import MACHINES_KEY, SpecView, StateView

_NEST = (
    "a state's children are written inside it, as a states: [...] list "
    "(nested to any depth)"
)
_REGIONS = (
    "a state whose children all run at once is written type: parallel, its "
    "regions being its states: [...] list"
)

#: Keys of a state that other libraries have, and what to write instead.
STATE_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "parent": f"a state does not name its parent here: {_NEST}",
        "children": f"{_NEST}",
        "substates": f"{_NEST}",
        "initial_child": "the child entered first is written initial: CHILD on "
        "the parent (the first child when left out)",
        "initial_state": "the child entered first is written initial: CHILD on "
        "the parent (the first child when left out)",
        "regions": _REGIONS,
        "parallel": _REGIONS,
        "on": "transitions are not written inside states here: list them in the "
        "top-level transitions: list, with trigger, source and dest",
        "entry": "write the actions run on entering a state as on_enter: [action]",
        "exit": "write the actions run on leaving a state as on_exit: [action]",
        "final": "a state nothing leaves is type: terminal here",
        "onDone": "a transition taken when a state's final child is reached is "
        "written in transitions: with trigger: done.state.NAME",
        "on_done": "a transition taken when a state's final child is reached is "
        "written in transitions: with trigger: done.state.NAME",
    }
)

#: State types that other libraries have, and what to write instead.
STATE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "final": "a state nothing leaves is type: terminal here",
        "compound": "a state with children needs no type: give it a states: "
        "[...] list",
        "atomic": "a state without children needs no type (stable is the " "default)",
        "deep": "a deep history state is written type: history with history: " "deep",
        "shallow": "a history state is written type: history with history: " "shallow",
    }
)

#: Keys of an ``always:`` or ``after:`` entry that other libraries have.
EDGE_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "target": "the state it goes to is written dest: STATE here",
        "to": "the state it goes to is written dest: STATE here",
        "cond": "guards are written guards: [guard, ...] here",
        "guard": "guards are written guards: [guard, ...] here",
        "conditions": "guards are written guards: [guard, ...] here",
        "delay": "the delay is written seconds: N here (in seconds, not "
        "milliseconds)",
    }
)
#: ``after:`` written as XState's mapping of delays to targets.
AFTER_MAPPING = (
    "after: is a list here, each entry {seconds: N, dest: STATE} (in seconds, "
    "not milliseconds)"
)
#: ``initial: true``, python-statemachine's mark of the starting state.
INITIAL_FLAG = (
    "initial: names the child a state with children enters first; the state "
    "the machine starts in is marked type: initial"
)
#: ``always:`` written as one target.
ALWAYS_SCALAR = "always: is a list here, each entry {dest: STATE, guards: [...]}"

#: Keys of a transition that other libraries have, and what to write instead.
TRANSITION_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "conditions": "guards are written guards: [guard, ...] here (each must "
        "return true)",
        "cond": "guards are written guards: [guard, ...] here",
        "unless": "a guard that must return false is written {not: guard} in "
        "guards: here",
        "target": "the state a transition goes to is written dest: STATE here",
        "to": "the state a transition goes to is written dest: STATE here",
        "from": "the states a transition leaves are written source: STATE (or a "
        "list, or '*') here",
        "event": "the event of a transition is written trigger: NAME here",
        "before": "actions run when a transition fires are written actions: "
        "[action, ...] here",
        "after": "actions run when a transition fires are written actions: "
        "[action, ...] here (the destination's on_enter runs after them)",
    }
)

#: A guard written as a mapping, by its first key: what other libraries write.
GUARD_FORMS: Mapping[str, str] = MappingProxyType(
    {
        "name": "a guard is written as its name alone (guards: [name]), or as "
        "{guard: name, params: {...}} to give it fixed arguments",
        "type": "a guard is written as its name alone (guards: [name])",
        "allOf": "every guard of the list must pass already: list the guards, or "
        "write one expression {expr: 'a and b'}",
        "all_of": "every guard of the list must pass already: list the guards, or "
        "write one expression {expr: 'a and b'}",
        "anyOf": "write the alternatives as one expression {expr: 'a or b'}, or "
        "as one transition per alternative",
        "any_of": "write the alternatives as one expression {expr: 'a or b'}, or "
        "as one transition per alternative",
        "negate": "a guard that must return false is written {not: name}; a "
        "condition, {expr: 'not (...)'}",
    }
)
#: ``{not: ...}`` whose value is not a guard's name (pystator negates checks).
NOT_MAPPING = (
    "{not: ...} takes the name of a guard; to negate a condition write it as an "
    "expression: {expr: 'not (...)'}"
)
#: Actions that other libraries write as effects on the context, by first key.
EFFECT_KEYS = frozenset(
    {
        "set",
        "increment",
        "decrement",
        "compute",
        "timestamp",
        "append",
        "clear",
        "assign",
    }
)
_EFFECT = (
    "changes to the context are written on the transition as assign: {field: "
    "expression} (e.g. assign: {attempts: 'attempts + 1'}); the result carries "
    "them as context_updates for the application to store"
)
_ACTION_MAPPING = (
    "an action is the name of a method of the generated Actions protocol; "
    "actions with parameters are not supported: write a named action that "
    "reads what it needs from the context (context updates are written "
    "assign: {field: expression} on the transition)"
)


def check(spec: SpecView) -> Iterator[Diagnostic]:
    """GG210 for each construct of another library in one machine document."""
    for state in spec.states:
        if isinstance(state.item, MapNode):
            yield from _keys(state.item, STATE_KEYS, "a state")
        kind = state.kind_node
        if state.kind is None and isinstance(kind, ScalarNode):
            guide = STATE_TYPES.get(str(kind.value))
            if guide is not None:
                yield _guide(f"state type {quoted(kind.value)}: {guide}", kind.pos)
        yield from _actions(state.on_enter_node)
        yield from _actions(state.on_exit_node)
        yield from _edges(state)
    for transition in spec.transitions:
        if isinstance(transition.item, MapNode):
            yield from _keys(transition.item, TRANSITION_KEYS, "a transition")
        yield from _guards(transition.guard_items)
        yield from _actions(transition.actions_node)


def check_file(root: MapNode) -> Iterator[Diagnostic]:
    """Keys beside ``machines:``, which must be alone at the top of its file."""
    if MACHINES_KEY not in root:
        return
    for key, _ in root.string_items():
        if key.value != MACHINES_KEY:
            yield error(
                codes.UNKNOWN_KEY,
                f"unknown key {quoted(key.value)} at the top level: a file with "
                f"{MACHINES_KEY}: holds only that list; move {quoted(key.value)} "
                "into one of its machines",
                key.pos,
            )


def replaced_positions(guides: Iterable[Diagnostic]) -> frozenset[SourcePos]:
    """Where guidance stands: schema diagnostics there say less and are dropped."""
    return frozenset(d.pos for d in guides)


def _keys(item: MapNode, table: Mapping[str, str], what: str) -> Iterator[Diagnostic]:
    for key, _ in item.string_items():
        guide = table.get(str(key.value))
        if guide is not None:
            yield _guide(f"{what} has no key {quoted(key.value)}: {guide}", key.pos)


def _edges(state: StateView) -> Iterator[Diagnostic]:
    """XState's spellings of ``after:`` and ``always:`` and their entries,
    and python-statemachine's ``initial: true``."""
    flag = state.initial_node
    if isinstance(flag, ScalarNode) and isinstance(flag.value, bool):
        yield _guide(INITIAL_FLAG, flag.pos)
    if isinstance(state.after_node, MapNode):
        yield _guide(AFTER_MAPPING, state.after_node.pos)
    if isinstance(state.always_node, (ScalarNode, MapNode)):
        yield _guide(ALWAYS_SCALAR, state.always_node.pos)
    for edge in state.edges:
        if isinstance(edge.item, MapNode):
            yield from _keys(edge.item, EDGE_KEYS, f"an {edge.kind}: entry")
        yield from _guards(edge.guard_items)
        yield from _actions(edge.actions_node)


def _guards(items: Iterable[GuardItemView]) -> Iterator[Diagnostic]:
    """Guard mappings of other libraries; the schema explains the others."""
    for item in items:
        if item.kind == NOT_KEY and isinstance(item.value, MapNode):
            yield _guide(NOT_MAPPING, item.value.pos)
        if item.kind is not None or not isinstance(item.node, MapNode):
            continue
        for key, _ in item.node.string_items():
            guide = GUARD_FORMS.get(str(key.value))
            if guide is not None:
                # At the key, where the schema reports it as unknown.
                message = f"a guard item has no key {quoted(key.value)}: {guide}"
                yield _guide(message, key.pos)
                break


def _actions(node: Node | None) -> Iterator[Diagnostic]:
    for item in _items(node):
        if isinstance(item, MapNode):
            first = next((str(key.value) for key, _ in item.string_items()), "")
            yield _guide(_EFFECT if first in EFFECT_KEYS else _ACTION_MAPPING, item.pos)


def _items(node: Node | None) -> tuple[Node, ...]:
    if isinstance(node, SeqNode):
        return node.items
    return () if node is None else (node,)


def _guide(message: str, pos: SourcePos) -> Diagnostic:
    return error(codes.NOT_SUPPORTED, message, pos)
