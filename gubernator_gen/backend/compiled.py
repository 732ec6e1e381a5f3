"""The functions a module compiles from the spec: guard expressions and ``assign``.

Each distinct guard expression (docs/language.md#guards) becomes one
module-level typed function, ``_guard_expr_<n>(ctx: Context) -> bool``, and each
distinct ``assign`` (docs/language.md#context-updates-assign) one
``_assign_<n>(ctx: Context) -> dict[str, object]``, numbered in order of
first use. Both are written from the checked syntax tree by
:mod:`gubernator_gen.backend.expressions`, never from the spec's text, and
the cells' deciders call them (see :mod:`gubernator_gen.backend.deciders`).
Two transitions with the same expression (or the same ``assign``) share its
function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gubernator_gen.backend import naming
from gubernator_gen.model import Assignment, ExpressionGuard, MachineSpec


@dataclass(frozen=True, slots=True)
class CompiledFunctions:
    """The guard expression and ``assign`` functions of one module, named.

    ``guards`` and ``effects`` map each distinct expression (or ``assign``
    list) to its function's name, in order of first use.
    """

    guards: Mapping[ExpressionGuard, str]
    effects: Mapping[tuple[Assignment, ...], str]

    @classmethod
    def of(cls, spec: MachineSpec) -> CompiledFunctions:
        """The functions ``spec`` needs."""
        guards: dict[ExpressionGuard, str] = {}
        effects: dict[tuple[Assignment, ...], str] = {}
        for transition in spec.transitions:
            for item in transition.guard_items:
                if isinstance(item, ExpressionGuard) and item not in guards:
                    guards[item] = f"{naming.GUARD_EXPRESSION_PREFIX}{len(guards)}"
            assign = transition.assign
            if assign and assign not in effects:
                effects[assign] = f"{naming.ASSIGN_PREFIX}{len(effects)}"
        # A statechart's always: entries, decided at run time (after the
        # transitions, so a flat machine's numbering never changes).
        for state in spec.states:
            for always in state.always:
                for item in always.guard_items:
                    if isinstance(item, ExpressionGuard) and item not in guards:
                        guards[item] = f"{naming.GUARD_EXPRESSION_PREFIX}{len(guards)}"
        return cls(MappingProxyType(guards), MappingProxyType(effects))

    def guard_name(self, item: ExpressionGuard) -> str:
        """The function of guard expression ``item``."""
        return self.guards[item]

    def effect_name(self, assign: tuple[Assignment, ...]) -> str:
        """The function computing ``assign``."""
        return self.effects[assign]

    @property
    def empty(self) -> bool:
        """True when the module compiles nothing."""
        return not self.guards and not self.effects
