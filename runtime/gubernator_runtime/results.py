"""``TransitionResult``: what ``process`` decided (docs/language.md#processing).

The class and its serialisation are in
:mod:`gubernator_runtime.transition_result`; this module, where they are
imported from, adds the functions that build results without
``__init__`` (prebuilt successes, failures, the start, ``assign``
updates). They set every slot of the class, so a change of its fields
is made in both modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from gubernator_runtime._base import EMPTY_MAPPING, S, frozen_mapping
from gubernator_runtime.errors import AssignError
from gubernator_runtime.transition_result import (
    DeferredError as DeferredError,
)
from gubernator_runtime.transition_result import (
    TransitionResult as TransitionResult,
)

_new = object.__new__


#: Metadata of the non-strict "nothing matched" success (docs/language.md#processing).
NO_OP_METADATA: Mapping[str, Any] = frozen_mapping(
    {"no_op": True, "reason": "no_matching_transition"}
)


def success(
    source_state: S,
    target_state: S,
    trigger: str,
    actions_to_execute: tuple[str, ...],
    on_exit_actions: tuple[str, ...],
    on_enter_actions: tuple[str, ...],
    metadata: Mapping[str, Any],
    *,
    configuration: str | None = None,
    deadlines: Mapping[str, float] | None = None,
    resume: int | None = None,
    cancelled: tuple[str, ...] = (),
) -> TransitionResult[S]:
    """A success result from parts that are already tuples and read-only.

    Generated modules build every success result of their decision table
    with this at import; it trusts its arguments (the generator made them),
    so a large machine imports without normalising thousands of values.
    ``configuration`` (API 2.3) is the configuration the result moves to;
    ``deadlines`` (API 2.4, read-only) the ``after:`` deadlines it starts.
    ``resume`` (API 2.5) is the key of the resume cell that continues the
    step (a guarded eventless decision, see :mod:`.resumes`), and
    ``cancelled`` the states with ``after:`` entries a resume cell's step
    exits; the machine follows them, and the results it returns carry
    neither.
    """
    result: TransitionResult[S] = _new(TransitionResult)
    result._success = True
    result._source_state = source_state
    result._target_state = target_state
    result._trigger = trigger
    result._actions_to_execute = actions_to_execute
    result._on_exit_actions = on_exit_actions
    result._on_enter_actions = on_enter_actions
    result._error = None
    result._metadata = metadata
    result._context_updates = EMPTY_MAPPING
    result._all_actions = None
    if configuration is not None:
        result._configuration = configuration
    if deadlines:
        result._deadlines = deadlines
    if resume is not None:
        result._resume = resume
    if cancelled:
        result._cancelled = cancelled
    return result


def failure(
    source_state: S,
    trigger: str,
    error: DeferredError,
    metadata: Mapping[str, Any],
) -> TransitionResult[S]:
    """A failure result whose error is built only when read (no ``__init__``)."""
    result: TransitionResult[S] = _new(TransitionResult)
    result._success = False
    result._source_state = source_state
    result._target_state = None
    result._trigger = trigger
    result._actions_to_execute = ()
    result._on_exit_actions = ()
    result._on_enter_actions = ()
    result._error = error
    result._metadata = metadata
    result._context_updates = EMPTY_MAPPING
    result._all_actions = ()
    return result


#: The trigger of :func:`started` results: creating an entity.
START_TRIGGER = "_start"

#: Metadata of :func:`started` results.
START_METADATA: Mapping[str, Any] = frozen_mapping({"reason": "start"})


def started(
    target_state: S,
    on_enter_actions: tuple[str, ...],
    *,
    configuration: str | None = None,
    deadlines: Mapping[str, float] | None = None,
    resume: int | None = None,
) -> TransitionResult[S]:
    """The result of creating an entity: from no state into ``target_state``.

    ``source_state`` is ``None`` (there was no state before), the trigger is
    ``"_start"`` and ``on_enter_actions`` are every ``on_enter`` on the way
    into the stored state, outermost first. Generated modules build it once
    at import (``machine.start()`` returns it, or follows its ``resume``
    key, API 2.5, as for :func:`success`).
    """
    result: TransitionResult[S] = _new(TransitionResult)
    result._success = True
    result._source_state = None  # type: ignore[assignment]
    result._target_state = target_state
    result._trigger = START_TRIGGER
    result._actions_to_execute = ()
    result._on_exit_actions = ()
    result._on_enter_actions = on_enter_actions
    result._error = None
    result._metadata = START_METADATA
    result._context_updates = EMPTY_MAPPING
    result._all_actions = None
    if configuration is not None:
        result._configuration = configuration
    if deadlines:
        result._deadlines = deadlines
    if resume is not None:
        result._resume = resume
    return result


def stay(source_state: S, trigger: str) -> TransitionResult[S]:
    """The non-strict "nothing matched" success: stays put, runs nothing."""
    return success(source_state, source_state, trigger, (), (), (), NO_OP_METADATA)


#: What computes a transition's ``assign`` updates: the context to a dict.
Effect = Callable[[Any], "dict[str, object]"]


def with_updates(
    result: TransitionResult[S], effect: Effect, context: Any
) -> TransitionResult[S]:
    """``result`` carrying the ``context_updates`` that ``effect`` computes.

    Generated deciders call this for a candidate with ``assign``, once its
    guards passed; ``result`` is the candidate's prebuilt result (shared,
    never changed). An effect that raises is an :class:`AssignError`
    chained to the exception.
    """
    try:
        updates = effect(context)
    except Exception as exc:
        raise AssignError(result._source_state, result._trigger, exc) from exc
    updated: TransitionResult[S] = _new(TransitionResult)
    updated._success = True
    updated._source_state = result._source_state
    updated._target_state = result._target_state
    updated._trigger = result._trigger
    updated._actions_to_execute = result._actions_to_execute
    updated._on_exit_actions = result._on_exit_actions
    updated._on_enter_actions = result._on_enter_actions
    updated._error = None
    updated._metadata = result._metadata
    updated._context_updates = MappingProxyType(updates)
    updated._all_actions = result._all_actions
    for name, value in _extras(result):
        setattr(updated, name, value)
    return updated


#: The fields only a statechart's results set (configuration, deadlines,
#: and, API 2.5, the resume cell and cancelled deadlines of a step that
#: continues); a flat result leaves them unset.
_OPTIONAL = ("_configuration", "_deadlines", "_resume", "_cancelled")


def _extras(result: TransitionResult[Any]) -> tuple[tuple[str, Any], ...]:
    """The optional fields ``result`` sets, found once and kept on it.

    Reading a slot that was never set costs an exception inside
    ``getattr``; ``with_updates`` copies these on every call from the same
    prebuilt result, so it looks them up once per result.
    """
    try:
        return result._extras
    except AttributeError:
        pass
    found = tuple(
        (name, value)
        for name in _OPTIONAL
        if (value := getattr(result, name, None)) is not None
    )
    result._extras = found
    return found
