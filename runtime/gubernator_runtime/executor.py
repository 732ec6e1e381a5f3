"""The action executor (docs/runtime.md#action-executor): runs a result's actions and
reports each.

Actions run in ``result.all_actions`` order (exit → transition → enter). A
failing action is retried up to ``retry_attempts`` more times, immediately
(no back-off: an action that needs one can sleep itself); one that still
fails is recorded with its exception and the remaining actions still run
unless ``stop_on_error``. Only ``Exception`` is caught: ``KeyboardInterrupt``,
``SystemExit`` and task cancellation propagate. An action name without an
implementation is an ``ActionNotFoundError`` raised before any action of the
result runs, never a silent skip.

The executor is built for being called often: implementations are looked up
and classified (plain or ``async def``) once per action list, a run reads
the clock twice (per action only with ``time_actions=True``), and the
per-action ``ActionResult`` records are built only when someone reads
``run.action_results``.

Problems are logged through ``logging.getLogger("gubernator_runtime")``;
``logging`` is imported on first use so that importing the runtime stays
cheap.
"""

from __future__ import annotations

import time
import types
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from gubernator_runtime._base import (
    S,
    checked_retry_attempts,
    describe_exception,
    lookup_callables,
    plain_str,
)
from gubernator_runtime.binding import is_async_callable
from gubernator_runtime.errors import ActionNotFoundError, ConfigurationError
from gubernator_runtime.records import OK, ActionResult, ExecutionResult
from gubernator_runtime.results import TransitionResult

__all__ = ["ActionExecutor", "ActionResult", "ExecutionResult", "resolve_actions"]

if TYPE_CHECKING:
    import logging

#: An action implementation: called with the context; may be ``async def``.
ActionCallable = Callable[[Any], object]
#: Proposes the transition to take after actions failed (see ``machine.executor``).
FallbackProposer = Callable[
    [TransitionResult[S], tuple[str, ...]], "TransitionResult[S] | None"
]

#: The state type of one call: an executor built without a machine (whose
#: ``S`` nothing determines) still types ``execute``'s result from its input.
R = TypeVar("R", bound=str)

_LOGGER_NAME = "gubernator_runtime"
_clock = time.perf_counter
_new = object.__new__
# Action lists whose implementations an executor remembers; past this many
# distinct lists (a standalone executor fed arbitrary results) it looks up
# each time rather than grow without bound.
_MAX_PLANS = 4096

_logger_instance: logging.Logger | None = None


def _logger() -> logging.Logger:
    """The runtime's logger, created (with a ``NullHandler``) on first use.

    The ``NullHandler`` is the standard library's advice for libraries: the
    application decides where records go, and an unconfigured application
    does not get tracebacks on stderr for failures that the executor already
    reports in its results.
    """
    global _logger_instance
    if _logger_instance is None:
        import logging

        logger = logging.getLogger(_LOGGER_NAME)
        logger.addHandler(logging.NullHandler())
        _logger_instance = logger
    return _logger_instance


def resolve_actions(actions: object, names: Iterable[str]) -> dict[str, ActionCallable]:
    """Look ``names`` up in ``actions`` (a mapping or an object with methods).

    Returns name → callable; raises ``ActionNotFoundError`` naming every name
    that is missing or not callable.
    """
    found, missing = lookup_callables(actions, names)
    if missing:
        raise ActionNotFoundError(missing)
    return found


def _is_awaitable(value: object) -> bool:
    return hasattr(type(value), "__await__")


