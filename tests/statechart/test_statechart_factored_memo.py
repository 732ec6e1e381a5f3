"""The factored machine's memo returns what the combination would.

A factored module's machine keeps the results it combined (per class, at
most ``memo_size`` nodes; ``runtime/gubernator_runtime/factored_memo.py``).
On the random charts of the differential tests, generated in the factored
mode, the same module loaded three times, with the memo off
(``memo_size = 0``), on (the default) and tiny (emptied every few calls),
must give equal results (``to_dict``) and raise alike for every call:
events and ``after:`` ticks whose guards answer from the context, each call
made twice so that the second is the memo's.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from gubernator_runtime import (
    ConfigurationError,
    EndlessMacrostepError,
    GuardError,
    entry_times,
)
from gubernator_runtime.factored_memo import Ask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from statechart_charts import (
    CONFIGURED,
    CONFIGURED_DELAYED,
    EVENTS,
    GUARDS,
    Shown,
    parallel_charts,
    random_charts,
)
from statechart_modules import FACTORED, generate, load, module_ready

from gubernator_gen.frontend import read_spec
from gubernator_gen.model import MachineSpec

PROFILE = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    report_multiple_bugs=False,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Calls: an event (or, for a chart with ``after:`` entries, a tick of a
#: second when the pick is 2) and the guards' answers (bits of the number).
CALLS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 7)), min_size=4, max_size=30
)
CASE = Path(__file__).parents[1] / "cases" / "generate" / "statechart_factored.yaml"
EPOCH = datetime(2030, 1, 1, tzinfo=timezone.utc)
#: The tiny memo: emptied every few insertions.
TINY = 3


GUARD_BINDING = {name: (lambda ctx, name=name: bool(ctx.get(name))) for name in GUARDS}


def _machines(spec: MachineSpec) -> tuple[Any, Any, Any] | None:
    """The chart's factored module's machine with the memo off, on and
    tiny; ``None`` for a chart the generator refuses or tables."""
    source, _ = generate(spec, format=False, limits=FACTORED)
    if source is None:
        event("refused")
        return None
    if "_FACTORED" not in source:
        event("not factored (no parallel state, no history)")
        return None
    machines = []
    for size in (0, None, TINY):
        machine_class = load(source).Machine
        if size is not None:
            machine_class.memo_size = size
        machines.append(machine_class(guards=GUARD_BINDING))
    return machines[0], machines[1], machines[2]


def _outcome(call: Any, machine: Any) -> Any:
    """What ``call`` returned on ``machine`` (``to_dict``; ``None`` for no
    result) or the text of the ``EndlessMacrostepError`` it raised."""
    try:
        result = call(machine)
    except EndlessMacrostepError as error:
        return ("raised", str(error))
    return None if result is None else result.to_dict()


def _caller(
    text: str,
    trigger: str | None,
    entered: dict[str, datetime],
    now: datetime,
    context: dict[str, bool],
) -> Any:
    """One call, to be made on each machine: ``process`` of ``trigger``, or
    ``check_timeout`` at ``now`` (``trigger`` ``None``)."""

    def call(machine: Any) -> Any:
        if trigger is None:
            return machine.check_timeout(text, entered, now, context)
        return machine.process(text, trigger, context)

    return call


def _compare(spec: MachineSpec, calls: list[tuple[int, int]]) -> None:
    machines = _machines(spec)
    if machines is None:
        return
    plain, kept, tiny = machines
    try:
        started = plain.start()
    except EndlessMacrostepError:
        event("endless start")
        return
    stored: Any = started.configuration
    now = EPOCH
    entered = entry_times({}, started, now)
    delayed = any(state.after for state in spec.states)
    for pick, bits in calls:
        context = {name: bool(bits >> i & 1) for i, name in enumerate(GUARDS)}
        tick = delayed and pick == 2
        if tick:
            now += timedelta(seconds=1)
        trigger = None if tick else EVENTS[pick % len(EVENTS)]
        call = _caller(str(stored), trigger, entered, now, context)
        expected = _outcome(call, plain)
        for machine in (kept, tiny, kept):  # the second call to kept: a hit
            assert _outcome(call, machine) == expected
        if isinstance(expected, dict) and expected.get("configuration"):
            stored = plain.configuration_type.parse(expected["configuration"])
            result = call(plain)
            entered = entry_times(entered, result, now)
        event("call compared")
    if any(
        isinstance(node, Ask) for row in kept._rows.values() for node in row.values()
    ):
        event("a kept path asks guards")


@PROFILE
@given(random_charts(features=CONFIGURED).map(Shown), CALLS)
def test_the_memo_changes_no_result_on_random_charts(
    chart: Shown, calls: list[tuple[int, int]]
) -> None:
    _compare(module_ready(chart.spec), calls)


@PROFILE
@given(random_charts(features=CONFIGURED_DELAYED).map(Shown), CALLS)
def test_the_memo_changes_no_result_on_charts_with_after(
    chart: Shown, calls: list[tuple[int, int]]
) -> None:
    _compare(module_ready(chart.spec), calls)


@PROFILE
@given(parallel_charts().map(Shown), CALLS)
def test_the_memo_changes_no_result_on_parallel_regions(
    chart: Shown, calls: list[tuple[int, int]]
) -> None:
    _compare(module_ready(chart.spec), calls)


class ContextGuards:
    """The case's guards, answering from the context."""

    def ready(self, ctx: Any) -> bool:
        return bool(ctx["ready"])

    def blocked(self, ctx: Any) -> bool:
        return bool(ctx["blocked"])

    def under(self, ctx: Any, limit: int) -> bool:
        return bool(ctx["under"]) and limit == 3


