"""Measure ``process`` in the factored mode against the tabled, flat and peers.

The factored mode (docs/statecharts.md, "The table rule") is the fallback
for statecharts whose configurations explode: the module combines per-state
and per-transition tables per event instead of looking a prebuilt result
up, and keeps what it combined in a bounded memo (``memo_size``). Its cost
is measured on the deployment chart of ``bench_parallel`` (parallel checks,
shallow history, ``done.state``), given that script's scenarios and
statements (the same configuration text, trigger and context per call),
interleaved in one process, best of the rounds:

* ``factored`` — the chart's module generated in the factored mode (its
  limits forced down, as the tests do), its memo on (the default): the
  steady state of an application whose configurations recur;
* ``uncached`` — the same module with ``memo_size = 0``: every call
  combined, the cost of a configuration seen for the first time;
* ``tabled`` — the same chart tabled per configuration (``chart`` in
  ``bench_parallel``);
* ``flat`` — the flat machine that makes the same decisions;
* ``statemachine`` — python-statemachine's ``StateChart`` of the chart, as
  ``bench_parallel`` drives it. transitions is left out for the reason
  that script gives (its parallel states have no ``done.state`` events
  and no history); pystator is driven on flat machines only
  (``bench_process``): no driver of this chart exists for it yet.

The script checks that the factored module, memo on and off, returns the
tabled module's results (``to_dict``) on every scenario, and that the
others decide alike (``bench_parallel.check_alike``), then prints ns per
call and the ratios of ``factored`` to each other contender. Target:
``factored`` faster than the peer; the table shows how far it is from the
tabled and flat modules.

Run: ``python benchmarks/bench_factored.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parallel import (
    SCENARIOS,
    Guards,
    chart_spec,
    check_alike,
    flat_spec,
    statemachine_peer,
    statements,
)
from chart_support import OURS, measure, settings
from generated import import_source, load

from gubernator_gen import backend
from gubernator_gen.backend.statechart import Limits

#: Limits no configuration table fits: the factored mode.
FACTORED = Limits(keys=1, cells=0, combinations=1)
#: The columns printed, ours first; ``chart`` is the tabled module.
COLUMNS = ("factored", "uncached", "chart", "flat", "statemachine")
HEADS = {"chart": "tabled"}


def _factored_module(name: str) -> types.ModuleType:
    result = backend.generate_module(chart_spec(), limits=FACTORED)
    if result.source is None or "_FACTORED" not in result.source:
        raise SystemExit("the chart was not generated in the factored mode")
    return import_source(name, result.source, f"{name}.py")


def _check_factored(names: dict[str, Any]) -> None:
    """Refuse to time a factored module that answers otherwise than the
    tabled one (each scenario twice: the second call is the memo's)."""
    for scenario, (config, trigger, context, _) in SCENARIOS.items():
        tabled = names["chart"].process(config, trigger, context).to_dict()
        for contender in ("factored", "uncached", "factored"):
            ours = names[contender].process(config, trigger, context).to_dict()
            if ours != tabled:
                raise SystemExit(f"{contender} and tabled disagree on {scenario}")


#: The ratios printed: (heading, numerator, denominator).
RATIOS = (
    ("fact/tabled", "factored", "chart"),
    ("fact/flat", "factored", "flat"),
    ("uncached/fact", "uncached", "factored"),
    ("peer/fact", "statemachine", "factored"),
)


def _report(best: dict[str, dict[str, float]], width: int) -> bool:
    """Print the table and the ratios (how many times ``factored`` costs
    the tabled and flat modules', how many times the uncached call and the
    peer cost ``factored``'s); True when ``factored`` is faster than the
    peer on every scenario."""
    heads = "".join(f"{HEADS.get(c, c):>13}" for c in COLUMNS)
    ratios = "".join(f"{head:>14}" for head, _, _ in RATIOS)
    print(f"{'scenario':<{width}}{heads}{ratios}")
    ok = True
    for scenario, row in best.items():
        cells = "".join(f"{row[c]:13.0f}" for c in COLUMNS)
        parts = "".join(f"{row[n] / row[d]:13.2f}x" for _, n, d in RATIOS)
        ok &= row["factored"] < row["statemachine"]
        print(f"{scenario:<{width}}{cells}{parts}")
    print("target: factored (memo on) faster than the peer (ns per call)")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Build the contenders, check them, time them and print the table."""
    number, rounds = settings(argv, __doc__)
    tabled_module = load(chart_spec())
    flat, flat_states = flat_spec(tabled_module)
    uncached = _factored_module("deploy_uncached")
    uncached.Machine.memo_size = 0
    names: dict[str, Any] = {
        "chart": tabled_module.Machine(guards=Guards()),
        "flat": load(flat).Machine(guards=Guards()),
        "sm": statemachine_peer(),
        "factored": _factored_module("deploy_factored").Machine(guards=Guards()),
        "uncached": uncached.Machine(guards=Guards()),
    }
    check_alike(names, flat_states)
    _check_factored(names)
    table = statements(names, flat_states)
    for number_, row in enumerate(table.values()):
        arguments = f"s{number_}, t{number_}, c{number_}"
        row["factored"] = f"factored.process({arguments})"
        row["uncached"] = f"uncached.process({arguments})"
    best = measure(table, names, number, rounds, (*OURS, "factored", "uncached"))
    return 0 if _report(best, 26) else 1


if __name__ == "__main__":
    sys.exit(main())
