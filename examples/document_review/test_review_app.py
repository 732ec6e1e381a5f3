"""End-to-end tests of the document-review example on a real SQLite file."""

from __future__ import annotations

import json
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
from review_fsm import STRICT_MODE, Context, DocumentReview, State, Trigger

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
BODY = "Use SQLite for the audit log."
# The delays a submission starts, as the spec's after: entries give them.
_DEADLINES = (
    DocumentReview(guards=ReviewRules())
    .process(State.DRAFT, Trigger.SUBMIT, {"body": BODY})
    .deadlines
)
REMINDER = timedelta(seconds=_DEADLINES[State.IN_REVIEW])  # after: on IN_REVIEW
STALL = timedelta(seconds=_DEADLINES[State.REVIEWING])  # after: on REVIEWING


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


def test_a_submission_starts_a_reminder_and_a_stall_clock() -> None:
    assert set(_DEADLINES) == {State.REVIEWING, State.IN_REVIEW}
    assert timedelta(days=3) == REMINDER
    assert timedelta(days=7) == STALL


def _submitted(service: ReviewService, effects: Recorder) -> None:
    service.create("D-1", BODY, now=START)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    effects.log.clear()


@pytest.mark.parametrize(
    ("elapsed", "reminds"),
    [
        (REMINDER, True),  # exactly at the deadline
        (REMINDER - timedelta(microseconds=1), False),
    ],
)
def test_a_waiting_review_reminds_its_reviewers(
    service: ReviewService, effects: Recorder, elapsed: timedelta, reminds: bool
) -> None:
    _submitted(service, effects)
    outcomes = service.sweep_timeouts(START + elapsed)
    document = service.get("D-1")
    if reminds:
        assert [o.status for o in outcomes] == [Status.APPLIED]
        assert document.state is State.REMINDED
        assert effects.names == ["remind_reviewers"]
        entry = service.audit_trail("D-1")[-1]
        assert (entry["trigger"], entry["metadata"]["timeout_state"]) == (
            "_timeout",
            "IN_REVIEW",
        )
        # REVIEWING's clock runs on from the submission: the stall is next.
        assert document.entered_at == {"REVIEWING": START, "IN_REVIEW": START}
        assert document.wake_at == START + STALL
    else:
        assert outcomes == []
        assert (document.state, document.version) == (State.IN_REVIEW, 2)
        assert effects.log == []
        assert document.wake_at == START + REMINDER


@pytest.mark.parametrize(
    ("elapsed", "stalls"),
    [
        (STALL, True),  # exactly a week after the submission
        (STALL - timedelta(microseconds=1), False),
    ],
)
def test_a_review_left_alone_for_a_week_stalls_into_the_error_state(
    service: ReviewService, effects: Recorder, elapsed: timedelta, stalls: bool
) -> None:
    _submitted(service, effects)
    service.sweep_timeouts(START + REMINDER)
    effects.log.clear()
    outcomes = service.sweep_timeouts(START + elapsed)
    document = service.get("D-1")
    if stalls:
        assert [o.status for o in outcomes] == [Status.APPLIED]
        assert document.state is State.STALLED
        assert document.wake_at is None  # STALLED has no delay
        assert effects.names == ["page_editor"]
        entry = service.audit_trail("D-1")[-1]
        assert (entry["from_state"], entry["to_state"]) == ("REMINDED", "STALLED")
        assert entry["metadata"]["timeout_state"] == "REVIEWING"
    else:
        assert outcomes == []
        assert document.state is State.REMINDED
        assert effects.log == []
        assert len(service.audit_trail("D-1")) == 2


def test_a_late_sweep_takes_the_overdue_delays_in_order(
    service: ReviewService, effects: Recorder
) -> None:
    _submitted(service, effects)
    outcomes = service.sweep_timeouts(START + STALL * 2)
    assert [(o.status, o.document.state) for o in outcomes] == [
        (Status.APPLIED, State.REMINDED),
        (Status.APPLIED, State.STALLED),
    ]
    assert effects.names == ["remind_reviewers", "page_editor"]
    assert [(e["trigger"], e["to_state"]) for e in service.audit_trail("D-1")] == [
        ("submit", "IN_REVIEW"),
        ("_timeout", "REMINDED"),
        ("_timeout", "STALLED"),
    ]
    assert service.sweep_timeouts(START + STALL * 3) == []


def test_only_states_with_delays_are_woken(
    service: ReviewService, conn: sqlite3.Connection
) -> None:
    created = service.create("D-1", BODY, now=START)
    assert (created.entered_at, created.wake_at) == ({}, None)  # DRAFT: no delay
    submitted = service.handle_event("D-1", Trigger.SUBMIT, now=START).document
    assert submitted.wake_at == START + REMINDER
    stored = conn.execute("SELECT entered_at, wake_at FROM documents").fetchone()
    at = START.isoformat(timespec="microseconds")
    assert json.loads(stored[0]) == {"IN_REVIEW": at, "REVIEWING": at}
    assert stored[1] == (START + REMINDER).isoformat(timespec="microseconds")
    later = START + timedelta(hours=1)
    changes = service.handle_event("D-1", Trigger.REQUEST_CHANGES, now=later)
    assert changes.document.wake_at is None  # left REVIEWING in time
    assert service.sweep_timeouts(START + STALL * 2) == []
    assert service.get("D-1").state is State.CHANGES_REQUESTED


