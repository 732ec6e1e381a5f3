"""Helpers for the runtime tests: small machines built by hand."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, cast

from gubernator_runtime import (
    ErrorPolicy,
    MachineBase,
    MachineDefinition,
    StateInfo,
    TransitionInfo,
)


def str_enum(name: str, values: Iterable[str]) -> type[Any]:
    """A ``str`` enum whose members are named after their upper-cased values."""
    members = [(value.upper(), value) for value in values]
    return cast("type[Any]", enum.Enum(name, members, type=str))


def build_machine(
    states: Iterable[StateInfo],
    transitions: Iterable[TransitionInfo],
    *,
    strict: bool = True,
    initial: str | None = None,
    error_policy: ErrorPolicy | None = None,
    name: str = "test_machine",
) -> type[MachineBase[Any, Any, Any]]:
    """A ``MachineBase`` subclass over real ``str`` enums.

    States and transitions may name states and triggers with plain strings;
    the enums are derived from them and the dispatch from the transitions.
    """
    state_list = list(states)
    transition_list = list(transitions)
    state_type = str_enum("State", [s.name for s in state_list])
    trigger_type = str_enum(
        "Trigger", dict.fromkeys(t.trigger for t in transition_list)
    )
    initial_name = initial
    if initial_name is None:
        initial_name = next(
            (s.name for s in state_list if s.is_initial), state_list[0].name
        )
    definition: MachineDefinition[Any, Any] = MachineDefinition(
        name=name,
        version="0.1.0",
        strict_mode=strict,
        description="built by hand",
        state_type=state_type,
        trigger_type=trigger_type,
        initial_state=state_type(initial_name),
        states=state_list,
        transitions=transition_list,
        error_policy=error_policy,
    )
    namespace = {"__slots__": (), "definition": definition}
    return type("HandMachine", (MachineBase,), namespace)
