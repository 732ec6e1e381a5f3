"""Generated modules of statecharts, driven like an application.

The differential tests generate the module of a random chart, import it,
and drive it with ``start()`` and ``process`` against python-statemachine
(the oracle of ``statechart_oracle``), storing what an application stores:
the atomic state of a compound chart (``COMPOUND_ONLY``: nesting to depth
four, final children and their ``done.state`` events, internal and
unguarded eventless transitions, several sources, guards), or the
configuration of a chart with history and parallel states (``CONFIGURED``,
and ``parallel_charts``, whose regions answer the same events); both also
with ``after:`` entries (``*_DELAYED``), where some events are clock ticks:
the application keeps each state's entry time from ``result.deadlines``
(``entry_times``) and asks ``check_timeout``, while the harness fires the
oracle's delayed events of the entries due at that moment, earliest
deadline first and SCXML priority on a tie, until one takes a transition.
After the
start and every event the stored value must be the oracle's active atomic
states (and history record), and ``all_actions`` its log of exit,
transition and entry actions, in order. The ``*_IN_STATE`` runs add
``in_state`` tests to transitions (and ``after:`` entries); the regions run
with guard forms adds negated guards and ``assign``, whose
``context_updates`` must be those of the transitions the oracle took. A
chart the generator refuses must be an unguarded loop the oracle runs away
on too (GG481), or a construct modules do not run yet (GG480, labelled by
reason in ``--hypothesis-show-statistics``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from gubernator_runtime import (
    EVENTLESS_TRIGGER,
    EndlessMacrostepError,
    Guarded,
    Regions,
    UndefinedTriggerError,
    entry_times,
)
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from statechart_charts import (
    COMPOUND_ASSIGN,
    COMPOUND_DELAYED,
    COMPOUND_DELAYED_IN_STATE,
    COMPOUND_IN_STATE,
    COMPOUND_ONLY,
    CONFIGURED,
    CONFIGURED_DELAYED,
    CONFIGURED_DELAYED_IN_STATE,
    CONFIGURED_IN_STATE,
    EVENTS,
    Shown,
    finishing_charts,
    parallel_charts,
    random_charts,
)
from statechart_modules import FACTORED, generate, load, module_ready
from statechart_oracle import Oracle, Runaway

from gubernator_gen.backend.statechart import Limits
from gubernator_gen.backend.statechart.chart import Delay
from gubernator_gen.expressions import fold
from gubernator_gen.expressions.nodes import (
    ArithOp,
    BinOp,
    Expr,
    FieldRead,
    reads_state,
)
from gubernator_gen.model import ExpressionGuard, MachineSpec

#: 500 charts for each of the four plain tests: a third of the ``after:``
#: tests' charts draw no entry, so some 650 charts of each kind without
#: ``after:`` are compared, and the factored tests draw more. Sized for the
#: suite's time on CI's two cores; derandomized: the same charts every run.
PROFILE = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    report_multiple_bugs=False,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: One to three event sequences per chart, each from a fresh start.
RUNS = st.lists(st.lists(st.integers(0, 50), max_size=12), min_size=1, max_size=3)


class Guards:
    """Guard outcomes: a pure function of (seed, guard, event number)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.event = 0

    def __call__(self, name: str) -> bool:
        digest = zlib.crc32(f"{self.seed}:{name}:{self.event}".encode())
        return digest % 2 == 0

    def binding(self, names: tuple[str, ...]) -> dict[str, Callable[[Any], bool]]:
        """The machine's guards: each asks this object, as the oracle does."""
        return {name: (lambda ctx, name=name: self(name)) for name in names}


def _names(log: list[tuple[str, str, str]]) -> list[str]:
    return [name for _, _, name in log]


#: Refusals (GG480) of what modules do not run yet: the events of a chart
#: that lead to them, by message.
NOT_YET = (
    "several parallel regions may take inside a step",
    "in_state() in a chart past the table limits",
    "assign on a done.state transition taken by start()",
    "assign on a done.state transition in a chart past the table limits",
)


