"""Guard items and ``assign`` (docs/language.md#guard-expressions and
#context-updates-assign) behave as the reference says.

Random specs (written as JSON text and read by the whole front end) use
every guard form: names, ``{not: name}``, ``{guard: name, params: {...}}``,
``{expr: "..."}``, pystator ``{check: ...}``, and ``assign``. The generated
machine must agree with :func:`backend_reference.reference_items`, which
evaluates expressions with Python itself, on random states, triggers and
contexts, built with and without guards.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Mapping
from typing import Any

import gubernator_runtime as runtime
import pytest
from backend_reference import Expected, GuardOutcome, reference_items
from backend_support import generate, load_module
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gubernator_gen.frontend import read_spec_text
from gubernator_gen.model import MachineSpec, NamedGuard

CONTEXT = {
    "count": "int",
    "limit": "int?",
    "name": "str",
    "flag": "bool",
    "tags": "list[str]",
}
STATES = ["A", "B", "C", "in review"]
TERMINAL = "DONE"
TRIGGERS = ["go", "stop", "pay now"]
PLAIN_GUARDS = ["g1", "g2", "ready"]
LIMITS = [1, 5]
LEVELS = ["gold", "silver"]

INT = st.integers(0, 6)
EXPRESSIONS = st.one_of(
    INT.map("count > {}".format),
    INT.map("count <= {} or flag".format),
    INT.map("limit is not None and limit >= {}".format),
    st.just("limit is None"),
    st.just("name in ('a', 'bb', 'ccc')"),
    INT.map("len(name) < {}".format),
    st.just("not flag"),
    st.integers(1, 3).map("count % {} == 0".format),
    st.integers(1, 3).map("{} // count > 0".format),  # raises for count == 0
    st.just("'x' in tags"),
    INT.map("min(count, {}) == count".format),
    INT.map("abs(count - {}) < 2".format),
    st.just("flag and (count > 1 or name == 'a')"),
)
CHECKS = st.one_of(
    INT.map(lambda n: {"field": "count", "op": "gte", "value": n}),
    st.just({"field": "limit", "op": "is_null"}),
    st.just({"field": "name", "op": "in", "values": ["a", "bb"]}),
    INT.map(lambda n: {"field": "limit", "op": "lt", "value": n}),
)
ASSIGN = st.fixed_dictionaries(
    {},
    optional={
        "count": INT.map("count + {}".format),
        "limit": st.just("count * 2"),
        "name": st.just("name + '!'"),
        "flag": st.just("not flag"),
        "tags": st.just("tags"),
    },
)
GUARD_ITEMS = st.one_of(
    st.sampled_from(PLAIN_GUARDS),
    st.sampled_from(PLAIN_GUARDS).map(lambda name: {"not": name}),
    st.sampled_from(LIMITS).map(
        lambda limit: {"guard": "within", "params": {"limit": limit}}
    ),
    st.sampled_from(LEVELS).map(
        lambda level: {"guard": "tier", "params": {"level": level}}
    ),
    EXPRESSIONS.map(lambda text: {"expr": text}),
    CHECKS.map(lambda check: {"check": check}),
)
CONTEXTS = st.none() | st.fixed_dictionaries(
    {
        "count": INT,
        "name": st.sampled_from(["", "a", "bb", "long name"]),
        "flag": st.booleans(),
        "tags": st.lists(st.sampled_from(["x", "y"]), max_size=2),
    },
    optional={"limit": INT},
).flatmap(
    # Sometimes a required field is missing: compiled code and Python's own
    # evaluation must both fail then.
    lambda ctx: st.sampled_from(
        [ctx, ctx, ctx, {k: v for k, v in ctx.items() if k != "count"}]
    )
)


@st.composite
def spec_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A spec using every guard form and assign, as a JSON-ready document."""
    initial = draw(st.sampled_from(STATES))
    states = [
        {"name": name, **({"type": "initial"} if name == initial else {})}
        for name in STATES
    ]
    states.append({"name": TERMINAL, "type": "terminal"})
    transitions = []
    for _ in range(draw(st.integers(1, 8))):
        wildcard = draw(st.integers(0, 4)) == 0
        sources: object = (
            "*"
            if wildcard
            else draw(
                st.lists(st.sampled_from(STATES), min_size=1, max_size=2, unique=True)
            )
        )
        transition: dict[str, object] = {
            "trigger": draw(st.sampled_from(TRIGGERS)),
            "source": sources,
            "dest": draw(st.sampled_from([*STATES, TERMINAL])),
        }
        guards = draw(st.lists(GUARD_ITEMS, max_size=3))
        if guards:
            transition["guards"] = guards
        assign = draw(ASSIGN)
        if assign:
            transition["assign"] = assign
        transitions.append(transition)
    return {
        "meta": {"machine_name": "declared", "strict_mode": draw(st.booleans())},
        "context": CONTEXT,
        "states": states,
        "transitions": transitions,
    }


