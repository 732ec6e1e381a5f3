"""MachineBase: docs/language.md#processing processing, guard binding, queries and
timeouts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from gubernator_runtime import (
    NO_OP_METADATA,
    TIMEOUT_TRIGGER,
    ConfigurationError,
    Event,
    GuardError,
    GuardRejectedError,
    InvalidTransitionError,
    MachineBase,
    StateInfo,
    StateTimeout,
    StateType,
    TerminalStateError,
    TransitionInfo,
    TransitionResult,
    UndefinedStateError,
    UndefinedTriggerError,
    equals,
    is_truthy,
)
from rt_helpers import build_machine
from rt_order_machine import Context, OrderManagement, State, Trigger


def guards_map(**overrides: Any) -> dict[str, Any]:
    """Guards for OrderManagement reading the context keys of the same name."""
    guards: dict[str, Any] = {
        "is_paid": is_truthy("paid"),
        "is_express": is_truthy("express"),
        "has_stock": is_truthy("stock"),
    }
    guards.update(overrides)
    return guards


@pytest.fixture
def machine() -> OrderManagement:
    return OrderManagement(guards_map())


# -- success path (docs/language.md#processing)
# ---------------------------------------------


def test_unguarded_transition_returns_the_full_success_result(
    machine: OrderManagement,
) -> None:
    result = machine.process(State.SHIPPED, Trigger.DELIVER)
    assert result.success
    assert result.source_state is State.SHIPPED
    assert result.target_state is State.DELIVERED
    assert result.trigger is Trigger.DELIVER
    assert result.actions_to_execute == ()
    assert result.on_exit_actions == ()
    assert result.on_enter_actions == ("notify",)
    assert result.error is None
    assert result.metadata == {"transition_description": "Deliver"}


def test_plain_strings_work_and_results_carry_enum_members(
    machine: OrderManagement,
) -> None:
    result = machine.process("SHIPPED", "deliver")
    assert result == machine.process(State.SHIPPED, Trigger.DELIVER)
    assert type(result.source_state) is State
    assert type(result.target_state) is State
    assert type(result.trigger) is Trigger


def test_unguarded_results_are_prebuilt_and_reused(machine: OrderManagement) -> None:
    # The hot path allocates nothing: the same object comes back every time,
    # for members and for plain strings, and from every instance.
    first = machine.process(State.PENDING, Trigger.CANCEL)
    assert machine.process("PENDING", "cancel") is first
    assert OrderManagement(guards_map()).process("PENDING", "cancel") is first


def test_guarded_success_carries_exit_transition_and_enter_actions(
    machine: OrderManagement,
) -> None:
    result = machine.process("PENDING", "pay", {"paid": True})
    assert result.success
    assert result.target_state is State.PAID
    assert result.on_exit_actions == ("log_exit",)
    assert result.actions_to_execute == ("send_receipt",)
    assert result.on_enter_actions == ("send_receipt",)
    assert result.all_actions == ("log_exit", "send_receipt", "send_receipt")
    assert result.metadata == {"transition_description": "Pay"}


def test_first_candidate_whose_guards_all_pass_wins(machine: OrderManagement) -> None:
    express = machine.process("PAID", "ship", {"express": True, "stock": True})
    assert express.actions_to_execute == ("ship_express",)
    standard = machine.process("PAID", "ship", {"express": False, "stock": True})
    assert standard.actions_to_execute == ("ship_standard",)
    assert standard.metadata == {"transition_description": "Ship standard"}


def test_guards_run_in_order_and_stop_at_the_first_false() -> None:
    calls: list[str] = []

    def recording(name: str, answer: bool) -> Any:
        def guard(ctx: Context) -> bool:
            calls.append(name)
            return answer

        return guard

    machine = OrderManagement(
        {
            "is_paid": recording("is_paid", True),
            "is_express": recording("is_express", False),
            "has_stock": recording("has_stock", True),
        }
    )
    result = machine.process("PAID", "ship")
    # Candidate 1 stops at is_express (has_stock not asked); candidate 2 passes.
    assert calls == ["is_express", "has_stock"]
    assert result.actions_to_execute == ("ship_standard",)


def test_self_transition_runs_exit_and_enter_actions(machine: OrderManagement) -> None:
    result = machine.process("PAID", "touch")
    assert result.success
    assert result.is_self_transition
    assert not result.state_changed
    assert result.all_actions == ("log_exit", "touch", "send_receipt")


def test_event_payload_is_merged_over_context_for_the_guards() -> None:
    seen: list[Mapping[str, Any]] = []

    def is_paid(ctx: Mapping[str, Any]) -> bool:
        seen.append(dict(ctx))
        return bool(ctx.get("paid"))

    machine = OrderManagement(guards_map(is_paid=is_paid))
    event = Event("pay", {"paid": True, "amount": 5})
    result = machine.process("PENDING", event, {"paid": False, "note": "x"})
    assert result.success and result.target_state is State.PAID
    assert seen == [{"paid": True, "amount": 5, "note": "x"}]
    # Without context the payload alone is used; without payload, the context.
    assert machine.process("PENDING", Event("pay", {"paid": True})).success
    assert machine.process("PENDING", Event("pay"), {"paid": True}).success
    assert not machine.process("PENDING", Event("pay")).success


def test_event_objects_take_the_same_decisions_as_triggers(
    machine: OrderManagement,
) -> None:
    assert machine.process("SHIPPED", Event("deliver")) is machine.process(
        "SHIPPED", "deliver"
    )
    terminal = machine.process("DELIVERED", Event("pay"))
    assert isinstance(terminal.error, TerminalStateError)
    unknown = machine.process("PENDING", Event("nope"))
    assert isinstance(unknown.error, UndefinedTriggerError)


def test_event_objects_through_a_single_guard_cell(machine: OrderManagement) -> None:
    # PENDING + pay has one candidate with one guard: the inlined hot path for
    # plain triggers, the general evaluation for Events.
    paid = machine.process("PENDING", Event("pay", {"paid": True}))
    assert paid is machine.process("PENDING", "pay", {"paid": True})
    assert isinstance(paid, TransitionResult) and paid.success
    refused = machine.process("PENDING", Event("pay", {"paid": False}))
    assert isinstance(refused.error, GuardRejectedError)
    assert refused.error.guard == "is_paid"
    assert refused == machine.process("PENDING", "pay", {"paid": False})


# -- failure paths (docs/language.md#processing) -------------------------------


@pytest.mark.parametrize("state", ["NOPE", "pending", None, 3, ["PENDING"]])
def test_undefined_state_raises(machine: OrderManagement, state: Any) -> None:
    with pytest.raises(UndefinedStateError) as caught:
        machine.process(state, "pay")
    assert caught.value.context["machine"] == "order_management"


def test_undefined_state_is_checked_before_anything_else(
    machine: OrderManagement,
) -> None:
    with pytest.raises(UndefinedStateError):
        machine.process("NOPE", Event("pay"))


def test_terminal_state_gives_a_failure_result(machine: OrderManagement) -> None:
    result = machine.process("DELIVERED", "cancel")
    assert not result.success
    assert result.target_state is None
    assert result.source_state is State.DELIVERED
    assert result.all_actions == ()
    assert isinstance(result.error, TerminalStateError)
    assert isinstance(result.error, InvalidTransitionError)
    assert result.error.state == "DELIVERED"
    assert result.error.trigger == "cancel"
    assert result.metadata["reason"] == "terminal_state"


def test_terminal_check_comes_before_the_trigger_check(
    machine: OrderManagement,
) -> None:
    result = machine.process("CANCELLED", "no_such_trigger")
    assert isinstance(result.error, TerminalStateError)
    assert result.trigger == "no_such_trigger"


def test_known_trigger_without_transition_is_invalid_in_strict_mode(
    machine: OrderManagement,
) -> None:
    result = machine.process("PENDING", "ship")
    assert not result.success
    assert type(result.error) is InvalidTransitionError
    assert result.trigger is Trigger.SHIP
    assert result.metadata["reason"] == "invalid_transition"


def test_unknown_trigger_is_undefined_in_strict_mode(machine: OrderManagement) -> None:
    result = machine.process("PENDING", "teleport")
    assert not result.success
    assert isinstance(result.error, UndefinedTriggerError)
    assert result.error.trigger == "teleport"
    assert result.error.context["machine"] == "order_management"
    assert result.trigger == "teleport"
    assert result.metadata["reason"] == "undefined_trigger"


def test_every_candidate_refused_names_the_last_candidates_guard(
    machine: OrderManagement,
) -> None:
    result = machine.process("PAID", "ship", {"express": True, "stock": False})
    assert not result.success
    assert result.target_state is None
    assert isinstance(result.error, GuardRejectedError)
    assert isinstance(result.error, InvalidTransitionError)
    assert result.error.guard == "has_stock"
    assert result.error.state == "PAID"
    assert result.error.trigger == "ship"
    assert result.metadata["reason"] == "guards_failed"
    assert result.metadata["rejected_by"] == "has_stock"


def test_single_guarded_candidate_refused(machine: OrderManagement) -> None:
    result = machine.process("PENDING", "pay", {"paid": False})
    assert isinstance(result.error, GuardRejectedError)
    assert result.error.guard == "is_paid"


def test_guard_that_raises_becomes_a_chained_guard_error() -> None:
    def broken(ctx: Mapping[str, Any]) -> bool:
        raise ValueError("database down")

    machine = OrderManagement(guards_map(has_stock=broken))
    with pytest.raises(GuardError) as caught:
        machine.process("PAID", "ship", {"express": True})
    error = caught.value
    assert isinstance(error.__cause__, ValueError)
    assert error.guard == "has_stock"
    assert error.state == "PAID"
    assert error.trigger == "ship"
    assert error.context["cause_type"] == "ValueError"
    assert "database down" in error.message


def test_guard_result_whose_truth_test_raises_is_a_guard_error() -> None:
    class Ambiguous:
        def __bool__(self) -> bool:
            raise ValueError("truth value is ambiguous")

    machine = OrderManagement(guards_map(has_stock=lambda ctx: Ambiguous()))
    with pytest.raises(GuardError) as caught:
        machine.process("PAID", "ship", {"express": True})
    assert caught.value.guard == "has_stock"
    assert isinstance(caught.value.__cause__, ValueError)


def test_async_guards_are_refused_at_construction() -> None:
    async def is_paid(ctx: Mapping[str, Any]) -> bool:
        return False

    with pytest.raises(ConfigurationError, match="async def: 'is_paid'"):
        OrderManagement(guards_map(is_paid=is_paid))


def test_guard_error_from_the_hot_path_with_a_factory_guard() -> None:
    # A comparison that cannot be made is reported, not read as "no".
    machine = OrderManagement(guards_map(is_paid=equals("paid", True)))
    assert machine.process("PENDING", "pay", {"paid": True}).success
    from gubernator_runtime import greater_than

    bad = OrderManagement(guards_map(is_paid=greater_than("paid", 3)))
    with pytest.raises(GuardError):
        bad.process("PENDING", "pay", {"paid": None})  # type: ignore[arg-type]


def test_bad_event_type_is_a_type_error(machine: OrderManagement) -> None:
    with pytest.raises(TypeError, match="event must be"):
        machine.process("PENDING", 42)  # type: ignore[arg-type]


def test_can_transition(machine: OrderManagement) -> None:
    assert machine.can_transition("PENDING", "pay", {"paid": True})
    assert not machine.can_transition("PENDING", "pay", {"paid": False})
    assert not machine.can_transition("DELIVERED", "pay")
    assert not machine.can_transition("PENDING", "ship")
    with pytest.raises(UndefinedStateError):
        machine.can_transition("NOPE", "pay")


# -- non-strict mode --------------------------------------------------------------


def _lenient_machine() -> type[MachineBase[Any, Any, Any]]:
    return build_machine(
        [
            StateInfo("IDLE", StateType.INITIAL, on_exit="leave"),
            StateInfo("BUSY", on_enter="arrive"),
            StateInfo("DONE", StateType.TERMINAL),
        ],
        [
            TransitionInfo(0, "start", "IDLE", "BUSY", guards="ready"),
            TransitionInfo(1, "finish", "BUSY", "DONE"),
            TransitionInfo(2, "start", "IDLE", "DONE", guards=("late", "ready")),
        ],
        strict=False,
    )


def test_non_strict_mode_stays_put_with_a_no_op_result() -> None:
    machine = _lenient_machine()({"ready": lambda ctx: True, "late": lambda ctx: True})
    for trigger in ("finish", "teleport"):
        result = machine.process("IDLE", trigger)
        assert result.success
        assert result.target_state == result.source_state == "IDLE"
        assert result.all_actions == ()
        assert result.metadata == {"no_op": True, "reason": "no_matching_transition"}
        assert result.metadata == NO_OP_METADATA
        assert not result.state_changed
        assert not result.is_self_transition
        assert not machine.can_transition("IDLE", trigger)


def test_non_strict_mode_still_reports_terminal_states_and_refusals() -> None:
    machine = _lenient_machine()({"ready": lambda ctx: False, "late": lambda ctx: True})
    assert isinstance(machine.process("DONE", "start").error, TerminalStateError)
    refused = machine.process("IDLE", "start")
    assert isinstance(refused.error, GuardRejectedError)
    assert refused.error.guard == "ready"  # the last candidate's refusing guard


# -- guard binding -----------------------------------------------------------


class ObjectGuards:
    """Guards as methods and as a factory-made class attribute."""

    is_paid = equals("paid", True)

    def is_express(self, ctx: Context) -> bool:
        return bool(ctx.get("express"))

    def has_stock(self, ctx: Context) -> bool:
        return True


def test_guards_bind_from_an_object_with_methods() -> None:
    machine = OrderManagement(ObjectGuards())
    assert machine.process("PENDING", "pay", {"paid": True}).success
    assert not machine.process("PENDING", "pay", {"paid": False}).success
    assert machine.guards is not None
    assert set(machine.guards) == {"is_paid", "is_express", "has_stock"}


def test_missing_guards_are_all_named_at_construction() -> None:
    with pytest.raises(ConfigurationError) as caught:
        OrderManagement({"is_express": is_truthy("x")})
    error = caught.value
    assert error.context["missing_guards"] == ["is_paid", "has_stock"]
    assert "'is_paid'" in error.message and "'has_stock'" in error.message


def test_non_callable_guard_counts_as_missing() -> None:
    class Partial:
        is_paid = "yes"

        def is_express(self, ctx: Context) -> bool:
            return True

    with pytest.raises(ConfigurationError) as caught:
        OrderManagement(Partial())  # type: ignore[arg-type]
    assert caught.value.context["missing_guards"] == ["is_paid", "has_stock"]


def test_machine_without_guards_can_be_queried_and_runs_unguarded_paths() -> None:
    machine = OrderManagement()
    assert machine.guards is None
    assert machine.process("PENDING", "cancel").target_state is State.CANCELLED
    assert machine.available_triggers("PENDING") == (Trigger.PAY, Trigger.CANCEL)


def test_strict_machine_without_guards_refuses_guarded_transitions() -> None:
    machine = OrderManagement()
    with pytest.raises(ConfigurationError) as caught:
        machine.process("PAID", "ship")
    assert caught.value.context["missing_guards"] == ["is_express", "has_stock"]
    with pytest.raises(ConfigurationError):
        machine.process("PENDING", Event("pay"))


def test_non_strict_machine_without_guards_lets_guards_pass() -> None:
    machine = _lenient_machine()()
    result = machine.process("IDLE", "start")
    assert result.success and result.target_state == "BUSY"


# -- queries -------------------------------------------------------------------


def test_descriptive_properties(machine: OrderManagement) -> None:
    assert machine.name == "order_management"
    assert machine.version == "1.2.3"
    assert machine.strict_mode is True
    assert machine.description == "Orders from payment to delivery."
    assert machine.spec_sha256 == "0" * 64
    assert machine.initial_state is State.PENDING
    assert machine.state_names == tuple(State)
    assert machine.trigger_names == tuple(Trigger)
    assert machine.terminal_states == (State.DELIVERED, State.CANCELLED)
    assert [s.name for s in machine.states] == list(State)
    assert [t.index for t in machine.transitions] == list(range(7))
    assert machine.guard_names == ("is_paid", "is_express", "has_stock")
    assert machine.action_names[:3] == ("log_exit", "send_receipt", "notify")
    assert set(machine.action_names) == {
        "log_exit",
        "send_receipt",
        "notify",
        "refund",
        "alert",
        "ship_express",
        "ship_standard",
        "touch",
    }
    assert "order_management" in repr(machine)
    assert OrderManagement.definition.name == "order_management"


def test_available_transitions_and_triggers(machine: OrderManagement) -> None:
    leaving = machine.available_transitions("PAID")
    assert [t.index for t in leaving] == [1, 2, 4, 6]
    assert machine.available_triggers(State.PAID) == (
        Trigger.SHIP,
        Trigger.CANCEL,
        Trigger.TOUCH,
    )
    assert machine.available_transitions("DELIVERED") == ()
    assert machine.available_triggers("DELIVERED") == ()
    with pytest.raises(UndefinedStateError):
        machine.available_transitions("NOPE")
    with pytest.raises(UndefinedStateError):
        machine.available_triggers("NOPE")


def test_get_state_validate_state_and_is_terminal(machine: OrderManagement) -> None:
    info = machine.get_state("PENDING")
    assert info.name is State.PENDING
    assert info.type is StateType.INITIAL
    assert info.timeout == StateTimeout(3600, State.CANCELLED)
    assert info.metadata == {"sla": "1h"}
    assert machine.validate_state("PAID") is State.PAID
    assert machine.is_terminal("CANCELLED")
    assert not machine.is_terminal(State.FAILED)
    for query in (machine.get_state, machine.validate_state, machine.is_terminal):
        with pytest.raises(UndefinedStateError):
            query("NOPE")


# -- timeouts --------------------------------------------------------------


ENTERED = datetime(2024, 5, 1, 12, 0, 0)


def test_check_timeout_is_none_before_the_deadline(machine: OrderManagement) -> None:
    just_before = ENTERED + timedelta(seconds=3600) - timedelta(microseconds=1)
    assert machine.check_timeout("PENDING", ENTERED, now=just_before) is None


def test_check_timeout_fires_exactly_at_the_deadline(machine: OrderManagement) -> None:
    result = machine.check_timeout("PENDING", ENTERED, ENTERED + timedelta(hours=1))
    assert result is not None
    assert result.success
    assert result.source_state is State.PENDING
    assert result.target_state is State.CANCELLED
    assert result.trigger == TIMEOUT_TRIGGER == "_timeout"
    assert result.on_exit_actions == ("log_exit",)
    assert result.on_enter_actions == ("refund",)
    assert result.metadata["timeout_seconds"] == 3600


def test_check_timeout_mixes_naive_and_aware_datetimes(
    machine: OrderManagement,
) -> None:
    # Naive is UTC: 13:00+02:00 is 11:00 UTC, one hour before the deadline.
    plus_two = timezone(timedelta(hours=2))
    early = datetime(2024, 5, 1, 13, 0, 0, tzinfo=plus_two)
    assert machine.check_timeout("PENDING", ENTERED, now=early) is None
    late = datetime(2024, 5, 1, 15, 0, 0, tzinfo=plus_two)
    assert machine.check_timeout("PENDING", ENTERED, now=late) is not None
    aware_entry = ENTERED.replace(tzinfo=timezone.utc)
    assert machine.check_timeout("PENDING", aware_entry, ENTERED + timedelta(hours=1))


def test_check_timeout_with_fractional_seconds(machine: OrderManagement) -> None:
    assert machine.check_timeout("SHIPPED", ENTERED, ENTERED + timedelta(seconds=0.5))
    assert (
        machine.check_timeout("SHIPPED", ENTERED, ENTERED + timedelta(seconds=0.4))
        is None
    )


def test_check_timeout_defaults_now_to_the_current_time(
    machine: OrderManagement,
) -> None:
    long_ago = datetime(2000, 1, 1, tzinfo=timezone.utc)
    assert machine.check_timeout("PENDING", long_ago) is not None
    far_future = datetime(2999, 1, 1)
    assert machine.check_timeout("PENDING", far_future) is None


def test_check_timeout_of_states_without_timeout(machine: OrderManagement) -> None:
    assert machine.check_timeout("PAID", ENTERED, ENTERED + timedelta(days=999)) is None
    with pytest.raises(UndefinedStateError):
        machine.check_timeout("NOPE", ENTERED)


def test_timeout_info(machine: OrderManagement) -> None:
    info = machine.timeout_info("PENDING", ENTERED)
    assert info.has_timeout
    assert info.seconds == 3600
    assert info.destination is State.CANCELLED
    assert info.expires_at == datetime(2024, 5, 1, 13, 0, tzinfo=timezone.utc)
    none = machine.timeout_info("PAID", ENTERED)
    assert not none.has_timeout and none.destination is None


# -- definitions and class creation -----------------------------------------


def _make_class(definition: Any, decisions: Any = None) -> type[Any]:
    namespace = {"__slots__": (), "definition": definition, "decisions": decisions}
    return type("Broken", (MachineBase,), namespace)


def test_class_creation_trusts_the_generated_tables() -> None:
    # Nothing is re-derived or re-checked at import (a test checks generated
    # tables against the model): class creation only reads them.
    cls = _make_class(OrderManagement.definition, OrderManagement.decisions)
    machine = cls(guards_map())
    assert machine.process("PAID", "ship", {"stock": True}).target_state == "SHIPPED"


def test_a_definition_without_decisions_asks_for_regeneration() -> None:
    with pytest.raises(TypeError, match="generated for gubernator-runtime API 2"):
        _make_class(OrderManagement.definition)


def test_definition_must_be_a_machine_definition() -> None:
    with pytest.raises(TypeError, match="MachineDefinition"):
        _make_class({"name": "x"})


def test_machine_base_cannot_be_used_without_a_definition() -> None:
    with pytest.raises(TypeError, match="no definition"):
        MachineBase()


def test_application_subclass_of_a_generated_class_inherits_its_tables() -> None:
    class Audited(OrderManagement):
        __slots__ = ()

        def describe(self) -> str:
            return f"{self.name} {self.version}"

    machine = Audited(guards_map())
    assert machine.describe() == "order_management 1.2.3"
    assert machine.process("PENDING", "cancel").target_state is State.CANCELLED


def test_available_transitions_come_from_the_definitions_leaving() -> None:
    machine = _lenient_machine()({"ready": lambda ctx: True, "late": lambda ctx: True})
    assert machine.definition.leaving == {"IDLE": (0, 2), "BUSY": (1,)}
    assert [t.index for t in machine.available_transitions("IDLE")] == [0, 2]
    assert machine.available_transitions("DONE") == ()


def test_unguarded_candidate_shadows_later_ones() -> None:
    cls = build_machine(
        [StateInfo("A", StateType.INITIAL), StateInfo("B"), StateInfo("C")],
        [
            TransitionInfo(0, "go", "A", "B"),
            TransitionInfo(1, "go", "A", "C", guards="never_asked"),
        ],
    )
    asked: list[str] = []

    def never_asked(ctx: Any) -> bool:
        asked.append("x")
        return True

    machine = cls({"never_asked": never_asked})
    assert machine.process("A", "go").target_state == "B"
    assert asked == []
    assert len(machine.available_transitions("A")) == 2


def test_results_are_typed_transition_results(machine: OrderManagement) -> None:
    result: TransitionResult[State] = machine.process("PENDING", "cancel")
    assert isinstance(result, TransitionResult)


def test_slow_path_errors_do_not_chain_to_the_table_miss() -> None:
    with pytest.raises(ConfigurationError) as caught:
        OrderManagement().process("PAID", "ship")
    assert caught.value.__context__ is None
    with pytest.raises(UndefinedStateError) as undefined:
        OrderManagement().process("NOPE", "ship")
    assert undefined.value.__cause__ is None
    assert undefined.value.__suppress_context__


def test_failure_errors_are_built_when_read_and_never_shared(
    machine: OrderManagement,
) -> None:
    refused = machine.process("PENDING", "pay", {"paid": False})
    assert refused is machine.process("PENDING", "pay", {"paid": False})
    first, second = refused.error, refused.error
    assert isinstance(first, GuardRejectedError) and first == second
    assert first is not second  # raising one never touches the other
    undefined = machine.process("PENDING", "teleport")
    assert undefined.error == machine.process("PENDING", "teleport").error
    assert refused == TransitionResult.from_dict(refused.to_dict(), State)


def test_undefined_trigger_results_are_kept_for_a_bounded_number() -> None:
    from gubernator_runtime import machine as machine_module

    cls = build_machine(
        [StateInfo("A", StateType.INITIAL), StateInfo("B")],
        [TransitionInfo(0, "go", "A", "B")],
        name="bounded",
    )
    instance = cls()
    first = instance.process("A", "nope")
    assert instance.process("A", "nope") is first  # kept
    for number in range(machine_module._KEPT_UNDEFINED + 10):
        assert isinstance(
            instance.process("A", f"t{number}").error, UndefinedTriggerError
        )
    kept = cls._tables.undefined
    assert len(kept) == machine_module._KEPT_UNDEFINED  # never more
    late = instance.process("A", "never-kept")
    assert late is not instance.process("A", "never-kept") and late.success is False