class ActionExecutor(Generic[S]):
    """Runs the actions of ``TransitionResult``s against one implementation.

    ``actions`` is an ``Actions`` implementation (an object with one method
    per action) or a ``Mapping[str, Callable]``. ``execute`` runs plain
    functions; ``aexecute`` also awaits ``async def`` actions. Both are safe
    to call concurrently: the executor keeps no per-run state.

    ``required_actions`` are resolved at construction (``ActionNotFoundError``
    naming every missing one); ``fallback`` proposes the transition to take
    when an action finally failed. ``machine.executor()`` sets both from the
    spec. ``time_actions`` records each action's own duration in its
    ``ActionResult`` (two clock reads per action); otherwise only the run is
    timed and each ``ActionResult.duration_ms`` is ``0.0``.
    """

    __slots__ = (
        "_actions",
        "_fallback",
        "_plans",
        "_resolved",
        "_retry_attempts",
        "_stop_on_error",
        "_time_actions",
    )

    def __init__(
        self,
        actions: Any,
        stop_on_error: bool = False,
        retry_attempts: int = 0,
        *,
        required_actions: Iterable[str] = (),
        fallback: FallbackProposer[S] | None = None,
        time_actions: bool = False,
    ) -> None:
        if actions is None:
            raise TypeError("actions must be an Actions implementation or a mapping")
        self._actions = actions
        self._stop_on_error = bool(stop_on_error)
        self._retry_attempts = checked_retry_attempts(retry_attempts)
        self._fallback = fallback
        self._time_actions = bool(time_actions)
        #: name → (implementation, is async def), classified once.
        self._resolved: dict[str, tuple[ActionCallable, bool]] = {
            name: (function, is_async_callable(function))
            for name, function in resolve_actions(actions, required_actions).items()
        }
        #: action list → its implementations and the names that are async.
        self._plans: dict[
            tuple[str, ...], tuple[tuple[ActionCallable, ...], tuple[str, ...]]
        ] = {}

    @property
    def stop_on_error(self) -> bool:
        """Whether a finally failed action stops the remaining ones."""
        return self._stop_on_error

    @property
    def retry_attempts(self) -> int:
        """Extra attempts for a failing action."""
        return self._retry_attempts

    def _plan(
        self, names: tuple[str, ...]
    ) -> tuple[tuple[ActionCallable, ...], tuple[str, ...]]:
        """The implementations of ``names`` and which of them are async."""
        plan = self._plans.get(names)
        if plan is not None:
            return plan
        resolved = self._resolved
        unknown = [name for name in names if name not in resolved]
        if unknown:
            # Only names proven present are kept, so a missing action is
            # reported again next time rather than remembered.
            for name, function in resolve_actions(self._actions, unknown).items():
                resolved[name] = (function, is_async_callable(function))
        steps = [resolved[name] for name in names]
        plan = (
            tuple(function for function, _ in steps),
            tuple(n for n, (_, is_async) in zip(names, steps, strict=True) if is_async),
        )
        if len(self._plans) < _MAX_PLANS:
            self._plans[names] = plan
        return plan

    def execute(
        self, result: TransitionResult[R], context: Any = None
    ) -> ExecutionResult[R]:
        """Run ``result``'s actions synchronously.

        Raises ``ActionNotFoundError`` (before anything runs) for missing
        actions and ``ConfigurationError`` for ``async def`` actions, which
        need :meth:`aexecute`.
        """
        names = result.all_actions
        plan = self._plans.get(names)
        functions, asynchronous = self._plan(names) if plan is None else plan
        if asynchronous:
            raise ConfigurationError(
                "async actions need aexecute(): " + ", ".join(map(repr, asynchronous)),
                actions=list(asynchronous),
            )
        ctx = {} if context is None else context
        values: list[object] = []
        outcomes: dict[int, tuple[BaseException | None, int, float]] = {}
        timed, stop = self._time_actions, self._stop_on_error
        started = _clock()
        for function in functions:
            begun = _clock() if timed else 0.0
            try:
                value = function(ctx)
                if value is not None and _is_awaitable(value):
                    raise _refuse_awaitable(names[len(values)], value)
            except _AwaitableReturned as exc:
                # Retrying cannot help a callable that is async in disguise.
                self._record(names, values, outcomes, exc.error, 1, begun)
            except Exception as exc:  # recorded in the ActionResult
                self._retry(names, functions, ctx, values, outcomes, exc, begun)
            else:
                values.append(value)
                if timed:
                    outcomes[len(values) - 1] = (None, 1, _elapsed_ms(begun))
                continue
            if stop and outcomes[len(values) - 1][0] is not None:
                break
        if outcomes:
            return self._finish(result, names, values, outcomes, started)
        # Everything ran and succeeded at once: the record, built inline.
        run: ExecutionResult[R] = _new(ExecutionResult)
        run._duration_ms = (_clock() - started) * 1000.0
        run._transition = result
        run._action_results = None
        run._names = names
        run._returned = values
        run._outcomes = outcomes
        run._skipped_actions = ()
        run._fallback = None
        return run

    async def aexecute(
        self, result: TransitionResult[R], context: Any = None
    ) -> ExecutionResult[R]:
        """Run ``result``'s actions, awaiting those that are asynchronous.

        Actions run one after another, never concurrently: their order is
        part of the contract.
        """
        names = result.all_actions
        functions, _ = self._plan(names)
        ctx = {} if context is None else context
        values: list[object] = []
        outcomes: dict[int, tuple[BaseException | None, int, float]] = {}
        started = _clock()
        for function in functions:
            begun = _clock()
            attempts = 0
            while True:
                attempts += 1
                try:
                    value = function(ctx)
                    if value is not None and _is_awaitable(value):
                        value = await cast("Awaitable[object]", value)
                except Exception as exc:  # recorded in the ActionResult
                    if attempts <= self._retry_attempts:
                        self._log_retry(names[len(values)], attempts, exc)
                        continue
                    self._record(names, values, outcomes, exc, attempts, begun)
                    break
                values.append(value)
                if attempts > 1 or self._time_actions:
                    outcomes[len(values) - 1] = (None, attempts, _elapsed_ms(begun))
                break
            if self._stop_on_error and outcomes.get(len(values) - 1, OK)[0]:
                break
        return self._finish(result, names, values, outcomes, started)

    def _retry(
        self,
        names: tuple[str, ...],
        functions: tuple[ActionCallable, ...],
        ctx: Any,
        values: list[object],
        outcomes: dict[int, tuple[BaseException | None, int, float]],
        error: Exception,
        begun: float,
    ) -> None:
        """Action number ``len(values)`` raised ``error``: retry, then record."""
        index = len(values)
        name, function = names[index], functions[index]
        attempts = 1
        while attempts <= self._retry_attempts:
            self._log_retry(name, attempts, error)
            attempts += 1
            try:
                value = function(ctx)
                if value is not None and _is_awaitable(value):
                    raise _refuse_awaitable(name, value)
            except _AwaitableReturned as exc:
                error = exc.error
                break
            except Exception as exc:  # recorded in the ActionResult
                error = exc
                continue
            values.append(value)
            outcomes[index] = (None, attempts, _elapsed_ms(begun) if begun else 0.0)
            return
        self._record(names, values, outcomes, error, attempts, begun)

    def _record(
        self,
        names: tuple[str, ...],
        values: list[object],
        outcomes: dict[int, tuple[BaseException | None, int, float]],
        error: BaseException,
        attempts: int,
        begun: float,
    ) -> None:
        """Action number ``len(values)`` finally failed with ``error``."""
        name = names[len(values)]
        _logger().warning(
            "action %r failed after %d attempt(s): %s: %s",
            name,
            attempts,
            type(error).__name__,
            describe_exception(error)["message"],  # str(error) may raise
            exc_info=error,
        )
        outcomes[len(values)] = (error, attempts, _elapsed_ms(begun) if begun else 0.0)
        values.append(None)

    def _log_retry(self, name: str, attempt: int, error: BaseException) -> None:
        _logger().debug(
            "action %r failed on attempt %d (%s: %s); retrying",
            name,
            attempt,
            type(error).__name__,
            describe_exception(error)["message"],
        )

    def _finish(
        self,
        result: TransitionResult[R],
        names: tuple[str, ...],
        values: list[object],
        outcomes: dict[int, tuple[BaseException | None, int, float]],
        started: float,
    ) -> ExecutionResult[R]:
        duration = _elapsed_ms(started)
        skipped = names[len(values) :]
        fallback: TransitionResult[R] | None = None
        if outcomes and self._fallback is not None:
            failed = tuple(
                names[i] for i, (e, _, _) in outcomes.items() if e is not None
            )
            if failed:
                # The proposer belongs to the machine that made ``result``, so
                # its states are the result's states.
                proposer = cast("FallbackProposer[R]", self._fallback)
                fallback = proposer(result, failed)
                if fallback is not None:
                    _logger().info(
                        "actions %s failed; proposing fallback to %r",
                        ", ".join(map(repr, failed)),
                        plain_str(fallback.target_state or ""),
                    )
        return ExecutionResult._of_run(
            result, names, values, outcomes, skipped, duration, fallback
        )


class _AwaitableReturned(Exception):
    """A plain callable returned an awaitable: it cannot run synchronously."""

    def __init__(self, error: TypeError) -> None:
        super().__init__(str(error))
        self.error = error


def _refuse_awaitable(name: str, value: object) -> _AwaitableReturned:
    if isinstance(value, types.CoroutineType):
        value.close()  # it will never run; closing avoids a "never awaited" warning
    return _AwaitableReturned(
        TypeError(f"action {name!r} returned an awaitable; use aexecute()")
    )


def _elapsed_ms(started: float) -> float:
    return (_clock() - started) * 1000.0
