"""The order example under a second connection that holds a transaction.

A long outside reader never blocks an event (WAL). A writer that keeps the
lock past the busy timeout makes the event ``Status.BUSY``: rolled back,
nothing written, no action run, and the same event succeeds once the lock
is gone. The busy timeout is made tiny so that these tests stay fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from order_app import (
    DatabaseBusyError,
    OrderEffects,
    OrderService,
    Status,
    connect,
    create_schema,
    is_locked,
)
from order_fsm import Context, State, Trigger

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
FAST = 0.05  # seconds of busy timeout: a lock held longer is "still locked"
PAY = {"paid_amount": Decimal("30")}


class Recorder(OrderEffects):
    """Order actions that remember what ran."""

    def __init__(self) -> None:
        self.log: list[str] = []
        super().__init__(self.log.append)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database file with the schema."""
    path = tmp_path / "orders.sqlite3"
    conn = connect(path, busy_timeout=FAST)
    create_schema(conn)
    conn.close()
    return path


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    """The application's connection."""
    connection = connect(db_path, busy_timeout=FAST)
    yield connection
    connection.close()


@pytest.fixture
def other(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Somebody else's connection to the same file."""
    connection = sqlite3.connect(db_path, isolation_level=None, timeout=FAST)
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


def _row(db_path: Path, order_id: str) -> tuple[str, int, int]:
    """(state, version, audit rows) as a fresh connection sees them."""
    fresh = sqlite3.connect(db_path, timeout=1)
    try:
        ((state, version),) = fresh.execute(
            "SELECT state, version FROM orders WHERE id = ?", (order_id,)
        ).fetchall()
        ((audits,),) = fresh.execute(
            "SELECT count(*) FROM order_audit WHERE order_id = ?", (order_id,)
        ).fetchall()
    finally:
        fresh.close()
    return state, version, audits


def test_the_database_is_in_wal_mode(conn: sqlite3.Connection) -> None:
    ((mode,),) = conn.execute("PRAGMA journal_mode").fetchall()
    assert mode == "wal"


def test_a_long_outside_reader_does_not_block_events(
    conn: sqlite3.Connection, other: sqlite3.Connection, db_path: Path
) -> None:
    effects = Recorder()
    service = OrderService(conn, effects)
    service.place_order("A-1", Decimal("30"), now=START)
    other.execute("BEGIN")
    assert other.execute("SELECT state FROM orders").fetchall() == [("PENDING",)]
    # The reader's transaction is still open while the event is committed.
    outcome = service.handle_event("A-1", Trigger.PAY, PAY, now=START)
    assert outcome.status is Status.APPLIED and outcome.run_stored
    assert outcome.order.state is State.PAID
    # The reader keeps its snapshot until it ends its transaction.
    assert other.execute("SELECT state FROM orders").fetchall() == [("PENDING",)]
    other.execute("COMMIT")
    assert other.execute("SELECT state FROM orders").fetchall() == [("PAID",)]
    assert _row(db_path, "A-1") == ("PAID", 2, 1)


def test_a_held_write_lock_makes_the_event_busy_and_retryable(
    conn: sqlite3.Connection, other: sqlite3.Connection, db_path: Path
) -> None:
    effects = Recorder()
    service = OrderService(conn, effects)
    service.place_order("A-1", Decimal("30"), now=START)
    other.execute("BEGIN IMMEDIATE")
    busy = service.handle_event("A-1", Trigger.PAY, PAY, now=START)
    assert busy.status is Status.BUSY
    # The decision was made; only storing it failed, and nothing ran.
    assert busy.result.success and busy.result.target_state is State.PAID
    assert busy.order.version == 1 and busy.run is None
    assert effects.log == ["confirm_order: order A-1 confirmed"]  # placing it only
    assert not conn.in_transaction
    other.execute("ROLLBACK")
    assert _row(db_path, "A-1") == ("PENDING", 1, 0)
    retried = service.handle_event("A-1", Trigger.PAY, PAY, now=START)
    assert retried.status is Status.APPLIED
    assert _row(db_path, "A-1") == ("PAID", 2, 1)


def test_the_timeout_sweep_stops_at_a_busy_outcome(
    conn: sqlite3.Connection, other: sqlite3.Connection, db_path: Path
) -> None:
    service = OrderService(conn, Recorder())
    for order_id in ("A-1", "B-2"):
        service.place_order(order_id, Decimal("30"), now=START)
    later = START + timedelta(hours=1)  # PENDING's reminder is due
    other.execute("BEGIN IMMEDIATE")
    outcomes = service.sweep_timeouts(later)
    assert [o.status for o in outcomes] == [Status.BUSY]
    other.execute("ROLLBACK")
    assert _row(db_path, "A-1") == ("PENDING", 1, 0)
    outcomes = service.sweep_timeouts(later)
    assert [o.status for o in outcomes] == [Status.APPLIED, Status.APPLIED]


def test_placing_an_order_under_a_held_lock_is_a_clean_error(
    conn: sqlite3.Connection, other: sqlite3.Connection, db_path: Path
) -> None:
    service = OrderService(conn, Recorder())
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(DatabaseBusyError):
        service.place_order("A-1", Decimal("30"), now=START)
    assert not conn.in_transaction
    other.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    service.place_order("A-1", Decimal("30"), now=START)
    assert _row(db_path, "A-1") == ("PENDING", 1, 0)


class LockingEffects(Recorder):
    """Actions during which another connection takes the write lock."""

    def __init__(self, other: sqlite3.Connection) -> None:
        super().__init__()
        self.other = other

    def send_receipt(self, ctx: Context) -> None:
        """Send the receipt, while somebody else starts writing."""
        self.other.execute("BEGIN IMMEDIATE")
        super().send_receipt(ctx)


def test_a_lock_after_the_commit_leaves_the_run_unrecorded(
    conn: sqlite3.Connection, other: sqlite3.Connection, db_path: Path
) -> None:
    effects = LockingEffects(other)
    service = OrderService(conn, effects)
    service.place_order("A-1", Decimal("30"), now=START)
    outcome = service.handle_event("A-1", Trigger.PAY, PAY, now=START)
    # The transition was stored and its actions ran; only their report is
    # missing from the audit row.
    assert outcome.status is Status.APPLIED
    assert outcome.run is not None and outcome.run.all_succeeded
    assert not outcome.run_stored
    other.execute("ROLLBACK")
    assert _row(db_path, "A-1") == ("PAID", 2, 1)
    (entry,) = service.audit_trail("A-1")
    assert entry["execution"] is None


def test_locked_errors_are_recognised_with_or_without_codes() -> None:
    assert is_locked(sqlite3.OperationalError("database is locked"))
    assert is_locked(sqlite3.OperationalError("database table is locked: orders"))
    assert not is_locked(sqlite3.OperationalError("no such table: orders"))
