"""Serialisation helpers and the audit-entry builder."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from gubernator_runtime import (
    ActionExecutor,
    Event,
    GuardRejectedError,
    TransitionResult,
    always_true,
    audit_entry,
    event_from_json,
    result_from_json,
    to_json,
    to_plain,
)
from rt_order_machine import OrderManagement, State, Trigger


class Colour(enum.Enum):
    RED = 1


class Level(enum.IntEnum):
    HIGH = 3


def test_to_plain_converts_common_values() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    ident = uuid.UUID(int=1)
    value = {
        "state": State.PAID,
        "trigger": Trigger.PAY,
        "colour": Colour.RED,
        "level": Level.HIGH,
        "when": moment,
        "day": date(2024, 1, 2),
        "clock": time(3, 4),
        "wait": timedelta(minutes=1, milliseconds=500),
        "price": Decimal("12.30"),
        "id": ident,
        "tuple": (1, "a"),
        "set": {"b", "a"},
        "mixed_set": frozenset({1}),
        "proxy": MappingProxyType({"k": [None, True, 1.5]}),
        "error": GuardRejectedError("A", "t", "g"),
    }
    plain = to_plain(value)
    assert plain == {
        "state": "PAID",
        "trigger": "pay",
        "colour": 1,
        "level": 3,
        "when": "2024-01-02T03:04:05+00:00",
        "day": "2024-01-02",
        "clock": "03:04:00",
        "wait": 60.5,
        "price": "12.30",
        "id": str(ident),
        "tuple": [1, "a"],
        "set": ["a", "b"],
        "mixed_set": [1],
        "proxy": {"k": [None, True, 1.5]},
        "error": GuardRejectedError("A", "t", "g").to_dict(),
    }
    assert type(plain["state"]) is str and type(plain["level"]) is int
    assert json.loads(json.dumps(plain)) == plain


def test_to_plain_keeps_mixed_sets_instead_of_failing() -> None:
    assert sorted(to_plain({1, "a"}), key=str) == [1, "a"]


@pytest.mark.parametrize("value", [object(), b"bytes", {1: "int key"}, {"k": object()}])
def test_to_plain_refuses_what_it_cannot_represent(value: Any) -> None:
    with pytest.raises(TypeError):
        to_plain(value)


def test_to_json() -> None:
    assert to_json({"s": State.PAID, "é": 1}) == '{"s": "PAID", "é": 1}'
    assert to_json([1], indent=2) == "[\n  1\n]"
    with pytest.raises(ValueError):
        to_json(float("nan"))


def _machine() -> OrderManagement:
    return OrderManagement(
        {
            "is_paid": always_true(),
            "is_express": always_true(),
            "has_stock": always_true(),
        }
    )


def test_result_and_event_json_round_trips() -> None:
    result = _machine().process("PENDING", "teleport")
    back = result_from_json(to_json(result), State)
    assert back == result and type(back.source_state) is State
    assert result_from_json(to_json(result).encode()).source_state == "PENDING"
    event = Event("pay", {"amount": Decimal("1.50")}, source="api")
    parsed = event_from_json(to_json(event))
    assert parsed.payload == {"amount": "1.50"}
    assert parsed.event_id == event.event_id and parsed.source == "api"


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '"string"'])
def test_json_readers_reject_non_objects(text: str) -> None:
    with pytest.raises(ValueError):
        result_from_json(text)
    with pytest.raises(ValueError):
        event_from_json(text)


def test_audit_entry_of_a_success() -> None:
    result = _machine().process(State.PENDING, Trigger.PAY)
    moment = datetime(2024, 6, 1, 12, 0)  # naive: UTC
    entry = audit_entry(result, "order-42", timestamp=moment)
    assert entry == {
        "entity_id": "order-42",
        "timestamp": "2024-06-01T12:00:00+00:00",
        "trigger": "pay",
        "from_state": "PENDING",
        "to_state": "PAID",
        "success": True,
        "actions": ["log_exit", "send_receipt", "send_receipt"],
        "error": None,
        "metadata": {"transition_description": "Pay"},
    }
    assert json.loads(json.dumps(entry)) == entry


def test_audit_entry_of_a_failure_with_everything() -> None:
    failure = _machine().process("DELIVERED", "pay")
    event = Event("pay", event_id="evt-1", source="webhook")
    entry = audit_entry(failure, 42, event=event, extra={"user": State.PAID})
    assert entry["entity_id"] == 42
    assert entry["to_state"] is None and entry["success"] is False
    assert entry["error"]["type"] == "TerminalStateError"
    assert entry["event_id"] == "evt-1" and entry["event_source"] == "webhook"
    assert entry["extra"] == {"user": "PAID"}
    assert datetime.fromisoformat(entry["timestamp"]).tzinfo is not None
    json.dumps(entry)


def test_audit_entry_with_an_execution() -> None:
    machine = _machine()
    result = machine.process(State.PENDING, Trigger.PAY)

    def fail(ctx: Any) -> None:
        raise RuntimeError("smtp down")

    actions: dict[str, Any] = {name: lambda ctx: None for name in machine.action_names}
    actions["send_receipt"] = fail
    run = machine.executor(actions, retry_attempts=0).execute(result)
    entry = audit_entry(result, "o-1", execution=run)
    assert entry["failed_actions"] == ["send_receipt", "send_receipt"]
    assert entry["fallback_state"] == "FAILED"
    assert entry["action_results"][1]["error"] == {
        "type": "RuntimeError",
        "message": "smtp down",
    }
    ok_run = ActionExecutor(actions).execute(TransitionResult(True, "A", "B", "t"))
    assert audit_entry(result, "o-1", execution=ok_run)["fallback_state"] is None
    json.dumps(entry)
