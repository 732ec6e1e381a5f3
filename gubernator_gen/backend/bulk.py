"""The decision tables, as expressions for the emitter.

* :func:`decisions` — ``_DECISIONS``: what the machine does, the decision
  table of :mod:`gubernator_gen.backend.decisions` with every result
  complete;
* :func:`start` — ``_START``;
* :class:`Metadata` — ``_METADATA``, the results' shared metadata;
* :func:`cell` and :func:`result` — one cell or result, which a
  statechart's other tables (:mod:`gubernator_gen.backend.chart_tables`)
  are made of too.

The definition and the public constants are in
:mod:`gubernator_gen.backend.machine_definition`; both build on the nodes of
:mod:`gubernator_gen.backend.atoms` (imported here under short private
names, used on almost every line). Every piece of spec text becomes a
literal through :mod:`gubernator_gen.backend.literals`; every name comes
from :mod:`gubernator_gen.backend.naming`. Nothing here decides a line
break.

The decision table is keyed by the states' and triggers' plain values
(exact ``str``): a string read from a database takes CPython's fastest dict
lookup, and ``State``/``Trigger`` members, equal to their values, find the
same entries (the README's Performance section has the figures).
"""

from __future__ import annotations

from collections.abc import Mapping

from gubernator_gen.backend import literals, naming
from gubernator_gen.backend.atoms import data
from gubernator_gen.backend.atoms import seconds as _seconds
from gubernator_gen.backend.atoms import string as _string
from gubernator_gen.backend.atoms import strings as _names
from gubernator_gen.backend.decisions import (
    EVENTLESS_TRIGGER,
    Cell,
    CellShape,
    Outcome,
    RegionsCell,
    Row,
    Start,
    shape_names,
    shapes,
)
from gubernator_gen.backend.emit import Atom, Call, DictOf, Expr, TupleOf
from gubernator_gen.backend.naming import ModuleNames
from gubernator_gen.model import PlainData


class Metadata:
    """The distinct metadata of the results, each printed once.

    Results refer to them by position (``_METADATA[3]``): every candidate of
    a multi-source transition carries the same mapping, and one shared
    read-only object is smaller to import than a copy per result.
    """

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self._values: list[Expr] = []
        # By identity too (holding the mapping, so that its id stays its
        # own): the results of one transition share one mapping.
        self._known: dict[int, tuple[Mapping[str, PlainData], Atom]] = {}

    def reference(self, metadata: Mapping[str, PlainData]) -> Atom:
        """The expression for ``metadata``, added when first seen."""
        known = self._known.get(id(metadata))
        if known is not None:
            return known[1]
        # The literal is the text data(metadata) is printed as, built in one
        # pass; the expression is built only for a mapping not seen before.
        key = literals.data_literal(metadata, mapping_type=naming.MAPPING_PROXY.alias)
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self._values)
            self._values.append(data(metadata))
        reference = Atom(f"{naming.METADATA}[{index}]")
        self._known[id(metadata)] = (metadata, reference)
        return reference

    def table(self) -> TupleOf:
        """Every distinct metadata mapping, in first-use order."""
        return TupleOf(tuple(self._values))


def result(outcome: Outcome, names: ModuleNames, metadata: Metadata) -> Call:
    """A complete success result, its arguments in ``success``'s order:
    source, target, trigger, actions, on_exit, on_enter, metadata."""
    args: tuple[Expr, ...] = (
        Atom(names.state(outcome.source)),
        Atom(names.state(outcome.target)),
        Atom(_trigger(outcome, names)),
        _names(outcome.actions),
        _names(outcome.on_exit),
        _names(outcome.on_enter),
        metadata.reference(outcome.metadata),
    )
    arguments: tuple[tuple[str | None, Expr], ...] = tuple((None, a) for a in args)
    if outcome.configuration is not None:
        arguments += (("configuration", configuration_ref(outcome.configuration)),)
    if outcome.deadlines:
        arguments += (("deadlines", _deadlines(outcome.deadlines)),)
    if outcome.resume is not None:
        arguments += (("resume", Atom(literals.int_literal(outcome.resume))),)
    if outcome.cancelled:
        arguments += (("cancelled", TupleOf(tuple(map(_string, outcome.cancelled)))),)
    return Call(naming.runtime("success"), arguments)


def _trigger(outcome: Outcome, names: ModuleNames) -> str:
    """A result's trigger: a ``Trigger`` member, or the runtime's trigger of
    timeouts, fallback moves or eventless steps."""
    if outcome.timed:
        return naming.runtime("TIMEOUT_TRIGGER")
    if outcome.fallback:
        return naming.runtime("FALLBACK_TRIGGER")
    if outcome.trigger == EVENTLESS_TRIGGER:
        return naming.runtime("EVENTLESS_TRIGGER")
    return names.trigger(outcome.trigger)


def _deadlines(deadlines: tuple[tuple[str, int | float], ...]) -> Call:
    """A result's ``after:`` deadlines: state name → seconds, read-only."""
    entries = tuple((_string(state), _seconds(seconds)) for state, seconds in deadlines)
    return Call(naming.MAPPING_PROXY.alias, ((None, DictOf(entries)),))


def row_key(state: str, configuration: int | None) -> Atom:
    """A table row's key: the state's text, or its configuration's."""
    return _string(state) if configuration is None else configuration_ref(configuration)


def configuration_ref(index: int) -> Atom:
    return Atom(f"{naming.CONFIGURATIONS}[{index}]")


