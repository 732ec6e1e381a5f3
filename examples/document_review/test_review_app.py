"""End-to-end tests of the document-review example on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from gubernator_runtime import GuardRejectedError, StateType, TerminalStateError
from review_app import (
    ReviewEffects,
    ReviewRules,
    ReviewService,
    Status,
    connect,
    demo,
)
from review_fsm import STRICT_MODE, TIMEOUTS, Context, DocumentReview, State, Trigger

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
REVIEW_TIMEOUT = timedelta(seconds=TIMEOUTS[State.IN_REVIEW].seconds)
BODY = "Use SQLite for the audit log."


class Recorder(ReviewEffects):
    """Review actions that remember which ran, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []
        super().__init__(self.log.append)

    @property
    def names(self) -> list[str]:
        """The names of the actions that ran."""
        return [line.split(":", 1)[0] for line in self.log]


class FailingReviewers(Recorder):
    """assign_reviewers fails ``failures`` times, page_editor maybe always."""

    def __init__(self, failures: int, editor_fails: bool = False) -> None:
        super().__init__()
        self.failures = failures
        self.editor_fails = editor_fails
        self.calls = 0

    def assign_reviewers(self, ctx: Context) -> None:
        """Fail while failures remain."""
        self.calls += 1
        if self.calls <= self.failures:
            raise TimeoutError("reviewer directory did not answer")
        super().assign_reviewers(ctx)

    def page_editor(self, ctx: Context) -> None:
        """Fail if the pager is down too."""
        if self.editor_fails:
            raise ConnectionError("pager down")
        super().page_editor(ctx)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a fresh database file."""
    connection = connect(tmp_path / "reviews.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def other_conn(
    conn: sqlite3.Connection, tmp_path: Path
) -> Iterator[sqlite3.Connection]:
    """A second connection to the same file: another writer."""
    connection = connect(tmp_path / "reviews.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def effects() -> Recorder:
    """Recording actions."""
    return Recorder()


@pytest.fixture
def service(conn: sqlite3.Connection, effects: Recorder) -> ReviewService:
    """A review service with recording actions."""
    return ReviewService(conn, effects)


def test_the_review_machine_is_non_strict_with_an_error_state() -> None:
    assert STRICT_MODE is False
    assert DocumentReview().get_state(State.STALLED).type is StateType.ERROR


@pytest.mark.parametrize("trigger", ["escalate", "approve", "archive"])
def test_event_matching_nothing_is_a_no_op_that_writes_nothing(
    service: ReviewService, effects: Recorder, trigger: str
) -> None:
    created = service.create("D-1", BODY, now=START)
    outcome = service.handle_event("D-1", trigger, now=START + timedelta(hours=1))
    assert outcome.status is Status.NO_OP
    assert outcome.result.success and outcome.result.metadata["no_op"] is True
    assert outcome.result.target_state is State.DRAFT
    assert service.get("D-1") == created  # entered_at and version untouched
    assert service.audit_trail("D-1") == []
    assert effects.log == []


def test_blank_document_cannot_be_submitted(
    service: ReviewService, effects: Recorder
) -> None:
    service.create("D-1", "   ", now=START)
    outcome = service.handle_event("D-1", Trigger.SUBMIT, now=START)
    assert outcome.status is Status.REJECTED
    assert isinstance(outcome.result.error, GuardRejectedError)
    assert service.get("D-1").state is State.DRAFT
    assert service.audit_trail("D-1") == []
    assert effects.log == []


def test_approvals_accumulate_until_enough(
    service: ReviewService, effects: Recorder
) -> None:
    service.create("D-1", BODY, now=START)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    first = service.handle_event("D-1", "approve", {"reviewer": "ann"}, now=START)
    # Not enough yet: the unguarded second "approve" stays in review.
    assert first.status is Status.APPLIED
    assert first.result.is_self_transition
    assert service.get("D-1").approvals == 1
    second = service.handle_event("D-1", "approve", {"reviewer": "bob"}, now=START)
    assert second.document.state is State.APPROVED
    assert effects.names == ["assign_reviewers", "assign_reviewers", "publish"]
    trail = service.audit_trail("D-1")
    assert [(e["from_state"], e["to_state"]) for e in trail] == [
        ("DRAFT", "IN_REVIEW"),
        ("IN_REVIEW", "IN_REVIEW"),
        ("IN_REVIEW", "APPROVED"),
    ]
    assert trail[2]["extra"] == {"payload": {"reviewer": "bob"}}
    refused = service.handle_event("D-1", Trigger.SUBMIT, now=START)
    assert isinstance(refused.result.error, TerminalStateError)


def test_open_comments_hold_the_approval_back(service: ReviewService) -> None:
    service.create("D-1", BODY, now=START, required_approvals=1, open_comments=2)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    outcome = service.handle_event("D-1", Trigger.APPROVE, now=START)
    assert outcome.document.state is State.IN_REVIEW
    # The payload is merged over the document for the guards.
    closed = service.handle_event(
        "D-1", Trigger.APPROVE, {"open_comments": 0}, now=START
    )
    assert closed.document.state is State.APPROVED


@pytest.mark.parametrize(
    ("elapsed", "stalls"),
    [
        (REVIEW_TIMEOUT, True),  # exactly at the deadline
        (REVIEW_TIMEOUT - timedelta(microseconds=1), False),
    ],
)
def test_review_left_alone_stalls_into_the_error_state(
    service: ReviewService, effects: Recorder, elapsed: timedelta, stalls: bool
) -> None:
    service.create("D-1", BODY, now=START)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    effects.log.clear()
    outcomes = service.sweep_timeouts(START + elapsed)
    document = service.get("D-1")
    if stalls:
        assert [o.status for o in outcomes] == [Status.APPLIED]
        assert document.state is State.STALLED
        assert effects.names == ["page_editor"]
        assert service.audit_trail("D-1")[-1]["trigger"] == "_timeout"
    else:
        assert outcomes == []
        assert document.state is State.IN_REVIEW
        assert effects.log == []
        assert len(service.audit_trail("D-1")) == 1


def test_only_states_with_a_timeout_are_woken(
    service: ReviewService, conn: sqlite3.Connection
) -> None:
    created = service.create("D-1", BODY, now=START)
    assert created.wake_at is None  # DRAFT has no timeout
    submitted = service.handle_event("D-1", Trigger.SUBMIT, now=START).document
    assert submitted.wake_at == START + REVIEW_TIMEOUT
    stored = conn.execute("SELECT wake_at FROM documents").fetchone()[0]
    assert stored == (START + REVIEW_TIMEOUT).isoformat(timespec="microseconds")
    later = START + timedelta(hours=1)
    changes = service.handle_event("D-1", Trigger.REQUEST_CHANGES, now=later)
    assert changes.document.wake_at is None  # left IN_REVIEW in time
    assert service.sweep_timeouts(START + REVIEW_TIMEOUT * 2) == []
    assert service.get("D-1").state is State.CHANGES_REQUESTED


def test_a_stale_wake_up_is_moved_on_without_firing(
    service: ReviewService, conn: sqlite3.Connection
) -> None:
    service.create("D-1", BODY, now=START)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    # A wake-up earlier than the timeout (written under an older spec, say):
    # check_timeout finds nothing due and the sweep stores the real deadline.
    conn.execute(
        "UPDATE documents SET wake_at = ?", ("2024-05-01T10:00:00.000000+00:00",)
    )
    assert service.sweep_timeouts(START + timedelta(hours=2)) == []
    document = service.get("D-1")
    assert (document.state, document.version) == (State.IN_REVIEW, 2)
    assert document.wake_at == START + REVIEW_TIMEOUT


def test_an_editor_takes_a_stalled_review_back(
    service: ReviewService, effects: Recorder
) -> None:
    service.create("D-1", BODY, now=START)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    service.sweep_timeouts(START + REVIEW_TIMEOUT)
    effects.log.clear()
    later = START + REVIEW_TIMEOUT + timedelta(hours=1)
    outcome = service.handle_event("D-1", Trigger.ESCALATE, now=later)
    assert outcome.document.state is State.IN_REVIEW
    assert outcome.document.entered_at == later  # the week starts again
    assert effects.names == ["page_editor", "assign_reviewers"]
    assert service.sweep_timeouts(later + REVIEW_TIMEOUT / 2) == []


def test_action_failing_after_its_retry_falls_back_to_stalled(
    conn: sqlite3.Connection,
) -> None:
    failing = FailingReviewers(failures=2)  # retry_attempts: 1 → two calls
    service = ReviewService(conn, failing)
    service.create("D-1", BODY, now=START)
    outcome = service.handle_event("D-1", Trigger.SUBMIT, now=START)

    assert outcome.status is Status.APPLIED
    assert outcome.run is not None
    assert outcome.run.failed_actions == ("assign_reviewers",)
    assert failing.calls == 2
    fallback = outcome.fallback
    assert fallback is not None and fallback.status is Status.APPLIED
    assert fallback.result.source_state is State.IN_REVIEW
    assert fallback.document.state is State.STALLED
    assert failing.names == ["page_editor"]
    stored = service.get("D-1")
    assert (stored.state, stored.version) == (State.STALLED, 3)
    trail = service.audit_trail("D-1")
    assert [(e["trigger"], e["to_state"]) for e in trail] == [
        ("submit", "IN_REVIEW"),
        ("_fallback", "STALLED"),
    ]
    assert trail[1]["metadata"]["failed_actions"] == ["assign_reviewers"]


def test_action_that_succeeds_on_its_retry_needs_no_fallback(
    conn: sqlite3.Connection,
) -> None:
    flaky = FailingReviewers(failures=1)
    service = ReviewService(conn, flaky)
    service.create("D-1", BODY, now=START)
    outcome = service.handle_event("D-1", Trigger.SUBMIT, now=START)
    assert outcome.run is not None and outcome.run.all_succeeded
    assert outcome.fallback is None
    assert service.get("D-1").state is State.IN_REVIEW


def test_failing_fallback_actions_do_not_loop(conn: sqlite3.Connection) -> None:
    failing = FailingReviewers(failures=10, editor_fails=True)
    service = ReviewService(conn, failing)
    service.create("D-1", BODY, now=START)
    outcome = service.handle_event("D-1", Trigger.SUBMIT, now=START)
    assert outcome.fallback is not None
    assert outcome.fallback.run is not None
    assert outcome.fallback.run.failed_actions == ("page_editor",)
    assert outcome.fallback.fallback is None  # already in the fallback state
    assert service.get("D-1").state is State.STALLED
    assert len(service.audit_trail("D-1")) == 2


class RacingRules(ReviewRules):
    """Guards that let another writer commit between this load and commit."""

    def __init__(self, compete: Callable[[], object]) -> None:
        self._compete: Callable[[], object] | None = compete

    def enough_approvals(self, ctx: Context) -> bool:
        """Let the competitor win the race, then decide as usual."""
        if self._compete is not None:
            compete, self._compete = self._compete, None
            compete()
        return super().enough_approvals(ctx)


def test_concurrent_approvals_in_the_same_state_cannot_both_count(
    conn: sqlite3.Connection, other_conn: sqlite3.Connection
) -> None:
    winner = ReviewService(conn, Recorder())
    winner.create("D-1", BODY, now=START, required_approvals=3)
    winner.handle_event("D-1", Trigger.SUBMIT, now=START)

    def compete() -> None:
        winner.handle_event("D-1", Trigger.APPROVE, {"reviewer": "ann"}, now=START)

    loser = ReviewService(other_conn, Recorder(), guards=RacingRules(compete))
    lost = loser.handle_event("D-1", Trigger.APPROVE, {"reviewer": "bob"}, now=START)

    # Both saw IN_REVIEW with no approvals; the state alone did not change,
    # the version did, so the second self-transition is refused.
    assert lost.status is Status.CONFLICT
    stored = winner.get("D-1")
    assert (stored.state, stored.approvals, stored.version) == (State.IN_REVIEW, 1, 3)
    reviewers = [e["extra"]["payload"] for e in winner.audit_trail("D-1")[1:]]
    assert reviewers == [{"reviewer": "ann"}]


def test_demo_prints_a_short_log(tmp_path: Path) -> None:
    lines: list[str] = []
    demo(tmp_path / "demo.sqlite3", lines.append)
    assert "RFC-7 escalate: no_op, now DRAFT" in lines
    assert "RFC-7 timeout: applied, now STALLED" in lines
    assert lines[-1] == (
        "audit trail of RFC-7: DRAFT->IN_REVIEW, IN_REVIEW->IN_REVIEW,"
        " IN_REVIEW->STALLED, STALLED->IN_REVIEW, IN_REVIEW->APPROVED"
    )
