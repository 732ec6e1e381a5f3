"""The definition classes generated modules hand to the runtime."""

from __future__ import annotations

import pickle
from types import MappingProxyType

import pytest
from gubernator_runtime import (
    ErrorPolicy,
    MachineDefinition,
    StateInfo,
    StateTimeout,
    StateType,
    TransitionInfo,
)
from rt_order_machine import OrderManagement, State, Trigger


def test_state_type_values() -> None:
    assert [t.value for t in StateType] == ["initial", "stable", "terminal", "error"]
    assert StateType("terminal") is StateType.TERMINAL
    assert {"error": 1}[StateType.ERROR] == 1  # hashes and compares as its str


def test_state_timeout() -> None:
    timeout = StateTimeout(seconds=1.5, destination="DONE")
    assert timeout.seconds == 1.5 and timeout.destination == "DONE"
    assert timeout == StateTimeout(1.5, "DONE")
    assert hash(timeout) == hash(StateTimeout(1.5, "DONE"))
    for bad in (0, -2, True):
        with pytest.raises(ValueError):
            StateTimeout(bad, "DONE")


def test_state_info_defaults_and_normalisation() -> None:
    info = StateInfo("IDLE")
    assert info.type is StateType.STABLE
    assert info.description == "" and info.on_enter == info.on_exit == ()
    assert info.timeout is None and info.metadata == {}
    typed = StateInfo("BOOM", "error", "d", "alarm", ["a", "b"], None, {"k": [1]})
    assert typed.type is StateType.ERROR and typed.is_error
    assert typed.on_enter == ("alarm",)  # one name, not its letters
    assert typed.on_exit == ("a", "b")
    assert typed.metadata == {"k": [1]}
    assert isinstance(typed.metadata, MappingProxyType)
    assert StateInfo("A", StateType.INITIAL).is_initial
    assert StateInfo("A", StateType.TERMINAL).is_terminal
    assert not info.is_initial and not info.is_terminal and not info.is_error
    with pytest.raises(ValueError):
        StateInfo("A", "sleeping")


def test_state_info_is_an_immutable_value() -> None:
    info = StateInfo("A", metadata={"x": 1})
    assert info == StateInfo("A", metadata={"x": 1})
    assert info != StateInfo("A", metadata={"x": 2})
    assert hash(info) == hash(StateInfo("A", metadata={"x": 2}))
    with pytest.raises(AttributeError):
        info.name = "B"  # type: ignore[misc]
    assert repr(info).startswith("StateInfo(name='A', type=<StateType.STABLE")
    assert pickle.loads(pickle.dumps(info)) == info


def test_transition_info() -> None:
    info = TransitionInfo(3, "go", "A", "B", "ok", ("x", "y"), "Go", {"m": True})
    assert info.index == 3 and info.trigger == "go"
    assert info.sources == ("A",) and info.dest == "B"
    assert info.guards == ("ok",) and info.actions == ("x", "y")
    assert info.description == "Go" and info.metadata == {"m": True}
    assert info == TransitionInfo(
        3, "go", ["A"], "B", ["ok"], ["x", "y"], "Go", {"m": True}
    )
    assert TransitionInfo(0, "t", ("A", "B"), "C").guards == ()
    assert pickle.loads(pickle.dumps(info)) == info


def test_error_policy() -> None:
    assert ErrorPolicy() == ErrorPolicy(None, 0)
    policy = ErrorPolicy(default_fallback="FAILED", retry_attempts=2)
    assert policy.default_fallback == "FAILED" and policy.retry_attempts == 2
    for bad in (-1, True):
        with pytest.raises(ValueError):
            ErrorPolicy(retry_attempts=bad)


def test_machine_definition_fields() -> None:
    definition = OrderManagement.definition
    assert definition.name == "order_management"
    assert definition.version == "1.2.3"
    assert definition.strict_mode is True
    assert definition.description.startswith("Orders")
    assert definition.state_type is State and definition.trigger_type is Trigger
    assert definition.initial_state is State.PENDING
    assert len(definition.states) == 6 and len(definition.transitions) == 7
    assert definition.leaving[State.PAID] == (1, 2, 4, 6)
    assert definition.error_policy == ErrorPolicy(State.FAILED, 1)
    assert definition.spec_sha256 == "0" * 64
    assert definition.guard_names == ("is_paid", "is_express", "has_stock")
    assert definition.action_names == (
        "log_exit",
        "send_receipt",
        "notify",
        "refund",
        "alert",
        "ship_express",
        "ship_standard",
        "touch",
    )
    assert repr(definition) == (
        "MachineDefinition(name='order_management', version='1.2.3', "
        "states=6, transitions=7)"
    )
    assert definition == definition and hash(definition) == hash(definition)


def test_definition_defaults_and_leaving_is_read_only() -> None:
    definition = OrderManagement.definition
    rebuilt = MachineDefinition(
        definition.name,
        definition.version,
        definition.strict_mode,
        definition.description,
        State,
        Trigger,
        State.PENDING,
        definition.states,
        definition.transitions,
    )
    # Nothing is derived: without ``leaving`` no transition leaves anything.
    assert rebuilt.leaving == {}
    assert rebuilt.error_policy == ErrorPolicy()
    assert rebuilt.spec_sha256 == ""
    leaving = {"A": (0,)}
    given = MachineDefinition(
        "m", "1", True, "", State, Trigger, State.PENDING, (), (), leaving
    )
    leaving["A"] = (9,)
    assert given.leaving == {"A": (0,)}
    assert isinstance(given.leaving, MappingProxyType)
