"""``machine.start()``: the decided result of creating an entity
(docs/language.md#creating-an-entity-start)."""

from __future__ import annotations

import json

import gubernator_runtime
import pytest
from backend_factory import S, T, machine
from backend_support import generate, load_module
from gubernator_runtime import START_TRIGGER, TransitionResult


def _module(initial_enter: tuple[str, ...] = ("welcome", "audit")) -> object:
    spec = machine(
        [
            S("NEW", "initial", on_enter=initial_enter, on_exit=("leave_new",)),
            S("DONE", "terminal", on_enter=("finish",)),
        ],
        [T("close", "NEW", "DONE")],
    )
    return load_module(generate(spec))


def test_start_enters_the_initial_state_with_its_entry_actions() -> None:
    module = _module()
    result = module.Machine().start()  # type: ignore[attr-defined]
    assert result.success and result.error is None
    assert result.source_state is None
    assert result.target_state is module.State.NEW  # type: ignore[attr-defined]
    assert result.trigger == START_TRIGGER == "_start"
    assert result.on_enter_actions == ("welcome", "audit")
    assert result.on_exit_actions == () and result.actions_to_execute == ()
    assert result.all_actions == ("welcome", "audit")
    assert result.metadata == {"reason": "start"}
    assert result.state_changed and not result.is_self_transition
    # Decided once: the same object every time, whatever the context.
    assert module.Machine().start({"x": 1}) is result  # type: ignore[attr-defined]


def test_a_start_result_round_trips_through_json() -> None:
    module = _module(initial_enter=())
    result = module.Machine().start()  # type: ignore[attr-defined]
    data = json.loads(json.dumps(result.to_dict()))
    assert data["source_state"] is None and data["target_state"] == "NEW"
    back = TransitionResult.from_dict(data, module.State)  # type: ignore[attr-defined]
    assert back == result
    assert back.source_state is None


def test_the_executor_runs_the_start_actions_in_order() -> None:
    module = _module()
    ran: list[str] = []
    actions = {
        name: (lambda ctx, name=name: ran.append(name))
        for name in ("welcome", "audit", "leave_new", "finish")
    }
    machine_ = module.Machine()  # type: ignore[attr-defined]
    run = machine_.executor(actions).execute(machine_.start(), {})
    assert run.all_succeeded and ran == ["welcome", "audit"]


def test_a_class_without_a_decided_start_asks_to_be_regenerated() -> None:
    module = _module()
    base = module.Machine  # type: ignore[attr-defined]

    class Older(gubernator_runtime.MachineBase):  # type: ignore[type-arg]
        definition = base.definition
        decisions = base.decisions

    with pytest.raises(TypeError, match="regenerate"):
        Older().start()


def test_start_is_in_the_runtime_api_the_module_requires() -> None:
    source = generate(machine([S("A", "initial")]))
    assert "_runtime.API_VERSION < (2, 1)" in source
    assert gubernator_runtime.API_VERSION >= (2, 1)
