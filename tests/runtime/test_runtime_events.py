"""Event: fields, lazy id and timestamp, serialisation."""

from __future__ import annotations

import json
import pickle
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from gubernator_runtime import Event
from rt_order_machine import Trigger


def test_fields() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    event = Event(Trigger.PAY, {"amount": 3}, "id-1", moment, "web", {"ip": "x"})
    assert event.trigger is Trigger.PAY
    assert event.payload == {"amount": 3}
    assert event.event_id == "id-1"
    assert event.timestamp == moment
    assert event.source == "web"
    assert event.metadata == {"ip": "x"}


def test_defaults_are_generated() -> None:
    before = datetime.now(timezone.utc)
    event = Event("pay")
    after = datetime.now(timezone.utc)
    assert event.payload == {} and event.metadata == {} and event.source is None
    assert uuid.UUID(event.event_id).version == 4
    assert event.event_id == event.event_id  # generated once, then kept
    assert event.event_id != Event("pay").event_id
    # Allow for the float round trip of the creation time.
    slack = timedelta(milliseconds=1)
    assert before - slack <= event.timestamp <= after + slack
    assert event.timestamp.tzinfo is timezone.utc


def test_naive_timestamp_is_taken_as_utc() -> None:
    naive = datetime(2024, 1, 1, 12, 0)
    assert Event("pay", timestamp=naive).timestamp == naive.replace(tzinfo=timezone.utc)
    plus_one = datetime(2024, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    converted = Event("pay", timestamp=plus_one).timestamp
    assert converted == naive.replace(tzinfo=timezone.utc)
    assert converted.tzinfo is timezone.utc


def test_payload_and_metadata_are_read_only_copies() -> None:
    payload = {"a": 1}
    event = Event("pay", payload)
    payload["a"] = 2
    assert event.payload == {"a": 1}
    with pytest.raises(TypeError):
        event.payload["a"] = 3  # type: ignore[index]
    with pytest.raises(AttributeError):
        event.trigger = "other"  # type: ignore[misc]


def test_trigger_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        Event(3)  # type: ignore[arg-type]


def test_events_are_unhashable_and_compare_by_value() -> None:
    moment = datetime(2024, 1, 1, tzinfo=timezone.utc)
    first = Event("pay", {"a": 1}, "id", moment)
    assert first == Event("pay", {"a": 1}, "id", moment)
    assert first != Event("pay", {"a": 2}, "id", moment)
    with pytest.raises(TypeError):
        hash(first)


def test_repr_does_not_generate_an_id() -> None:
    event = Event("pay", {"a": 1}, source="cli")
    text = repr(event)
    assert text == "Event(trigger='pay', payload={'a': 1}, source='cli')"
    assert event._event_id is None  # still lazy
    event.event_id  # noqa: B018 - reading it creates it
    assert "event_id=" in repr(event)


def _read_ids_concurrently(event: Event, readers: int) -> set[str]:
    seen: list[str] = []
    barrier = threading.Barrier(readers)

    def read() -> None:
        barrier.wait()
        seen.append(event.event_id)

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return set(seen)


def test_concurrent_first_reads_agree_on_the_id() -> None:
    for _ in range(20):
        assert len(_read_ids_concurrently(Event("pay"), 4)) == 1


def test_round_trip_through_json() -> None:
    event = Event(
        Trigger.SHIP,
        {"n": [1, 2], "d": {"x": None}},
        source="queue",
        metadata={"attempt": 2},
    )
    data = json.loads(json.dumps(event.to_dict()))
    assert data["trigger"] == "ship"
    assert data["timestamp"].endswith("+00:00")
    back = Event.from_dict(data)
    assert back.to_dict() == event.to_dict()
    assert back.event_id == event.event_id
    assert back.timestamp == event.timestamp


def test_from_dict_accepts_a_z_suffix_and_defaults() -> None:
    event = Event.from_dict({"trigger": "pay", "timestamp": "2024-01-01T00:00:00Z"})
    assert event.timestamp == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert event.payload == {} and event.source is None


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"trigger": 1},
        {"trigger": "t", "payload": [1]},
        {"trigger": "t", "metadata": "x"},
        {"trigger": "t", "event_id": 5},
        {"trigger": "t", "source": 5},
        {"trigger": "t", "timestamp": 5},
        {"trigger": "t", "timestamp": "yesterday"},
    ],
)
def test_malformed_event_data_is_a_value_error(data: Any) -> None:
    with pytest.raises(ValueError):
        Event.from_dict(data)


def test_pickle_round_trip() -> None:
    event = Event("pay", {"a": 1}, source="x")
    back = pickle.loads(pickle.dumps(event))
    assert back == event and back.event_id == event.event_id
