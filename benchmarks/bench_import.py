"""How much ``import gubernator_runtime`` adds to a bare interpreter
(README.md#performance).

Each figure is the median wall-clock time of a fresh ``python -S`` process
(``-S``: no ``site``, so nothing an environment's ``.pth`` files preload, such
as the editable-install finders of this repository, hides the cost). The
runtime is imported from this checkout's ``runtime/`` folder.

Three processes are timed, interleaved:

* bare: the interpreter alone;
* typing + enum: what every generated module imports from the standard
  library anyway (shown to separate the runtime's own cost from theirs);
* runtime: ``import gubernator_runtime``.

Target: runtime minus bare under 20 ms.

Run: ``python benchmarks/bench_import.py [--runs N]`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"
TARGET_MS = 20.0

_PATH = f"import sys; sys.path.insert(0, {str(RUNTIME_DIR)!r})"
PROGRAMS = {
    "bare": _PATH,
    "typing + enum": _PATH + "; import typing, enum",
    "runtime": _PATH + "; import gubernator_runtime",
}


# Importing means loading cached bytecode, as in production: the warm-up run
# writes the .pyc files even where the environment says not to.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _wall_ms(program: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-S", "-c", program], check=True, env=_ENV)
    return (time.perf_counter() - start) * 1e3


def main(argv: list[str] | None = None) -> int:
    """Time the three programs and print medians and the runtime's cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="processes per figure")
    parser.add_argument(
        "--quick", action="store_true", help="a 3-run smoke test that never fails"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 3
    samples: dict[str, list[float]] = {name: [] for name in PROGRAMS}
    for program in PROGRAMS.values():
        _wall_ms(program)
    for _ in range(args.runs):  # interleaved, so load affects all alike
        for name, program in PROGRAMS.items():
            samples[name].append(_wall_ms(program))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"Python {sys.version.split()[0]}, median of {args.runs} processes each")
    for name, value in medians.items():
        print(f"  {name:<16} {value:7.1f} ms")
    cost = medians["runtime"] - medians["bare"]
    own = medians["runtime"] - medians["typing + enum"]
    print(f"import gubernator_runtime adds {cost:.1f} ms (target < {TARGET_MS:g} ms),")
    print(f"  of which {own:.1f} ms beyond typing and enum")
    met = cost < TARGET_MS
    print("target met" if met else "TARGET MISSED")
    return 0 if met or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
