"""``Regions``: a cell answered by several parallel regions at once (API 2.3).

In a machine with parallel states, one event may be offered to the active
atomic states of several regions. Each region's offer takes its first
candidate whose guards all pass (or none), independently of the others,
and the combination of choices selects one step the generator decided in
full (SCXML's conflict resolution, exit and entry order, history, every
eventless microstep folded in). So the cell holds, per offer, each
candidate's guard names, and a result per combination of choices; the
decider only asks the guards and looks the combination up.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from gubernator_runtime._base import EMPTY_MAPPING as EMPTY_CONTEXT
from gubernator_runtime.binding import GuardCallable, guard_truth
from gubernator_runtime.errors import GuardError, GuardRejectedError
from gubernator_runtime.results import TransitionResult, failure

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
        "guards",
        "offers",
        "source",
        "steps",
        "trigger",
    )

    def __init__(
        self, offers: Offers, steps: Mapping[tuple[int, ...], TransitionResult[Any]]
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
        first = next(iter(self.steps.values()))
        #: The state (the configuration's first) and trigger decided for.
        self.source: Any = first.source_state
        self.trigger: Any = first.trigger
        self._refusals: dict[str, TransitionResult[Any]] = {}

    @property
    def methods(self) -> tuple[str, ...]:
        """The ``Guards`` methods the cell calls, in first-use order."""
        return tuple(dict.fromkeys(self.guards))

    def first_result(self) -> TransitionResult[Any]:
        """The result when every guard passes (a non-strict machine built
        without guards): each offer takes its first candidate."""
        return self.steps[tuple(0 for _ in self.offers)]

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
        """This cell's decider, asking the implementations in ``guards``."""
        offers = tuple(
            tuple(tuple((name, guards[name]) for name in names) for names in offer)
            for offer in self.offers
        )
        steps, source, trigger = self._steps, self.source, self.trigger
        if len(offers) == 2 and all(
            len(offer) == 1 and len(offer[0]) == 1 for offer in offers
        ):
            return self._two_single_guards(offers)

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