def _compare(
    spec: MachineSpec,
    runs: list[list[int]],
    seed: int,
    limits: Limits | None = None,
) -> None:
    source, diagnostics = generate(spec, format=False, limits=limits)
    guards = Guards(seed)
    if source is None and [d.code for d in diagnostics] == ["GG480"]:
        message = diagnostics[0].message
        reason = next((r for r in NOT_YET if r in message), None)
        assert reason is not None, message
        event(f"refused: {reason}")
        return
    if source is None:
        _refusal_is_a_real_loop(spec, diagnostics, guards)
        return
    module = load(source)
    _label_resumes(module)
    _label_states_asked_inside_a_step(spec)
    if limits is FACTORED:
        event(f"factored: {hasattr(module, '_FACTORED')}")
    machine = module.Machine(guards=guards.binding(("g0", "g1", "g2")))
    for picks in runs:
        guards.event = 0
        try:
            _compare_run(spec, module, machine, guards, picks)
        except _RunOver:
            event("runaway compared")


def _label_resumes(module: Any) -> None:
    """Label the run-time decisions inside a step the module makes."""
    resumes = getattr(module, "_RESUMES", None)
    if resumes is None:
        return
    for cell in resumes.cells.values():
        if isinstance(cell, (Guarded, Regions)):
            internal = cell.trigger != EVENTLESS_TRIGGER
            event(
                f"run-time decision: guarded {'done.state' if internal else 'always'}"
            )


def _label_states_asked_inside_a_step(spec: MachineSpec) -> None:
    """Label the ``in_state`` tests of a compiled chart that are asked inside
    a step (in resume cells, folded per configuration)."""

    def tests_states(items: tuple[Any, ...]) -> bool:
        return any(
            isinstance(i, ExpressionGuard) and reads_state(i.expr) for i in items
        )

    if any(tests_states(a.guard_items) for s in spec.states for a in s.always):
        event("compiled: in_state in an always: guard")
    if any(
        t.trigger.startswith("done.state.") and tests_states(t.guard_items)
        for t in spec.transitions
    ):
        event("compiled: in_state on a done.state transition")


class _RunOver(Exception):
    """Both sides ran away on a timeout: the run ends there."""


def _refusal_is_a_real_loop(
    spec: MachineSpec, diagnostics: tuple[Any, ...], guards: Guards
) -> None:
    """The only refusal of a compound chart: an unguarded loop (GG481) that
    the oracle runs away on, at the start or after some event."""
    assert [d.code for d in diagnostics] == ["GG481"], [d.format() for d in diagnostics]
    event("refused: unguarded loop")
    try:
        oracle = Oracle(spec, guards)
    except Runaway:
        return
    # The loop lies beyond some event: one of them must make the oracle run.
    for trigger in EVENTS:
        for _ in range(6):
            try:
                oracle.send(trigger, lambda: None)
            except Runaway:
                return
    event("refused loop not reached by the oracle in a few events")


def _stored(module: Any, result: Any) -> Any:
    """What the application stores after ``result``: the configuration of a
    machine with history or parallel states, else the state."""
    if hasattr(module, "Configuration"):
        assert isinstance(result.configuration, module.Configuration)
        return result.configuration
    assert result.configuration is None
    return result.target_state


def _agrees(module: Any, stored: Any, oracle: Oracle) -> None:
    """``stored`` is the oracle's configuration (and history record)."""
    if not hasattr(module, "Configuration"):
        assert (stored,) == oracle.configuration()
        if hasattr(module, "leaves"):  # a flat chart has no tree functions
            assert module.leaves(stored) == (stored,)
        return
    assert set(stored.active) == set(oracle.configuration())
    recorded = {h: set(states) for h, states in oracle.history() if states}
    assert {h: set(states) for h, states in stored.history.items()} == recorded
    assert module.Configuration.parse(str(stored)) == stored
    for atomic in stored.active:
        assert stored.is_in(atomic)
        for ancestor in module.ancestors(atomic):
            assert stored.is_in(ancestor)


