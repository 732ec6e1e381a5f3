"""The guard factories (docs/runtime.md#guard-factories)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from gubernator_runtime import (
    Guard,
    all_of,
    always_false,
    always_true,
    any_of,
    equals,
    greater_or_equal,
    greater_than,
    has_key,
    in_list,
    is_not_none,
    is_truthy,
    less_or_equal,
    less_than,
    negate,
    none_of,
    not_equals,
    not_in_list,
)

CTX: dict[str, Any] = {
    "status": "paid",
    "amount": 100,
    "flag": True,
    "empty": "",
    "nothing": None,
}


@pytest.mark.parametrize(
    ("guard", "expected"),
    [
        (equals("status", "paid"), True),
        (equals("status", "new"), False),
        (equals("missing", None), False),
        (not_equals("status", "new"), True),
        (not_equals("status", "paid"), False),
        (not_equals("missing", "x"), False),
        (greater_than("amount", 99), True),
        (greater_than("amount", 100), False),
        (greater_than("missing", 0), False),
        (less_than("amount", 101), True),
        (less_than("amount", 100), False),
        (less_than("missing", 0), False),
        (greater_or_equal("amount", 100), True),
        (greater_or_equal("amount", 101), False),
        (greater_or_equal("missing", 0), False),
        (less_or_equal("amount", 100), True),
        (less_or_equal("amount", 99), False),
        (less_or_equal("missing", 0), False),
        (in_list("status", ["paid", "shipped"]), True),
        (in_list("status", ("new",)), False),
        (in_list("missing", [None]), False),
        (not_in_list("status", ["new"]), True),
        (not_in_list("status", iter(["paid"])), False),
        (not_in_list("missing", ["x"]), False),
        (has_key("nothing"), True),
        (has_key("missing"), False),
        (is_truthy("flag"), True),
        (is_truthy("empty"), False),
        (is_truthy("missing"), False),
        (is_not_none("empty"), True),
        (is_not_none("nothing"), False),
        (is_not_none("missing"), False),
        (always_true(), True),
        (always_false(), False),
    ],
    ids=repr,
)
def test_factory_answers(guard: Guard[Mapping[str, Any]], expected: bool) -> None:
    answer = guard(CTX)
    assert answer is expected


def test_composition() -> None:
    paid = equals("status", "paid")
    big = greater_than("amount", 1000)
    assert all_of(paid, is_truthy("flag"))(CTX) is True
    assert all_of(paid, big)(CTX) is False
    nothing: tuple[Guard[Mapping[str, Any]], ...] = ()
    assert all_of(*nothing)(CTX) is True
    assert any_of(big, paid)(CTX) is True
    assert any_of(big, always_false())(CTX) is False
    assert any_of(*nothing)(CTX) is False
    assert none_of(big, always_false())(CTX) is True
    assert none_of(big, paid)(CTX) is False
    assert none_of(*nothing)(CTX) is True
    assert negate(paid)(CTX) is False
    assert negate(big)(CTX) is True


def test_composition_short_circuits_and_accepts_plain_functions() -> None:
    calls: list[str] = []

    def tracked(name: str, answer: bool) -> Callable[[Mapping[str, Any]], bool]:
        def guard(ctx: Mapping[str, Any]) -> bool:
            calls.append(name)
            return answer

        return guard

    assert all_of(tracked("a", False), tracked("b", True))(CTX) is False
    assert any_of(tracked("c", True), tracked("d", False))(CTX) is True
    assert none_of(tracked("e", True), tracked("f", False))(CTX) is False
    assert calls == ["a", "c", "e"]


def test_truthiness_of_plain_functions_is_converted_to_bool() -> None:
    def empty_text(ctx: Mapping[str, Any]) -> str:
        return ""

    def non_empty_list(ctx: Mapping[str, Any]) -> list[int]:
        return [1]

    assert negate(empty_text)(CTX) is True
    assert all_of(non_empty_list)(CTX) is True


def test_descriptions() -> None:
    guard = all_of(equals("status", "paid"), negate(in_list("n", [1, 2])))
    assert (
        guard.description
        == "all_of(equals('status', 'paid'), negate(in_list('n', [1, 2])))"
    )
    assert repr(guard) == guard.description

    def custom(ctx: Mapping[str, Any]) -> bool:
        return True

    assert "custom" in any_of(custom).description
    assert repr(always_true()) == "always_true()"


def test_incomparable_values_raise_instead_of_answering_no() -> None:
    with pytest.raises(TypeError):
        greater_than("nothing", 3)(CTX)


def test_guards_are_usable_as_class_attributes_and_method_bodies() -> None:
    class Guards:
        is_paid = equals("status", "paid")

        def is_big(self, ctx: Mapping[str, Any]) -> bool:
            return greater_than("amount", 10)(ctx)

    guards = Guards()
    # A Guard is not a descriptor: as a class attribute it is not bound.
    assert guards.is_paid(CTX) is True
    assert guards.is_big(CTX) is True
    assert {"is_paid": equals("status", "paid")}["is_paid"](CTX) is True


def test_guard_wraps_any_predicate() -> None:
    guard: Guard[Mapping[str, Any]] = Guard(lambda ctx: len(ctx), "non_empty")
    assert guard(CTX) is True
    assert guard({}) is False
    assert guard.description == "non_empty"
