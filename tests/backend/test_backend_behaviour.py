"""Generated modules behave as docs/language.md#processing says, checked against a
reference."""

from __future__ import annotations

import builtins
import functools
import math
import types
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import gubernator_runtime as runtime
import pytest
from backend_factory import HOSTILE_TEXT, S, T, hostile_spec, machine
from backend_reference import Expected, GuardOutcome, reference_process
from backend_strategies import machine_specs
from backend_support import generate, load_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gubernator_gen.model import MachineSpec, by_precedence

UNKNOWN_STATE = "NOT_A_STATE"
UNKNOWN_TRIGGER = "not_a_trigger"
ENTERED = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _guard_callables(
    outcomes: Mapping[str, GuardOutcome], calls: list[str]
) -> dict[str, Callable[[Any], bool]]:
    def make(name: str, outcome: GuardOutcome) -> Callable[[Any], bool]:
        def guard(ctx: Any) -> bool:
            calls.append(name)
            if outcome == "raise":
                raise RuntimeError(f"guard {name} failed")
            return bool(outcome)

        return guard

    return {name: make(name, outcome) for name, outcome in outcomes.items()}


def _guards_object(callables: Mapping[str, Callable[[Any], bool]]) -> object:
    """An object with one method per guard, like a user's Guards class."""

    def method(function: Callable[[Any], bool]) -> Callable[[object, Any], bool]:
        return lambda self, ctx: function(ctx)

    methods = {name: method(function) for name, function in callables.items()}
    return type("UserGuards", (), methods)()


def _check(
    module: types.ModuleType,
    machine_object: Any,
    state: str,
    trigger: str,
    event: object,
    expected: Expected,
    calls: list[str],
) -> None:
    calls.clear()
    if expected.raises is not None:
        with pytest.raises(getattr(runtime, expected.raises)) as caught:
            machine_object.process(state, event)
        assert calls == list(expected.guard_calls)
        if expected.raises == "GuardError":
            # Attribution: the guard that raised, the state and the trigger.
            assert caught.value.guard == calls[-1]
            assert caught.value.state == state and caught.value.trigger == trigger
            assert isinstance(caught.value.__cause__, RuntimeError)
        return
    result = machine_object.process(state, event)
    assert result.success is expected.success
    assert result.source_state == state
    assert isinstance(result.source_state, module.State)
    assert result.trigger == trigger
    assert result.target_state == expected.target
    if expected.target is not None:
        assert isinstance(result.target_state, module.State)
    assert result.actions_to_execute == expected.actions
    assert result.on_exit_actions == expected.on_exit
    assert result.on_enter_actions == expected.on_enter
    if expected.error is None:
        assert result.error is None
    else:
        assert type(result.error).__name__ == expected.error
    if expected.metadata is not None:
        assert dict(result.metadata) == expected.metadata
    if expected.reason is not None:
        assert result.metadata["reason"] == expected.reason
    if expected.rejected_by is not None:
        assert result.error.guard == expected.rejected_by
    assert calls == list(expected.guard_calls)


def _check_module_data(spec: MachineSpec, module: types.ModuleType) -> None:
    assert [member.value for member in module.State] == [s.name for s in spec.states]
    assert [member.name for member in module.State] == [s.name for s in spec.states]
    assert [member.value for member in module.Trigger] == list(spec.triggers)
    assert spec.name == module.MACHINE_NAME
    assert spec.version == module.VERSION
    assert module.STRICT_MODE is spec.strict_mode
    assert spec.spec_sha256 == module.SPEC_SHA256
    assert module.INITIAL_STATE is module.State(spec.initial_state.name)
    assert {s.name for s in spec.terminal_states} == module.TERMINAL_STATES
    assert {
        state: (timeout.seconds, timeout.destination)
        for state, timeout in module.TIMEOUTS.items()
    } == {
        s.name: (s.timeout.seconds, s.timeout.destination)
        for s in spec.states
        if s.timeout is not None
    }
    definition = module.Machine.definition
    assert definition.description == spec.description
    for info, state in zip(definition.states, spec.states, strict=True):
        assert (info.name, info.type.value, info.description) == (
            state.name,
            state.kind.value,
            state.description,
        )
        assert (info.on_enter, info.on_exit) == (state.on_enter, state.on_exit)
        assert info.metadata == state.metadata
    for info, transition in zip(definition.transitions, spec.transitions, strict=True):
        assert (info.index, info.trigger, info.sources, info.dest) == (
            transition.index,
            transition.trigger,
            transition.sources,
            transition.dest,
        )
        assert (info.guards, info.actions) == (transition.guards, transition.actions)
        assert info.description == transition.description
        assert info.metadata == transition.metadata
    policy = definition.error_policy
    assert policy.default_fallback == spec.error_policy.default_fallback
    assert policy.retry_attempts == spec.error_policy.retry_attempts


