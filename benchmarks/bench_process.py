"""Measure ``process`` on a generated machine against its peers (SPEC §8).

Three contenders decide the same events on the same spec
(``examples/order_management/order_fsm.yaml``), side by side in one run:

* the module gubernator-gen generates from the spec (generated afresh into a
  temporary directory, so the figure is for the generator as it is now);
* pygubernator 0.0.1's interpretive ``StateMachine.process`` (the ``bench``
  extra: ``pip install -e ".[bench]"``);
* a hand-written function that looks a prepared result up in a ``dict``,
  the floor any dispatch table can hope for.

The figures are nanoseconds per call (best of several repeats, after a warm
up; each call is timed as source by ``timeit``, so no wrapper function is
counted) and the ratios SPEC §8 sets targets for:

* pygubernator / generated on a guarded transition: at least 30;
* generated / hand-written on a plain transition: at most 3.

Run: ``python benchmarks/bench_process.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import platform
import sys
import tempfile
import timeit
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from gubernator_gen.compiler import compile_path

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "examples" / "order_management" / "order_fsm.yaml"

GUARDED = ("PENDING", "pay")  # one guard that passes
PLAIN = ("PENDING", "cancel")  # no guards
MULTI_SOURCE = ("SHIPPED", "refund")  # second source of a multi-source transition
CONTEXT: Mapping[str, Any] = {"order_id": "A-1", "amount": 10, "items_in_stock": True}

TARGET_VS_PYGUBERNATOR = 30.0
TARGET_VS_HANDWRITTEN = 3.0


def _always(ctx: Mapping[str, Any]) -> bool:
    return True


#: The spec's guards, all passing, for both machines.
GUARDS = {"payment_covers_amount": _always, "items_in_stock": _always}


def _load_generated(workdir: Path) -> ModuleType:
    """Generate the example's module into ``workdir`` and import it."""
    result = compile_path(SPEC)
    if result.source is None:
        for diagnostic in result.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        raise SystemExit("the example spec did not compile")
    target = workdir / "bench_order_fsm.py"
    target.write_text(result.source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("bench_order_fsm", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _pygubernator_machine() -> Any:
    """The same spec, interpreted by pygubernator 0.0.1."""
    try:
        from pygubernator import StateMachine
        from pygubernator.guards.registry import GuardRegistry
    except ImportError:
        raise SystemExit(
            'pygubernator is not installed: pip install -e ".[bench]"'
        ) from None
    config = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    # pygubernator 0.0.1 predates typed contexts; the rest of the spec is shared.
    config.pop("context", None)
    machine = StateMachine.from_dict(copy.deepcopy(config))
    registry = GuardRegistry()
    for name, guard in GUARDS.items():
        registry.register(name, guard)
    machine.bind_guards(registry)
    return machine


def _handwritten(machine: Any) -> Callable[[str, str], Any]:
    """A dict of prepared results, as one would write it by hand."""
    table = {PLAIN: machine.process(*PLAIN, CONTEXT)}

    def lookup(state: str, trigger: str) -> Any:
        return table[(state, trigger)]

    return lookup


def _best_ns(statement: str, names: dict[str, Any], number: int, repeat: int) -> float:
    """Best time of ``statement`` in ns, timed as source so no wrapper is counted."""
    timer = timeit.Timer(statement, globals=names)
    timer.timeit(number=1)  # warm up caches and any lazy set-up
    return min(timer.repeat(number=number, repeat=repeat)) / number * 1e9


def _check_same_decisions(generated_machine: Any, interpreted: Any) -> None:
    """Refuse to compare machines that do not decide the same way."""
    for state, trigger in (GUARDED, PLAIN, MULTI_SOURCE):
        ours = generated_machine.process(state, trigger, CONTEXT)
        theirs = interpreted.process(state, trigger, dict(CONTEXT))
        same = (
            ours.success == theirs.success
            and ours.target_state == theirs.target_state
            and tuple(ours.all_actions) == tuple(theirs.all_actions)
        )
        if not same:
            raise SystemExit(
                f"decisions differ on {state} + {trigger}: {ours} / {theirs}"
            )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    number, repeat = (2_000, 3) if args.quick else (200_000, 7)

    with tempfile.TemporaryDirectory() as tmp:
        generated = _load_generated(Path(tmp))
        ours = generated.Machine(guards=GUARDS)
        theirs = _pygubernator_machine()
        _check_same_decisions(ours, theirs)
        handwritten = _handwritten(ours)
        ctx = dict(CONTEXT)
        pyg_number = max(number // 50, 200)

        names = {
            "ours": ours,
            "theirs": theirs,
            "handwritten": handwritten,
            "ctx": ctx,
        }
        rows = {
            "generated, guarded": _best_ns(
                'ours.process("PENDING", "pay", ctx)', names, number, repeat
            ),
            "pygubernator, guarded": _best_ns(
                'theirs.process("PENDING", "pay", ctx)', names, pyg_number, repeat
            ),
            "generated, plain": _best_ns(
                'ours.process("PENDING", "cancel", ctx)', names, number, repeat
            ),
            "pygubernator, plain": _best_ns(
                'theirs.process("PENDING", "cancel", ctx)', names, pyg_number, repeat
            ),
            "hand-written dict, plain": _best_ns(
                'handwritten("PENDING", "cancel")', names, number, repeat
            ),
        }

    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"best of {repeat} x {number} calls (pygubernator: {pyg_number})"
    )
    for name, ns in rows.items():
        print(f"  {name:<28} {ns:10.1f} ns/call")
    vs_pyg = rows["pygubernator, guarded"] / rows["generated, guarded"]
    vs_pyg_plain = rows["pygubernator, plain"] / rows["generated, plain"]
    vs_hand = rows["generated, plain"] / rows["hand-written dict, plain"]
    print(
        f"pygubernator / generated, guarded: {vs_pyg:6.1f}x "
        f"(target >= {TARGET_VS_PYGUBERNATOR:g}x)"
    )
    print(f"pygubernator / generated, plain:   {vs_pyg_plain:6.1f}x")
    print(
        f"generated / hand-written, plain:   {vs_hand:6.2f}x "
        f"(target <= {TARGET_VS_HANDWRITTEN:g}x)"
    )
    met = vs_pyg >= TARGET_VS_PYGUBERNATOR and vs_hand <= TARGET_VS_HANDWRITTEN
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