#: The clock's steps on a tick (seconds); the random charts' delays are 1,
#: 2.5 and 60 seconds.
TICKS = (0.5, 1, 2, 2.5, 61)
#: Where the simulated clock starts.
EPOCH = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _due(
    spec: MachineSpec,
    module: Any,
    stored: Any,
    entered: dict[str, datetime],
    now: datetime,
) -> list[Delay]:
    """The ``after:`` entries due at ``now``, in the order the application
    expects them tried: earliest deadline first, then SCXML priority (each
    active atomic state in document order, then its ancestors outwards)."""
    atomic = stored.active if hasattr(module, "Configuration") else (stored,)
    order = [s.name for s in spec.states]
    priority: dict[str, None] = {}
    for leaf in sorted(atomic, key=order.index):
        priority.setdefault(str(leaf))
        for ancestor in module.ancestors(leaf):
            priority.setdefault(str(ancestor))
    due = []
    for position, name in enumerate(priority):
        for index, after in enumerate(spec.state(name).after):
            if name in entered:
                deadline = entered[name] + timedelta(seconds=after.seconds)
                if deadline <= now:
                    due.append((deadline, position, index, Delay(name, index)))
    return [delay for *_, delay in sorted(due)]


def _tick(
    spec: MachineSpec,
    module: Any,
    machine: Any,
    oracle: Oracle,
    stored: Any,
    clock: tuple[datetime, dict[str, datetime]],
    taken: Callable[[], None],
    guards: Guards,
) -> tuple[Any, bool]:
    """``check_timeout`` against the oracle's delayed events: the result,
    and whether any event was delivered (some entry was due)."""
    now, entered = clock
    due = _due(spec, module, stored, entered, now)
    taken()
    endless = False
    try:
        result = machine.check_timeout(stored, entered, now, _context(spec))
    except EndlessMacrostepError:
        result, endless = None, True
    # The oracle evaluates eventless transitions before it takes the first
    # delayed event, with the guards of the previous epoch (deviation 7).
    guards.event -= 1
    expected: list[str] = []
    updates: dict[str, object] = {}
    for delay in due:
        try:
            oracle.send(delay, taken)
        except Runaway:
            assert endless, f"the oracle ran away on {delay}, the module did not"
            raise _RunOver from None
        log = oracle.take_log()
        expected = _names(log)
        if expected:  # every state runs actions on exit: it fired
            updates = _updates(spec, log, oracle)
            event("after: entry fired")
            break
    assert not endless, "the module's timeout never ended, the oracle's did"
    if result is None:
        assert expected == [], due
        return None, bool(due)
    assert list(result.all_actions) == expected
    assert dict(result.context_updates) == updates
    assert result.trigger == "_timeout"
    return result, True


def _started_in_initial(module: Any, started: Any) -> None:
    """The start's prebuilt step rests in INITIAL_STATE; guarded eventless
    transitions taken right after it may move on. A factored module has no
    prebuilt start: INITIAL_STATE is where it rests when no guard
    intervenes."""
    prebuilt = getattr(module, "_START", None)
    if prebuilt is not None:
        assert prebuilt.target_state == module.INITIAL_STATE
        if getattr(prebuilt, "_resume", None) is None:
            assert started.target_state == module.INITIAL_STATE


#: The context ``process`` is given when the chart has fields (``assign``).
CONTEXT = {"f0": 100, "f1": 200}


def _context(spec: MachineSpec) -> dict[str, int] | None:
    return None if spec.context is None else CONTEXT


def _value(expr: Expr, context: dict[str, object]) -> object:
    """An ``assign`` value of the random charts: a literal, or a field plus
    a literal."""
    if isinstance(expr, BinOp):
        assert isinstance(expr.left, FieldRead) and expr.op is ArithOp.ADD
        total, right = context[expr.left.name], _value(expr.right, context)
        assert isinstance(total, int) and isinstance(right, int)
        return total + right
    return fold(expr)


