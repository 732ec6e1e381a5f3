"""Measure ``process`` on a statechart with parallel regions and history.

The chart is a deployment whose checks run in parallel::

    idle                      (initial)
    checks                    parallel
      lint                    region: linting, linted (final)
      tests                   region: testing, tested (final)
    paused                    compound: waiting, H (shallow history)
    deployed                  final

with ``start`` (idle → checks), ``lint_ok`` (linting → linted),
``tests_ok`` (testing → tested, guarded by ``green``), ``retry`` answered
by both regions (linting → linting guarded by ``flaky``, testing →
testing guarded by ``flaky``), ``done.state.checks`` (checks → deployed)
and ``abort`` (checks → paused). Every state has an entry and an exit
action, every transition one action.

Contenders, interleaved in one process, best of the rounds:

* ``chart`` — the module gubernator-gen generates, processed on the
  configuration text an application stores (a fresh ``str``);
* ``flat`` — the module of the flat machine that makes the same decisions:
  one state per configuration, each scenario's transition calls the same
  guards (``retry``: both regions' ``flaky``) and lists the chart's whole
  action sequence (the same ``all_actions``, the same target);
* python-statemachine's ``StateChart`` on the same chart (it sets the
  stored configuration and is told it runs again, since a top-level final
  state stops it, then sends the event; it calls no action).
  transitions' ``HierarchicalMachine`` is left out here: its parallel
  states have no ``done.state`` events and no history.

Targets: ``chart`` within 1.3x of ``flat`` and faster than the peer.

Run: ``python benchmarks/bench_parallel.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chart_support import POS, fresh, measure, report, settings, spec, transition
from generated import load

from gubernator_gen.model import (
    EMPTY_METADATA,
    HistoryDepth,
    MachineSpec,
    State,
    StateKind,
)

#: (name, parent, kind, children, parallel, history)
TREE = (
    ("idle", None, StateKind.INITIAL, (), False, None),
    ("checks", None, StateKind.STABLE, ("lint", "tests"), True, None),
    ("lint", "checks", StateKind.STABLE, ("linting", "linted"), False, None),
    ("linting", "lint", StateKind.STABLE, (), False, None),
    ("linted", "lint", StateKind.TERMINAL, (), False, None),
    ("tests", "checks", StateKind.STABLE, ("testing", "tested"), False, None),
    ("testing", "tests", StateKind.STABLE, (), False, None),
    ("tested", "tests", StateKind.TERMINAL, (), False, None),
    ("paused", None, StateKind.STABLE, ("waiting", "H"), False, None),
    ("waiting", "paused", StateKind.STABLE, (), False, None),
    ("H", "paused", StateKind.STABLE, (), False, HistoryDepth.SHALLOW),
    ("deployed", None, StateKind.TERMINAL, (), False, None),
)
#: (trigger, source, dest, guards)
ARROWS = (
    ("start", "idle", "checks", ()),
    ("lint_ok", "linting", "linted", ()),
    ("tests_ok", "testing", "tested", ("green",)),
    ("retry", "linting", "linting", ("flaky",)),
    ("retry", "testing", "testing", ("flaky",)),
    ("done.state.checks", "checks", "deployed", ()),
    ("abort", "checks", "paused", ()),
)
RUNNING = '{"active":["linting","testing"]}'
LINTED = '{"active":["linted","testing"]}'
GO = {"green": True, "flaky": True}
# name → (configuration, trigger, context, peer configuration)
SCENARIOS: dict[str, tuple[str, str, Any, tuple[str, ...]]] = {
    "one region": (RUNNING, "lint_ok", None, ("linting", "testing")),
    "one region, guarded": (RUNNING, "tests_ok", GO, ("linting", "testing")),
    "both regions, guarded": (RUNNING, "retry", GO, ("linting", "testing")),
    "guard refused": (RUNNING, "tests_ok", {"green": False}, ("linting", "testing")),
    "last region, done.state": (LINTED, "tests_ok", GO, ("linted", "testing")),
    "exit both regions": (RUNNING, "abort", None, ("linting", "testing")),
}


def chart_spec() -> MachineSpec:
    """The deployment as a statechart."""
    states = [
        State(
            name=name,
            kind=kind,
            description="",
            on_enter=() if history else (f"in_{name}",),
            on_exit=() if history else (f"out_{name}",),
            timeout=None,
            metadata=EMPTY_METADATA,
            pos=POS,
            parent=parent,
            children=children,
            initial=children[0] if children and not parallel else None,
            parallel=parallel,
            history=history,
        )
        for name, parent, kind, children, parallel, history in TREE
    ]
    transitions = [
        transition(i, trigger, source, dest, guards, (f"do_{i}",))
        for i, (trigger, source, dest, guards) in enumerate(ARROWS)
    ]
    return spec("deploy", states, transitions)


def flat_spec(chart: Any) -> tuple[MachineSpec, dict[str, str]]:
    """The flat machine deciding each scenario as ``chart`` does, and the
    flat state standing for each configuration."""
    machine = chart.Machine(guards={"green": lambda c: True, "flaky": lambda c: True})
    named: dict[str, str] = {}
    transitions = []
    for configuration, trigger, _, _ in SCENARIOS.values():
        source = named.setdefault(configuration, f"c{len(named)}")
        if any(t.trigger == trigger and t.sources == (source,) for t in transitions):
            continue
        result = machine.process(configuration, trigger, GO)
        target = named.setdefault(result.configuration, f"c{len(named)}")
        # The same guard calls: retry asks each region's guard.
        guards = {"tests_ok": ("green",), "retry": ("flaky", "flaky")}.get(trigger, ())
        transitions.append(
            transition(
                len(transitions), trigger, source, target, guards, result.all_actions
            )
        )
    states = [
        State(
            name=name,
            kind=StateKind.INITIAL if name == "c0" else StateKind.STABLE,
            description="",
            on_enter=(),
            on_exit=(),
            timeout=None,
            metadata=EMPTY_METADATA,
            pos=POS,
        )
        for name in named.values()
    ]
    return spec("deploy_flat", states, transitions), named


class Guards:
    """The chart's guards, as an application writes them."""

    def green(self, ctx: Any) -> bool:
        return bool(ctx.get("green"))

    def flaky(self, ctx: Any) -> bool:
        return bool(ctx.get("flaky"))


