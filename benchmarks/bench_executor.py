"""Measure what the action executor adds to calling the actions (README.md#performance).

README.md#performance: the executor adds under 150 ns per action and under 1 µs per call
beyond calling the actions directly (retries and async excepted). Timed in
one process, interleaved and repeated (best of the rounds):

* ``direct`` — a loop calling the implementations of ``result.all_actions``
  with the context, as an application would without an executor;
* ``execute`` — ``executor.execute(result, context)`` on the same result.

Measured for results with 0, 1, 3 and 10 actions; the overhead per call is
the 0-action figure, the overhead per action the slope of the others.

Run: ``python benchmarks/bench_executor.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import platform
import timeit
from typing import Any

from gubernator_runtime import ActionExecutor, TransitionResult

TARGET_PER_CALL_NS = 1000.0
TARGET_PER_ACTION_NS = 150.0
SIZES = (0, 1, 3, 10)


def _action(ctx: Any) -> None:
    return None


def main(argv: list[str] | None = None) -> int:
    """Time the executor against direct calls and print the overheads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    number, rounds = (2_000, 2) if args.quick else (100_000, 9)
    actions = {f"a{i}": _action for i in range(max(SIZES))}
    executor: ActionExecutor[str] = ActionExecutor(
        actions, required_actions=tuple(actions)
    )
    context = {"order": 1}
    timers: dict[tuple[str, int], timeit.Timer] = {}
    for size in SIZES:
        names = tuple(f"a{i}" for i in range(size))
        result: TransitionResult[str] = TransitionResult(True, "A", "B", "go", names)
        scope = {"executor": executor, "result": result, "ctx": context}
        scope["actions"] = actions
        direct = "for name in result.all_actions:\n    actions[name](ctx)"
        timers[("direct", size)] = timeit.Timer(direct, globals=scope)
        timers[("execute", size)] = timeit.Timer(
            "executor.execute(result, ctx)", globals=scope
        )
    best = {key: float("inf") for key in timers}
    for _ in range(rounds):
        for key, timer in timers.items():
            best[key] = min(best[key], timer.timeit(number) / number * 1e9)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, ns per call, "
        f"best of {rounds} interleaved rounds of {number} calls"
    )
    print(f"{'actions':>8}{'direct':>10}{'execute':>10}{'overhead':>10}")
    overhead = {}
    for size in SIZES:
        direct, run = best[("direct", size)], best[("execute", size)]
        overhead[size] = run - direct
        print(f"{size:>8}{direct:10.0f}{run:10.0f}{overhead[size]:10.0f}")
    per_call = overhead[0]
    per_action = (overhead[SIZES[-1]] - overhead[1]) / (SIZES[-1] - 1)
    met = per_call < TARGET_PER_CALL_NS and per_action < TARGET_PER_ACTION_NS
    print(
        f"overhead per call {per_call:.0f} ns (target < {TARGET_PER_CALL_NS:.0f}), "
        f"per action {per_action:.0f} ns (target < {TARGET_PER_ACTION_NS:.0f})"
    )
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
