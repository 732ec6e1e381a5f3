"""Deployments on SQLite, driven by the generated ``pipeline_fsm`` statechart.

The machine runs build, tests and a security scan as three regions of one
parallel state, ``checking``. The application does not follow the regions
itself: it stores the machine's **configuration** (its active atomic
states, one per region) as text in one column and hands it back to
``process``. Every event goes through the same four steps as in the other
examples:

1. **load** the row: configuration, version, entry times and the facts the
   guards read;
2. **decide** with ``machine.process``, which writes nothing;
3. **commit** the new configuration, the new entry times and one audit row
   in a single transaction, with a compare-and-set on the configuration and
   version that were loaded, so a writer that lost a race writes nothing
   (``Status.CONFLICT``);
4. **act** through the runtime's executor, only after the commit. A failed
   check's result lists every exit action of the checks still running, in
   SCXML order, then the entry actions of ``failed``.

Delays (``after:`` in the spec) are the statechart kind of timeout: one
clock per state, so the checks' one-hour limit keeps running while single
checks finish. The machine has no clock; the application keeps, per
deployment,

- ``entered_at``: when each state was entered (JSON), updated from every
  result's ``deadlines`` with the runtime's ``entry_times``;
- ``wake_at``: the next moment one of the active states' delays falls due,
  from ``machine.next_deadline``, indexed so that the sweep finds due rows
  without reading the others.

``sweep_timeouts(now)`` asks ``machine.check_timeout`` for each due row and
stores what fires through the same commit-and-act path. A delay of a state
that was left never fires: ``check_timeout`` reads the active states only.

The module is longer than most on purpose: it is the whole application
in one file (schema, row type, guards, actions, service, demo), for users
to read and copy as one piece.

Run ``python examples/deployment_pipeline/pipeline_app.py`` for a demo.
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

import gubernator_runtime
from gubernator_runtime import (
    Event,
    ExecutionResult,
    TransitionResult,
    as_utc,
    audit_entry,
    entry_times,
    to_json,
)
from pipeline_fsm import (
    Actions,
    Configuration,
    Context,
    DeploymentPipeline,
    Guards,
    State,
    Trigger,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS deployments (
    id            TEXT PRIMARY KEY,
    configuration TEXT NOT NULL,     -- str(Configuration): the machine's state
    version       INTEGER NOT NULL,  -- +1 on every transition: the CAS token
    entered_at    TEXT NOT NULL,     -- JSON: state name -> ISO 8601 UTC
    wake_at       TEXT,              -- next after: deadline; NULL when none
    service       TEXT NOT NULL,
    author        TEXT NOT NULL,
    approver      TEXT
);
CREATE INDEX IF NOT EXISTS deployments_wake_at ON deployments (wake_at)
    WHERE wake_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS pipeline_audit (
    id            INTEGER PRIMARY KEY,
    deployment_id TEXT NOT NULL REFERENCES deployments (id),
    version       INTEGER NOT NULL,
    entry         TEXT NOT NULL,  -- the runtime's audit_entry() as JSON
    UNIQUE (deployment_id, version)
);
"""

#: Seconds a write waits for another connection's write lock.
BUSY_TIMEOUT = 5.0

# SQLITE_BUSY and SQLITE_LOCKED: the primary codes of "database is locked".
_LOCKED_CODES = (5, 6)


def connect(
    path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT
) -> sqlite3.Connection:
    """Open the database in WAL mode with the schema; transactions are explicit."""
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
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
    except sqlite3.OperationalError as exc:
        if is_locked(exc):
            raise DatabaseBusyError(str(exc)) from exc
        raise


def _timestamp(moment: datetime | None) -> str | None:
    # Fixed width in UTC, so that text order in SQL is time order.
    return None if moment is None else as_utc(moment).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Deployment:
    """One row of the ``deployments`` table."""

    id: str
    # The module's Configuration (it knows the tree); parse() is typed as
    # returning the runtime's base class.
    configuration: gubernator_runtime.Configuration
    version: int
    entered_at: Mapping[str, datetime]
    wake_at: datetime | None
    service: str
    author: str
    approver: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Deployment:
        """Build a deployment from a ``SELECT * FROM deployments`` row."""
        times: dict[str, str] = json.loads(row["entered_at"])
        wake = row["wake_at"]
        return cls(
            id=row["id"],
            configuration=Configuration.parse(row["configuration"]),
            version=row["version"],
            entered_at={state: datetime.fromisoformat(t) for state, t in times.items()},
            wake_at=None if wake is None else datetime.fromisoformat(wake),
            service=row["service"],
            author=row["author"],
            approver=row["approver"],
        )

    def context(self) -> Context:
        """The machine's view of the deployment (guards and actions read it)."""
        ctx: Context = {
            "deployment_id": self.id,
            "service": self.service,
            "author": self.author,
        }
        if self.approver is not None:
            ctx["approver"] = self.approver
        return ctx

    def is_in(self, state: State) -> bool:
        """Whether ``state`` is active (an atomic state or one containing one)."""
        return self.configuration.is_in(state)


