"""The ``after:`` table of a statechart module: its active entries per key.

Per key (atomic state, or configuration), each active ``after:`` entry in
SCXML priority order (each atomic state in document order, then its
ancestors innermost first), with the cell that decides it once it is due;
``check_timeout`` consults them. The cells have the decision table's forms
and results (:func:`.chart_decisions.step_outcome`), marked as timed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend import chart_assign, chart_folding, decisions
from gubernator_gen.backend.chart_decisions import step_outcome
from gubernator_gen.backend.chart_keys import transition_of
from gubernator_gen.backend.chart_module import ChartModule
from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.backend.statechart.chart import Delay
from gubernator_gen.backend.statechart.tables import Cell, Configuration, Resume
from gubernator_gen.model import MachineSpec, PlainData


@dataclass(frozen=True, slots=True)
class DelayCell:
    """An active ``after:`` entry of a key: entry ``index`` of ``state``,
    due ``seconds`` after ``state`` was entered, and how it is decided."""

    state: str
    index: int
    seconds: int | float
    cell: decisions.Cell


@dataclass(frozen=True, slots=True)
class DelayRow:
    """A key's active ``after:`` entries in SCXML priority order (the key
    as in :class:`~gubernator_gen.backend.decisions.Row`)."""

    state: str
    configuration: int | None
    cells: tuple[DelayCell, ...]

    @property
    def row(self) -> decisions.Row:
        """The cells as a decision row, to find their decider shapes."""
        return decisions.Row(
            self.state, tuple(c.cell for c in self.cells), (), self.configuration
        )


def _priority(spec: MachineSpec, key: Configuration) -> tuple[str, ...]:
    """The states whose transitions the key's atomic states see, in SCXML
    priority: each atomic state (document order) then its ancestors,
    innermost first, each state once."""
    found: dict[str, None] = {}
    for atomic in key.atomic:
        found.setdefault(atomic)
        for ancestor in spec.tree.ancestors(atomic):
            found.setdefault(ancestor)
    return tuple(found)


def _delay_cell(
    spec: MachineSpec,
    key: Configuration,
    delay: Delay,
    cell: Cell,
    compiled: CompiledFunctions,
    index: Mapping[Configuration, int],
    resumes: Mapping[Resume, int] | None = None,
) -> DelayCell:
    after = spec.state(delay.state).after_entries[delay.index]
    # Only the state's own entry answers its delay: every offer (one per
    # region below a parallel state) holds that one candidate, its guard
    # items with in_state decided for the key.
    step = cell.steps[(0,) * len(cell.offers)]
    entry = cell.offers[0].candidates[0]
    seen_as = dataclasses.replace(
        transition_of(spec, entry.transition), guard_items=entry.guard_items
    )
    metadata: dict[str, PlainData] = {
        "reason": "timeout",
        "timeout_state": delay.state,
        "timeout_index": delay.index,
        "timeout_seconds": after.seconds,
    }
    if after.description:
        metadata[decisions.DESCRIPTION_KEY] = after.description
    outcome = step_outcome(
        key.atomic[0],
        decisions.TIMEOUT_TRIGGER,
        step,
        metadata,
        index,
        timed=True,
        resumes=resumes,
    )
    folding = chart_folding.reads_states(spec)
    candidate = chart_assign.with_step_effect(
        decisions.guarding(seen_as, compiled),
        spec,
        step,
        compiled,
        chart_folding.active_states(spec, key) if folding else None,
    )
    candidate = decisions.with_outcome(candidate, outcome)
    return DelayCell(
        delay.state,
        delay.index,
        after.seconds,
        decisions.Cell(decisions.TIMEOUT_TRIGGER, (candidate,)),
    )


def delay_table(
    spec: MachineSpec, module: ChartModule, compiled: CompiledFunctions
) -> tuple[DelayRow, ...]:
    """The ``after:`` entries of every key that has active ones, keys in the
    order of :func:`decision_table`; empty when the chart has none."""
    if not any(state.after_entries for state in spec.states):
        return ()
    index = {key: i for i, key in enumerate(module.configurations)}
    rows = []
    for key, row in module.tables.cells.items():
        entries = []
        for state in _priority(spec, key):
            for number in range(len(spec.state(state).after_entries)):
                delay = Delay(state, number)
                cell = row.get(delay)
                if cell is not None and cell.offers:
                    entries.append(
                        _delay_cell(
                            spec, key, delay, cell, compiled, index, module.resume_keys
                        )
                    )
        if entries:
            rows.append(DelayRow(key.atomic[0], index.get(key), tuple(entries)))
    if module.configured:
        return tuple(sorted(rows, key=lambda r: r.configuration or 0))
    by_order = spec.tree.order
    return tuple(sorted(rows, key=lambda r: by_order[r.state]))
