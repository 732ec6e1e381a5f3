"""Measure ``process`` against its floor and its peers (README.md#performance).

Every contender decides the same events on the same spec
(``benchmarks/order_book.yaml``: ``execution_report`` from ``OPEN`` has two
candidates, ``[has_fill, is_full_fill] → FILLED`` then ``[has_fill] →
PARTIALLY_FILLED``), interleaved in one process and repeated (best of the
rounds, each call timed as source by ``timeit``, so no wrapper is counted):

* ``floor`` — the order book written by hand (``floor_order_book.py``),
  behaving as the generated machine does (raising guards named in a
  ``GuardError``, awaitable answers refused); ``floor-`` is its
  success-only variant without any of that, shown for information;
* ``gen`` — the module gubernator-gen generates from the spec, generated
  afresh into a temporary directory;
* the peers (the ``bench`` extra): pygubernator 0.0.1 and pystator (both
  stateless), transitions and python-statemachine (both stateful: the
  statement sets the model's state first, their cheapest way to decide for
  a stored state). A refusal they raise is caught in the statement.

Guards are methods of a class, as applications write them. States and
triggers given as ``str`` are built at run time (like a value read from a
database), not interned literals. The script checks that every contender
decides every scenario alike, then prints ns per call and the targets:
success paths within 1.1x of the floor; failure paths under 4x the
unguarded success and no slower than the fastest peer; an ``Event`` under
2x a trigger string; faster than every peer everywhere.

Run: ``python benchmarks/bench_process.py`` (``--quick`` for a smoke run).
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

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floor_order_book import Floor, FloorSuccessOnly  # noqa: E402
from generated import generate_and_import  # noqa: E402

SPEC = HERE / "order_book.yaml"


def _fresh(text: str) -> str:
    """``text`` as a new, non-interned string, like one read from storage."""
    return "".join(list(text))


class Guards:
    """The order book's guards, as an application writes them."""

    def has_fill(self, ctx: Any) -> bool:
        return ctx.get("filled", 0) > 0

    def is_full_fill(self, ctx: Any) -> bool:
        return ctx.get("filled", 0) >= ctx.get("quantity", 1)


FULL = {"filled": 10, "quantity": 10}
PARTIAL = {"filled": 4, "quantity": 10}
NONE = {"filled": 0, "quantity": 10}

# name → (state, trigger, context, kind); kind: success, failure or event.
SCENARIOS: dict[str, tuple[str, str, Any, str]] = {
    "unguarded, str": ("OPEN", "cancel", None, "success"),
    "unguarded, enum": ("OPEN", "cancel", None, "success enum"),
    "unguarded, context dict": ("OPEN", "cancel", FULL, "success"),
    "one guard": ("PARTIALLY_FILLED", "execution_report", FULL, "success"),
    "2 candidates, full fill": ("OPEN", "execution_report", FULL, "success"),
    "2 candidates, full, enum": ("OPEN", "execution_report", FULL, "success enum"),
    "2 candidates, partial": ("OPEN", "execution_report", PARTIAL, "success"),
    "Event, unguarded": ("OPEN", "cancel", None, "event"),
    "Event, 2 candidates": ("OPEN", "execution_report", FULL, "event"),
    "guards refused": ("OPEN", "execution_report", NONE, "failure"),
    "undefined trigger": ("OPEN", "teleport", None, "failure"),
    "terminal state": ("FILLED", "cancel", None, "failure"),
    "non-strict no-op": ("OPEN", "expire", None, "no-op"),
}


def _load_generated(workdir: Path, strict: bool) -> ModuleType:
    text = SPEC.read_text(encoding="utf-8")
    name = "bench_order_book" if strict else "bench_order_book_lenient"
    if not strict:
        text = text.replace("strict_mode: true", "strict_mode: false")
    return generate_and_import(workdir, name, text)


def _config(strict: bool, lower: bool = False) -> dict[str, Any]:
    """The spec for the interpreters; ``lower``: states in lower case (pystator)."""
    text = SPEC.read_text(encoding="utf-8")
    if lower:
        for state in ("PARTIALLY_FILLED", "OPEN", "FILLED", "CANCELLED", "EXPIRED"):
            text = text.replace(state, state.lower())
    config: dict[str, Any] = yaml.safe_load(text)
    config.pop("context", None)  # the interpreters take no typed context
    config["meta"]["strict_mode"] = strict
    return config


def _pygubernator(strict: bool) -> Any:
    from pygubernator import StateMachine
    from pygubernator.guards.registry import GuardRegistry

    machine = StateMachine.from_dict(_config(strict))
    registry = GuardRegistry()
    guards = Guards()
    registry.register("has_fill", guards.has_fill)
    registry.register("is_full_fill", guards.is_full_fill)
    machine.bind_guards(registry)
    return machine


def _pystator(strict: bool) -> Any:
    from pystator import StateMachine

    machine = StateMachine.from_dict(_config(strict, lower=True))
    guards = Guards()
    machine.guard("has_fill")(guards.has_fill)
    machine.guard("is_full_fill")(guards.is_full_fill)
    return machine