class PipelineRules:
    """The guards of ``pipeline_fsm.yaml``."""

    def approver_is_not_author(self, ctx: Context) -> bool:
        """Four eyes: somebody other than the author approves."""
        approver = ctx.get("approver")
        return approver is not None and approver != ctx["author"]


class PipelineEffects:
    """The actions of ``pipeline_fsm.yaml``; they report through ``log``.

    A real application would start and cancel CI jobs, page people and
    post to chat here.
    """

    def __init__(self, log: Callable[[str], object] = print) -> None:
        self._log = log

    def _say(self, what: str, ctx: Context) -> None:
        self._log(f"{what}: {ctx['deployment_id']} ({ctx['service']})")

    def open_check_run(self, ctx: Context) -> None:
        """Open the check run that groups the three checks."""
        self._say("open_check_run", ctx)

    def close_check_run(self, ctx: Context) -> None:
        """Close the check run, whatever its outcome."""
        self._say("close_check_run", ctx)

    def start_build(self, ctx: Context) -> None:
        """Start the build job."""
        self._say("start_build", ctx)

    def stop_build(self, ctx: Context) -> None:
        """Stop the build job (a no-op once it has finished)."""
        self._say("stop_build", ctx)

    def start_tests(self, ctx: Context) -> None:
        """Start the test job."""
        self._say("start_tests", ctx)

    def stop_tests(self, ctx: Context) -> None:
        """Stop the test job."""
        self._say("stop_tests", ctx)

    def start_scan(self, ctx: Context) -> None:
        """Start the security scan."""
        self._say("start_scan", ctx)

    def stop_scan(self, ctx: Context) -> None:
        """Stop the security scan."""
        self._say("stop_scan", ctx)

    def request_approval(self, ctx: Context) -> None:
        """Ask a reviewer to approve the release."""
        self._say("request_approval", ctx)

    def start_deploy(self, ctx: Context) -> None:
        """Roll the release out."""
        self._say("start_deploy", ctx)

    def announce_release(self, ctx: Context) -> None:
        """Tell everyone the release is live."""
        self._say("announce_release", ctx)

    def notify_failure(self, ctx: Context) -> None:
        """Tell the author the deployment stopped."""
        self._say("notify_failure", ctx)

    def report_timeout(self, ctx: Context) -> None:
        """Report which part of the pipeline ran out of time."""
        self._say("report_timeout", ctx)