def statemachine_peer() -> Any:
    """python-statemachine's ``StateChart`` of the deployment, with its guards."""
    from statemachine.io import create_machine_class_from_definition

    def region(first: str, done: str, event: str, cond: str | None) -> Any:
        ok = {"event": event, "target": done, **({"cond": cond} if cond else {})}
        return {
            "states": {
                first: {
                    "initial": True,
                    "transitions": [
                        ok,
                        {"event": "retry", "target": first, "cond": "flaky"},
                    ],
                },
                done: {"final": True},
            }
        }

    definition = {
        "idle": {
            "initial": True,
            "transitions": [{"event": "start", "target": "checks"}],
        },
        "checks": {
            "parallel": True,
            "states": {
                "lint": region("linting", "linted", "lint_ok", None),
                "tests": region("testing", "tested", "tests_ok", "green"),
            },
            "transitions": [
                {"event": "done.state.checks", "target": "deployed"},
                {"event": "abort", "target": "paused"},
            ],
        },
        "paused": {
            "states": {"waiting": {"initial": True}},
            "history": {"H": {"type": "shallow"}},
        },
        "deployed": {"final": True},
    }
    machine_class = create_machine_class_from_definition(
        "Deploy",
        states=definition,
        validate_final_reachability=False,
        validate_trap_states=False,
        validate_disconnected_states=False,
    )

    class Deploy(machine_class):  # type: ignore[misc, valid-type]
        def green(self, ctx: Any = None) -> bool:
            return bool((ctx or {}).get("green"))

        def flaky(self, ctx: Any = None) -> bool:
            return bool((ctx or {}).get("flaky"))

    return Deploy()


def statements(names: dict[str, Any], flat_states: dict[str, str]) -> Any:
    """Each scenario's statement per contender (``chart``, ``flat`` and
    ``statemachine``), its arguments ``s<n>``, ``f<n>``, ``t<n>`` and
    ``c<n>`` set in ``names`` (``<n>``: the scenario's number)."""
    from statemachine.orderedset import OrderedSet

    sm = names["sm"]
    names["OrderedSet"] = OrderedSet
    table: dict[str, dict[str, str | None]] = {}
    for number, (scenario, (config, trigger, context, peer)) in enumerate(
        SCENARIOS.items()
    ):
        s, f, t, c = f"s{number}", f"f{number}", f"t{number}", f"c{number}"
        names[s], names[f] = fresh(config), fresh(flat_states[config])
        names[t], names[c] = fresh(trigger), context
        active = [sm.states_map[p] for p in ("checks", "lint", "tests", *peer)]
        names[f"conf{number}"] = active
        table[scenario] = {
            "chart": f"chart.process({s}, {t}, {c})",
            "flat": f"flat.process({f}, {t}, {c})",
            "statemachine": (
                f"sm.configuration = OrderedSet(conf{number})\n"
                "sm._engine.running = True\ntry:\n"
                f"    sm.send({t}, ctx={c})\nexcept Exception:\n    pass"
            ),
        }
    return table


def check_alike(names: dict[str, Any], flat_states: dict[str, str]) -> None:
    """Refuse to compare contenders that decide differently."""
    from statemachine.orderedset import OrderedSet

    sm = names["sm"]
    for scenario, (config, trigger, context, peer) in SCENARIOS.items():
        ours = names["chart"].process(config, trigger, context)
        flat = names["flat"].process(flat_states[config], trigger, context)
        if (ours.success, ours.all_actions) != (flat.success, flat.all_actions):
            raise SystemExit(f"chart and flat disagree on {scenario}")
        if ours.success and flat_states.get(ours.configuration) != flat.target_state:
            raise SystemExit(f"chart and flat end apart on {scenario}")
        sm._engine.running = True  # a final state stops it: the next entity
        sm.configuration = OrderedSet(
            sm.states_map[p] for p in ("checks", "lint", "tests", *peer)
        )
        with contextlib.suppress(Exception):
            sm.send(trigger, ctx=context)
        expected = set(ours.configuration.active) if ours.success else set(peer)
        if not expected <= set(sm.configuration_values):
            raise SystemExit(f"statemachine ends elsewhere on {scenario}")


COLUMNS = ("chart", "flat", "statemachine")


def main(argv: list[str] | None = None) -> int:
    number, rounds, quick = settings(argv, __doc__)
    chart_module = load(chart_spec())
    flat, flat_states = flat_spec(chart_module)
    names: dict[str, Any] = {
        "chart": chart_module.Machine(guards=Guards()),
        "flat": load(flat).Machine(guards=Guards()),
        "sm": statemachine_peer(),
    }
    check_alike(names, flat_states)
    best = measure(statements(names, flat_states), names, number, rounds)
    return 0 if report(best, COLUMNS, 26) or quick else 1


if __name__ == "__main__":
    sys.exit(main())
