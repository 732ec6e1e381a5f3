"""Mode "configuration": every reachable configuration's cells, fully prebuilt.

Starting from the start step, every configuration the machine can rest in
is visited once; for each trigger its active atomic states listen to, the
cell lists each atomic state's offer and, for every combination of
choices, the complete step of the whole macrostep: the event's microstep
(SCXML conflict resolution applied) and then, folded in at build time,
every eventless or ``done.state`` microstep that follows without a guard.
A guarded eventless or internal decision becomes a :class:`Resume` cell,
evaluated by the runtime after the step, and whose own steps continue the
macrostep the same way.

The tables stay small for compound machines (one key per atomic state);
with parallel regions or history they grow with the product of the
regions' states, so the builder stops at the limits of :class:`Limits`
and the caller switches to the factored mode.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gubernator_gen.backend.statechart import scxml
from gubernator_gen.backend.statechart.chart import (
    ALWAYS,
    Chart,
    ChartTransition,
    TriggerKey,
)
from gubernator_gen.backend.statechart.steps import finish_step
from gubernator_gen.backend.statechart.tables import (
    NONE_CHOSEN,
    Candidate,
    Cell,
    Configuration,
    Microstep,
    Offer,
    Problem,
    ProblemKind,
    Resume,
    ResumePhase,
    Step,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """When prebuilding every configuration stops paying (the parallel rule).

    A machine with parallel states or history is tabled per configuration
    only while it has at most ``keys`` reachable configurations, ``cells``
    cells (key and trigger, resume cells included) and ``combinations`` steps
    in any one cell. Machines without either are always tabled per state.
    ``queue`` is the most internal events a macrostep may have pending: past
    it the step is marked ``overflow`` (the run-time error of a macrostep
    whose ``done.state`` events pile up without end).
    """

    keys: int = 256
    cells: int = 2048
    combinations: int = 64
    queue: int = 16


class TooLarge(Exception):
    """The configuration tables would pass the limits."""


class ChartProblem(Exception):
    """The chart cannot be compiled; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ConfigurationTables:
    """Mode "configuration": cells per reachable configuration.

    ``keyed_by_state`` is true when the machine has neither parallel states
    nor history: every configuration is one atomic state with no record,
    so the plan may key everything by that state, and every atomic state
    is a key. ``keys`` are in the order first reached from ``start`` (then
    the unreachable atomic states, when keyed by state).
    ``cells[key][trigger]`` exists for every trigger one of the key's
    active states listens to; ``resumes`` hold
    the run-time decisions steps refer to. ``idle[key]`` is the eventless
    decision W3C makes after an event that enabled no transition (a trigger
    with no cell, or a cell whose offers all declined: its ``otherwise``),
    for keys that have guarded eventless transitions. ``eventless_bound`` bounds the
    resume cells one ``process`` call may visit: with guards that are pure
    functions of the context, visiting more means a loop that never ends.
    """

    keyed_by_state: bool
    start: Step
    keys: tuple[Configuration, ...]
    cells: Mapping[Configuration, Mapping[TriggerKey, Cell]]
    resumes: Mapping[Resume, Cell] = field(default_factory=dict)
    idle: Mapping[Configuration, Resume] = field(default_factory=dict)

    @property
    def eventless_bound(self) -> int:
        """The most resume cells one call may visit before it is a loop."""
        return len(self.resumes) + 1


_Choices = tuple[tuple[Offer, ...], Mapping[tuple[int, ...], Microstep]]


