"""The module of a statechart past the table limits: its factored tables as data.

When :func:`~gubernator_gen.backend.statechart.compile_chart` answers with
:class:`~gubernator_gen.backend.statechart.factored.FactoredTables` (the
chart's reachable configurations are too many to table), the module emits
those tables as plain literals, one ``FactoredChart(...)`` call, and its
machine derives from the runtime's ``FactoredMachineBase``, which combines
them per event (docs/statecharts.md, "The table rule"). This module decides
that data: :func:`factored_module` the module's facts, :func:`chart_data`
the arguments of ``FactoredChart`` as plain values, and :func:`expression`
the same values as an expression for the emitter.

Transitions are numbered in the chart's order; the offers refer to them by
number. Eventless transitions are offered under ``None`` and ``after:``
entries under ``(state, index)``. A guard is its ``Guards`` method's name
for a plain call, else ``(label, call, negated, keywords, values)``, with
``call`` the compiled function of a guard expression (:class:`Called`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gubernator_gen.backend import decisions, literals, naming
from gubernator_gen.backend.chart_keys import transition_of
from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.backend.decisions import Called, GuardForm
from gubernator_gen.backend.emit import Atom, Call, DictOf, Expr, TupleOf
from gubernator_gen.backend.statechart.chart import (
    ALWAYS,
    Chart,
    Delay,
    Origin,
    TransitionRef,
    TriggerKey,
)
from gubernator_gen.backend.statechart.configurations import settled_start
from gubernator_gen.backend.statechart.factored import FactoredTables, TransitionPlan
from gubernator_gen.model import MachineSpec, Transition

#: The runtime API a factored module needs: ``FactoredChart`` and
#: ``FactoredMachineBase``.
RUNTIME_API_FACTORED: tuple[int, int] = (2, 6)


@dataclass(frozen=True, slots=True)
class FactoredModule:
    """What the module of a factored statechart needs beyond a flat one's.

    ``initial`` is the atomic state ``start()`` rests in when no guard
    intervenes (``INITIAL_STATE``), ``terminal`` the top-level terminal
    states, ``parents`` each nested state with its parent, ``history`` the
    history pseudo-states, and ``leaving`` each atomic state with the spec
    transitions its offers hold (what ``available_transitions`` lists).
    """

    tables: FactoredTables
    initial: str
    terminal: tuple[str, ...]
    parents: tuple[tuple[str, str], ...]
    history: tuple[str, ...]
    leaving: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def configured(self) -> bool:
        """True: a factored machine stores configurations (never listed)."""
        return True


def factored_module(spec: MachineSpec, tables: FactoredTables) -> FactoredModule:
    """The module facts of ``spec`` compiled to ``tables``.

    Raises :class:`~gubernator_gen.backend.statechart.ChartProblem` when
    the start itself loops without a guard.
    """
    tree = spec.tree
    initial = settled_start(Chart(spec)).target.atomic[0]
    leaving = []
    for atomic, row in tables.offers.items():
        indices = {
            candidate.transition.index
            for offer in row.values()
            for candidate in offer.candidates
            if candidate.transition.origin is Origin.EVENT
        }
        if indices:
            leaving.append((atomic, tuple(sorted(indices))))
    return FactoredModule(
        tables=tables,
        initial=initial,
        terminal=tuple(
            s.name for s in spec.states if s.is_terminal and s.parent is None
        ),
        parents=tuple(
            (s.name, s.parent)
            for s in spec.states
            if s.parent is not None and tree.parents[s.name] is not None
        ),
        history=tuple(s.name for s in spec.states if s.is_history),
        leaving=tuple(sorted(leaving, key=lambda item: tree.order[item[0]])),
    )


def _key(trigger: TriggerKey) -> Any:
    """A trigger as the runtime keys offers."""
    if trigger is ALWAYS:
        return None
    if isinstance(trigger, Delay):
        return (trigger.state, trigger.index)
    return trigger


def _seen_as(spec: MachineSpec, ref: TransitionRef) -> Transition:
    """The spec transition of ``ref``, or an eventless or ``after:`` entry
    seen as one (to read its guards the way cells read them)."""
    return transition_of(spec, ref)


def _guards(candidate: decisions.Candidate) -> tuple[Any, ...]:
    found: list[Any] = []
    for label, form, call, values in zip(
        candidate.guards,
        candidate.guard_forms,
        candidate.calls,
        candidate.arguments,
        strict=True,
    ):
        if form.form is GuardForm.CALL and not call.compiled and call.name == label:
            found.append(label)
            continue
        negated = form.form is GuardForm.NEGATED
        found.append((label, call, negated, form.keywords, values))
    return tuple(found)


def _transition(
    spec: MachineSpec, plan: TransitionPlan, compiled: CompiledFunctions
) -> tuple[Any, ...]:
    seen = _seen_as(spec, plan.ref)
    guarding = decisions.guarding(seen, compiled)
    history = plan.history
    history_data = None
    if history is not None:
        history_data = (
            history.pseudo,
            history.default_domain,
            history.default_entered,
            history.internal_domain,
            dict(history.lcca),
            dict(history.descent),
            dict(history.extra),
        )
    return (
        plan.source,
        tuple(a.name for a in plan.actions),
        plan.domain,
        plan.entered,
        history_data,
        _guards(guarding),
        None if guarding.effect is None else Called(guarding.effect, compiled=True),
        seen.description,
    )


def chart_data(
    spec: MachineSpec, tables: FactoredTables, compiled: CompiledFunctions
) -> dict[str, Any]:
    """The keyword arguments of the runtime's ``FactoredChart``, as plain
    values (a compiled function is a :class:`Called` naming it)."""
    order = tables.order
    states = tuple(sorted(order, key=order.__getitem__))
    numbers = {ref: i for i, ref in enumerate(tables.plans)}
    offers = {
        atomic: {
            _key(trigger): tuple(numbers[c.transition] for c in offer.candidates)
            for trigger, offer in row.items()
        }
        for atomic, row in tables.offers.items()
    }
    return {
        "states": states,
        "parents": {s: p for s in states if (p := tables.parents[s]) is not None},
        "on_enter": {s: tables.on_enter[s] for s in states if tables.on_enter[s]},
        "on_exit": {s: tables.on_exit[s] for s in states if tables.on_exit[s]},
        "parallel": tuple(tables.regions),
        "history": {
            h: deep for pairs in tables.histories.values() for h, deep in pairs
        },
        "finals": {
            s: tuple(sorted(f, key=order.__getitem__))
            for s, f in tables.finals.items()
            if f
        },
        "transitions": tuple(
            _transition(spec, plan, compiled) for plan in tables.plans.values()
        ),
        "offers": offers,
        "start": tables.start.entered,
        "after": dict(tables.after),
        "queue_bound": tables.queue_bound,
    }


def _value(value: Any) -> Expr:
    """Plain data (and :class:`Called`) as an expression."""
    if isinstance(value, Called):
        return (
            Atom(value.name)
            if value.compiled
            else Atom(literals.string_literal(value.name))
        )
    if isinstance(value, Mapping):
        return DictOf(tuple((_value(k), _value(v)) for k, v in value.items()))
    if isinstance(value, tuple):
        return TupleOf(tuple(_value(item) for item in value))
    return Atom(literals.data_literal(value, mapping_type="dict"))


def expression(data: Mapping[str, Any]) -> Call:
    """``FactoredChart(...)`` with ``data`` (see :func:`chart_data`)."""
    return Call(
        naming.runtime("FactoredChart"),
        tuple((key, _value(value)) for key, value in data.items()),
    )
