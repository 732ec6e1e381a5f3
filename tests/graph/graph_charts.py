"""Hand-built charts for the diagram tests, and hostile renaming of any chart.

:func:`chart` builds a :class:`MachineSpec` from nested :class:`N` nodes as
the statechart front end will (parent, children, initial child, history,
parallel, always/after, internal), with readable actions and descriptions,
which the differential test's builder does not need. :func:`renamed` gives
every state and trigger of a chart another name, for the escaping tests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.model import (
    EMPTY_METADATA,
    DelayedTransition,
    ErrorPolicy,
    EventlessTransition,
    GuardItem,
    HistoryDepth,
    MachineSpec,
    NamedGuard,
    State,
    StateKind,
    Timeout,
    Transition,
)

POS = SourcePos("chart.yaml", 1, 1)

#: ``(dest, guards, actions, internal)``
Always = tuple[str, tuple[str, ...], tuple[str, ...], bool]
#: ``(seconds, dest, guards, actions)``
After = tuple[float, str, tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class N:
    """A state and its children, in document order."""

    name: str
    children: tuple[N, ...] = ()
    kind: StateKind = StateKind.STABLE
    initial: str | None = None
    parallel: bool = False
    history: HistoryDepth | None = None
    default: str | None = None
    always: tuple[Always, ...] = ()
    after: tuple[After, ...] = ()
    timeout: tuple[float, str] | None = None
    description: str = ""


@dataclass(frozen=True)
class Tr:
    """A transition; ``source`` ``"*"`` is a wildcard one."""

    trigger: str
    source: str | tuple[str, ...]
    dest: str
    guards: tuple[GuardItem | str, ...] = ()
    actions: tuple[str, ...] = ()
    internal: bool = False


def _state(node: N, parent: str | None) -> State:
    return State(
        name=node.name,
        kind=node.kind,
        description=node.description,
        on_enter=(),
        on_exit=(),
        timeout=None if node.timeout is None else Timeout(*node.timeout, POS),
        metadata=EMPTY_METADATA,
        pos=POS,
        parent=parent,
        children=tuple(child.name for child in node.children),
        initial=node.initial,
        parallel=node.parallel,
        history=node.history,
        history_default=node.default,
        always=tuple(EventlessTransition(*entry, pos=POS) for entry in node.always),
        after=tuple(DelayedTransition(*entry, pos=POS) for entry in node.after),
    )


def _transition(index: int, arrow: Tr, states: Sequence[State]) -> Transition:
    items = tuple(NamedGuard(g) if isinstance(g, str) else g for g in arrow.guards)
    wildcard = arrow.source == "*"
    if wildcard:
        sources = tuple(s.name for s in states if s.kind is not StateKind.TERMINAL)
    else:
        sources = (arrow.source,) if isinstance(arrow.source, str) else arrow.source
    return Transition(
        index=index,
        trigger=arrow.trigger,
        sources=sources,
        dest=arrow.dest,
        guards=tuple(i.name for i in items if isinstance(i, NamedGuard)),
        actions=arrow.actions,
        description="",
        metadata=EMPTY_METADATA,
        pos=POS,
        guard_items=items if any(not isinstance(g, str) for g in arrow.guards) else (),
        wildcard=wildcard,
        internal=arrow.internal,
    )


def chart(name: str, top: Sequence[N], arrows: Sequence[Tr]) -> MachineSpec:
    """The machine ``name`` of the tree ``top`` and the transitions ``arrows``."""
    states: list[State] = []
    pending: list[tuple[N, str | None]] = [(node, None) for node in reversed(top)]
    while pending:  # document order without recursion
        node, parent = pending.pop()
        states.append(_state(node, parent))
        pending.extend((child, node.name) for child in reversed(node.children))
    return MachineSpec(
        source_name="chart.yaml",
        name=name,
        version="1.0.0",
        strict_mode=True,
        description="",
        class_name=None,
        context=None,
        states=tuple(states),
        transitions=tuple(_transition(i, a, states) for i, a in enumerate(arrows)),
        error_policy=ErrorPolicy(),
        spec_sha256="0" * 64,
        pos=POS,
        name_pos=POS,
    )


def renamed(
    spec: MachineSpec,
    state_name: Callable[[str], str],
    trigger_name: Callable[[str], str],
    description: Callable[[str], str],
) -> MachineSpec:
    """``spec`` with every state, trigger and description replaced."""

    def name(old: str | None) -> str | None:
        return None if old is None else state_name(old)

    def state(old: State) -> State:
        return dataclasses.replace(
            old,
            name=state_name(old.name),
            description=description(old.name),
            parent=name(old.parent),
            children=tuple(map(state_name, old.children)),
            initial=name(old.initial),
            history_default=name(old.history_default),
            always=tuple(
                dataclasses.replace(a, dest=state_name(a.dest)) for a in old.always
            ),
            after=tuple(
                dataclasses.replace(a, dest=state_name(a.dest)) for a in old.after
            ),
            timeout=(
                None
                if old.timeout is None
                else dataclasses.replace(
                    old.timeout, destination=state_name(old.timeout.destination)
                )
            ),
        )

    def transition(old: Transition) -> Transition:
        return dataclasses.replace(
            old,
            trigger=trigger_name(old.trigger),
            sources=tuple(map(state_name, old.sources)),
            dest=state_name(old.dest),
        )

    return dataclasses.replace(
        spec,
        states=tuple(map(state, spec.states)),
        transitions=tuple(map(transition, spec.transitions)),
    )


def mapping_of(names: Mapping[str, str]) -> Callable[[str], str]:
    """A renaming function that looks names up in ``names``."""
    return names.__getitem__
