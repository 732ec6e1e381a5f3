"""'Did you mean' suggestions."""

from __future__ import annotations

from gubernator_gen.suggest import closest, did_you_mean


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
