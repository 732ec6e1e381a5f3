"""Build-time statechart semantics (docs/statecharts.md): W3C SCXML, precomputed.

Pure functions of the model; no Jinja, no runtime imports. :func:`compile_chart`
is the entry point and applies the table rule:

* a machine with neither parallel states nor history is tabled per atomic
  state (mode "configuration", ``keyed_by_state``), whatever its size;
* a machine with either is tabled per reachable configuration while that
  stays within :class:`Limits` (by default 256 configurations, 2,048
  cells, 64 steps in one cell);
* past the limits it is "factored": per-state offers and per-transition
  plans that the runtime combines per event (see :mod:`.factored`).

An unguarded loop of eventless or ``done.state`` transitions is a
:class:`ChartProblem` in the configuration mode; the factored mode leaves
loops to the run-time bound (see ``docs/statecharts.md``).
"""

from __future__ import annotations

from gubernator_gen.backend.statechart.chart import Chart
from gubernator_gen.backend.statechart.configurations import (
    ChartProblem,
    ConfigurationTables,
    Limits,
    TooLarge,
    build_configuration_tables,
)
from gubernator_gen.backend.statechart.factored import (
    FactoredTables,
    build_factored_tables,
)
from gubernator_gen.model import MachineSpec

__all__ = [
    "ChartProblem",
    "ConfigurationTables",
    "FactoredTables",
    "Limits",
    "compile_chart",
]


def compile_chart(
    spec: MachineSpec, limits: Limits | None = None
) -> ConfigurationTables | FactoredTables:
    """The tables of ``spec`` under the table rule (see the module docstring).

    Raises :class:`ChartProblem` for a chart that cannot be compiled.
    """
    chart = Chart(spec)
    limits = limits or Limits()
    try:
        return build_configuration_tables(chart, limits)
    except TooLarge:
        return build_factored_tables(chart, queue_bound=limits.queue)