def _transitions() -> Any:
    from transitions import Machine

    guards = Guards()

    class Model:
        def has_fill(self, ctx: Any = None) -> bool:
            return guards.has_fill(ctx or {})

        def is_full_fill(self, ctx: Any = None) -> bool:
            return guards.is_full_fill(ctx or {})

    model = Model()
    Machine(
        model,
        states=["OPEN", "PARTIALLY_FILLED", "FILLED", "CANCELLED", "EXPIRED"],
        transitions=[
            {
                "trigger": "execution_report",
                "source": "OPEN",
                "dest": "FILLED",
                "conditions": ["has_fill", "is_full_fill"],
            },
            {
                "trigger": "execution_report",
                "source": "OPEN",
                "dest": "PARTIALLY_FILLED",
                "conditions": ["has_fill"],
            },
            {
                "trigger": "execution_report",
                "source": "PARTIALLY_FILLED",
                "dest": "FILLED",
                "conditions": ["is_full_fill"],
            },
            {
                "trigger": "cancel",
                "source": ["OPEN", "PARTIALLY_FILLED"],
                "dest": "CANCELLED",
            },
            {"trigger": "expire", "source": "PARTIALLY_FILLED", "dest": "EXPIRED"},
        ],
        initial="OPEN",
        auto_transitions=False,
    )
    return model


def _statemachine() -> Any:
    from statemachine import State, StateMachine

    guards = Guards()

    class OrderBook(StateMachine):  # type: ignore[misc]
        OPEN = State(initial=True)
        PARTIALLY_FILLED = State()
        FILLED = State(final=True)
        CANCELLED = State(final=True)
        EXPIRED = State(final=True)
        execution_report = (
            OPEN.to(FILLED, cond=["has_fill", "is_full_fill"])
            | OPEN.to(PARTIALLY_FILLED, cond="has_fill")
            | PARTIALLY_FILLED.to(FILLED, cond="is_full_fill")
        )
        cancel = OPEN.to(CANCELLED) | PARTIALLY_FILLED.to(CANCELLED)
        expire = PARTIALLY_FILLED.to(EXPIRED)

        def has_fill(self, ctx: Any = None) -> bool:
            return guards.has_fill(ctx or {})

        def is_full_fill(self, ctx: Any = None) -> bool:
            return guards.is_full_fill(ctx or {})

    return OrderBook()


