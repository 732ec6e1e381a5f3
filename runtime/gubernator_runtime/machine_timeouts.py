"""When a machine's time-driven transitions fire: timeouts and ``after:``.

:class:`MachineTimeouts` holds ``check_timeout``, ``next_deadline`` and
``timeout_info`` of ``MachineBase`` (docs/runtime.md#timeouts): a flat
machine's one timeout per state, or a statechart's ``after:`` entries,
whose cells the machine bound to its guards like those of ``process``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic

from gubernator_runtime._base import C, S
from gubernator_runtime.cells import HotTable
from gubernator_runtime.results import TransitionResult
from gubernator_runtime.tables import MachineTables
from gubernator_runtime.timeouts import (
    TimeoutInfo,
    due_entries,
    is_expired,
    next_due,
    utc_now,
)

if TYPE_CHECKING:
    from datetime import datetime


class MachineTimeouts(Generic[S, C]):
    """The timeouts of a machine: a base of ``MachineBase``, never used alone."""

    __slots__ = ()

    _tables: ClassVar[MachineTables]
    _delays: HotTable | None

    def check_timeout(
        self,
        state: S | str,
        entered_at: datetime | Mapping[str, datetime],
        now: datetime | None = None,
        context: C | None = None,
    ) -> TransitionResult[S] | None:
        """The result of a due timeout or ``after:`` entry, else None
        (docs/runtime.md#timeouts).

        A flat machine: ``entered_at`` is when ``state`` was entered, and
        its timeout is due when ``now - entered_at >= seconds`` (naive
        datetimes are UTC; ``now`` defaults to the current time). A
        statechart with ``after:`` entries: ``state`` is the stored state or
        configuration and ``entered_at`` maps each state to the moment it
        was last entered (the states of ``result.deadlines``); the due
        entries of the active states are tried earliest deadline first (SCXML
        priority on a tie), their guards asked with ``context``, and the
        first that fires gives the result.
        """
        delays = self._delays
        if delays is not None:
            return self._check_delays(delays, state, entered_at, now, context)
        tables = self._tables
        member = tables.lookup_state(state)
        if member in tables.compound:
            raise tables.compound_error(member)
        if isinstance(entered_at, Mapping):
            if tables.definition.parents:  # a statechart with no after: entry
                self._delay_row({}, state)  # checks the state or configuration
                return None
            raise TypeError("entered_at must be a datetime: this machine is flat")
        result = tables.timeout_results.get(member)
        if result is None:
            return None
        if is_expired(entered_at, result.metadata["timeout_seconds"], now):
            return result
        return None

    def _delay_row(self, delays: HotTable, state: object) -> dict[Any, Any]:
        """The ``after:`` cells of ``state`` (a state or configuration)."""
        try:
            row = delays.get(state)
        except TypeError:
            row = None
        if row is not None:
            return row
        tables = self._tables
        member = tables.lookup_state(state)  # raises for an unknown value
        if member in tables.compound:
            raise tables.compound_error(member)
        if tables.configured and state not in tables.configurations:
            raise tables.configuration_needed(state)
        return {}

    def _check_delays(
        self,
        delays: HotTable,
        state: object,
        entered_at: object,
        now: datetime | None,
        context: Any,
    ) -> TransitionResult[S] | None:
        """``check_timeout`` of a statechart: the first due entry that fires."""
        row = self._delay_row(delays, state)
        if not row:
            return None
        if not isinstance(entered_at, Mapping):
            raise TypeError(
                "entered_at must map state names to the moments they were "
                "entered (a statechart with after: entries), not "
                f"{type(entered_at).__name__}"
            )
        for cell in due_entries(row, entered_at, utc_now() if now is None else now):
            result = cell if cell.__class__ is TransitionResult else cell(context)
            if result.success:
                return result
        return None

    def next_deadline(
        self,
        state: S | str,
        entered_at: Mapping[str, datetime],
        after: datetime | None = None,
    ) -> datetime | None:
        """When the next ``after:`` entry of ``state`` falls due (UTC), for
        a timeout sweep to schedule; only moments later than ``after`` when
        given (entries already tried). None when nothing is pending; always
        None for a machine without ``after:`` entries."""
        delays = self._delays
        if delays is None:
            return None
        return next_due(self._delay_row(delays, state), entered_at, after)

    def timeout_info(
        self, state: S | str, entered_at: datetime | None = None
    ) -> TimeoutInfo[S]:
        """``state``'s timeout as a ``TimeoutInfo`` (``has_timeout`` False if none)."""
        tables = self._tables
        result = tables.timeout_results.get(tables.lookup_state(state))
        if result is None:
            return TimeoutInfo(None, None, entered_at)
        seconds = result.metadata["timeout_seconds"]
        return TimeoutInfo(seconds, result.target_state, entered_at)
