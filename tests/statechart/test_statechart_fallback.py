"""``error_policy.default_fallback`` in a statechart's module, against the oracle.

The fallback the executor proposes after failed actions is an SCXML
external transition from the first active atomic state of where the result
went to the fallback state. The oracle runs the same chart with one more
event, ``fb``, taken by a transition from every atomic state to the
fallback state; the module's proposal must run the oracle's actions in
order and rest in its configuration.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from statechart_charts import (
    COMPOUND_ONLY,
    CONFIGURED_IN_STATE,
    EVENTS,
    Shown,
    parallel_charts,
    random_charts,
)
from statechart_modules import generate, load, module_ready
from statechart_oracle import Oracle
from test_statechart_modules import PROFILE, RUNS, Guards, _agrees, _names, _stored

from gubernator_gen.model import EMPTY_METADATA, ErrorPolicy, MachineSpec, Transition

#: A fallback move that goes on with guarded eventless transitions is
#: refused, and this test's driving loop follows no runaway: charts here have
#: unguarded eventless transitions only.
_COMPOUND = dataclasses.replace(COMPOUND_ONLY, guarded_eventless=False)
_CONFIGURED = dataclasses.replace(
    CONFIGURED_IN_STATE, in_state=False, guarded_eventless=False
)


def _with_fallback(spec: MachineSpec, pick: int) -> tuple[MachineSpec, MachineSpec]:
    """``spec`` with a default fallback, and the oracle's chart: the same
    with a transition on ``fb`` from every atomic state to it."""
    states = [s.name for s in spec.states if not s.is_history]
    fallback = states[pick % len(states)]
    spec = dataclasses.replace(spec, error_policy=ErrorPolicy(fallback))
    children = spec.tree.children
    atomic = tuple(
        name
        for name in states
        if not [c for c in children.get(name, ()) if not spec.state(c).is_history]
    )
    pseudo = Transition(
        len(spec.transitions),
        "fb",
        atomic,
        fallback,
        (),
        (),
        "",
        EMPTY_METADATA,
        spec.pos,
    )
    return spec, dataclasses.replace(spec, transitions=(*spec.transitions, pseudo))


def _failing(module: Any) -> dict[str, Any]:
    """Every action of the machine, each raising."""

    def fail(ctx: Any) -> None:
        raise RuntimeError("failed")

    return {name: fail for name in module.Actions.__dict__ if not name.startswith("_")}


def _check(chart: Shown, runs: list[list[int]], seed: int, pick: int) -> None:
    spec, charted = _with_fallback(module_ready(chart.spec), pick)
    source, diagnostics = generate(spec, format=False)
    if source is None:
        event(f"refused: {diagnostics[0].code}")
        return
    module = load(source)
    guards = Guards(seed)
    machine = module.Machine(guards=guards.binding(("g0", "g1", "g2")))
    executor = machine.executor(_failing(module))
    for picks in runs:
        guards.event = 0
        result = machine.start()
        oracle = Oracle(charted, guards)
        oracle.take_log()
        for number, pick_event in enumerate(picks, start=1):
            guards.event = number
            trigger = EVENTS[pick_event % len(EVENTS)]
            processed = machine.process(_stored(module, result), trigger)
            oracle.send(trigger, lambda: None)
            oracle.take_log()
            if processed.success:
                result = processed
        note(f"fallback from {_stored(module, result)}")
        proposed = executor.execute(result, None).fallback
        inside = spec.error_policy.default_fallback in {
            a for s in oracle.configuration() for a in (s, *spec.tree.ancestors(s))
        }
        if proposed is None:
            assert inside or not result.all_actions
            event("no fallback: inside the fallback state")
            continue
        guards.event += 1
        oracle.send("fb", lambda: None)
        assert list(proposed.all_actions) == _names(oracle.take_log())
        assert proposed.trigger == "_fallback"
        assert dict(proposed.metadata)["reason"] == "action_failed"
        _agrees(module, _stored(module, proposed), oracle)
        event("fallback compared")


@settings(PROFILE, max_examples=200)
@given(
    random_charts(features=_COMPOUND).map(Shown),
    RUNS,
    st.integers(0, 7),
    st.integers(0, 30),
)
def test_compound_fallbacks_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int, pick: int
) -> None:
    _check(chart, runs, seed, pick)


@settings(PROFILE, max_examples=200)
@given(
    random_charts(features=_CONFIGURED).map(Shown),
    RUNS,
    st.integers(0, 7),
    st.integers(0, 30),
)
def test_fallbacks_on_configurations_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int, pick: int
) -> None:
    _check(chart, runs, seed, pick)


@settings(PROFILE, max_examples=150)
@given(parallel_charts().map(Shown), RUNS, st.integers(0, 7), st.integers(0, 30))
def test_fallbacks_of_regions_with_history_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int, pick: int
) -> None:
    _check(chart, runs, seed, pick)
