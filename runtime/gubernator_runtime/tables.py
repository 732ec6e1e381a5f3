"""What a machine class knows besides its decisions, built once per class.

``MachineBase.__init_subclass__`` calls :func:`build_tables` with the
generated module's definition and decision table. Nothing here re-derives
or re-checks what the generator decided: each builder reads one part of
the definition, in one pass, so a large machine imports in time linear in
its size.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from gubernator_runtime.cells import (
    DecisionTable,
    Guarded,
    HotTable,
    guarded_cells,
    unbound_table,
)
from gubernator_runtime.configuration import Configuration
from gubernator_runtime.definition import MachineDefinition, StateInfo, TransitionInfo
from gubernator_runtime.errors import (
    CompoundStateError,
    UndefinedStateError,
    UnknownConfigurationError,
)
from gubernator_runtime.regions import Regions
from gubernator_runtime.results import TransitionResult, success
from gubernator_runtime.timeouts import TIMEOUT_TRIGGER
from gubernator_runtime.tree import StateTree

#: A guarded cell of the table with its state and trigger keys.
GuardedCell = tuple[Any, Any, Guarded | Regions]


class MachineTables:
    """A machine class's lookups; read-only once built."""

    __slots__ = (
        "_action_names",
        "_available",
        "_decisions",
        "_guard_names",
        "_hot",
        "_tree",
        "compound",
        "configurations",
        "configured",
        "definition",
        "fallback_state",
        "name",
        "no_cell",
        "state_info",
        "state_names",
        "state_of",
        "strict",
        "terminal",
        "terminal_states",
        "timeout_results",
        "trigger_names",
        "trigger_of",
        "undefined",
    )

    def __init__(
        self, definition: MachineDefinition[Any, Any], decisions: DecisionTable
    ) -> None:
        self.definition = definition
        self.name = definition.name
        self.strict = definition.strict_mode
        # Members are str-valued: their plain values find the same entries.
        self.state_info: dict[Any, StateInfo] = {s.name: s for s in definition.states}
        self.state_of: dict[Any, Any] = {member: member for member in self.state_info}
        self.trigger_of: dict[Any, Any] = {t: t for t in definition.trigger_type}
        # A terminal state nested in a compound state is a final child: it
        # completes its parent, and the parent's transitions still leave it.
        parents = definition.parents
        self.terminal = frozenset(
            m for m, i in self.state_info.items() if i.is_terminal and m not in parents
        )
        #: States with children: never stored, never processed.
        self.compound: frozenset[Any] = frozenset(parents.values())
        self._tree: StateTree[Any] | None = None
        #: A machine processed on configurations: each configuration's text →
        #: its first active atomic state (document order), what its failure
        #: results name.
        self.configurations: dict[Any, Any] = _configurations(
            decisions, self.state_of, definition
        )
        self.configured = bool(self.configurations)
        self.state_of.update(self.configurations)
        self.state_names = tuple(self.state_info)
        self.trigger_names = tuple(self.trigger_of)
        self.terminal_states = tuple(m for m in self.state_names if m in self.terminal)
        self._decisions = decisions
        self._guard_names: tuple[str, ...] | None = None
        self._action_names: tuple[str, ...] | None = None
        fallback = definition.error_policy.default_fallback
        self.fallback_state = None if fallback is None else self.state_of[fallback]
        self.timeout_results = _timeout_results(self.state_info, self.state_of)
        # Built by the first instance: importing a module builds no table.
        self._hot: tuple[HotTable, list[tuple[Any, Any, Guarded | Regions]]] | None = (
            None
        )
        self._available: dict[Any, tuple[TransitionInfo, ...]] | None = None
        #: (state, known trigger) → the result when no cell decides it.
        self.no_cell: dict[tuple[Any, Any], TransitionResult[Any]] = {}
        #: (state, undefined trigger) → its result, for a bounded number.
        self.undefined: dict[tuple[Any, Any], TransitionResult[Any]] = {}

    @property
    def guard_names(self) -> tuple[str, ...]:
        """Every guard the spec uses, in first-use order."""
        if self._guard_names is None:
            self._guard_names = self.definition.guard_names
        return self._guard_names

    @property
    def action_names(self) -> tuple[str, ...]:
        """Every action the spec uses, in first-use order."""
        if self._action_names is None:
            self._action_names = self.definition.action_names
        return self._action_names

    def add_names(self, table: DecisionTable) -> None:
        """Count the guards and actions of ``table``'s cells too (the
        ``after:`` entries and resume cells of a statechart, which no
        transition lists)."""
        guards = dict.fromkeys(self.guard_names)
        actions = dict.fromkeys(self.action_names)
        for _, _, guarded in guarded_cells(table):
            guards.update(dict.fromkeys(guarded.methods))
        for row in table.values():
            for cell in row.values():
                if isinstance(cell, TransitionResult):
                    actions.update(dict.fromkeys(cell.all_actions))
                elif isinstance(cell, Guarded):
                    for result in cell.results:
                        actions.update(dict.fromkeys(result.all_actions))
                elif isinstance(cell, Regions):
                    for result in cell.steps.values():
                        actions.update(dict.fromkeys(result.all_actions))
        self._guard_names = tuple(guards)
        self._action_names = tuple(actions)

    def add_extra_names(
        self, guards: tuple[str, ...], actions: tuple[str, ...]
    ) -> None:
        """Count these guards and actions too (a factored statechart's
        eventless and ``after:`` transitions, which no transition lists)."""
        self._guard_names = tuple(dict.fromkeys((*self.guard_names, *guards)))
        self._action_names = tuple(dict.fromkeys((*self.action_names, *actions)))

    def hot(self) -> tuple[HotTable, list[GuardedCell]]:
        """The table of an instance without guards, and the guarded cells."""
        hot = self._hot
        if hot is None:
            hot = self._hot = unbound_table(self._decisions, self.strict, self.name)
        return hot

    def lookup_state(self, value: object) -> Any:
        """The ``State`` member for ``value``; ``UndefinedStateError`` if none
        (``UnknownConfigurationError`` for a machine on configurations)."""
        try:
            return self.state_of[value]
        except (KeyError, TypeError):
            if self.configured:
                raise UnknownConfigurationError(value, self.name) from None
            raise UndefinedStateError(value, self.name) from None

    def configuration_needed(self, value: object) -> UnknownConfigurationError:
        """The error for a state given to a machine on configurations."""
        return UnknownConfigurationError(value, self.name, is_state=True)

    @property
    def tree(self) -> StateTree[Any]:
        """The machine's state tree (built when first needed)."""
        if self._tree is None:
            self._tree = StateTree(self.definition)
        return self._tree

    def compound_error(self, state: Any) -> CompoundStateError:
        """The error for processing the compound state ``state`` (a member)."""
        return CompoundStateError(state, self.name, self.tree.leaves(state))

    def available(self, state: Any) -> tuple[TransitionInfo, ...]:
        """The transitions that may leave ``state`` (a member), in spec order."""
        available = self._available
        if available is None:  # built on first query: imports stay lean
            transitions = self.definition.transitions
            available = self._available = {
                self.state_of[key]: tuple(transitions[i] for i in indices)
                for key, indices in self.definition.leaving.items()
            }
        return available.get(state, ())


