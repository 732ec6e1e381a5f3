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
  ``bench_parallel`` drives it;
* ``pystator`` — pystator's ``StateMachine`` of the chart (a parallel
  state with two regions; the paused state without its history state,
  which pystator keeps in the machine object, not in the stored text),
  given the text pystator stores for a parallel configuration
  (``checks:lint=linting,tests=testing``), read with
  ``ParallelStateConfig.from_string`` and processed with
  ``process_parallel``. It has no ``done.state`` events, and an event on
  the parallel state itself does not leave it: the scenarios where it
  decides otherwise than the chart show ``-``.

transitions is left out for the reason ``bench_parallel`` gives (its
parallel states have no ``done.state`` events and no history).

The script checks that the factored module, memo on and off, returns the
tabled module's results (``to_dict``) on every scenario, and that the
others decide alike (``bench_parallel.check_alike``), then prints ns per
call and the ratios of ``factored`` to each other contender. Target:
``factored`` faster than every peer; the table shows how far it is from
the tabled and flat modules.

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
from chart_support import OURS, fresh, measure, settings
from generated import import_source, load

from gubernator_gen import backend
from gubernator_gen.backend.statechart import Limits

#: Limits no configuration table fits: the factored mode.
FACTORED = Limits(keys=1, cells=0, combinations=1)
#: The columns printed, ours first; ``chart`` is the tabled module.
COLUMNS = ("factored", "uncached", "chart", "flat", "statemachine", "pystator")
HEADS = {"chart": "tabled"}
PEERS = ("statemachine", "pystator")


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
    ("sm/fact", "statemachine", "factored"),
    ("stator/fact", "pystator", "factored"),
)
#: pystator's chart: the deployment without its history state (pystator
#: raises no ``done.state`` events: that transition is never taken).
STATOR = {
    "meta": {"machine_name": "deploy", "strict_mode": True},
    "states": [
        {"name": "idle", "type": "initial"},
        {
            "name": "checks",
            "type": "parallel",
            "regions": [
                {"name": "lint", "initial": "linting", "states": ["linting", "linted"]},
                {
                    "name": "tests",
                    "initial": "testing",
                    "states": ["testing", "tested"],
                },
            ],
        },
        *({"name": s, "parent": "checks"} for s in ("linting", "linted")),
        *({"name": s, "parent": "checks"} for s in ("testing", "tested")),
        {"name": "paused", "initial_child": "waiting"},
        {"name": "waiting", "parent": "paused"},
        {"name": "deployed", "type": "terminal"},
    ],
    "transitions": [
        {"trigger": "start", "source": "idle", "dest": "checks"},
        {"trigger": "lint_ok", "source": "linting", "dest": "linted", "region": "lint"},
        {
            "trigger": "tests_ok",
            "source": "testing",
            "dest": "tested",
            "region": "tests",
            "guards": ["green"],
        },
        *(
            {
                "trigger": "retry",
                "source": s,
                "dest": s,
                "region": r,
                "guards": ["flaky"],
            }
            for s, r in (("linting", "lint"), ("testing", "tests"))
        ),
        {"trigger": "done.state.checks", "source": "checks", "dest": "deployed"},
        {"trigger": "abort", "source": "checks", "dest": "paused"},
    ],
}


def _pystator_peer() -> Any:
    from pystator import StateMachine

    machine = StateMachine.from_dict(STATOR)
    guards = Guards()
    machine.guard("green")(guards.green)
    machine.guard("flaky")(guards.flaky)
    return machine


def _stator_statements(
    names: dict[str, Any], table: dict[str, dict[str, str | None]]
) -> None:
    """Add pystator's statement to each scenario it decides as the chart
    does (``None`` to the others); its stored texts are ``p<n>``."""
    from pystator._parallel import ParallelStateConfig

    names["Parallel"] = ParallelStateConfig
    stator = names["stator"]
    for number, (scenario, (config, trigger, context, peer)) in enumerate(
        SCENARIOS.items()
    ):
        text = f"checks:lint={peer[0]},tests={peer[1]}"
        names[f"p{number}"] = fresh(text)
        start = ParallelStateConfig.from_string(text)
        after, _ = stator.process_parallel(start, trigger, context)
        ours = names["chart"].process(config, trigger, context)
        expected = set(ours.configuration.active) if ours.success else set(peer)
        same = set(after.region_states.values()) == expected
        table[scenario]["pystator"] = (
            f"stator.process_parallel(Parallel.from_string(p{number}), "
            f"t{number}, c{number})"
            if same
            else None
        )


def _report(best: dict[str, dict[str, float]], width: int) -> bool:
    """Print the table and the ratios (how many times ``factored`` costs
    the tabled and flat modules', how many times the uncached call and the
    peers cost ``factored``'s); True when ``factored`` is faster than every
    peer on every scenario it runs."""
    heads = "".join(f"{HEADS.get(c, c):>13}" for c in COLUMNS)
    ratios = "".join(f"{head:>14}" for head, _, _ in RATIOS)
    print(f"{'scenario':<{width}}{heads}{ratios}")
    ok = True
    for scenario, row in best.items():
        cells = "".join(
            f"{row[c]:13.0f}" if c in row else f"{'-':>13}" for c in COLUMNS
        )
        parts = "".join(
            f"{row[n] / row[d]:13.2f}x" if n in row else f"{'-':>14}"
            for _, n, d in RATIOS
        )
        ok &= all(row["factored"] < row[p] for p in PEERS if p in row)
        print(f"{scenario:<{width}}{cells}{parts}")
    print("target: factored (memo on) faster than every peer (ns per call)")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Build the contenders, check them, time them and print the table."""
    number, rounds, quick = settings(argv, __doc__)
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
        "stator": _pystator_peer(),
    }
    check_alike(names, flat_states)
    _check_factored(names)
    table = statements(names, flat_states)
    _stator_statements(names, table)
    for number_, row in enumerate(table.values()):
        arguments = f"s{number_}, t{number_}, c{number_}"
        row["factored"] = f"factored.process({arguments})"
        row["uncached"] = f"uncached.process({arguments})"
    best = measure(table, names, number, rounds, (*OURS, "factored", "uncached"))
    return 0 if _report(best, 26) or quick else 1


if __name__ == "__main__":
    sys.exit(main())
