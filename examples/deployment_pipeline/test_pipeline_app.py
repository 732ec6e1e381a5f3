"""End-to-end tests of the deployment pipeline example on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pipeline_app import (
    Deployment,
    PipelineEffects,
    PipelineRules,
    PipelineService,
    Status,
    connect,
    demo,
)
from pipeline_fsm import Context, State, Trigger

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
SCAN_LIMIT = timedelta(minutes=15)  # after: on scanning
CHECKS_LIMIT = timedelta(hours=1)  # after: on checking
APPROVAL_LIMIT = timedelta(days=1)  # after: on awaiting_approval
TICK = timedelta(microseconds=1)


class Recorder(PipelineEffects):
    """Pipeline actions that remember which ran, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []
        super().__init__(self.log.append)

    @property
    def names(self) -> list[str]:
        """The names of the actions that ran."""
        return [line.split(":", 1)[0] for line in self.log]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database file."""
    return tmp_path / "deployments.sqlite3"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    """The main connection of a test."""
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def other_conn(db_path: Path, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A second connection to the same file: another writer."""
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def effects() -> Recorder:
    """Recording actions."""
    return Recorder()


@pytest.fixture
def service(conn: sqlite3.Connection, effects: Recorder) -> PipelineService:
    """A pipeline service on the main connection."""
    return PipelineService(conn, effects)


def started(service: PipelineService, deployment_id: str = "D-1") -> Deployment:
    """A deployment created and started at ``START``, its checks running."""
    service.create(deployment_id, "billing", "alice", now=START)
    outcome = service.handle_event(deployment_id, Trigger.START, now=START)
    assert outcome.status is Status.APPLIED
    return outcome.deployment


def active(deployment: Deployment) -> list[str]:
    """The deployment's active atomic states, sorted."""
    return list(deployment.configuration.active)


def test_happy_path_runs_the_checks_in_parallel_then_deploys(
    service: PipelineService, effects: Recorder
) -> None:
    created = service.create("D-1", "billing", "alice", now=START)
    assert active(created) == ["queued"]
    assert created.wake_at is None  # queued has no after: entries
    steps = [
        (Trigger.START, None, ["building", "scanning", "testing"]),
        (Trigger.TESTS_PASSED, None, ["building", "scanning", "tested"]),
        (Trigger.BUILD_PASSED, None, ["built", "scanning", "tested"]),
        (Trigger.SCAN_PASSED, None, ["awaiting_approval"]),
        (Trigger.APPROVE, "carol", ["deploying"]),
        (Trigger.DEPLOYED, None, ["live"]),
    ]
    for minute, (trigger, approver, expected) in enumerate(steps, start=1):
        outcome = service.handle_event(
            "D-1", trigger, approver, now=START + timedelta(minutes=minute)
        )
        assert outcome.status is Status.APPLIED, trigger
        assert active(outcome.deployment) == expected
        assert active(service.get("D-1")) == expected
    assert effects.names == [
        "open_check_run",
        "start_build",
        "start_tests",
        "start_scan",
        "stop_tests",
        "stop_build",
        # The last check's step folds in done.state.checking.
        "stop_scan",
        "close_check_run",
        "request_approval",
        "start_deploy",
        "announce_release",
    ]
    stored = service.get("D-1")
    assert (stored.version, stored.approver, stored.wake_at) == (7, "carol", None)
    trail = service.audit_trail("D-1")
    assert [e["trigger"] for e in trail] == [s[0].value for s in steps]
    assert trail[-2]["extra"] == {
        "configuration": '{"active":["deploying"]}',
        "payload": {"approver": "carol"},
    }


def test_the_author_cannot_approve_and_nothing_is_written(
    service: PipelineService, effects: Recorder
) -> None:
    started(service)
    for trigger in (Trigger.BUILD_PASSED, Trigger.TESTS_PASSED, Trigger.SCAN_PASSED):
        service.handle_event("D-1", trigger, now=START)
    before = service.get("D-1")
    effects.log.clear()
    refused = service.handle_event("D-1", Trigger.APPROVE, "alice", now=START)
    assert refused.status is Status.REJECTED
    assert refused.result.metadata["rejected_by"] == "approver_is_not_author"
    assert service.get("D-1") == before
    assert effects.log == []


