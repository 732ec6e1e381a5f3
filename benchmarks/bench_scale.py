"""Scale benchmark (README.md#performance): a machine of 1,000 states and 5,000
transitions.

Measures, and prints:

* generation from the YAML file, formatting included (target: under 2 s):
  the command line end to end (``gubernator-gen generate`` in a fresh
  interpreter: start-up, imports, generation, the write), ``compile_path``
  in this process, and ``compile_path``'s stages (front end, naming + plan,
  render, black), each timed with the garbage collector paused as
  ``compile_path`` pauses it, so that the stages add up to about the whole;
* importing the generated module in a fresh interpreter (target: under
  50 ms), once compiling from source (no ``.pyc``) and once with the
  ``.pyc`` cached, plus the bare interpreter and ``gubernator_runtime``
  alone for reference;
* with ``--growth``: the import time (``.pyc`` cached) of chains of 5,000 to
  50,000 states, each with one transition, built as models (a YAML file of
  that size exceeds the loader's node limit) and generated unformatted;
  linear growth shows as a constant time per state.

Run: ``python benchmarks/bench_scale.py [--states N] [--transitions M]
[--whole-black]`` (the last also times black on the whole module, for comparison).
The spec is generated with a fixed seed, so every run measures the same
machine. This is a benchmark, not a test: it compares nothing with the targets.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gubernator_gen import collector, compiler, frontend
from gubernator_gen.backend import formatting, generate_module, naming, plan, render
from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.model import (
    EMPTY_METADATA,
    ErrorPolicy,
    MachineSpec,
    State,
    StateKind,
    Transition,
)

SEED = 20240601
TRIGGERS = 50
GUARDS = 100
ACTIONS = 200
TERMINAL = 10


def build_spec_text(states: int, transitions: int) -> str:
    """YAML for a machine with ``states`` states and ``transitions`` transitions.

    State 0 is initial and the last ``TERMINAL`` states are terminal; about a
    third of the transitions are guarded, every tenth state has a timeout.
    No transition is shadowed (the front end would reject it).
    """
    rng = random.Random(SEED)
    names = [f"S{i:04d}" for i in range(states)]
    open_states = names[: states - TERMINAL]
    lines = [
        "meta:",
        "  machine_name: scale_machine",
        '  version: "1.0.0"',
        "  description: A large generated machine for the scale benchmark.",
        "context:",
        "  amount: decimal",
        "  note: str?",
        "states:",
    ]
    for index, name in enumerate(names):
        kind = "initial" if index == 0 else "stable"
        if name not in open_states:
            kind = "terminal"
        lines.append(f"  - name: {name}")
        lines.append(f"    type: {kind}")
        lines.append(f"    description: State number {index} of the benchmark.")
        if kind != "terminal":
            lines.append(f"    on_enter: [act_{rng.randrange(ACTIONS)}]")
            if index % 10 == 5:
                dest = rng.choice(names)
                lines.append(f"    timeout: {{seconds: 3600, destination: {dest}}}")
    lines.append("transitions:")
    covered: set[tuple[str, str]] = set()  # (source, trigger) with an unguarded one
    made = 0
    while made < transitions:
        trigger = f"t{rng.randrange(TRIGGERS)}"
        wanted = rng.sample(open_states, rng.choice((1, 1, 1, 2, 3)))
        sources = [s for s in wanted if (s, trigger) not in covered]
        if not sources:
            continue
        guarded = rng.random() < 0.3
        if not guarded:
            covered.update((s, trigger) for s in sources)
        lines.append(f"  - trigger: {trigger}")
        lines.append(f"    source: [{', '.join(sources)}]")
        lines.append(f"    dest: {rng.choice(names)}")
        if guarded:
            lines.append(f"    guards: [guard_{rng.randrange(GUARDS)}]")
        lines.append(f"    actions: [act_{rng.randrange(ACTIONS)}]")
        lines.append(f"    description: Transition {made} of the benchmark.")
        made += 1
    return "\n".join(lines) + "\n"


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Wall time of one call, in seconds, and its result.

    The collector is paused over the call, as ``compile_path`` pauses it
    over every stage: a stage timed alone would otherwise pay for scanning
    what the stages before it left alive.
    """
    with collector.paused():
        start = time.perf_counter()
        result = function()
        return time.perf_counter() - start, result