def test_threads_sharing_a_tiny_memo_get_the_combined_results() -> None:
    """Threads calling one class whose memo is emptied every few calls get
    the results of the machine without a memo (the factored case)."""
    read = read_spec(CASE, defines={}, environ={})
    assert read.spec is not None
    source, _ = generate(read.spec)
    assert source is not None and "_FACTORED" in source
    plain_class, kept_class = load(source).Machine, load(source).Machine
    plain_class.memo_size, kept_class.memo_size = 0, TINY
    plain, kept = (
        plain_class(guards=ContextGuards()),
        kept_class(guards=ContextGuards()),
    )
    events = ("go", "resume", "a", "b", "c", "pause", "nothing")
    calls = []
    stored = plain.start().configuration
    for step in range(60):
        context = {
            "ready": step % 3 > 0,
            "blocked": step % 5 == 0,
            "under": True,
            "attempts": step % 4,
        }
        trigger = events[step * 3 % len(events)]
        result = plain.process(stored, trigger, context)
        calls.append((str(stored), trigger, context, result.to_dict()))
        if result.configuration is not None:
            stored = result.configuration
    assert len({text for text, *_ in calls}) > 3
    wrong: list[Any] = []

    def work() -> None:
        for _ in range(20):
            for text, trigger, context, expected in calls:
                if kept.process(text, trigger, context).to_dict() != expected:
                    wrong.append((text, trigger, context))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    # Over the bound only by what threads that passed its check at once
    # added: here at most two nodes each (one guard test per event).
    assert kept._memo.size <= TINY + 2 * len(threads)


def test_a_guard_raising_on_a_kept_path_is_reported_as_without_the_memo() -> None:
    """A guard asked on a kept path that raises, or a guard a machine built
    without guards would need, fails as the combination fails."""
    read = read_spec(CASE, defines={}, environ={})
    assert read.spec is not None
    source, _ = generate(read.spec)
    assert source is not None
    plain_class, kept_class = load(source).Machine, load(source).Machine
    plain_class.memo_size = 0
    kept = kept_class(guards=ContextGuards())
    plain = plain_class(guards=ContextGuards())
    asked = {"ready": True, "blocked": False, "under": True, "attempts": 0}
    stored = str(plain.process(plain.start().configuration, "go").configuration)
    assert kept.process(stored, "a", asked).to_dict() == (
        plain.process(stored, "a", asked).to_dict()
    )
    assert kept._rows[stored]["a"].__class__ is Ask  # the kept path asks
    errors = []
    for machine in (kept, plain):
        with pytest.raises(GuardError) as raised:
            machine.process(stored, "a", {})  # ``ready`` finds no key
        errors.append((str(raised.value), type(raised.value.__cause__)))
    assert errors[0] == errors[1]
    assert errors[0][1] is KeyError
    for machine_class in (kept_class, plain_class):
        with pytest.raises(ConfigurationError) as missing:
            machine_class().process(stored, "a", asked)
        errors.append(str(missing.value))
    assert errors[2] == errors[3]
