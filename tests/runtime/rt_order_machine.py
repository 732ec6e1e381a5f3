"""A hand-written stand-in for a generated module (SPEC §4), used by the tests.

It follows the shape the generator emits (docs/architecture.md, "The contract
between generated modules and the runtime"): enums, a ``TypedDict`` context,
``Guards``/``Actions`` protocols, one ``MachineDefinition`` literal and a thin
``MachineBase`` subclass that only narrows parameter types. ``mypy --strict``
checks it (test_runtime_typing.py), which proves that generated modules of
this shape type-check against the runtime.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping
from typing import Protocol, TypedDict

from gubernator_runtime import (
    API_VERSION,
    ActionExecutor,
    ErrorPolicy,
    MachineBase,
    MachineDefinition,
    StateInfo,
    StateTimeout,
    StateType,
    TransitionInfo,
)

if API_VERSION[0] != 1 or API_VERSION < (1, 0):
    raise ImportError("rt_order_machine needs gubernator-runtime API 1.x, x >= 0")


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
    dispatch={
        State.PENDING: {Trigger.PAY: (0,), Trigger.CANCEL: (4,)},
        State.PAID: {Trigger.SHIP: (1, 2), Trigger.CANCEL: (4,), Trigger.TOUCH: (6,)},
        State.SHIPPED: {Trigger.DELIVER: (3,)},
        State.FAILED: {Trigger.CANCEL: (4,), Trigger.RETRY: (5,)},
    },
    error_policy=ErrorPolicy(default_fallback=State.FAILED, retry_attempts=1),
    spec_sha256="0" * 64,
)


class OrderManagement(MachineBase[State, Trigger, Context]):
    """Orders from payment to delivery."""

    __slots__ = ()
    definition = _DEFINITION

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
