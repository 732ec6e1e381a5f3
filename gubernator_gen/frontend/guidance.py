"""Messages for people coming from other state-machine libraries.

A spec converted from transitions, python-statemachine, pystator or XState
often keeps a construct this language does not have, or spells one of ours
their way (``conditions`` for ``guards``, ``target`` for ``dest``). Instead
of a bare "unknown key", each gets an error (GG210) at the construct that
says what to write here. The schema finds the same nodes; the pipeline keeps
only this message for them (:func:`replaced_positions`).

Every message lives in the tables below. Constructs that later parts of the
language will add (compound and parallel states, history, eventless and
delayed transitions) say "not supported yet" through
:func:`_later`; when one lands, its entry is deleted here and the key is
read by :mod:`~gubernator_gen.frontend.view` like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.guard_view import NOT_KEY, GuardItemView
from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode, quoted
from gubernator_gen.frontend.view import MACHINES_KEY, SpecView


def _later(feature: str, instead: str) -> str:
    return f"{feature} not supported yet; {instead}"


_FLAT = (
    "states are flat here: write the children as states of their own, and give "
    "transitions that several states share a source list [A, B] or source: '*'"
)

#: Keys of a state that other libraries have, and what to write instead.
STATE_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "parent": _later("nesting a state in another ('parent') is", _FLAT),
        "states": _later("states inside a state (compound states) are", _FLAT),
        "children": _later("states inside a state (compound states) are", _FLAT),
        "initial": _later(
            "the initial child of a compound state ('initial') is",
            "mark the state the machine starts in with type: initial",
        ),
        "initial_child": _later(
            "the initial child of a compound state ('initial_child') is",
            "mark the state the machine starts in with type: initial, and make "
            "the child the dest of the transitions that enter its parent",
        ),
        "regions": _later(
            "parallel regions are",
            "write each region as its own machine (several machines can share "
            "one file under machines:) and store one state per region",
        ),
        "always": _later(
            "eventless transitions ('always') are",
            "list a transition with a trigger in transitions: and send that "
            "trigger from the application",
        ),
        "after": _later(
            "delayed transitions ('after') are",
            "give the state a timeout: {seconds: N, destination: STATE} and call "
            "machine.check_timeout from the application",
        ),
        "on": "transitions are not written inside states here: list them in the "
        "top-level transitions: list, with trigger, source and dest",
        "entry": "write the actions run on entering a state as on_enter: [action]",
        "exit": "write the actions run on leaving a state as on_exit: [action]",
    }
)

#: State types that other libraries have, and what to write instead.
STATE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "parallel": STATE_KEYS["regions"],
        "history": _later(
            "history states are",
            "store the state to return to in the context and route back with "
            "a guarded transition",
        ),
        "final": "a state nothing leaves is type: terminal here",
        "compound": STATE_KEYS["states"],
    }
)

#: Keys of a transition that other libraries have, and what to write instead.
TRANSITION_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "internal": _later(
            "internal transitions are",
            "a transition back to its own source runs the exit and enter actions; "
            "leave them out of on_exit/on_enter if they must not run",
        ),
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