def cell(
    cell: Cell | RegionsCell,
    names: ModuleNames,
    metadata: Metadata,
    deciders: Mapping[CellShape, str],
) -> Expr:
    """One cell of a table: a prebuilt result, a ``Guarded`` cell (its
    candidates and decider factory) or a ``Regions`` cell."""
    if isinstance(cell, RegionsCell):
        return _regions(cell, names, metadata)
    if not cell.decided:
        return result(cell.candidates[0].outcome, names, metadata)
    candidates = tuple(
        TupleOf((_names(candidate.guards), result(candidate.outcome, names, metadata)))
        for candidate in cell.candidates
    )
    args: list[tuple[str | None, Expr]] = [
        (None, Atom(deciders[cell.shape])),
        (None, TupleOf(candidates)),
    ]
    if not cell.plain:
        args.extend(_cell_data(cell))
    return Call(naming.runtime("Guarded"), tuple(args))


def _regions(cell: RegionsCell, names: ModuleNames, metadata: Metadata) -> Call:
    """``Regions(offers, {choice: result})`` (API 2.3)."""
    offers = TupleOf(
        tuple(
            TupleOf(tuple(_names(guards) for guards in offer)) for offer in cell.offers
        )
    )
    steps = DictOf(
        tuple(
            (
                _choice(choice),
                result(outcome, names, metadata),
            )
            for choice, outcome in cell.steps
        )
    )
    args: list[tuple[str | None, Expr]] = [(None, offers), (None, steps)]
    if not cell.plain:
        args.extend(_regions_data(cell))
    return Call(naming.runtime("Regions"), tuple(args))


def _choice(choice: tuple[int, ...]) -> TupleOf:
    return TupleOf(tuple(Atom(str(i)) for i in choice))


def _regions_data(cell: RegionsCell) -> list[tuple[str | None, Expr]]:
    """A ``Regions`` cell's guard calls, keyword arguments, negated guards
    and ``assign`` functions (API 2.5), each only when needed."""
    data: list[tuple[str | None, Expr]] = [
        (
            "calls",
            TupleOf(
                tuple(
                    Atom(call.name) if call.compiled else _string(call.name)
                    for call in cell.calls
                )
            ),
        )
    ]
    if any(cell.arguments):
        data.append(
            (
                "arguments",
                TupleOf(
                    tuple(
                        TupleOf(
                            tuple(
                                TupleOf((_string(keyword), data_value(value)))
                                for keyword, value in pairs
                            )
                        )
                        for pairs in cell.arguments
                    )
                ),
            )
        )
    if cell.negated:
        data.append(("negated", TupleOf(tuple(Atom(str(at)) for at in cell.negated))))
    if cell.effects:
        data.append(
            (
                "effects",
                DictOf(
                    tuple(
                        (_choice(choice), Atom(name)) for choice, name in cell.effects
                    )
                ),
            )
        )
    return data


def _cell_data(cell: Cell) -> list[tuple[str | None, Expr]]:
    """What a cell calls for each guard, the guards' fixed arguments, and the
    candidates' ``assign`` functions (API 2.2), each only when needed."""
    candidates = cell.candidates
    calls = [call for candidate in candidates for call in candidate.calls]
    labels = [label for candidate in candidates for label in candidate.guards]
    data: list[tuple[str | None, Expr]] = []
    if any(
        call.compiled or call.name != label
        for call, label in zip(calls, labels, strict=True)
    ):
        data.append(
            (
                "calls",
                TupleOf(
                    tuple(
                        Atom(call.name) if call.compiled else _string(call.name)
                        for call in calls
                    )
                ),
            )
        )
    arguments = [values for candidate in candidates for values in candidate.arguments]
    if any(arguments):
        data.append(
            (
                "arguments",
                TupleOf(
                    tuple(
                        TupleOf(tuple(data_value(v) for v in values))
                        for values in arguments
                    )
                ),
            )
        )
    if any(candidate.effect for candidate in candidates):
        data.append(
            (
                "effects",
                TupleOf(tuple(Atom(c.effect or "None") for c in candidates)),
            )
        )
    return data


def data_value(value: PlainData) -> Expr:
    """A guard argument's value: a literal (lists are tuples)."""
    if isinstance(value, tuple):
        return TupleOf(tuple(data_value(item) for item in value))
    return Atom(literals.data_literal(value, mapping_type="dict"))


def decisions(
    rows: tuple[Row, ...],
    names: ModuleNames,
    deciders: Mapping[CellShape, str] | None = None,
    metadata: Metadata | None = None,
) -> tuple[DictOf, TupleOf]:
    """The decision table (state value → trigger value → cell) and the
    metadata its results share. ``deciders`` names each cell shape's decider
    factory (:func:`~gubernator_gen.backend.decisions.shape_names`);
    ``metadata`` is given when other tables share it (``_DELAYS``)."""
    if deciders is None:
        deciders = shape_names(shapes(rows))
    if metadata is None:
        metadata = Metadata()
    table = DictOf(
        tuple(
            (
                row_key(row.state, row.configuration),
                DictOf(
                    tuple(
                        (_string(c.trigger), cell(c, names, metadata, deciders))
                        for c in row.cells
                    )
                ),
            )
            for row in rows
        )
    )
    return table, metadata.table()


def start(decided: Start, names: ModuleNames) -> Call:
    """``_START``: the result of ``machine.start()``."""
    args: tuple[tuple[str | None, Expr], ...] = (
        (None, Atom(names.state(decided.target))),
        (None, _names(decided.on_enter)),
    )
    if decided.configuration is not None:
        args += (("configuration", configuration_ref(decided.configuration)),)
    if decided.deadlines:
        args += (("deadlines", _deadlines(decided.deadlines)),)
    if decided.resume is not None:
        args += (("resume", Atom(literals.int_literal(decided.resume))),)
    return Call(naming.runtime("started"), args)
