"""A machine of README.md#performance's size (1,000 states, 5,000 transitions) works.

Correctness only; how fast it imports and processes is measured by the
benchmarks, never here.
"""

from __future__ import annotations

import random
from typing import Any

from gubernator_runtime import (
    GuardRejectedError,
    InvalidTransitionError,
    MachineBase,
    MachineDefinition,
    StateInfo,
    StateTimeout,
    StateType,
    TransitionInfo,
)
from rt_helpers import flat_decisions, str_enum

STATES = 1000
TRANSITIONS = 5000


Expected = dict[tuple[str, str], int]


def _big_machine() -> tuple[type[MachineBase[Any, Any, Any]], Expected]:
    rng = random.Random(20240501)
    names = [f"S{i}" for i in range(STATES)]
    triggers = [f"t{i}" for i in range(150)]
    State = str_enum("State", names)
    Trigger = str_enum("Trigger", triggers)
    states = [
        StateInfo(
            State(name),
            (
                StateType.INITIAL
                if i == 0
                else (StateType.TERMINAL if i == STATES - 1 else StateType.STABLE)
            ),
            on_enter=(f"enter_{i % 7}",),
            on_exit=(f"exit_{i % 5}",),
            timeout=StateTimeout(60, State(names[-1])) if i % 10 == 5 else None,
        )
        for i, name in enumerate(names)
    ]
    expected: Expected = {}
    transitions: list[TransitionInfo] = []
    while len(transitions) < TRANSITIONS:
        source = names[rng.randrange(STATES - 1)]
        trigger = rng.choice(triggers)
        if (source, trigger) in expected:
            continue
        index = len(transitions)
        expected[(source, trigger)] = index
        transitions.append(
            TransitionInfo(
                index,
                Trigger(trigger),
                (State(source),),
                State(names[rng.randrange(STATES)]),
                guards=("even",) if index % 3 == 0 else (),
                actions=(f"act_{index % 11}",),
                description=f"transition {index}",
            )
        )
    decisions, leaving = flat_decisions(State, Trigger, states, transitions)
    definition: MachineDefinition[Any, Any] = MachineDefinition(
        "big",
        "1.0.0",
        True,
        "",
        State,
        Trigger,
        State("S0"),
        states,
        transitions,
        leaving,
    )
    namespace = {"__slots__": (), "definition": definition, "decisions": decisions}
    cls = type("Big", (MachineBase,), namespace)
    return cls, expected


def test_every_transition_of_a_large_machine_is_dispatched_correctly() -> None:
    cls, expected = _big_machine()
    machine = cls({"even": lambda ctx: ctx.get("n", 0) % 2 == 0})
    transitions = machine.transitions
    assert len(machine.state_names) == STATES and len(transitions) == TRANSITIONS
    for (source, trigger), index in expected.items():
        transition = transitions[index]
        result = machine.process(source, trigger, {"n": 2})
        assert result.success
        assert result.target_state == transition.dest
        assert result.actions_to_execute == transition.actions
        assert result.on_exit_actions == machine.get_state(source).on_exit
        assert result.on_enter_actions == machine.get_state(transition.dest).on_enter
        assert result.metadata["transition_description"] == f"transition {index}"
        refused = machine.process(source, trigger, {"n": 1})
        if transition.guards:
            assert isinstance(refused.error, GuardRejectedError)
        else:
            assert refused is result


def test_large_machine_refuses_unknown_pairs_and_knows_its_timeouts() -> None:
    cls, expected = _big_machine()
    machine = cls({"even": lambda ctx: True})
    missing = next(
        (f"S{s}", f"t{t}")
        for s in range(STATES - 1)
        for t in range(150)
        if (f"S{s}", f"t{t}") not in expected
    )
    assert isinstance(machine.process(*missing).error, InvalidTransitionError)
    assert machine.timeout_info("S15").seconds == 60
    assert not machine.timeout_info("S16").has_timeout
