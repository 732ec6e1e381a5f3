"""Document review on SQLite, driven by the generated ``review_fsm`` machine.

The same load → decide → commit → act loop as the order example, on a
machine with three differences worth seeing:

- it is **non-strict**: an event that matches no transition is a successful
  no-op that stays put and runs nothing; this application then writes
  nothing (``Status.NO_OP``);
- its delays are ``after:`` entries on a compound state: a document under
  review is in ``REVIEWING``, first in ``IN_REVIEW``, then, once the
  reviewers were reminded after three days (``after:`` on ``IN_REVIEW``),
  in ``REMINDED``. ``REVIEWING``'s own clock keeps running through the
  reminder: a week after the review began (``after:`` on ``REVIEWING``)
  it stalls into ``STALLED``, a state of type ``error`` that an editor
  resolves (``escalate``, ``reject``...). The row stores its atomic state,
  when each state with delays was entered (``entered_at``, JSON, kept with
  the runtime's ``entry_times`` from every result's ``deadlines``) and
  ``wake_at``, the moment its next delay falls due
  (``machine.next_deadline``), so the sweep reads only the rows that are
  due and lets ``machine.check_timeout`` decide;
- its ``error_policy`` names ``STALLED`` as ``default_fallback``: when an
  action still fails after its retry, the executor proposes the move there
  (in this statechart, the SCXML transition out of ``REVIEWING`` that the
  generator worked out), and this application stores it like any other
  transition.

As in the order example, the database runs in WAL mode (readers never block
the commit) and a commit that finds another writer's lock still held after
the busy timeout rolls back and reports ``Status.BUSY``: nothing written,
retry the event later.

Run ``python examples/document_review/review_app.py`` for a short demo.
"""

from __future__ import annotations

