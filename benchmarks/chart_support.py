"""What the statechart benchmarks share (``bench_statechart``, ``bench_parallel``).

Each builds its chart as the model the front end builds, checks that its
contenders decide alike, then times them interleaved with :func:`measure`
and prints the table of :func:`report`.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import timeit
from typing import Any

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.model import (
    EMPTY_METADATA,
    ErrorPolicy,
    MachineSpec,
    State,
    Transition,
)

#: The one position of every record of a benchmark's model.
POS = SourcePos("ticket.yaml", 1, 1)
#: The contenders timed at ``number`` calls; peers take fewer (they are slower).
OURS = ("chart", "flat")


def spec(name: str, states: list[State], transitions: list[Transition]) -> MachineSpec:
    """A strict machine ``name`` of these states and transitions."""
    digest = hashlib.sha256(repr((states, transitions)).encode()).hexdigest()
    return MachineSpec(
        source_name=f"{name}.yaml",
        name=name,
        version="1.0.0",
        strict_mode=True,
        description="",
        class_name=None,
        context=None,
        states=tuple(states),
        transitions=tuple(transitions),
        error_policy=ErrorPolicy(),
        spec_sha256=digest,
        pos=POS,
        name_pos=POS,
    )


def transition(
    index: int, trigger: str, source: str, dest: str, guards: Any, actions: Any
) -> Transition:
    """The transition ``index`` from one source, undescribed."""
    return Transition(
        index=index,
        trigger=trigger,
        sources=(source,),
        dest=dest,
        guards=tuple(guards),
        actions=tuple(actions),
        description="",
        metadata=EMPTY_METADATA,
        pos=POS,
    )


def fresh(text: str) -> str:
    """``text`` as a new, non-interned string, like one read from storage."""
    return "".join(list(text))


def settings(argv: list[str] | None, doc: str) -> tuple[int, int, bool]:
    """Read ``--quick`` and print the run's header: (calls, rounds, quick).

    A quick run is a smoke test (CI runs one so the scripts cannot rot):
    its figures are too short to judge, so it passes whatever they say."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    number, rounds = (2_000, 2) if args.quick else (200_000, 7)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, ns per call, "
        f"best of {rounds} interleaved rounds ({number} calls; peers fewer)\n"
    )
    return number, rounds, args.quick


def measure(
    statements: dict[str, dict[str, str | None]],
    names: dict[str, Any],
    number: int,
    rounds: int,
    ours: tuple[str, ...] = OURS,
) -> dict[str, dict[str, float]]:
    """The best ns per call of each scenario's statements (``None``: a
    contender that cannot run it), interleaved over ``rounds``; the
    contenders ``ours`` make ``number`` calls, the others fewer."""
    timers = {}
    for scenario, row in statements.items():
        for contender, statement in row.items():
            if statement is None:
                continue
            count = number if contender in ours else max(number // 40, 50)
            timer = timeit.Timer(statement, globals=names)
            timer.timeit(1)
            timers[(scenario, contender)] = (timer, count)
    best: dict[str, dict[str, float]] = {s: {} for s in statements}
    for _ in range(rounds):  # interleaved: load on the machine hits all alike
        for (scenario, contender), (timer, count) in timers.items():
            ns = timer.timeit(count) / count * 1e9
            best[scenario][contender] = min(
                best[scenario].get(contender, float("inf")), ns
            )
    return best


def report(
    best: dict[str, dict[str, float]], columns: tuple[str, ...], width: int
) -> bool:
    """Print the table (``chart`` and ``flat`` first, then the peers) and
    whether every scenario meets the targets: ``chart`` within 1.3x of
    ``flat`` and faster than every peer that ran it."""
    heads = "".join(f"{c:>14}" for c in columns)
    print(f"{'scenario':<{width}}{heads}  chart/flat")
    ok = True
    for scenario, row in best.items():
        cells = "".join(
            f"{row[c]:14.0f}" if c in row else f"{'-':>14}" for c in columns
        )
        ratio = row["chart"] / row["flat"]
        peers = [row[c] for c in columns if c not in OURS and c in row]
        verdict = ratio <= 1.3 and all(row["chart"] < p for p in peers)
        ok &= verdict
        mark = "ok" if verdict else "MISS"
        print(f"{scenario:<{width}}{cells}  {ratio:9.2f}x {mark}")
    peer = "every peer" if len(columns) - len(OURS) > 1 else "the peer"
    print(f"targets: chart within 1.3x of flat, faster than {peer} (ns per call)")
    return ok
