"""Hostile data at the runtime's edges: extreme datetimes, cyclic and deep data,
exceptions that cannot be printed.

Every failure here is a clear ``ValueError``/``TypeError`` or a placeholder,
never an ``OverflowError`` or ``RecursionError`` escaping from the runtime.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from gubernator_runtime import (
    MAX_NESTING,
    MAX_RETRY_ATTEMPTS,
    ActionExecutor,
    ErrorPolicy,
    Event,
    GuardError,
    TimeoutInfo,
    audit_entry,
    event_from_json,
    expires_at,
    to_json,
    to_plain,
)
from gubernator_runtime._base import describe_exception
from gubernator_runtime.timeouts import as_utc, parse_datetime
from hypothesis import given, settings
from hypothesis import strategies as st
from rt_order_machine import OrderManagement, State, Trigger

UTC = timezone.utc
LATEST = timezone(timedelta(hours=-23, minutes=-59))  # UTC is later here
EARLIEST = timezone(timedelta(hours=23, minutes=59))  # UTC is earlier here
MAX_WEST = datetime.max.replace(tzinfo=LATEST)  # past datetime.max in UTC
MIN_EAST = datetime.min.replace(tzinfo=EARLIEST)  # before datetime.min in UTC
PENDING_TIMEOUT = 3600  # seconds, from rt_order_machine


def _micros(moment: datetime) -> int:
    """``moment`` as exact microseconds on one UTC time line (no overflow)."""
    offset = moment.utcoffset() or timedelta(0)
    local = moment.replace(tzinfo=None) - datetime.min
    return (local - offset) // timedelta(microseconds=1)


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.one_of(
    st.datetimes(),  # naive: taken as UTC
    st.builds(lambda d, tz: d.replace(tzinfo=tz), st.datetimes(), offsets),
    st.sampled_from([MAX_WEST, MIN_EAST, datetime.max, datetime.min]),
)


# -- item 8: overflow --------------------------------------------------------


def test_check_timeout_at_the_ends_of_the_calendar() -> None:
    machine = OrderManagement()
    assert machine.check_timeout(State.PENDING, MAX_WEST, MAX_WEST) is None
    assert machine.check_timeout(State.PENDING, MIN_EAST, MIN_EAST) is None
    expired = machine.check_timeout(State.PENDING, MIN_EAST, MAX_WEST)
    assert expired is not None and expired.target_state is State.CANCELLED
    # Entered at the very end, checked at the very beginning: not expired.
    assert machine.check_timeout(State.PENDING, MAX_WEST, MIN_EAST) is None


@settings(max_examples=300, deadline=None)
@given(entered=moments, now=moments)
def test_check_timeout_never_overflows_and_is_exact(
    entered: datetime, now: datetime
) -> None:
    machine = OrderManagement()
    expected = _micros(now) - _micros(entered) >= PENDING_TIMEOUT * 10**6
    result = machine.check_timeout(State.PENDING, entered, now)
    assert (result is not None) == expected


@settings(max_examples=200, deadline=None)
@given(entered=moments, seconds=st.floats(min_value=1e-6, max_value=1e15))
def test_expires_at_saturates_instead_of_overflowing(
    entered: datetime, seconds: float
) -> None:
    deadline = expires_at(entered, seconds)
    assert deadline.tzinfo is UTC
    exact = _micros(entered) + round(seconds * 10**6)
    if datetime.min.replace(tzinfo=UTC) < deadline < datetime.max.replace(tzinfo=UTC):
        assert abs(_micros(deadline) - exact) <= max(1, seconds)  # float rounding
    elif deadline == datetime.max.replace(tzinfo=UTC):
        assert exact >= _micros(datetime.max.replace(tzinfo=UTC)) - 10**6
    else:
        assert exact <= _micros(datetime.min.replace(tzinfo=UTC)) + 10**6


def test_expires_at_of_the_last_moments() -> None:
    assert expires_at(MAX_WEST, 1) == datetime.max.replace(tzinfo=UTC)
    assert expires_at(MIN_EAST, 1) == datetime.min.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"]
)
def test_an_event_timestamp_without_utc_equivalent_is_a_value_error(
    text: str,
) -> None:
    with pytest.raises(ValueError, match="no UTC equivalent"):
        Event.from_dict({"trigger": "pay", "timestamp": text})
    with pytest.raises(ValueError, match="no UTC equivalent"):
        event_from_json(json.dumps({"trigger": "pay", "timestamp": text}))
    with pytest.raises(ValueError, match="no UTC equivalent"):
        Event("pay", timestamp=datetime.fromisoformat(text))
    with pytest.raises(ValueError, match="no UTC equivalent"):
        TimeoutInfo(60, State.CANCELLED, datetime.fromisoformat(text))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=40), moments.map(lambda m: m.isoformat())))
def test_event_from_dict_raises_only_value_errors(text: str) -> None:
    try:
        event = Event.from_dict({"trigger": "pay", "timestamp": text})
    except ValueError:
        return
    assert event.timestamp.tzinfo is UTC
    assert parse_datetime(event.timestamp.isoformat()) == event.timestamp


def test_as_utc_still_converts_ordinary_moments() -> None:
    moment = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert as_utc(moment) == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert as_utc(datetime(2024, 1, 1)).tzinfo is UTC
    with pytest.raises(TypeError):
        as_utc("2024-01-01")  # type: ignore[arg-type]


# -- item 9: hostile data to serialise ---------------------------------------


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_cyclic_data_is_a_value_error() -> None:
    looped: dict[str, Any] = {}
    looped["self"] = looped
    listed: list[Any] = []
    listed.append({"back": listed})
    for value in (looped, listed):
        with pytest.raises(ValueError, match="contains itself"):
            to_plain(value)
        with pytest.raises(ValueError, match="contains itself"):
            to_json(value)
        with pytest.raises(ValueError, match="contains itself"):
            Event("pay", {"data": value}).to_dict()


def test_an_event_inside_its_own_payload_is_a_value_error() -> None:
    holder: list[Any] = []
    event = Event("pay", {"holder": holder})
    holder.append(event)
    with pytest.raises(ValueError, match="too deeply or contains itself"):
        to_plain(event)


def test_deep_data_is_a_value_error_and_shared_data_is_fine() -> None:
    with pytest.raises(ValueError, match=f"more than {MAX_NESTING} levels deep"):
        to_plain(_nested(5000))
    result = OrderManagement().process(State.PENDING, Trigger.CANCEL)
    with pytest.raises(ValueError, match=f"more than {MAX_NESTING} levels deep"):
        audit_entry(result, "A-1", extra={"deep": _nested(5000)})
    with pytest.raises(ValueError, match=f"more than {MAX_NESTING} levels deep"):
        Event("pay", {"deep": _nested(5000)}).to_dict()
    assert to_plain(_nested(MAX_NESTING)) == _nested(MAX_NESTING)
    shared = [1, 2]
    assert to_plain({"a": shared, "b": [shared, shared]}) == {
        "a": [1, 2],
        "b": [[1, 2], [1, 2]],
    }


def test_a_to_dict_that_never_ends_is_a_value_error() -> None:
    class Matryoshka:
        def to_dict(self) -> object:
            return Matryoshka()

    with pytest.raises(ValueError, match="levels deep"):
        to_plain(Matryoshka())


class Unprintable(Exception):
    """An exception whose ``__str__`` itself raises."""

    def __str__(self) -> str:
        raise RuntimeError("no text for you")


class NotText(Exception):
    """An exception whose ``__str__`` returns something that is not a string."""

    def __str__(self) -> str:
        return 42  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("error", "placeholder"),
    [
        (Unprintable(), "<unprintable Unprintable: str() raised RuntimeError>"),
        (NotText(), "<unprintable NotText: str() raised TypeError>"),
    ],
)
def test_an_unprintable_action_error_gets_a_placeholder(
    error: Exception, placeholder: str
) -> None:
    def explode(ctx: object) -> None:
        raise error

    executor: ActionExecutor[Any] = ActionExecutor(
        {"log_exit": explode, "refund": lambda ctx: None}
    )
    result = OrderManagement(
        {"is_paid": lambda ctx: True, "is_express": bool, "has_stock": bool}
    ).process(State.PENDING, Trigger.CANCEL)
    run = executor.execute(result)
    assert run.failed_actions == ("log_exit",)
    summary = run.to_dict()
    failure = summary["action_results"][0]["error"]
    assert failure == {"type": type(error).__name__, "message": placeholder}
    json.loads(to_json(run))
    entry = audit_entry(result, "A-1", execution=run)
    assert entry["action_results"][0]["error"]["message"] == placeholder
    assert describe_exception(error)["message"] == placeholder


def test_a_guard_error_wraps_an_unprintable_cause() -> None:
    def broken(ctx: object) -> bool:
        raise Unprintable

    machine = OrderManagement(
        {"is_paid": broken, "is_express": bool, "has_stock": bool}
    )
    with pytest.raises(GuardError) as caught:
        machine.process(State.PENDING, Trigger.PAY, {})
    assert "<unprintable Unprintable" in str(caught.value)
    assert isinstance(caught.value.__cause__, Unprintable)


# -- item 10: retry_attempts has a maximum -------------------------------------


def test_retry_attempts_have_a_maximum() -> None:
    assert MAX_RETRY_ATTEMPTS == 100
    top = ActionExecutor({}, retry_attempts=MAX_RETRY_ATTEMPTS)
    assert top.retry_attempts == MAX_RETRY_ATTEMPTS
    assert ErrorPolicy(retry_attempts=MAX_RETRY_ATTEMPTS).retry_attempts == 100
    for too_many in (MAX_RETRY_ATTEMPTS + 1, 10**22):
        with pytest.raises(ValueError, match="from 0 to 100"):
            ActionExecutor({}, retry_attempts=too_many)
        with pytest.raises(ValueError, match="from 0 to 100"):
            ErrorPolicy(retry_attempts=too_many)
        with pytest.raises(ValueError, match="from 0 to 100"):
            OrderManagement().executor({}, retry_attempts=too_many)
    with pytest.raises(TypeError):
        ActionExecutor({}, retry_attempts=2.0)  # type: ignore[arg-type]
