"""``Regions`` cells with every guard form and ``assign`` (API 2.7)."""

from __future__ import annotations

from typing import Any

import pytest
from gubernator_runtime import AssignError, GuardError, Regions, success


def _result(target: str) -> Any:
    return success("a", target, "go", (), (), (), {})


def _cell(**extra: Any) -> Regions:
    # Region 1: `not blocked`; region 2: `over(limit=3)`, then a compiled test.
    return Regions(
        ((("not blocked",),), (("over",), ("small",))),
        {
            (0, 0): _result("both"),
            (0, 1): _result("first_small"),
            (0, -1): _result("first"),
            (-1, 0): _result("second"),
            (-1, 1): _result("small"),
        },
        calls=("blocked", "over", lambda ctx: ctx["n"] < 2),
        arguments=((), (("limit", 3),), ()),
        negated=(0,),
        **extra,
    )


def test_each_guard_is_asked_in_its_form() -> None:
    calls: list[tuple[str, object]] = []
    guards = {
        "blocked": lambda ctx: calls.append(("blocked", None)) or ctx["blocked"],
        "over": lambda ctx, limit: calls.append(("over", limit)) or ctx["n"] > limit,
    }
    decide = _cell().bind(guards)
    assert decide({"blocked": False, "n": 5}).target_state == "both"
    assert calls == [("blocked", None), ("over", 3)]
    assert decide({"blocked": True, "n": 1}).target_state == "small"
    refused = decide({"blocked": True, "n": 2})
    assert not refused.success and refused.metadata["rejected_by"] == "small"
    assert _cell().methods == ("blocked", "over")


def test_the_updates_of_the_combination_taken() -> None:
    effects = {(0, 0): lambda ctx: {"a": ctx["n"]}, (-1, 1): lambda ctx: {"b": 1}}
    decide = _cell(effects=effects).bind(
        {"blocked": lambda ctx: False, "over": lambda ctx, limit: True}
    )
    taken = decide({"n": 7})
    assert taken.target_state == "both" and dict(taken.context_updates) == {"a": 7}
    plain = _cell(effects=effects).bind(
        {"blocked": lambda ctx: False, "over": lambda ctx, limit: False}
    )
    assert dict(plain({"n": 9}).context_updates) == {}


def test_errors_name_the_guard_or_the_assign() -> None:
    def boom(ctx: Any, limit: int) -> bool:
        raise ValueError("no")

    decide = _cell().bind({"blocked": lambda ctx: False, "over": boom})
    with pytest.raises(GuardError) as raised:
        decide({"n": 1})
    assert raised.value.guard == "over"
    failing = _cell(effects={(0, 0): lambda ctx: {"a": ctx["missing"]}}).bind(
        {"blocked": lambda ctx: False, "over": lambda ctx, limit: True}
    )
    with pytest.raises(AssignError):
        failing({"n": 1})


def test_first_result_computes_the_updates_of_the_first_candidates() -> None:
    cell = _cell(effects={(0, 0): lambda ctx: {"a": 1}})
    first = cell.first_result()
    assert dict(first(None).context_updates) == {"a": 1}
    assert _cell().first_result().target_state == "both"
