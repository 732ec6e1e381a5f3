"""Measure guard items against the same conditions written by hand
(docs/language.md#guards).

Two machines are generated from one spec text, side by side in one process:

* ``declared`` writes its guards as data: ``{expr: "..."}``, ``{not: g}``,
  ``{guard: g, params: {...}}``, and ``assign``;
* ``by hand`` writes each as a named guard whose method, in a ``Guards``
  class as applications write them, holds the same condition.

Every scenario is decided by both (their results are checked to agree),
interleaved and repeated (best of the rounds, each call timed as source by
``timeit``). The target: each declared form costs at most 1.1x its
hand-written twin. ``assign`` has no twin in the machine (by hand the
application computes the update itself, elsewhere); its cost over the same
transition without ``assign`` is shown for information.

Run: ``python benchmarks/bench_guards.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import timeit
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generated import generate_and_import

SPEC = """\
meta:
  machine_name: {name}
context:
  amount: int
  paid: int
  blocked: bool
  attempts: int
states:
  - name: OPEN
    type: initial
  - name: PAID
  - name: CLOSED
    type: terminal
transitions:
  - trigger: pay
    source: OPEN
    dest: PAID
    guards: [{expression}]
  - trigger: close
    source: [OPEN, PAID]
    dest: CLOSED
    guards: [{negated}]
  - trigger: limit
    source: OPEN
    dest: PAID
    guards: [{keywords}]
  - trigger: retry
    source: PAID
    dest: PAID
    guards: [{expression}]
{assign}  - trigger: settle
    source: PAID
    dest: PAID
    guards: [{expression}]
"""

DECLARED = {
    "expression": '{expr: "amount > 0 and paid >= amount"}',
    "negated": "{not: is_blocked}",
    "keywords": "{guard: within, params: {limit: 100}}",
    "assign": '    assign:\n      attempts: "attempts + 1"\n',
}
BY_HAND = {
    "expression": "covers_amount",
    "negated": "is_clear",
    "keywords": "within_100",
    "assign": "",
}


class HandGuards:
    """The same conditions as guard methods, as an application writes them."""

    def covers_amount(self, ctx: Any) -> bool:
        return ctx["amount"] > 0 and ctx["paid"] >= ctx["amount"]

    def is_clear(self, ctx: Any) -> bool:
        return not ctx["blocked"]

    def within_100(self, ctx: Any) -> bool:
        return ctx["amount"] <= 100


class DeclaredGuards:
    """The guard methods the declared machine still names."""

    def is_blocked(self, ctx: Any) -> bool:
        return ctx["blocked"]

    def within(self, ctx: Any, *, limit: int) -> bool:
        return ctx["amount"] <= limit


PASSING = {"amount": 50, "paid": 50, "blocked": False, "attempts": 1}
FAILING = {"amount": 500, "paid": 20, "blocked": True, "attempts": 1}

# name → (state, trigger, context); "retry" has assign in the declared machine.
SCENARIOS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "expression passes": ("OPEN", "pay", PASSING),
    "expression refuses": ("OPEN", "pay", FAILING),
    "negated passes": ("OPEN", "close", PASSING),
    "negated refuses": ("OPEN", "close", FAILING),
    "parameters pass": ("OPEN", "limit", PASSING),
    "parameters refuse": ("OPEN", "limit", FAILING),
}
ASSIGN_SCENARIO = ("PAID", "retry", PASSING)
ASSIGN_BASELINE = ("PAID", "settle", PASSING)


def _load(workdir: Path, name: str, parts: dict[str, str]) -> ModuleType:
    return generate_and_import(workdir, name, SPEC.format(name=name, **parts))


def _fresh(text: str) -> str:
    """``text`` as a new, non-interned string, like one read from storage."""
    return "".join(list(text))


def _best(statement: str, names: dict[str, Any], number: int) -> timeit.Timer:
    timer = timeit.Timer(statement, globals=names)
    timer.timeit(number // 10 or 1)  # warm up
    return timer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    options = parser.parse_args()
    number, rounds = (2_000, 2) if options.quick else (200_000, 9)
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        declared_module = _load(workdir, "bench_declared", DECLARED)
        hand_module = _load(workdir, "bench_by_hand", BY_HAND)
        declared = declared_module.Machine(guards=DeclaredGuards())
        hand = hand_module.Machine(guards=HandGuards())
        names: dict[str, Any] = {"declared": declared, "hand": hand}
        timers: dict[tuple[str, str], timeit.Timer] = {}
        cases = {**SCENARIOS, "assign": ASSIGN_SCENARIO, "no assign": ASSIGN_BASELINE}
        for scenario, (state, trigger, context) in cases.items():
            key = scenario.replace(" ", "_")
            names[f"s_{key}"], names[f"t_{key}"] = _fresh(state), _fresh(trigger)
            names[f"c_{key}"] = dict(context)
            one = declared.process(state, trigger, context)
            other = hand.process(state, trigger, context)
            if (one.success, one.target_state) != (other.success, other.target_state):
                raise SystemExit(f"the machines disagree on {scenario}")
            call = f"process(s_{key}, t_{key}, c_{key})"
            timers[(scenario, "declared")] = _best(f"declared.{call}", names, number)
            if scenario in SCENARIOS:
                timers[(scenario, "by hand")] = _best(f"hand.{call}", names, number)
        best: dict[tuple[str, str], float] = {}
        for _ in range(rounds):  # interleaved: load on the machine hits all alike
            for cell, timer in timers.items():
                ns = timer.timeit(number) / number * 1e9
                best[cell] = min(best.get(cell, float("inf")), ns)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, ns per call, "
        f"best of {rounds} interleaved rounds ({number} calls)\n"
    )
    print(f"{'scenario':<22}{'by hand':>10}{'declared':>10}{'ratio':>8}")
    met = True
    for scenario in SCENARIOS:
        hand_ns, declared_ns = best[(scenario, "by hand")], best[(scenario, "declared")]
        ratio = declared_ns / hand_ns
        met = met and ratio <= 1.1
        print(f"{scenario:<22}{hand_ns:10.0f}{declared_ns:10.0f}{ratio:8.2f}")
    with_assign, without = best[("assign", "declared")], best[("no assign", "declared")]
    print(
        f"\nassign (attempts + 1): {with_assign:.0f} ns, the same transition "
        f"without it {without:.0f} ns (+{with_assign - without:.0f} ns)"
    )
    print("\ntarget: each declared form within 1.1x of its hand-written twin:")
    print("all targets met" if met else "MISSED")
    return 0 if met or options.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
