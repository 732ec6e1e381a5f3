"""The model builder: a checked spec, read through its view → :class:`MachineSpec`.

Only called on a tree with no error diagnostics, so every value has the
shape the schema promises; this module normalises (single names to tuples,
defaults filled in, integral floats to ``int``) and keeps positions. It
reads the spec through :mod:`~gubernator_gen.frontend.view`, as the checks
do, so it spells no key of its own; any shape the checks should have
refused is a :class:`ModelError` (a front-end bug). It is the last code
that looks at the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TypeVar

from gubernator_gen.frontend import context_types, declarative
from gubernator_gen.frontend.declarative import Declarations, edge_key
from gubernator_gen.frontend.state_view import is_true
from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode, plain
from gubernator_gen.frontend.view import (
    EdgeView,
    Name,
    NameList,
    PolicyView,
    SpecView,
    StateView,
    TransitionView,
)
from gubernator_gen.model import (
    EMPTY_METADATA,
    ContextField,
    DelayedTransition,
    ErrorPolicy,
    EventlessTransition,
    HistoryDepth,
    MachineSpec,
    PlainData,
    State,
    StateKind,
    Timeout,
    Transition,
    freeze,
)

DEFAULT_VERSION = "0.0.0"

_View = TypeVar("_View", StateView, TransitionView)


class ModelError(Exception):
    """The tree does not have the shape the checks guarantee (a front-end bug)."""


def spec_sha256(text: str) -> str:
    """SHA-256 (hex) of the spec text with line endings normalised to ``\\n``."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def build(
    spec: SpecView,
    *,
    source_name: str,
    stem: str | None,
    text: str,
    declared: Declarations | None = None,
) -> MachineSpec:
    """The model of the checked machine document read as ``spec``.

    ``source_name`` is the spec's file name, ``stem`` the default machine
    name (``None`` in a ``machines:`` file, where each machine names
    itself) and ``text`` the spec text after substitution (hashed).
    ``declared`` is what :func:`~gubernator_gen.frontend.declarative.check`
    made of the guard items and ``assign`` (checked again when not given).
    """
    if declared is None:
        declared = declarative.check(spec)
    meta = spec.meta
    if meta.is_malformed:
        raise ModelError("meta is not a mapping")
    root = spec.root
    name_pos = (meta.class_name or meta.machine_name or root).pos
    return MachineSpec(
        source_name=source_name,
        name=_string(meta.machine_name, stem),
        version=_string(meta.version, DEFAULT_VERSION),
        strict_mode=_boolean(meta.strict_mode, True),
        description=_string(meta.description, ""),
        class_name=(
            None if meta.class_name is None else _string(meta.class_name, None)
        ),
        context=_context(spec.context_node),
        states=_states(spec, declared),
        transitions=tuple(
            _transition(transition, spec, declared)
            for transition in _items(spec.transitions_node, spec.transitions)
        ),
        error_policy=_error_policy(spec.policy),
        spec_sha256=spec_sha256(text),
        pos=root.pos,
        name_pos=name_pos,
        machine_name_pos=None if meta.machine_name is None else meta.machine_name.pos,
        guard_signatures=declared.signatures,
    )


def _items(node: Node | None, views: tuple[_View, ...]) -> tuple[_View, ...]:
    if not isinstance(node, SeqNode):
        raise ModelError("expected a list")
    return views


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


def _names(names: NameList) -> tuple[str, ...]:
    if not names.complete:
        raise ModelError("expected a name or a list of names")
    return names.texts


def _name(name: Name | None) -> str:
    if name is None:
        raise ModelError("missing name")
    return name.text


def _metadata(node: Node | None) -> Mapping[str, PlainData]:
    if node is None:
        return EMPTY_METADATA
    frozen = freeze(plain(node))
    if not isinstance(frozen, Mapping):
        raise ModelError(f"metadata is not a mapping at {node.pos}")
    return frozen


def _context(node: Node | None) -> tuple[ContextField, ...] | None:
    if node is None:
        return None
    if not isinstance(node, MapNode):
        raise ModelError("context is not a mapping")
    try:
        return context_types.fields_of(node)
    except ValueError as exc:
        raise ModelError(str(exc)) from None


def _states(spec: SpecView, declared: Declarations) -> tuple[State, ...]:
    """Every state in document order, the tree's links and defaults resolved.

    In a statechart without a top-level ``type: initial`` the machine starts
    in its first top-level state (as a compound state without ``initial:``),
    which the model marks as the initial state.
    """
    views = _items(spec.states_node, spec.states)
    starts_first = spec.is_statechart and not any(
        view.parent is None and view.kind == StateKind.INITIAL.value for view in views
    )
    states = []
    for view in views:
        kind = None
        if starts_first and view.index == 0:
            kind = StateKind.INITIAL
        states.append(_state(view, spec, declared, kind))
    return tuple(states)


