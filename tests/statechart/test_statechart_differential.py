"""Differential test: our tables against python-statemachine (SCXML).

Random charts (see ``statechart_charts``), random event sequences and
guard outcomes that are a pure function of the guard's name and the
number of the event being processed: after the start and after every
event, the active atomic states, the history record and the exact ordered
list of exit, transition and entry actions must be the same.

Where the oracle departs from W3C SCXML it is adjusted towards W3C (see
``statechart_oracle`` and ``docs/statecharts.md``); no case is excluded.
A macrostep that never ends is compared too: our bound must trip exactly
when the oracle runs away.
"""

from __future__ import annotations

import zlib

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from statechart_charts import (
    EVENTS,
    Shown,
    history_charts,
    parallel_charts,
    random_charts,
)
from statechart_factored import FactoredRunner, RuntimeCheck
from statechart_oracle import Oracle, Runaway
from statechart_stepper import Diverged, Outcome, process, start

from gubernator_gen.backend.statechart.chart import ALWAYS, Chart, Delay, TriggerKey
from gubernator_gen.backend.statechart.configurations import (
    ChartProblem,
    Limits,
    TooLarge,
    build_configuration_tables,
)
from gubernator_gen.backend.statechart.factored import build_factored_tables
from gubernator_gen.backend.statechart.tables import ActionCall, Configuration
from gubernator_gen.model import MachineSpec

#: 200 charts a mode, 300 parallel ones: test_statechart_modules runs the
#: modules built on these tables against the same oracle on thousands more.
PROFILE = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    report_multiple_bugs=False,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


#: One to three event sequences per chart, each from a fresh start.
RUNS = st.lists(st.lists(st.integers(0, 50), max_size=10), min_size=1, max_size=3)
#: The differential test builds configuration tables well past the
#: production limits, so that mode is compared on nearly every random chart;
#: a chart beyond even these is compared in the factored mode only (both
#: tests run on every chart) and labelled.
GENEROUS = Limits(keys=2_000, cells=20_000, combinations=1_024)


