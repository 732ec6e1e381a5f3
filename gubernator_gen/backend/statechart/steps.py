"""Closing a step: the ``after:`` deadlines it starts and cancels."""

from __future__ import annotations

from collections.abc import Sequence

from gubernator_gen.backend.statechart import scxml
from gubernator_gen.backend.statechart.chart import Chart, Delay
from gubernator_gen.backend.statechart.tables import (
    Configuration,
    Deadline,
    Microstep,
    Resume,
    Step,
)


def finish_step(
    chart: Chart,
    micros: Sequence[Microstep],
    config: Configuration,
    resume: Resume | None,
    overflow: bool = False,
) -> Step:
    """The :class:`Step` of ``micros`` ending at ``config``.

    ``deadlines`` are the ``after:`` entries of the states entered (last
    entry counts) that are still active at the end, in entry order;
    ``cancelled`` are the states with ``after:`` entries that were exited,
    in exit order (a state exited and entered again appears in both: its
    deadline restarts).
    """
    active = scxml.active_states(chart, config.atomic)
    entered: dict[str, None] = {}
    cancelled: dict[str, None] = {}
    for micro in micros:
        for state in micro.exited:
            entered.pop(state, None)
            if chart.states[state].after_entries:
                cancelled[state] = None
        for state in micro.entered:
            entered.pop(state, None)
            entered[state] = None
    deadlines = tuple(
        Deadline(Delay(state, index), after.seconds)
        for state in entered
        if state in active
        for index, after in enumerate(chart.states[state].after_entries)
    )
    return Step(tuple(micros), config, resume, deadlines, tuple(cancelled), overflow)
