"""The action executor (SPEC §6): runs a result's actions and reports each.

Actions run in ``result.all_actions`` order (exit → transition → enter). A
failing action is retried up to ``retry_attempts`` more times, immediately
(no back-off: an action that needs one can sleep itself); one that still
fails is recorded with its exception and the remaining actions still run
unless ``stop_on_error``. Only ``Exception`` is caught: ``KeyboardInterrupt``,
``SystemExit`` and task cancellation propagate. An action name without an
implementation is an ``ActionNotFoundError`` raised before any action of the
result runs, never a silent skip.

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
    Record,
    S,
    checked_retry_attempts,
    describe_exception,
    lookup_callables,
    plain_str,
)
from gubernator_runtime.errors import ActionNotFoundError, ConfigurationError
from gubernator_runtime.results import TransitionResult

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

_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect
_LOGGER_NAME = "gubernator_runtime"


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


def is_async_callable(function: object) -> bool:
    """True for an ``async def`` function or a method bound to one."""
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    return code is not None and bool(getattr(code, "co_flags", 0) & _CO_COROUTINE)


class ActionResult(Record):
    """How one action went: its outcome, exception, attempts and duration."""

    __slots__ = (
        "_attempts",
        "_duration_ms",
        "_exception",
        "_name",
        "_success",
        "_value",
    )
    _fields = ("name", "success", "exception", "attempts", "duration_ms", "value")
    _hash_fields = ("name", "success", "attempts")

    def __init__(
        self,
        name: str,
        success: bool,
        exception: BaseException | None = None,
        attempts: int = 1,
        duration_ms: float = 0.0,
        value: object = None,
    ) -> None:
        self._name = name
        self._success = success
        self._exception = exception
        self._attempts = attempts
        self._duration_ms = duration_ms
        self._value = value

    @property
    def name(self) -> str:
        """The action's name."""
        return self._name

    @property
    def success(self) -> bool:
        """True when the last attempt returned normally."""
        return self._success

    @property
    def exception(self) -> BaseException | None:
        """The exception of the last attempt, if it failed."""
        return self._exception

    @property
    def attempts(self) -> int:
        """How many times the action was called."""
        return self._attempts

    @property
    def duration_ms(self) -> float:
        """Wall time of all attempts, in milliseconds."""
        return self._duration_ms

    @property
    def value(self) -> object:
        """What the action returned (awaited for async actions)."""
        return self._value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; the exception as ``{"type", "message"}``.

        An exception that cannot be printed gets a placeholder message.
        """
        error = self._exception
        return {
            "name": self._name,
            "success": self._success,
            "attempts": self._attempts,
            "duration_ms": self._duration_ms,
            "error": None if error is None else describe_exception(error),
        }


class ExecutionResult(Record, Generic[S]):
    """What running a result's actions did (``run`` in SPEC §6)."""

    __slots__ = (
        "_action_results",
        "_duration_ms",
        "_fallback",
        "_skipped_actions",
        "_transition",
    )
    _fields = (
        "transition",
        "action_results",
        "skipped_actions",
        "duration_ms",
        "fallback",
    )
    _hash_fields = ("transition", "action_results", "skipped_actions")

    def __init__(
        self,
        transition: TransitionResult[S],
        action_results: Iterable[ActionResult],
        skipped_actions: Iterable[str] = (),
        duration_ms: float = 0.0,
        fallback: TransitionResult[S] | None = None,
    ) -> None:
        self._transition = transition
        self._action_results = tuple(action_results)
        self._skipped_actions = tuple(skipped_actions)
        self._duration_ms = duration_ms
        self._fallback = fallback

    @property
    def transition(self) -> TransitionResult[S]:
        """The result whose actions were run."""
        return self._transition

    @property
    def action_results(self) -> tuple[ActionResult, ...]:
        """One entry per action that ran, in execution order."""
        return self._action_results

    @property
    def skipped_actions(self) -> tuple[str, ...]:
        """Actions not run because an earlier one failed with ``stop_on_error``."""
        return self._skipped_actions

    @property
    def duration_ms(self) -> float:
        """Wall time of the whole run, in milliseconds."""
        return self._duration_ms

    @property
    def fallback(self) -> TransitionResult[S] | None:
        """The transition to the spec's ``default_fallback``, after a failure."""
        return self._fallback

    @property
    def all_succeeded(self) -> bool:
        """True when no action finally failed and none was skipped."""
        return not self._skipped_actions and all(
            result.success for result in self._action_results
        )

    @property
    def failed_actions(self) -> tuple[str, ...]:
        """Names of the actions that still failed after their retries."""
        return tuple(r.name for r in self._action_results if not r.success)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the run."""
        return {
            "transition": self._transition.to_dict(),
            "action_results": [r.to_dict() for r in self._action_results],
            "skipped_actions": list(self._skipped_actions),
            "failed_actions": list(self.failed_actions),
            "all_succeeded": self.all_succeeded,
            "duration_ms": self._duration_ms,
            "fallback": None if self._fallback is None else self._fallback.to_dict(),
        }


class ActionExecutor(Generic[S]):
    """Runs the actions of ``TransitionResult``s against one implementation.

    ``actions`` is an ``Actions`` implementation (an object with one method
    per action) or a ``Mapping[str, Callable]``. ``execute`` runs plain
    functions; ``aexecute`` also awaits ``async def`` actions. Both are safe
    to call concurrently: the executor keeps no per-run state.

    ``required_actions`` are resolved at construction (``ActionNotFoundError``
    naming every missing one); ``fallback`` proposes the transition to take
    when an action finally failed. ``machine.executor()`` sets both from the
    spec. ``retry_attempts`` is an ``int`` from 0 to ``MAX_RETRY_ATTEMPTS``
    (100); anything else is a ``TypeError`` or ``ValueError``.
    """

    __slots__ = (
        "_actions",
        "_fallback",
        "_resolved",
        "_retry_attempts",
        "_stop_on_error",
    )

    def __init__(
        self,
        actions: Any,
        stop_on_error: bool = False,
        retry_attempts: int = 0,
        *,
        required_actions: Iterable[str] = (),
        fallback: FallbackProposer[S] | None = None,
    ) -> None:
        if actions is None:
            raise TypeError("actions must be an Actions implementation or a mapping")
        self._actions = actions
        self._stop_on_error = bool(stop_on_error)
        self._retry_attempts = checked_retry_attempts(retry_attempts)
        self._fallback = fallback
        self._resolved = resolve_actions(actions, required_actions)

    @property
    def stop_on_error(self) -> bool:
        """Whether a finally failed action stops the remaining ones."""
        return self._stop_on_error

    @property
    def retry_attempts(self) -> int:
        """Extra attempts for a failing action."""
        return self._retry_attempts

    def _callables(self, names: tuple[str, ...]) -> list[ActionCallable]:
        resolved = self._resolved
        unknown = [name for name in names if name not in resolved]
        if unknown:
            # Only names already proven present are cached, so a missing
            # action is reported again next time rather than remembered.
            resolved.update(resolve_actions(self._actions, unknown))
        return [resolved[name] for name in names]

    def execute(
        self, result: TransitionResult[R], context: Any = None
    ) -> ExecutionResult[R]:
        """Run ``result``'s actions synchronously.

        Raises ``ActionNotFoundError`` (before anything runs) for missing
        actions and ``ConfigurationError`` for ``async def`` actions, which
        need :meth:`aexecute`.
        """
        names = result.all_actions
        functions = self._callables(names)
        asynchronous = [
            n for n, f in zip(names, functions, strict=True) if is_async_callable(f)
        ]
        if asynchronous:
            raise ConfigurationError(
                "async actions need aexecute(): " + ", ".join(map(repr, asynchronous)),
                actions=asynchronous,
            )
        ctx = {} if context is None else context
        started = time.perf_counter()
        outcomes: list[ActionResult] = []
        skipped: tuple[str, ...] = ()
        for position, (name, function) in enumerate(zip(names, functions, strict=True)):
            outcome = self._run(name, function, ctx)
            outcomes.append(outcome)
            if not outcome.success and self._stop_on_error:
                skipped = names[position + 1 :]
                break
        return self._finish(result, outcomes, skipped, started)

    async def aexecute(
        self, result: TransitionResult[R], context: Any = None
    ) -> ExecutionResult[R]:
        """Run ``result``'s actions, awaiting those that are asynchronous.

        Actions run one after another, never concurrently: their order is
        part of the contract.
        """
        names = result.all_actions
        functions = self._callables(names)
        ctx = {} if context is None else context
        started = time.perf_counter()
        outcomes: list[ActionResult] = []
        skipped: tuple[str, ...] = ()
        for position, (name, function) in enumerate(zip(names, functions, strict=True)):
            outcome = await self._arun(name, function, ctx)
            outcomes.append(outcome)
            if not outcome.success and self._stop_on_error:
                skipped = names[position + 1 :]
                break
        return self._finish(result, outcomes, skipped, started)

    def _run(self, name: str, function: ActionCallable, ctx: Any) -> ActionResult:
        started = time.perf_counter()
        attempts = 0
        while True:
            attempts += 1
            try:
                value = function(ctx)
            except Exception as exc:  # recorded in the ActionResult
                if attempts <= self._retry_attempts:
                    self._log_retry(name, attempts, exc)
                    continue
                return self._failed(name, exc, attempts, started)
            if isinstance(value, Awaitable):
                # A callable that returns a coroutine without being declared
                # async; it cannot run here and retrying would not help.
                if isinstance(value, types.CoroutineType):
                    value.close()
                error = TypeError(
                    f"action {name!r} returned an awaitable; use aexecute()"
                )
                return self._failed(name, error, attempts, started)
            return ActionResult(name, True, None, attempts, _elapsed_ms(started), value)

    async def _arun(
        self, name: str, function: ActionCallable, ctx: Any
    ) -> ActionResult:
        started = time.perf_counter()
        attempts = 0
        while True:
            attempts += 1
            try:
                value = function(ctx)
                if isinstance(value, Awaitable):
                    value = await value
            except Exception as exc:  # recorded in the ActionResult
                if attempts <= self._retry_attempts:
                    self._log_retry(name, attempts, exc)
                    continue
                return self._failed(name, exc, attempts, started)
            return ActionResult(name, True, None, attempts, _elapsed_ms(started), value)

    def _failed(
        self, name: str, error: BaseException, attempts: int, started: float
    ) -> ActionResult:
        _logger().warning(
            "action %r failed after %d attempt(s): %s: %s",
            name,
            attempts,
            type(error).__name__,
            describe_exception(error)["message"],  # str(error) may raise
            exc_info=error,
        )
        return ActionResult(name, False, error, attempts, _elapsed_ms(started))

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
        outcomes: list[ActionResult],
        skipped: tuple[str, ...],
        started: float,
    ) -> ExecutionResult[R]:
        failed = tuple(o.name for o in outcomes if not o.success)
        fallback: TransitionResult[R] | None = None
        if failed and self._fallback is not None:
            # The proposer belongs to the machine that made ``result``, so its
            # states are the result's states.
            proposer = cast("FallbackProposer[R]", self._fallback)
            fallback = proposer(result, failed)
            if fallback is not None:
                _logger().info(
                    "actions %s failed; proposing fallback to %r",
                    ", ".join(map(repr, failed)),
                    plain_str(fallback.target_state or ""),
                )
        return ExecutionResult(
            result, outcomes, skipped, _elapsed_ms(started), fallback
        )


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