def _check_timeouts(spec: MachineSpec, machine_object: Any) -> None:
    for state in spec.states:
        if state.timeout is None:
            assert machine_object.check_timeout(state.name, ENTERED, ENTERED) is None
            continue
        # The first whole microsecond at or past the deadline:
        # docs/language.md#processing compares
        # now - entered_at >= seconds, and timedelta() would round sub-microsecond
        # timeouts to the nearest microsecond, possibly before it.
        deadline = ENTERED + timedelta(
            microseconds=math.ceil(state.timeout.seconds * 1_000_000)
        )
        early = deadline - timedelta(milliseconds=100)
        assert machine_object.check_timeout(state.name, ENTERED, early) is None
        result = machine_object.check_timeout(state.name, ENTERED, deadline)
        assert result is not None and result.success
        destination = spec.state(state.timeout.destination)
        assert result.target_state == destination.name
        assert result.trigger == "_timeout"
        assert result.on_exit_actions == state.on_exit
        assert result.on_enter_actions == destination.on_enter
        assert result.actions_to_execute == ()


@given(spec=machine_specs(), data=st.data())
@settings(
    max_examples=45,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_generated_machines_agree_with_the_reference(
    spec: MachineSpec, data: st.DataObject
) -> None:
    module = load_module(generate(spec), "random")
    _check_module_data(spec, module)

    outcome: st.SearchStrategy[GuardOutcome] = st.sampled_from(
        [True, True, False, "raise"]
    )
    outcomes = data.draw(
        st.fixed_dictionaries({guard: outcome for guard in spec.guards}), "guards"
    )
    calls: list[str] = []
    callables = _guard_callables(outcomes, calls)
    bound = (
        callables
        if data.draw(st.booleans(), "as mapping")
        else _guards_object(callables)
    )
    with_guards = module.Machine(guards=bound)
    without_guards = module.Machine()
    _check_timeouts(spec, with_guards)

    state_names = [s.name for s in spec.states] + [UNKNOWN_STATE]
    trigger_names = [*spec.triggers, UNKNOWN_TRIGGER]
    events = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(state_names),
                st.sampled_from(trigger_names),
                st.sampled_from(["member", "string", "event"]),
            ),
            min_size=1,
            max_size=12,
        ),
        "events",
    )
    for state, trigger, form in events:
        state_arg: object = state
        if form == "member" and state != UNKNOWN_STATE:
            state_arg = module.State(state)
        event: object = trigger
        if form == "member" and trigger != UNKNOWN_TRIGGER:
            event = module.Trigger(trigger)
        elif form == "event":
            event = runtime.Event(trigger)
        for machine_object, guards in ((with_guards, outcomes), (without_guards, None)):
            expected = reference_process(spec, state, trigger, guards)
            _check(module, machine_object, state_arg, trigger, event, expected, calls)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hostile_module() -> types.ModuleType:
    return load_module(generate(hostile_spec()), "hostile")


def test_hostile_names_and_text_round_trip_exactly(
    hostile_module: types.ModuleType,
) -> None:
    module = hostile_module
    spec = hostile_spec()
    _check_module_data(spec, module)
    assert module.State.NO == "NO" and module.State.TRUE == "TRUE"
    assert module.State.NONE.value == "NONE" and module.State.NAME.value == "NAME"
    assert module.State.VALUE.value == "VALUE" and module.State.MRO.value == "MRO"
    assert module.Trigger.IMPORT.value == "import"
    assert module.Trigger.CLASS_.value == "class_"
    assert module.Trigger.ON.value == "on"
    assert module.Machine is module.StateInfo
    assert module.Machine.definition.description == HOSTILE_TEXT
    assert module.Context.__required_keys__ == {"class", "Context", HOSTILE_TEXT}
    assert module.Context.__optional_keys__ == {"str"}


