"""Cells several parallel regions answer on one event: their guards and ``assign``.

When one event is offered to the active atomic states of several regions,
each region's offer takes its first candidate whose guards pass, on its
own, and the combination of choices selects a step decided in full at build
time. A cell is *settled* when no region's choice is open (each offer's
first candidate is unguarded): it is one candidate. Otherwise it is the
runtime's ``Regions`` cell (API 2.3; 2.7 for anything beyond plain named
guards), which asks each guard in the form a ``Guarded`` cell would
(:func:`guard_data`).

A step's ``context_updates`` are the ``assign`` of every transition it
takes (after SCXML's conflict resolution), in the order they are taken
(:func:`.chart_assign.step_assign`: the values of the event's microstep
see the context given to ``process``; when two assign the same field, the
later one's value wins). Module-level functions compute them, one per
distinct combined list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from gubernator_gen.backend import chart_assign, chart_folding, decisions
from gubernator_gen.backend.chart_keys import transition_of
from gubernator_gen.backend.compiled import CompiledFunctions, Effect
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import Cell
from gubernator_gen.model import MachineSpec, PlainData


def settled(cell: Cell) -> bool:
    """Several regions answer: one step when no region's choice is open."""
    return not any(offer.candidates[0].guarded for offer in cell.offers)


@dataclass(frozen=True, slots=True)
class GuardData:
    """How a ``Regions`` cell asks its guards, in the order it lists them:
    labels per offer and candidate, what each guard calls, its keyword
    arguments and which guards are negated."""

    offers: tuple[tuple[tuple[str, ...], ...], ...]
    calls: tuple[decisions.Called, ...]
    arguments: tuple[tuple[tuple[str, PlainData], ...], ...]
    negated: tuple[int, ...]


def guard_data(
    spec: MachineSpec,
    cell: Cell,
    compiled: CompiledFunctions,
    active: Collection[str] | None,
) -> GuardData:
    """The guards of each offer's candidates, as ``decisions.guarding``
    calls them (``active`` decides ``in_state`` tests)."""
    offers = []
    calls: list[decisions.Called] = []
    arguments: list[tuple[tuple[str, PlainData], ...]] = []
    negated: list[int] = []
    for offer in cell.offers:
        labels = []
        for candidate in offer.candidates:
            transition = transition_of(spec, candidate.transition)
            if active is not None:
                transition = chart_folding.seen_from(transition, active)
            guarded = decisions.guarding(transition, compiled)
            labels.append(guarded.guards)
            for form, call, values in zip(
                guarded.guard_forms, guarded.calls, guarded.arguments, strict=True
            ):
                if form.form is decisions.GuardForm.NEGATED:
                    negated.append(len(calls))
                calls.append(call)
                arguments.append(tuple(zip(form.keywords, values, strict=True)))
        offers.append(tuple(labels))
    return GuardData(tuple(offers), tuple(calls), tuple(arguments), tuple(negated))


def compiled_assigns(
    spec: MachineSpec, tables: ConfigurationTables
) -> Iterator[Effect]:
    """The combined ``assign`` lists the cells of several regions use, in
    table order (for the module's compiled functions)."""
    folding = chart_folding.reads_states(spec)
    for key, row in tables.cells.items():
        active = chart_folding.active_states(spec, key) if folding else None
        for trigger, cell in row.items():
            if not isinstance(trigger, str) or len(cell.offers) < 2:
                continue
            if settled(cell):
                steps = [cell.steps[(0,) * len(cell.offers)]]
            else:
                steps = list(cell.steps.values())
            for step in steps:
                assign = chart_assign.step_assign(spec, step, active)
                if assign:
                    yield assign
