"""A statechart's tables beside the decision table, as expressions.

* :func:`configurations` — ``_CONFIGURATIONS``: the configurations of a
  machine processed on them;
* :func:`resumes` — ``_RESUMES``: the decisions made inside a step;
* :func:`delays` — ``_DELAYS``: the ``after:`` entries per key;
* :func:`fallbacks` — ``_FALLBACKS``: the moves of ``default_fallback``.

Their cells and results are written by :mod:`gubernator_gen.backend.bulk`,
whose shared metadata they add to.
"""

from __future__ import annotations

from collections.abc import Mapping

from gubernator_gen.backend import bulk, literals, naming
from gubernator_gen.backend.atoms import seconds
from gubernator_gen.backend.chart_delays import DelayRow
from gubernator_gen.backend.chart_module import ChartModule
from gubernator_gen.backend.chart_resumes import ResumeTable
from gubernator_gen.backend.decisions import CellShape, Outcome
from gubernator_gen.backend.emit import Atom, Call, DictOf, Expr, TupleOf
from gubernator_gen.backend.naming import ModuleNames


def configurations(chart: ChartModule, names: ModuleNames) -> TupleOf:
    """``_CONFIGURATIONS``: each configuration of a machine processed on
    them, built with the module's ``Configuration`` class."""
    items = []
    for key in chart.configurations:
        args: list[tuple[str | None, Expr]] = [
            (None, TupleOf(tuple(Atom(names.state(a)) for a in key.atomic)))
        ]
        if key.history:
            args.append(
                (
                    None,
                    DictOf(
                        tuple(
                            (
                                Atom(names.state(h)),
                                TupleOf(tuple(Atom(names.state(s)) for s in states)),
                            )
                            for h, states in key.history
                        )
                    ),
                )
            )
        items.append(Call(naming.CONFIGURATION_CLASS, tuple(args)))
    return TupleOf(tuple(items))


def resumes(
    table: ResumeTable,
    names: ModuleNames,
    deciders: Mapping[CellShape, str],
    metadata: bulk.Metadata,
) -> Call:
    """``_RESUMES`` (API 2.5): ``Resumes({key: cell}, idle={row key: key},
    bound=n)``, the cells in the decision table's forms."""
    cells = DictOf(
        tuple(
            (
                Atom(literals.int_literal(number)),
                bulk.cell(cell, names, metadata, deciders),
            )
            for number, cell in table.cells
        )
    )
    arguments: tuple[tuple[str | None, Expr], ...] = ((None, cells),)
    if table.idle:
        idle = DictOf(
            tuple(
                (bulk.row_key(state, configuration), Atom(literals.int_literal(number)))
                for state, configuration, number in table.idle
            )
        )
        arguments += (("idle", idle),)
    arguments += (("bound", Atom(literals.int_literal(table.bound))),)
    return Call(naming.runtime("Resumes"), arguments)


def delays(
    rows: tuple[DelayRow, ...],
    names: ModuleNames,
    deciders: Mapping[CellShape, str],
    metadata: bulk.Metadata,
) -> DictOf:
    """``_DELAYS`` (API 2.4): per key, each active ``after:`` entry as
    ``(state, index, seconds)`` → its cell, in SCXML priority order."""
    return DictOf(
        tuple(
            (
                bulk.row_key(row.state, row.configuration),
                DictOf(
                    tuple(
                        (
                            TupleOf(
                                (
                                    Atom(names.state(entry.state)),
                                    Atom(literals.int_literal(entry.index)),
                                    seconds(entry.seconds),
                                )
                            ),
                            bulk.cell(entry.cell, names, metadata, deciders),
                        )
                        for entry in row.cells
                    )
                ),
            )
            for row in rows
        )
    )


def fallbacks(
    rows: tuple[tuple[str, int | None, Outcome], ...],
    names: ModuleNames,
    metadata: bulk.Metadata,
) -> DictOf:
    """``_FALLBACKS``: each key's fallback result (API 2.5)."""
    return DictOf(
        tuple(
            (bulk.row_key(state, configuration), bulk.result(outcome, names, metadata))
            for state, configuration, outcome in rows
        )
    )