def _timeout_results(
    state_info: Mapping[Any, StateInfo], state_of: Mapping[Any, Any]
) -> dict[Any, TransitionResult[Any]]:
    """The prebuilt result of each state's timeout (terminal states have none)."""
    results: dict[Any, TransitionResult[Any]] = {}
    for member, info in state_info.items():
        timeout = info.timeout
        if timeout is None or info.is_terminal:
            continue
        dest = state_of[timeout.destination]
        results[member] = success(
            member,
            dest,
            TIMEOUT_TRIGGER,
            (),
            info.on_exit,
            state_info[dest].on_enter,
            MappingProxyType({"reason": "timeout", "timeout_seconds": timeout.seconds}),
        )
    return results


def _configurations(
    decisions: DecisionTable,
    state_of: Mapping[Any, Any],
    definition: MachineDefinition[Any, Any],
) -> dict[Any, Any]:
    """Each configuration key of ``decisions`` (a ``Configuration``) with
    its first active atomic state in declaration (document) order."""
    found: dict[Any, Any] = {}
    order: dict[Any, int] | None = None
    for key in decisions:
        if key in state_of or not isinstance(key, Configuration):
            continue
        if order is None:
            order = {m: i for i, m in enumerate(definition.state_type)}  # type: ignore[var-annotated, arg-type]
        first = min(key.active, key=order.__getitem__)
        found[str.__str__(key)] = state_of[first]
    return found


def build_tables(
    definition: MachineDefinition[Any, Any], decisions: DecisionTable
) -> MachineTables:
    """The lookups of a machine class with ``definition`` and ``decisions``."""
    return MachineTables(definition, decisions)
