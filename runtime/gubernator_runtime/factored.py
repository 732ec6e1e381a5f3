"""``FactoredChart``: a statechart too large to table, combined per event (API 2.6).

A machine with parallel regions (or history) whose reachable configurations
are too many for one decision table is generated in the *factored* mode:
the module hands over pieces that are linear in the chart, each decided at
build time, and this module combines them per event, following W3C SCXML's
algorithm (docs/statecharts.md, "The table rule"):

* ``offers[atomic][trigger]``: the transitions an active atomic state
  offers, in priority order (from the state outwards, each state's own in
  document order); the offer takes the first whose guards pass;
* ``transitions[i]``: each transition's source, actions, domain (the state
  it exits and enters below; ``None`` for the root), the atomic states it
  enters below the domain and, for a target that is a history state, how
  the record decides both (a :data:`HistoryPlan`);
* the tree (document order and parents), the parallel states, the history
  states, the final children of each compound state and the ``after:``
  seconds of each state.

Two selected transitions conflict exactly when one's domain contains the
other's; SCXML keeps the one selected first unless the later one's source
lies inside the earlier one's source. The states a transition exits are the
active ones below its domain, innermost first in reverse document order;
it enters, outermost first in document order, the chain from the domain
down to each atomic state it targets, each chain stopping where it meets
the previous one (the parallel state they share). ``done.state`` events
are queued as final states are entered, and eventless transitions and
queued events are taken until the macrostep settles. A macrostep that
comes back to a configuration it has already been in with the same queue
(or to one it was in since the last internal event, eventless selection
depending on the configuration alone), or whose queue grows past the
generated bound, never ends: :class:`EndlessMacrostepError`.

Nothing here knows the spec language or the generator: the data is what a
generated module emits, as plain literals. A module is long because the
algorithm is one piece: selection, conflicts, exit and entry, history and
completion events share the same structure lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gubernator_runtime.errors import EndlessMacrostepError

#: A trigger: an event name, ``None`` for eventless transitions, or
#: ``(state, index)`` for ``state``'s ``after:`` entry number ``index``.
TriggerKey = str | None | tuple[str, int]
#: The key of eventless transitions in ``offers``.
ALWAYS: TriggerKey = None
#: How a history target enters: ``(pseudo-state, default domain, default
#: entered, internal domain, lcca, descent, extra)``. With nothing recorded
#: the defaults hold. With a record, the domain is ``internal domain`` when
#: set, else the outermost of ``lcca[recorded]``; the atomic states entered
#: are the record (deep history) or ``descent[recorded child]`` (shallow),
#: plus ``extra[domain]`` (default regions of parallel states between the
#: history's parent and the domain).
HistoryPlan = tuple[
    str,
    str | None,
    tuple[str, ...],
    str | None,
    Mapping[str, str | None],
    Mapping[str, tuple[str, ...]],
    Mapping[str | None, tuple[str, ...]],
]
#: One guard: a ``Guards`` method's name (a plain call), or ``(label,
#: call, negated, keywords, values)`` where ``call`` is a method's name or a
#: function the module compiled from a guard expression.
GuardSpec = (
    str
    | tuple[str, str | Callable[..., object], bool, tuple[str, ...], tuple[Any, ...]]
)
#: One transition: ``(source, actions, domain, entered, history plan or
#: None, guards, assign function or None, description)``.
TransitionSpec = tuple[
    str,
    tuple[str, ...],
    str | None,
    tuple[str, ...],
    HistoryPlan | None,
    tuple[GuardSpec, ...],
    Callable[[Any], dict[str, object]] | None,
    str,
]
#: A transition's guards as bound to a machine instance: called with the
#: context, it answers ``None`` when every guard passes, else the label of
#: the guard that refused.
GuardTest = Callable[[Any], str | None]
#: The history record: each history state with the states it recorded.
Record = tuple[tuple[str, tuple[str, ...]], ...]


class Plan:
    """One transition, ready to combine (built once from a ``TransitionSpec``)."""

    __slots__ = (
        "actions",
        "deep",
        "default_domain",
        "default_entered",
        "descent",
        "description",
        "domain",
        "effect",
        "entered",
        "extra",
        "history",
        "index",
        "internal_domain",
        "lcca",
        "owner",
        "source",
    )

    def __init__(self, index: int, spec: TransitionSpec, chart: FactoredChart) -> None:
        source, actions, domain, entered, history, _, effect, description = spec
        self.index = index
        self.source = source
        self.actions = actions
        self.domain = domain
        self.entered = entered
        self.effect = effect
        self.description = description
        self.history: str | None = None
        if history is not None:
            pseudo, default_domain, default_entered, internal, lcca, descent, extra = (
                history
            )
            self.history = pseudo
            self.owner: str = chart.parents[pseudo]
            self.deep: bool = chart.history[pseudo]
            self.default_domain = default_domain
            self.default_entered = default_entered
            self.internal_domain = internal
            self.lcca = lcca
            self.descent = descent
            self.extra = extra


class Macrostep:
    """What one event did: the actions of its microsteps, split as results
    split them, the configuration it rests in and the deadlines it starts.

    ``first`` is the first transition taken (its description names the
    result); ``taken`` every transition taken, in order.
    """

    __slots__ = (
        "atomic",
        "deadlines",
        "first",
        "on_enter",
        "on_exit",
        "record",
        "split",
        "taken",
        "transition_actions",
    )

    def __init__(self, split: bool) -> None:
        #: True until the first microstep: its exit and transition actions
        #: are the result's ``on_exit_actions`` and ``actions_to_execute``.
        self.split = split
        self.on_exit: list[str] = []
        self.transition_actions: list[str] = []
        self.on_enter: list[str] = []
        self.taken: list[Plan] = []
        self.first: Plan | None = None
        self.atomic: tuple[str, ...] = ()
        self.record: Record = ()
        self.deadlines: dict[str, float] = {}


class FactoredChart:
    """A factored statechart's tables, and their combination per event.

    Built once per module from the data it emits (see the module
    docstring); :meth:`process` and :meth:`start` are the combination.
    Read-only once built, and shared by every machine instance: guards are
    passed in per call, bound per instance (``tests``).
    """

    def __init__(
        self,
        *,
        states: tuple[str, ...],
        parents: Mapping[str, str],
        on_enter: Mapping[str, tuple[str, ...]],
        on_exit: Mapping[str, tuple[str, ...]],
        parallel: tuple[str, ...],
        history: Mapping[str, bool],
        finals: Mapping[str, tuple[str, ...]],
        transitions: tuple[TransitionSpec, ...],
        offers: Mapping[str, Mapping[TriggerKey, tuple[int, ...]]],
        start: tuple[str, ...],
        after: Mapping[str, tuple[float, ...]],
        queue_bound: int,
    ) -> None:
        #: Document order, every state (history states included).
        self.states = tuple(str(s) for s in states)
        self.order = {s: i for i, s in enumerate(self.states)}
        self.parents: dict[str, str] = {str(c): str(p) for c, p in parents.items()}
        self.on_enter = {s: tuple(a) for s, a in on_enter.items()}
        self.on_exit = {s: tuple(a) for s, a in on_exit.items()}
        #: History pseudo-state → deep.
        self.history = dict(history)
        self.finals = {s: frozenset(f) for s, f in finals.items()}
        self.after = dict(after)
        self.queue_bound = queue_bound
        self.start_entered = start
        self.offers = offers
        self.specs = transitions
        children: dict[str, list[str]] = {}
        for state in self.states:
            parent = self.parents.get(state)
            if parent is not None and state not in self.history:
                children.setdefault(parent, []).append(state)
        #: Each parallel state's regions, in document order.
        self.regions = {p: tuple(children.get(p, ())) for p in parallel}
        self.children = {s: tuple(c) for s, c in children.items()}
        self._histories: dict[str, tuple[str, ...]] = {}
        for pseudo in self.states:
            if pseudo in self.history:
                owner = self.parents[pseudo]
                self._histories[owner] = (*self._histories.get(owner, ()), pseudo)
        self.atomic = frozenset(
            s for s in self.states if s not in children and s not in self.history
        )
        lineage: dict[str, tuple[str, ...]] = {}
        for state in self.states:  # a parent comes before its children
            parent = self.parents.get(state)
            lineage[state] = () if parent is None else (parent, *lineage[parent])
        #: Each state's proper ancestors, innermost first, and as a set.
        self.lineage = lineage
        self.ancestors = {s: frozenset(a) for s, a in lineage.items()}
        self.depth = {s: len(a) for s, a in lineage.items()}
        #: ``(atomic, stop)`` → the states from ``atomic`` up to ``stop``
        #: (exclusive; ``None``: the root), innermost first.
        self.up: dict[tuple[str, str | None], tuple[str, ...]] = {}
        for atomic in self.atomic:
            chain = (atomic, *lineage[atomic])
            for index, stop in enumerate((*chain[1:], None), start=1):
                self.up[(atomic, stop)] = chain[:index]
        self._meet: dict[tuple[str, str], str | None] = {}
        self.plans = tuple(Plan(i, spec, self) for i, spec in enumerate(transitions))
        #: Atomic states that offer eventless transitions.
        self.eventless = frozenset(a for a, row in offers.items() if ALWAYS in row)

    # -- structure --------------------------------------------------------------

    def meet(self, first: str, second: str) -> str | None:
        """The lowest common ancestor of two atomic states."""
        key = (first, second)
        found = self._meet.get(key, key)
        if found is not key:
            return found  # type: ignore[return-value]
        mine = self.ancestors[second]
        meet: str | None = next((a for a in self.lineage[first] if a in mine), None)
        self._meet[key] = meet
        return meet

    def legal(self, atomic: Sequence[str]) -> bool:
        """True when ``atomic`` (atomic states) is a configuration the tree
        allows: one top-level state, one child of every active compound
        state, every region of every active parallel state."""
        active: set[str] = set()
        for state in atomic:
            if state not in self.atomic:
                return False
            active.add(state)
            active.update(self.lineage[state])
        if sum(1 for s in active if s not in self.parents) != 1:
            return False
        for state in active:
            children = self.children.get(state)
            if children is None:
                continue
            count = sum(1 for c in children if c in active)
            if count != (len(children) if state in self.regions else 1):
                return False
        return True

    def legal_record(self, record: Record) -> bool:
        """True when every entry of ``record`` is one its history state can
        make: atomic states inside its parent (deep), or one child state of
        its parent (shallow)."""
        for pseudo, states in record:
            deep = self.history.get(pseudo)
            if deep is None or not states:
                return False
            owner = self.parents[pseudo]
            if deep:
                if not all(
                    s in self.atomic and owner in self.ancestors[s] for s in states
                ):
                    return False
            elif len(states) != 1 or states[0] not in self.children.get(owner, ()):
                return False
        return True

    def _domain(self, plan: Plan, record: Mapping[str, tuple[str, ...]]) -> str | None:
        pseudo = plan.history
        if pseudo is None:
            return plan.domain
        recorded = record.get(pseudo)
        if not recorded:
            return plan.default_domain
        if plan.internal_domain is not None:
            return plan.internal_domain
        best: str | None = None
        for state in recorded:
            scope = plan.lcca[state]
            if scope is None:
                return None
            if best is None or self.depth[scope] < self.depth[best]:
                best = scope
        return best

    def _entry(
        self, plan: Plan, record: Mapping[str, tuple[str, ...]], scope: str | None
    ) -> tuple[str | None, tuple[str, ...]]:
        """The state below which ``plan`` enters, and the atomic states."""
        pseudo = plan.history
        if pseudo is None:
            return scope, plan.entered
        top = scope
        owner = plan.owner
        if scope is not None and owner != scope and scope not in self.ancestors[owner]:
            top = owner  # W3C enters the record's ancestors up to the owner
        recorded = record.get(pseudo)
        if not recorded:
            return top, plan.default_entered
        base = recorded if plan.deep else plan.descent[recorded[0]]
        states = {*base, *plan.extra.get(scope, ())}
        return top, tuple(sorted(states, key=self.order.__getitem__))

    def _nested(self, first: str | None, second: str | None) -> bool:
        if first is None or second is None or first == second:
            return True
        return first in self.ancestors[second] or second in self.ancestors[first]

    def _walk(self, atomics: Sequence[str], top: str | None) -> list[tuple[str, ...]]:
        """Per atomic state, the states up to where the previous one joins."""
        up = self.up
        chains = [up[(atomics[0], top)]] if atomics else []
        for index in range(1, len(atomics)):
            atomic = atomics[index]
            chains.append(up[(atomic, self.meet(atomics[index - 1], atomic))])
        return chains

    # -- selection ----------------------------------------------------------------

    def select(
        self,
        atomic: Sequence[str],
        record: Mapping[str, tuple[str, ...]],
        trigger: TriggerKey,
        context: Any,
        tests: Sequence[GuardTest | None],
    ) -> tuple[list[Plan], bool, str | None]:
        """The transitions ``trigger`` takes, free of conflicts; whether any
        state offered one; the label of the guard that refused last."""
        offers = self.offers
        plans = self.plans
        chosen: list[Plan] = []
        offered = False
        refused: str | None = None
        for state in atomic:
            offer = offers[state].get(trigger)
            if offer is None:
                continue
            offered = True
            for index in offer:
                test = tests[index]
                if test is not None:
                    label = test(context)
                    if label is not None:
                        refused = label
                        continue
                plan = plans[index]
                if plan not in chosen:
                    chosen.append(plan)
                break
        if len(chosen) < 2:
            return chosen, offered, refused
        kept: list[Plan] = []
        for plan in chosen:
            scope = self._domain(plan, record)
            replaced: list[Plan] = []
            preempted = False
            for other in kept:
                if self._nested(scope, self._domain(other, record)):
                    if other.source in self.ancestors[plan.source]:
                        replaced.append(other)
                    else:
                        preempted = True
                        break
            if not preempted:
                kept = [p for p in kept if p not in replaced]
                kept.append(plan)
        return kept, offered, refused

    # -- one microstep ------------------------------------------------------------

    def microstep(
        self,
        atomic: tuple[str, ...],
        record: Record,
        plans: Sequence[Plan],
        into: Macrostep,
    ) -> tuple[tuple[str, ...], Record, list[str]]:
        """Take ``plans`` from ``atomic``: the actions go into ``into`` (the
        first microstep's exit and transition actions apart), the entered
        and exited states into its deadlines. Returns the configuration
        after it and the ``done.state`` events raised."""
        order = self.order
        ancestors = self.ancestors
        first, into.split = into.split, False
        if into.first is None:
            into.first = plans[0]
        recorded = dict(record) if record else {}
        if len(plans) == 1:
            scopes: Sequence[str | None] = (self._domain(plans[0], recorded),)
        else:
            scopes = sorted(
                {self._domain(p, recorded) for p in plans},
                key=lambda s: -1 if s is None else order[s],
                reverse=True,
            )
        exited: list[str] = []
        left: set[str] = set()
        for scope in scopes:
            under = [a for a in atomic if scope is None or scope in ancestors[a]]
            left.update(under)
            for chain in reversed(self._walk(under, scope)):
                exited.extend(chain)
        changed = False
        if self._histories:
            for state in exited:
                for pseudo in self._histories.get(state, ()):
                    below = [a for a in atomic if state in ancestors[a]]
                    if self.history[pseudo]:
                        recorded[pseudo] = tuple(below)
                    else:
                        recorded[pseudo] = (self.up[(below[0], state)][-1],)
                    changed = True
        exits = into.on_exit if first else into.on_enter
        on_exit = self.on_exit
        deadlines = into.deadlines
        for state in exited:
            names = on_exit.get(state)
            if names is not None:
                exits.extend(names)
            if deadlines:
                deadlines.pop(state, None)
        actions = into.transition_actions if first else into.on_enter
        for plan in plans:
            actions.extend(plan.actions)
        into.taken.extend(plans)
        entries = [
            self._entry(plan, recorded, self._domain(plan, recorded)) for plan in plans
        ]
        if len(entries) > 1:
            entries.sort(key=lambda e: -1 if e[0] is None else order[e[0]])
        current = set(atomic).difference(left)
        raised: list[str] = []
        for top, atomics in entries:
            for chain in self._walk(atomics, top):
                for state in reversed(chain):
                    self._enter(state, current, into, raised)
        if changed:
            record = tuple(
                (h, recorded[h]) for h in sorted(recorded, key=order.__getitem__)
            )
        return tuple(sorted(current, key=order.__getitem__)), record, raised

    def _enter(
        self, state: str, current: set[str], into: Macrostep, raised: list[str]
    ) -> None:
        names = self.on_enter.get(state)
        if names is not None:
            into.on_enter.extend(names)
        if self.after:
            deadlines = into.deadlines
            deadlines.pop(state, None)
            seconds = self.after.get(state)
            if seconds is not None:
                deadlines[state] = min(seconds)
        if state not in self.atomic:
            return  # finality is read from atomic states only
        current.add(state)
        parent = self.parents.get(state)
        if parent is None or state not in self.finals.get(parent, ()):
            return
        raised.append("done.state." + parent)
        grand = self.parents.get(parent)
        if grand in self.regions and all(
            self._in_final(r, current) for r in self.regions[grand]
        ):
            raised.append("done.state." + grand)

    def _in_final(self, state: str, current: set[str]) -> bool:
        regions = self.regions.get(state)
        if regions is not None:
            return all(self._in_final(r, current) for r in regions)
        return any(f in current for f in self.finals.get(state, ()))

    # -- macrosteps ---------------------------------------------------------------

    def settle(
        self,
        atomic: tuple[str, ...],
        record: Record,
        queue: list[str],
        into: Macrostep,
        context: Any,
        tests: Sequence[GuardTest | None],
        machine: str,
    ) -> None:
        """Eventless transitions and queued events until the macrostep rests."""
        eventless = self.eventless
        if not queue and eventless.isdisjoint(atomic):
            into.atomic, into.record = atomic, record
            return
        seen: set[tuple[tuple[str, ...], Record, tuple[str, ...]]] = set()
        since_event: set[tuple[tuple[str, ...], Record]] = set()
        while True:
            here = (atomic, record)
            if (atomic, record, tuple(queue)) in seen or here in since_event:
                raise EndlessMacrostepError.looping(machine, f"back at {list(atomic)}")
            if len(queue) > self.queue_bound:
                raise EndlessMacrostepError.looping(machine, "internal events pile up")
            seen.add((atomic, record, tuple(queue)))
            since_event.add(here)
            plans: list[Plan] = []
            if not eventless.isdisjoint(atomic):
                plans = self.select(atomic, dict(record), ALWAYS, context, tests)[0]
            if not plans:
                if not queue:
                    into.atomic, into.record = atomic, record
                    return
                event = queue.pop(0)
                since_event.clear()
                plans = self.select(atomic, dict(record), event, context, tests)[0]
                if not plans:
                    continue
            atomic, record, raised = self.microstep(atomic, record, plans, into)
            queue.extend(raised)

    def process(
        self,
        atomic: tuple[str, ...],
        record: Record,
        trigger: TriggerKey,
        context: Any,
        tests: Sequence[GuardTest | None],
        machine: str,
    ) -> Macrostep | tuple[bool, str | None]:
        """The macrostep ``trigger`` starts from the configuration ``(atomic,
        record)``; when it takes no transition, whether any state offered
        one and the label of the guard that refused last."""
        plans, offered, refused = self.select(
            atomic, dict(record), trigger, context, tests
        )
        into = Macrostep(split=True)
        if plans:
            atomic, record, raised = self.microstep(atomic, record, plans, into)
        else:
            raised = []
        self.settle(atomic, record, raised, into, context, tests, machine)
        if into.first is None:
            return offered, refused
        self._active_deadlines(into)
        return into

    def start(
        self, context: Any, tests: Sequence[GuardTest | None], machine: str
    ) -> Macrostep:
        """The macrostep that creates an entity: every entry action on the
        way into the initial configuration (all in ``on_enter``)."""
        into = Macrostep(split=False)
        current: set[str] = set()
        raised: list[str] = []
        for state in self.start_entered:
            self._enter(state, current, into, raised)
        atomic = tuple(sorted(current, key=self.order.__getitem__))
        self.settle(atomic, (), raised, into, context, tests, machine)
        self._active_deadlines(into)
        return into

    def _active_deadlines(self, into: Macrostep) -> None:
        """Keep the deadlines of the states still active at the end."""
        if not into.deadlines:
            return
        active = set(into.atomic)
        for atomic in into.atomic:
            active.update(self.lineage[atomic])
        for state in [s for s in into.deadlines if s not in active]:
            del into.deadlines[state]

    def delay_row(self, atomic: Sequence[str]) -> dict[tuple[str, int, float], Any]:
        """The ``after:`` entries of the active states in SCXML priority
        (each atomic state, then its ancestors outwards, each state once):
        ``(state, index, seconds)`` → the trigger ``(state, index)``."""
        row: dict[tuple[str, int, float], Any] = {}
        seen: set[str] = set()
        after = self.after
        for leaf in atomic:
            for state in (leaf, *self.lineage[leaf]):
                if state in seen:
                    continue
                seen.add(state)
                for index, seconds in enumerate(after.get(state, ())):
                    row[(state, index, seconds)] = (state, index)
        return row
