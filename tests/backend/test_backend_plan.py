"""The plan: the decision table decided once, and the emitter's layout."""

from __future__ import annotations

from backend_factory import S, T, machine
from hypothesis import given, settings
from hypothesis import strategies as st

from gubernator_gen.backend import (
    deciders,
    decisions,
    emit,
    formatting,
    machine_definition,
    naming,
    plan,
    render,
)
from gubernator_gen.backend.decisions import (
    CandidateShape,
    CellShape,
    GuardCall,
    GuardForm,
)


def _cells(spec: object) -> dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]:
    rows = decisions.decision_table(spec)  # type: ignore[arg-type]
    return {
        row.state: {
            cell.trigger: [(c.guards, c.outcome.target) for c in cell.candidates]
            for cell in row.cells
        }
        for row in rows
    }


def test_cells_list_candidates_per_state_and_trigger_in_spec_order() -> None:
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
    assert _cells(spec) == {
        "A": {"go": [(("g",), "B"), ((), "C")], "stop": [((), "END")]},
        "B": {"go": [(("g",), "B"), ((), "B")], "back": [((), "A")]},
        "C": {"back": [((), "A")]},
        "END": {},  # terminal: a row with no cell
        "IDLE": {},  # no way out: present, empty
    }
    leaving = {row.state: row.leaving for row in decisions.decision_table(spec)}
    assert leaving == {"A": (0, 1, 2), "B": (0, 3, 4), "C": (3,), "END": (), "IDLE": ()}


def test_outcomes_are_complete_results() -> None:
    spec = machine(
        [S("A", "initial", on_exit=["leave"]), S("B", on_enter=["arrive"])],
        [T("go", "A", "B", actions=["work"], description="Go")],
    )
    row, _ = decisions.decision_table(spec)
    (cell,) = row.cells
    outcome = cell.candidates[0].outcome
    assert (outcome.source, outcome.target, outcome.trigger) == ("A", "B", "go")
    assert (outcome.on_exit, outcome.actions, outcome.on_enter) == (
        ("leave",),
        ("work",),
        ("arrive",),
    )
    assert outcome.metadata == {"transition_description": "Go"}


def test_candidates_behind_an_unguarded_one_are_left_out() -> None:
    spec = machine(
        [S("A", "initial"), S("B"), S("C")],
        [T("go", "A", "B"), T("go", "A", "C", guards=["never"])],
    )
    assert _cells(spec)["A"] == {"go": [((), "B")]}


def test_cells_of_one_shape_share_a_decider() -> None:
    spec = machine(
        [S("A", "initial"), S("B"), S("C")],
        [
            T("go", ["A", "B"], "C", guards=["g", "h"]),
            T("go", ["A", "B"], "B", guards=["g"]),
            T("back", "C", "A", guards=["x"]),
            T("back", "C", "B"),
        ],
    )
    shapes = decisions.shapes(decisions.decision_table(spec))
    call = decisions.PLAIN_CALL
    prebuilt = decisions.ResultForm.PREBUILT
    assert shapes == (
        CellShape(
            (CandidateShape((call, call), prebuilt), CandidateShape((call,), prebuilt))
        ),
        CellShape((CandidateShape((call,), prebuilt), CandidateShape((), prebuilt))),
    )
    assert [shape.name for shape in shapes] == ["_decide_2_1", "_decide_1_0"]
    source = deciders.decider_factory(shapes[1])
    compile(source, "decider.py", "exec")
    assert "refused" not in source  # an unguarded last candidate never refuses


def test_arguments_equal_to_runtime_defaults_are_left_out() -> None:
    spec = machine(
        [S("A", "initial"), S("B", description="d", on_exit=["leave"])],
        [T("go", "A", "B")],
    )
    names = naming.build_names(spec).names
    assert names is not None
    rows = decisions.decision_table(spec)
    definition = machine_definition.definition(spec, names, rows)
    args = dict(definition.args)
    states = args["states"]
    assert isinstance(states, emit.TupleOf)
    a_info, b_info = states.items
    assert isinstance(a_info, emit.Call) and isinstance(b_info, emit.Call)
    assert [key for key, _ in a_info.args] == ["name", "type"]
    assert [key for key, _ in b_info.args] == ["name", "type", "description", "on_exit"]


def test_the_emitter_explodes_what_does_not_fit_one_item_per_line() -> None:
    many = tuple(emit.Atom(f"State.STATE_NUMBER_{i}") for i in range(12))
    lines = emit.lay_out(emit.Call("f", (("sources", emit.TupleOf(many)),)), 0)
    assert lines[0] == "f("
    assert lines[1] == "    sources=("
    assert lines[2:14] == [f"        State.STATE_NUMBER_{i}," for i in range(12)]
    assert lines[14:] == ["    ),", ")"]
    short = emit.lay_out(emit.Call("f", (("x", emit.TupleOf(many[:2])),)), 1)
    assert short == ["    f(x=(State.STATE_NUMBER_0, State.STATE_NUMBER_1))"]


def test_one_item_tuples_stay_inline_while_they_may_fit() -> None:
    item = emit.TupleOf((emit.Atom('"' + "é" * 40 + '"'),))
    # 44 columns by the emitter's over-estimate of non-ASCII, 84 by black's
    # narrowest: it may fit, so it stays on its line.
    assert len(emit.lay_out(item, 1, "key=", ",")) == 1
    long = emit.TupleOf((emit.Atom('"' + "x" * 90 + '"'),))
    assert emit.lay_out(long, 0) == ["(", f'    "{"x" * 90}",', ")"]


def test_render_sections_put_together_give_the_whole_module() -> None:
    spec = machine([S("A", "initial"), S("B")], [T("go", "A", "B", guards=["g"])])
    names = naming.build_names(spec).names
    assert names is not None
    rendered = render.render_module(plan.build_plan(spec, names))
    for section in rendered.sections:
        assert rendered.skeleton.count(section.placeholder) == 1
        assert section.placeholder.startswith("# gubernator-gen")  # column 0
    source = rendered.source
    assert "\ue000" not in source
    assert "_runtime.TransitionInfo(" in source and "_runtime.Guarded(" in source
    compile(source, "m.py", "exec")


# Calls with keyword arguments are left out: a condition holding them can
# outgrow a line, and black (the safety net of formatting.format_module)
# splits it; the printer does not lay out boolean operators.
_GUARD_CALLS = st.sampled_from(
    [
        decisions.PLAIN_CALL,
        GuardCall(GuardForm.NEGATED),
        GuardCall(GuardForm.EXPRESSION),
    ]
)
_CANDIDATES = st.builds(
    CandidateShape,
    st.lists(_GUARD_CALLS, max_size=4).map(tuple),
    st.sampled_from(list(decisions.ResultForm)),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_CANDIDATES.filter(lambda c: bool(c.guards)), max_size=4),
    _CANDIDATES,
)
def test_every_decider_factory_is_laid_out_as_black_lays_it_out(
    guarded: list[CandidateShape], last: CandidateShape
) -> None:
    # The printer owns the layout: black must find nothing to change in a
    # factory, whatever its guard forms, their number and its results.
    shape = CellShape((*guarded, last))
    source = deciders.decider_factory(shape)
    compile(source, "decider.py", "exec")
    assert formatting.format_source(source) == source
