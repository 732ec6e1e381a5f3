"""Free-form names (docs/language.md#names) and wildcard sources
(docs/language.md#wildcard-sources) in generated modules.

The derivation of identifiers (``backend/derive.py``) keeps conventional
names as they always were, and random names drawn from Unicode letters,
spaces, dots and hyphens give modules that import, keep every value exactly
and decide as the reference interpreter does, wildcard transitions
included.
"""

from __future__ import annotations

import dataclasses
import keyword
import types
from typing import Any

import gubernator_runtime as runtime
import pytest
from backend_factory import S, T, machine
from backend_reference import GuardOutcome, reference_process
from backend_support import generate, load_module
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gubernator_gen import backend
from gubernator_gen.backend import derive, naming
from gubernator_gen.model import MachineSpec

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Unicode letters of any script and age, spaces, dots and hyphens.
NAME_CHARACTERS = st.characters(categories=["L"]) | st.sampled_from(" .-")
NAMES = (
    st.text(NAME_CHARACTERS, min_size=1, max_size=12)
    .map(lambda text: text.strip())
    .filter(bool)
)


@pytest.mark.parametrize(
    ("name", "member"),
    [
        ("PAID", "PAID"),
        ("A__B", "A__B"),
        ("X_", "X_"),
        ("pending", "PENDING"),
        ("in review", "IN_REVIEW"),
        ("in - review", "IN_REVIEW"),
        ("Order.Placed", "ORDER_PLACED"),
        ("approuvé", "APPROUVÉ"),
        ("straße", "STRASSE"),
        ("ﬁle", "FILE"),
        ("2fa", "_2FA"),
        ("(draft)", "_DRAFT"),
        ("_route", "_ROUTE"),
        ("__init__", "_INIT"),
        ("-", "_"),
        ("中文 订单", "中文_订单"),
        ("🚚 shipped", "_SHIPPED"),
    ],
)
def test_member_names(name: str, member: str) -> None:
    assert derive.member_name(name) == member
    assert derive.is_stable_identifier(member)


@pytest.mark.parametrize(
    ("machine_name", "module", "class_name"),
    [
        ("order_management", "order_management", "OrderManagement"),
        ("Order Flow", "order_flow", "OrderFlow"),
        ("order-flow.v2", "order_flow_v2", "OrderFlowV2"),
        ("2fa flow", "_2fa_flow", "_2faFlow"),
        ("class", "_class", "Class"),
        ("none", "none", "_None"),
        ("---", "_", ""),
    ],
)
def test_module_and_class_names(
    machine_name: str, module: str, class_name: str
) -> None:
    assert derive.module_name(machine_name) == module
    assert derive.class_name(machine_name) == class_name


@given(st.from_regex(r"[A-Z][A-Z0-9_]{0,20}", fullmatch=True))
def test_conventional_state_names_are_their_own_members(name: str) -> None:
    assert derive.member_name(name) == name


@given(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True))
def test_conventional_trigger_and_machine_names_derive_as_before(name: str) -> None:
    assert derive.member_name(name) == name.upper()
    pascal = naming.pascal_case(name)
    if pascal and not keyword.iskeyword(pascal):
        assert derive.class_name(name) == pascal


@given(NAMES)
def test_every_name_gives_a_usable_member(name: str) -> None:
    for derived in (derive.member_name(name), derive.module_name(name)):
        assert derive.is_stable_identifier(derived)
        assert not keyword.iskeyword(derived)
        assert not derived.startswith("__")
        assert not (len(derived) > 1 and derived[0] == derived[-1] == "_")


def test_a_member_this_python_cannot_read_back_is_a_diagnostic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(derive, "member_name", lambda name: "NOT AN IDENTIFIER")
    spec = machine([S("A", "initial")])
    result = backend.generate_module(spec)
    assert result.source is None
    assert [d.code for d in result.diagnostics] == ["GG404"]


def test_a_keyword_machine_name_gives_a_prefixed_class() -> None:
    module = load_module(generate(machine([S("A", "initial")], name="none")))
    assert module.Machine.__name__ == "_None"
    assert "_None" in module.__all__


def _wildcard(spec: MachineSpec, indices: set[int]) -> MachineSpec:
    """``spec`` with the transitions at ``indices`` turned into ``source: "*"``."""
    open_states = tuple(s.name for s in spec.states if not s.is_terminal)
    transitions = tuple(
        (
            dataclasses.replace(t, sources=open_states, wildcard=True)
            if t.index in indices
            else t
        )
        for t in spec.transitions
    )
    return dataclasses.replace(spec, transitions=transitions)


@st.composite
def free_name_machines(draw: st.DrawFn) -> MachineSpec:
    """A random machine whose names are random text, with wildcard transitions."""
    names = draw(st.lists(NAMES, min_size=1, max_size=5, unique_by=derive.member_name))
    kinds = ["initial"] + [
        draw(st.sampled_from(["stable", "terminal", "error"])) for _ in names[1:]
    ]
    states = [S(name, kind) for name, kind in zip(names, kinds, strict=True)]
    open_states = [n for n, k in zip(names, kinds, strict=True) if k != "terminal"]
    triggers = draw(
        st.lists(NAMES, min_size=1, max_size=3, unique_by=derive.member_name)
    )
    transitions = []
    wildcards = set()
    for index in range(draw(st.integers(0, 6))):
        wildcard = draw(st.booleans())
        sources = (
            open_states
            if wildcard
            else draw(
                st.lists(
                    st.sampled_from(open_states), min_size=1, max_size=2, unique=True
                )
            )
        )
        if wildcard:
            wildcards.add(index)
        transitions.append(
            T(
                draw(st.sampled_from(triggers)),
                sources,
                draw(st.sampled_from(names)),
                guards=draw(st.lists(st.sampled_from(["g1", "g2"]), max_size=1)),
            )
        )
    spec = machine(
        states,
        transitions,
        name=draw(NAMES),
        strict_mode=draw(st.booleans()),
    )
    return _wildcard(spec, wildcards)


