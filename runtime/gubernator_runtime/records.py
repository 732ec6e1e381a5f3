"""What the action executor reports: ``ActionResult`` and ``ExecutionResult``.

The executor builds an ``ExecutionResult`` from what a run did (the values
returned and the outcomes of the actions that failed, were retried or were
timed); the per-action ``ActionResult`` records are built only when someone
reads ``run.action_results``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic

from gubernator_runtime._base import Record, S, describe_exception
from gubernator_runtime.results import TransitionResult

_new = object.__new__

#: The outcome of an action that succeeded at once, untimed.
OK: tuple[BaseException | None, int, float] = (None, 1, 0.0)


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
    """What running a result's actions did (``run``;
    docs/runtime.md#action-executor)."""

    __slots__ = (
        "_action_results",
        "_duration_ms",
        "_fallback",
        "_names",
        "_outcomes",
        "_returned",
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

    _action_results: tuple[ActionResult, ...] | None
    #: Index → (exception or None, attempts, duration_ms) for every action
    #: that failed, was retried or was timed; the others succeeded at once.
    _outcomes: dict[int, tuple[BaseException | None, int, float]]

    def __init__(
        self,
        transition: TransitionResult[S],
        action_results: Iterable[ActionResult],
        skipped_actions: Iterable[str] = (),
        duration_ms: float = 0.0,
        fallback: TransitionResult[S] | None = None,
    ) -> None:
        self._transition = transition
        results = tuple(action_results)
        self._action_results = results
        self._names = tuple(r.name for r in results)
        self._returned = [r.value for r in results]
        self._outcomes = {
            i: (r.exception, r.attempts, r.duration_ms)
            for i, r in enumerate(results)
            if not r.success or r.attempts != 1 or r.duration_ms
        }
        self._skipped_actions = tuple(skipped_actions)
        self._duration_ms = duration_ms
        self._fallback = fallback

    @classmethod
    def _of_run(
        cls,
        transition: TransitionResult[S],
        names: tuple[str, ...],
        values: list[object],
        outcomes: dict[int, tuple[BaseException | None, int, float]],
        skipped: tuple[str, ...],
        duration_ms: float,
        fallback: TransitionResult[S] | None,
    ) -> ExecutionResult[S]:
        """What the executor returns: records built only when read."""
        run: ExecutionResult[S] = _new(cls)
        run._transition = transition
        run._action_results = None
        run._names = names
        run._returned = values
        run._outcomes = outcomes
        run._skipped_actions = skipped
        run._duration_ms = duration_ms
        run._fallback = fallback
        return run

    @property
    def transition(self) -> TransitionResult[S]:
        """The result whose actions were run."""
        return self._transition

    @property
    def action_results(self) -> tuple[ActionResult, ...]:
        """One entry per action that ran, in execution order."""
        results = self._action_results
        if results is None:
            outcomes, values = self._outcomes, self._returned
            built = []
            for index, name in enumerate(self._names[: len(values)]):
                error, attempts, duration = outcomes.get(index, OK)
                success = error is None
                value = values[index] if success else None
                built.append(
                    ActionResult(name, success, error, attempts, duration, value)
                )
            results = self._action_results = tuple(built)
        return results

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
        return not self._skipped_actions and not self.failed_actions

    @property
    def failed_actions(self) -> tuple[str, ...]:
        """Names of the actions that still failed after their retries."""
        names = self._names
        return tuple(
            names[i] for i, (error, _, _) in self._outcomes.items() if error is not None
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the run."""
        return {
            "transition": self._transition.to_dict(),
            "action_results": [r.to_dict() for r in self.action_results],
            "skipped_actions": list(self._skipped_actions),
            "failed_actions": list(self.failed_actions),
            "all_succeeded": self.all_succeeded,
            "duration_ms": self._duration_ms,
            "fallback": None if self._fallback is None else self._fallback.to_dict(),
        }
