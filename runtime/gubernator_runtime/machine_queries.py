"""What a machine answers about itself: its states, triggers and spec.

:class:`MachineQueries` holds the queries and the descriptive properties of
``MachineBase`` (docs/runtime.md); they read the tables built once per
machine class (:mod:`gubernator_runtime.tables`) and decide nothing, so
they live apart from ``process`` and its failure paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Generic

from gubernator_runtime._base import S, T
from gubernator_runtime.binding import GuardCallable
from gubernator_runtime.definition import StateInfo, TransitionInfo
from gubernator_runtime.tables import MachineTables


class MachineQueries(Generic[S, T]):
    """The queries of a machine: a base of ``MachineBase``, never used alone."""

    __slots__ = ()

    _tables: ClassVar[MachineTables]
    _guards: Mapping[str, GuardCallable] | None

    def available_transitions(self, state: S | str) -> tuple[TransitionInfo, ...]:
        """Transitions leaving ``state`` in spec order, whatever their guards."""
        tables = self._tables
        return tables.available(tables.lookup_state(state))

    def available_triggers(self, state: S | str) -> tuple[T, ...]:
        """Distinct triggers of :meth:`available_transitions`, in order."""
        leaving = self.available_transitions(state)
        triggers = self._tables.trigger_of
        return tuple(dict.fromkeys(triggers[t.trigger] for t in leaving))

    def get_state(self, name: S | str) -> StateInfo:
        """The ``StateInfo`` of ``name``; ``UndefinedStateError`` if unknown."""
        tables = self._tables
        return tables.state_info[tables.lookup_state(name)]

    def validate_state(self, name: S | str) -> S:
        """``name`` as a ``State`` member; ``UndefinedStateError`` if unknown."""
        return self._tables.lookup_state(name)  # type: ignore[no-any-return]

    def is_terminal(self, state: S | str) -> bool:
        """True when ``state`` is terminal; ``UndefinedStateError`` if unknown."""
        tables = self._tables
        return tables.lookup_state(state) in tables.terminal

    @property
    def name(self) -> str:
        """The machine's name."""
        return self._tables.name

    @property
    def version(self) -> str:
        """The definition's version."""
        return self._tables.definition.version

    @property
    def strict_mode(self) -> bool:
        """Strict processing (docs/language.md#processing)."""
        return self._tables.strict

    @property
    def description(self) -> str:
        """The spec's description."""
        return self._tables.definition.description

    @property
    def spec_sha256(self) -> str:
        """SHA-256 of the spec the module was generated from."""
        return self._tables.definition.spec_sha256

    @property
    def initial_state(self) -> S:
        """The initial state."""
        return self._tables.definition.initial_state  # type: ignore[no-any-return]

    @property
    def states(self) -> tuple[StateInfo, ...]:
        """Every state in declaration order."""
        return self._tables.definition.states

    @property
    def transitions(self) -> tuple[TransitionInfo, ...]:
        """Every transition in spec order."""
        return self._tables.definition.transitions

    @property
    def state_names(self) -> tuple[S, ...]:
        """Every state, as ``State`` members in declaration order."""
        return self._tables.state_names

    @property
    def trigger_names(self) -> tuple[T, ...]:
        """Every trigger, in order of first appearance."""
        return self._tables.trigger_names

    @property
    def terminal_states(self) -> tuple[S, ...]:
        """Terminal states in declaration order."""
        return self._tables.terminal_states

    @property
    def guard_names(self) -> tuple[str, ...]:
        """Every guard the spec uses."""
        return self._tables.guard_names

    @property
    def action_names(self) -> tuple[str, ...]:
        """Every action the spec uses."""
        return self._tables.action_names

    @property
    def guards(self) -> Mapping[str, GuardCallable] | None:
        """The bound guards by name (read-only), or None if built without."""
        return self._guards

    def __repr__(self) -> str:
        return f"<{type(self).__name__} machine {self.name!r} version {self.version!r}>"
