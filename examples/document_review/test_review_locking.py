"""The review example under a second connection that holds a transaction.

Same promises as the order example: a long reader never blocks an event
(WAL), and a writer that keeps the lock past the (tiny, for speed) busy
timeout makes the event ``Status.BUSY`` with nothing written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from review_app import (
    DatabaseBusyError,
    ReviewEffects,
    ReviewService,
    Status,
    connect,
)
from review_fsm import Trigger

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
FAST = 0.05  # seconds of busy timeout


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file with the schema (``connect`` creates it)."""
    path = tmp_path / "reviews.sqlite3"
    connect(path, busy_timeout=FAST).close()
    return path


@pytest.fixture
def service(db_path: Path) -> Iterator[ReviewService]:
    """A review service on its own connection, with actions that do nothing."""
    conn = connect(db_path, busy_timeout=FAST)
    yield ReviewService(conn, ReviewEffects(lambda text: None))
    conn.close()


@pytest.fixture
def other(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Somebody else's connection to the same file."""
    connection = sqlite3.connect(db_path, isolation_level=None, timeout=FAST)
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


def _state(db_path: Path) -> tuple[str, int, int]:
    fresh = sqlite3.connect(db_path, timeout=1)
    try:
        ((state, version),) = fresh.execute(
            "SELECT state, version FROM documents"
        ).fetchall()
        ((audits,),) = fresh.execute("SELECT count(*) FROM review_audit").fetchall()
    finally:
        fresh.close()
    return state, version, audits


def test_a_long_outside_reader_does_not_block_events(
    service: ReviewService, other: sqlite3.Connection, db_path: Path
) -> None:
    service.create("RFC-1", "text", now=START)
    other.execute("BEGIN")
    other.execute("SELECT * FROM documents").fetchall()
    outcome = service.handle_event("RFC-1", Trigger.SUBMIT, now=START)
    assert outcome.status is Status.APPLIED
    other.execute("COMMIT")
    assert _state(db_path) == ("IN_REVIEW", 2, 1)


def test_a_held_write_lock_makes_events_and_sweeps_busy(
    service: ReviewService, other: sqlite3.Connection, db_path: Path
) -> None:
    service.create("RFC-1", "text", now=START)
    service.handle_event("RFC-1", Trigger.SUBMIT, now=START)
    other.execute("BEGIN IMMEDIATE")
    busy = service.handle_event("RFC-1", Trigger.APPROVE, now=START)
    assert busy.status is Status.BUSY and busy.run is None
    later = START + timedelta(days=7)  # reminder and stall both due
    assert [o.status for o in service.sweep_timeouts(later)] == [Status.BUSY]
    with pytest.raises(DatabaseBusyError):
        service.create("RFC-2", "more text", now=START)
    other.execute("ROLLBACK")
    assert _state(db_path) == ("IN_REVIEW", 2, 1)
    assert service.handle_event("RFC-1", Trigger.APPROVE, now=START).status is (
        Status.APPLIED
    )
