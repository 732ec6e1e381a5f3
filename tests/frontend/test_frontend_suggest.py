"""'Did you mean' suggestions."""

from __future__ import annotations

import difflib

import pytest
from frontend_support import run

from gubernator_gen.frontend.suggest import (
    MAX_COMPARED,
    MAX_SUGGESTIONS,
    Suggester,
    closest,
    did_you_mean,
)


def test_case_difference_wins() -> None:
    assert closest("paid", ["PAID", "PAIR"]) == "PAID"


def test_close_spellings() -> None:
    assert closest("PENDNG", ["PENDING", "PAID"]) == "PENDING"
    assert closest("intial", ["initial", "stable", "terminal", "error"]) == "initial"
    assert (
        closest("destination", ["trigger", "source", "dest", "description"]) == "dest"
    )


def test_nothing_close_means_no_suggestion() -> None:
    assert closest("extra", ["meta", "states", "transitions"]) is None
    assert closest("Q" * 10_000, ["QQ"]) is None
    assert did_you_mean("zzz", ["PAID"]) == ""
    assert did_you_mean("PAYD", ["PAID"]) == " (did you mean 'PAID'?)"


def test_suggester_stops_after_its_limit() -> None:
    suggester = Suggester(["PAID", "PENDING"], limit=2)
    assert suggester.closest("PAYD") == "PAID"
    assert suggester.did_you_mean("PENDNG") == " (did you mean 'PENDING'?)"
    assert suggester.closest("PAYD") is None
    assert suggester.did_you_mean("PENDNG") == ""
    unlimited = Suggester(["PAID"], limit=None)
    assert [unlimited.closest("PAYD") for _ in range(3)] == ["PAID"] * 3


def test_many_candidates_are_narrowed_without_losing_the_match() -> None:
    names = [f"STATE_{i}" for i in range(3000)] + ["PAYMENT_RECEIVED", "SHIPPED"]
    assert len(names) > MAX_COMPARED
    suggester = Suggester(names, limit=None)
    for word in (
        "STAET_42",
        "STATE-1204",
        "SATE_2999",
        "TATE_1500",
        "PAYMENT_RECIEVED",
    ):
        expected = difflib.get_close_matches(word, names, n=1, cutoff=0.7)
        assert expected, word
        assert suggester.closest(word) == expected[0]
    # Case and prefix matches need no comparison at all.
    assert suggester.closest("shipped") == "SHIPPED"
    assert suggester.closest("STATE_2999_DONE") == "STATE_2999"


def test_validation_bounds_the_work_spent_on_suggestions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compared: list[int] = []
    real = difflib.get_close_matches

    def counting(word: str, options: list[str], n: int, cutoff: float) -> list[str]:
        compared.append(len(options))
        return real(word, options, n=n, cutoff=cutoff)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    states = MAX_COMPARED + 100
    typos = MAX_SUGGESTIONS + 50
    text = (
        "states:\n  - {name: S0, type: initial}\n"
        + "".join(f"  - {{name: STATE_{i}}}\n" for i in range(1, states))
        + "transitions:\n"
        + "".join(
            f"  - {{trigger: t{i}, source: S0, dest: STAET_{i}}}\n"
            for i in range(typos)
        )
    )
    result = run(text)
    undefined = [d for d in result.diagnostics if d.code == "GG304"]
    assert len(undefined) == typos
    suggested = [d for d in undefined if "did you mean" in d.message]
    assert suggested == undefined[:MAX_SUGGESTIONS]
    assert "(did you mean 'STATE_7'?)" in undefined[7].message
    assert len(compared) == MAX_SUGGESTIONS
    assert max(compared) == MAX_COMPARED
