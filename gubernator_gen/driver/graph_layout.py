"""What a diagram shows, whatever its format: edges, and where states nest.

A flat machine is one block (the diagram itself) holding every state. A
statechart nests: a compound state is a block holding its children; a
parallel state is a block holding its history children and one block per
region (each region one child state, drawn in its own area). An edge
between two states of one block is written in that block, any other edge
at the top level (see :meth:`Nesting.edge_block`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from gubernator_gen.driver.graph_text import edge_label, seconds_text, transition_label
from gubernator_gen.model import MachineSpec, NamedGuard, State, StateKind


class EdgeKind(enum.Enum):
    """Where an edge comes from in the spec (its drawing style follows)."""

    TRANSITION = "transition"
    TIMEOUT = "timeout"
    HISTORY_DEFAULT = "history default"
    ALWAYS = "always"
    AFTER = "after"

    @property
    def delayed(self) -> bool:
        """True for the edges taken some time after their state was entered."""
        return self in (EdgeKind.TIMEOUT, EdgeKind.AFTER)


@dataclass(frozen=True, slots=True)
class Edge:
    """One edge; ``source`` ``None`` is the wildcard pseudo-state ``*``."""

    source: str | None
    dest: str
    label: str
    kind: EdgeKind


#: The label of the pseudo-state that wildcard transitions leave from.
WILDCARD = "*"

#: A block of the diagram: ``(owner, region)``. The diagram itself is
#: ``(None, -1)``, a compound or parallel state's body ``(name, -1)`` and
#: the area of its region number ``i`` ``(name, i)``.
Block = tuple[str | None, int]

ROOT: Block = (None, -1)


def delay_label(seconds: int | float) -> str:
    """``after 3600s`` (fractions kept, ``3600.0`` written ``3600``)."""
    return f"after {seconds_text(seconds)}s"


def edges(spec: MachineSpec) -> list[Edge]:
    """Every edge in drawing order.

    Transitions first, in spec order, one edge per source (a wildcard
    transition is one edge from ``*``); then, state by state in document
    order, a history state's default, the ``always`` and ``after``
    transitions and the timeout.
    """
    found: list[Edge] = []
    for transition in spec.transitions:
        label = transition_label(transition)
        sources = (None,) if transition.wildcard else transition.sources
        found.extend(
            Edge(source, transition.dest, label, EdgeKind.TRANSITION)
            for source in sources
        )
    for state in spec.states:
        found.extend(_state_edges(spec, state))
    return found


def _state_edges(spec: MachineSpec, state: State) -> Iterator[Edge]:
    if state.history is not None:
        default = state.history_default or initial_child(spec, state.parent)
        if default is not None:
            yield Edge(state.name, default, "", EdgeKind.HISTORY_DEFAULT)
    for always in state.always:
        label = edge_label(
            "always",
            tuple(map(NamedGuard, always.guards)),
            always.actions,
            always.internal,
        )
        yield Edge(state.name, always.dest, label, EdgeKind.ALWAYS)
    for after in state.after:
        label = edge_label(
            delay_label(after.seconds),
            tuple(map(NamedGuard, after.guards)),
            after.actions,
            after.internal,
        )
        yield Edge(state.name, after.dest, label, EdgeKind.AFTER)
    if state.timeout is not None:
        label = delay_label(state.timeout.seconds)
        yield Edge(state.name, state.timeout.destination, label, EdgeKind.TIMEOUT)


def top_initial(spec: MachineSpec) -> str:
    """The top-level state the machine starts in: the top-level ``initial``
    one, else the first."""
    top = [state for state in spec.states if state.parent is None]
    chosen = next((s for s in top if s.kind is StateKind.INITIAL), top[0])
    return chosen.name


def initial_child(spec: MachineSpec, name: str | None) -> str | None:
    """The child a compound state enters first (``None`` for a parallel one).

    The front end resolves ``initial``; without it, the first child that is
    not a history pseudo-state.
    """
    if name is None:
        return top_initial(spec)
    state = spec.state(name)
    if state.parallel:
        return None
    if state.initial is not None:
        return state.initial
    return next((c for c in state.children if not spec.state(c).is_history), None)


def is_container(state: State) -> bool:
    """True for a compound or parallel state (drawn as a box around its children)."""
    return bool(state.children)


def regions(spec: MachineSpec, parallel: State) -> tuple[str, ...]:
    """A parallel state's regions: its children that are not history states."""
    return tuple(c for c in parallel.children if not spec.state(c).is_history)


class Nesting:
    """The blocks of one spec: which states each holds, and where edges go."""

    def __init__(self, spec: MachineSpec) -> None:
        """Index ``spec``'s states by the block that declares them."""
        self.spec = spec
        self._block: dict[str, Block] = {}
        self._members: dict[Block, list[str]] = {ROOT: []}
        for state in spec.states:
            block = self._declaring_block(state)
            self._block[state.name] = block
            self._members.setdefault(block, []).append(state.name)

    def _declaring_block(self, state: State) -> Block:
        if state.parent is None:
            return ROOT
        parent = self.spec.state(state.parent)
        if parent.parallel and not state.is_history:
            return (parent.name, regions(self.spec, parent).index(state.name))
        return (parent.name, -1)

    def members(self, block: Block) -> tuple[str, ...]:
        """The states declared directly in ``block``, in document order."""
        return tuple(self._members.get(block, ()))

    def block_of(self, name: str) -> Block:
        """The block that declares state ``name``."""
        return self._block[name]

    def edge_block(self, edge: Edge) -> Block:
        """Where ``edge`` is written: the block that declares both its ends,
        else the diagram itself.

        Mermaid moves a state named by an edge into the block (or region
        area) the edge is written in, except at the top level; so an edge
        between states of different blocks is written at the top level.
        """
        if edge.source is None:
            return ROOT
        block = self._block[edge.source]
        return block if block == self._block[edge.dest] else ROOT
