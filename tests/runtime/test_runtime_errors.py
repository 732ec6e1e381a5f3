"""The error hierarchy: structure, context, serialisation and pickling."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from gubernator_runtime import (
    ActionNotFoundError,
    ConfigurationError,
    FSMError,
    GuardError,
    GuardRejectedError,
    InvalidTransitionError,
    TerminalStateError,
    TimeoutExpiredError,
    UndefinedStateError,
    UndefinedTriggerError,
)
from rt_order_machine import State, Trigger


def _examples() -> list[FSMError]:
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as cause:
        guard_error = GuardError("is_paid", State.PENDING, Trigger.PAY, cause)
    return [
        FSMError("plain", detail=1),
        InvalidTransitionError(State.PENDING, Trigger.SHIP),
        GuardRejectedError(State.PAID, Trigger.SHIP, "has_stock"),
        UndefinedTriggerError(State.PENDING, "teleport", "order_management"),
        TerminalStateError(State.DELIVERED, Trigger.PAY),
        UndefinedStateError(["not", "a", "state"], "order_management"),
        guard_error,
        ConfigurationError("bad binding", missing_guards=["a", "b"]),
        ActionNotFoundError(["x", "y"]),
        TimeoutExpiredError(
            State.PENDING, 3600, State.CANCELLED, "2024-01-01T01:00:00+00:00"
        ),
    ]


def test_hierarchy() -> None:
    assert issubclass(GuardRejectedError, InvalidTransitionError)
    assert issubclass(UndefinedTriggerError, InvalidTransitionError)
    assert issubclass(TerminalStateError, InvalidTransitionError)
    assert issubclass(ActionNotFoundError, ConfigurationError)
    for error_type in (
        InvalidTransitionError,
        UndefinedStateError,
        GuardError,
        ConfigurationError,
        TimeoutExpiredError,
    ):
        assert issubclass(error_type, FSMError)
    assert issubclass(FSMError, Exception)


def test_structured_context_uses_plain_strings() -> None:
    error = GuardRejectedError(State.PAID, Trigger.SHIP, "has_stock")
    assert error.context == {"state": "PAID", "trigger": "ship", "guard": "has_stock"}
    assert all(type(value) is str for value in error.context.values())
    assert (
        error.state == "PAID" and error.trigger == "ship" and error.guard == "has_stock"
    )
    assert str(error) == error.message
    assert "has_stock" in error.message and "'PAID'" in error.message
    assert "State." not in error.message  # members are shown by value


def test_specific_messages_and_properties() -> None:
    undefined = UndefinedStateError(None)
    assert undefined.state == "None" and "the machine" in undefined.message
    missing = ActionNotFoundError(["only"])
    assert missing.actions == ("only",)
    assert missing.message == "no implementation for action 'only'"
    assert "actions 'x', 'y'" in ActionNotFoundError(["x", "y"]).message
    assert ActionNotFoundError(["x"], "custom").message == "custom"
    expired = TimeoutExpiredError("PENDING", 1.5, "CANCELLED")
    assert expired.state == "PENDING" and expired.destination == "CANCELLED"
    assert "1.5 s" in expired.message
    invalid = InvalidTransitionError("A", "t", "custom text", extra=1)
    assert invalid.message == "custom text" and invalid.context["extra"] == 1
    unchained = GuardError("g", "A", "t")
    assert "failed" in unchained.message and unchained.context["cause_type"] == ""


def test_guard_error_describes_its_cause() -> None:
    error = _examples()[6]
    assert isinstance(error, GuardError)
    assert error.context["cause_type"] == "ZeroDivisionError"
    assert error.context["cause_message"] == "division by zero"
    assert error.guard == "is_paid" and error.state == "PENDING"
    assert error.trigger == "pay"


@pytest.mark.parametrize("error", _examples(), ids=lambda e: type(e).__name__)
def test_to_dict_round_trips_through_json(error: FSMError) -> None:
    data = error.to_dict()
    assert data["type"] == type(error).__name__
    assert data["message"] == error.message
    back = FSMError.from_dict(json.loads(json.dumps(data)))
    assert type(back) is type(error)
    assert back == error
    assert back.to_dict() == data
    assert hash(back) == hash(error)


@pytest.mark.parametrize("error", _examples(), ids=lambda e: type(e).__name__)
def test_pickle_round_trip(error: FSMError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and back == error


def test_from_dict_on_a_subclass_checks_the_type() -> None:
    data = GuardRejectedError("A", "t", "g").to_dict()
    assert isinstance(InvalidTransitionError.from_dict(data), GuardRejectedError)
    with pytest.raises(ValueError, match="not a GuardError"):
        GuardError.from_dict(data)


def test_unknown_error_type_keeps_its_name() -> None:
    data = {"type": "SomethingElse", "message": "m", "context": {"a": [1]}}
    error = FSMError.from_dict(data)
    assert type(error) is FSMError
    assert error.type_name == "SomethingElse"
    assert error.to_dict() == data
    assert repr(error) == "SomethingElse('m')"


def test_application_subclasses_are_found_by_name() -> None:
    class PaymentDeclinedError(FSMError):
        def __init__(self, order: str) -> None:
            super().__init__(f"payment for {order} declined", order=order)

    error = PaymentDeclinedError("o-1")
    back = FSMError.from_dict(error.to_dict())
    assert type(back) is PaymentDeclinedError and back == error


@pytest.mark.parametrize(
    "data",
    [
        "text",
        {"message": "m"},
        {"type": "FSMError"},
        {"type": "FSMError", "message": "m", "context": [1]},
    ],
)
def test_malformed_error_data_is_a_value_error(data: Any) -> None:
    with pytest.raises(ValueError):
        FSMError.from_dict(data)


def test_errors_compare_by_value_not_identity() -> None:
    assert InvalidTransitionError("A", "t") == InvalidTransitionError("A", "t")
    assert InvalidTransitionError("A", "t") != InvalidTransitionError("A", "u")
    assert InvalidTransitionError("A", "t") != ValueError("x")
    assert (
        len({InvalidTransitionError("A", "t"), InvalidTransitionError("A", "t")}) == 1
    )