def test_hostile_guard_names_bind_from_a_class(
    hostile_module: types.ModuleType,
) -> None:
    module = hostile_module
    seen: list[str] = []

    # Methods named bool and object shadow the builtins inside the class body
    # (the generated Guards protocol avoids this with private aliases).
    class Guards:
        def match(self, ctx: builtins.object) -> builtins.bool:
            seen.append("match")
            return True

        def case(self, ctx: builtins.object) -> builtins.bool:
            seen.append("case")
            return True

        def type(self, ctx: builtins.object) -> builtins.bool:
            seen.append("type")
            return True

        def _(self, ctx: builtins.object) -> builtins.bool:
            seen.append("_")
            return True

        def self(self, ctx: builtins.object) -> builtins.bool:
            seen.append("self")
            return True

        def ctx(self, ctx: builtins.object) -> builtins.bool:
            seen.append("ctx")
            return True

        def Context(self, ctx: builtins.object) -> builtins.bool:
            seen.append("Context")
            return True

        def bool(self, ctx: builtins.object) -> builtins.bool:
            seen.append("bool")
            return True

        def object(self, ctx: builtins.object) -> builtins.bool:
            return False

        def Mapping(self, ctx: builtins.object) -> builtins.bool:
            return True

    machine_object = module.Machine(guards=Guards())
    result = machine_object.process("NO", "import")
    assert result.success and result.target_state == "TRUE"
    assert seen == ["match", "case", "type", "_", "self", "ctx", "Context", "bool"]
    assert result.metadata["transition_description"] == HOSTILE_TEXT
    refused = machine_object.process("NAME", "class_")
    assert not refused.success and refused.error.guard == "object"


def test_missing_guards_are_named_at_construction(
    hostile_module: types.ModuleType,
) -> None:
    with pytest.raises(runtime.ConfigurationError) as raised:
        hostile_module.Machine(guards={"match": lambda ctx: True})
    for name in ("case", "type", "self", "Mapping"):
        assert repr(name) in str(raised.value)


def test_hostile_docstrings_show_the_text(hostile_module: types.ModuleType) -> None:
    doc = hostile_module.Machine.__doc__
    assert doc is not None
    assert "{{ x }} {% y %}" in doc and "\x00" in doc and "\u202e" in doc
    assert '"""' in doc and "\\ back\\" in doc
    module_doc = hostile_module.__doc__
    assert module_doc is not None and module_doc.startswith("State machine state_info")


def test_unguarded_results_are_prebuilt_once() -> None:
    spec = machine([S("A", "initial"), S("B")], [T("go", "A", "B")])
    module = load_module(generate(spec))
    machine_object = module.Machine()
    first = machine_object.process("A", "go")
    assert machine_object.process(module.State.A, module.Trigger.GO) is first
    assert module.Machine().process("A", "go") is first


def test_event_payload_is_merged_over_the_context() -> None:
    spec = machine(
        [S("A", "initial"), S("B")],
        [T("go", "A", "B", guards=["big"])],
        context={"amount": "int"},
    )
    module = load_module(generate(spec))
    machine_object = module.Machine(guards={"big": lambda ctx: ctx["amount"] > 10})
    assert not machine_object.process("A", "go", {"amount": 5}).success
    event = runtime.Event("go", payload={"amount": 50})
    assert machine_object.process("A", event, {"amount": 5}).success


def test_executor_knows_the_error_policy() -> None:
    spec = machine(
        [S("A", "initial"), S("B", on_enter=["enter_b"]), S("FAILED", "error")],
        [T("go", "A", "B", actions=["work"])],
        default_fallback="FAILED",
        retry_attempts=2,
    )
    module = load_module(generate(spec))
    attempts: list[str] = []

    def work(ctx: object) -> None:
        attempts.append("work")
        raise RuntimeError("always fails")

    machine_object = module.Machine()
    executor = machine_object.executor({"work": work, "enter_b": lambda ctx: None})
    run = executor.execute(machine_object.process("A", "go"), {})
    assert attempts == ["work"] * 3
    assert run.fallback is not None and run.fallback.target_state == "FAILED"
    with pytest.raises(runtime.ActionNotFoundError):
        machine_object.executor({"work": work})


