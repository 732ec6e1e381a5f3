"""State timeouts: deadlines, expiry checks and ``TimeoutInfo``.

Every function takes an explicit ``now`` (defaulting to the current time) so
that callers and tests decide the clock. Naive datetimes are taken as UTC;
aware ones are converted to UTC, so naive and aware values mix freely. A
timeout has expired when ``now - entered_at >= seconds``: exactly at the
deadline counts as expired.

Every moment a ``datetime`` can hold is accepted, up to ``datetime.max`` and
down to ``datetime.min`` with any UTC offset: elapsed time is computed
without converting to UTC first, and a deadline past the last representable
moment saturates. Only :func:`as_utc` (and so :func:`parse_datetime`) can
meet a moment that has no UTC equivalent (``9999-12-31T23:59:59-23:59``),
and reports it as a ``ValueError``.

``datetime`` is imported inside the functions: it is only needed once a
timeout is checked, and deferring it keeps ``import gubernator_runtime``
cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic

from gubernator_runtime._base import Record, S, plain_str
from gubernator_runtime.errors import TimeoutExpiredError

if TYPE_CHECKING:
    from datetime import datetime

    from gubernator_runtime.results import TransitionResult

#: The trigger of results produced by a state's timeout.
TIMEOUT_TRIGGER = "_timeout"


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC: naive values are taken as UTC, aware ones converted.

    An aware moment whose UTC equivalent falls outside the years 1 to 9999
    (``datetime.max`` with a negative offset, say) is a ``ValueError``.
    """
    from datetime import timezone

    aware = _aware(moment)
    if aware is not moment:
        return aware
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(
            f"{moment.isoformat()} has no UTC equivalent: it falls outside "
            "the years 1 to 9999 in UTC"
        ) from None


def parse_datetime(text: str) -> datetime:
    """Parse ISO 8601 (as written by ``isoformat()``, a ``Z`` suffix allowed) to UTC.

    Text that is not ISO 8601, and a moment with no UTC equivalent, are a
    ``ValueError``.
    """
    from datetime import datetime

    if text.endswith(("Z", "z")):
        # fromisoformat() accepts "Z" only from Python 3.11 on.
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time") from None
    return as_utc(moment)


def expires_at(entered_at: datetime, seconds: float) -> datetime:
    """The deadline (UTC) of a timeout of ``seconds`` entered at ``entered_at``.

    A deadline past the last representable moment is ``datetime.max`` (UTC);
    one before the first is ``datetime.min`` (UTC).
    """
    from datetime import datetime, timedelta, timezone

    start = _aware(entered_at)
    try:
        return (start + timedelta(seconds=seconds)).astimezone(timezone.utc)
    except OverflowError:
        # In UTC the deadline is start + seconds - offset: its sign says
        # which end of the calendar it ran off.
        offset = start.utcoffset()
        shift = seconds - (offset.total_seconds() if offset is not None else 0.0)
        end = datetime.max if shift > 0 else datetime.min
        return end.replace(tzinfo=timezone.utc)


def elapsed_seconds(entered_at: datetime, now: datetime | None = None) -> float:
    """Seconds from ``entered_at`` to ``now`` (default: the current time).

    Aware moments are subtracted as they are (Python accounts for their
    offsets), so moments near ``datetime.max`` or ``min`` never overflow.
    """
    current = utc_now() if now is None else _aware(now)
    return (current - _aware(entered_at)).total_seconds()


def is_expired(
    entered_at: datetime, seconds: float, now: datetime | None = None
) -> bool:
    """True when ``now`` (default: the current time) is at or past the deadline.

    Compared in seconds rather than by adding a ``timedelta`` to the entry
    time, which would round sub-microsecond timeouts and overflow on huge ones.
    """
    return elapsed_seconds(entered_at, now) >= seconds


def remaining_seconds(
    entered_at: datetime, seconds: float, now: datetime | None = None
) -> float:
    """Seconds left before the deadline, never below ``0.0``."""
    left = seconds - elapsed_seconds(entered_at, now)
    return left if left > 0.0 else 0.0


# -- after: entries of statecharts (API 2.4) ------------------------------------
#
# A generated statechart lists, per stored state or configuration, its
# active ``after:`` entries in SCXML priority order, each keyed by
# ``(state, index, seconds)``; the functions below read such a row.


