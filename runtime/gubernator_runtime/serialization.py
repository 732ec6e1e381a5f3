"""Serialisation helpers and the audit-entry builder.

``to_plain`` turns the runtime's objects (and ordinary data) into JSON-ready
values; ``to_json`` goes on to text. ``audit_entry`` builds the record an
application appends to its audit trail after processing an event. ``json``
is imported on first use only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, overload

from gubernator_runtime._base import MAX_NESTING, S, plain_str, to_plain
from gubernator_runtime.events import Event
from gubernator_runtime.results import TransitionResult
from gubernator_runtime.timeouts import as_utc, utc_now

if TYPE_CHECKING:
    from datetime import datetime

    from gubernator_runtime.executor import ExecutionResult

__all__ = [
    "MAX_NESTING",
    "audit_entry",
    "event_from_json",
    "result_from_json",
    "to_json",
    "to_plain",
]


def to_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON text via :func:`to_plain` (keys keep their order).

    Non-ASCII text is written as is (UTF-8 friendly); ``NaN`` and infinities
    are refused, since other JSON readers reject them.
    """
    import json

    return json.dumps(
        to_plain(value), indent=indent, ensure_ascii=False, allow_nan=False
    )


def _load_object(text: str | bytes, what: str) -> Mapping[str, Any]:
    import json

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"invalid {what} JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} JSON must be an object")
    return data


@overload
def result_from_json(
    text: str | bytes, state_type: None = None
) -> TransitionResult[str]: ...


@overload
def result_from_json(text: str | bytes, state_type: type[S]) -> TransitionResult[S]: ...


def result_from_json(
    text: str | bytes, state_type: type[Any] | None = None
) -> TransitionResult[Any]:
    """Parse ``to_json(result)`` back (states as ``state_type`` members if given)."""
    return TransitionResult.from_dict(_load_object(text, "result"), state_type)


def event_from_json(text: str | bytes) -> Event:
    """Parse ``to_json(event)`` back into an ``Event``."""
    return Event.from_dict(_load_object(text, "event"))


def audit_entry(
    result: TransitionResult[Any],
    entity_id: str | int,
    *,
    timestamp: datetime | None = None,
    execution: ExecutionResult[Any] | None = None,
    event: Event | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A JSON-ready audit record of one processed event.

    Keys: ``entity_id``, ``timestamp`` (ISO 8601, UTC; default now),
    ``trigger``, ``from_state``, ``to_state`` (None on failure), ``success``,
    ``actions`` (the result's actions in execution order), ``error`` (the
    result's error as ``{"type", "message", "context"}`` or None) and
    ``metadata``; ``context_updates`` when the result has any (``assign``).
    With ``execution``: ``action_results``, ``failed_actions`` and
    ``fallback_state``; with ``event``: ``event_id`` and ``event_source``;
    with ``extra``: ``extra``.
    """
    moment = utc_now() if timestamp is None else as_utc(timestamp)
    target = result.target_state
    entry: dict[str, Any] = {
        "entity_id": to_plain(entity_id),
        "timestamp": moment.isoformat(),
        "trigger": plain_str(result.trigger),
        "from_state": plain_str(result.source_state),
        "to_state": None if target is None else plain_str(target),
        "success": result.success,
        "actions": list(result.all_actions),
        "error": None if result.error is None else result.error.to_dict(),
        "metadata": to_plain(result.metadata),
    }
    if result.context_updates:
        entry["context_updates"] = to_plain(result.context_updates)
    if execution is not None:
        fallback = execution.fallback
        entry["action_results"] = [r.to_dict() for r in execution.action_results]
        entry["failed_actions"] = list(execution.failed_actions)
        entry["fallback_state"] = (
            None
            if fallback is None or fallback.target_state is None
            else plain_str(fallback.target_state)
        )
    if event is not None:
        entry["event_id"] = event.event_id
        entry["event_source"] = event.source
    if extra is not None:
        entry["extra"] = to_plain(extra)
    return entry
