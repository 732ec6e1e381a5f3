"""Binding a factored statechart's guards to a machine instance (API 2.6).

Each transition's guards become one test, called with the context: it
answers ``None`` when every guard passes, else the label of the guard that
refused. The call forms are those of ``Guarded`` cells: a ``Guards``
method by name, negated or with fixed keyword arguments, or a function the
module compiled from a guard expression; an answer that is not exactly
``True`` or ``False`` goes through ``guard_truth``. A guard that raises,
and a strict machine built without guards reaching a guarded transition,
are reported by exceptions the machine turns into ``GuardError`` and
``ConfigurationError`` naming the state and trigger.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gubernator_runtime._base import EMPTY_MAPPING
from gubernator_runtime.binding import GuardCallable, guard_truth
from gubernator_runtime.factored import GuardSpec, GuardTest, TransitionSpec


class GuardRaised(Exception):
    """A guard raised (or answered with an awaitable): reported by
    ``process`` as a ``GuardError`` naming the state and trigger."""

    def __init__(self, label: str, cause: BaseException) -> None:
        super().__init__(label)
        self.label = label
        self.cause = cause


class GuardsMissing(Exception):
    """A strict machine built without guards reached a guarded transition."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(names)
        self.names = names


def named_calls(
    specs: tuple[TransitionSpec, ...],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``Guards`` methods and the actions the transitions name, each
    once in order of appearance."""
    guards: dict[str, None] = {}
    actions: dict[str, None] = {}
    for spec in specs:
        actions.update(dict.fromkeys(spec[1]))
        for guard in spec[5]:
            call = guard if isinstance(guard, str) else guard[1]
            if isinstance(call, str):
                guards[call] = None
    return tuple(guards), tuple(actions)


def guard_test(
    specs: tuple[GuardSpec, ...],
    guards: Mapping[str, GuardCallable] | None,
    strict: bool,
) -> GuardTest | None:
    """One transition's guards as one test: ``None`` when all pass, else
    the refusing guard's label (``None`` for a transition without guards)."""
    calls: list[tuple[str, Any, bool, dict[str, Any]]] = []
    missing: list[str] = []
    for spec in specs:
        call: Any
        if isinstance(spec, str):
            label, call, negated, keywords = spec, spec, False, {}
        else:
            label, call, negated, names, values = spec
            keywords = dict(zip(names, values, strict=True))
        if isinstance(call, str):
            if guards is None:
                if strict:
                    missing.append(call)
                continue  # a non-strict machine built without guards: passes
            call = guards[call]
        calls.append((label, call, negated, keywords))
    if missing:
        needed = tuple(dict.fromkeys(missing))

        def refuse(context: Any) -> str | None:
            raise GuardsMissing(needed)

        return refuse
    if not calls:
        return None
    if len(calls) == 1 and not calls[0][3]:
        return _one(*calls[0][:3])

    def test(context: Any) -> str | None:
        ctx = EMPTY_MAPPING if context is None else context
        for label, call, negated, keywords in calls:
            try:
                answer = call(ctx, **keywords) if keywords else call(ctx)
                passed = answer is True or (answer is not False and guard_truth(answer))
            except Exception as exc:
                raise GuardRaised(label, exc) from exc
            if passed is negated:
                return label
        return None

    return test


def _one(label: str, call: Any, negated: bool) -> GuardTest:
    """The test of a transition with one guard and no keywords: the
    common case, without the loop (``process`` asks it on every call)."""

    def test(context: Any) -> str | None:
        try:
            answer = call(EMPTY_MAPPING if context is None else context)
            passed = answer is True or (answer is not False and guard_truth(answer))
        except Exception as exc:
            raise GuardRaised(label, exc) from exc
        return label if passed is negated else None

    return test
