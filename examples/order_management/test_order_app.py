"""End-to-end tests of the order example on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from gubernator_runtime import (
    ActionNotFoundError,
    GuardRejectedError,
    InvalidTransitionError,
    TerminalStateError,
    UndefinedTriggerError,
)
from order_app import (
    Order,
    OrderEffects,
    OrderFacts,
    OrderRules,
    OrderService,
    Status,
    UnknownOrderError,
    connect,
    create_schema,
    demo,
)
from order_fsm import TIMEOUTS, Context, State, Trigger

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
REMIND_AFTER = timedelta(hours=1)  # after: on PENDING
CANCEL_AFTER = timedelta(days=1)  # after: on REMINDED
PAID_TIMEOUT = timedelta(seconds=TIMEOUTS[State.PAID].seconds)
TICK = timedelta(microseconds=1)


class Recorder(OrderEffects):
    """Order actions that remember which ran, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []
        super().__init__(self.log.append)

    @property
    def names(self) -> list[str]:
        """The names of the actions that ran."""
        return [line.split(":", 1)[0] for line in self.log]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database file with the schema."""
    path = tmp_path / "orders.sqlite3"
    conn = connect(path)
    create_schema(conn)
    conn.close()
    return path


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    """The main connection of a test."""
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def other_conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A second connection to the same file: another writer."""
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def effects() -> Recorder:
    """Recording actions."""
    return Recorder()


@pytest.fixture
def service(conn: sqlite3.Connection, effects: Recorder) -> OrderService:
    """An order service on the main connection."""
    return OrderService(conn, effects)


def audit_count(db_path: Path) -> int:
    """Audit rows as seen by a separate connection (so: committed rows only)."""
    other = connect(db_path)
    try:
        (count,) = other.execute("SELECT count(*) FROM order_audit").fetchone()
    finally:
        other.close()
    return int(count)