import enum
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from gubernator_runtime import (
    Event,
    ExecutionResult,
    TransitionResult,
    as_utc,
    audit_entry,
    entry_times,
    to_json,
)
from review_fsm import (
    Actions,
    Context,
    DocumentReview,
    Guards,
    State,
    Trigger,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id                 TEXT PRIMARY KEY,
    state              TEXT NOT NULL,
    version            INTEGER NOT NULL,  -- +1 on every transition: the CAS token
    entered_at         TEXT NOT NULL,     -- JSON: state -> ISO 8601 UTC entry time
    wake_at            TEXT,              -- when the next delay is due; NULL if none
    body               TEXT NOT NULL,
    required_approvals INTEGER NOT NULL,
    approvals          INTEGER NOT NULL,  -- approvals in the current round
    open_comments      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS review_audit (
    id          INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    version     INTEGER NOT NULL,
    entry       TEXT NOT NULL,  -- the runtime's audit_entry() as JSON
    UNIQUE (document_id, version)
);
CREATE INDEX IF NOT EXISTS documents_wake_at ON documents (wake_at)
    WHERE wake_at IS NOT NULL;
"""


#: Seconds a write waits for another connection's write lock (SQLite's busy
#: timeout) before the event's outcome is ``Status.BUSY``.
BUSY_TIMEOUT = 5.0

# SQLITE_BUSY and SQLITE_LOCKED: the primary codes of "database is locked".
_LOCKED_CODES = (5, 6)


def connect(
    path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT
) -> sqlite3.Connection:
    """Open the database in WAL mode; transactions are begun explicitly.

    ``busy_timeout`` is how long, in seconds, a write waits for another
    writer before giving up.
    """
    conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(SCHEMA)
    return conn


class DatabaseBusyError(RuntimeError):
    """The database stayed locked past the busy timeout; nothing was written."""


def is_locked(error: sqlite3.OperationalError) -> bool:
    """True when ``error`` means another connection holds a lock we need."""
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in _LOCKED_CODES
    return str(error).startswith(("database is locked", "database table is locked"))


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    A lock that outlasts the busy timeout becomes :class:`DatabaseBusyError`.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # Whatever went wrong (a failed COMMIT included), leave no
            # transaction open on this connection.
            if conn.in_transaction:
                conn.rollback()
            raise
    except sqlite3.OperationalError as exc:
        if is_locked(exc):
            raise DatabaseBusyError(str(exc)) from exc
        raise


def _timestamp(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="microseconds")


def _optional_timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else _timestamp(moment)


def _times_json(times: Mapping[str, datetime]) -> str:
    return json.dumps({state: _timestamp(t) for state, t in sorted(times.items())})


@dataclass(frozen=True, slots=True)
class Document:
    """One row of the ``documents`` table."""

    id: str
    state: State
    version: int
    # When each state with ``after:`` entries was last entered (states left
    # since stay listed: check_timeout ignores inactive ones).
    entered_at: Mapping[str, datetime]
    body: str
    required_approvals: int
    approvals: int
    open_comments: int
    wake_at: datetime | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Document:
        """Build a document from a ``SELECT * FROM documents`` row."""
        wake = row["wake_at"]
        times: dict[str, str] = json.loads(row["entered_at"])
        return cls(
            row["id"],
            State(row["state"]),
            row["version"],
            {state: datetime.fromisoformat(t) for state, t in times.items()},
            row["body"],
            row["required_approvals"],
            row["approvals"],
            row["open_comments"],
            None if wake is None else datetime.fromisoformat(wake),
        )

    def context(self) -> Context:
        """The machine's view of the document (the spec declares no context types)."""
        return {
            "document_id": self.id,
            "body": self.body,
            "required_approvals": self.required_approvals,
            "approvals": self.approvals,
            "open_comments": self.open_comments,
        }


class ReviewRules:
    """The guards of ``review_fsm.yaml``."""

    def has_content(self, ctx: Context) -> bool:
        """The document is not blank."""
        return bool(str(ctx["body"]).strip())

    def enough_approvals(self, ctx: Context) -> bool:
        """The approval being processed brings the round to the required count."""
        return int(ctx["approvals"]) + 1 >= int(ctx["required_approvals"])

    def no_open_comments(self, ctx: Context) -> bool:
        """No reviewer comment is still open."""
        return int(ctx["open_comments"]) == 0


class ReviewEffects:
    """The actions of ``review_fsm.yaml``; they report through ``log``."""

    def __init__(self, log: Callable[[str], object] = print) -> None:
        self._log = log

    def assign_reviewers(self, ctx: Context) -> None:
        """Ask reviewers to look at the document."""
        self._log(f"assign_reviewers: {ctx['document_id']}")

    def remind_reviewers(self, ctx: Context) -> None:
        """Remind the reviewers of a document still waiting for them."""
        self._log(f"remind_reviewers: {ctx['document_id']} is waiting")

    def notify_author(self, ctx: Context) -> None:
        """Tell the author that changes were requested."""
        self._log(f"notify_author: {ctx['document_id']} needs changes")

    def page_editor(self, ctx: Context) -> None:
        """Get an editor to unblock a stalled review."""
        self._log(f"page_editor: {ctx['document_id']} is stalled")

    def publish(self, ctx: Context) -> None:
        """Publish the approved document."""
        self._log(f"publish: {ctx['document_id']}")


class Status(str, enum.Enum):
    """What became of one event."""

    APPLIED = "applied"  # stored, then acted on
    NO_OP = "no_op"  # non-strict: nothing matched; nothing written
    REJECTED = "rejected"  # refused (guards, terminal state); nothing written
    CONFLICT = "conflict"  # another writer changed the document first
    BUSY = "busy"  # the database stayed locked; nothing written: retry later


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision for one document and, when applied, what followed."""

    status: Status
    result: TransitionResult[State]
    document: Document
    run: ExecutionResult[State] | None = None
    fallback: Outcome | None = None


class ReviewService:
    """Applies events and timeouts to the documents of one connection."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        actions: Actions | Mapping[str, Callable[[Context], object]],
        guards: Guards | None = None,
    ) -> None:
        self._conn = conn
        self._machine = DocumentReview(
            guards=ReviewRules() if guards is None else guards
        )
        self._executor = self._machine.executor(actions)

    def create(
        self,
        doc_id: str,
        body: str,
        *,
        now: datetime,
        required_approvals: int = 2,
        open_comments: int = 0,
    ) -> Document:
        """Insert a new document in the state ``machine.start()`` gives (DRAFT),
        then run that state's entry actions (it has none today).

        ``DatabaseBusyError`` if the database stayed locked (nothing inserted).
        """
        started = self._machine.start()
        assert started.target_state is not None  # start() always enters a state
        entered = entry_times({}, started, now)
        document = Document(
            doc_id,
            started.target_state,
            1,
            entered,
            body,
            required_approvals,
            0,
            open_comments,
            self._machine.next_deadline(started.target_state, entered),
        )
        with write_transaction(self._conn) as conn:
            conn.execute(
                "INSERT INTO documents (id, state, version, entered_at, wake_at,"
                " body, required_approvals, approvals, open_comments)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document.id,
                    document.state.value,
                    document.version,
                    _times_json(document.entered_at),
                    _optional_timestamp(document.wake_at),
                    body,
                    required_approvals,
                    0,
                    open_comments,
                ),
            )
        self._executor.execute(started, document.context())
        return document

    def get(self, doc_id: str) -> Document:
        """Load one document (``LookupError`` if unknown)."""
        rows = self._conn.execute(
            "SELECT * FROM documents WHERE id = ?", (doc_id,)
        ).fetchall()
        if not rows:
            raise LookupError(doc_id)
        return Document.from_row(rows[0])

    def handle_event(
        self,
        doc_id: str,
        trigger: Trigger | str,
        payload: Mapping[str, Any] | None = None,
        *,
        now: datetime,
    ) -> Outcome:
        """Load → decide → commit → act for one event.

        ``payload`` (who approved, say) is merged over the document for the
        guards and recorded in the audit entry. A non-strict no-op, a refused
        event, an event that lost a race and one that found the database
        locked (``Status.BUSY``) write nothing.
        """
        document = self.get(doc_id)
        event = Event(trigger, payload, timestamp=now)
        result = self._machine.process(document.state, event, document.context())
        if not result.success:
            return Outcome(Status.REJECTED, result, document)
        if result.metadata.get("no_op", False):
            return Outcome(Status.NO_OP, result, document)
        return self._commit_and_act(document, result, now, event)

    def sweep_timeouts(self, now: datetime) -> list[Outcome]:
        """Take every delay that has come due at ``now``.

        The query reads only the rows whose ``wake_at`` has come; the
        machine's ``check_timeout`` decides from the stored entry times. A
        document overdue for several delays (a sweep that ran late, past
        both the reminder and the stall) takes them one after the other,
        earliest deadline first, each stored and acted on. A row it finds
        nothing due for (a ``wake_at`` written under an older spec, say)
        gets its next deadline instead. Stops at the first ``Status.BUSY``
        outcome (the last in the list).
        """
        rows = self._conn.execute(
            "SELECT * FROM documents WHERE wake_at <= ? ORDER BY wake_at, id",
            (_timestamp(now),),
        ).fetchall()
        outcomes: list[Outcome] = []
        for document in map(Document.from_row, rows):
            taken = self._take_due_delays(document, now)
            outcomes.extend(taken)
            if taken and taken[-1].status is Status.BUSY:
                break
        return outcomes

    def _take_due_delays(self, document: Document, now: datetime) -> list[Outcome]:
        """Store and act on ``document``'s delays due at ``now``, in turn.

        The loop ends: a delay that fires restarts the clocks of the states
        it enters at ``now``, so each one can fire at most once per sweep.
        """
        outcomes: list[Outcome] = []
        while True:
            result = self._machine.check_timeout(
                document.state, document.entered_at, now, document.context()
            )
            if result is None:
                self._reschedule(document, now)
                return outcomes
            outcome = self._commit_and_act(document, result, now, None)
            outcomes.append(outcome)
            stored = _stored(outcome)
            if stored is None or stored.wake_at is None or stored.wake_at > now:
                return outcomes
            document = stored

    def _reschedule(self, document: Document, now: datetime) -> None:
        """Move ``wake_at`` past the delays already tried at ``now``."""
        wake = self._machine.next_deadline(
            document.state, document.entered_at, after=now
        )
        try:
            with write_transaction(self._conn) as conn:
                conn.execute(
                    "UPDATE documents SET wake_at = ? WHERE id = ? AND version = ?",
                    (_optional_timestamp(wake), document.id, document.version),
                )
        except DatabaseBusyError:
            pass  # the next sweep looks at the row again

    def audit_trail(self, doc_id: str) -> list[dict[str, Any]]:
        """The document's audit entries, oldest first."""
        rows = self._conn.execute(
            "SELECT entry FROM review_audit WHERE document_id = ? ORDER BY id",
            (doc_id,),
        ).fetchall()
        return [json.loads(row["entry"]) for row in rows]

    def _commit_and_act(
        self,
        loaded: Document,
        result: TransitionResult[State],
        now: datetime,
        event: Event | None,
    ) -> Outcome:
        try:
            document = self._commit(loaded, result, now, event)
        except DatabaseBusyError:
            return Outcome(Status.BUSY, result, loaded)
        if document is None:
            return Outcome(Status.CONFLICT, result, loaded)
        run = self._executor.execute(result, document.context())
        fallback = None
        if run.fallback is not None:
            fallback = self._commit_and_act(document, run.fallback, now, None)
        return Outcome(Status.APPLIED, result, document, run, fallback)

    def _commit(
        self,
        loaded: Document,
        result: TransitionResult[State],
        now: datetime,
        event: Event | None,
    ) -> Document | None:
        """Store the new state and its audit row in one transaction, or nothing.

        ``None`` when another writer changed the document first;
        ``DatabaseBusyError`` when the database stayed locked.
        """
        target = result.target_state
        assert target is not None  # only successes get here
        approvals = loaded.approvals
        if result.trigger == Trigger.APPROVE:
            approvals += 1
        elif result.trigger == Trigger.SUBMIT:
            approvals = 0  # a new round of review
        # The states the step entered restart their clocks; the others keep
        # theirs (REVIEWING's week runs on through the reminder).
        entered = entry_times(loaded.entered_at, result, now)
        document = replace(
            loaded,
            state=target,
            version=loaded.version + 1,
            entered_at=entered,
            approvals=approvals,
            wake_at=self._machine.next_deadline(target, entered),
        )
        extra = None if event is None else {"payload": event.payload}
        entry = audit_entry(result, loaded.id, timestamp=now, event=event, extra=extra)
        with write_transaction(self._conn) as conn:
            cursor = conn.execute(
                "UPDATE documents SET state = ?, version = ?, entered_at = ?,"
                " wake_at = ?, approvals = ?"
                " WHERE id = ? AND state = ? AND version = ?",
                (
                    document.state.value,
                    document.version,
                    _times_json(document.entered_at),
                    _optional_timestamp(document.wake_at),
                    approvals,
                    loaded.id,
                    loaded.state.value,
                    loaded.version,
                ),
            )
            if cursor.rowcount != 1:
                return None  # committing an empty transaction writes nothing
            conn.execute(
                "INSERT INTO review_audit (document_id, version, entry)"
                " VALUES (?, ?, ?)",
                (document.id, document.version, to_json(entry)),
            )
        return document


