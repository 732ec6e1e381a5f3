"""A hand-written stand-in for a generated module
(docs/runtime.md#the-generated-module), used by the tests.

It follows the shape the generator emits (see
docs/architecture.md#the-runtime-contract): enums, a ``TypedDict`` context,
``Guards``/``Actions`` protocols, one ``MachineDefinition`` literal, decider
factories for its guarded cells, the decision table and a thin
``MachineBase`` subclass that only narrows parameter types.
``mypy --strict`` checks it (test_runtime_typing.py), which proves that
generated modules of this shape type-check against the runtime.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping
from typing import Protocol, TypedDict

from gubernator_runtime import (
    API_VERSION,
    EMPTY_CONTEXT,
    ActionExecutor,
    Decider,
    DecisionTable,
    ErrorPolicy,
    GuardCallable,
    Guarded,
    MachineBase,
    MachineDefinition,
    StateInfo,
    StateTimeout,
    StateType,
    TransitionInfo,
    TransitionResult,
    guard_truth,
    success,
)

if API_VERSION[0] != 2 or API_VERSION < (2, 0):
    raise ImportError("rt_order_machine needs gubernator-runtime API 2.x, x >= 0")


class State(str, enum.Enum):
    """States of the order machine."""

    PENDING = "PENDING"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"


class Trigger(str, enum.Enum):
    """Triggers of the order machine."""

    PAY = "pay"
    SHIP = "ship"
    DELIVER = "deliver"
    CANCEL = "cancel"
    RETRY = "retry"
    TOUCH = "touch"


class Context(TypedDict, total=False):
    """The order's context."""

    amount: float
    paid: bool
    express: bool
    stock: bool
    note: str


class Guards(Protocol):
    """Guard implementations."""

    def is_paid(self, ctx: Context) -> bool: ...
    def is_express(self, ctx: Context) -> bool: ...
    def has_stock(self, ctx: Context) -> bool: ...


class Actions(Protocol):
    """Action implementations."""

    def log_exit(self, ctx: Context) -> object: ...
    def send_receipt(self, ctx: Context) -> object: ...
    def notify(self, ctx: Context) -> object: ...
    def ship_express(self, ctx: Context) -> object: ...
    def ship_standard(self, ctx: Context) -> object: ...
    def refund(self, ctx: Context) -> object: ...
    def alert(self, ctx: Context) -> object: ...
    def touch(self, ctx: Context) -> object: ...


MACHINE_NAME = "order_management"
_DEFINITION: MachineDefinition[State, Trigger] = MachineDefinition(
    name=MACHINE_NAME,
    version="1.2.3",
    strict_mode=True,
    description="Orders from payment to delivery.",
    state_type=State,
    trigger_type=Trigger,
    initial_state=State.PENDING,
    states=(
        StateInfo(
            name=State.PENDING,
            type=StateType.INITIAL,
            description="Waiting for payment",
            on_enter=(),
            on_exit=("log_exit",),
            timeout=StateTimeout(seconds=3600, destination=State.CANCELLED),
            metadata={"sla": "1h"},
        ),
        StateInfo(
            name=State.PAID,
            type=StateType.STABLE,
            description="",
            on_enter=("send_receipt",),
            on_exit=("log_exit",),
            timeout=None,
            metadata=types.MappingProxyType({}),
        ),
        StateInfo(
            name=State.SHIPPED,
            type=StateType.STABLE,
            description="",
            on_enter=("notify",),
            on_exit=(),
            timeout=StateTimeout(seconds=0.5, destination=State.DELIVERED),
            metadata={},
        ),
        StateInfo(
            name=State.DELIVERED,
            type=StateType.TERMINAL,
            description="",
            on_enter=("notify",),
            on_exit=(),
            timeout=None,
            metadata={},
        ),
        StateInfo(
            name=State.CANCELLED,
            type=StateType.TERMINAL,
            description="",
            on_enter=("refund",),
            on_exit=(),
            timeout=None,
            metadata={},
        ),
        StateInfo(
            name=State.FAILED,
            type=StateType.ERROR,
            description="Something went wrong",
            on_enter=("alert",),
            on_exit=(),
            timeout=None,
            metadata={},
        ),
    ),
    transitions=(
        TransitionInfo(
            index=0,
            trigger=Trigger.PAY,
            sources=(State.PENDING,),
            dest=State.PAID,
            guards=("is_paid",),
            actions=("send_receipt",),
            description="Pay",
            metadata={"kind": "payment"},
        ),
        TransitionInfo(
            index=1,
            trigger=Trigger.SHIP,
            sources=(State.PAID,),
            dest=State.SHIPPED,
            guards=("is_express", "has_stock"),
            actions=("ship_express",),
            description="Ship express",
            metadata={},
        ),
        TransitionInfo(
            index=2,
            trigger=Trigger.SHIP,
            sources=(State.PAID,),
            dest=State.SHIPPED,
            guards=("has_stock",),
            actions=("ship_standard",),
            description="Ship standard",
            metadata={},
        ),
        TransitionInfo(
            index=3,
            trigger=Trigger.DELIVER,
            sources=(State.SHIPPED,),
            dest=State.DELIVERED,
            guards=(),
            actions=(),
            description="Deliver",
            metadata={},
        ),
        TransitionInfo(
            index=4,
            trigger=Trigger.CANCEL,
            sources=(State.PENDING, State.PAID, State.FAILED),
            dest=State.CANCELLED,
            guards=(),
            actions=(),
            description="Cancel",
            metadata={},
        ),
        TransitionInfo(
            index=5,
            trigger=Trigger.RETRY,
            sources=(State.FAILED,),
            dest=State.PENDING,
            guards=(),
            actions=(),
            description="Retry",
            metadata={},
        ),
        TransitionInfo(
            index=6,
            trigger=Trigger.TOUCH,
            sources=(State.PAID,),
            dest=State.PAID,
            guards=(),
            actions=("touch",),
            description="Self-transition",
            metadata={},
        ),
    ),
    leaving={
        State.PENDING: (0, 4),
        State.PAID: (1, 2, 4, 6),
        State.SHIPPED: (3,),
        State.FAILED: (4, 5),
    },
    error_policy=ErrorPolicy(default_fallback=State.FAILED, retry_attempts=1),
    spec_sha256="0" * 64,
)