def due_entries(
    row: Mapping[Any, Any], entered_at: Mapping[str, datetime], now: datetime
) -> Iterator[Any]:
    """The cells of ``row``'s entries due at ``now``: earliest deadline
    first, SCXML priority on a tie. An entry whose state has no entry
    time in ``entered_at`` is not due."""
    due: list[tuple[float, int, Any]] = []
    for position, ((state, _, seconds), cell) in enumerate(row.items()):
        entered = entered_at.get(state)
        if entered is None:
            continue
        late = elapsed_seconds(entered, now) - seconds
        if late >= 0:
            due.append((-late, position, cell))
    due.sort(key=lambda entry: (entry[0], entry[1]))
    return (cell for _, _, cell in due)


def next_due(
    row: Mapping[Any, Any],
    entered_at: Mapping[str, datetime],
    after: datetime | None = None,
) -> datetime | None:
    """The earliest deadline (UTC) of ``row``'s entries, later than
    ``after`` when given; None when there is none."""
    found: datetime | None = None
    for state, _, seconds in row:
        entered = entered_at.get(state)
        if entered is None:
            continue
        deadline = expires_at(entered, seconds)
        if after is not None and deadline <= _aware(after):
            continue
        if found is None or deadline < found:
            found = deadline
    return found


def entry_times(
    entered_at: Mapping[str, datetime],
    result: TransitionResult[Any],
    now: datetime | None = None,
) -> dict[str, datetime]:
    """The entry times to store after ``result``: ``entered_at`` with every
    state of ``result.deadlines`` entered at ``now`` (default: the current
    time). Times of states the step left may stay: ``check_timeout`` only
    reads the states that are active."""
    moment = utc_now() if now is None else _aware(now)
    updated = dict(entered_at)
    for state in result.deadlines:
        updated[state] = moment
    return updated


def _aware(moment: datetime) -> datetime:
    """``moment`` made aware: naive values get UTC; aware ones are kept as they are."""
    from datetime import datetime, timezone

    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


class TimeoutInfo(Record, Generic[S]):
    """A state's timeout as seen from one moment of entry.

    ``has_timeout`` is False for a state without a timeout; its ``seconds``,
    ``destination`` and ``expires_at`` are then ``None``, it never expires and
    ``remaining`` is ``None``. ``expires_at`` is also ``None`` when
    ``entered_at`` is unknown; such a timeout cannot be checked and
    :meth:`is_expired` raises ``ValueError``.
    """

    __slots__ = ("_destination", "_entered_at", "_seconds")
    _fields = ("seconds", "destination", "entered_at")
    _hash_fields = _fields

    def __init__(
        self,
        seconds: float | None = None,
        destination: S | None = None,
        entered_at: datetime | None = None,
    ) -> None:
        if (seconds is None) != (destination is None):
            raise ValueError("a timeout needs both seconds and destination, or neither")
        if seconds is not None and not seconds > 0:
            raise ValueError(f"timeout seconds must be > 0, not {seconds!r}")
        self._seconds = seconds
        self._destination = destination
        self._entered_at = None if entered_at is None else as_utc(entered_at)

    @property
    def has_timeout(self) -> bool:
        """True when the state has a timeout."""
        return self._seconds is not None

    @property
    def seconds(self) -> float | None:
        """The timeout's length in seconds."""
        return self._seconds

    @property
    def destination(self) -> S | None:
        """The state the timeout leads to."""
        return self._destination

    @property
    def entered_at(self) -> datetime | None:
        """When the state was entered (UTC)."""
        return self._entered_at

    @property
    def expires_at(self) -> datetime | None:
        """The deadline (UTC), if there is a timeout and an entry time."""
        if self._seconds is None or self._entered_at is None:
            return None
        return expires_at(self._entered_at, self._seconds)

    def is_expired(self, now: datetime | None = None) -> bool:
        """True at or past the deadline; always False without a timeout."""
        if self._seconds is None:
            return False
        if self._entered_at is None:
            raise ValueError("cannot check a timeout without entered_at")
        return is_expired(self._entered_at, self._seconds, now)

    def remaining(self, now: datetime | None = None) -> float | None:
        """Seconds left (``0.0`` once expired); ``None`` without a timeout."""
        if self._seconds is None:
            return None
        if self._entered_at is None:
            raise ValueError("cannot check a timeout without entered_at")
        return remaining_seconds(self._entered_at, self._seconds, now)

    def raise_if_expired(self, state: str, now: datetime | None = None) -> None:
        """Raise ``TimeoutExpiredError`` for ``state`` if the timeout has passed."""
        if self._seconds is None or self._destination is None:
            return
        if self.is_expired(now):
            deadline = self.expires_at
            raise TimeoutExpiredError(
                state,
                self._seconds,
                plain_str(self._destination),
                deadline.isoformat() if deadline is not None else "",
            )