@SETTINGS
@given(free_name_machines(), st.data())
def test_random_names_round_trip_and_decide_as_the_reference(
    spec: MachineSpec, data: st.DataObject
) -> None:
    named = backend.generate_module(spec, format=False)
    # A random machine name may derive a class the module already defines, or
    # none at all (letters Unicode added after 3.2 count as punctuation).
    assume(not any(d.code in ("GG401", "GG402") for d in named.diagnostics))
    module = load_module(generate(spec), "free")
    assert [str(member) for member in module.State] == [s.name for s in spec.states]
    assert [member.value for member in module.Trigger] == list(spec.triggers)
    for state in spec.states:
        assert module.State(state.name) == state.name
        assert str(module.State(state.name)) == state.name
        assert f"{module.State(state.name)}" == state.name
    assert spec.name == module.MACHINE_NAME
    outcomes: dict[str, GuardOutcome] = {
        guard: data.draw(st.sampled_from([True, False, "raise"]), guard)
        for guard in spec.guards
    }
    machine_object = module.Machine(guards=_guards(outcomes))
    for state in spec.states:
        for trigger in spec.triggers:
            expected = reference_process(spec, state.name, trigger, outcomes)
            _agrees(module, machine_object, state.name, trigger, expected)


def _guards(outcomes: dict[str, GuardOutcome]) -> dict[str, Any]:
    def make(outcome: GuardOutcome) -> Any:
        def guard(ctx: object) -> bool:
            if outcome == "raise":
                raise RuntimeError("guard failed")
            return bool(outcome)

        return guard

    return {name: make(outcome) for name, outcome in outcomes.items()}


def _agrees(
    module: types.ModuleType,
    machine_object: Any,
    state: str,
    trigger: str,
    expected: Any,
) -> None:
    if expected.raises is not None:
        with pytest.raises(getattr(runtime, expected.raises)):
            machine_object.process(state, trigger)
        return
    result = machine_object.process(module.State(state), module.Trigger(trigger))
    assert result.success is expected.success
    assert result.target_state == expected.target
    assert result.actions_to_execute == expected.actions
    if expected.error is None:
        assert result.error is None
    else:
        assert type(result.error).__name__ == expected.error


def test_a_named_source_beats_a_wildcard_whatever_the_order() -> None:
    spec = _wildcard(
        machine(
            [S("open", "initial"), S("held"), S("closed", "terminal")],
            [
                T("close", ["open", "held"], "closed"),
                T("close", "held", "open", guards=["review"]),
            ],
        ),
        {0},
    )
    assert [
        (s, [(t, [c.index for c in cs]) for t, cs in row]) for s, row in spec.dispatch()
    ] == [
        ("open", [("close", [0])]),
        ("held", [("close", [1, 0])]),
    ]
    source = generate(spec)
    module = load_module(source)
    machine_object = module.Machine(guards={"review": lambda ctx: True})
    assert machine_object.process("held", "close").target_state == "open"
    refusing = module.Machine(guards={"review": lambda ctx: False})
    assert refusing.process("held", "close").target_state == "closed"
    assert machine_object.process("closed", "close").error is not None
    # The trigger's docstring lists its routes in the order they are tried.
    assert source.index("- held -> open") < source.index("- * -> closed")


HOSTILE_NAMES = [
    'say "hi"',
    "it's",
    'three """ quotes',
    "back\\slash \\n",
    "line\u2028separator",
    "para\u2029graph",
    "{{ jinja }} {% block %}",
    "100% done",
    "bidi \u202e text",
    "nbsp\u00a0inside",
]


def test_hostile_names_are_literals_everywhere() -> None:
    states = [S(HOSTILE_NAMES[0], "initial", on_enter=["log"])]
    states += [S(name) for name in HOSTILE_NAMES[1:-1]]
    states.append(S(HOSTILE_NAMES[-1], "terminal"))
    names = [s.name for s in states]
    transitions = [
        T(trigger, source, dest, guards=["ok"], actions=["act"])
        for trigger, source, dest in zip(names, names, names[1:], strict=False)
    ]
    spec = machine(states, transitions, name='%s {{name}} "q" \u2028')
    source = generate(spec)
    module = load_module(source, "hostile_names")
    assert [str(member) for member in module.State] == names
    assert [member.value for member in module.Trigger] == names[:-1]
    assert spec.name == module.MACHINE_NAME
    # Nothing of a name reaches the source raw where it could end a literal
    # or a line: invisible and line-breaking characters are escaped.
    for raw in ("\u2028", "\u2029", "\u202e", "\u00a0"):
        assert raw not in source
    machine_object = module.Machine(guards={"ok": lambda ctx: True})
    result = machine_object.process(names[1], names[1])
    assert result.target_state == names[2]
