"""TransitionResult: fields, properties, immutability and serialisation."""

from __future__ import annotations

import json
import pickle
from types import MappingProxyType
from typing import Any

import pytest
from gubernator_runtime import (
    GuardRejectedError,
    TerminalStateError,
    TransitionResult,
    UndefinedTriggerError,
    always_false,
    always_true,
    success,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from rt_order_machine import OrderManagement, State, Trigger


def sample(**overrides: Any) -> TransitionResult[str]:
    fields: dict[str, Any] = {
        "success": True,
        "source_state": "A",
        "target_state": "B",
        "trigger": "go",
        "actions_to_execute": ("t1", "t2"),
        "on_exit_actions": ("x1",),
        "on_enter_actions": ("e1",),
        "error": None,
        "metadata": {"transition_description": "Go"},
    }
    fields.update(overrides)
    return TransitionResult(**fields)


def test_fields_and_defaults() -> None:
    result: TransitionResult[str] = TransitionResult(True, "A", "B", "go")
    assert result.success and result.source_state == "A"
    assert result.target_state == "B" and result.trigger == "go"
    assert result.actions_to_execute == result.on_exit_actions == ()
    assert result.on_enter_actions == ()
    assert result.error is None
    assert result.metadata == {}


def test_lists_are_stored_as_tuples_and_metadata_is_read_only() -> None:
    metadata = {"k": 1}
    result = sample(actions_to_execute=["a"], metadata=metadata)
    assert result.actions_to_execute == ("a",)
    metadata["k"] = 2  # the caller's dict is copied
    assert result.metadata == {"k": 1}
    with pytest.raises(TypeError):
        result.metadata["k"] = 3  # type: ignore[index]


def test_result_is_frozen() -> None:
    result = sample()
    with pytest.raises(AttributeError):
        result.success = False  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.anything = 1  # type: ignore[attr-defined]


def test_all_actions_order_is_exit_transition_enter() -> None:
    assert sample().all_actions == ("x1", "t1", "t2", "e1")


@pytest.mark.parametrize(
    ("result", "changed", "self_transition"),
    [
        (sample(), True, False),
        (sample(target_state="A"), False, True),
        (sample(success=False, target_state=None), False, False),
        (sample(target_state="A", metadata={"no_op": True}), False, False),
    ],
)
def test_state_changed_and_is_self_transition(
    result: TransitionResult[str], changed: bool, self_transition: bool
) -> None:
    assert result.state_changed is changed
    assert result.is_self_transition is self_transition


def test_equality_hash_and_repr() -> None:
    assert sample() == sample()
    assert hash(sample()) == hash(sample())
    assert sample() != sample(trigger="other")
    assert sample() != sample(metadata={})
    assert sample() != "not a result"
    assert repr(sample()).startswith("TransitionResult(success=True, source_state='A'")
    # Errors compare by value, so equal failures are equal results.
    failure = sample(
        success=False, target_state=None, error=GuardRejectedError("A", "go", "g")
    )
    assert failure == sample(
        success=False, target_state=None, error=GuardRejectedError("A", "go", "g")
    )
    assert failure != sample(
        success=False, target_state=None, error=GuardRejectedError("A", "go", "h")
    )


def test_to_dict_is_json_ready_with_plain_strings() -> None:
    machine = OrderManagement(
        {
            "is_paid": always_true(),
            "is_express": always_true(),
            "has_stock": always_true(),
        }
    )
    data = machine.process(State.PENDING, Trigger.PAY).to_dict()
    assert data == {
        "success": True,
        "source_state": "PENDING",
        "target_state": "PAID",
        "trigger": "pay",
        "actions_to_execute": ["send_receipt"],
        "on_exit_actions": ["log_exit"],
        "on_enter_actions": ["send_receipt"],
        "error": None,
        "metadata": {"transition_description": "Pay"},
        "context_updates": {},
    }
    assert type(data["source_state"]) is str and type(data["trigger"]) is str
    assert json.loads(json.dumps(data)) == data


def _order_failures() -> list[TransitionResult[State]]:
    machine = OrderManagement(
        {
            "is_paid": always_false(),
            "is_express": always_true(),
            "has_stock": always_true(),
        }
    )
    return [
        machine.process("PENDING", "pay"),
        machine.process("DELIVERED", "pay"),
        machine.process("PENDING", "teleport"),
        machine.process("PENDING", "ship"),
        machine.process("PAID", "touch"),
        machine.process("PENDING", "cancel"),
    ]


@pytest.mark.parametrize("result", _order_failures())
def test_round_trip_through_json_with_state_type(
    result: TransitionResult[State],
) -> None:
    text = json.dumps(result.to_dict())
    back = TransitionResult.from_dict(json.loads(text), State)
    assert back == result
    assert back.to_dict() == result.to_dict()
    assert type(back.source_state) is State
    if result.error is not None:
        assert back.error is not None
        assert type(back.error) is type(result.error)
        assert back.error.message == result.error.message
        assert back.error.context == result.error.context


def test_round_trip_keeps_error_subclass_and_facts() -> None:
    result = _order_failures()[0]
    back = TransitionResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert isinstance(back.error, GuardRejectedError)
    assert back.error.guard == "is_paid"
    assert back.source_state == "PENDING" and type(back.source_state) is str
    terminal = TransitionResult.from_dict(_order_failures()[1].to_dict())
    assert isinstance(terminal.error, TerminalStateError)
    undefined = TransitionResult.from_dict(_order_failures()[2].to_dict())
    assert isinstance(undefined.error, UndefinedTriggerError)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "mapping"),
        ({}, "missing 'success'"),
        ({"success": "yes", "source_state": "A", "trigger": "t"}, "must be bool"),
        ({"success": True, "source_state": 1, "trigger": "t"}, "must be str"),
        (
            {
                "success": True,
                "source_state": "A",
                "trigger": "t",
                "actions_to_execute": "abc",
            },
            "list of action names",
        ),
        (
            {
                "success": True,
                "source_state": "A",
                "trigger": "t",
                "on_exit_actions": [1],
            },
            "only strings",
        ),
        (
            {"success": True, "source_state": "A", "trigger": "t", "metadata": [1]},
            "metadata",
        ),
        (
            {"success": True, "source_state": "A", "trigger": "t", "error": {"x": 1}},
            "type",
        ),
    ],
)
def test_malformed_data_is_a_value_error(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TransitionResult.from_dict(data)


def test_unknown_state_for_state_type_is_a_value_error() -> None:
    data = sample(source_state="NOPE").to_dict()
    with pytest.raises(ValueError, match="not a State"):
        TransitionResult.from_dict(data, State)


def test_pickle_round_trip() -> None:
    for result in _order_failures():
        assert pickle.loads(pickle.dumps(result)) == result


names = st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), max_size=4)
plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=10)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(
    success=st.booleans(),
    source=st.sampled_from(list(State)),
    target=st.none() | st.sampled_from(list(State)),
    trigger=st.text(min_size=1, max_size=10),
    transition_actions=names,
    exit_actions=names,
    enter_actions=names,
    metadata=st.dictionaries(st.text(max_size=8), plain_values, max_size=4),
    guard=st.none() | st.text(max_size=10),
)
def test_any_result_round_trips_through_json(
    success: bool,
    source: State,
    target: State | None,
    trigger: str,
    transition_actions: list[str],
    exit_actions: list[str],
    enter_actions: list[str],
    metadata: dict[str, Any],
    guard: str | None,
) -> None:
    error = None if guard is None else GuardRejectedError(source, trigger, guard)
    result = TransitionResult(
        success,
        source,
        target,
        trigger,
        transition_actions,
        exit_actions,
        enter_actions,
        error,
        metadata,
    )
    back = TransitionResult.from_dict(json.loads(json.dumps(result.to_dict())), State)
    assert back == result


def test_prebuilt_success_equals_the_constructed_result() -> None:
    metadata = MappingProxyType({"transition_description": "Go"})
    prebuilt = success("A", "B", "go", ("t1", "t2"), ("x1",), ("e1",), metadata)
    assert prebuilt == sample()
    assert prebuilt.metadata is metadata  # shared, not copied
    assert prebuilt.error is None and prebuilt.success