def command_line_seconds(spec_path: Path, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of
    ``gubernator-gen generate`` on ``spec_path``, in a fresh interpreter each
    run (start-up, imports and the write included).

    The CPU time is less sensitive than the wall time to whatever else the
    machine runs; the target is about the wall time, which is only as good
    as a quiet machine.
    """
    command = [
        sys.executable,
        "-m",
        "gubernator_gen",
        "generate",
        "--quiet",
        "--force",
        str(spec_path),
    ]
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(
            after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        )
    return statistics.median(walls), statistics.median(cpus)


def measure_generation(spec_path: Path, *, whole_black: bool, runs: int) -> str:
    """Time the command line, the pipeline as a whole and stage by stage;
    return the source."""
    command_line, command_cpu = command_line_seconds(spec_path, runs)
    total, result = timed(lambda: compiler.compile_path(spec_path))
    assert isinstance(result, compiler.CompileResult)
    if result.source is None:
        for diagnostic in result.diagnostics:
            print(diagnostic.format())
        raise SystemExit("the benchmark spec did not compile")
    front_time, front = timed(
        lambda: frontend.read_spec(spec_path, defines={}, environ={})
    )
    assert isinstance(front, frontend.FrontendResult) and front.spec is not None
    spec = front.spec
    names = naming.build_names(spec).names
    assert names is not None
    plan_time, module_plan = timed(lambda: plan.build_plan(spec, names))
    assert isinstance(module_plan, plan.ModulePlan)
    render_time, rendered = timed(lambda: render.render_module(module_plan))
    assert isinstance(rendered, render.RenderedModule)
    raw = rendered.source
    format_time, formatted = timed(lambda: formatting.format_module(rendered))
    assert isinstance(formatted, str)
    print(
        f"generate (command line, end to end):      {command_line:8.3f} s"
        "   (target < 2 s)"
    )
    print(f"  its CPU time (user + system):           {command_cpu:8.3f} s")
    print(f"generate (compile_path, black included): {total:8.3f} s")
    print(f"  front end (load, validate, model):     {front_time:8.3f} s")
    print(f"  naming + plan:                         {plan_time:8.3f} s")
    print(f"  render (Jinja2):                       {render_time:8.3f} s")
    print(f"  format (black on the skeleton only):   {format_time:8.3f} s")
    if whole_black:
        black_time, whole = timed(lambda: formatting.format_source(raw))
        print(f"  (black on the whole module instead:    {black_time:8.3f} s;")
        print(
            f"   same text: {whole == formatted}, "
            f"black changed the rendering: {whole != raw})"
        )
    lines = result.source.count("\n")
    print(f"  module size: {lines} lines, {len(result.source) / 1e6:.2f} MB")
    return result.source


_IMPORT_PROBE = """
import sys, time
sys.path.insert(0, {directory!r})
start = time.perf_counter()
import {module}
print(time.perf_counter() - start)
"""


def import_seconds(directory: Path, module: str, *, bytecode: bool) -> float:
    """Seconds to import ``module`` in a fresh interpreter.

    With ``bytecode`` the ``.pyc`` is written first and used; without it the
    module is compiled from source (``-B``, no cache present).
    """
    cache = directory / "__pycache__"
    flags = [] if bytecode else ["-B"]
    if not bytecode and cache.exists():
        for stale in cache.iterdir():
            stale.unlink()
    probe = _IMPORT_PROBE.format(directory=str(directory), module=module)
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "PYTHONDONTWRITEBYTECODE"  # the warm case needs its .pyc
    }
    if bytecode:  # warm-up run writes the .pyc
        subprocess.run(
            [sys.executable, "-c", probe], check=True, env=env, capture_output=True
        )
    output = subprocess.run(
        [sys.executable, *flags, "-c", probe],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip())


def median_import(directory: Path, module: str, *, bytecode: bool, runs: int) -> float:
    """Median of ``runs`` measurements of :func:`import_seconds`."""
    return statistics.median(
        import_seconds(directory, module, bytecode=bytecode) for _ in range(runs)
    )


def chain_spec(states: int) -> MachineSpec:
    """A model of ``states`` states in a chain, one transition each."""
    here = SourcePos("chain.yaml", 1, 1)
    names = [f"S{i}" for i in range(states)]
    kinds = [StateKind.INITIAL, *[StateKind.STABLE] * (states - 2), StateKind.TERMINAL]
    return MachineSpec(
        source_name="chain.yaml",
        name="chain",
        version="1.0.0",
        strict_mode=True,
        description="",
        class_name=None,
        context=None,
        states=tuple(
            State(name, kind, "", (), (), None, EMPTY_METADATA, here)
            for name, kind in zip(names, kinds, strict=True)
        ),
        transitions=tuple(
            Transition(
                i, f"t{i}", (names[i],), names[i + 1], (), (), "", EMPTY_METADATA, here
            )
            for i in range(states - 1)
        ),
        error_policy=ErrorPolicy(),
        spec_sha256="0" * 64,
        pos=here,
        name_pos=here,
    )


def measure_growth(runs: int) -> None:
    """Import time of ever larger chains: linear growth, constant per state."""
    print("growth (chains, one transition per state, .pyc cached):")
    for states in (5_000, 10_000, 20_000, 50_000):
        result = generate_module(chain_spec(states), format=False)
        assert result.source is not None
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            (directory / "chain_fsm.py").write_text(result.source, encoding="utf-8")
            seconds = median_import(directory, "chain_fsm", bytecode=True, runs=runs)
        print(
            f"  {states:>6} states: import {seconds * 1e3:8.1f} ms, "
            f"{seconds / states * 1e6:6.2f} us per state"
        )


def main() -> None:
    """Build the spec, generate it, and measure importing the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=1000)
    parser.add_argument("--transitions", type=int, default=5000)
    parser.add_argument(
        "--runs", type=int, default=5, help="command line and import measurements"
    )
    parser.add_argument(
        "--growth", action="store_true", help="also measure 5,000 to 50,000 states"
    )
    parser.add_argument(
        "--whole-black",
        action="store_true",
        help="also time black on the whole module (slow) and compare the text",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        spec_path = directory / "scale_fsm.yaml"
        spec_path.write_text(build_spec_text(args.states, args.transitions))
        print(f"machine: {args.states} states, {args.transitions} transitions")
        source = measure_generation(
            spec_path, whole_black=args.whole_black, runs=args.runs
        )
        (directory / "scale_fsm.py").write_text(source, encoding="utf-8")
        (directory / "empty_probe.py").write_text("", encoding="utf-8")
        runs = args.runs
        bare = median_import(directory, "empty_probe", bytecode=True, runs=runs)
        runtime = median_import(
            directory, "gubernator_runtime", bytecode=True, runs=runs
        )
        cold = median_import(directory, "scale_fsm", bytecode=False, runs=runs)
        warm = median_import(directory, "scale_fsm", bytecode=True, runs=runs)
        print(f"import gubernator_runtime alone:         {runtime * 1e3:8.1f} ms")
        print(
            f"import module, .pyc cached:              {warm * 1e3:8.1f} ms"
            "   (target < 50 ms)"
        )
        print(f"import module, compiled from source:     {cold * 1e3:8.1f} ms")
        print(f"(an empty module imports in              {bare * 1e3:8.1f} ms)")
    if args.growth:
        measure_growth(args.runs)


if __name__ == "__main__":
    main()
