"""The machine seen as a statechart: its tree and its transitions per state.

:class:`Chart` is a read-only index over a :class:`MachineSpec`. It gives every
transition one identity per source state (a transition listing two sources
is two statechart transitions, as in SCXML), groups them by state and
trigger in document order, and answers the structural questions of the
W3C algorithm (atomic, compound, parallel, history, final, initial child).

Triggers are event names (``str``), :data:`ALWAYS` for eventless
transitions, and :class:`Delay` for a state's ``after:`` entries, which the
application fires from its timeout sweep like any other event.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeAlias

from gubernator_gen.model import (
    GuardItem,
    MachineSpec,
    State,
    StateKind,
    StateTree,
    by_precedence,
)


class Eventless(enum.Enum):
    """The pseudo-trigger of ``always:`` transitions."""

    ALWAYS = "always"


#: Eventless transitions are selected under this trigger.
ALWAYS = Eventless.ALWAYS


@dataclass(frozen=True, slots=True, order=True)
class Delay:
    """The pseudo-trigger of ``state``'s ``after:`` entry number ``index``."""

    state: str
    index: int


#: What selects transitions: an event name, a delay, or :data:`ALWAYS`.
TriggerKey: TypeAlias = "str | Delay | Eventless"


class Origin(str, enum.Enum):
    """Where a statechart transition is written in the spec."""

    EVENT = "transitions"  # the top-level ``transitions:`` list
    ALWAYS = "always"  # a state's ``always:`` list
    AFTER = "after"  # a state's ``after:`` list


@dataclass(frozen=True, slots=True, order=True)
class TransitionRef:
    """One statechart transition: ``index`` in the spec's list named by ``origin``.

    ``source`` is the state it leaves from; for ``Origin.EVENT`` the index is
    the spec transition's ``index`` (shared by every source it lists), for
    the others the position in ``source``'s ``always:`` or ``after:`` list.
    """

    origin: Origin
    source: str
    index: int

    def __str__(self) -> str:
        return f"{self.origin.value}[{self.index}]@{self.source}"


@dataclass(frozen=True, slots=True)
class ChartTransition:
    """A transition as the SCXML algorithm sees it (one source, one target)."""

    ref: TransitionRef
    trigger: TriggerKey
    target: str
    guards: tuple[str, ...]
    actions: tuple[str, ...]
    internal: bool
    #: Declarative guard items (docs/language.md#guards), when the front end gives them.
    guard_items: tuple[GuardItem, ...] = ()

    @property
    def source(self) -> str:
        """The state the transition leaves from."""
        return self.ref.source

    @property
    def guarded(self) -> bool:
        """False when nothing can refuse the transition."""
        return bool(self.guards or self.guard_items)


_Row = Mapping[TriggerKey, tuple[ChartTransition, ...]]