class Status(str, enum.Enum):
    """What became of one event (or one due delay)."""

    APPLIED = "applied"  # stored, then acted on
    REJECTED = "rejected"  # the machine refused it; nothing written
    CONFLICT = "conflict"  # another writer changed the deployment first
    BUSY = "busy"  # the database stayed locked; nothing written: retry later


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision for one deployment and, when applied, what followed.

    ``deployment`` is the row as stored after the commit (``APPLIED``) or
    as loaded (otherwise).
    """

    status: Status
    result: TransitionResult[State]
    deployment: Deployment
    run: ExecutionResult[State] | None = None


class PipelineService:
    """Applies events and due delays to the deployments of one connection.

    Give each thread or process its own service and connection; the
    compare-and-set keeps concurrent writers of one deployment apart.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        actions: Actions | Mapping[str, Callable[[Context], object]],
        guards: Guards | None = None,
    ) -> None:
        self._conn = conn
        self._machine = DeploymentPipeline(
            guards=PipelineRules() if guards is None else guards
        )
        self._executor = self._machine.executor(actions)

    def create(
        self, deployment_id: str, service: str, author: str, *, now: datetime
    ) -> Deployment:
        """Insert a deployment in the configuration ``machine.start()`` gives,
        then run that result's actions.

        ``DatabaseBusyError`` if the database stayed locked (nothing inserted).
        """
        started = self._machine.start()
        assert started.configuration is not None  # start() always has one
        entered = entry_times({}, started, now)
        deployment = Deployment(
            id=deployment_id,
            configuration=Configuration.parse(started.configuration),
            version=1,
            entered_at=entered,
            wake_at=self._machine.next_deadline(started.configuration, entered),
            service=service,
            author=author,
        )
        with write_transaction(self._conn) as conn:
            conn.execute(
                "INSERT INTO deployments (id, configuration, version, entered_at,"
                " wake_at, service, author) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    deployment.id,
                    str(deployment.configuration),
                    deployment.version,
                    _times_json(entered),
                    _timestamp(deployment.wake_at),
                    service,
                    author,
                ),
            )
        self._executor.execute(started, deployment.context())
        return deployment

    def get(self, deployment_id: str) -> Deployment:
        """Load one deployment (``LookupError`` if unknown)."""
        rows = self._conn.execute(
            "SELECT * FROM deployments WHERE id = ?", (deployment_id,)
        ).fetchall()
        if not rows:
            raise LookupError(deployment_id)
        return Deployment.from_row(rows[0])

    def handle_event(
        self,
        deployment_id: str,
        trigger: Trigger | str,
        approver: str | None = None,
        *,
        now: datetime,
    ) -> Outcome:
        """Load → decide → commit → act for one event.

        ``approver`` is the event's payload for ``approve``: the guard sees
        it, and it is stored when the event is accepted.
        """
        loaded = self.get(deployment_id)
        updated = loaded if approver is None else replace(loaded, approver=approver)
        payload = {} if approver is None else {"approver": approver}
        event = Event(trigger, payload, timestamp=now)
        result = self._machine.process(loaded.configuration, event, updated.context())
        if not result.success:
            return Outcome(Status.REJECTED, result, loaded)
        return self._commit_and_act(loaded, updated, result, now, event)

    def sweep_timeouts(self, now: datetime) -> list[Outcome]:
        """Fire every delay due at ``now`` (at most one per deployment).

        The query finds the rows whose ``wake_at`` has come; the machine's
        ``check_timeout`` decides, from the stored entry times. A row it
        finds nothing due for (its ``after:`` guards refused, or its
        ``wake_at`` was stale) is given its next deadline instead. Stops at
        the first ``Status.BUSY`` outcome (the last in the list).
        """
        rows = self._conn.execute(
            "SELECT * FROM deployments WHERE wake_at <= ? ORDER BY wake_at, id",
            (_timestamp(now),),
        ).fetchall()
        outcomes: list[Outcome] = []
        for loaded in map(Deployment.from_row, rows):
            result = self._machine.check_timeout(
                loaded.configuration, loaded.entered_at, now, loaded.context()
            )
            if result is None:
                self._reschedule(loaded, now)
                continue
            outcome = self._commit_and_act(loaded, loaded, result, now, None)
            outcomes.append(outcome)
            if outcome.status is Status.BUSY:
                break
        return outcomes

    def audit_trail(self, deployment_id: str) -> list[dict[str, Any]]:
        """The deployment's audit entries, oldest first."""
        rows = self._conn.execute(
            "SELECT entry FROM pipeline_audit WHERE deployment_id = ? ORDER BY id",
            (deployment_id,),
        ).fetchall()
        return [json.loads(row["entry"]) for row in rows]

    def _commit_and_act(
        self,
        loaded: Deployment,
        updated: Deployment,
        result: TransitionResult[State],
        now: datetime,
        event: Event | None,
    ) -> Outcome:
        """Store ``result`` (compare-and-set on ``loaded``), then run its actions."""
        try:
            stored = self._commit(loaded, updated, result, now, event)
        except DatabaseBusyError:
            return Outcome(Status.BUSY, result, loaded)
        if stored is None:
            return Outcome(Status.CONFLICT, result, loaded)
        run = self._executor.execute(result, stored.context())
        return Outcome(Status.APPLIED, result, stored, run)

    def _commit(
        self,
        loaded: Deployment,
        updated: Deployment,
        result: TransitionResult[State],
        now: datetime,
        event: Event | None,
    ) -> Deployment | None:
        """Write the new configuration, entry times, wake-up and audit row
        in one transaction; ``None`` when another writer changed the row."""
        if result.configuration is None:
            raise ValueError("only a successful result can be stored")
        # The states the step entered restart their clocks; the others keep
        # theirs (the checks' hour goes on while single checks finish).
        entered = entry_times(loaded.entered_at, result, now)
        deployment = replace(
            updated,
            configuration=Configuration.parse(result.configuration),
            version=loaded.version + 1,
            entered_at=entered,
            wake_at=self._machine.next_deadline(result.configuration, entered),
        )
        # from_state and to_state name one atomic state each; the whole
        # configuration goes in the entry's extra.
        extra: dict[str, object] = {"configuration": str(deployment.configuration)}
        if event is not None:
            extra["payload"] = dict(event.payload)
        entry = audit_entry(result, loaded.id, timestamp=now, event=event, extra=extra)
        with write_transaction(self._conn) as conn:
            cursor = conn.execute(
                "UPDATE deployments SET configuration = ?, version = ?,"
                " entered_at = ?, wake_at = ?, approver = ?"
                " WHERE id = ? AND configuration = ? AND version = ?",
                (
                    str(deployment.configuration),
                    deployment.version,
                    _times_json(entered),
                    _timestamp(deployment.wake_at),
                    deployment.approver,
                    loaded.id,
                    str(loaded.configuration),
                    loaded.version,
                ),
            )
            if cursor.rowcount != 1:
                return None  # committing an empty transaction writes nothing
            conn.execute(
                "INSERT INTO pipeline_audit (deployment_id, version, entry)"
                " VALUES (?, ?, ?)",
                (deployment.id, deployment.version, to_json(entry)),
            )
        return deployment

    def _reschedule(self, loaded: Deployment, now: datetime) -> None:
        """Move ``wake_at`` past the entries already tried at ``now``."""
        wake = self._machine.next_deadline(
            loaded.configuration, loaded.entered_at, after=now
        )
        try:
            with write_transaction(self._conn) as conn:
                conn.execute(
                    "UPDATE deployments SET wake_at = ? WHERE id = ? AND version = ?",
                    (_timestamp(wake), loaded.id, loaded.version),
                )
        except DatabaseBusyError:
            pass  # the next sweep looks at the row again


