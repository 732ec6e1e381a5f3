"""``StateTree``: the nesting of a statechart's states, as lookups (API 2.3).

A module generated from a spec with compound states builds one
``StateTree`` from its definition at import and answers ``is_in``,
``ancestors`` and ``leaves`` from it. Every answer is precomputed here,
once: a question is one dict lookup (``is_in``: two), never a walk up the
tree per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Generic

from gubernator_runtime._base import S
from gubernator_runtime.definition import MachineDefinition
from gubernator_runtime.errors import UndefinedStateError


class StateTree(Generic[S]):
    """The tree of a machine's states, from ``definition.parents``.

    States are the definition's ``state_type`` members in declaration
    order, which is document order (a state before its children). A state
    with children is compound; ``history`` names the history pseudo-states
    (API 2.3); the others are atomic, and only atomic states are stored by
    applications and named by results.
    """

    __slots__ = ("_ancestors", "_leaves", "_lineage", "_machine", "compound", "history")

    def __init__(
        self, definition: MachineDefinition[S, Any], history: Iterable[S] = ()
    ) -> None:
        self._machine = definition.name
        #: The history pseudo-states: never active, never leaves.
        self.history: frozenset[S] = frozenset(history)
        state_type: Any = definition.state_type  # an enum class: iterable
        members: tuple[S, ...] = tuple(state_type)
        parents: Mapping[Any, Any] = definition.parents
        ancestors: dict[Any, tuple[S, ...]] = {}
        for member in members:  # a parent comes before its children
            parent = parents.get(member)
            ancestors[member] = () if parent is None else (parent, *ancestors[parent])
        #: The compound states (every state that is some state's parent).
        self.compound: frozenset[S] = frozenset(parents.values())
        descendants: dict[Any, list[S]] = {m: [] for m in self.compound}
        for member in members:
            if member not in self.compound and member not in self.history:
                for ancestor in ancestors[member]:
                    descendants[ancestor].append(member)
        self._ancestors: Mapping[Any, tuple[S, ...]] = MappingProxyType(ancestors)
        self._leaves: Mapping[Any, tuple[S, ...]] = MappingProxyType(
            {
                member: tuple(descendants[member])
                if member in self.compound
                else ()
                if member in self.history
                else (member,)
                for member in members
            }
        )
        self._lineage: Mapping[Any, frozenset[S]] = MappingProxyType(
            {member: frozenset((member, *ancestors[member])) for member in members}
        )

    def _known(self, table: Mapping[Any, Any], state: object) -> Any:
        try:
            return table[state]
        except (KeyError, TypeError):
            raise UndefinedStateError(state, self._machine) from None

    def ancestors(self, state: S | str) -> tuple[S, ...]:
        """The states containing ``state``, innermost first (empty at the top)."""
        return self._known(self._ancestors, state)  # type: ignore[no-any-return]

    def leaves(self, state: S | str) -> tuple[S, ...]:
        """The atomic states inside ``state``, in document order; an atomic
        state is its own only leaf, a history pseudo-state has none."""
        return self._known(self._leaves, state)  # type: ignore[no-any-return]

    def is_in(self, state: S | str, ancestor: S | str) -> bool:
        """True when ``state`` is ``ancestor`` or lies inside it, at any depth."""
        self._known(self._lineage, ancestor)
        return ancestor in self._known(self._lineage, state)

    def is_compound(self, state: S | str) -> bool:
        """True when ``state`` has child states."""
        self._known(self._lineage, state)
        return state in self.compound

    def __repr__(self) -> str:
        return f"<StateTree of machine {self._machine!r}>"
