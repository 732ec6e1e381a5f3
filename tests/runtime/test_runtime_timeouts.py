"""Timeout helpers and TimeoutInfo: deadlines, edges and time zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from gubernator_runtime import (
    TimeoutExpiredError,
    TimeoutInfo,
    as_utc,
    expires_at,
    is_expired,
    remaining_seconds,
    utc_now,
)
from gubernator_runtime.timeouts import parse_datetime
from hypothesis import given, settings
from hypothesis import strategies as st

ENTERED = datetime(2024, 3, 10, 8, 30, 0)  # naive: taken as UTC
UTC_ENTERED = ENTERED.replace(tzinfo=timezone.utc)
TOKYO = timezone(timedelta(hours=9))


def test_as_utc() -> None:
    assert as_utc(ENTERED) == UTC_ENTERED
    assert as_utc(ENTERED).tzinfo is timezone.utc
    tokyo = datetime(2024, 3, 10, 17, 30, tzinfo=TOKYO)
    assert as_utc(tokyo) == UTC_ENTERED
    assert as_utc(tokyo).tzinfo is timezone.utc
    with pytest.raises(TypeError):
        as_utc("2024-01-01")  # type: ignore[arg-type]


def test_utc_now_is_aware() -> None:
    assert utc_now().tzinfo is timezone.utc


def test_expires_at() -> None:
    assert expires_at(ENTERED, 90) == UTC_ENTERED + timedelta(seconds=90)
    assert expires_at(ENTERED, 0.25) == UTC_ENTERED + timedelta(milliseconds=250)


def test_expiry_edges() -> None:
    deadline = ENTERED + timedelta(seconds=60)
    assert not is_expired(ENTERED, 60, deadline - timedelta(microseconds=1))
    assert is_expired(ENTERED, 60, deadline)  # exactly at the deadline
    assert is_expired(ENTERED, 60, deadline + timedelta(microseconds=1))


def test_naive_and_aware_values_mix() -> None:
    deadline_in_tokyo = datetime(2024, 3, 10, 17, 31, tzinfo=TOKYO)
    assert is_expired(ENTERED, 60, deadline_in_tokyo)
    assert not is_expired(ENTERED, 61, deadline_in_tokyo)
    tokyo_entry = datetime(2024, 3, 10, 17, 30, tzinfo=TOKYO)
    assert is_expired(tokyo_entry, 60, ENTERED + timedelta(seconds=60))


def test_remaining_seconds_never_goes_negative() -> None:
    assert remaining_seconds(ENTERED, 60, ENTERED + timedelta(seconds=15)) == 45.0
    assert remaining_seconds(ENTERED, 60, ENTERED + timedelta(seconds=60)) == 0.0
    assert remaining_seconds(ENTERED, 60, ENTERED + timedelta(days=2)) == 0.0


def test_defaults_use_the_current_time() -> None:
    assert is_expired(datetime(2000, 1, 1), 1)
    assert not is_expired(datetime(2999, 1, 1), 1)
    assert remaining_seconds(datetime(2000, 1, 1), 1) == 0.0


def test_timeout_info_with_a_timeout() -> None:
    info: TimeoutInfo[str] = TimeoutInfo(30, "EXPIRED", ENTERED)
    assert info.has_timeout
    assert info.seconds == 30 and info.destination == "EXPIRED"
    assert info.entered_at == UTC_ENTERED
    assert info.expires_at == UTC_ENTERED + timedelta(seconds=30)
    assert not info.is_expired(ENTERED + timedelta(seconds=29))
    assert info.is_expired(ENTERED + timedelta(seconds=30))
    assert info.remaining(ENTERED + timedelta(seconds=10)) == 20.0
    assert info.remaining(ENTERED + timedelta(seconds=31)) == 0.0
    assert info == TimeoutInfo(30, "EXPIRED", UTC_ENTERED)
    assert hash(info) == hash(TimeoutInfo(30, "EXPIRED", UTC_ENTERED))


def test_timeout_info_without_a_timeout() -> None:
    info: TimeoutInfo[str] = TimeoutInfo(entered_at=ENTERED)
    assert not info.has_timeout
    assert info.seconds is None and info.destination is None
    assert info.expires_at is None
    assert not info.is_expired(datetime(2999, 1, 1))
    assert info.remaining() is None
    info.raise_if_expired("IDLE", datetime(2999, 1, 1))  # never raises


def test_timeout_info_without_entry_time_cannot_be_checked() -> None:
    info: TimeoutInfo[str] = TimeoutInfo(30, "EXPIRED")
    assert info.expires_at is None
    with pytest.raises(ValueError):
        info.is_expired(ENTERED)
    with pytest.raises(ValueError):
        info.remaining(ENTERED)


@pytest.mark.parametrize(
    ("seconds", "destination"), [(30, None), (None, "X"), (0, "X"), (-1, "X")]
)
def test_timeout_info_rejects_inconsistent_values(
    seconds: float | None, destination: str | None
) -> None:
    with pytest.raises(ValueError):
        TimeoutInfo(seconds, destination, ENTERED)


def test_raise_if_expired() -> None:
    info: TimeoutInfo[str] = TimeoutInfo(30, "EXPIRED", ENTERED)
    info.raise_if_expired("WAITING", ENTERED + timedelta(seconds=29))
    with pytest.raises(TimeoutExpiredError) as caught:
        info.raise_if_expired("WAITING", ENTERED + timedelta(seconds=30))
    error = caught.value
    assert error.state == "WAITING" and error.destination == "EXPIRED"
    assert error.context["expires_at"] == "2024-03-10T08:30:30+00:00"
    assert error.context["seconds"] == 30


def test_parse_datetime() -> None:
    assert parse_datetime("2024-03-10T08:30:00Z") == UTC_ENTERED
    assert parse_datetime("2024-03-10T17:30:00+09:00") == UTC_ENTERED
    assert parse_datetime("2024-03-10T08:30:00") == UTC_ENTERED
    with pytest.raises(ValueError):
        parse_datetime("10/03/2024")


@settings(max_examples=80, deadline=None)
@given(
    entered=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)
    ),
    seconds=st.integers(min_value=1, max_value=10**7),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
    delta_us=st.integers(min_value=-5, max_value=5),
)
def test_expiry_is_independent_of_the_time_zone_of_now(
    entered: datetime, seconds: int, offset_minutes: int, delta_us: int
) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    now = (
        (entered + timedelta(seconds=seconds, microseconds=delta_us))
        .replace(tzinfo=timezone.utc)
        .astimezone(zone)
    )
    assert is_expired(entered, seconds, now) is (delta_us >= 0)


def test_timeouts_far_beyond_the_calendar_never_overflow() -> None:
    # The generator accepts any finite number of seconds.
    assert not is_expired(ENTERED, 1e15, ENTERED)
    assert remaining_seconds(ENTERED, 1e15, ENTERED) == 1e15
    assert expires_at(ENTERED, 1e15) == datetime.max.replace(tzinfo=timezone.utc)
    info = TimeoutInfo(1e15, "CANCELLED", ENTERED)
    assert not info.is_expired(ENTERED + timedelta(days=365 * 1000))


def test_sub_microsecond_timeouts_are_not_rounded_away() -> None:
    assert not is_expired(ENTERED, 1e-7, ENTERED)
    assert is_expired(ENTERED, 1e-7, ENTERED + timedelta(microseconds=1))
