"""The plan: dispatch tables and layout decided before any template runs."""

from __future__ import annotations

from backend_factory import S, T, machine

from gubernator_gen.backend import naming, plan, render


def test_dispatch_table_lists_candidates_per_state_and_trigger_in_spec_order() -> None:
    spec = machine(
        [S("A", "initial"), S("B"), S("C"), S("END", "terminal"), S("IDLE")],
        [
            T("go", ["A", "B"], "B", guards=["g"]),  # 0
            T("stop", "A", "END"),  # 1
            T("go", "A", "C"),  # 2: second candidate for (A, go)
            T("back", ["B", "C"], "A"),  # 3
            T("go", "B", "B"),  # 4: self-transition, second candidate for (B, go)
        ],
    )
    assert plan.dispatch_table(spec) == (
        ("A", (("go", (0, 2)), ("stop", (1,)))),
        ("B", (("go", (0, 4)), ("back", (3,)))),
        ("C", (("back", (3,)),)),
        ("IDLE", ()),  # non-terminal without a way out: present, empty
    )


def test_dispatch_table_leaves_out_terminal_states() -> None:
    spec = machine([S("A", "initial"), S("Z", "terminal")], [T("end", "A", "Z")])
    assert [state for state, _ in plan.dispatch_table(spec)] == ["A"]


def _plan(spec: object) -> plan.ModulePlan:
    names = naming.build_names(spec).names  # type: ignore[arg-type]
    assert names is not None
    return plan.build_plan(spec, names)  # type: ignore[arg-type]


def test_arguments_equal_to_runtime_defaults_are_left_out() -> None:
    spec = machine(
        [S("A", "initial"), S("B", description="d", on_exit=["leave"])],
        [T("go", "A", "B")],
    )
    module_plan = _plan(spec)
    a_info, b_info = module_plan.state_infos
    assert [key for key, _ in a_info.args] == ["name", "type"]
    assert [key for key, _ in b_info.args] == ["name", "type", "description", "on_exit"]
    (go,) = module_plan.transition_infos
    assert [key for key, _ in go.args] == ["index", "trigger", "sources", "dest"]


def test_long_tuples_are_exploded_one_item_per_line() -> None:
    many = [f"STATE_NUMBER_{i}" for i in range(12)]
    spec = machine(
        [S(many[0], "initial"), *(S(name) for name in many[1:])],
        [T("go", many, many[0])],
    )
    (go,) = _plan(spec).transition_infos
    sources = dict(go.args)["sources"]
    assert sources.startswith("(\n") and sources.endswith("\n            )")
    assert sources.count(",\n") == len(many)


def test_one_item_tuples_stay_inline_even_when_long() -> None:
    long_name = "S" + "X" * 90
    spec = machine([S(long_name, "initial")], [T("go", long_name, long_name)])
    (go,) = _plan(spec).transition_infos
    assert dict(go.args)["sources"] == f"(State.{long_name},)"


def test_every_literal_and_name_in_the_plan_is_finished_text() -> None:
    spec = machine(
        [S("A", "initial", description='say "hi"\n{{ x }}')],
        description="\x00",
    )
    module_plan = _plan(spec)
    description = dict(module_plan.definition_head)["description"]
    assert description == '"\\x00"'
    (a_info,) = module_plan.state_infos
    assert dict(a_info.args)["description"] == "'say \"hi\"\\n{{ x }}'"


def test_render_sections_put_together_give_the_whole_module() -> None:
    spec = machine([S("A", "initial"), S("B")], [T("go", "A", "B")])
    rendered = render.render_module(_plan(spec))
    for section in rendered.sections:
        assert rendered.skeleton.count(section.placeholder) == 1
    source = rendered.source
    assert "\ue000" not in source
    assert "_runtime.TransitionInfo(" in source
    compile(source, "m.py", "exec")