def _times_json(entered: Mapping[str, datetime]) -> str:
    """The entry times as the ``entered_at`` column stores them."""
    return json.dumps({state: _timestamp(at) for state, at in sorted(entered.items())})


def _describe(outcome: Outcome) -> str:
    """One line per event for the demo's log."""
    result = outcome.result
    trigger = getattr(result.trigger, "value", result.trigger)
    head = f"{outcome.deployment.id} {trigger}:"
    if outcome.status is Status.APPLIED:
        active = ", ".join(outcome.deployment.configuration.active)
        return f"{head} now [{active}]"
    if outcome.status is Status.REJECTED:
        return f"{head} refused: {result.error}"
    return f"{head} {outcome.status.value}; nothing written"


def demo(database: Path, out: Callable[[str], object] = print) -> None:
    """Run a short scenario on a fresh database at ``database``."""
    conn = connect(database)
    done: list[str] = []  # what the actions did, shown under each event
    service = PipelineService(conn, PipelineEffects(done.append))

    def show(outcome: Outcome) -> None:
        out(_describe(outcome))
        for line in done:
            out(f"    action {line}")
        done.clear()

    start = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
    service.create("D-1", "billing", "alice", now=start)
    service.create("D-2", "search", "bob", now=start)
    out("queued D-1 (billing, by alice) and D-2 (search, by bob)")
    steps: list[tuple[str, Trigger, str | None, timedelta]] = [
        ("D-1", Trigger.START, None, timedelta(minutes=1)),
        ("D-2", Trigger.START, None, timedelta(minutes=1)),
        ("D-1", Trigger.BUILD_PASSED, None, timedelta(minutes=4)),
        ("D-1", Trigger.SCAN_PASSED, None, timedelta(minutes=6)),
        ("D-2", Trigger.BUILD_PASSED, None, timedelta(minutes=7)),
        ("D-1", Trigger.TESTS_PASSED, None, timedelta(minutes=9)),
        ("D-1", Trigger.APPROVE, "alice", timedelta(minutes=20)),
        ("D-1", Trigger.APPROVE, "carol", timedelta(minutes=25)),
        ("D-1", Trigger.DEPLOYED, None, timedelta(minutes=30)),
    ]
    for deployment_id, trigger, approver, after in steps:
        show(service.handle_event(deployment_id, trigger, approver, now=start + after))
    # D-2's scanner never answers: its 15 minutes run out.
    later = start + timedelta(minutes=20)
    out(f"timeout sweep at {later:%H:%M} UTC:")
    for outcome in service.sweep_timeouts(later):
        show(outcome)
    for deployment_id in ("D-1", "D-2"):
        trail = [str(e["trigger"]) for e in service.audit_trail(deployment_id)]
        out(f"audit trail of {deployment_id}: {', '.join(trail)}")
    conn.close()


def main() -> None:
    """Run the demo on a throwaway database."""
    with tempfile.TemporaryDirectory() as folder:
        demo(Path(folder) / "deployments.sqlite3")


if __name__ == "__main__":
    main()
