"""Hand-written charts on the ideas of the W3C SCXML test suite.

Each chart is written here, in our own words, with the behaviour SCXML
prescribes worked out by hand: entry and exit order, the least common
compound ancestor, selection from the atomic state outwards, history
defaults, shallow and deep history, internal transitions, conflict
resolution in parallel states, ``done.state`` events, eventless chains and
loops. Every run is also checked against both table modes and the oracle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from statechart_charts import Arrow, Node, chart_spec
from statechart_factored import FactoredRunner
from statechart_modules import FACTORED, generate, load, module_ready
from statechart_oracle import Oracle, Runaway
from statechart_stepper import Diverged, Outcome, process, start

from gubernator_gen.backend.statechart import compile_chart
from gubernator_gen.backend.statechart.chart import Chart, Delay, TriggerKey
from gubernator_gen.backend.statechart.configurations import (
    ChartProblem,
    ConfigurationTables,
    Limits,
    build_configuration_tables,
)
from gubernator_gen.backend.statechart.factored import build_factored_tables
from gubernator_gen.backend.statechart.tables import (
    Configuration,
    Deadline,
    ProblemKind,
    ResumePhase,
)
from gubernator_gen.model import HistoryDepth, MachineSpec

Log = list[str]


def _short(outcome: Outcome) -> Log:
    marks = {"exit": "-", "transition": "", "enter": "+"}
    return [
        f"{marks[a.phase.value]}{a.owner}" if a.phase.value != "transition" else a.name
        for a in outcome.actions
    ]


def run(
    spec: MachineSpec,
    events: Sequence[TriggerKey],
    guard: Callable[[str], bool] = lambda name: True,
) -> list[tuple[Log, tuple[str, ...]]]:
    """Start and each event, as (actions, configuration), checked three ways.

    Actions are shortened: ``+S`` entered, ``-S`` exited, ``tN`` the action
    of transition ``N`` (``always:S:i`` for eventless ones).
    """
    chart = Chart(spec)
    tables = build_configuration_tables(chart)
    factored = FactoredRunner(build_factored_tables(chart), guard)
    oracle = Oracle(spec, guard)
    ours = start(tables, guard)
    other = factored.start()
    found = [(_short(ours), ours.configuration.atomic)]
    assert ours.actions == other.actions
    assert [(a.phase.value, a.owner, a.name) for a in ours.actions] == oracle.take_log()
    config = ours.configuration
    for trigger in events:
        ours = process(tables, config, trigger, guard)
        other = factored.process(config, trigger)
        oracle.send(trigger, lambda: None)
        assert ours.actions == other.actions, trigger
        assert ours.configuration == other.configuration, trigger
        plain = [(a.phase.value, a.owner, a.name) for a in ours.actions]
        assert plain == oracle.take_log(), trigger
        assert ours.configuration.atomic == oracle.configuration(), trigger
        assert ours.configuration.history == oracle.history(), trigger
        config = ours.configuration
        found.append((_short(ours), config.atomic))
    return found


def test_entry_outermost_first_exit_innermost_first_and_the_lcca_stays() -> None:
    spec = chart_spec(
        [Node("A", [Node("A1", [Node("a")]), Node("A2", [Node("b")])])],
        [Arrow("e", "a", "b")],
    )
    (entry, _), (step, config) = run(spec, ["e"])
    assert entry == ["+A", "+A1", "+a"]
    assert step == ["-a", "-A1", "t0", "+A2", "+b"]  # A is the LCCA: not exited
    assert config == ("b",)


def test_the_deepest_enabled_transition_wins_then_outer_states() -> None:
    spec = chart_spec(
        [Node("P", [Node("Q", [Node("q1"), Node("q2")])]), Node("R")],
        [Arrow("e", "P", "R"), Arrow("e", "q1", "q2", guards=("g0",))],
    )
    assert run(spec, ["e"])[1] == (["-q1", "t1", "+q2"], ("q2",))
    refused = run(spec, ["e"], guard=lambda name: False)[1]
    assert refused == (["-q1", "-Q", "-P", "t0", "+R"], ("R",))


def test_a_self_transition_of_a_compound_state_exits_and_reenters_it() -> None:
    spec = chart_spec(
        [Node("S", [Node("a"), Node("b")], initial="b")],
        [
            Arrow("e", "S", "S"),
            Arrow("f", "b", "a"),
        ],
    )
    _, moved, again = run(spec, ["f", "e"])
    assert moved == (["-b", "t1", "+a"], ("a",))
    assert again == (["-a", "-S", "t0", "+S", "+b"], ("b",))  # initial child again


def _history_chart(depth: HistoryDepth, initial: str = "C") -> MachineSpec:
    c2 = Node("c2", [Node("d1"), Node("d2")])
    history = Node(
        "H", history=depth, default="c2" if depth is HistoryDepth.SHALLOW else "d2"
    )
    return chart_spec(
        [Node("C", [history, Node("c1"), c2], initial="c1"), Node("X")],
        [
            Arrow("go", "c1", "c2"),
            Arrow("out", "C", "X"),
            Arrow("back", "X", "H"),
            Arrow("next", "d1", "d2"),
        ],
        initial=initial,
    )


def test_history_without_a_record_enters_its_default() -> None:
    shallow = run(_history_chart(HistoryDepth.SHALLOW, initial="X"), ["back"])
    assert shallow[1] == (["-X", "t2", "+C", "+c2", "+d1"], ("d1",))
    deep = run(_history_chart(HistoryDepth.DEEP, initial="X"), ["back"])
    assert deep[1] == (["-X", "t2", "+C", "+c2", "+d2"], ("d2",))


def test_shallow_history_restores_the_child_with_its_default_descent() -> None:
    found = run(
        _history_chart(HistoryDepth.SHALLOW),
        ["out", "back", "go", "next", "out", "back"],
    )
    assert found[2] == (["-X", "t2", "+C", "+c1"], ("c1",))
    assert found[5] == (["-d2", "-c2", "-C", "t1", "+X"], ("X",))
    assert found[6] == (["-X", "t2", "+C", "+c2", "+d1"], ("d1",))


def test_deep_history_restores_the_atomic_state() -> None:
    spec = _history_chart(HistoryDepth.DEEP)
    found = run(spec, ["go", "next", "out", "back"])
    assert found[4] == (["-X", "t2", "+C", "+c2", "+d2"], ("d2",))
    tables = build_configuration_tables(Chart(spec))
    assert Configuration(("X",), (("H", ("d2",)),)) in tables.keys


def test_internal_transitions_keep_a_compound_source_and_not_an_atomic_one() -> None:
    spec = chart_spec(
        [Node("S", [Node("a"), Node("b")])],
        [
            Arrow("e", "S", "b", internal=True),
            Arrow("f", "S", "b"),
            Arrow("g", "b", "b", internal=True),
        ],
    )
    _, internal, external, atomic = run(spec, ["e", "f", "g"])
    assert internal == (["-a", "t0", "+b"], ("b",))
    assert external == (["-b", "-S", "t1", "+S", "+b"], ("b",))
    assert atomic == (["-b", "t2", "+b"], ("b",))  # W3C: as if external


def _internal_into_history() -> MachineSpec:
    """t0 is internal, from A and B, to the deep history H of R, their parent."""
    return chart_spec(
        [
            Node(
                "P",
                [
                    Node(
                        "R",
                        [
                            Node("A", [Node("a1"), Node("a2")]),
                            Node("B", [Node("b1"), Node("b2")]),
                            Node("H", history=HistoryDepth.DEEP, default="b2"),
                        ],
                    ),
                    Node("Q", [Node("w")]),
                ],
                parallel=True,
            ),
            Node("X"),
        ],
        [
            Arrow("e", ("A", "B"), "H", internal=True),
            Arrow("f", "b2", "b1"),
            Arrow("out", "P", "X"),
            Arrow("back", "X", "H"),
            Arrow("g", "b1", "A"),
        ],
    )


INTO_HISTORY = ["e", "e", "f", "out", "back", "e", "g", "e", "g", "out", "back", "e"]


def test_internal_into_a_deep_history_keeps_a_source_holding_the_record() -> None:
    # getTransitionDomain takes the effective targets (the record, else the
    # default). When they lie inside the source, the domain is the source
    # (not exited); H's entry still adds the record's ancestors below R, so
    # the source runs on_enter while it stays active (the quirk
    # docs/statecharts.md names). Elsewhere the domain is R, as for an
    # external transition.
    found = run(_internal_into_history(), INTO_HISTORY)
    assert found[0] == (["+P", "+R", "+A", "+a1", "+Q", "+w"], ("a1", "w"))
    # The default b2 is outside A: the domain is R, A exits.
    assert found[1] == (["-a1", "-A", "t0", "+B", "+b2"], ("b2", "w"))
    # The default b2 is inside B: only b2 exits, B enters again.
    assert found[2] == (["-b2", "t0", "+B", "+b2"], ("b2", "w"))
    assert found[4] == (["-w", "-Q", "-b1", "-B", "-R", "-P", "t2", "+X"], ("X",))
    assert found[5] == (["-X", "t3", "+P", "+R", "+B", "+b1", "+Q", "+w"], ("b1", "w"))
    # The record b1 is inside B.
    assert found[6] == (["-b1", "t0", "+B", "+b1"], ("b1", "w"))
    assert found[7] == (["-b1", "-B", "t4", "+A", "+a1"], ("a1", "w"))
    # The record b1 is outside A: the domain is R again.
    assert found[8] == (["-a1", "-A", "t0", "+B", "+b1"], ("b1", "w"))
    # Leaving from a1 records it; then the record is inside A.
    assert found[11][1] == ("a1", "w")
    assert found[12] == (["-a1", "t0", "+A", "+a1"], ("a1", "w"))


@pytest.mark.parametrize("limits", [None, FACTORED], ids=["tabled", "factored"])
def test_internal_into_a_deep_history_in_generated_modules(
    limits: Limits | None,
) -> None:
    # The factored plan decides the domain per recorded state: the source
    # for a record inside it (it once took the LCCA and exited B).
    spec = module_ready(_internal_into_history())
    source, diagnostics = generate(spec, format=False, limits=limits)
    assert source is not None, [d.format() for d in diagnostics]
    module = load(source)
    assert hasattr(module, "_FACTORED") is (limits is FACTORED)
    machine = module.Machine(guards=None)
    oracle = Oracle(spec, lambda name: True)
    result = machine.start()
    expected = run(spec, INTO_HISTORY)
    for event, (_, atomic) in zip([None, *INTO_HISTORY], expected, strict=True):
        if event is not None:
            result = machine.process(result.configuration, event)
            oracle.send(event, lambda: None)
        assert list(result.all_actions) == [n for _, _, n in oracle.take_log()]
        assert set(result.configuration.active) == set(atomic), event


def _regions() -> list[Node]:
    return [
        Node(
            "P",
            [
                Node("R1", [Node("x1"), Node("y1")]),
                Node("R2", [Node("x2"), Node("y2")]),
            ],
            parallel=True,
        ),
        Node("Z"),
    ]


def test_parallel_regions_take_their_transitions_in_document_order() -> None:
    spec = chart_spec(_regions(), [Arrow("g", "x1", "y1"), Arrow("g", "x2", "y2")])
    (entry, config), step = run(spec, ["g"])
    assert entry == ["+P", "+R1", "+x1", "+R2", "+x2"]
    assert config == ("x1", "x2")
    assert step == (["-x2", "-x1", "t0", "t1", "+y1", "+y2"], ("y1", "y2"))


def test_a_conflicting_later_transition_is_dropped() -> None:
    spec = chart_spec(_regions(), [Arrow("e", "x1", "y1"), Arrow("e", "x2", "Z")])
    assert run(spec, ["e"])[1] == (["-x1", "t0", "+y1"], ("y1", "x2"))


def test_a_descendant_source_replaces_an_earlier_ancestor_transition() -> None:
    spec = chart_spec(_regions(), [Arrow("f", "P", "Z"), Arrow("f", "x2", "y2")])
    assert run(spec, ["f"])[1] == (["-x2", "t1", "+y2"], ("x1", "y2"))


def test_done_events_of_compound_and_parallel_states() -> None:
    compound = chart_spec(
        [Node("C", [Node("c1"), Node("f", final=True)]), Node("D")],
        [Arrow("e", "c1", "f"), Arrow("done.state.C", "C", "D")],
    )
    assert run(compound, ["e"])[1] == (
        ["-c1", "t0", "+f", "-f", "-C", "t1", "+D"],
        ("D",),
    )
    regions = [
        Node(
            "P",
            [
                Node("R1", [Node("r1"), Node("f1", final=True)]),
                Node("R2", [Node("r2"), Node("f2", final=True)]),
            ],
            parallel=True,
        ),
        Node("D"),
    ]
    parallel = chart_spec(
        regions,
        [
            Arrow("a", "r1", "f1"),
            Arrow("b", "r2", "f2"),
            Arrow("done.state.P", "P", "D"),
        ],
    )
    _, first, second = run(parallel, ["a", "b"])
    assert first == (["-r1", "t0", "+f1"], ("f1", "r2"))
    assert second == (
        ["-r2", "t1", "+f2", "-f2", "-R2", "-f1", "-R1", "-P", "t2", "+D"],
        ("D",),
    )


def _eventless() -> MachineSpec:
    return chart_spec(
        [
            Node("A"),
            Node("B", always=[("C", (), False)]),
            Node("C", always=[("D", ("g0",), False)]),
            Node("D"),
        ],
        [Arrow("e", "A", "B")],
    )


def test_eventless_chains_fold_unguarded_steps_and_resume_on_guards() -> None:
    spec = _eventless()
    taken = run(spec, ["e"])[1]
    assert taken == (
        ["-A", "t0", "+B", "-B", "always:B:0", "+C", "-C", "always:C:0", "+D"],
        ("D",),
    )
    stopped = run(spec, ["e"], guard=lambda name: False)[1]
    assert stopped == (["-A", "t0", "+B", "-B", "always:B:0", "+C"], ("C",))
    tables = build_configuration_tables(Chart(spec))
    step = tables.cells[Configuration(("A",))]["e"].steps[(0,)]
    assert len(step.microsteps) == 2  # the unguarded B -> C is folded in
    assert step.resume is not None and step.resume.phase is ResumePhase.EVENTLESS
    assert tables.idle[Configuration(("C",))] == step.resume


def test_an_unguarded_eventless_loop_is_a_problem() -> None:
    spec = chart_spec(
        [
            Node("A"),
            Node("B", always=[("C", (), False)]),
            Node("C", always=[("B", (), False)]),
        ],
        [Arrow("e", "A", "B")],
    )
    with pytest.raises(ChartProblem) as caught:
        build_configuration_tables(Chart(spec))
    problem = caught.value.problem
    assert problem.kind is ProblemKind.EVENTLESS_CYCLE
    assert set(problem.states) == {"B", "C"}
    oracle = Oracle(spec, lambda name: True)
    with pytest.raises(Runaway):
        oracle.send("e", lambda: None)


def test_a_done_event_loop_is_a_problem() -> None:
    spec = chart_spec(
        [Node("A"), Node("C", [Node("f", final=True)])],
        [Arrow("e", "A", "C"), Arrow("done.state.C", "C", "C")],
    )
    with pytest.raises(ChartProblem):
        build_configuration_tables(Chart(spec))


def test_a_guarded_loop_compiles_and_diverges_only_when_its_guards_pass() -> None:
    spec = chart_spec(
        [
            Node("A"),
            Node("B", always=[("C", ("g0",), False)]),
            Node("C", always=[("B", ("g0",), False)]),
        ],
        [Arrow("e", "A", "B")],
    )
    tables = build_configuration_tables(Chart(spec))
    first = start(tables, lambda name: True)
    assert process(
        tables, first.configuration, "e", lambda name: False
    ).configuration == (Configuration(("B",)))
    with pytest.raises(Diverged):
        process(tables, first.configuration, "e", lambda name: True)
    oracle = Oracle(spec, lambda name: True)
    with pytest.raises(Runaway):
        oracle.send("e", lambda: None)


def test_after_deadlines_start_on_entry_and_fire_as_their_trigger() -> None:
    spec = chart_spec(
        [Node("S", [Node("a")], after=[(5, "T", ())]), Node("T")],
        [],
    )
    tables = build_configuration_tables(Chart(spec))
    assert tables.start.deadlines == (Deadline(Delay("S", 0), 5),)
    fired = tables.cells[Configuration(("a",))][Delay("S", 0)].steps[(0,)]
    assert fired.cancelled == ("S",)
    assert run(spec, [Delay("S", 0)])[1] == (["-a", "-S", "after:S:0", "+T"], ("T",))


def test_the_table_rule_picks_the_mode() -> None:
    compound = chart_spec(
        [Node("top", [Node(f"n{i}") for i in range(400)])],
        [Arrow("e", f"n{i}", f"n{i + 1}") for i in range(399)],
    )
    tables = compile_chart(compound)
    assert isinstance(tables, ConfigurationTables) and tables.keyed_by_state
    assert len(tables.keys) == 400  # no limit without parallel or history
    small = compile_chart(chart_spec(_regions(), [Arrow("g", "x1", "y1")]))
    assert isinstance(small, ConfigurationTables) and not small.keyed_by_state
    regions = [Node(f"R{r}", [Node(f"s{r}_{i}") for i in range(4)]) for r in range(5)]
    wide = chart_spec(
        [Node("P", regions, parallel=True)],
        [
            Arrow(f"e{r}", f"s{r}_{i}", f"s{r}_{(i + 1) % 4}")
            for r in range(5)
            for i in range(4)
        ],
    )
    factored = compile_chart(wide)
    assert not isinstance(factored, ConfigurationTables)  # 4**5 > 256
    runner = FactoredRunner(factored, lambda name: True)
    oracle = Oracle(wide, lambda name: True)
    outcome = runner.start()
    assert [
        (a.phase.value, a.owner, a.name) for a in outcome.actions
    ] == oracle.take_log()
    for trigger in ["e0", "e3", "e3", "e1", "e0", "e4", "e2"]:
        outcome = runner.process(outcome.configuration, trigger)
        oracle.send(trigger, lambda: None)
        plain = [(a.phase.value, a.owner, a.name) for a in outcome.actions]
        assert plain == oracle.take_log()
        assert outcome.configuration.atomic == oracle.configuration()
    assert outcome.configuration.atomic == ("s0_2", "s1_1", "s2_1", "s3_2", "s4_1")
