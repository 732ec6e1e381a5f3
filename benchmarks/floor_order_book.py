"""The floor of bench_process.py: the order book written by hand
(README.md#performance).

The best plain Python we could write for ``order_book.yaml`` alone: a dict
of per-cell functions that call the guards directly and return prepared
results, with no library in the way. It decides exactly what the generated
machine decides (bench_process.py checks that on every scenario), guards
asked in the same order, as docs/language.md#processing requires.

Two variants, both measured:

* :class:`Floor` behaves as the generated machine does in every respect the
  benchmark can observe, and meets the targets README.md#performance sets
  independently of any floor: a guard that raises becomes a ``GuardError``
  naming it (docs/language.md#processing; per-guard ``try`` blocks, free in
  CPython 3.11 until something raises), a guard answering with an awaitable
  is an error, never a "yes" (tested as ``ok is True`` first), an ``Event``
  is recognised by its class before the lookup (its payload must reach the
  guards, and an unhashable ``Event`` sent into the lookup costs an
  exception, over 2x a plain trigger), and a trigger the state does not know
  is looked up with ``dict.get`` (an exception there costs over 4x a
  success). This is the floor the 1.1x target is judged against.
* :class:`FloorSuccessOnly` drops all of that for the fastest possible
  success path: raw guard exceptions, any truthy answer passes, exceptions
  on misses; shown for information.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from gubernator_runtime import (
    Event,
    GuardError,
    GuardRejectedError,
    InvalidTransitionError,
    TerminalStateError,
    TransitionResult,
    UndefinedTriggerError,
)

EMPTY: Mapping[str, Any] = MappingProxyType({})
TERMINAL = frozenset({"FILLED", "CANCELLED", "EXPIRED"})
TRIGGERS = frozenset({"execution_report", "cancel", "expire"})


def _prepared(module: Any) -> dict[str, TransitionResult[Any]]:
    """The results, prepared once (the generated module's, so both machines
    return equal values and the comparison is about deciding only)."""
    table = module.Machine.decisions
    open_report = table["OPEN"]["execution_report"].results
    partial_report = table["PARTIALLY_FILLED"]["execution_report"].results
    return {
        "open_filled": open_report[0],
        "open_partial": open_report[1],
        "partial_filled": partial_report[0],
        "open_cancel": table["OPEN"]["cancel"],
        "partial_cancel": table["PARTIALLY_FILLED"]["cancel"],
        "partial_expire": table["PARTIALLY_FILLED"]["expire"],
    }


def _refused(state: str, trigger: str, guard: str) -> TransitionResult[Any]:
    return TransitionResult(
        False,
        state,
        None,
        trigger,
        error=GuardRejectedError(state, trigger, guard),
        metadata={"reason": "guards_failed", "rejected_by": guard},
    )


def _guard_error(name: str, state: str, exc: Exception) -> GuardError:
    return GuardError(name, state, "execution_report", exc)


def _cells(module: Any, guards: Any, conformant: bool) -> dict[str, dict[str, Any]]:
    results = _prepared(module)
    has_fill: Callable[[Any], bool] = guards.has_fill
    is_full_fill: Callable[[Any], bool] = guards.is_full_fill
    open_filled, open_partial = results["open_filled"], results["open_partial"]
    partial_filled = results["partial_filled"]
    open_refused = _refused("OPEN", "execution_report", "has_fill")
    partial_refused = _refused("PARTIALLY_FILLED", "execution_report", "is_full_fill")

    def open_execution_report(ctx: Any) -> TransitionResult[Any]:
        if ctx is None:
            ctx = EMPTY
        try:
            passed = (a := has_fill(ctx)) is True or (a and _truth(a))
        except Exception as exc:
            raise _guard_error("has_fill", "OPEN", exc) from exc
        if passed:
            try:
                if (b := is_full_fill(ctx)) is True or (b and _truth(b)):
                    return open_filled
            except Exception as exc:
                raise _guard_error("is_full_fill", "OPEN", exc) from exc
        try:
            if (c := has_fill(ctx)) is True or (c and _truth(c)):
                return open_partial
        except Exception as exc:
            raise _guard_error("has_fill", "OPEN", exc) from exc
        return open_refused

    def partial_execution_report(ctx: Any) -> TransitionResult[Any]:
        if ctx is None:
            ctx = EMPTY
        try:
            if (full := is_full_fill(ctx)) is True or (full and _truth(full)):
                return partial_filled
        except Exception as exc:
            raise _guard_error("is_full_fill", "PARTIALLY_FILLED", exc) from exc
        return partial_refused

    def open_fast(ctx: Any) -> TransitionResult[Any]:
        if ctx is None:
            ctx = EMPTY
        if has_fill(ctx) and is_full_fill(ctx):
            return open_filled
        if has_fill(ctx):
            return open_partial
        return open_refused

    def partial_fast(ctx: Any) -> TransitionResult[Any]:
        if ctx is None:
            ctx = EMPTY
        if is_full_fill(ctx):
            return partial_filled
        return partial_refused

    return {
        "OPEN": {
            "execution_report": open_execution_report if conformant else open_fast,
            "cancel": results["open_cancel"],
        },
        "PARTIALLY_FILLED": {
            "execution_report": (
                partial_execution_report if conformant else partial_fast
            ),
            "cancel": results["partial_cancel"],
            "expire": results["partial_expire"],
        },
        "FILLED": {},
        "CANCELLED": {},
        "EXPIRED": {},
    }


def _truth(answer: object) -> bool:
    """Any answer but ``True``/``False``: an awaitable is refused."""
    if hasattr(type(answer), "__await__"):
        raise TypeError("a guard answered with an awaitable")
    return bool(answer)


def _no_cell(state: str, trigger: str) -> TransitionResult[Any]:
    if state in TERMINAL:
        error: Exception = TerminalStateError(state, trigger)
    elif trigger in TRIGGERS:
        error = InvalidTransitionError(state, trigger)
    else:
        error = UndefinedTriggerError(state, trigger, "order_book")
    return TransitionResult(False, state, None, trigger, error=error)  # type: ignore[arg-type]


class Floor:
    """The order book by hand, meeting README.md#performance's floor-independent
    targets."""

    __slots__ = ("_cells",)

    def __init__(self, module: Any, guards: Any) -> None:
        self._cells = _cells(module, guards, conformant=True)

    def process(self, state: str, event: Any, context: Any = None) -> Any:
        """Decide ``event`` in ``state``."""
        if event.__class__ is Event:
            payload = event.payload
            if payload:
                context = payload if not context else {**context, **payload}
            event = event.trigger
        cell = self._cells[state].get(event)
        if cell.__class__ is TransitionResult:
            return cell
        if cell is None:
            return _no_cell(state, event)
        return cell(context)


class FloorSuccessOnly:
    """The order book by hand, for the fastest success path only."""

    __slots__ = ("_cells",)

    def __init__(self, module: Any, guards: Any) -> None:
        self._cells = _cells(module, guards, conformant=False)

    def process(self, state: str, event: Any, context: Any = None) -> Any:
        """Decide ``event`` in ``state``; an ``Event`` or a miss costs an exception."""
        try:
            cell = self._cells[state][event]
        except (KeyError, TypeError):
            return Floor.process(self, state, event, context)  # type: ignore[arg-type]
        if cell.__class__ is TransitionResult:
            return cell
        return cell(context)
