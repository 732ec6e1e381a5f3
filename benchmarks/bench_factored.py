"""Measure ``process`` in the factored mode against the same decision tabled.

The factored mode (docs/statecharts.md, "The table rule") is the fallback
for statecharts whose configurations explode: the module combines per-state
and per-transition tables per event instead of looking a prebuilt result
up. Its cost is measured here on the deployment chart of
``bench_parallel`` (parallel checks, shallow history, ``done.state``),
generated three ways and given the same scenarios:

* ``factored`` — the chart's module generated in the factored mode (its
  limits forced down, as the tests do);
* ``tabled`` — the same chart tabled per configuration (the default);
* ``flat`` — the flat machine that makes the same decisions.

Each call gets a fresh configuration string, as read from storage (the
factored machine keeps the configurations it has parsed, so this is its
steady state). The figure is quoted in docs/statecharts.md.

Run: ``python benchmarks/bench_factored.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import platform
import sys
import timeit
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parallel import SCENARIOS, Guards, chart_spec, flat_spec
from bench_statechart import _fresh, _load

from gubernator_gen import backend
from gubernator_gen.backend.statechart import Limits

#: Limits no configuration table fits: the factored mode.
FACTORED = Limits(keys=1, cells=0, combinations=1)


def _factored_module() -> types.ModuleType:
    spec = chart_spec()
    result = backend.generate_module(spec, limits=FACTORED)
    if result.source is None or "_FACTORED" not in result.source:
        raise SystemExit("the chart was not generated in the factored mode")
    module = types.ModuleType("deploy_factored")
    exec(compile(result.source, "deploy_factored.py", "exec"), module.__dict__)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    tabled_module = _load(chart_spec())
    flat, flat_states = flat_spec(tabled_module)
    names: dict[str, Any] = {
        "factored": _factored_module().Machine(guards=Guards()),
        "tabled": tabled_module.Machine(guards=Guards()),
        "flat": _load(flat).Machine(guards=Guards()),
        "fresh": _fresh,
    }
    number, rounds = (2_000, 2) if args.quick else (50_000, 5)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, ns per call, "
        f"best of {rounds} rounds ({number} calls)\n"
    )
    columns = ("factored", "tabled", "flat")
    print(f"{'scenario':<26}" + "".join(f"{c:>10}" for c in columns) + "  fact/flat")
    for scenario, (config, trigger, context, _) in SCENARIOS.items():
        names.update(c=config, f=flat_states[config], t=trigger, x=context)
        ours = names["factored"].process(config, trigger, context)
        tabled = names["tabled"].process(config, trigger, context)
        if (ours.success, ours.all_actions, ours.configuration) != (
            tabled.success,
            tabled.all_actions,
            tabled.configuration,
        ):
            raise SystemExit(f"the factored and tabled modules disagree on {scenario}")
        row = {}
        for column, key in (("factored", "c"), ("tabled", "c"), ("flat", "f")):
            timer = timeit.Timer(
                f"{column}.process(fresh({key}), t, x)", globals=names
            )
            row[column] = min(timer.repeat(rounds, number)) / number * 1e9
        cells = "".join(f"{row[c]:10.0f}" for c in columns)
        print(f"{scenario:<26}{cells}  {row['factored'] / row['flat']:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