def test_a_failing_check_stops_the_others_in_scxml_order(
    service: PipelineService, effects: Recorder
) -> None:
    started(service)
    service.handle_event("D-1", Trigger.BUILD_PASSED, now=START)
    effects.log.clear()
    outcome = service.handle_event("D-1", Trigger.CHECK_FAILED, now=START)
    assert outcome.status is Status.APPLIED
    assert active(outcome.deployment) == ["failed"]
    # The checks still running stop innermost first, in reverse document
    # order (scan, then tests; the build already finished), then the
    # parallel state itself, then failed is entered.
    assert list(outcome.result.on_exit_actions) == [
        "stop_scan",
        "stop_tests",
        "close_check_run",
    ]
    assert effects.names == [
        "stop_scan",
        "stop_tests",
        "close_check_run",
        "notify_failure",
    ]
    assert outcome.deployment.wake_at is None
    assert service.sweep_timeouts(START + timedelta(days=30)) == []


def test_finished_checks_refuse_their_event_again(service: PipelineService) -> None:
    started(service)
    service.handle_event("D-1", Trigger.TESTS_PASSED, now=START)
    again = service.handle_event("D-1", Trigger.TESTS_PASSED, now=START)
    assert again.status is Status.REJECTED
    assert active(service.get("D-1")) == ["building", "scanning", "tested"]


def test_a_hung_scan_times_out_through_the_sweep(
    service: PipelineService, effects: Recorder
) -> None:
    deployment = started(service)
    assert deployment.wake_at == START + SCAN_LIMIT  # the earlier of 15 min and 1 h
    service.handle_event("D-1", Trigger.BUILD_PASSED, now=START + timedelta(minutes=2))
    effects.log.clear()
    (outcome,) = service.sweep_timeouts(START + timedelta(minutes=20))
    assert outcome.status is Status.APPLIED
    assert outcome.result.trigger == "_timeout"
    assert outcome.result.metadata["timeout_state"] == "scanning"
    assert active(outcome.deployment) == ["failed"]
    assert effects.names == [
        "stop_scan",
        "stop_tests",
        "close_check_run",
        "report_timeout",
        "notify_failure",
    ]
    assert [e["trigger"] for e in service.audit_trail("D-1")] == [
        "start",
        "build_passed",
        "_timeout",
    ]


@pytest.mark.parametrize(
    ("elapsed", "fires"),
    [(SCAN_LIMIT - TICK, False), (SCAN_LIMIT, True), (SCAN_LIMIT + TICK, True)],
    ids=["just-before", "exactly-at", "just-after"],
)
def test_the_sweep_fires_exactly_at_the_deadline(
    service: PipelineService, elapsed: timedelta, fires: bool
) -> None:
    before = started(service)
    outcomes = service.sweep_timeouts(START + elapsed)
    if fires:
        assert [o.status for o in outcomes] == [Status.APPLIED]
        assert active(service.get("D-1")) == ["failed"]
    else:
        assert outcomes == []
        assert service.get("D-1") == before


def test_a_delay_of_a_state_left_does_not_fire(service: PipelineService) -> None:
    started(service)
    passed = service.handle_event(
        "D-1", Trigger.SCAN_PASSED, now=START + timedelta(minutes=5)
    ).deployment
    # The scan's clock is still stored, but scanning is no longer active:
    # the next wake-up is the checks' hour, which kept running.
    assert passed.entered_at["scanning"] == START
    assert passed.wake_at == START + CHECKS_LIMIT
    assert service.sweep_timeouts(START + SCAN_LIMIT + timedelta(minutes=1)) == []
    assert active(service.get("D-1")) == ["building", "scanned", "testing"]
    (outcome,) = service.sweep_timeouts(START + CHECKS_LIMIT)
    assert outcome.result.metadata["timeout_state"] == "checking"
    assert active(outcome.deployment) == ["failed"]


def test_a_stale_wake_up_is_moved_on_without_firing(
    service: PipelineService, conn: sqlite3.Connection
) -> None:
    started(service)
    # A wake-up written earlier than anything is due (by an older spec with
    # shorter delays, say): the machine finds nothing due, and the sweep
    # stores the real next deadline instead.
    stale = "2024-05-01T09:01:00.000000+00:00"
    conn.execute("UPDATE deployments SET wake_at = ?", (stale,))
    assert service.sweep_timeouts(START + timedelta(minutes=2)) == []
    stored = service.get("D-1")
    assert stored.wake_at == START + SCAN_LIMIT
    assert stored.version == 2


