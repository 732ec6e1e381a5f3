"""Semantic checks of nested, parallel and history states.

See docs/language.md#compound-states and the sections after it.

Errors ``GG340`` to ``GG349`` (:data:`~gubernator_gen.frontend.codes.
STATECHART_CODES`), each at the node that is wrong:

* ``initial:`` that names no child state of its state, stands on a state
  without children, or on a parallel state (whose regions are all entered);
  a compound state whose only children are history states (nothing to
  enter);
* a history state at the top level or in a parallel state, with children,
  actions, transitions or keys of its own, or whose ``default`` is not a
  child of its parent (for deep history: not a state inside it); ``history:``
  or ``default:`` on another state;
* a terminal state with children, ``type: initial`` on a nested state, a
  timeout on a state with children, a parallel state without regions;
* a ``done.state.NAME`` trigger whose NAME is no state with children.

Names are unique across the whole machine: the duplicate check of
:mod:`~gubernator_gen.frontend.validate` sees nested states because the
view lists them all. Like the other checks these run on whatever could be
read; the ones that need every name stand down when a name is unreadable.
"""

from __future__ import annotations

from collections.abc import Iterator

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.state_view import DONE_PREFIX, HISTORY_KEYS
from gubernator_gen.frontend.suggest import Suggester, did_you_mean
from gubernator_gen.frontend.tree import MapNode, Node, quoted
from gubernator_gen.frontend.view import SpecView, StateView
from gubernator_gen.model import HistoryDepth, StateKind


def check(spec: SpecView) -> Iterator[Diagnostic]:
    """The statechart errors of one machine document, state by state."""
    for state in spec.states:
        if state.history:
            yield from _history_state(spec, state)
        else:
            yield from _history_keys_elsewhere(state)
            yield from _kind(spec, state)
            yield from _initial(spec, state)
    yield from _transitions(spec)


def _label(state: StateView) -> str:
    return quoted(state.name.text) if state.name is not None else "this state"


def _plain(state: StateView) -> str:
    return state.name.text if state.name is not None else "CHILD"


def _at(state: StateView, node: Node | None) -> Node:
    return node if node is not None else state.item


def _history_state(spec: SpecView, state: StateView) -> Iterator[Diagnostic]:
    parent = spec.parent_of(state)
    where = _at(state, state.kind_node)
    if parent is None or parent.parallel:
        place = "at the top level" if parent is None else "in a parallel state"
        yield error(
            codes.MISPLACED_HISTORY,
            f"history state {_label(state)} is {place}: a history state belongs "
            "in the states: list of a compound state, whose last active children "
            "it restores",
            where.pos,
        )
    if isinstance(state.item, MapNode):
        for key, _ in state.item.string_items():
            if key.value not in HISTORY_KEYS:
                yield error(
                    codes.BAD_HISTORY_STATE,
                    f"history state {_label(state)} cannot have {quoted(key.value)}: "
                    "it is never active itself (it only says where to go back "
                    f"to); it takes {', '.join(HISTORY_KEYS)}",
                    key.pos,
                )
    if parent is not None and not parent.parallel and spec.states_complete:
        yield from _history_default(spec, state, parent)


def _history_default(
    spec: SpecView, state: StateView, parent: StateView
) -> Iterator[Diagnostic]:
    default = state.default
    if default is None:
        return
    deep = state.history_depth == HistoryDepth.DEEP.value
    allowed = _descendants(spec, parent) if deep else _child_states(spec, parent)
    if default.text in allowed:
        return
    what = "a state inside" if deep else "a child state of"
    yield error(
        codes.BAD_HISTORY_DEFAULT,
        f"the default of history state {_label(state)} must be {what} "
        f"{_label(parent)}, and {quoted(default.text)} is not"
        f"{did_you_mean(default.text, allowed)}",
        default.node.pos,
    )


def _child_states(spec: SpecView, state: StateView) -> list[str]:
    """The names of ``state``'s children that are not history states."""
    return [
        child.name.text
        for child in (spec.states[i] for i in state.children)
        if child.name is not None and not child.history
    ]


def _descendants(spec: SpecView, state: StateView) -> list[str]:
    """The names of the states inside ``state``, history states left out."""
    found: list[str] = []
    pending = list(reversed(state.children))
    while pending:
        child = spec.states[pending.pop()]
        if child.name is not None and not child.history:
            found.append(child.name.text)
        pending.extend(reversed(child.children))
    return found