class _Builder:
    """The worklist that visits configurations and resume cells."""

    def __init__(self, chart: Chart, limits: Limits, bounded: bool) -> None:
        self.chart = chart
        self.limits = limits
        self.bounded = bounded
        self.choices_memo: dict[tuple[Configuration, TriggerKey], _Choices] = {}
        self.cells: dict[Configuration, dict[TriggerKey, Cell]] = {}
        self.resumes: dict[Resume, Cell] = {}
        self.keys: deque[Configuration] = deque()
        self.pending: deque[Resume] = deque()
        self.cell_count = 0

    # -- choices: one cell's microsteps, guards left open ------------------------

    def choices(self, config: Configuration, trigger: TriggerKey) -> _Choices:
        memo_key = (config, trigger)
        found = self.choices_memo.get(memo_key)
        if found is None:
            found = self._choices(config, trigger)
            self.choices_memo[memo_key] = found
        return found

    def _choices(self, config: Configuration, trigger: TriggerKey) -> _Choices:
        chart = self.chart
        offered: list[tuple[str, tuple[ChartTransition, ...]]] = []
        for atomic in config.atomic:
            candidates = scxml.offer(chart, atomic, trigger)
            if candidates:
                offered.append((atomic, candidates))
        offers = tuple(
            Offer(a, tuple(Candidate(t.ref, t.guards, t.guard_items) for t in ts))
            for a, ts in offered
        )
        ranges = [
            [*range(len(o.candidates)), *([] if o.always_chooses else [NONE_CHOSEN])]
            for o in offers
        ]
        total = 1
        for options in ranges:
            total *= len(options)
        if self.bounded and total > self.limits.combinations:
            raise TooLarge(f"{total} combinations in one cell")
        active = scxml.active_states(chart, config.atomic)
        history = config.recorded
        by_selection: dict[tuple[ChartTransition, ...], Microstep] = {}
        steps: dict[tuple[int, ...], Microstep] = {}
        for choice in itertools.product(*ranges):
            selected = [
                ts[i]
                for (_, ts), i in zip(offered, choice, strict=True)
                if i != NONE_CHOSEN
            ]
            if not selected:
                continue
            kept = scxml.remove_conflicts(chart, selected, active, history)
            micro = by_selection.get(kept)
            if micro is None:
                micro = scxml.microstep(chart, config, trigger, kept)
                by_selection[kept] = micro
            steps[choice] = micro
        return offers, MappingProxyType(steps)

    # -- settling a macrostep ---------------------------------------------------

    def settle(
        self,
        micros: list[Microstep],
        config: Configuration,
        queue: tuple[str, ...],
        eventless_idle: bool = False,
    ) -> Step:
        """Fold unguarded eventless and internal microsteps after ``micros``."""
        seen: set[tuple[Configuration, tuple[str, ...]]] = set()
        since_event: set[Configuration] = set()
        while True:
            self._check_loop(config, queue, seen, since_event, micros)
            if len(queue) > self.limits.queue:
                return finish_step(self.chart, micros, config, None, overflow=True)
            if not eventless_idle:
                offers, steps = self.choices(config, ALWAYS)
                if offers:
                    if not _unconditional(offers):
                        resume = Resume(config, queue, ResumePhase.EVENTLESS)
                        return self._pending_step(micros, config, resume)
                    micro = steps[(0,) * len(offers)]
                    micros.append(micro)
                    config, queue = micro.target, queue + micro.raised
                    continue
            eventless_idle = False
            if not queue:
                step = finish_step(self.chart, micros, config, None)
                self.keys.append(config)
                return step
            offers, steps = self.choices(config, queue[0])
            if offers and not _unconditional(offers):
                resume = Resume(config, queue, ResumePhase.INTERNAL)
                return self._pending_step(micros, config, resume)
            since_event.clear()
            if not offers:
                queue = queue[1:]
                eventless_idle = True  # nothing changed since eventless was idle
                continue
            micro = steps[(0,) * len(offers)]
            micros.append(micro)
            config, queue = micro.target, queue[1:] + micro.raised

    def _check_loop(
        self,
        config: Configuration,
        queue: tuple[str, ...],
        seen: set[tuple[Configuration, tuple[str, ...]]],
        since_event: set[Configuration],
        micros: list[Microstep],
    ) -> None:
        """Unguarded microsteps that come back to where they were loop forever.

        Eventless selection depends on the configuration alone, so coming
        back to one with no internal event consumed since is a loop; with
        internal events, the configuration and the queue must repeat.
        """
        if (config, queue) in seen or config in since_event:
            raise ChartProblem(_cycle_problem(micros, config, queue))
        seen.add((config, queue))
        since_event.add(config)

    def _pending_step(
        self,
        micros: list[Microstep],
        config: Configuration,
        resume: Resume,
    ) -> Step:
        if resume not in self.resumes and resume not in self.pending:
            self.pending.append(resume)
        return finish_step(self.chart, micros, config, resume)

    # -- cells ------------------------------------------------------------------

    def idle_resume(self, config: Configuration) -> Resume | None:
        """The eventless decision at a resting ``config`` (``None``: none).

        W3C evaluates eventless transitions after every external event,
        even one that enabled nothing: the event's context may enable them.
        """
        offers, _ = self.choices(config, ALWAYS)
        if not offers:
            return None
        resume = Resume(config, (), ResumePhase.EVENTLESS)
        if resume not in self.resumes and resume not in self.pending:
            self.pending.append(resume)
        return resume

    def event_cell(
        self, config: Configuration, trigger: TriggerKey, idle: Resume | None
    ) -> Cell | None:
        offers, micros = self.choices(config, trigger)
        if not offers:
            return None
        steps = {
            choice: self.settle([m], m.target, m.raised) for choice, m in micros.items()
        }
        otherwise = None if idle is None else Step((), config, idle)
        return Cell(offers, MappingProxyType(steps), otherwise)

    def resume_cell(self, resume: Resume) -> Cell:
        config, queue = resume.configuration, resume.queue
        if resume.phase is ResumePhase.EVENTLESS:
            offers, micros = self.choices(config, ALWAYS)
            rest = queue
            otherwise = self.settle([], config, queue, eventless_idle=True)
        else:
            offers, micros = self.choices(config, queue[0])
            rest = queue[1:]
            otherwise = self.settle([], config, rest, eventless_idle=True)
        steps = {
            choice: self.settle([m], m.target, rest + m.raised)
            for choice, m in micros.items()
        }
        return Cell(offers, MappingProxyType(steps), otherwise)

    def count_cell(self) -> None:
        self.cell_count += 1
        if self.bounded and self.cell_count > self.limits.cells:
            raise TooLarge(f"more than {self.limits.cells} cells")