def test_an_approval_that_waits_too_long_expires(
    service: PipelineService, effects: Recorder
) -> None:
    started(service)
    ready_at = START + timedelta(minutes=10)
    for trigger in (Trigger.BUILD_PASSED, Trigger.TESTS_PASSED, Trigger.SCAN_PASSED):
        last = service.handle_event("D-1", trigger, now=ready_at)
    assert active(last.deployment) == ["awaiting_approval"]
    # Entering awaiting_approval started its clock; the checks' hour is gone.
    assert last.deployment.wake_at == ready_at + APPROVAL_LIMIT
    assert service.sweep_timeouts(ready_at + APPROVAL_LIMIT - TICK) == []
    effects.log.clear()
    (outcome,) = service.sweep_timeouts(ready_at + APPROVAL_LIMIT)
    assert active(outcome.deployment) == ["expired"]
    assert effects.names == ["notify_failure"]
    assert outcome.result.metadata["transition_description"] == (
        "Nobody approved within a day."
    )


class RacingRules(PipelineRules):
    """Guards that let a competing writer act between load and commit."""

    def __init__(self, compete: Callable[[], object]) -> None:
        self._compete: Callable[[], object] | None = compete

    def approver_is_not_author(self, ctx: Context) -> bool:
        """Let the competitor win the race, then decide as usual."""
        if self._compete is not None:
            compete, self._compete = self._compete, None
            compete()
        return super().approver_is_not_author(ctx)


def test_a_concurrent_writer_loses_the_compare_and_set(
    conn: sqlite3.Connection, other_conn: sqlite3.Connection
) -> None:
    winner_effects, loser_effects = Recorder(), Recorder()
    winner = PipelineService(conn, winner_effects)
    started(winner)
    ready_at = START + timedelta(minutes=10)
    for trigger in (Trigger.BUILD_PASSED, Trigger.TESTS_PASSED, Trigger.SCAN_PASSED):
        winner.handle_event("D-1", trigger, now=ready_at)
    expires_at = ready_at + APPROVAL_LIMIT

    def expire() -> None:
        (timed,) = winner.sweep_timeouts(expires_at)
        assert timed.status is Status.APPLIED

    loser = PipelineService(other_conn, loser_effects, guards=RacingRules(expire))
    lost = loser.handle_event("D-1", Trigger.APPROVE, "carol", now=expires_at)

    # Both decided from awaiting_approval; only the first commit counts.
    assert lost.status is Status.CONFLICT
    assert lost.result.success and lost.run is None
    assert loser_effects.log == []
    stored = loser.get("D-1")
    assert active(stored) == ["expired"]
    assert stored.approver is None
    assert [e["trigger"] for e in loser.audit_trail("D-1")][-1] == "_timeout"
    retry = loser.handle_event("D-1", Trigger.APPROVE, "carol", now=expires_at)
    assert retry.status is Status.REJECTED


def test_a_sweep_that_finds_the_database_locked_writes_nothing(
    db_path: Path, conn: sqlite3.Connection
) -> None:
    started(PipelineService(conn, Recorder()))
    effects = Recorder()
    impatient_conn = connect(db_path, busy_timeout=0.05)
    impatient = PipelineService(impatient_conn, effects)
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")  # somebody else is writing
    due = START + SCAN_LIMIT
    outcomes = impatient.sweep_timeouts(due)
    assert [o.status for o in outcomes] == [Status.BUSY]
    assert effects.log == []
    other.execute("ROLLBACK")
    other.close()
    assert active(impatient.get("D-1")) == ["building", "scanning", "testing"]
    (retried,) = impatient.sweep_timeouts(due)
    assert retried.status is Status.APPLIED
    assert active(retried.deployment) == ["failed"]
    impatient_conn.close()


def test_deployments_survive_reopening_the_database(db_path: Path) -> None:
    conn = connect(db_path)
    first = started(PipelineService(conn, Recorder()))
    conn.close()
    reopened = connect(db_path)
    again = PipelineService(reopened, Recorder()).get("D-1")
    reopened.close()
    assert again == first
    assert again.is_in(State.CHECKING) and again.is_in(State.SCANNING)


def test_demo_prints_a_short_log(tmp_path: Path) -> None:
    lines: list[str] = []
    demo(tmp_path / "demo.sqlite3", lines.append)
    assert "D-1 deployed: now [live]" in lines
    assert "D-2 _timeout: now [failed]" in lines
    assert lines[-1] == "audit trail of D-2: start, build_passed, _timeout"