def _spec(document: Mapping[str, Any]) -> MachineSpec | None:
    """The model of ``document``, or ``None`` when the front end refuses it
    (a transition shadowed by an unguarded one, GG309)."""
    result = read_spec_text(json.dumps(document), path="declared.json")
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        assert {d.code for d in errors} == {"GG309"}, [d.format() for d in errors]
        return None
    assert result.spec is not None
    return result.spec


def _implementation(
    outcomes: Mapping[tuple[str, object], GuardOutcome], calls: list[str]
) -> dict[str, Callable[..., bool]]:
    """Guards that record their calls and answer from ``outcomes``."""

    def make(name: str) -> Callable[..., bool]:
        def guard(ctx: object, **params: object) -> bool:
            calls.append(name)
            outcome = outcomes[(name, next(iter(params.values()), None))]
            if outcome == "raise":
                raise RuntimeError(f"guard {name} failed")
            return bool(outcome)

        return guard

    return {name: make(name) for name in (*PLAIN_GUARDS, "within", "tier")}


def _outcome_key(item: NamedGuard) -> tuple[str, object]:
    return (item.name, item.params[0].value if item.params else None)


def _check(
    module: types.ModuleType,
    machine_object: Any,
    state: str,
    event: object,
    context: Mapping[str, object] | None,
    expected: Expected,
    calls: list[str],
) -> None:
    calls.clear()
    if expected.raises is not None:
        with pytest.raises(getattr(runtime, expected.raises)) as caught:
            machine_object.process(state, event, context)
        assert calls == list(expected.guard_calls)
        if expected.raised_by is not None:
            assert caught.value.guard == expected.raised_by
        if expected.raises in ("GuardError", "AssignError"):
            assert caught.value.__cause__ is not None
        return
    result = machine_object.process(state, event, context)
    assert calls == list(expected.guard_calls)
    assert result.success is expected.success
    assert result.target_state == expected.target
    assert result.actions_to_execute == expected.actions
    assert result.on_exit_actions == expected.on_exit
    assert result.on_enter_actions == expected.on_enter
    assert dict(result.context_updates) == expected.context_updates
    if expected.error is None:
        assert result.error is None
    else:
        assert type(result.error).__name__ == expected.error
    if expected.metadata is not None:
        assert dict(result.metadata) == expected.metadata
    if expected.rejected_by is not None:
        assert result.error.guard == expected.rejected_by
        assert result.metadata["rejected_by"] == expected.rejected_by
    # The updates travel with the result, and back.
    again = runtime.TransitionResult.from_dict(result.to_dict(), module.State)
    assert again == result


@given(document=spec_documents(), data=st.data())
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_guard_items_and_assign_agree_with_the_reference(
    document: dict[str, Any], data: st.DataObject
) -> None:
    spec = _spec(document)
    assume(spec is not None)
    assert spec is not None
    module = load_module(generate(spec), "declared")
    keys = [(name, None) for name in PLAIN_GUARDS]
    keys += [("within", limit) for limit in LIMITS]
    keys += [("tier", level) for level in LEVELS]
    outcomes = data.draw(
        st.fixed_dictionaries(
            {key: st.sampled_from([True, True, False, "raise"]) for key in keys}
        ),
        "outcomes",
    )
    calls: list[str] = []
    with_guards = module.Machine(guards=_implementation(outcomes, calls))
    without_guards = module.Machine()

    def outcome_of(item: NamedGuard) -> GuardOutcome:
        return outcomes[_outcome_key(item)]

    events = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from([*STATES, *STATES, TERMINAL]),
                st.sampled_from(TRIGGERS),
                CONTEXTS,
                st.booleans(),
            ),
            min_size=1,
            max_size=10,
        ),
        "events",
    )
    for state, trigger, context, as_event in events:
        # An Event's payload is laid over the context for guards and assign.
        event: object = runtime.Event(trigger, payload=context) if as_event else trigger
        given_context = None if as_event else context
        for machine_object, outcome in (
            (with_guards, outcome_of),
            (without_guards, None),
        ):
            expected = reference_items(spec, state, trigger, outcome, context)
            _check(module, machine_object, state, event, given_context, expected, calls)


def test_results_without_assign_carry_no_updates() -> None:
    document = {
        "context": {"count": "int"},
        "states": [{"name": "A", "type": "initial"}, {"name": "B"}],
        "transitions": [
            {"trigger": "go", "source": "A", "dest": "B"},
            {
                "trigger": "tick",
                "source": "B",
                "dest": "B",
                "assign": {"count": "count + 1"},
            },
        ],
    }
    spec = _spec(document)
    assert spec is not None
    module = load_module(generate(spec), "updates")
    machine = module.Machine()
    plain = machine.process("A", "go")
    assert plain.context_updates == {} and plain.to_dict()["context_updates"] == {}
    counted = machine.process("B", "tick", {"count": 41})
    assert dict(counted.context_updates) == {"count": 42}
    # The prebuilt result is shared; each computed one is new.
    assert machine.process("B", "tick", {"count": 1}).context_updates == {"count": 2}
    assert machine.start().context_updates == {}
    assert machine.process("A", "nope").context_updates == {}
    with pytest.raises(runtime.AssignError) as caught:
        machine.process("B", "tick")
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.state == "B" and caught.value.trigger == "tick"
