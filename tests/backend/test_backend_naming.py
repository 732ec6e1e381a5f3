"""Naming: one module decides every identifier; collisions are diagnostics."""

from __future__ import annotations

import pytest
from backend_factory import S, T, machine

from gubernator_gen import backend
from gubernator_gen.backend import naming
from gubernator_gen.diagnostics import SourcePos


def _two_states(**kwargs: object) -> object:
    return machine([S("A", "initial"), S("B")], [T("go", "A", "B")], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("machine_name", "class_name"),
    [
        ("order_management", "OrderManagement"),
        ("a", "A"),
        ("order_2fa", "Order2fa"),
        ("double__underscore", "DoubleUnderscore"),
        ("trailing_", "Trailing"),
    ],
)
def test_pascal_case(machine_name: str, class_name: str) -> None:
    assert naming.pascal_case(machine_name) == class_name


@pytest.mark.parametrize(
    ("machine_name", "class_name", "clash"),
    [
        ("state", None, "State"),
        ("trigger", None, "Trigger"),
        ("context", None, "Context"),
        ("guards", None, "Guards"),
        ("actions", None, "Actions"),
        ("machine", None, "Machine"),
        ("x", "MACHINE_NAME", "MACHINE_NAME"),
        ("x", "TIMEOUTS", "TIMEOUTS"),
        ("x", "_runtime", "_runtime"),
        ("x", "_MappingProxyType", "_MappingProxyType"),
        ("x", "_DEFINITION", "_DEFINITION"),
        ("x", "str", "str"),
        ("x", "ImportError", "ImportError"),
    ],
)
def test_class_name_collisions_are_located_diagnostics(
    machine_name: str, class_name: str | None, clash: str
) -> None:
    spec = machine(
        [S("A", "initial"), S("B")],
        [T("go", "A", "B")],
        name=machine_name,
        class_name=class_name,
    )
    result = backend.generate_module(spec)
    assert result.source is None
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "GG401"
    assert diagnostic.is_error
    assert diagnostic.pos == spec.name_pos
    assert repr(clash) in diagnostic.message
    assert "meta.class_name" in diagnostic.message


@pytest.mark.parametrize(
    ("machine_name", "class_name"),
    [("---", None), ("😀", None), ("x", "__all__"), ("x", "1abc")],
)
def test_unusable_class_names_are_diagnostics(
    machine_name: str, class_name: str | None
) -> None:
    spec = machine([S("A", "initial")], name=machine_name, class_name=class_name)
    result = backend.generate_module(spec)
    assert result.source is None
    assert [d.code for d in result.diagnostics] == ["GG402"]
    assert "meta.class_name" in result.diagnostics[0].message
    assert result.diagnostics[0].format().startswith("spec.yaml:3:17: error: ")


def test_explicit_class_name_resolves_a_collision() -> None:
    spec = machine([S("A", "initial")], name="state", class_name="StateMachine")
    result = backend.generate_module(spec, format=False)
    assert result.diagnostics == ()
    assert result.source is not None
    assert "class StateMachine(" in result.source


def test_class_names_that_look_like_runtime_names_are_fine() -> None:
    # Runtime names are reached through a private module alias, so a machine
    # may be called like any of them.
    for name in ("state_info", "machine_base", "transition_result", "protocol"):
        spec = machine([S("A", "initial")], name=name)
        assert backend.generate_module(spec, format=False).diagnostics == ()


def test_names_starting_with_two_underscores_cannot_be_methods() -> None:
    spec = machine(
        [S("A", "initial", on_enter=["__hidden"]), S("B")],
        [T("go", "A", "B", guards=["__secret"])],
    )
    result = backend.generate_module(spec)
    assert result.source is None
    codes = sorted((d.code, d.pos.line) for d in result.diagnostics)
    assert codes == [("GG403", 10), ("GG403", 1000)]
    assert all("__" in d.message for d in result.diagnostics)


@pytest.mark.parametrize("bad", ["not an identifier", "class", "x-y"])
def test_guard_names_that_are_not_identifiers_are_diagnostics(bad: str) -> None:
    spec = machine([S("A", "initial"), S("B")], [T("go", "A", "B", guards=[bad])])
    result = backend.generate_module(spec)
    assert [d.code for d in result.diagnostics] == ["GG403"]


def test_names_that_give_the_same_enum_member_are_diagnostics() -> None:
    spec = machine(
        [S("A", "initial"), S("in review"), S("in-review")],
        [T("go", "A", "in review"), T("Go", "A", "in-review")],
    )
    result = backend.generate_module(spec)
    assert sorted(d.code for d in result.diagnostics) == ["GG405", "GG405"]


def test_protocol_annotations_get_private_aliases_only_when_shadowed() -> None:
    plain = naming.build_names(_two_states()).names  # type: ignore[arg-type]
    assert plain is not None
    assert plain.aliases == ()
    assert dict(plain.guards.annotations) == {"Context": "Context", "bool": "bool"}

    spec = machine(
        [S("A", "initial", on_enter=["object", "_object"]), S("B")],
        [T("go", "A", "B", guards=["Context", "bool", "_Context"])],
    )
    names = naming.build_names(spec).names
    assert names is not None
    guards = dict(names.guards.annotations)
    actions = dict(names.actions.annotations)
    assert guards["Context"] not in spec.guards and guards["bool"] not in spec.guards
    assert actions["object"] not in spec.actions
    assert actions["Context"] == "Context"  # no action named Context
    assert guards["Context"] == "_Context_"  # "_Context" is taken by a guard
    assert actions["object"] == "_object_"
    assert set(names.aliases) == {
        ("_Context_", "Context"),
        ("_bool", "bool"),
        ("_object_", "object"),
    }


def test_aliases_count_as_module_names_for_collisions() -> None:
    spec = machine(
        [S("A", "initial"), S("B")],
        [T("go", "A", "B", guards=["bool"])],
        name="x",
        class_name="_bool",
    )
    assert [d.code for d in backend.generate_module(spec).diagnostics] == ["GG401"]


def test_members_and_references() -> None:
    spec = machine([S("NONE", "initial"), S("TRUE")], [T("import", "NONE", "TRUE")])
    names = naming.build_names(spec).names
    assert names is not None
    assert names.state("NONE") == "State.NONE"
    assert names.trigger("import") == "Trigger.IMPORT"
    assert names.class_name == "TestMachine"
    assert names.module_names >= {"State", "Machine", "_runtime", "_enum"}


def test_all_sort_key_groups_like_ruff() -> None:
    names = ["zeta", "Machine", "MACHINE_NAME", "X", "_x", "Order10", "Order9", "A1"]
    assert sorted(names, key=naming.all_sort_key) == [
        "A1",
        "MACHINE_NAME",
        "Machine",
        "Order9",
        "Order10",
        "X",
        "_x",
        "zeta",
    ]


def test_diagnostic_positions_come_from_the_model() -> None:
    spec = machine([S("A", "initial")], name="trigger")
    (diagnostic,) = backend.generate_module(spec).diagnostics
    assert diagnostic.pos == SourcePos("spec.yaml", 3, 17)


def test_back_end_codes_are_one_table_of_gg4xx_codes() -> None:
    from gubernator_gen.backend import codes as backend_codes

    assert all(code.startswith("GG4") for code in backend_codes.CODES)
    spec = machine(
        [S("A", "initial", on_enter=["__x"]), S("a")],
        [T("go", "A", "a")],
        name="state",
    )
    reported = {d.code for d in backend.generate_module(spec).diagnostics}
    assert reported == {"GG401", "GG403", "GG405"}
    assert reported <= set(backend_codes.CODES)