def _unconditional(offers: tuple[Offer, ...]) -> bool:
    """Every offer's first candidate is unguarded: the choice is known."""
    return all(not offer.candidates[0].guarded for offer in offers)


def _cycle_problem(
    micros: list[Microstep], config: Configuration, queue: tuple[str, ...]
) -> Problem:
    loop = micros[-8:]
    states = tuple(dict.fromkeys(a for m in loop for a in m.target.atomic))
    return Problem(
        ProblemKind.EVENTLESS_CYCLE,
        "eventless or done.state transitions without guards loop forever "
        f"through {', '.join(states)}",
        states,
        tuple(dict.fromkeys(t for m in loop for t in m.transitions)),
        config,
        queue,
    )


def build_configuration_tables(
    chart: Chart, limits: Limits | None = None
) -> ConfigurationTables:
    """Mode "configuration" for ``chart``.

    Raises :class:`TooLarge` past ``limits`` (never for a machine without
    parallel states and history) and :class:`ChartProblem` for a chart that
    cannot be compiled.
    """
    keyed_by_state = not (chart.has_parallel or chart.has_history)
    builder = _Builder(chart, limits or Limits(), bounded=not keyed_by_state)
    first = scxml.start_microstep(chart)
    start = builder.settle([first], first.target, first.raised)
    if keyed_by_state:
        # Every atomic state is a key, reachable or not: an application may
        # store any state, and a flat machine has a row for each too.
        builder.keys.extend(Configuration((a,)) for a in chart.atomic_states)
    order: list[Configuration] = []
    idles: dict[Configuration, Resume] = {}
    while builder.keys or builder.pending:
        if builder.pending:
            resume = builder.pending.popleft()
            if resume not in builder.resumes:
                builder.count_cell()
                builder.resumes[resume] = builder.resume_cell(resume)
            continue
        config = builder.keys.popleft()
        if config in builder.cells:
            continue
        order.append(config)
        if builder.bounded and len(order) > builder.limits.keys:
            raise TooLarge(f"more than {builder.limits.keys} configurations")
        row: dict[TriggerKey, Cell] = {}
        builder.cells[config] = row
        idle = builder.idle_resume(config)
        if idle is not None:
            idles[config] = idle
        for trigger in _triggers(chart, config):
            cell = builder.event_cell(config, trigger, idle)
            if cell is not None:
                builder.count_cell()
                row[trigger] = cell
    return ConfigurationTables(
        keyed_by_state,
        start,
        tuple(order),
        MappingProxyType({k: MappingProxyType(v) for k, v in builder.cells.items()}),
        MappingProxyType(builder.resumes),
        MappingProxyType(idles),
    )


def settled_start(chart: Chart, limits: Limits | None = None) -> Step:
    """The start step alone, unguarded eventless and ``done.state``
    microsteps folded in (where a factored machine's ``start()`` rests
    when no guard intervenes). Raises :class:`ChartProblem` for a start
    that loops without a guard."""
    builder = _Builder(chart, limits or Limits(), bounded=False)
    first = scxml.start_microstep(chart)
    return builder.settle([first], first.target, first.raised)


def _triggers(chart: Chart, config: Configuration) -> tuple[TriggerKey, ...]:
    """Every trigger an active state listens to (eventless excluded)."""
    active = chart.tree.sorted(scxml.active_states(chart, config.atomic))
    found: dict[TriggerKey, None] = {}
    for state in reversed(active):
        found.update((t, None) for t in chart.triggers(state) if t is not ALWAYS)
    return tuple(found)
