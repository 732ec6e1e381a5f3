"""``Regions``: a cell answered by several parallel regions at once (API 2.3).

In a machine with parallel states, one event may be offered to the active
atomic states of several regions. Each region's offer takes its first
candidate whose guards all pass (or none), independently of the others,
and the combination of choices selects one step the generator decided in
full (SCXML's conflict resolution, exit and entry order, history, every
eventless microstep folded in). So the cell holds, per offer, each
candidate's guard names, and a result per combination of choices; the
decider only asks the guards and looks the combination up.

Since API 2.7 a ``Regions`` cell takes every guard form a ``Guarded`` cell
does and computes ``assign`` updates: ``calls`` says what each guard calls
(a ``Guards`` method's name, or a function compiled from a guard
expression), ``arguments`` the fixed keyword arguments of each,
``negated`` which guards pass on a false answer, and ``effects`` the
function computing the ``context_updates`` of a combination (the
``assign`` of every transition it takes, in the order they are taken).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from gubernator_runtime._base import EMPTY_MAPPING as EMPTY_CONTEXT
from gubernator_runtime.binding import GuardCallable, guard_truth
from gubernator_runtime.errors import GuardError, GuardRejectedError
from gubernator_runtime.results import (
    Effect,
    TransitionResult,
    failure,
    with_updates,
)

#: Per offer, per candidate in priority order, its guards' names.
Offers = tuple[tuple[tuple[str, ...], ...], ...]
#: The choice of an offer that took none of its candidates.
NONE_CHOSEN = -1


class Regions:
    """The cell of one (configuration, trigger) several regions answer.

    ``offers`` lists each region's candidates (their guard names) in
    priority order, regions in document order; ``steps`` maps each
    combination of choices (per offer the index taken, or ``-1``) to its
    result. A combination not listed (every offer declined) is a refusal
    naming the guard that refused last.
    """

    __slots__ = (
        "_refusals",
        "_steps",
        "arguments",
        "calls",
        "effects",
        "guards",
        "negated",
        "offers",
        "source",
        "steps",
        "trigger",
    )

    def __init__(
        self,
        offers: Offers,
        steps: Mapping[tuple[int, ...], TransitionResult[Any]],
        *,
        calls: tuple[str | GuardCallable, ...] | None = None,
        arguments: tuple[tuple[tuple[str, object], ...], ...] | None = None,
        negated: tuple[int, ...] = (),
        effects: Mapping[tuple[int, ...], Effect] | None = None,
    ) -> None:
        self.offers = offers
        # A plain dict for the deciders (a proxy's lookup costs more);
        # read-only to everyone else.
        self._steps = dict(steps)
        self.steps = MappingProxyType(self._steps)
        #: Every guard's name, in the order the offers list them.
        self.guards: tuple[str, ...] = tuple(
            name for offer in offers for names in offer for name in names
        )
        #: What is called for each guard, in the order of ``guards`` (API 2.7).
        self.calls: tuple[str | GuardCallable, ...] = (
            self.guards if calls is None else calls
        )
        #: Each guard's fixed keyword arguments as (name, value) pairs.
        self.arguments: tuple[tuple[tuple[str, object], ...], ...] = (
            ((),) * len(self.guards) if arguments is None else arguments
        )
        #: The positions (in ``guards``) of the guards that pass on false.
        self.negated: frozenset[int] = frozenset(negated)
        #: The ``assign`` function of each combination that has one.
        self.effects: Mapping[tuple[int, ...], Effect] = MappingProxyType(
            dict(effects or {})
        )
        first = next(iter(self.steps.values()))
        #: The state (the configuration's first) and trigger decided for.
        self.source: Any = first.source_state
        self.trigger: Any = first.trigger
        self._refusals: dict[str, TransitionResult[Any]] = {}

    @property
    def methods(self) -> tuple[str, ...]:
        """The ``Guards`` methods the cell calls, in first-use order."""
        return tuple(dict.fromkeys(c for c in self.calls if isinstance(c, str)))

    def first_result(self) -> Any:  # a Decider or a TransitionResult
        """The outcome when every guard passes (a non-strict machine built
        without guards): each offer takes its first candidate; a decider
        when that combination computes ``assign`` updates."""
        choice = tuple(0 for _ in self.offers)
        result, effect = self.steps[choice], self.effects.get(choice)
        if effect is None:
            return result
        return lambda context: with_updates(
            result, effect, EMPTY_CONTEXT if context is None else context
        )

    def refusal(self, guard: str) -> TransitionResult[Any]:
        """The failure when every offer declined, ``guard`` refusing last."""
        known = self._refusals.get(guard)
        if known is None:
            known = self._refusals[guard] = failure(
                self.source,
                self.trigger,
                (GuardRejectedError, self.source, self.trigger, guard),
                MappingProxyType({"reason": "guards_failed", "rejected_by": guard}),
            )
        return known

    def bind(
        self, guards: Mapping[str, GuardCallable]
    ) -> Any:  # a Decider (cells imports this module)
        """This cell's decider, asking the implementations in ``guards``
        (a compiled guard expression is called as it is)."""
        resolved = [
            guards[call] if isinstance(call, str) else call for call in self.calls
        ]
        plain = not self.negated and not any(self.arguments) and not self.effects
        position = iter(range(len(self.guards)))
        offers = tuple(
            tuple(
                tuple((name, resolved[next(position)]) for name in names)
                for names in offer
            )
            for offer in self.offers
        )
        if (
            plain
            and len(offers) == 2
            and all(len(offer) == 1 and len(offer[0]) == 1 for offer in offers)
        ):
            return self._two_single_guards(offers)
        if plain:
            return self._plain_decider(offers)
        return self._general_decider(offers)

    def _plain_decider(self, offers: Any) -> Any:
        """Plain calls of every guard, results as prebuilt."""
        steps, source, trigger = self._steps, self.source, self.trigger

        def decide(context: Any) -> TransitionResult[Any]:
            ctx = EMPTY_CONTEXT if context is None else context
            choice = []
            refused = ""
            for offer in offers:
                chosen = NONE_CHOSEN
                for index, calls in enumerate(offer):
                    for name, guard in calls:
                        try:
                            answer = guard(ctx)
                            if answer is not True and (
                                answer is False or not guard_truth(answer)
                            ):
                                refused = name
                                break
                        except Exception as exc:
                            raise GuardError(name, source, trigger, exc) from exc
                    else:
                        chosen = index
                        break
                choice.append(chosen)
            result = steps.get(tuple(choice))
            return self.refusal(refused) if result is None else result

        return decide

    def _general_decider(self, offers: Any) -> Any:
        """Any guard form (negated, keyword arguments, compiled), and the
        ``assign`` updates of the combination taken (API 2.7)."""
        steps, source, trigger = self._steps, self.source, self.trigger
        effects = dict(self.effects)
        position = iter(range(len(self.guards)))
        tests = tuple(
            tuple(
                tuple(
                    (name, guard, dict(self.arguments[at]), at in self.negated)
                    for name, guard in calls
                    for at in (next(position),)
                )
                for calls in offer
            )
            for offer in offers
        )

        def decide(context: Any) -> TransitionResult[Any]:
            ctx = EMPTY_CONTEXT if context is None else context
            choice = []
            refused = ""
            for offer in tests:
                chosen = NONE_CHOSEN
                for index, calls in enumerate(offer):
                    for name, guard, keywords, negated in calls:
                        try:
                            answer = guard(ctx, **keywords) if keywords else guard(ctx)
                            passed = answer is True or (
                                answer is not False and guard_truth(answer)
                            )
                        except Exception as exc:
                            raise GuardError(name, source, trigger, exc) from exc
                        if passed is negated:
                            refused = name
                            break
                    else:
                        chosen = index
                        break
                choice.append(chosen)
            key = tuple(choice)
            result = steps.get(key)
            if result is None:
                return self.refusal(refused)
            effect = effects.get(key)
            return result if effect is None else with_updates(result, effect, ctx)

        return decide

    def _two_single_guards(self, offers: Any) -> Any:
        """The decider of the commonest shape, two regions each with one
        candidate of one guard, written out: no loop, and the results in a
        2x2 grid indexed by each guard's answer (no key to build)."""
        (((name_a, guard_a),),), (((name_b, guard_b),),) = offers
        steps, source, trigger = self._steps, self.source, self.trigger
        grid = tuple(
            tuple(steps.get((a, b)) for b in (NONE_CHOSEN, 0)) for a in (NONE_CHOSEN, 0)
        )
        refused = self.refusal(name_b)

        def decide(context: Any) -> TransitionResult[Any]:
            ctx = EMPTY_CONTEXT if context is None else context
            try:
                answer = guard_a(ctx)
                a = answer is True or (answer is not False and guard_truth(answer))
            except Exception as exc:
                raise GuardError(name_a, source, trigger, exc) from exc
            try:
                answer = guard_b(ctx)
                b = answer is True or (answer is not False and guard_truth(answer))
            except Exception as exc:
                raise GuardError(name_b, source, trigger, exc) from exc
            result = grid[a][b]
            return refused if result is None else result

        return decide

    def __repr__(self) -> str:
        return f"Regions({self.source!r}, {self.trigger!r}, guards={self.guards!r})"