def _reference_candidates(
    spec: MachineSpec, state: str, trigger: str
) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    found = []
    leaving = [
        t for t in spec.transitions if state in t.sources and t.trigger == trigger
    ]
    for transition in by_precedence(leaving, lambda t: t.wildcard):
        found.append((transition.guards, transition.dest, transition.actions))
        if not transition.guards:
            break  # later candidates never fire
    return found


@given(spec=machine_specs())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_decision_tables_match_the_model(spec: MachineSpec) -> None:
    # The runtime trusts the table it is given; this is where it is checked.
    module = load_module(generate(spec), "tables")
    table = module.Machine.decisions
    states = {s.name: s for s in spec.states}
    assert list(table) == [s.name for s in spec.states]
    for state_name, row in table.items():
        assert type(state_name) is str and all(type(t) is str for t in row)
        state = states[state_name]
        expected_triggers = (
            []
            if state.is_terminal
            else list(
                dict.fromkeys(
                    t.trigger for t in spec.transitions if state_name in t.sources
                )
            )
        )
        assert list(row) == expected_triggers
        for trigger, cell in row.items():
            expected = _reference_candidates(spec, state_name, trigger)
            if isinstance(cell, runtime.Guarded):
                candidates = cell.candidates
            else:
                candidates = (((), cell),)
            assert len(candidates) == len(expected)
            for (guards, result), (want_guards, dest, actions) in zip(
                candidates, expected, strict=True
            ):
                assert guards == want_guards
                assert result.success and result.source_state == state_name
                assert result.target_state == dest and result.trigger == trigger
                assert result.actions_to_execute == actions
                assert result.on_exit_actions == state.on_exit
                assert result.on_enter_actions == states[dest].on_enter
    leaving = module.Machine.definition.leaving
    for state in spec.states:
        want = tuple(
            t.index
            for t in spec.transitions
            if state.name in t.sources and not state.is_terminal
        )
        assert leaving.get(state.name, ()) == want


def test_a_module_generated_for_api_1_asks_to_be_regenerated() -> None:
    source = (Path(__file__).parent / "api1_order_fsm.txt").read_text(encoding="utf-8")
    with pytest.raises(ImportError, match="regenerate the module"):
        load_module(source, "api1")


def test_a_module_refuses_a_runtime_older_than_its_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = machine([S("A", "initial")])
    source = generate(spec)
    monkeypatch.setattr(runtime, "API_VERSION", (1, 9))
    with pytest.raises(ImportError, match="upgrade gubernator-runtime"):
        load_module(source, "old_runtime")
    monkeypatch.setattr(runtime, "API_VERSION", (3, 0))
    with pytest.raises(ImportError, match="regenerate"):
        load_module(source, "new_runtime")


def _async_guard_machine() -> types.ModuleType:
    spec = machine([S("A", "initial"), S("B")], [T("go", "A", "B", guards=["ok"])])
    return load_module(generate(spec), "async_guards")


async def _async_yes(ctx: object, extra: int = 0) -> bool:
    return True


class _AsyncCallable:
    async def __call__(self, ctx: object) -> bool:
        return True


@pytest.mark.parametrize(
    "guard",
    [
        functools.partial(_async_yes, extra=1),
        functools.partial(functools.partial(_async_yes), extra=2),
        _AsyncCallable(),
    ],
    ids=["partial", "nested partial", "async __call__"],
)
def test_async_guards_in_disguise_are_refused_at_binding(guard: object) -> None:
    module = _async_guard_machine()
    with pytest.raises(runtime.ConfigurationError, match="not async def: 'ok'"):
        module.Machine(guards={"ok": guard})


def test_a_guard_answering_with_a_coroutine_is_a_guard_error() -> None:
    module = _async_guard_machine()
    # Binding cannot see through a lambda: the answer gives it away.
    machine_object = module.Machine(guards={"ok": lambda ctx: _async_yes(ctx)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the coroutine is closed, never leaked
        with pytest.raises(runtime.GuardError) as caught:
            machine_object.process("A", "go")
    assert caught.value.guard == "ok"
    assert isinstance(caught.value.__cause__, TypeError)
