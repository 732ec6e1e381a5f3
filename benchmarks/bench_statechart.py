"""Measure ``process`` on a compound statechart against the flat machine and peers.

The chart is a support ticket, three levels deep::

    idle                      (initial)
    active                    compound
      triage                  compound: new, assigned
      working                 compound: coding, review
      resolved                final child: raises done.state.active
    closed                    final

with ``open`` (idle → active), ``assign`` (new → assigned), ``start``
(assigned → working), ``submit`` (coding → review, guarded by
``tests_pass``), ``approve`` (review → resolved), ``done.state.active``
(active → closed) and ``cancel`` (active → idle, written on the compound
state). Every state has an entry and an exit action, every transition one
action.

Contenders, interleaved in one process, best of the rounds:

* ``chart`` — the module gubernator-gen generates from the chart;
* ``flat`` — the module generated from the flat machine that makes the
  same decisions: its states are the chart's atomic states, each scenario's
  transition goes straight to the atomic state the chart ends in and lists
  the chart's whole action sequence as its actions (the same
  ``all_actions``, the same target);
* the peers on the same chart (the ``bench`` extra): transitions'
  ``HierarchicalMachine`` and python-statemachine's ``StateChart``, both
  stateful, so the statement first sets the stored configuration (their
  cheapest way to decide for a stored state; python-statemachine is also
  told it runs again, since a top-level final state stops it) and sends
  the event; they call no action (which only favours them).

The chart is built as the model the front end builds (``MachineSpec``),
until the front end reads statecharts from YAML. The script checks that
``chart`` and ``flat`` decide every scenario alike and that the peers end
in the same state, then prints ns per call and the targets: ``chart``
within 1.3x of ``flat`` and faster than every peer.

Run: ``python benchmarks/bench_statechart.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chart_support import POS, fresh, measure, report, settings, spec, transition
from generated import load

from gubernator_gen.model import EMPTY_METADATA, MachineSpec, State, StateKind

#: (name, parent, kind, children, initial child)
TREE = (
    ("idle", None, StateKind.INITIAL, (), None),
    ("active", None, StateKind.STABLE, ("triage", "working", "resolved"), "triage"),
    ("triage", "active", StateKind.STABLE, ("new", "assigned"), "new"),
    ("new", "triage", StateKind.STABLE, (), None),
    ("assigned", "triage", StateKind.STABLE, (), None),
    ("working", "active", StateKind.STABLE, ("coding", "review"), "coding"),
    ("coding", "working", StateKind.STABLE, (), None),
    ("review", "working", StateKind.STABLE, (), None),
    ("resolved", "active", StateKind.TERMINAL, (), None),
    ("closed", None, StateKind.TERMINAL, (), None),
)
#: (trigger, source, dest, guards)
ARROWS = (
    ("open", "idle", "active", ()),
    ("assign", "new", "assigned", ()),
    ("start", "assigned", "working", ()),
    ("submit", "coding", "review", ("tests_pass",)),
    ("approve", "review", "resolved", ()),
    ("done.state.active", "active", "closed", ()),
    ("cancel", "active", "idle", ()),
)

# name → (atomic state, trigger, context, peers' configuration path)
SCENARIOS: dict[str, tuple[str, str, Any, tuple[str, ...]]] = {
    "leaf, unguarded": ("assigned", "start", None, ("active", "triage", "assigned")),
    "ancestor, deep exit": ("review", "cancel", None, ("active", "working", "review")),
    "one guard": ("coding", "submit", {"pass": True}, ("active", "working", "coding")),
    "guard refused": (
        "coding",
        "submit",
        {"pass": False},
        ("active", "working", "coding"),
    ),
    "done.state folded": ("review", "approve", None, ("active", "working", "review")),
}


def chart_spec() -> MachineSpec:
    """The ticket as a statechart."""
    states = [
        State(
            name=name,
            kind=kind,
            description="",
            on_enter=(f"in_{name}",),
            on_exit=(f"out_{name}",),
            timeout=None,
            metadata=EMPTY_METADATA,
            pos=POS,
            parent=parent,
            children=children,
            initial=initial,
        )
        for name, parent, kind, children, initial in TREE
    ]
    transitions = [
        transition(i, trigger, source, dest, guards, (f"do_{i}",))
        for i, (trigger, source, dest, guards) in enumerate(ARROWS)
    ]
    return spec("ticket", states, transitions)


def flat_spec(chart: Any) -> MachineSpec:
    """The flat machine deciding each scenario as ``chart`` (a module) does."""
    machine = chart.Machine(guards={"tests_pass": lambda ctx: True})
    atomic = [name for name, _, _, children, _ in TREE if not children]
    states = [
        State(
            name=name,
            kind=StateKind.INITIAL if name == "idle" else StateKind.STABLE,
            description="",
            on_enter=(),
            on_exit=(),
            timeout=None,
            metadata=EMPTY_METADATA,
            pos=POS,
        )
        for name in atomic
    ]
    transitions = []
    for source, trigger, _, _ in dict.fromkeys(
        (s, t, None, None) for s, t, _, _ in SCENARIOS.values()
    ):
        result = machine.process(source, trigger, {"pass": True})
        guards = ("tests_pass",) if trigger == "submit" else ()
        transitions.append(
            transition(
                len(transitions),
                trigger,
                source,
                result.target_state.value,
                guards,
                result.all_actions,
            )
        )
    return spec("ticket_flat", states, transitions)


class Guards:
    """The chart's guard, as an application writes it."""

    def tests_pass(self, ctx: Any) -> bool:
        return bool(ctx.get("pass"))


