"""A test-only runner of the semantics' tables, the way a runtime would.

It only looks things up: it evaluates each offer's candidates with the
given guard outcomes, takes the step of the resulting choice, and follows
resume cells within the generated bound. It knows nothing of SCXML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gubernator_gen.backend.statechart.chart import TriggerKey
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import (
    NONE_CHOSEN,
    ActionCall,
    Cell,
    Configuration,
    Step,
)

Guard = Callable[[str], bool]


class Diverged(Exception):
    """A macrostep passed the eventless bound: it would never end."""


@dataclass(frozen=True)
class Outcome:
    """What one call did: the configuration after it and its actions."""

    configuration: Configuration
    actions: tuple[ActionCall, ...]
    steps: tuple[Step, ...]


def choose(cell: Cell, guard: Guard) -> Step | None:
    """The step the guard outcomes select in ``cell`` (``None``: no transition)."""
    choice: list[int] = []
    for offer in cell.offers:
        chosen = NONE_CHOSEN
        for index, candidate in enumerate(offer.candidates):
            assert not candidate.guard_items, "the test charts use named guards"
            if all(guard(name) for name in candidate.guards):
                chosen = index
                break
        choice.append(chosen)
    if all(c == NONE_CHOSEN for c in choice):
        return cell.otherwise
    return cell.steps[tuple(choice)]


def _follow(tables: ConfigurationTables, step: Step, guard: Guard) -> Outcome:
    steps = [step]
    visits = 0
    if step.overflow:
        raise Diverged("internal events overflow")
    while step.resume is not None:
        visits += 1
        if visits > tables.eventless_bound:
            raise Diverged(str(step.resume))
        resumed = choose(tables.resumes[step.resume], guard)
        assert resumed is not None, "a resume cell always has an otherwise step"
        step = resumed
        steps.append(step)
        if step.overflow:
            raise Diverged("internal events overflow")
    actions = tuple(a for s in steps for a in s.actions)
    return Outcome(step.target, actions, tuple(steps))


def start(tables: ConfigurationTables, guard: Guard) -> Outcome:
    """The machine's start: the initial configuration and its entry actions."""
    return _follow(tables, tables.start, guard)


def process(
    tables: ConfigurationTables,
    config: Configuration,
    trigger: TriggerKey,
    guard: Guard,
) -> Outcome:
    """One event from ``config``; no transition leaves everything as it was."""
    cell = tables.cells[config].get(trigger)
    if cell is not None:
        step = choose(cell, guard)
    else:
        idle = tables.idle.get(config)
        step = None if idle is None else Step((), config, idle)
    if step is None:
        return Outcome(config, (), ())
    return _follow(tables, step, guard)
