"""A test-only runner of the factored tables (mode "factored"), and the
check of the runtime's ``FactoredChart`` against it (:class:`RuntimeCheck`).

It does what a runtime would do with them: per event, each active atomic
state's offer; conflicts by domain containment; exit and entry sequences
concatenated from the precomputed ``up`` chains; history records; the
``done.state`` events; eventless transitions and internal events until the
macrostep settles, a repeated decision point (or an overflowing queue)
being a macrostep that never ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from gubernator_runtime.factored import (
    EndlessMacrostepError,
    FactoredChart,
    GuardTest,
    Macrostep,
)
from statechart_stepper import Diverged, Guard, Outcome

from gubernator_gen.backend import chart_factored
from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.backend.statechart import scxml
from gubernator_gen.backend.statechart.chart import (
    ALWAYS,
    Delay,
    TransitionRef,
    TriggerKey,
)
from gubernator_gen.backend.statechart.factored import FactoredTables, TransitionPlan
from gubernator_gen.backend.statechart.tables import (
    ActionCall,
    Configuration,
    HistoryEntry,
    Phase,
)
from gubernator_gen.model import MachineSpec

Record = dict[str, tuple[str, ...]]


class FactoredRunner:
    """Runs :class:`FactoredTables` with the given guard outcomes."""

    def __init__(self, tables: FactoredTables, guard: Guard) -> None:
        self.t = tables
        self.guard = guard

    # -- structure -------------------------------------------------------------

    def _under(self, state: str, scope: str | None) -> bool:
        return scope is None or scope in self.t.ancestors[state]

    def _nested(self, first: str | None, second: str | None) -> bool:
        if first is None or second is None or first == second:
            return True
        return first in self.t.ancestors[second] or second in self.t.ancestors[first]

    def _sorted(self, states: set[str] | Sequence[str]) -> tuple[str, ...]:
        return tuple(sorted(states, key=self.t.order.__getitem__))

    # -- domains ---------------------------------------------------------------

    def domain(self, plan: TransitionPlan, record: Record) -> str | None:
        history = plan.history
        if history is None:
            return plan.domain
        recorded = record.get(history.pseudo)
        if not recorded:
            return history.default_domain
        if history.internal_domain is not None:
            return history.internal_domain
        scopes = [history.lcca[s] for s in recorded]
        if None in scopes:
            return None
        return min(scopes, key=lambda s: self.t.depth[s])  # type: ignore[index]

    def _entry(
        self, plan: TransitionPlan, record: Record, scope: str | None
    ) -> tuple[str | None, tuple[str, ...]]:
        """The top below which states are entered, and the atomic states."""
        history = plan.history
        if history is None:
            return scope, plan.entered
        top = scope
        if (
            scope is not None
            and history.owner != scope
            and scope not in self.t.ancestors[history.owner]
        ):
            top = history.owner  # W3C enters the record's ancestors up to it
        recorded = record.get(history.pseudo)
        if not recorded:
            return top, history.default_entered
        base = recorded if history.deep else history.descent[recorded[0]]
        return top, self._sorted({*base, *history.extra.get(scope, ())})

    # -- selection -------------------------------------------------------------

    def select(
        self, config: Configuration, trigger: TriggerKey
    ) -> list[TransitionPlan]:
        chosen: list[TransitionRef] = []
        for atomic in config.atomic:
            offer = self.t.offers[atomic].get(trigger)
            if offer is None:
                continue
            for candidate in offer.candidates:
                assert not candidate.guard_items, "the test charts use named guards"
                if all(self.guard(g) for g in candidate.guards):
                    chosen.append(candidate.transition)
                    break
        record = dict(config.history)
        kept: list[TransitionPlan] = []
        for ref in dict.fromkeys(chosen):
            plan = self.t.plans[ref]
            scope = self.domain(plan, record)
            replaced: list[TransitionPlan] = []
            preempted = False
            for other in kept:
                if self._nested(scope, self.domain(other, record)):
                    if other.source in self.t.ancestors[plan.source]:
                        replaced.append(other)
                    else:
                        preempted = True
                        break
            if not preempted:
                kept = [p for p in kept if p not in replaced]
                kept.append(plan)
        return kept

    # -- microstep -------------------------------------------------------------

    def _walk(self, atomics: Sequence[str], top: str | None) -> list[tuple[str, ...]]:
        """Per atomic state, the states up to where the previous one joins."""
        chains = []
        for index, atomic in enumerate(atomics):
            stop = top if index == 0 else self.t.meet[(atomics[index - 1], atomic)]
            chains.append(self.t.up[(atomic, stop)])
        return chains

    def microstep(
        self, config: Configuration, plans: Sequence[TransitionPlan]
    ) -> tuple[Configuration, list[ActionCall], list[str]]:
        t = self.t
        record = dict(config.history)
        scopes = [self.domain(p, record) for p in plans]
        exited: list[str] = []
        left: set[str] = set()
        for scope in sorted(scopes, key=lambda s: -1 if s is None else t.order[s])[
            ::-1
        ]:
            under = [a for a in config.atomic if self._under(a, scope)]
            left.update(under)
            for chain in reversed(self._walk(under, scope)):
                exited.extend(chain)
        records = self._records(config, exited)
        new_record = {**record, **dict(records)}
        actions = [ActionCall(Phase.EXIT, s, n) for s in exited for n in t.on_exit[s]]
        for plan in plans:
            actions.extend(plan.actions)
        entries = []
        for plan in plans:
            top, atomics = self._entry(plan, new_record, self.domain(plan, new_record))
            entries.append((top, atomics))
        entries.sort(key=lambda e: -1 if e[0] is None else t.order[e[0]])
        current = set(config.atomic) - left
        raised: list[str] = []
        for top, atomics in entries:
            for chain in self._walk(atomics, top):
                for state in reversed(chain):
                    self._enter(state, current, actions, raised)
        history = tuple(
            (h, new_record[h]) for h in sorted(new_record, key=t.order.__getitem__)
        )
        return Configuration(self._sorted(current), history), actions, raised

    def _records(self, config: Configuration, exited: list[str]) -> list[HistoryEntry]:
        found: list[HistoryEntry] = []
        for state in exited:
            for pseudo, deep in self.t.histories.get(state, ()):
                under = [a for a in config.atomic if state in self.t.ancestors[a]]
                if deep:
                    found.append((pseudo, tuple(under)))
                else:
                    found.append((pseudo, (self.t.up[(under[0], state)][-1],)))
        return found

    def _enter(
        self,
        state: str,
        current: set[str],
        actions: list[ActionCall],
        raised: list[str],
    ) -> None:
        t = self.t
        actions.extend(ActionCall(Phase.ENTER, state, n) for n in t.on_enter[state])
        parent = t.parents[state]
        if (state, parent) not in t.up:
            return  # not atomic: finality is read from atomic states only
        current.add(state)
        if parent is None or state not in t.finals.get(parent, frozenset()):
            return
        raised.append(scxml.done_event(parent))
        grand = t.parents[parent]
        if (
            grand is not None
            and grand in t.regions
            and all(self._in_final(r, current) for r in t.regions[grand])
        ):
            raised.append(scxml.done_event(grand))

    def _in_final(self, state: str, current: set[str]) -> bool:
        if state in self.t.regions:
            return all(self._in_final(r, current) for r in self.t.regions[state])
        return any(f in current for f in self.t.finals.get(state, ()))

    # -- macrosteps ------------------------------------------------------------

    def settle(
        self, config: Configuration, queue: list[str], actions: list[ActionCall]
    ) -> Outcome:
        seen: set[tuple[Configuration, tuple[str, ...]]] = set()
        since_event: set[Configuration] = set()
        while True:
            if (config, tuple(queue)) in seen or config in since_event:
                raise Diverged(str(config))
            if len(queue) > self.t.queue_bound:
                raise Diverged("internal events overflow")
            seen.add((config, tuple(queue)))
            since_event.add(config)
            plans = self.select(config, ALWAYS)
            if not plans:
                if not queue:
                    return Outcome(config, tuple(actions), ())
                event = queue.pop(0)
                since_event.clear()
                plans = self.select(config, event)
                if not plans:
                    continue
            config, more, raised = self.microstep(config, plans)
            actions.extend(more)
            queue.extend(raised)

    def start(self) -> Outcome:
        first = self.t.start
        return self.settle(first.target, list(first.raised), list(first.actions))

    def process(self, config: Configuration, trigger: TriggerKey) -> Outcome:
        plans = self.select(config, trigger)
        if not plans:
            return self.settle(config, [], [])
        config, actions, raised = self.microstep(config, plans)
        return self.settle(config, raised, actions)


class RuntimeCheck:
    """The runtime's ``FactoredChart`` on the same tables, checked against
    :class:`FactoredRunner`: the same configurations, the same action
    names in the same order, and a macrostep that never ends in both."""

    def __init__(self, spec: MachineSpec, tables: FactoredTables, guard: Guard) -> None:
        data = chart_factored.chart_data(spec, tables, CompiledFunctions.of(spec))
        self.chart = FactoredChart(**data)
        self.guard = guard
        self.tests = tuple(self._test(t[5]) for t in data["transitions"])

    def _test(self, guards: tuple[object, ...]) -> GuardTest | None:
        if not guards:
            return None
        names = [g for g in guards if isinstance(g, str)]
        assert len(names) == len(guards), "the test charts use named guards"

        def test(context: object) -> str | None:
            return next((n for n in names if not self.guard(n)), None)

        return test

    def start(self, expected: Outcome | None) -> None:
        """The runtime's start agrees with ``expected`` (``None``: diverged)."""
        try:
            step = self.chart.start(None, self.tests, "check")
        except EndlessMacrostepError:
            assert expected is None, "the runtime diverged at the start"
            return
        assert expected is not None, "the runtime did not diverge at the start"
        self._agrees(step, expected)

    def process(
        self, config: Configuration, trigger: TriggerKey, expected: Outcome | None
    ) -> None:
        """The runtime's macrostep agrees with ``expected``."""
        key = (trigger.state, trigger.index) if isinstance(trigger, Delay) else trigger
        assert isinstance(key, (str, tuple))
        try:
            step = self.chart.process(
                config.atomic, config.history, key, None, self.tests, "check"
            )
        except EndlessMacrostepError:
            assert expected is None, f"the runtime diverged on {trigger!r}"
            return
        assert expected is not None, f"the runtime did not diverge on {trigger!r}"
        if not isinstance(step, Macrostep):
            assert expected.actions == () and expected.configuration == config
            return
        self._agrees(step, expected)

    @staticmethod
    def _agrees(step: Macrostep, expected: Outcome) -> None:
        names = [*step.on_exit, *step.transition_actions, *step.on_enter]
        assert names == [a.name for a in expected.actions]
        assert step.atomic == expected.configuration.atomic
        assert step.record == expected.configuration.history