def _transitions_peer() -> Any:
    from transitions.extensions import HierarchicalMachine

    class Model:
        def tests_pass(self, ctx: Any = None) -> bool:
            return bool((ctx or {}).get("pass"))

    model = Model()
    states = [
        "idle",
        {
            "name": "active",
            "initial": "triage",
            "children": [
                {"name": "triage", "initial": "new", "children": ["new", "assigned"]},
                {
                    "name": "working",
                    "initial": "coding",
                    "children": ["coding", "review"],
                },
                {"name": "resolved", "final": True},
            ],
        },
        {"name": "closed", "final": True},
    ]
    transitions = [
        ["open", "idle", "active"],
        ["assign", "active_triage_new", "active_triage_assigned"],
        ["start", "active_triage_assigned", "active_working"],
        {
            "trigger": "submit",
            "source": "active_working_coding",
            "dest": "active_working_review",
            "conditions": "tests_pass",
        },
        ["approve", "active_working_review", "active_resolved"],
        ["cancel", "active", "idle"],
    ]
    HierarchicalMachine(
        model,
        states=states,
        transitions=transitions,
        initial="idle",
        auto_transitions=False,
    )
    return model


def _statemachine_peer() -> Any:
    from statemachine.io import create_machine_class_from_definition

    def leaf(initial: bool = False, final: bool = False) -> dict[str, bool]:
        return {"initial": initial, "final": final}

    definition = {
        "idle": {
            "initial": True,
            "transitions": [{"event": "open", "target": "active"}],
        },
        "active": {
            "states": {
                "triage": {
                    "initial": True,
                    "states": {
                        "new": {
                            **leaf(initial=True),
                            "transitions": [{"event": "assign", "target": "assigned"}],
                        },
                        "assigned": {
                            **leaf(),
                            "transitions": [{"event": "start", "target": "working"}],
                        },
                    },
                },
                "working": {
                    "states": {
                        "coding": {
                            **leaf(initial=True),
                            "transitions": [
                                {
                                    "event": "submit",
                                    "target": "review",
                                    "cond": "tests_pass",
                                }
                            ],
                        },
                        "review": {
                            **leaf(),
                            "transitions": [{"event": "approve", "target": "resolved"}],
                        },
                    },
                },
                "resolved": leaf(final=True),
            },
            "transitions": [
                {"event": "cancel", "target": "idle"},
                {"event": "done.state.active", "target": "closed"},
            ],
        },
        "closed": leaf(final=True),
    }
    machine_class = create_machine_class_from_definition(
        "Ticket", states=definition, validate_final_reachability=False
    )

    class Ticket(machine_class):  # type: ignore[misc, valid-type]
        def tests_pass(self, ctx: Any = None) -> bool:
            return bool((ctx or {}).get("pass"))

    return Ticket()


def _statements(names: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    from statemachine.orderedset import OrderedSet

    table: dict[str, dict[str, str | None]] = {}
    sm = names["sm"]
    for number, (scenario, (state, trigger, context, path)) in enumerate(
        SCENARIOS.items()
    ):
        s, t, c = f"s{number}", f"t{number}", f"c{number}"
        names[s], names[t], names[c] = fresh(state), fresh(trigger), context
        names[f"path{number}"] = "_".join(path)
        names[f"conf{number}"] = [sm.states_map[p] for p in path]
        names["OrderedSet"] = OrderedSet
        row: dict[str, str | None] = {
            "chart": f"chart.process({s}, {t}, {c})",
            "flat": f"flat.process({s}, {t}, {c})",
            "transitions": (
                f"model.state = path{number}\ntry:\n"
                f"    model.trigger({t}, ctx={c})\nexcept Exception:\n    pass"
            ),
            "statemachine": (
                f"sm.configuration = OrderedSet(conf{number})\n"
                "sm._engine.running = True\ntry:\n"
                f"    sm.send({t}, ctx={c})\nexcept Exception:\n    pass"
            ),
        }
        if trigger == "approve":
            row["transitions"] = None  # no done.state events in transitions
        table[scenario] = row
    return table


def _check(names: dict[str, Any]) -> None:
    """Refuse to compare contenders that decide differently."""
    from statemachine.orderedset import OrderedSet

    for scenario, (state, trigger, context, path) in SCENARIOS.items():
        ours = [names[n].process(state, trigger, context) for n in ("chart", "flat")]
        seen = {(r.success, r.target_state, r.all_actions) for r in ours}
        if len(seen) != 1:
            raise SystemExit(f"chart and flat disagree on {scenario}: {seen}")
        target = ours[0].target_state if ours[0].success else state
        sm = names["sm"]
        sm._engine.running = True  # a final state stops it: the next entity
        sm.configuration = OrderedSet(sm.states_map[p] for p in path)
        with contextlib.suppress(Exception):
            sm.send(trigger, ctx=context)
        if target not in sm.configuration_values:
            raise SystemExit(f"statemachine ends elsewhere on {scenario}")
        if trigger != "approve":
            model = names["model"]
            model.state = "_".join(path)
            with contextlib.suppress(Exception):
                model.trigger(trigger, ctx=context)
            if not model.state.endswith(target):
                raise SystemExit(f"transitions ends elsewhere on {scenario}")


COLUMNS = ("chart", "flat", "transitions", "statemachine")


def main(argv: list[str] | None = None) -> int:
    number, rounds, quick = settings(argv, __doc__)
    chart_module = load(chart_spec())
    flat_module = load(flat_spec(chart_module))
    names: dict[str, Any] = {
        "chart": chart_module.Machine(guards=Guards()),
        "flat": flat_module.Machine(guards=Guards()),
        "model": _transitions_peer(),
        "sm": _statemachine_peer(),
    }
    _check(names)
    best = measure(_statements(names), names, number, rounds)
    return 0 if report(best, COLUMNS, 22) or quick else 1


if __name__ == "__main__":
    sys.exit(main())
