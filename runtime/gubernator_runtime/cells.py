"""The decision table a generated module hands over, and binding it to guards.

A generated module decides everything at build time and emits its
*decision table*: a ``dict`` from a state key to a ``dict`` from a trigger
key to a *cell*. A cell is either

* a prebuilt :class:`~gubernator_runtime.results.TransitionResult` (a cell
  that needs no guard), or
* a :class:`Guarded` cell: its candidates in priority order, each with the
  names of its guards and its complete result, plus the *decider factory*
  the module emitted for the cell's shape. A cell whose result is computed
  (``assign``) is a ``Guarded`` cell too, even without guards.

Since API 2.2 a cell may also say what each guard is called with
(``calls``: a ``Guards`` method's name, or a function the module compiled
from a guard expression), the fixed keyword arguments of a guard with
parameters (``arguments``) and, per candidate, the function computing its
``assign`` updates (``effects``). The guards' names in ``candidates`` are
then labels for messages (``not is_blocked``, the text of an expression).

The runtime trusts the table (a test checks generated tables against the
model; nothing is re-derived or re-checked at import). The functions here
are the only ones that look inside it: once per machine class to build the
table used without guards, and once per machine instance to bind the
guarded cells to the guards, by calling each cell's decider factory. Keys
are opaque: anything hashable the generator chose (exact ``str`` values for
flat machines).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Union

from gubernator_runtime._base import EMPTY_MAPPING as EMPTY_CONTEXT
from gubernator_runtime._base import plain_str
from gubernator_runtime.binding import GuardCallable
from gubernator_runtime.configuration import Configuration
from gubernator_runtime.errors import ConfigurationError, GuardError, GuardRejectedError
from gubernator_runtime.regions import Regions
from gubernator_runtime.results import Effect, TransitionResult, failure, with_updates

#: What ``process`` calls for a guarded cell: context (or None) to result.
Decider = Callable[[Any], "TransitionResult[Any]"]
#: A decider factory emitted by the generator for one cell shape: called
#: once per machine instance with the cell and its guards in call order.
DeciderFactory = Callable[..., Decider]
#: One candidate of a guarded cell: its guards' names and its result.
Candidate = tuple[tuple[str, ...], "TransitionResult[Any]"]
#: What a cell calls for one guard: a ``Guards`` method by name, or a
#: function the generator compiled from a guard expression.
GuardCall = str | GuardCallable
Cell = Union["TransitionResult[Any]", "Guarded", Regions]
#: The decision table as generated: state key → trigger key → cell.
DecisionTable = Mapping[Any, Mapping[Any, Cell]]
#: The table ``process`` reads: the same keys, cells replaced by results or
#: deciders. Plain dicts, for CPython's fastest lookups.
HotTable = dict[Any, dict[Any, Any]]


class Guarded:
    """A cell whose candidates need guards, as the generator emitted it.

    ``candidates`` are in priority order; the first whose guards all pass
    wins. ``decide`` is the factory the module emitted for this cell's
    shape; it reads :attr:`results`, :attr:`refusals` and
    :meth:`guard_error` from the cell when it is bound.
    """

    __slots__ = (
        "_refusals",
        "arguments",
        "calls",
        "candidates",
        "decide",
        "effects",
        "guards",
        "results",
    )

    def __init__(
        self,
        decide: DeciderFactory,
        candidates: tuple[Candidate, ...],
        *,
        calls: tuple[GuardCall, ...] | None = None,
        arguments: tuple[tuple[object, ...], ...] | None = None,
        effects: tuple[Effect | None, ...] | None = None,
    ) -> None:
        self.decide = decide
        self.candidates = candidates
        # One pass, no generators: a large module builds thousands of cells
        # at import.
        names: list[str] = []
        results: list[TransitionResult[Any]] = []
        for candidate_guards, result in candidates:
            names.extend(candidate_guards)
            results.append(result)
        #: Every guard's name (its label in messages) in call order.
        self.guards: tuple[str, ...] = tuple(names)
        #: What is called for each guard, in call order (API 2.2).
        self.calls: tuple[GuardCall, ...] = self.guards if calls is None else calls
        #: The fixed keyword argument values of each guard, in call order.
        self.arguments: tuple[tuple[object, ...], ...] = (
            ((),) * len(names) if arguments is None else arguments
        )
        #: Each candidate's ``assign`` function, or ``None``.
        self.effects: tuple[Effect | None, ...] = (
            (None,) * len(candidates) if effects is None else effects
        )
        #: Each candidate's result, in priority order.
        self.results: tuple[TransitionResult[Any], ...] = tuple(results)
        self._refusals: tuple[TransitionResult[Any], ...] | None = None

    def effect(self, candidate: int) -> Effect:
        """The ``assign`` function of candidate number ``candidate``.

        Decider factories read it once; asking for a candidate without
        ``assign`` is a ``ValueError`` (a generator bug).
        """
        effect = self.effects[candidate]
        if effect is None:
            raise ValueError(f"candidate {candidate} of {self!r} has no assign")
        return effect

    @property
    def methods(self) -> tuple[str, ...]:
        """The ``Guards`` methods the cell calls, in first-use order."""
        return tuple(dict.fromkeys(c for c in self.calls if isinstance(c, str)))

    @property
    def source(self) -> Any:
        """The state (or configuration) the cell decides for."""
        return self.candidates[0][1].source_state

    @property
    def trigger(self) -> Any:
        """The trigger the cell decides for."""
        return self.candidates[0][1].trigger

    @property
    def refusals(self) -> tuple[TransitionResult[Any], ...]:
        """The failure result for each guard of the last candidate refusing it.

        Built on first use and shared (their errors are built when read).
        Empty when the last candidate has no guards: the cell never refuses.
        """
        refusals = self._refusals
        if refusals is None:
            source, trigger = self.source, self.trigger
            refusals = self._refusals = tuple(
                failure(
                    source,
                    trigger,
                    (GuardRejectedError, source, trigger, name),
                    MappingProxyType({"reason": "guards_failed", "rejected_by": name}),
                )
                for name in self.candidates[-1][0]
            )
        return refusals

    def guard_error(self, step: int, cause: BaseException) -> GuardError:
        """The ``GuardError`` for guard number ``step`` raising ``cause``."""
        return GuardError(self.guards[step], self.source, self.trigger, cause)

    def bind(self, guards: Mapping[str, GuardCallable]) -> Decider:
        """This cell's decider, calling the implementations in ``guards``.

        A compiled guard expression is called as it is; only ``Guards``
        methods are looked up.
        """
        return self.decide(
            self,
            *[guards[call] if call.__class__ is str else call for call in self.calls],
        )

    def first_result(self) -> Decider | TransitionResult[Any]:
        """The first candidate's outcome, guards unasked (a non-strict
        machine built without guards): its result, or a decider computing
        its ``assign`` updates."""
        result, effect = self.results[0], self.effects[0]
        if effect is None:
            return result
        return lambda context: with_updates(
            result, effect, EMPTY_CONTEXT if context is None else context
        )

    def __repr__(self) -> str:
        return (
            f"Guarded({plain_str(self.source)!r}, {plain_str(self.trigger)!r}, "
            f"guards={self.guards!r})"
        )


def guarded_cells(
    table: DecisionTable,
) -> Iterator[tuple[Any, Any, Guarded | Regions]]:
    """Every guarded cell of ``table`` (``Guarded``, or ``Regions`` of a
    parallel machine) with its state and trigger keys."""
    for state, row in table.items():
        for trigger, cell in row.items():
            if cell.__class__ is Guarded or cell.__class__ is Regions:
                yield state, trigger, cell


def _needs_guards(cell: Guarded | Regions, machine: str) -> Decider:
    """The decider of a strict machine built without guards: a clear error."""
    needed = list(cell.methods)

    def refuse(context: object) -> TransitionResult[Any]:
        raise ConfigurationError(
            f"machine {machine!r} was built without guards but trigger "
            f"{plain_str(cell.trigger)!r} from state {plain_str(cell.source)!r} "
            "needs " + ", ".join(repr(name) for name in needed),
            machine=machine,
            state=plain_str(cell.source),
            trigger=plain_str(cell.trigger),
            missing_guards=needed,
        )

    return refuse


def _with_cells(
    base: HotTable,
    cells: list[tuple[Any, Any, Guarded | Regions]],
    value: Callable[[Guarded | Regions], Any],
) -> HotTable:
    """``base`` with each listed cell replaced by ``value(cell)``.

    Only the rows holding such cells are copied; the others are shared.
    """
    table = dict(base)
    copied: set[Any] = set()
    for state, trigger, cell in cells:
        if state not in copied:
            table[state] = dict(table[state])
            copied.add(state)
        table[state][trigger] = value(cell)
    return table


def unbound_table(
    table: DecisionTable, strict: bool, machine: str
) -> tuple[HotTable, list[tuple[Any, Any, Guarded | Regions]]]:
    """The table of a machine built without guards, and the guarded cells.

    Cells that call no ``Guards`` method (their guards are compiled
    expressions, or they only compute ``assign``) are bound as they are.
    For the others, a non-strict machine lets every guard pass (the cell is
    its first candidate's outcome); a strict one raises
    ``ConfigurationError`` when it reaches such a cell
    (docs/runtime.md#the-generated-module).
    """
    # Configurations are keyed by their exact text: a string read from the
    # database takes the fastest dict lookup (a str subclass would not).
    base: HotTable = {
        str.__str__(state) if isinstance(state, Configuration) else state: row  # type: ignore[misc]
        for state, row in table.items()
    }
    cells = list(guarded_cells(table))
    if not cells:
        return base, cells

    def unbound(cell: Guarded | Regions) -> Any:
        if not cell.methods:
            return cell.bind({})
        if strict:
            return _needs_guards(cell, machine)
        return cell.first_result()

    return _with_cells(base, cells, unbound), cells


def bound_table(
    base: HotTable,
    cells: list[tuple[Any, Any, Guarded | Regions]],
    guards: Mapping[str, GuardCallable],
) -> HotTable:
    """``base`` with every guarded cell bound to ``guards``."""
    if not cells:
        return base
    return _with_cells(base, cells, lambda cell: cell.bind(guards))
