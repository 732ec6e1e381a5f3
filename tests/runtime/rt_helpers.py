"""Helpers for the runtime tests: small machines built by hand.

The runtime derives nothing: a machine class needs a decision table. For
machines described in tests by their states and transitions,
:func:`flat_decisions` writes that table the way the generator's plan does
for flat machines (a deliberately plain, separate implementation), with one
generic decider that loops over the candidates instead of a decider per
shape.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Iterable
from typing import Any, cast

from gubernator_runtime import (
    EMPTY_CONTEXT,
    Decider,
    DecisionTable,
    ErrorPolicy,
    GuardCallable,
    Guarded,
    MachineBase,
    MachineDefinition,
    StateInfo,
    TransitionInfo,
    TransitionResult,
    guard_truth,
    success,
)


def str_enum(name: str, values: Iterable[str]) -> type[Any]:
    """A ``str`` enum whose members are named after their upper-cased values."""
    members = [(value.upper(), value) for value in values]
    return cast("type[Any]", enum.Enum(name, members, type=str))


def generic_decider(cell: Guarded, *guards: GuardCallable) -> Decider:
    """A decider for any shape: the candidates in a loop."""
    sizes = [len(names) for names, _ in cell.candidates]
    last_start = sum(sizes[:-1])

    def decide(context: object) -> TransitionResult[Any]:
        ctx = EMPTY_CONTEXT if context is None else context
        start = 0
        refused_at = 0
        for size, result in zip(sizes, cell.results, strict=True):
            for step in range(start, start + size):
                try:
                    passed = guard_truth(guards[step](ctx))
                except Exception as exc:
                    raise cell.guard_error(step, exc) from exc
                if not passed:
                    refused_at = step
                    break
            else:
                return result
            start += size
        return cell.refusals[refused_at - last_start]

    return decide


def flat_decisions(
    state_type: type[Any],
    trigger_type: type[Any],
    states: list[StateInfo],
    transitions: list[TransitionInfo],
) -> tuple[DecisionTable, dict[Any, tuple[int, ...]]]:
    """The decision table of a flat machine and the transitions leaving each state."""
    info = {s.name: s for s in states}
    rows: dict[str, dict[str, list[tuple[tuple[str, ...], TransitionResult[Any]]]]]
    rows = {s.name: {} for s in states}
    leaving: dict[Any, list[int]] = {}
    for t in transitions:
        for source in t.sources:
            if info[source].is_terminal:
                continue
            leaving.setdefault(state_type(source), []).append(t.index)
            found = rows[source].setdefault(t.trigger, [])
            if found and not found[-1][0]:
                continue
            result = success(
                state_type(source),
                state_type(t.dest),
                trigger_type(t.trigger),
                t.actions,
                info[source].on_exit,
                info[t.dest].on_enter,
                types.MappingProxyType({"transition_description": t.description}),
            )
            found.append((t.guards, result))
    table: dict[str, dict[str, Any]] = {}
    for state, cells in rows.items():
        table[state] = {
            trigger: (
                Guarded(generic_decider, tuple(found)) if found[0][0] else found[0][1]
            )
            for trigger, found in cells.items()
        }
    return table, {state: tuple(indices) for state, indices in leaving.items()}


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
    the enums are derived from them and the decision table is written by
    :func:`flat_decisions`.
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
    decisions, leaving = flat_decisions(
        state_type, trigger_type, state_list, transition_list
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
        leaving=leaving,
        error_policy=error_policy,
    )
    namespace = {"__slots__": (), "definition": definition, "decisions": decisions}
    return type("HandMachine", (MachineBase,), namespace)
