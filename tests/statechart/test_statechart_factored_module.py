"""The module of a statechart past the table limits (the factored mode).

Its machine derives from ``FactoredMachineBase`` and combines the factored
tables per event; an application must not be able to tell it from the
module of the same chart tabled per configuration: the same results
(``to_dict``, errors included) for the same calls, and the same refusals
of values that are not configurations.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import gubernator_runtime
import pytest
from gubernator_runtime import (
    CompoundStateError,
    ConfigurationError,
    EndlessMacrostepError,
    Event,
    GuardError,
    UnknownConfigurationError,
    entry_times,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statechart_charts import Arrow, Node, chart_spec
from statechart_modules import FACTORED, generate, load, module_ready

from gubernator_gen.backend.statechart import Limits
from gubernator_gen.frontend import read_spec, read_spec_text

CASE = Path(__file__).parents[1] / "cases" / "generate" / "statechart_factored.yaml"
#: The regions the comparison leaves out: the case's 5,000 configurations
#: (history records included) would take the tabled module long to build.
LEFT_OUT = ("name: D", "name: E", "name: d1", "name: e1", "trigger: d,", "trigger: e,")
#: Limits the smaller chart's configurations fit in: its tabled module.
GENEROUS = Limits(keys=2_000, cells=20_000, combinations=1_024)
EVENTS = ("go", "resume", "a", "b", "c", "pause", "nothing")
EPOCH = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _module(limits: Limits | None, smaller: bool = False) -> Any:
    if smaller:
        text = CASE.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in text if not any(w in line for w in LEFT_OUT)]
        read = read_spec_text("".join(kept), path=CASE.name)
    else:
        read = read_spec(CASE, defines={}, environ={})
    assert read.spec is not None, [d.format() for d in read.diagnostics]
    source, diagnostics = generate(read.spec, limits=limits)
    assert source is not None, [d.format() for d in diagnostics]
    return load(source)


@pytest.fixture(scope="module")
def factored() -> Any:
    return _module(None)


@pytest.fixture(scope="module")
def smaller() -> Any:
    return _module(FACTORED, smaller=True)


@pytest.fixture(scope="module")
def tabled() -> Any:
    return _module(GENEROUS, smaller=True)


class Answers:
    """Guards whose answers a test sets."""

    def __init__(self) -> None:
        self.answers = {"ready": True, "blocked": False, "under": True}

    def ready(self, ctx: Any) -> bool:
        return self.answers["ready"]

    def blocked(self, ctx: Any) -> bool:
        return self.answers["blocked"]

    def under(self, ctx: Any, limit: int) -> bool:
        return self.answers["under"] and limit == 3


def test_the_case_is_factored_and_the_generous_one_tabled(
    factored: Any, smaller: Any, tabled: Any
) -> None:
    for module in (factored, smaller):
        assert issubclass(module.Machine, gubernator_runtime.FactoredMachineBase)
        assert not hasattr(module, "_DECISIONS")
    assert hasattr(tabled, "_DECISIONS") and len(tabled._CONFIGURATIONS) > 256
    assert smaller.INITIAL_STATE == tabled.INITIAL_STATE == "idle"


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(EVENTS),
            st.booleans(),
            st.booleans(),
            st.integers(0, 4),
            st.sampled_from((0, 10, 31)),
        ),
        max_size=25,
    )
)
def test_results_cannot_be_told_from_the_tabled_module(
    smaller: Any, tabled: Any, calls: list[tuple[str, bool, bool, int, int]]
) -> None:
    answers = Answers()
    ours, theirs = smaller.Machine(answers), tabled.Machine(answers)
    first, second = ours.start(), theirs.start()
    assert first.to_dict() == second.to_dict()
    stored, entered, now = first.configuration, entry_times({}, first, EPOCH), EPOCH
    for event, ready, blocked, attempts, wait in calls:
        answers.answers.update(ready=ready, blocked=blocked, under=not blocked)
        context = {"attempts": attempts}
        if wait:
            now += timedelta(seconds=wait)
            one = ours.check_timeout(stored, entered, now, context)
            two = theirs.check_timeout(stored, entered, now, context)
            assert ours.next_deadline(stored, entered) == theirs.next_deadline(
                stored, entered
            )
        else:
            one = ours.process(stored, event, context)
            two = theirs.process(stored, event, context)
        assert (one is None) == (two is None)
        if one is None:
            continue
        assert one.to_dict() == two.to_dict()
        if one.success:
            assert isinstance(one.configuration, smaller.Configuration)
            stored, entered = one.configuration, entry_times(entered, one, now)


def test_values_that_are_not_configurations_are_refused(factored: Any) -> None:
    machine = factored.Machine(Answers())
    with pytest.raises(UnknownConfigurationError, match="is a state"):
        machine.process("a1", "a")
    with pytest.raises(CompoundStateError):
        machine.process("P", "a")
    for value in (
        '{"active":["a1","b1"]}',
        "{not json",
        '{"active":["nope"]}',
        '{"active":["idle"],"history":{"back":["b1"]}}',
        '{"active":["idle"],"history":{"back":["a1","a2"]}}',
        3,
    ):
        with pytest.raises(UnknownConfigurationError):
            machine.process(value, "a")
    with pytest.raises(UnknownConfigurationError):
        machine.process([], "a")  # type: ignore[arg-type]


def test_refusals_name_the_guard_and_the_trigger(factored: Any) -> None:
    answers = Answers()
    machine = factored.Machine(answers)
    running = machine.process(machine.start().configuration, "go").configuration
    answers.answers["blocked"] = True
    refused = machine.process(running, "a")
    assert not refused.success
    assert refused.metadata["rejected_by"] == "not blocked"
    assert type(refused.error).__name__ == "GuardRejectedError"
    assert type(machine.process(running, "go").error).__name__ == (
        "InvalidTransitionError"
    )
    assert type(machine.process(running, "fly").error).__name__ == (
        "UndefinedTriggerError"
    )
    with pytest.raises(TypeError):
        machine.process(running, 7)  # type: ignore[arg-type]

    def broken(ctx: Any) -> bool:
        raise RuntimeError("down")

    raising = factored.Machine(
        {"ready": broken, "blocked": answers.blocked, "under": answers.under}
    )
    with pytest.raises(GuardError) as caught:
        raising.process(running, "a")
    assert isinstance(caught.value.__cause__, RuntimeError)
    with pytest.raises(ConfigurationError, match="without guards"):
        factored.Machine().process(running, "a")


def test_an_event_payload_and_assign_reach_the_step(factored: Any) -> None:
    machine = factored.Machine(Answers())
    stored = machine.process(machine.start().configuration, "go").configuration
    stored = machine.process(stored, "a").configuration
    stored = machine.process(stored, "a").configuration
    refused = machine.process(stored, Event("a", {"attempts": 3}))
    assert refused.metadata["rejected_by"] == "attempts < 3"
    taken = machine.process(stored, Event("a", {"attempts": 1}))
    assert dict(taken.context_updates) == {"attempts": 2}
    assert taken.configuration.active == ("a4", "b1", "c1", "d1", "e1")


def test_a_macrostep_that_never_ends_is_a_run_time_error() -> None:
    """``done.state.R1`` re-enters R1's final state, which raises it again;
    the loop lies past the first configuration, so only the run finds it."""
    top = [
        Node("idle"),
        Node(
            "P",
            parallel=True,
            children=[
                Node("R1", children=[Node("x"), Node("xf", final=True)]),
                Node("R2", children=[Node("y")]),
            ],
        ),
    ]
    arrows = [
        Arrow("go", "idle", "P"),
        Arrow("fin", "x", "xf"),
        Arrow("done.state.R1", "R1", "xf"),
    ]
    source, diagnostics = generate(
        module_ready(chart_spec(top, arrows)), limits=FACTORED
    )
    assert source is not None, [d.format() for d in diagnostics]
    machine = load(source).Machine()
    running = machine.process(machine.start().configuration, "go").configuration
    with pytest.raises(EndlessMacrostepError, match="never ends"):
        machine.process(running, "fin")
