"""The action executor (docs/runtime.md#action-executor): order, retries, failures,
fallback, async."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from gubernator_runtime import (
    FALLBACK_TRIGGER,
    ActionExecutor,
    ActionNotFoundError,
    ActionResult,
    ConfigurationError,
    ErrorPolicy,
    ExecutionResult,
    StateInfo,
    StateType,
    TransitionInfo,
    TransitionResult,
    always_true,
)
from rt_helpers import build_machine
from rt_order_machine import OrderManagement, State, Trigger

ORDER_ACTIONS = (
    "log_exit",
    "send_receipt",
    "notify",
    "ship_express",
    "ship_standard",
    "refund",
    "alert",
    "touch",
)


class Recorder:
    """Action implementations that record their calls; some fail on demand."""

    def __init__(self, failures: dict[str, int] | None = None) -> None:
        self.calls: list[str] = []
        # name -> how many calls fail before one succeeds (-1: always fails)
        self.failures = dict(failures or {})

    def action(self, name: str) -> Callable[[Any], object]:
        def run(ctx: Any) -> object:
            self.calls.append(name)
            remaining = self.failures.get(name, 0)
            if remaining:
                self.failures[name] = remaining - 1 if remaining > 0 else -1
                raise RuntimeError(f"{name} failed")
            return f"{name} done"

        return run

    def mapping(self, names: tuple[str, ...] = ORDER_ACTIONS) -> dict[str, Any]:
        return {name: self.action(name) for name in names}


@pytest.fixture
def machine() -> OrderManagement:
    return OrderManagement(
        {
            "is_paid": always_true(),
            "is_express": always_true(),
            "has_stock": always_true(),
        }
    )


def pay_result(machine: OrderManagement) -> TransitionResult[State]:
    return machine.process(State.PENDING, Trigger.PAY)


def test_actions_run_exit_then_transition_then_enter(machine: OrderManagement) -> None:
    recorder = Recorder()
    run = machine.executor(recorder.mapping()).execute(pay_result(machine), {"a": 1})
    assert recorder.calls == ["log_exit", "send_receipt", "send_receipt"]
    assert run.all_succeeded
    assert run.failed_actions == ()
    assert [r.name for r in run.action_results] == recorder.calls
    assert all(r.success and r.exception is None for r in run.action_results)
    assert run.action_results[0].value == "log_exit done"
    assert run.fallback is None
    assert run.transition == pay_result(machine)
    assert run.duration_ms >= 0.0


def test_actions_receive_the_context(machine: OrderManagement) -> None:
    seen: list[Any] = []
    actions = {name: seen.append for name in ORDER_ACTIONS}
    context = {"order": 7}
    machine.executor(actions).execute(pay_result(machine), context)
    assert seen == [context] * 3
    seen.clear()
    machine.executor(actions).execute(pay_result(machine))
    assert seen == [{}] * 3


def test_failed_action_is_retried_and_can_recover() -> None:
    recorder = Recorder({"b": 2})
    executor: ActionExecutor[str] = ActionExecutor(
        recorder.mapping(("a", "b", "c")), retry_attempts=2
    )
    result = TransitionResult(True, "X", "Y", "go", ("b",), ("a",), ("c",))
    run = executor.execute(result)
    assert recorder.calls == ["a", "b", "b", "b", "c"]
    assert run.all_succeeded
    assert [r.attempts for r in run.action_results] == [1, 3, 1]


def test_action_still_failing_is_recorded_and_the_rest_still_run() -> None:
    recorder = Recorder({"b": -1})
    executor: ActionExecutor[str] = ActionExecutor(
        recorder.mapping(("a", "b", "c")), retry_attempts=1
    )
    result = TransitionResult(True, "X", "Y", "go", ("b",), ("a",), ("c",))
    run = executor.execute(result)
    assert recorder.calls == ["a", "b", "b", "c"]
    assert not run.all_succeeded
    assert run.failed_actions == ("b",)
    failed = run.action_results[1]
    assert not failed.success
    assert failed.attempts == 2
    assert isinstance(failed.exception, RuntimeError)
    assert str(failed.exception) == "b failed"
    assert run.skipped_actions == ()


def test_stop_on_error_skips_the_remaining_actions() -> None:
    recorder = Recorder({"a": -1})
    executor: ActionExecutor[str] = ActionExecutor(
        recorder.mapping(("a", "b", "c")), stop_on_error=True
    )
    run = executor.execute(
        TransitionResult(True, "X", "Y", "go", ("b",), ("a",), ("c",))
    )
    assert recorder.calls == ["a"]
    assert run.failed_actions == ("a",)
    assert run.skipped_actions == ("b", "c")
    assert not run.all_succeeded
    assert executor.stop_on_error


def test_machine_executor_uses_the_spec_retry_policy(machine: OrderManagement) -> None:
    # rt_order_machine's error_policy has retry_attempts=1.
    recorder = Recorder({"log_exit": 1})
    executor = machine.executor(recorder.mapping())
    assert executor.retry_attempts == 1
    run = executor.execute(pay_result(machine))
    assert run.all_succeeded
    assert run.action_results[0].attempts == 2
    assert machine.executor(recorder.mapping(), retry_attempts=0).retry_attempts == 0


def test_fallback_proposes_the_default_fallback_state(machine: OrderManagement) -> None:
    recorder = Recorder({"send_receipt": -1})
    run = machine.executor(recorder.mapping()).execute(pay_result(machine))
    assert run.failed_actions == ("send_receipt", "send_receipt")
    fallback = run.fallback
    assert fallback is not None
    assert fallback.success
    assert fallback.source_state is State.PAID  # the state just entered
    assert fallback.target_state is State.FAILED
    assert fallback.trigger == FALLBACK_TRIGGER
    assert fallback.on_exit_actions == ("log_exit",)  # PAID's exit actions
    assert fallback.actions_to_execute == ()
    assert fallback.on_enter_actions == ("alert",)  # FAILED's enter actions
    assert fallback.metadata["reason"] == "action_failed"
    assert fallback.metadata["failed_actions"] == ["send_receipt", "send_receipt"]


def test_no_fallback_when_everything_succeeded_or_no_policy(
    machine: OrderManagement,
) -> None:
    assert (
        machine.executor(Recorder().mapping()).execute(pay_result(machine)).fallback
        is None
    )
    cls = build_machine(
        [StateInfo("A", StateType.INITIAL), StateInfo("B", on_enter="boom")],
        [TransitionInfo(0, "go", "A", "B")],
    )
    run = (
        cls()
        .executor({"boom": Recorder({"boom": -1}).action("boom")})
        .execute(cls().process("A", "go"))
    )
    assert run.failed_actions == ("boom",)
    assert run.fallback is None


def test_no_fallback_loop_when_the_fallback_state_itself_fails(
    machine: OrderManagement,
) -> None:
    recorder = Recorder({"alert": -1})
    into_failed = TransitionResult(
        True, State.PAID, State.FAILED, "x", (), (), ("alert",)
    )
    run = machine.executor(recorder.mapping()).execute(into_failed)
    assert run.failed_actions == ("alert",)
    assert run.fallback is None


def test_no_fallback_for_failure_results(machine: OrderManagement) -> None:
    refused = machine.process("DELIVERED", "pay")
    run = machine.executor(Recorder().mapping()).execute(refused)
    assert run.action_results == ()
    assert run.all_succeeded and run.fallback is None


def test_machine_executor_names_every_missing_action_at_construction(
    machine: OrderManagement,
) -> None:
    recorder = Recorder()
    partial = recorder.mapping(("log_exit", "notify", "alert"))
    with pytest.raises(ActionNotFoundError) as caught:
        machine.executor(partial)
    assert caught.value.actions == (
        "send_receipt",
        "refund",
        "ship_express",
        "ship_standard",
        "touch",
    )
    assert isinstance(caught.value, ConfigurationError)


def test_standalone_executor_checks_before_running_anything() -> None:
    recorder = Recorder()
    executor: ActionExecutor[str] = ActionExecutor(recorder.mapping(("a", "c")))
    result = TransitionResult(True, "X", "Y", "go", ("b", "d"), ("a",), ("c",))
    with pytest.raises(ActionNotFoundError) as caught:
        executor.execute(result)
    assert caught.value.actions == ("b", "d")
    assert recorder.calls == []
    with pytest.raises(ActionNotFoundError):
        asyncio.run(executor.aexecute(result))
    assert recorder.calls == []


def test_actions_from_an_object_with_methods() -> None:
    class Actions:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def a(self, ctx: Any) -> object:
            self.calls.append("a")
            return 1

        b = "not callable"

    actions = Actions()
    executor: ActionExecutor[str] = ActionExecutor(actions)
    run = executor.execute(TransitionResult(True, "X", "Y", "go", ("a",)))
    assert actions.calls == ["a"] and run.all_succeeded
    with pytest.raises(ActionNotFoundError) as caught:
        executor.execute(TransitionResult(True, "X", "Y", "go", ("b", "zz")))
    assert caught.value.actions == ("b", "zz")


def test_executor_arguments_are_validated() -> None:
    with pytest.raises(TypeError):
        ActionExecutor(None)
    with pytest.raises(ValueError):
        ActionExecutor({}, retry_attempts=-1)
    with pytest.raises(TypeError):
        ActionExecutor({}, retry_attempts=True)


# -- async ---------------------------------------------------------------------


def test_aexecute_mixes_sync_and_async_actions_in_order() -> None:
    calls: list[str] = []

    def sync_action(ctx: Any) -> str:
        calls.append("sync")
        return "s"

    async def async_action(ctx: Any) -> str:
        await asyncio.sleep(0)
        calls.append("async")
        return "a"

    executor: ActionExecutor[str] = ActionExecutor(
        {"s": sync_action, "a": async_action}
    )
    result = TransitionResult(True, "X", "Y", "go", ("a",), ("s",), ("s", "a"))
    run = asyncio.run(executor.aexecute(result))
    assert calls == ["sync", "async", "sync", "async"]
    assert [r.value for r in run.action_results] == ["s", "a", "s", "a"]
    assert run.all_succeeded


def test_aexecute_retries_and_falls_back(machine: OrderManagement) -> None:
    attempts: list[int] = []

    async def flaky(ctx: Any) -> None:
        attempts.append(1)
        raise ConnectionError("try again")

    actions = Recorder().mapping()
    actions["send_receipt"] = flaky
    run = asyncio.run(machine.executor(actions).aexecute(pay_result(machine)))
    # Two occurrences of send_receipt, each tried twice (retry_attempts=1).
    assert len(attempts) == 4
    assert run.failed_actions == ("send_receipt", "send_receipt")
    assert isinstance(run.action_results[1].exception, ConnectionError)
    assert run.fallback is not None and run.fallback.target_state is State.FAILED


def test_aexecute_stop_on_error() -> None:
    async def boom(ctx: Any) -> None:
        raise ValueError("no")

    executor: ActionExecutor[str] = ActionExecutor(
        {"boom": boom, "ok": lambda ctx: None}, stop_on_error=True
    )
    run = asyncio.run(
        executor.aexecute(TransitionResult(True, "X", "Y", "go", ("boom", "ok")))
    )
    assert run.failed_actions == ("boom",)
    assert run.skipped_actions == ("ok",)


def test_execute_refuses_async_actions_before_running_anything() -> None:
    calls: list[str] = []

    async def later(ctx: Any) -> None:
        calls.append("later")

    class Actions:
        async def method(self, ctx: Any) -> None:
            calls.append("method")

    executor: ActionExecutor[str] = ActionExecutor(
        {"first": calls.append, "later": later}
    )
    with pytest.raises(ConfigurationError, match="aexecute"):
        executor.execute(TransitionResult(True, "X", "Y", "go", ("first", "later")))
    assert calls == []
    with pytest.raises(ConfigurationError):
        ActionExecutor(Actions()).execute(
            TransitionResult(True, "X", "Y", "go", ("method",))
        )


def test_execute_records_a_callable_that_returns_a_coroutine() -> None:
    async def body() -> None:
        raise AssertionError("never awaited, never run")

    # A lambda is not "async def", so only its return value gives it away.
    executor: ActionExecutor[str] = ActionExecutor(
        {"sneaky": lambda ctx: body(), "next": lambda ctx: "ran"}, retry_attempts=3
    )
    run = executor.execute(TransitionResult(True, "X", "Y", "go", ("sneaky", "next")))
    sneaky = run.action_results[0]
    assert not sneaky.success
    assert isinstance(sneaky.exception, TypeError)
    assert sneaky.attempts == 1  # retrying cannot help
    assert run.action_results[1].value == "ran"


def test_base_exceptions_are_not_swallowed() -> None:
    def interrupt(ctx: Any) -> None:
        raise KeyboardInterrupt

    executor: ActionExecutor[str] = ActionExecutor({"i": interrupt}, retry_attempts=2)
    with pytest.raises(KeyboardInterrupt):
        executor.execute(TransitionResult(True, "X", "Y", "go", ("i",)))


# -- logging and serialisation ---------------------------------------------------


def test_failures_are_logged_on_the_runtime_logger(
    machine: OrderManagement, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder({"send_receipt": -1})
    with caplog.at_level(logging.DEBUG, logger="gubernator_runtime"):
        machine.executor(recorder.mapping()).execute(pay_result(machine))
    records = [r for r in caplog.records if r.name == "gubernator_runtime"]
    levels = [r.levelname for r in records]
    assert "WARNING" in levels  # the final failures
    assert "DEBUG" in levels  # the retries
    assert "INFO" in levels  # the fallback proposal
    warning = next(r for r in records if r.levelname == "WARNING")
    assert "send_receipt" in warning.getMessage()
    assert warning.exc_info is not None


def test_execution_result_to_dict_is_json_ready(machine: OrderManagement) -> None:
    recorder = Recorder({"send_receipt": -1})
    run = machine.executor(recorder.mapping()).execute(pay_result(machine))
    data = json.loads(json.dumps(run.to_dict()))
    assert data["failed_actions"] == ["send_receipt", "send_receipt"]
    assert data["all_succeeded"] is False
    assert data["action_results"][1]["error"] == {
        "type": "RuntimeError",
        "message": "send_receipt failed",
    }
    assert data["action_results"][0]["error"] is None
    assert data["fallback"]["target_state"] == "FAILED"
    assert data["transition"]["target_state"] == "PAID"


def test_action_and_execution_results_are_values() -> None:
    first = ActionResult("a", True, None, 1, 0.5, "v")
    assert first == ActionResult("a", True, None, 1, 0.5, "v")
    assert hash(first) == hash(ActionResult("a", True, None, 1, 0.5, "v"))
    assert first != ActionResult("a", False, None, 1, 0.5, "v")
    assert "ActionResult(name='a'" in repr(first)
    result: TransitionResult[str] = TransitionResult(True, "X", "Y", "go")
    run = ExecutionResult(result, [first])
    assert run == ExecutionResult(result, (first,))
    assert run.action_results == (first,)
    with pytest.raises(AttributeError):
        run.fallback = None  # type: ignore[misc]


def test_machine_executor_without_fallback_policy_keeps_retry_default() -> None:
    cls = build_machine(
        [StateInfo("A", StateType.INITIAL), StateInfo("B")],
        [TransitionInfo(0, "go", "A", "B", actions="x")],
        error_policy=ErrorPolicy(retry_attempts=3),
    )
    executor = cls().executor({"x": lambda ctx: None})
    assert executor.retry_attempts == 3


def test_actions_are_timed_one_by_one_only_when_asked() -> None:
    result: TransitionResult[str] = TransitionResult(True, "X", "Y", "go", ("a", "b"))
    actions = {"a": lambda ctx: 1, "b": lambda ctx: 2}
    plain: ActionExecutor[str] = ActionExecutor(actions)
    run = plain.execute(result)
    assert [r.duration_ms for r in run.action_results] == [0.0, 0.0]
    assert [r.value for r in run.action_results] == [1, 2]
    assert run.duration_ms >= 0.0 and run.all_succeeded
    timed: ActionExecutor[str] = ActionExecutor(actions, time_actions=True)
    timed_run = timed.execute(result)
    assert all(r.duration_ms > 0.0 for r in timed_run.action_results)
    assert [r.attempts for r in timed_run.action_results] == [1, 1]
