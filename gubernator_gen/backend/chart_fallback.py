"""``error_policy.default_fallback`` in a statechart: the move, per key.

When actions of a result finally fail, the executor proposes a move into
the fallback state. In a statechart that move is an SCXML external
transition taken from the configuration the result moved to: from its
first active atomic state (document order) to the fallback state, with
every exit and entry action in SCXML order, the history it records, and
the eventless and ``done.state`` microsteps that follow, exactly as a
transition written in the spec would be.

It is computed by the same build-time tables as every other step: the
chart is compiled with one more transition, on a pseudo-event no spec can
name, from every atomic state to the fallback state (SCXML's selection
keeps the first active atomic state's: any two of them conflict, since at
most one region holds the fallback state). The pseudo-event's cells are
then taken out of the tables: they become the module's ``_FALLBACKS``,
one result per key not already inside the fallback state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from gubernator_gen.backend.statechart.chart import Chart, TriggerKey
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import Cell, Configuration, Step
from gubernator_gen.model import EMPTY_METADATA, MachineSpec, Transition

#: The pseudo-event of the fallback move (no trigger of a spec has a NUL).
PSEUDO_EVENT = "\x00fallback"


def extended(spec: MachineSpec) -> MachineSpec:
    """``spec`` with the fallback pseudo-transition from every atomic state
    (for the build-time tables only; the module lists the spec's own)."""
    fallback = spec.error_policy.default_fallback
    if fallback is None or not spec.is_statechart:
        return spec
    atomic = Chart(spec).atomic_states
    pseudo = Transition(
        index=len(spec.transitions),
        trigger=PSEUDO_EVENT,
        sources=atomic,
        dest=fallback,
        guards=(),
        actions=(),
        description="",
        metadata=EMPTY_METADATA,
        pos=spec.pos,
    )
    return dataclasses.replace(spec, transitions=(*spec.transitions, pseudo))


def split(
    spec: MachineSpec, tables: ConfigurationTables
) -> tuple[ConfigurationTables, tuple[tuple[Configuration, Step], ...]]:
    """``tables`` without the pseudo-event's cells, and the fallback step of
    every key not already inside the fallback state, in key order."""
    fallback = spec.error_policy.default_fallback
    cells: dict[Configuration, Mapping[TriggerKey, Cell]] = {}
    found = []
    for key, row in tables.cells.items():
        cells[key] = {t: c for t, c in row.items() if t != PSEUDO_EVENT}
        cell = row.get(PSEUDO_EVENT)
        if cell is None or fallback is None or _inside(spec, key, fallback):
            continue
        found.append((key, cell.steps[(0,) * len(cell.offers)]))
    return dataclasses.replace(tables, cells=cells), tuple(found)


def _inside(spec: MachineSpec, key: Configuration, state: str) -> bool:
    """True when ``state`` is active in ``key`` (proposing the fallback
    again would loop on a failing entry action)."""
    return any(
        atomic == state or state in spec.tree.ancestors(atomic) for atomic in key.atomic
    )