def test_an_approval_that_is_not_enough_restarts_both_clocks(
    service: ReviewService, effects: Recorder
) -> None:
    _submitted(service, effects)
    service.sweep_timeouts(START + REMINDER)
    later = START + REMINDER + timedelta(hours=1)
    outcome = service.handle_event("D-1", Trigger.APPROVE, now=later)
    assert outcome.document.state is State.IN_REVIEW  # REVIEWING entered again
    assert outcome.document.entered_at == {"REVIEWING": later, "IN_REVIEW": later}
    assert outcome.document.wake_at == later + REMINDER
    # A week after the submission: only the new round's reminder is due.
    swept = service.sweep_timeouts(START + STALL)
    assert [o.document.state for o in swept] == [State.REMINDED]
    assert service.get("D-1").wake_at == later + STALL


def test_a_stale_wake_up_is_moved_on_without_firing(
    service: ReviewService, conn: sqlite3.Connection
) -> None:
    service.create("D-1", BODY, now=START)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    # A wake-up earlier than any delay (written under an older spec, say):
    # check_timeout finds nothing due and the sweep stores the next deadline.
    conn.execute(
        "UPDATE documents SET wake_at = ?", ("2024-05-01T10:00:00.000000+00:00",)
    )
    assert service.sweep_timeouts(START + timedelta(hours=2)) == []
    document = service.get("D-1")
    assert (document.state, document.version) == (State.IN_REVIEW, 2)
    assert document.wake_at == START + REMINDER


def test_an_editor_takes_a_stalled_review_back(
    service: ReviewService, effects: Recorder
) -> None:
    _submitted(service, effects)
    service.sweep_timeouts(START + STALL)  # reminded and stalled at once
    assert service.get("D-1").state is State.STALLED
    effects.log.clear()
    later = START + STALL + timedelta(hours=1)
    outcome = service.handle_event("D-1", Trigger.ESCALATE, now=later)
    assert outcome.document.state is State.IN_REVIEW
    assert outcome.document.entered_at["REVIEWING"] == later  # the week restarts
    assert outcome.document.wake_at == later + REMINDER
    assert effects.names == ["page_editor", "assign_reviewers"]
    assert service.sweep_timeouts(later + REMINDER / 2) == []


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
    assert fallback.document.wake_at is None  # the review's delays are cancelled
    assert failing.names == ["page_editor"]
    stored = service.get("D-1")
    assert (stored.state, stored.version) == (State.STALLED, 3)
    trail = service.audit_trail("D-1")
    assert [(e["trigger"], e["to_state"]) for e in trail] == [
        ("submit", "IN_REVIEW"),
        ("_fallback", "STALLED"),
    ]
    assert trail[1]["metadata"]["failed_actions"] == ["assign_reviewers"]


class FailingReminder(Recorder):
    """remind_reviewers always fails."""

    def remind_reviewers(self, ctx: Context) -> None:
        """The mailer is down."""
        raise ConnectionError("mailer down")


def test_a_delay_whose_action_fails_falls_back_to_stalled(
    conn: sqlite3.Connection,
) -> None:
    failing = FailingReminder()
    service = ReviewService(conn, failing)
    service.create("D-1", BODY, now=START)
    service.handle_event("D-1", Trigger.SUBMIT, now=START)
    failing.log.clear()
    [outcome] = service.sweep_timeouts(START + REMINDER)
    assert outcome.run is not None
    assert outcome.run.failed_actions == ("remind_reviewers",)
    fallback = outcome.fallback
    assert fallback is not None and fallback.status is Status.APPLIED
    # The generator's SCXML move out of REVIEWING, from the state entered.
    assert fallback.result.source_state is State.REMINDED
    assert fallback.result.all_actions == ("page_editor",)
    assert failing.names == ["page_editor"]
    stored = service.get("D-1")
    assert (stored.state, stored.version, stored.wake_at) == (State.STALLED, 4, None)
    assert [(e["trigger"], e["to_state"]) for e in service.audit_trail("D-1")] == [
        ("submit", "IN_REVIEW"),
        ("_timeout", "REMINDED"),
        ("_fallback", "STALLED"),
    ]
    assert service.sweep_timeouts(START + STALL * 2) == []


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
    assert "RFC-7 timeout: applied, now REMINDED" in lines
    assert "RFC-7 timeout: applied, now STALLED" in lines
    assert lines[-1] == (
        "audit trail of RFC-7: DRAFT->IN_REVIEW, IN_REVIEW->IN_REVIEW,"
        " IN_REVIEW->REMINDED, REMINDED->STALLED, STALLED->IN_REVIEW,"
        " IN_REVIEW->APPROVED"
    )