def _state(
    state: StateView,
    spec: SpecView,
    declared: Declarations,
    kind: StateKind | None = None,
) -> State:
    if not isinstance(state.item, MapNode):
        raise ModelError("a state is not a mapping")
    timeout = None
    if state.timeout is not None:
        if not isinstance(state.timeout, MapNode):
            raise ModelError("timeout is not a mapping")
        timeout = Timeout(
            seconds=_seconds(state.timeout_seconds),
            destination=_name(state.timeout_dest),
            pos=state.timeout.pos,
        )
    if state.kind is None:
        raise ModelError(f"invalid state type at {state.item.pos}")
    parent = spec.parent_of(state)
    children = tuple(_name(spec.states[i].name) for i in state.children)
    return State(
        name=_name(state.name),
        kind=kind or StateKind(state.kind),
        description=_string(state.description, ""),
        on_enter=_names(state.on_enter),
        on_exit=_names(state.on_exit),
        timeout=timeout,
        metadata=_metadata(state.metadata),
        pos=state.item.pos,
        parent=None if parent is None else _name(parent.name),
        children=children,
        initial=_initial(state, spec),
        parallel=state.parallel,
        history=_history(state),
        history_default=None if state.default is None else state.default.text,
        always=tuple(_eventless(edge, declared) for edge in state.always),
        after=tuple(_delayed(edge, declared) for edge in state.after),
    )


def _initial(state: StateView, spec: SpecView) -> str | None:
    """The initial child of a compound state: ``initial:``, else the first."""
    if state.parallel or state.history:
        return None
    children = [spec.states[i] for i in state.children]
    if not any(not child.history for child in children):
        return None
    if state.initial is not None:
        return state.initial.text
    return _name(next(child for child in children if not child.history).name)


def _history(state: StateView) -> HistoryDepth | None:
    if not state.history:
        return None
    if state.history_depth is None:
        raise ModelError(f"invalid history depth at {state.item.pos}")
    return HistoryDepth(state.history_depth)


def _eventless(edge: EdgeView, declared: Declarations) -> EventlessTransition:
    compiled = declared.edges.get(edge_key(edge))
    if compiled is None:
        raise ModelError(f"unchecked guards at {edge.item.pos}")
    return EventlessTransition(
        dest=_name(edge.dest),
        guards=_names(edge.guards),
        actions=_names(edge.actions),
        internal=is_true(edge.internal),
        description=_string(edge.description, ""),
        pos=edge.item.pos,
        guard_items=compiled.guard_items,
    )


def _delayed(edge: EdgeView, declared: Declarations) -> DelayedTransition:
    """An ``after:`` entry: an eventless one's fields and its delay."""
    shared = _eventless(edge, declared)
    return DelayedTransition(
        seconds=_seconds(edge.seconds),
        dest=shared.dest,
        guards=shared.guards,
        actions=shared.actions,
        internal=shared.internal,
        description=shared.description,
        pos=shared.pos,
        guard_items=shared.guard_items,
    )


def _seconds(node: Node | None) -> int | float:
    if node is None:
        raise ModelError("timeout or after without seconds")
    value = _scalar(node).value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelError(f"seconds is not a number at {node.pos}")
    return value


def _transition(
    transition: TransitionView, spec: SpecView, declared: Declarations
) -> Transition:
    if not isinstance(transition.item, MapNode):
        raise ModelError("a transition is not a mapping")
    _names(transition.sources)  # complete, or a front-end bug
    compiled = declared.transitions.get(transition.index)
    if compiled is None:
        raise ModelError(f"unchecked guards or assign at {transition.item.pos}")
    return Transition(
        index=transition.index,
        trigger=_name(transition.trigger),
        # A source listed twice (a warning) would otherwise put the same
        # candidate in the dispatch table twice.
        sources=tuple(dict.fromkeys(spec.sources_of(transition))),
        dest=_name(transition.dest),
        guards=_names(transition.guards),
        actions=_names(transition.actions),
        description=_string(transition.description, ""),
        metadata=_metadata(transition.metadata),
        pos=transition.item.pos,
        guard_items=compiled.guard_items,
        assign=compiled.assign,
        wildcard=transition.wildcard,
        internal=transition.is_internal,
    )


def _error_policy(policy: PolicyView) -> ErrorPolicy:
    if policy.node is None:
        return ErrorPolicy()
    if not isinstance(policy.node, MapNode):
        raise ModelError("error_policy is not a mapping")
    fallback = policy.default_fallback
    attempts = policy.retry_attempts
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
