"""The functions a module compiles from the spec: guard expressions and ``assign``.

Each distinct guard expression (docs/language.md#guards) becomes one
module-level typed function, ``_guard_expr_<n>(ctx: Context) -> bool``, and each
distinct ``assign`` (docs/language.md#context-updates-assign) one
``_assign_<n>(ctx: Context) -> dict[str, object]``, numbered in order of
first use. Both are written from the checked syntax tree by
:mod:`gubernator_gen.backend.expressions`, never from the spec's text, and
the cells' deciders call them (see :mod:`gubernator_gen.backend.deciders`).
Two transitions with the same expression (or the same ``assign``) share its
function. A statechart step whose microsteps assign one after another has
one function for all of them (:class:`AssignSteps`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gubernator_gen.backend import naming
from gubernator_gen.expressions.nodes import reads_state
from gubernator_gen.model import Assignment, ExpressionGuard, MachineSpec


@dataclass(frozen=True, slots=True)
class AssignSteps:
    """The ``assign`` lists of several microsteps of one step, in order: the
    values of each see the fields the earlier ones set."""

    steps: tuple[tuple[Assignment, ...], ...]


#: What one ``_assign_<n>`` function computes: one ``assign`` list, every
#: value seeing the context as given, or the lists of several microsteps.
Effect = tuple[Assignment, ...] | AssignSteps


@dataclass(frozen=True, slots=True)
class CompiledFunctions:
    """The guard expression and ``assign`` functions of one module, named.

    ``guards`` and ``effects`` map each distinct expression (or ``assign``
    list) to its function's name, in order of first use.
    """

    guards: Mapping[ExpressionGuard, str]
    effects: Mapping[Effect, str]

    #: The guard functions compiled from an expression whose ``in_state``
    #: tests the statechart decided for the cells that call it.
    decided: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        spec: MachineSpec,
        decided: Iterable[ExpressionGuard | Effect] = (),
    ) -> CompiledFunctions:
        """The functions ``spec`` needs: its transitions', ``after:``
        entries' and ``always:`` entries' in spec order, then those of
        ``decided``, the expressions and ``assign`` lists a statechart's
        cells call once their ``in_state`` tests are decided (see
        :mod:`.chart_folding`). An expression that uses ``in_state`` is never
        compiled as written."""
        guards: dict[ExpressionGuard, str] = {}
        effects: dict[Effect, str] = {}
        for transition in spec.transitions:
            for item in transition.guard_items:
                _name_guard(guards, item)
            _name_effect(effects, transition.assign)
        for state in spec.states:
            for after in state.after_entries:
                for item in after.guard_items:
                    _name_guard(guards, item)
        # A statechart's always: entries, decided at run time (after the
        # transitions and after: entries, so earlier numbering never changes).
        for state in spec.states:
            for always in state.always:
                for item in always.guard_items:
                    _name_guard(guards, item)
        before = set(guards)
        for found in decided:
            if isinstance(found, ExpressionGuard):
                _name_guard(guards, found)
            else:
                _name_effect(effects, found)
        return cls(
            MappingProxyType(guards),
            MappingProxyType(effects),
            frozenset(name for item, name in guards.items() if item not in before),
        )

    def guard_name(self, item: ExpressionGuard) -> str:
        """The function of guard expression ``item``."""
        return self.guards[item]

    def effect_name(self, assign: Effect) -> str:
        """The function computing ``assign``."""
        return self.effects[assign]

    @property
    def empty(self) -> bool:
        """True when the module compiles nothing."""
        return not self.guards and not self.effects


def _name_guard(guards: dict[ExpressionGuard, str], item: object) -> None:
    """Name guard expression ``item`` if it is one, new and free of ``in_state``."""
    if (
        isinstance(item, ExpressionGuard)
        and item not in guards
        and not reads_state(item.expr)
    ):
        guards[item] = f"{naming.GUARD_EXPRESSION_PREFIX}{len(guards)}"


def _name_effect(effects: dict[Effect, str], assign: Effect) -> None:
    """Name ``assign`` if it is new and none of its values uses ``in_state``."""
    entries = (
        [entry for step in assign.steps for entry in step]
        if isinstance(assign, AssignSteps)
        else assign
    )
    if (
        entries
        and assign not in effects
        and not any(reads_state(entry.expr) for entry in entries)
    ):
        effects[assign] = f"{naming.ASSIGN_PREFIX}{len(effects)}"