def _updates(
    spec: MachineSpec, log: list[tuple[str, str, str]], oracle: Oracle
) -> dict[str, object]:
    """The ``assign`` of every transition the event took, microstep after
    microstep (where each began in ``log``: the oracle's marks): one
    microstep's values see the context as it was when it began, the later
    value of a field winning; a later microstep's see the earlier ones'
    updates."""
    starts = oracle.taken_microsteps
    updates: dict[str, object] = {}
    assigning = 0  # the microsteps that assign
    if starts[:1] != [0]:  # the start's first entry is no library microstep
        starts = [0, *starts]
    for begin, end in zip(starts, [*starts[1:], len(log)], strict=True):
        seen = {**CONTEXT, **updates}
        found = [
            entry
            for phase, _, name in log[begin:end]
            if phase == "transition" and name[:1] == "t" and name[1:].isdigit()
            for entry in spec.transitions[int(name[1:])].assign
        ]
        for entry in found:
            updates[entry.target] = _value(entry.expr, seen)
        assigning += bool(found)
    if assigning > 1:
        event("assign in several microsteps of a step")
    return updates


def _compare_run(
    spec: MachineSpec, module: Any, machine: Any, guards: Guards, picks: list[int]
) -> None:
    delayed = any(state.after for state in spec.states)
    try:
        started = machine.start(_context(spec))
    except EndlessMacrostepError:
        started = None
    try:
        oracle = Oracle(spec, guards)
    except Runaway:
        assert started is None, "the oracle ran away at the start, the module did not"
        event("runaway compared")
        return
    assert started is not None, "the module's start never ended, the oracle's did"
    log = oracle.take_log()
    assert list(started.all_actions) == _names(log)
    assert dict(started.context_updates) == _updates(spec, log, oracle)
    _started_in_initial(module, started)
    now = EPOCH
    entered = entry_times({}, started, now)
    stored = _stored(module, started)
    _agrees(module, stored, oracle)
    number = 0  # the events delivered so far: the guards' epoch
    for pick in picks:
        number += 1
        trigger = EVENTS[pick % len(EVENTS)]

        def taken(number: int = number) -> None:
            guards.event = number

        if delayed and pick % 3 == 0:
            now += timedelta(seconds=TICKS[pick % len(TICKS)])
            note(f"event {number}: tick to {now} from {stored}")
            timed, delivered = _tick(
                spec, module, machine, oracle, stored, (now, entered), taken, guards
            )
            if not delivered:
                number -= 1  # the oracle saw nothing: the epoch stays
            if timed is not None:
                stored = _stored(module, timed)
                entered = entry_times(entered, timed, now)
            _agrees(module, stored, oracle)
            continue
        note(f"event {number}: {trigger!r} from {stored}")
        taken()
        try:
            result = machine.process(stored, trigger, _context(spec))
        except EndlessMacrostepError:
            result = None
        if result is not None and isinstance(result.error, UndefinedTriggerError):
            # Not an event of this machine: refused before anything runs,
            # the eventless transitions W3C would try after it included. The
            # oracle never sees it, so the guards' epoch stays where it was.
            event("undefined trigger")
            number -= 1
            continue
        guards.event = number - 1  # until the oracle takes the event
        try:
            oracle.send(trigger, taken)
        except Runaway:
            assert result is None, f"the oracle ran away on {trigger!r}, not the module"
            event("runaway compared")
            return
        assert result is not None, (
            f"the module's {trigger!r} never ended, the oracle's did"
        )
        log = oracle.take_log()
        expected = _names(log)
        if result.success:
            assert list(result.all_actions) == expected, trigger
            assert dict(result.context_updates) == _updates(spec, log, oracle)
            stored = _stored(module, result)
            entered = entry_times(entered, result, now)
        else:
            assert expected == [], (trigger, result.error)
        _agrees(module, stored, oracle)
        event("event compared")


