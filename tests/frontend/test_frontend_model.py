"""The model built from a valid spec: normalised, ordered, positioned, frozen."""

from __future__ import annotations

import dataclasses
import glob
from pathlib import Path

import pytest
from frontend_support import BASE, run

from gubernator_gen.frontend import read_spec
from gubernator_gen.model import (
    ContextType,
    ErrorPolicy,
    ListType,
    NamedType,
    StateKind,
)

EXAMPLES = sorted(
    Path(p) for p in glob.glob(str(Path(__file__).parents[2] / "examples/*/*.yaml"))
)

FULL = """\
meta:
  machine_name: shop_order
  version: "2.1.0"
  strict_mode: false
  description: An order.
  class_name: ShopOrderMachine
context:
  order_id: str
  total: decimal?
  tags: list
states:
  - name: NEW
    type: initial
    on_exit: audit
    timeout: {seconds: 1.5, destination: GONE}
  - name: PAID
    description: Paid.
    on_enter: [receipt, audit]
    metadata:
      colour: green
      weights: [1, 2.5, null, true]
      nested: {deep: {x: "y"}}
  - name: GONE
    type: terminal
  - name: FAILED
    type: error
transitions:
  - trigger: pay
    source: NEW
    dest: PAID
    guards: has_money
    actions: [charge]
    description: Pay.
    metadata: {priority: 1}
  - trigger: cancel
    source: [NEW, PAID, FAILED]
    dest: GONE
  - trigger: fail
    source: PAID
    dest: FAILED
  - trigger: match
    source: [PAID]
    dest: PAID
    guards: [match, case, type, _]
error_policy:
  default_fallback: FAILED
  retry_attempts: 3
"""


def test_full_spec_is_modelled_faithfully() -> None:
    result = run(FULL, path="specs/shop.yaml")
    assert result.diagnostics == ()
    spec = result.spec
    assert spec is not None
    assert spec.source_name == "shop.yaml"
    assert (spec.name, spec.version, spec.strict_mode) == ("shop_order", "2.1.0", False)
    assert (spec.description, spec.class_name) == ("An order.", "ShopOrderMachine")
    assert spec.context is not None
    assert [(f.name, f.type, f.optional) for f in spec.context] == [
        ("order_id", NamedType(ContextType.STR), False),
        ("total", NamedType(ContextType.DECIMAL), True),
        ("tags", ListType(NamedType(ContextType.ANY)), False),
    ]
    assert [s.name for s in spec.states] == ["NEW", "PAID", "GONE", "FAILED"]
    assert [s.kind for s in spec.states] == [
        StateKind.INITIAL,
        StateKind.STABLE,
        StateKind.TERMINAL,
        StateKind.ERROR,
    ]
    new, paid = spec.state("NEW"), spec.state("PAID")
    assert new.on_exit == ("audit",) and new.on_enter == ()
    assert new.timeout is not None
    assert (new.timeout.seconds, new.timeout.destination) == (1.5, "GONE")
    assert paid.on_enter == ("receipt", "audit") and paid.description == "Paid."
    assert dict(paid.metadata)["weights"] == (1, 2.5, None, True)
    assert paid.metadata["nested"]["deep"]["x"] == "y"  # type: ignore[index,call-overload]
    assert spec.state("GONE").metadata == {} and spec.state("GONE").timeout is None
    first, cancel = spec.transitions[0], spec.transitions[1]
    assert (first.index, first.trigger, first.sources, first.dest) == (
        0,
        "pay",
        ("NEW",),
        "PAID",
    )
    assert (first.guards, first.actions) == (("has_money",), ("charge",))
    assert first.description == "Pay." and first.metadata == {"priority": 1}
    assert cancel.sources == ("NEW", "PAID", "FAILED") and cancel.guards == ()
    assert cancel.description == "" and cancel.metadata == {}
    assert spec.transitions[3].guards == ("match", "case", "type", "_")
    assert spec.error_policy == ErrorPolicy("FAILED", 3)
    assert spec.triggers == ("pay", "cancel", "fail", "match")
    assert spec.initial_state.name == "NEW"


def test_positions_are_kept() -> None:
    spec = run(FULL, path="specs/shop.yaml").spec
    assert spec is not None
    assert (spec.pos.path, spec.pos.line, spec.pos.column) == ("specs/shop.yaml", 1, 1)
    assert (spec.name_pos.line, spec.name_pos.column) == (6, 15)  # meta.class_name
    assert spec.context is not None
    assert [(f.pos.line, f.pos.column) for f in spec.context] == [
        (8, 3),
        (9, 3),
        (10, 3),
    ]
    assert [(s.pos.line, s.pos.column) for s in spec.states] == [
        (12, 5),
        (16, 5),
        (23, 5),
        (25, 5),
    ]
    timeout = spec.states[0].timeout
    assert timeout is not None and (timeout.pos.line, timeout.pos.column) == (15, 14)
    assert [t.pos.line for t in spec.transitions] == [28, 35, 38, 41]


def test_defaults_are_filled_in() -> None:
    spec = run(BASE, path="dir/order_fsm.yaml").spec
    assert spec is not None
    assert spec.source_name == "order_fsm.yaml"
    assert spec.name == "order_fsm"
    assert (spec.version, spec.strict_mode, spec.description) == ("0.0.0", True, "")
    assert spec.class_name is None and spec.context is None
    assert spec.error_policy == ErrorPolicy(None, 0)
    assert (
        spec.states[1].description == "" and spec.states[1].kind is StateKind.TERMINAL
    )
    # With no meta the name comes from the file stem: point at the root.
    assert spec.name_pos == spec.pos
    named = run("meta:\n  machine_name: other\n" + BASE).spec
    assert named is not None
    assert (named.name_pos.line, named.name_pos.column) == (2, 17)


def test_empty_context_and_transitions() -> None:
    spec = run(
        "context: {}\nstates:\n  - name: ONLY\n    type: initial\ntransitions: []\n"
    ).spec
    assert spec is not None
    assert spec.context == () and spec.transitions == ()


def test_integral_float_retry_attempts_becomes_int() -> None:
    spec = run(BASE + "error_policy:\n  retry_attempts: 2.0\n").spec
    assert spec is not None
    assert spec.error_policy.retry_attempts == 2
    assert type(spec.error_policy.retry_attempts) is int


def test_repeated_source_is_a_warning_and_deduplicated() -> None:
    result = run(BASE.replace("source: A", "source: [A, A]"))
    assert [d.code for d in result.diagnostics] == ["GG354"]
    assert result.spec is not None
    assert result.spec.transitions[0].sources == ("A",)


def test_model_is_immutable() -> None:
    spec = run(FULL).spec
    assert spec is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.states[0].name = "X"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.states[1].metadata["colour"] = "red"  # type: ignore[index]
    assert isinstance(spec.states, tuple) and isinstance(
        spec.transitions[0].sources, tuple
    )


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_validate_clean(path: Path) -> None:
    result = read_spec(path, defines={}, environ={})
    assert result.diagnostics == ()
    assert result.spec is not None
    assert result.spec.source_name == path.name
    assert len(result.spec.spec_sha256) == 64