def _statements(names: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    """Scenario → contender → the statement timed (None: not comparable)."""
    table: dict[str, dict[str, str | None]] = {}
    for scenario, (state, trigger, context, kind) in SCENARIOS.items():
        key = scenario.replace(" ", "_").replace(",", "").replace("-", "_")
        names[f"s_{key}"] = _fresh(state)
        names[f"t_{key}"] = _fresh(trigger)
        names[f"c_{key}"] = None if context is None else dict(context)
        names[f"sl_{key}"] = _fresh(state.lower())  # pystator's state names
        s, t, c = f"s_{key}", f"t_{key}", f"c_{key}"
        if kind == "success enum":
            names[s] = names["State"](state)
            names[t] = names["Trigger"](trigger)
        arg = t
        if kind == "event":
            names[f"e_{key}"] = names["Event"](trigger, names[c] or {})
            arg, c = f"e_{key}", "None"
        ours = "lenient" if kind == "no-op" else "gen"
        row: dict[str, str | None] = {
            "floor": f"floor.process({s}, {arg}, {c})" if kind != "no-op" else None,
            "floor-": (
                f"floor_fast.process({s}, {arg}, {c})" if kind != "no-op" else None
            ),
            "gen": f"{ours}.process({s}, {arg}, {c})",
        }
        pyg = "pyg_lenient" if kind == "no-op" else "pyg"
        stator = "stator_lenient" if kind == "no-op" else "stator"
        event_arg = f"e_{key}" if kind == "event" else t
        pyg_ctx = f"{c} or {{}}" if kind != "event" else "{}"
        row["pygubernator"] = f"{pyg}.process({s}, {t}, {pyg_ctx})"
        row["pystator"] = f"{stator}.process(sl_{key}, {event_arg}, {pyg_ctx})"
        if kind in ("no-op", "event"):
            row["transitions"] = row["statemachine"] = None
        else:
            ctx_kw = f"ctx={c}"
            row["transitions"] = (
                f"model.state = {s}\ntry:\n    model.trigger({t}, {ctx_kw})\n"
                "except Exception:\n    pass"
            )
            row["statemachine"] = (
                f"sm.current_state_value = {s}\ntry:\n    sm.send({t}, {ctx_kw})\n"
                "except Exception:\n    pass"
            )
        table[scenario] = row
    return table


def _check_decisions(names: dict[str, Any]) -> None:
    """Refuse to compare contenders that decide differently."""
    for scenario, (state, trigger, context, kind) in SCENARIOS.items():
        if kind == "no-op":
            ours, theirs = names["lenient"], names["pyg_lenient"]
            contenders = [ours, theirs]
        else:
            contenders = [
                names["gen"],
                names["floor"],
                names["floor_fast"],
                names["pyg"],
            ]
        results = [c.process(state, trigger, context or {}) for c in contenders]
        seen = {(r.success, r.target_state, tuple(r.all_actions)) for r in results}
        if len(seen) != 1:
            raise SystemExit(f"contenders disagree on {scenario}: {seen}")


def _measure(
    statements: dict[str, dict[str, str | None]],
    names: dict[str, Any],
    number: int,
    rounds: int,
) -> dict[str, dict[str, float]]:
    timers: dict[tuple[str, str], tuple[timeit.Timer, int]] = {}
    for scenario, row in statements.items():
        for contender, statement in row.items():
            if statement is None:
                continue
            slow = contender not in ("floor", "floor-", "gen")
            count = max(number // 40, 50) if slow else number
            timer = timeit.Timer(statement, globals=names)
            timer.timeit(1)  # warm up
            timers[(scenario, contender)] = (timer, count)
    best: dict[str, dict[str, float]] = {s: {} for s in statements}
    for _ in range(rounds):  # interleaved: load on the machine hits all alike
        for (scenario, contender), (timer, count) in timers.items():
            ns = timer.timeit(count) / count * 1e9
            previous = best[scenario].get(contender, float("inf"))
            best[scenario][contender] = min(previous, ns)
    return best


#: Each Event scenario and the same decision with a trigger string.
EVENT_BASELINES = {
    "Event, unguarded": "unguarded, str",
    "Event, 2 candidates": "2 candidates, full fill",
}
CONTENDERS = ("floor", "floor-", "gen", "pygubernator", "pystator")
PEERS = ("pygubernator", "pystator", "transitions", "statemachine")


def _report(best: dict[str, dict[str, float]]) -> bool:
    columns = (*CONTENDERS, *PEERS[2:])
    print(
        f"{'scenario':<26}" + "".join(f"{c[:12]:>13}" for c in columns) + "  gen/floor"
    )
    for scenario, row in best.items():
        cells = "".join(
            f"{row[c]:13.0f}" if c in row else f"{'-':>13}" for c in columns
        )
        ratio = row["gen"] / row["floor"] if "floor" in row else float("nan")
        print(f"{scenario:<26}{cells}{ratio:10.2f}")
    met = True
    unguarded = best["unguarded, str"]["gen"]
    print("\ntargets:")
    for scenario, (_, _, _, kind) in SCENARIOS.items():
        row = best[scenario]
        checks: list[tuple[str, bool]] = []
        if kind.startswith("success"):
            ratio = row["gen"] / row["floor"]
            checks.append((f"{ratio:.2f}x floor (<= 1.1)", ratio <= 1.1))
        if kind in ("failure", "no-op"):
            ratio = row["gen"] / unguarded
            checks.append((f"{ratio:.2f}x unguarded (< 4)", ratio < 4))
        if kind == "event":
            plain = best[EVENT_BASELINES[scenario]]["gen"]
            ratio = row["gen"] / plain
            checks.append((f"{ratio:.2f}x a trigger string (< 2)", ratio < 2))
        peers = [row[p] for p in PEERS if p in row]
        if peers:
            fastest = min(peers)
            faster = fastest / row["gen"]
            checks.append((f"{faster:.1f}x faster than the fastest peer", faster > 1))
        ok = all(passed for _, passed in checks)
        met = met and ok
        listed = "; ".join(text for text, _ in checks)
        print(f"  {'met ' if ok else 'MISSED'} {scenario}: {listed}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print figures, ratios and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    number, rounds = (2_000, 2) if args.quick else (200_000, 9)
    with tempfile.TemporaryDirectory() as tmp:
        generated = _load_generated(Path(tmp), strict=True)
        lenient = _load_generated(Path(tmp), strict=False)
        import gubernator_runtime

        names: dict[str, Any] = {
            "gen": generated.Machine(guards=Guards()),
            "lenient": lenient.Machine(guards=Guards()),
            "floor": Floor(generated, Guards()),
            "floor_fast": FloorSuccessOnly(generated, Guards()),
            "pyg": _pygubernator(True),
            "pyg_lenient": _pygubernator(False),
            "stator": _pystator(True),
            "stator_lenient": _pystator(False),
            "model": _transitions(),
            "sm": _statemachine(),
            "State": generated.State,
            "Trigger": generated.Trigger,
            "Event": gubernator_runtime.Event,
        }
        _check_decisions(names)
        statements = _statements(names)
        best = _measure(statements, names, number, rounds)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, ns per call, "
        f"best of {rounds} interleaved rounds ({number} calls; peers fewer)\n"
    )
    met = _report(best)
    print("all targets met" if met else "TARGETS MISSED")
    return 0 if met or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