@PROFILE
@given(random_charts(features=COMPOUND_ONLY).map(Shown), RUNS, st.integers(0, 7))
def test_generated_compound_modules_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@PROFILE
@given(random_charts(features=CONFIGURED).map(Shown), RUNS, st.integers(0, 7))
def test_generated_modules_on_configurations_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=300)
@given(parallel_charts().map(Shown), RUNS, st.integers(0, 7))
def test_generated_modules_of_parallel_regions_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@PROFILE
@given(random_charts(features=COMPOUND_DELAYED).map(Shown), RUNS, st.integers(0, 7))
def test_generated_compound_modules_with_after_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@PROFILE
@given(random_charts(features=CONFIGURED_DELAYED).map(Shown), RUNS, st.integers(0, 7))
def test_generated_modules_on_configurations_with_after_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=200)
@given(random_charts(features=COMPOUND_IN_STATE).map(Shown), RUNS, st.integers(0, 7))
def test_generated_compound_modules_with_in_state_guards_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=200)
@given(random_charts(features=CONFIGURED_IN_STATE).map(Shown), RUNS, st.integers(0, 7))
def test_generated_modules_on_configurations_with_in_state_guards_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=200)
@given(parallel_charts(in_state=True).map(Shown), RUNS, st.integers(0, 7))
def test_generated_modules_of_regions_with_in_state_guards_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=200)
@given(
    random_charts(features=COMPOUND_DELAYED_IN_STATE).map(Shown),
    RUNS,
    st.integers(0, 7),
)
def test_generated_compound_modules_with_guarded_after_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=200)
@given(
    random_charts(features=CONFIGURED_DELAYED_IN_STATE).map(Shown),
    RUNS,
    st.integers(0, 7),
)
def test_generated_modules_on_configurations_with_guarded_after_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=300)
@given(parallel_charts(in_state=True, forms=True).map(Shown), RUNS, st.integers(0, 7))
def test_generated_modules_of_regions_with_guard_forms_and_assign_agree(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    """Negated guards, ``in_state`` tests and ``assign`` on transitions that
    regions take together; ``context_updates`` are the ``assign`` of the
    transitions the oracle took on the event, in order."""
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=200)
@given(random_charts(features=COMPOUND_ASSIGN).map(Shown), RUNS, st.integers(0, 7))
def test_generated_compound_modules_with_assign_agree(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    """``assign`` on transitions of random compound charts: a step's
    ``context_updates`` are those of every microstep the oracle took."""
    _compare(module_ready(chart.spec), runs, seed)


@settings(PROFILE, max_examples=300)
@given(
    st.sampled_from([(False, False), (True, False), (False, True)]).flatmap(
        lambda options: finishing_charts(*options).map(Shown)
    ),
    RUNS,
    st.integers(0, 7),
)
def test_generated_modules_with_assign_in_later_microsteps_agree(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    """``done.state`` transitions with ``assign`` taken after the event's
    (folded into the step, or in resume cells), below a parallel state too
    and after ``after:`` entries: a later microstep's values see the
    updates of the earlier ones."""
    _compare(module_ready(chart.spec), runs, seed)


#: The factored mode is the fallback for charts that explode; the random
#: charts are small, so its limits are forced (``FACTORED``) and every chart
#: with parallel states or history is generated in that mode.
FACTORED_PROFILE = settings(PROFILE, max_examples=200)


@FACTORED_PROFILE
@given(random_charts(features=CONFIGURED).map(Shown), RUNS, st.integers(0, 7))
def test_generated_factored_modules_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed, FACTORED)


@FACTORED_PROFILE
@given(parallel_charts().map(Shown), RUNS, st.integers(0, 7))
def test_generated_factored_modules_of_parallel_regions_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed, FACTORED)


@FACTORED_PROFILE
@given(random_charts(features=CONFIGURED_DELAYED).map(Shown), RUNS, st.integers(0, 7))
def test_generated_factored_modules_with_after_agree_with_the_oracle(
    chart: Shown, runs: list[list[int]], seed: int
) -> None:
    _compare(module_ready(chart.spec), runs, seed, FACTORED)