class Chart:
    """A read-only statechart index over ``spec`` (built in one pass)."""

    __slots__ = ("_rows", "by_ref", "spec", "states", "tree")

    def __init__(self, spec: MachineSpec) -> None:
        self.spec = spec
        self.tree: StateTree = spec.tree
        self.states: Mapping[str, State] = MappingProxyType(
            {state.name: state for state in spec.states}
        )
        rows: dict[str, dict[TriggerKey, list[ChartTransition]]] = {
            name: {} for name in self.states
        }
        for transition in spec.transitions:
            for source in transition.sources:
                chart_transition = ChartTransition(
                    TransitionRef(Origin.EVENT, source, transition.index),
                    transition.trigger,
                    transition.dest,
                    transition.guards,
                    transition.actions,
                    transition.internal,
                    transition.guard_items,
                )
                rows[source].setdefault(transition.trigger, []).append(chart_transition)
        for state in spec.states:
            row = rows[state.name]
            for index, always in enumerate(state.always):
                row.setdefault(ALWAYS, []).append(
                    ChartTransition(
                        TransitionRef(Origin.ALWAYS, state.name, index),
                        ALWAYS,
                        always.dest,
                        always.guards,
                        always.actions,
                        always.internal,
                        always.guard_items,
                    )
                )
            for index, after in enumerate(state.after_entries):
                row[Delay(state.name, index)] = [
                    ChartTransition(
                        TransitionRef(Origin.AFTER, state.name, index),
                        Delay(state.name, index),
                        after.dest,
                        after.guards,
                        after.actions,
                        after.internal,
                        after.guard_items,
                    )
                ]
        # A state's own transitions in "document order": named sources before
        # wildcard ones (docs/language.md#wildcard-sources), each in spec order.
        self._rows: Mapping[str, _Row] = MappingProxyType(
            {
                name: MappingProxyType(
                    {
                        k: tuple(by_precedence(v, self._is_wildcard))
                        for k, v in row.items()
                    }
                )
                for name, row in rows.items()
            }
        )
        self.by_ref: Mapping[TransitionRef, ChartTransition] = MappingProxyType(
            {t.ref: t for row in self._rows.values() for ts in row.values() for t in ts}
        )

    # -- transitions ----------------------------------------------------------

    def _is_wildcard(self, transition: ChartTransition) -> bool:
        ref = transition.ref
        return ref.origin is Origin.EVENT and self.spec.transitions[ref.index].wildcard

    def transitions(
        self, state: str, trigger: TriggerKey
    ) -> tuple[ChartTransition, ...]:
        """``state``'s own transitions on ``trigger``, in document order."""
        return self._rows[state].get(trigger, ())

    def triggers(self, state: str) -> tuple[TriggerKey, ...]:
        """The triggers ``state``'s own transitions listen to."""
        return tuple(self._rows[state])

    # -- structure ------------------------------------------------------------

    def is_history(self, name: str) -> bool:
        """A history pseudo-state."""
        return self.states[name].is_history

    def child_states(self, name: str | None) -> tuple[str, ...]:
        """Children that are states (history pseudo-states left out)."""
        return tuple(c for c in self.tree.children[name] if not self.is_history(c))

    def history_children(self, name: str) -> tuple[str, ...]:
        """The history pseudo-states of ``name``, in document order."""
        return tuple(c for c in self.tree.children[name] if self.is_history(c))

    def is_parallel(self, name: str) -> bool:
        """A parallel state (its children are regions, all active together)."""
        return self.states[name].parallel and bool(self.child_states(name))

    def is_compound(self, name: str) -> bool:
        """A state with child states that is not parallel."""
        return not self.states[name].parallel and bool(self.child_states(name))

    def is_atomic(self, name: str) -> bool:
        """A state with no child states (history pseudo-states are not states)."""
        return not self.is_history(name) and not self.child_states(name)

    def is_final(self, name: str) -> bool:
        """A ``terminal`` state: entering it completes its parent."""
        return self.states[name].is_terminal

    def initial_child(self, name: str | None) -> str:
        """The child a compound state (or the root, ``None``) enters by default."""
        if name is None:
            top = self.child_states(None)
            initial = StateKind.INITIAL
            return next((s for s in top if self.states[s].kind is initial), top[0])
        chosen = self.states[name].initial
        return chosen if chosen is not None else self.child_states(name)[0]

    def history_default(self, name: str) -> str:
        """The state a history pseudo-state enters when nothing is recorded."""
        default = self.states[name].history_default
        if default is not None:
            return default
        parent = self.tree.parents[name]
        assert parent is not None, "a history state has a parent"
        return self.initial_child(parent)

    @property
    def has_history(self) -> bool:
        """Any history pseudo-state: the record is part of the configuration."""
        return any(state.is_history for state in self.states.values())

    @property
    def has_parallel(self) -> bool:
        """Any parallel state: several atomic states may be active at once."""
        return any(self.is_parallel(name) for name in self.states)

    @property
    def atomic_states(self) -> tuple[str, ...]:
        """Every atomic state in document order."""
        return self.tree.sorted(n for n in self.states if self.is_atomic(n))