def _decide_1(cell: Guarded, guard_0: GuardCallable) -> Decider:
    """Decides the cells whose one candidate needs one guard."""
    empty, truth = EMPTY_CONTEXT, guard_truth
    (result_0,) = cell.results
    refused = cell.refusals

    def decide(ctx: object) -> TransitionResult[State]:
        if ctx is None:
            ctx = empty
        try:
            if (ok := guard_0(ctx)) is True or (ok is not False and truth(ok)):
                return result_0
        except Exception as exc:
            raise cell.guard_error(0, exc) from exc
        return refused[0]

    return decide


def _decide_2_1(
    cell: Guarded,
    guard_0: GuardCallable,
    guard_1: GuardCallable,
    guard_2: GuardCallable,
) -> Decider:
    """Decides the cells whose candidates need 2, then 1 guard(s)."""
    empty, truth = EMPTY_CONTEXT, guard_truth
    result_0, result_1 = cell.results
    refused = cell.refusals

    def decide(ctx: object) -> TransitionResult[State]:
        if ctx is None:
            ctx = empty
        step = 0
        try:
            if (
                ((ok := guard_0(ctx)) is True or (ok is not False and truth(ok)))
                and (step := 1)
                and ((ok := guard_1(ctx)) is True or (ok is not False and truth(ok)))
            ):
                return result_0
            step = 2
            if (ok := guard_2(ctx)) is True or (ok is not False and truth(ok)):
                return result_1
        except Exception as exc:
            raise cell.guard_error(step, exc) from exc
        return refused[step - 2]

    return decide


def _go(
    source: State,
    target: State,
    trigger: Trigger,
    actions: tuple[str, ...],
    description: str,
) -> TransitionResult[State]:
    # The stand-in's results follow the flat rule by hand; generated modules
    # print each one in full.
    infos = {info.name: info for info in _DEFINITION.states}
    return success(
        source_state=source,
        target_state=target,
        trigger=trigger,
        actions_to_execute=actions,
        on_exit_actions=infos[source].on_exit,
        on_enter_actions=infos[target].on_enter,
        metadata=types.MappingProxyType({"transition_description": description}),
    )


_CANCEL = "Cancel"
_DECISIONS: DecisionTable = {
    "PENDING": {
        "pay": Guarded(
            _decide_1,
            (
                (
                    ("is_paid",),
                    _go(
                        State.PENDING, State.PAID, Trigger.PAY, ("send_receipt",), "Pay"
                    ),
                ),
            ),
        ),
        "cancel": _go(State.PENDING, State.CANCELLED, Trigger.CANCEL, (), _CANCEL),
    },
    "PAID": {
        "ship": Guarded(
            _decide_2_1,
            (
                (
                    ("is_express", "has_stock"),
                    _go(
                        State.PAID,
                        State.SHIPPED,
                        Trigger.SHIP,
                        ("ship_express",),
                        "Ship express",
                    ),
                ),
                (
                    ("has_stock",),
                    _go(
                        State.PAID,
                        State.SHIPPED,
                        Trigger.SHIP,
                        ("ship_standard",),
                        "Ship standard",
                    ),
                ),
            ),
        ),
        "cancel": _go(State.PAID, State.CANCELLED, Trigger.CANCEL, (), _CANCEL),
        "touch": _go(
            State.PAID, State.PAID, Trigger.TOUCH, ("touch",), "Self-transition"
        ),
    },
    "SHIPPED": {
        "deliver": _go(State.SHIPPED, State.DELIVERED, Trigger.DELIVER, (), "Deliver"),
    },
    "DELIVERED": {},
    "CANCELLED": {},
    "FAILED": {
        "cancel": _go(State.FAILED, State.CANCELLED, Trigger.CANCEL, (), _CANCEL),
        "retry": _go(State.FAILED, State.PENDING, Trigger.RETRY, (), "Retry"),
    },
}


class OrderManagement(MachineBase[State, Trigger, Context]):
    """Orders from payment to delivery."""

    __slots__ = ()
    definition = _DEFINITION
    decisions = _DECISIONS

    def __init__(
        self,
        guards: Guards | Mapping[str, Callable[[Context], bool]] | None = None,
    ) -> None:
        super().__init__(guards)

    def executor(
        self,
        actions: Actions | Mapping[str, Callable[[Context], object]],
        stop_on_error: bool = False,
        retry_attempts: int | None = None,
    ) -> ActionExecutor[State]:
        """An action executor bound to this machine's spec."""
        return super().executor(
            actions, stop_on_error=stop_on_error, retry_attempts=retry_attempts
        )


Machine = OrderManagement