def _history_keys_elsewhere(state: StateView) -> Iterator[Diagnostic]:
    for key_name in ("history", "default"):
        key = state.key(key_name)
        if key is not None:
            yield error(
                codes.BAD_HISTORY_STATE,
                f"{quoted(key_name)} belongs to a history state, and "
                f"{_label(state)} is not one (a history state is written "
                "{name: H, type: history, history: shallow|deep, default: CHILD} "
                "in the states: list of a compound state)",
                key.pos,
            )


def _kind(spec: SpecView, state: StateView) -> Iterator[Diagnostic]:
    where = _at(state, state.kind_node)
    nested = state.states_node is not None
    if state.kind == StateKind.TERMINAL.value and nested:
        yield error(
            codes.TERMINAL_WITH_CHILDREN,
            f"terminal state {_label(state)} cannot have children: nothing leaves "
            "a terminal state, so its children could never be left either; make "
            "one of its children terminal instead",
            where.pos,
        )
    if state.kind == StateKind.INITIAL.value and state.parent is not None:
        parent = spec.parent_of(state)
        assert parent is not None
        yield error(
            codes.NESTED_INITIAL_TYPE,
            "type: initial marks the top-level state the machine starts in; the "
            f"child entered first is written initial: {_plain(state)} on "
            f"{_label(parent)}",
            where.pos,
        )
    timeout_key = state.timeout_key
    if timeout_key is not None and nested:
        yield error(
            codes.TIMEOUT_WITH_CHILDREN,
            f"state {_label(state)} has children, so its delays are written "
            "after: [{seconds: N, dest: STATE}] (a timeout: belongs to a state "
            "without children)",
            timeout_key.pos,
        )
    if state.parallel and not nested:
        yield error(
            codes.PARALLEL_WITHOUT_REGIONS,
            f"parallel state {_label(state)} has no regions: list them as its "
            "states: [...] (each region a state, usually with children of its own)",
            where.pos,
        )


def _initial(spec: SpecView, state: StateView) -> Iterator[Diagnostic]:
    node = state.initial_node
    children = [spec.states[i] for i in state.children]
    only_history = bool(children) and all(child.history for child in children)
    if node is None:
        if only_history and not state.parallel and state.name is not None:
            yield error(
                codes.NOTHING_TO_ENTER,
                f"state {_label(state)} holds only history states, so entering "
                "it has no child to enter: add the child states the history "
                "restores",
                _at(state, state.key("states")).pos,
            )
        return
    initial = state.initial
    if initial is None:
        return  # not a name: the schema (or guidance) says so
    if state.parallel:
        yield _bad_initial(
            node,
            f"parallel state {_label(state)} has no initial child: entering it "
            "enters every region; remove initial:",
        )
        return
    if state.states_node is None:
        yield _bad_initial(
            node,
            f"initial: names the child entered first, and {_label(state)} has no "
            "children (give it states: [...], or remove initial:)",
        )
        return
    if not spec.states_complete:
        return
    named = {child.name.text: child for child in children if child.name}
    found = named.get(initial.text)
    if found is not None and found.history:
        yield _bad_initial(
            initial.node,
            f"initial: of {_label(state)} names the history state "
            f"{quoted(initial.text)}; name a child state (a history state is "
            "entered through transitions)",
        )
    elif found is None:
        choices = _child_states(spec, state)
        yield _bad_initial(
            initial.node,
            f"initial: of {_label(state)} must name one of its children, and "
            f"{quoted(initial.text)} is not one{did_you_mean(initial.text, choices)}",
        )


def _bad_initial(node: Node, message: str) -> Diagnostic:
    return error(codes.BAD_INITIAL_CHILD, message, node.pos)


def _transitions(spec: SpecView) -> Iterator[Diagnostic]:
    if not spec.states_complete:
        return
    history = {s.name.text for s in spec.states if s.history and s.name}
    containers = [
        s.name.text
        for s in spec.states
        if s.name is not None and s.states_node is not None and not s.history
    ]
    suggester = Suggester(containers)
    for transition in spec.transitions:
        for source in transition.sources.names:
            if source.text in history:
                yield error(
                    codes.BAD_HISTORY_STATE,
                    f"no transition leaves history state {quoted(source.text)}: it "
                    "is never active itself; write the transition from its parent",
                    source.node.pos,
                )
        trigger = transition.trigger
        if trigger is None or not trigger.text.startswith(DONE_PREFIX):
            continue
        done = trigger.text[len(DONE_PREFIX) :]
        if done in containers:
            continue
        yield error(
            codes.BAD_DONE_EVENT,
            f"trigger {quoted(trigger.text)} is the completion event of "
            f"{quoted(done)}, which is not a state with children"
            f"{suggester.did_you_mean(done)}: done.state.NAME is raised when "
            "state NAME reaches a terminal child (a parallel state: when all its "
            "regions have)",
            trigger.node.pos,
        )