class Guards:
    """Guard outcomes: a pure function of (seed, guard, event number)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.event = 0

    def __call__(self, name: str) -> bool:
        digest = zlib.crc32(f"{self.seed}:{name}:{self.event}".encode())
        return digest % 2 == 0


def _triggers(spec: MachineSpec) -> list[TriggerKey]:
    found: list[TriggerKey] = list(EVENTS)
    for state in spec.states:
        found.extend(Delay(state.name, i) for i in range(len(state.after)))
    return found


def _plain(actions: tuple[ActionCall, ...]) -> list[tuple[str, str, str]]:
    return [(a.phase.value, a.owner, a.name) for a in actions]


class _Tables:
    """Both modes behind one interface: start and process."""

    def __init__(self, spec: MachineSpec, mode: str, guards: Guards) -> None:
        chart = Chart(spec)
        self.guards = guards
        self.configuration = (
            build_configuration_tables(chart, GENEROUS) if mode == "A" else None
        )
        factored = build_factored_tables(chart)
        self.factored = FactoredRunner(factored, guards)
        self.runtime = RuntimeCheck(spec, factored, guards)

    def start(self) -> Outcome:
        if self.configuration is not None:
            return start(self.configuration, self.guards)
        try:
            outcome = self.factored.start()
        except Diverged:
            self.runtime.start(None)
            raise
        self.runtime.start(outcome)
        return outcome

    def process(self, config: Configuration, trigger: TriggerKey) -> Outcome:
        if self.configuration is not None:
            return process(self.configuration, config, trigger, self.guards)
        try:
            outcome = self.factored.process(config, trigger)
        except Diverged:
            self.runtime.process(config, trigger, None)
            raise
        self.runtime.process(config, trigger, outcome)
        return outcome


def _problem_is_real(spec: MachineSpec, problem: ChartProblem, seed: int) -> _Tables:
    """A build problem must be a loop the factored runner also finds."""
    found = problem.problem
    assert found.configuration is not None
    runner = FactoredRunner(build_factored_tables(Chart(spec)), Guards(seed))
    with pytest.raises(Diverged):
        runner.settle(found.configuration, list(found.queue), [])
    event("build problem confirmed")
    return _Tables(spec, "B", Guards(seed))


def _compare(spec: MachineSpec, mode: str, runs: list[list[int]], seed: int) -> None:
    """Run ``spec`` on both sides, once per event sequence of ``runs``."""
    try:
        ours = _Tables(spec, mode, Guards(seed))
    except ChartProblem as problem:
        ours = _problem_is_real(spec, problem, seed)
    except TooLarge:
        event("too large for the configuration mode: factored only")
        ours = _Tables(spec, "B", Guards(seed))
    for picks in runs:
        ours.guards.event = 0
        _compare_run(spec, ours, picks)


def _compare_run(spec: MachineSpec, ours: _Tables, picks: list[int]) -> None:
    """Compare after the start and after every event of ``picks``."""
    guards = ours.guards
    triggers = _triggers(spec)
    try:
        outcome: Outcome | None = ours.start()
    except Diverged:
        outcome = None
    try:
        oracle = Oracle(spec, guards)
    except Runaway:
        assert outcome is None, "the oracle ran away at the start but we did not"
        event("runaway compared")
        return
    assert outcome is not None, "we diverged at the start but the oracle did not"
    assert _plain(outcome.actions) == oracle.take_log()
    assert outcome.configuration.atomic == oracle.configuration()
    config = outcome.configuration
    for number, pick in enumerate(picks, start=1):
        trigger = triggers[pick % len(triggers)]
        note(f"event {number}: {trigger!r} from {config}")

        def taken(number: int = number) -> None:
            guards.event = number

        taken()
        try:
            outcome = ours.process(config, trigger)
        except Diverged:
            outcome = None
        guards.event = number - 1  # until the oracle takes the event
        try:
            oracle.send(trigger, taken)
        except Runaway:
            assert outcome is None, f"the oracle ran away on {trigger!r}, we did not"
            event("runaway compared")
            return
        assert outcome is not None, f"we diverged on {trigger!r}, the oracle did not"
        assert _plain(outcome.actions) == oracle.take_log(), trigger
        assert outcome.configuration.atomic == oracle.configuration(), trigger
        assert outcome.configuration.history == oracle.history(), trigger
        config = outcome.configuration
        _features(ours, outcome)
    event("sequence compared")


def _features(ours: _Tables, outcome: Outcome) -> None:
    """Label what a compared step exercised (``--hypothesis-show-statistics``)."""
    chart = ours.factored.t
    if len(outcome.configuration.atomic) > 1:
        event("parallel configuration")
    for step in outcome.steps:
        for micro in step.microsteps:
            if len(micro.transitions) > 1:
                event("several transitions in one microstep")
            if micro.raised:
                event("done.state raised")
            if micro.trigger is ALWAYS:
                event("eventless microstep")
            if micro.history:
                event("history recorded")
            for ref in micro.transitions:
                plan = chart.plans[ref]
                if plan.history is not None:
                    event("history target")


@settings(PROFILE)
@given(
    random_charts().map(Shown),
    RUNS,
    st.integers(0, 7),
)
def test_configuration_tables_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(chart.spec, "A", runs, seed)


@settings(PROFILE)
@given(
    random_charts().map(Shown),
    RUNS,
    st.integers(0, 7),
)
def test_factored_tables_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(chart.spec, "B", runs, seed)


@settings(PROFILE, max_examples=300)
@given(parallel_charts().map(Shown), RUNS, st.integers(0, 7), st.sampled_from("AB"))
def test_parallel_regions_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int, mode: str
) -> None:
    _compare(chart.spec, mode, runs, seed)


@settings(PROFILE, max_examples=200)
@given(history_charts().map(Shown), RUNS, st.integers(0, 7), st.sampled_from("AB"))
def test_transitions_into_history_from_inside_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int, mode: str
) -> None:
    """Internal and external transitions from inside a state into its
    history: the domain follows the record or the default (deviation 8)."""
    _compare(chart.spec, mode, runs, seed)