def test_placing_an_order_runs_the_entry_actions_of_start_after_the_insert(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    seen: list[tuple[str, ...] | None] = []

    class Watching(OrderEffects):
        """Looks, from another connection, for the row while confirming."""

        def confirm_order(self, ctx: Context) -> None:
            other = connect(db_path)
            try:
                row = other.execute(
                    "SELECT id, state FROM orders WHERE id = ?", (ctx["order_id"],)
                ).fetchone()
            finally:
                other.close()
            seen.append(None if row is None else tuple(row))

    order = OrderService(conn, Watching(lambda _: None)).place_order(
        "A-1", Decimal("30.00"), now=START
    )
    assert order.state is State.PENDING  # where start() puts a new order
    # The action ran once, and the insert was already committed when it did.
    assert seen == [("A-1", "PENDING")]


def test_happy_path_stores_every_transition_and_its_audit_row(
    service: OrderService, effects: Recorder, db_path: Path
) -> None:
    service.place_order("A-1", Decimal("30.00"), now=START)
    steps: list[tuple[Trigger, OrderFacts, State]] = [
        (Trigger.PAY, {"paid_amount": Decimal("30.00")}, State.PAID),
        (Trigger.SHIP, {"carrier": "Swift"}, State.SHIPPED),
        (Trigger.DELIVER, {}, State.DELIVERED),
    ]
    for minutes, (trigger, facts, expected) in enumerate(steps, start=1):
        now = START + timedelta(minutes=minutes)
        outcome = service.handle_event("A-1", trigger, facts, now=now)
        assert outcome.status is Status.APPLIED
        assert outcome.order.state is expected
        assert outcome.run is not None and outcome.run.all_succeeded

    order = service.get_order("A-1")
    assert order.state is State.DELIVERED
    assert order.version == 4
    assert order.paid_amount == Decimal("30.00")
    assert order.carrier == "Swift"
    assert order.entered_at == START + timedelta(minutes=3)
    assert effects.names == [
        "confirm_order",
        "audit_exit",
        "capture_payment",
        "send_receipt",
        "book_carrier",
        "notify_customer",
    ]
    trail = service.audit_trail("A-1")
    assert [(e["trigger"], e["from_state"], e["to_state"]) for e in trail] == [
        ("pay", "PENDING", "PAID"),
        ("ship", "PAID", "SHIPPED"),
        ("deliver", "SHIPPED", "DELIVERED"),
    ]
    assert trail[0]["actions"] == ["audit_exit", "capture_payment", "send_receipt"]
    assert trail[0]["extra"] == {"payload": {"paid_amount": "30.00"}}
    assert trail[0]["timestamp"] == (START + timedelta(minutes=1)).isoformat()
    execution = trail[0]["execution"]
    assert execution["all_succeeded"] is True
    assert audit_count(db_path) == 3


def stored_row(db_path: Path, order_id: str) -> tuple[str, int, str | None]:
    """(state, version, captured_amount) as another connection sees the row."""
    other = connect(db_path)
    try:
        row = other.execute(
            "SELECT state, version, captured_amount FROM orders WHERE id = ?",
            (order_id,),
        ).fetchone()
    finally:
        other.close()
    return row["state"], row["version"], row["captured_amount"]


def test_pay_stores_its_context_updates_with_the_state(
    service: OrderService, db_path: Path
) -> None:
    service.place_order("A-1", Decimal("30.00"), now=START)
    assert stored_row(db_path, "A-1") == ("PENDING", 1, None)
    outcome = service.handle_event(
        "A-1", Trigger.PAY, {"paid_amount": Decimal("31.00")}, now=START
    )
    # assign: {captured_amount: amount} — the machine computed, the app stored.
    assert dict(outcome.result.context_updates) == {"captured_amount": Decimal("30.00")}
    assert stored_row(db_path, "A-1") == ("PAID", 2, "30.00")
    assert service.get_order("A-1").captured_amount == Decimal("30.00")
    (entry,) = service.audit_trail("A-1")
    assert entry["context_updates"] == {"captured_amount": "30.00"}
    # Transitions without assign leave the captured amount alone.
    service.handle_event("A-1", Trigger.SHIP, now=START)
    assert stored_row(db_path, "A-1") == ("SHIPPED", 3, "30.00")


def test_context_updates_and_state_are_stored_together_or_not_at_all(
    conn: sqlite3.Connection, effects: Recorder, db_path: Path
) -> None:
    service = OrderService(conn, effects)
    service.place_order("A-1", Decimal("30.00"), now=START)
    # The audit insert fails inside the commit's transaction: the state
    # change and the captured amount written before it are rolled back.
    conn.execute(
        "CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON order_audit "
        "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="audit refused"):
        service.handle_event(
            "A-1", Trigger.PAY, {"paid_amount": Decimal("30.00")}, now=START
        )
    assert stored_row(db_path, "A-1") == ("PENDING", 1, None)
    assert effects.names == ["confirm_order"]  # no action ran for it
    conn.execute("DROP TRIGGER refuse_audit")
    paid = service.handle_event(
        "A-1", Trigger.PAY, {"paid_amount": Decimal("30.00")}, now=START
    )
    assert paid.status is Status.APPLIED
    assert stored_row(db_path, "A-1") == ("PAID", 2, "30.00")


def test_a_lost_race_stores_no_context_updates(
    conn: sqlite3.Connection, other_conn: sqlite3.Connection, db_path: Path
) -> None:
    winner = OrderService(conn, Recorder())
    winner.place_order("A-1", Decimal("30"), now=START)
    facts: OrderFacts = {"paid_amount": Decimal("30")}

    def compete() -> None:
        winner.handle_event("A-1", Trigger.CANCEL, now=START)

    loser = OrderService(other_conn, Recorder(), guards=RacingRules(compete))
    lost = loser.handle_event("A-1", Trigger.PAY, facts, now=START)
    assert lost.status is Status.CONFLICT
    assert dict(lost.result.context_updates) == {"captured_amount": Decimal("30")}
    assert stored_row(db_path, "A-1") == ("CANCELLED", 2, None)


def test_guard_rejection_changes_nothing(
    service: OrderService, effects: Recorder, db_path: Path
) -> None:
    placed = service.place_order("A-1", Decimal("30.00"), now=START)
    outcome = service.handle_event(
        "A-1", Trigger.PAY, {"paid_amount": Decimal("29.99")}, now=START
    )
    assert outcome.status is Status.REJECTED
    assert isinstance(outcome.result.error, GuardRejectedError)
    assert outcome.result.metadata["rejected_by"] == "payment_covers_amount"
    # Neither the state nor the event's facts were stored, nothing ran.
    assert service.get_order("A-1") == placed
    assert effects.names == ["confirm_order"]  # placing it, nothing since
    assert audit_count(db_path) == 0


def test_out_of_stock_order_cannot_ship_until_stock_arrives(
    service: OrderService,
) -> None:
    service.place_order("A-1", Decimal("5"), now=START, items_in_stock=False)
    service.handle_event("A-1", "pay", {"paid_amount": Decimal("5")}, now=START)
    refused = service.handle_event("A-1", "ship", now=START)
    assert refused.status is Status.REJECTED
    assert refused.result.metadata["rejected_by"] == "items_in_stock"
    # The warehouse's news arrives with the event and is stored with it.
    shipped = service.handle_event("A-1", "ship", {"items_in_stock": True}, now=START)
    assert shipped.status is Status.APPLIED
    assert service.get_order("A-1").items_in_stock is True


@pytest.mark.parametrize(
    ("trigger", "error_type"),
    [
        ("deliver", InvalidTransitionError),
        ("teleport", UndefinedTriggerError),
    ],
)
def test_strict_machine_refuses_events_that_match_nothing(
    service: OrderService, trigger: str, error_type: type[Exception]
) -> None:
    service.place_order("A-1", Decimal("1"), now=START)
    outcome = service.handle_event("A-1", trigger, now=START)
    assert outcome.status is Status.REJECTED
    assert type(outcome.result.error) is error_type
    assert service.get_order("A-1").version == 1


def test_terminal_order_refuses_everything(service: OrderService) -> None:
    service.place_order("A-1", Decimal("1"), now=START)
    service.handle_event("A-1", Trigger.CANCEL, now=START)
    outcome = service.handle_event("A-1", Trigger.PAY, now=START)
    assert outcome.status is Status.REJECTED
    assert isinstance(outcome.result.error, TerminalStateError)


def test_unknown_order_is_a_lookup_error(service: OrderService) -> None:
    with pytest.raises(UnknownOrderError):
        service.handle_event("nope", Trigger.PAY, now=START)


class RacingRules(OrderRules):
    """Guards that let a competing writer act between load and commit.

    The first time the payment guard runs, the order has been loaded and is
    being decided on; ``compete`` then applies another event through a
    different connection, which commits first.
    """

    def __init__(self, compete: Callable[[], object]) -> None:
        self._compete: Callable[[], object] | None = compete

    def payment_covers_amount(self, ctx: Context) -> bool:
        """Let the competitor win the race, then decide as usual."""
        if self._compete is not None:
            compete, self._compete = self._compete, None
            compete()
        return super().payment_covers_amount(ctx)


@pytest.mark.parametrize(
    ("competing_trigger", "final_state"),
    [(Trigger.CANCEL, State.CANCELLED), (Trigger.PAY, State.PAID)],
)
def test_concurrent_update_loses_cleanly(
    conn: sqlite3.Connection,
    other_conn: sqlite3.Connection,
    competing_trigger: Trigger,
    final_state: State,
) -> None:
    winner_effects, loser_effects = Recorder(), Recorder()
    winner = OrderService(conn, winner_effects)
    winner.place_order("A-1", Decimal("30"), now=START)
    facts: OrderFacts = {"paid_amount": Decimal("30")}

    def compete() -> None:
        outcome = winner.handle_event("A-1", competing_trigger, facts, now=START)
        assert outcome.status is Status.APPLIED

    loser = OrderService(other_conn, loser_effects, guards=RacingRules(compete))
    lost = loser.handle_event("A-1", Trigger.PAY, facts, now=START)

    # Both decided from PENDING; only the first commit counts.
    assert lost.status is Status.CONFLICT
    assert lost.result.success and lost.result.source_state is State.PENDING
    assert lost.order.version == 1  # what it loaded
    assert lost.run is None
    assert loser_effects.log == []
    stored = winner.get_order("A-1")
    assert stored.state is final_state
    assert stored.version == 2
    trail = winner.audit_trail("A-1")
    assert len(trail) == 1
    assert trail[0]["trigger"] == competing_trigger.value
    assert winner_effects.names.count("audit_exit") == 1
    # Retrying on the fresh row is decided against the winner's state.
    retry = loser.handle_event("A-1", Trigger.PAY, facts, now=START)
    assert retry.status is Status.REJECTED
    assert len(loser.audit_trail("A-1")) == 1


class CommitInspector(OrderEffects):
    """Actions that look at the database from their own connection."""

    def __init__(self, db_path: Path) -> None:
        super().__init__(lambda text: None)
        self.db_path = db_path
        self.seen: list[tuple[str, int, int]] = []

    def capture_payment(self, ctx: Context) -> None:
        """Record the committed state and audit size at the time of the action."""
        other = connect(self.db_path)
        try:
            ((state, version),) = other.execute(
                "SELECT state, version FROM orders WHERE id = ?", (ctx["order_id"],)
            ).fetchall()
            (audit_rows,) = other.execute("SELECT count(*) FROM order_audit").fetchone()
        finally:
            other.close()
        self.seen.append((state, version, audit_rows))


def test_actions_run_only_after_the_commit(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    inspector = CommitInspector(db_path)
    service = OrderService(conn, inspector)
    service.place_order("A-1", Decimal("30"), now=START)
    service.handle_event("A-1", Trigger.PAY, {"paid_amount": Decimal("30")}, now=START)
    assert inspector.seen == [("PAID", 2, 1)]


class FlakyPayments(Recorder):
    """capture_payment fails ``failures`` times, then works."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.calls = 0

    def capture_payment(self, ctx: Context) -> None:
        """Fail while failures remain."""
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("payment provider unavailable")
        super().capture_payment(ctx)


def test_failing_action_is_retried_as_the_error_policy_says(
    conn: sqlite3.Connection,
) -> None:
    flaky = FlakyPayments(failures=2)  # retry_attempts: 2 → three calls in all
    service = OrderService(conn, flaky)
    service.place_order("A-1", Decimal("30"), now=START)
    outcome = service.handle_event(
        "A-1", Trigger.PAY, {"paid_amount": Decimal("30")}, now=START
    )
    assert outcome.run is not None and outcome.run.all_succeeded
    assert flaky.calls == 3
    (entry,) = service.audit_trail("A-1")
    execution = entry["execution"]
    attempts = {r["name"]: r["attempts"] for r in execution["action_results"]}
    assert attempts == {"audit_exit": 1, "capture_payment": 3, "send_receipt": 1}


def test_action_failing_after_retries_keeps_the_committed_state(
    conn: sqlite3.Connection,
) -> None:
    broken = FlakyPayments(failures=10)
    service = OrderService(conn, broken)
    service.place_order("A-1", Decimal("30"), now=START)
    outcome = service.handle_event(
        "A-1", Trigger.PAY, {"paid_amount": Decimal("30")}, now=START
    )
    assert outcome.status is Status.APPLIED
    assert outcome.run is not None
    assert outcome.run.failed_actions == ("capture_payment",)
    assert broken.calls == 3
    # The other actions still ran; this spec has no default_fallback.
    assert broken.names == ["confirm_order", "audit_exit", "send_receipt"]
    assert outcome.fallback is None
    assert service.get_order("A-1").state is State.PAID
    (entry,) = service.audit_trail("A-1")
    execution = entry["execution"]
    assert execution["failed_actions"] == ["capture_payment"]
    assert execution["all_succeeded"] is False


def test_missing_action_is_reported_when_the_service_is_built(
    conn: sqlite3.Connection,
) -> None:
    with pytest.raises(ActionNotFoundError) as caught:
        OrderService(conn, {"audit_exit": lambda ctx: None})
    assert "refund_payment" in str(caught.value)


@pytest.mark.parametrize(
    ("elapsed", "expired"),
    [
        (REMIND_AFTER, True),  # exactly at the deadline
        (REMIND_AFTER - TICK, False),
        (REMIND_AFTER + timedelta(days=30), True),
    ],
)
def test_timeout_sweep_reminds_unpaid_orders_at_the_deadline(
    service: OrderService, effects: Recorder, elapsed: timedelta, expired: bool
) -> None:
    placed = service.place_order("A-1", Decimal("1"), now=START)
    assert placed.wake_at == START + REMIND_AFTER
    outcomes = service.sweep_timeouts(START + elapsed)
    order = service.get_order("A-1")
    if expired:
        assert [o.status for o in outcomes] == [Status.APPLIED]
        assert order.state is State.REMINDED
        assert order.entered_at == START + elapsed
        # One delay per sweep: the day before cancelling starts now.
        assert order.wake_at == START + elapsed + CANCEL_AFTER
        (entry,) = service.audit_trail("A-1")
        assert entry["trigger"] == "_timeout"
        assert entry["metadata"]["timeout_state"] == "PENDING"
        assert effects.names == ["confirm_order", "audit_exit", "send_payment_reminder"]
    else:
        assert outcomes == []
        assert order == placed
        assert service.audit_trail("A-1") == []


def test_a_reminded_order_is_cancelled_a_day_after_the_reminder(
    service: OrderService, effects: Recorder
) -> None:
    service.place_order("A-1", Decimal("1"), now=START)
    service.place_order("B-2", Decimal("1"), now=START)
    reminded_at = START + REMIND_AFTER
    assert len(service.sweep_timeouts(reminded_at)) == 2
    # A reminded order can still be paid.
    paid = service.handle_event(
        "B-2", Trigger.PAY, {"paid_amount": Decimal("1")}, now=reminded_at
    )
    assert paid.status is Status.APPLIED and paid.order.state is State.PAID
    assert service.sweep_timeouts(reminded_at + CANCEL_AFTER - TICK) == []
    effects.log.clear()
    (cancelled,) = service.sweep_timeouts(reminded_at + CANCEL_AFTER)
    assert (cancelled.order.id, cancelled.order.state) == ("A-1", State.CANCELLED)
    assert cancelled.order.wake_at is None  # a terminal state has no delays
    assert effects.names == []  # REMINDED and CANCELLED have no actions
    assert cancelled.result.metadata["transition_description"] == (
        "No payment a day after the reminder."
    )


def test_timeout_counts_from_entering_the_current_state(
    service: OrderService, effects: Recorder
) -> None:
    service.place_order("A-1", Decimal("1"), now=START)
    service.place_order("B-2", Decimal("1"), now=START)
    paid_at = START + REMIND_AFTER - timedelta(minutes=1)
    service.handle_event("A-1", Trigger.PAY, {"paid_amount": Decimal("1")}, now=paid_at)

    # A-1 left PENDING in time; only B-2 is past its PENDING deadline.
    outcomes = service.sweep_timeouts(START + REMIND_AFTER)
    assert [(o.order.id, o.order.state) for o in outcomes] == [("B-2", State.REMINDED)]
    outcomes = service.sweep_timeouts(START + REMIND_AFTER + CANCEL_AFTER)
    assert [(o.order.id, o.order.state) for o in outcomes] == [("B-2", State.CANCELLED)]
    assert service.sweep_timeouts(paid_at + PAID_TIMEOUT - timedelta(seconds=1)) == []

    effects.log.clear()
    (refund,) = service.sweep_timeouts(paid_at + PAID_TIMEOUT)
    assert (refund.order.id, refund.order.state) == ("A-1", State.REFUNDED)
    assert effects.names == ["notify_customer"]  # entering REFUNDED
    assert service.sweep_timeouts(paid_at + PAID_TIMEOUT * 10) == []  # terminal now


def test_a_stale_wake_up_is_moved_on_without_firing(
    service: OrderService, conn: sqlite3.Connection
) -> None:
    service.place_order("A-1", Decimal("1"), now=START)
    # A wake-up earlier than any delay (written under an older spec, say):
    # check_timeout finds nothing due and the sweep stores the real one.
    conn.execute("UPDATE orders SET wake_at = ?", ("2024-05-01T09:01:00.000000+00:00",))
    assert service.sweep_timeouts(START + timedelta(minutes=2)) == []
    order = service.get_order("A-1")
    assert (order.state, order.version, order.wake_at) == (
        State.PENDING,
        1,
        START + REMIND_AFTER,
    )


SWEEP_AT = START + REMIND_AFTER + timedelta(hours=1)


class PayOnExit(Recorder):
    """Leaving PENDING for one order pays another through a second connection."""

    def __init__(self, other: OrderService) -> None:
        super().__init__()
        self.other = other

    def audit_exit(self, ctx: Context) -> None:
        """While the sweep acts on A-1, B-2 gets paid elsewhere."""
        super().audit_exit(ctx)
        if ctx["order_id"] == "A-1":
            self.other.handle_event(
                "B-2", Trigger.PAY, {"paid_amount": Decimal("1")}, now=SWEEP_AT
            )


def test_timeout_sweep_loses_cleanly_to_a_concurrent_update(
    conn: sqlite3.Connection, other_conn: sqlite3.Connection
) -> None:
    payer = OrderService(other_conn, Recorder())
    sweeper = OrderService(conn, PayOnExit(payer))
    sweeper.place_order("A-1", Decimal("1"), now=START)
    sweeper.place_order("B-2", Decimal("1"), now=START + timedelta(seconds=1))

    outcomes = sweeper.sweep_timeouts(SWEEP_AT)
    assert [(o.order.id, o.status) for o in outcomes] == [
        ("A-1", Status.APPLIED),
        ("B-2", Status.CONFLICT),
    ]
    assert sweeper.get_order("B-2").state is State.PAID
    assert [e["trigger"] for e in sweeper.audit_trail("B-2")] == ["pay"]


def test_orders_survive_reopening_the_database(db_path: Path) -> None:
    conn = connect(db_path)
    OrderService(conn, Recorder()).place_order("A-1", Decimal("12.345"), now=START)
    conn.close()
    reopened = connect(db_path)
    order = OrderService(reopened, Recorder()).get_order("A-1")
    reopened.close()
    assert order == Order(
        id="A-1",
        state=State.PENDING,
        version=1,
        entered_at=START,
        amount=Decimal("12.345"),
        wake_at=START + REMIND_AFTER,
    )


def test_demo_prints_a_short_log(tmp_path: Path) -> None:
    lines: list[str] = []
    demo(tmp_path / "demo.sqlite3", lines.append)
    assert "A-100 pay: PENDING -> PAID" in lines
    assert "B-200 _timeout: PENDING -> REMINDED" in lines
    assert "B-200 _timeout: REMINDED -> CANCELLED" in lines
    assert lines[-2:] == [
        "audit trail of A-100: PENDING->PAID, PAID->SHIPPED, SHIPPED->DELIVERED",
        "audit trail of B-200: PENDING->REMINDED, REMINDED->CANCELLED",
    ]
