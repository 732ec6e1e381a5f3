"""Resume cells (API 2.5): guarded eventless decisions inside one call.

A statechart's ``process`` call is a whole SCXML macrostep: the event's
transitions, then every eventless (``always:``) or ``done.state``
transition that follows. The generator folds the unguarded ones into the
prebuilt results; where a guard must be asked inside the macrostep, the
result stops there and carries a *resume key* (``success(...,
resume=n)``). The module emits the decisions those keys name as
:class:`Resumes`: per key a cell of the same forms as the decision table
(a prebuilt result, a ``Guarded`` cell, a ``Regions`` cell), whose
results may carry a resume key again.

The machine follows the keys after the first cell's decision, asking the
guards with the same context (merged with the ``context_updates`` decided
so far), and returns one result: the first step's source, trigger and
metadata, the last step's target, configuration and deadlines, and every
action in SCXML order (each continuation's exit, transition and entry
actions appended to ``on_enter_actions``, so ``all_actions`` is the exact
order). A resume cell whose candidates all decline (a refusal) ends the
call where the previous step rested. ``idle`` names, per key, the
eventless decision W3C makes after an event that enabled nothing: the
machine asks it instead of failing at once, and fails as before when it
declines too.

Only cells whose results carry a resume key (and the cells of keys with an
``idle`` decision) are wrapped, once per machine instance: a module
without resume cells, and every other cell, keeps the plain lookup and
call. More than ``bound`` resume cells in one call (guards that stay true
around a loop), or a step marked :data:`OVERFLOW`, raises
:class:`~gubernator_runtime.errors.EndlessMacrostepError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from gubernator_runtime._base import EMPTY_MAPPING
from gubernator_runtime.cells import (
    Cell,
    DecisionTable,
    Guarded,
    HotTable,
    bound_table,
    unbound_table,
)
from gubernator_runtime.configuration import Configuration
from gubernator_runtime.errors import EndlessMacrostepError
from gubernator_runtime.results import TransitionResult, success

#: The resume key of a step after which ``done.state`` events pile up
#: without end: no cell has it, and following it raises.
OVERFLOW = -1
#: The trigger of a resume cell's results of eventless transitions (seen in
#: a guard's error; the result ``process`` returns keeps the event's).
EVENTLESS_TRIGGER = "_eventless"


class Resumes:
    """A module's resume cells (``_RESUMES``), as the generator emitted them.

    ``cells`` maps each resume key (an ``int``) to its cell; ``idle`` maps
    a key of the decision table (a state's text or a configuration) to the
    resume key of its eventless decision after an event that enabled
    nothing; ``bound`` is the most resume cells one call may visit.
    """

    __slots__ = ("bound", "cells", "idle")

    def __init__(
        self,
        cells: Mapping[int, Cell],
        idle: Mapping[Any, int] | None = None,
        *,
        bound: int,
    ) -> None:
        self.cells = cells
        self.idle: Mapping[Any, int] = {} if idle is None else idle
        self.bound = bound

    def table(self) -> DecisionTable:
        """The cells as a one-row decision table (to bind and count them)."""
        return {None: self.cells}

    def __repr__(self) -> str:
        return f"Resumes({len(self.cells)} cells, bound={self.bound})"


def _continues(cell: Cell) -> bool:
    """True when some result of ``cell`` carries a resume key."""
    if cell.__class__ is TransitionResult:
        return getattr(cell, "_resume", None) is not None
    if cell.__class__ is Guarded:
        results: Any = cell.results
    else:
        results = cell.steps.values()  # type: ignore[union-attr]
    return any(getattr(r, "_resume", None) is not None for r in results)


def _hot_key(key: Any) -> Any:
    """A table key as the hot tables hold it (a configuration's exact text)."""
    return str.__str__(key) if isinstance(key, Configuration) else key


class ResumePlan:
    """What a machine class wraps, found once: per table, the cells whose
    results continue, and the hot keys with an ``idle`` decision."""

    __slots__ = ("continuing", "delays", "idle", "resumes")

    def __init__(
        self, resumes: Resumes, decisions: DecisionTable, delays: DecisionTable | None
    ) -> None:
        self.resumes = resumes
        self.idle: dict[Any, int] = {
            _hot_key(key): number for key, number in resumes.idle.items()
        }
        self.continuing = _continuing(decisions)
        self.delays = None if delays is None else _continuing(delays)


def _continuing(table: DecisionTable) -> set[tuple[Any, Any]]:
    return {
        (_hot_key(key), trigger)
        for key, row in table.items()
        for trigger, cell in row.items()
        if _continues(cell)
    }


class Follower:
    """An instance's resume cells, bound to its guards, and the loop that
    follows a step's resume keys to the end of the macrostep."""

    __slots__ = ("_bound", "_cells")

    def __init__(self, cells: dict[Any, Any], bound: int) -> None:
        self._cells = cells
        self._bound = bound

    def run(
        self, first: TransitionResult[Any], context: Any, key: Any, declined: bool
    ) -> TransitionResult[Any]:
        """``first`` continued from resume key ``key``. ``declined``: the
        first cell enabled nothing (``first`` is its failure, returned
        unchanged when the eventless decision declines too)."""
        cells, bound = self._cells, self._bound
        exits, transition = first._on_exit_actions, first._actions_to_execute
        entered = list(first._on_enter_actions)
        updates: Mapping[str, Any] = first._context_updates
        deadlines: Mapping[str, float] | None = getattr(first, "_deadlines", None)
        head = last = None
        visits = 0
        while key is not None:
            visits += 1
            cell = cells.get(key)
            if cell is None or visits > bound:
                raise EndlessMacrostepError(
                    first._source_state, first._trigger, 0 if cell is None else bound
                )
            if cell.__class__ is TransitionResult:
                step = cell
            elif updates:
                seen = EMPTY_MAPPING if context is None else context
                step = cell({**seen, **updates})
            else:
                step = cell(context)
            if not step._success:
                break  # every candidate declined: the macrostep is over
            if declined and head is None:
                head = step
                exits, transition = step._on_exit_actions, step._actions_to_execute
                entered = list(step._on_enter_actions)
            else:
                entered += step._on_exit_actions
                entered += step._actions_to_execute
                entered += step._on_enter_actions
            if step._context_updates:
                updates = {**updates, **step._context_updates}
            deadlines = _deadlines(deadlines, step)
            last = step
            key = getattr(step, "_resume", None)
        if last is None:
            return first
        result: TransitionResult[Any] = success(
            first._source_state,
            last._target_state,
            first._trigger,
            transition,
            exits,
            tuple(entered),
            (head or first)._metadata,
            configuration=last.configuration,
            deadlines=deadlines,
        )
        if updates:
            result._context_updates = MappingProxyType(dict(updates))
        return result


def _deadlines(
    before: Mapping[str, float] | None, step: TransitionResult[Any]
) -> Mapping[str, float] | None:
    """The deadlines after ``step``: those it cancelled (exited states)
    dropped, those it started added (a state re-entered moves last)."""
    cancelled: tuple[str, ...] = getattr(step, "_cancelled", ())
    started: Mapping[str, float] | None = getattr(step, "_deadlines", None)
    if not cancelled and not started:
        return before
    merged = {
        state: seconds
        for state, seconds in (before or {}).items()
        if state not in cancelled
    }
    if started:
        merged.update(started)
    return MappingProxyType(merged)


def follower(
    resumes: Resumes,
    strict: bool,
    machine: str,
    guards: Mapping[str, Any] | None,
) -> Follower:
    """The resume cells bound as the decision table is: to ``guards``, or
    (``None``) as a machine built without guards decides."""
    base, guarded = unbound_table(resumes.table(), strict, machine)
    if guards is not None:
        base = bound_table(base, guarded, guards)
    return Follower(base[None], resumes.bound)


def _resuming(cell: Any, run: Callable[..., Any], idle: int | None) -> Any:
    """``cell`` (a result or a decider) followed through its resume key,
    or through ``idle`` when it refuses."""
    if cell.__class__ is TransitionResult:
        result, key = cell, getattr(cell, "_resume", None)
        if key is None:
            return cell  # a non-strict machine without guards took another

        def take(context: Any) -> TransitionResult[Any]:
            return run(result, context, key, False)  # type: ignore[no-any-return]

        return take
    decide = cell

    def follow(context: Any) -> TransitionResult[Any]:
        result = decide(context)
        key = getattr(result, "_resume", None)
        if key is not None:
            return run(result, context, key, False)  # type: ignore[no-any-return]
        if idle is None or result._success:
            return result  # type: ignore[no-any-return]
        return run(result, context, idle, True)  # type: ignore[no-any-return]

    return follow


def _idle_only(
    declined: TransitionResult[Any], run: Callable[..., Any], idle: int
) -> Any:
    """A trigger the key has no cell for: its failure, unless the eventless
    decision W3C makes after it takes a transition."""

    def follow(context: Any) -> TransitionResult[Any]:
        return run(declined, context, idle, True)  # type: ignore[no-any-return]

    return follow


def resumed_table(
    table: HotTable,
    continuing: set[tuple[Any, Any]],
    idle: Mapping[Any, int],
    run: Callable[..., Any],
    missing: Callable[[Any, Any], TransitionResult[Any]] | None = None,
    triggers: tuple[Any, ...] = (),
) -> HotTable:
    """``table`` with each continuing cell, and every cell of a key with an
    ``idle`` decision, followed through the resume cells. ``missing``
    (given for the decision table) makes a cell for each of ``triggers`` an
    idle key has none for, from the result ``process`` gives without one.
    Rows without such cells are shared, not copied."""
    touched = {key for key, _ in continuing} | {k for k in idle if k in table}
    if not touched:
        return table
    hot = dict(table)
    for key in touched:
        row = hot[key] = dict(hot[key])
        number = idle.get(key)
        for trigger, cell in row.items():
            if (key, trigger) in continuing or (
                number is not None and cell.__class__ is not TransitionResult
            ):
                row[trigger] = _resuming(cell, run, number)
        if number is not None and missing is not None:
            for trigger in triggers:
                if trigger not in row:
                    row[trigger] = _idle_only(missing(key, trigger), run, number)
    return hot


__all__ = [
    "EVENTLESS_TRIGGER",
    "OVERFLOW",
    "Follower",
    "ResumePlan",
    "Resumes",
    "follower",
    "resumed_table",
]
