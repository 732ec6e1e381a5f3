"""Application-style code that ``mypy --strict`` must accept (never run).

test_runtime_typing.py type-checks this file together with
rt_order_machine.py: the public API must be usable from typed applications
without casts or ignores.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from gubernator_runtime import (
    ActionExecutor,
    Event,
    ExecutionResult,
    Guard,
    TimeoutInfo,
    TransitionResult,
    all_of,
    always_true,
    audit_entry,
    equals,
    greater_than,
    negate,
    result_from_json,
    to_json,
)
from rt_order_machine import Context, OrderManagement, State, Trigger


class MyGuards:
    """Guards as an object: a factory as attribute, methods as bodies."""

    is_paid = equals("paid", True)

    def is_express(self, ctx: Context) -> bool:
        return ctx.get("express", False)

    def has_stock(self, ctx: Context) -> bool:
        return greater_than("amount", 0)(ctx)


class MyActions:
    """Actions, one of them asynchronous."""

    def log_exit(self, ctx: Context) -> object:
        return None

    def send_receipt(self, ctx: Context) -> object:
        return "sent"

    def notify(self, ctx: Context) -> object:
        return None

    async def ship_express(self, ctx: Context) -> object:
        return None

    def ship_standard(self, ctx: Context) -> object:
        return None

    def refund(self, ctx: Context) -> object:
        return None

    def alert(self, ctx: Context) -> object:
        return None

    def touch(self, ctx: Context) -> object:
        return None


def express(ctx: Context) -> bool:
    return ctx.get("express", False)


def use_machine() -> None:
    machine = OrderManagement(guards=MyGuards())
    mapped = OrderManagement(
        guards={
            "is_paid": equals("paid", True),
            "is_express": all_of(express, negate(equals("paid", False))),
            "has_stock": always_true(),
        }
    )
    context: Context = {"amount": 10.0, "paid": True}
    result: TransitionResult[State] = machine.process(
        State.PENDING, Trigger.PAY, context
    )
    target: State | None = result.target_state
    source: State = result.source_state
    from_string = mapped.process("PENDING", "pay", context)
    from_event = machine.process("PENDING", Event("pay", {"paid": True}), context)
    ok: bool = machine.can_transition(State.PAID, "ship", context)
    triggers: tuple[Trigger, ...] = machine.available_triggers(State.PAID)
    state: State = machine.validate_state("PAID")
    names: tuple[State, ...] = machine.state_names + machine.terminal_states
    expired = machine.check_timeout(
        "PENDING", datetime(2024, 1, 1), now=datetime.now(timezone.utc)
    )
    info: TimeoutInfo[State] = machine.timeout_info(State.PENDING, datetime(2024, 1, 1))
    destination: State | None = info.destination
    executor: ActionExecutor[State] = machine.executor(MyActions())
    run: ExecutionResult[State] = asyncio.run(executor.aexecute(result, context))
    fallback: TransitionResult[State] | None = run.fallback
    entry: dict[str, Any] = audit_entry(result, "order-1", execution=run)
    back: TransitionResult[State] = result_from_json(to_json(result), State)
    guard: Guard[Mapping[str, Any]] = equals("paid", True)
    standalone = ActionExecutor[State]({"send_receipt": print})
    plain_run: ExecutionResult[State] = standalone.execute(result)
    print(plain_run.all_succeeded, plain_run.failed_actions)
    print(target, source, from_string, from_event, ok, triggers, state, names)
    print(expired, destination, fallback, entry, back, guard(context))