def _stored(outcome: Outcome) -> Document | None:
    """The document as stored once ``outcome`` and its fallback are done,
    or ``None`` when part of it was not stored (a conflict, a busy database).
    """
    while True:
        if outcome.status is not Status.APPLIED:
            return None
        if outcome.fallback is None:
            return outcome.document
        outcome = outcome.fallback


def demo(database: Path, out: Callable[[str], object] = print) -> None:
    """Run a short scenario on a fresh database at ``database``."""
    conn = connect(database)
    done: list[str] = []  # what the actions did, shown under each event
    service = ReviewService(conn, ReviewEffects(done.append))

    def show(what: str, outcome: Outcome) -> None:
        out(f"RFC-7 {what}: {outcome.status.value}, now {outcome.document.state.value}")
        for line in done:
            out(f"    action {line}")
        done.clear()

    start = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
    service.create("RFC-7", "Use SQLite for the audit log.", now=start)
    out("created RFC-7 (needs 2 approvals): DRAFT")
    steps = [
        (Trigger.ESCALATE, timedelta(minutes=1)),  # matches nothing here: no-op
        (Trigger.SUBMIT, timedelta(minutes=2)),
        (Trigger.APPROVE, timedelta(hours=1)),  # one of two: stays in review
    ]
    for trigger, after in steps:
        show(trigger.value, service.handle_event("RFC-7", trigger, now=start + after))
    # Nobody decides: reminded three days after the approval restarted the
    # review, stalled a week after it.
    for later in (start + timedelta(days=4), start + timedelta(days=8)):
        out(f"timeout sweep at {later:%Y-%m-%d %H:%M} UTC:")
        for outcome in service.sweep_timeouts(later):
            show("timeout", outcome)
    show("escalate", service.handle_event("RFC-7", Trigger.ESCALATE, now=later))
    finish = later + timedelta(hours=2)
    show("approve", service.handle_event("RFC-7", Trigger.APPROVE, now=finish))
    trail = [
        f"{e['from_state']}->{e['to_state']}" for e in service.audit_trail("RFC-7")
    ]
    out(f"audit trail of RFC-7: {', '.join(trail)}")
    conn.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        demo(Path(folder) / "reviews.sqlite3")
