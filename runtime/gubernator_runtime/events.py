"""``Event``: a trigger with a payload and provenance, for ``process``."""

from __future__ import annotations

import _thread
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gubernator_runtime._base import Record, frozen_mapping, plain_str, to_plain
from gubernator_runtime.timeouts import as_utc, parse_datetime

if TYPE_CHECKING:
    from datetime import datetime

# Guards the lazy creation of event ids so that concurrent first reads of one
# event agree on its id. ``_thread`` is built in: no import cost.
_ID_LOCK = _thread.allocate_lock()


def _new_event_id() -> str:
    import uuid  # deferred: only events whose id is read pay for the import

    return str(uuid.uuid4())


class Event(Record):
    """A trigger plus the data that came with it.

    ``payload`` is merged over the ``context`` passed to ``process`` when the
    guards run. ``event_id`` (a UUID4 string) and ``timestamp`` (aware, UTC;
    naive values are taken as UTC) are filled in when not given, lazily: an
    event whose id is never read never pays for generating one, so creating
    events stays cheap. Events are unhashable (their payload is a mapping).
    """

    __slots__ = (
        "_created",
        "_event_id",
        "_metadata",
        "_payload",
        "_source",
        "_timestamp",
        "_trigger",
    )
    _fields = ("trigger", "payload", "event_id", "timestamp", "source", "metadata")
    # Unhashable on purpose: a hashable event would have its id generated
    # whenever a machine's dispatch table looked it up.
    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self,
        trigger: str,
        payload: Mapping[str, Any] | None = None,
        event_id: str | None = None,
        timestamp: datetime | None = None,
        source: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(trigger, str):
            raise TypeError(
                f"event trigger must be a str, not {type(trigger).__name__}"
            )
        self._trigger = trigger
        self._payload = frozen_mapping(payload)
        self._event_id = event_id
        self._timestamp = None if timestamp is None else as_utc(timestamp)
        self._created = time.time()
        self._source = source
        self._metadata = frozen_mapping(metadata)

    @property
    def trigger(self) -> str:
        """The trigger name (or ``Trigger`` member) this event fires."""
        return self._trigger

    @property
    def payload(self) -> Mapping[str, Any]:
        """Read-only data merged over the context for the guards."""
        return self._payload

    @property
    def event_id(self) -> str:
        """The given id, or a UUID4 string created on first read."""
        event_id = self._event_id
        if event_id is None:
            with _ID_LOCK:
                event_id = self._event_id
                if event_id is None:
                    event_id = self._event_id = _new_event_id()
        return event_id

    @property
    def timestamp(self) -> datetime:
        """When the event happened: the given time, or its creation (UTC)."""
        timestamp = self._timestamp
        if timestamp is None:
            from datetime import datetime, timezone

            timestamp = datetime.fromtimestamp(self._created, timezone.utc)
            self._timestamp = timestamp
        return timestamp

    @property
    def source(self) -> str | None:
        """Where the event came from (free text), if known."""
        return self._source

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only extra facts about the event."""
        return self._metadata

    def __repr__(self) -> str:
        # The generated fields are shown only once they exist; repr must not
        # create them as a side effect.
        parts = [f"trigger={self._trigger!r}", f"payload={dict(self._payload)!r}"]
        if self._event_id is not None:
            parts.append(f"event_id={self._event_id!r}")
        if self._source is not None:
            parts.append(f"source={self._source!r}")
        return f"Event({', '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; the timestamp in ISO 8601 with its UTC offset."""
        return {
            "trigger": plain_str(self._trigger),
            "payload": to_plain(self._payload),
            "event_id": self.event_id,
            "timestamp": self.timestamp.isoformat(),
            "source": self._source,
            "metadata": to_plain(self._metadata),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        """Rebuild an event from :meth:`to_dict` output.

        Malformed data is a ``ValueError``.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"event data must be a mapping, not {type(data).__name__}")
        trigger = data.get("trigger")
        if not isinstance(trigger, str):
            raise ValueError("event data needs a string 'trigger'")
        payload = data.get("payload") or {}
        metadata = data.get("metadata") or {}
        if not isinstance(payload, Mapping) or not isinstance(metadata, Mapping):
            raise ValueError("event 'payload' and 'metadata' must be mappings")
        event_id = data.get("event_id")
        source = data.get("source")
        if event_id is not None and not isinstance(event_id, str):
            raise ValueError("event 'event_id' must be a string")
        if source is not None and not isinstance(source, str):
            raise ValueError("event 'source' must be a string")
        raw_timestamp = data.get("timestamp")
        if raw_timestamp is not None and not isinstance(raw_timestamp, str):
            raise ValueError("event 'timestamp' must be an ISO 8601 string")
        timestamp = None if raw_timestamp is None else parse_datetime(raw_timestamp)
        return cls(trigger, payload, event_id, timestamp, source, metadata)
