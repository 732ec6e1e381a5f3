"""The order application, one process, on SQLite and on PostgreSQL alike.

Every test runs on both databases with the same application code; the
PostgreSQL runs use a fresh database on the session's server (skipped,
saying how to run them, where no server can be had).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from gubernator_runtime import GuardRejectedError
from orders_checks import consistency_problems
from orders_db import Database, migrate
from orders_fsm import TIMEOUTS, Context, State
from orders_service import OrderRules, OrderService, Status
from orders_world import Faults, World, WorldEffects

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
PENDING_TIMEOUT = timedelta(seconds=TIMEOUTS[State.PENDING].seconds)


@dataclass
class Setup:
    """A migrated database, the outside world and a way to open connections."""

    target: str
    world_target: str
    db: Database
    world: World
    opened: list[Database]

    def open(self, target: str | None = None) -> Database:
        """Another connection (closed at the end of the test)."""
        db = Database.open(target or self.target)
        self.opened.append(db)
        return db

    def service(self, faults: Faults | None = None, **options: object) -> OrderService:
        """A service on a new connection, its actions talking to the world."""
        world = self.world

        def actions_for(key: str) -> WorldEffects:
            return WorldEffects(world, key, faults)

        return OrderService(self.open(), actions_for, **options)  # type: ignore[arg-type]

    def effects(self) -> list[tuple[str, str]]:
        """(key, action) of every effect the world applied, by key."""
        rows = self.world.db.query("SELECT key, action FROM world_effects ORDER BY key")
        return [(row["key"], row["action"]) for row in rows]

    def calls(self, key: str) -> int:
        """How many times the world was called with ``key``."""
        rows = self.world.db.query(
            "SELECT count(*) AS n FROM world_calls WHERE key = ?", (key,)
        )
        return int(rows[0]["n"])


@pytest.fixture(params=["sqlite", "postgresql"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    """The application's database on each dialect, migrated."""
    if request.param == "sqlite":
        target = f"sqlite:{tmp_path / 'orders.sqlite3'}"
        world_target = f"sqlite:{tmp_path / 'world.sqlite3'}"
    else:
        target = world_target = request.getfixturevalue("pg_database")
    db = Database.open(target)
    migrate(db)
    world = World(Database.open(world_target))
    world.create_tables()
    made = Setup(target, world_target, db, world, [db, world.db])
    yield made
    for connection in made.opened:
        connection.close()


def test_migrations_install_the_generated_guard_once(setup: Setup) -> None:
    assert migrate(setup.db) == []
    rows = setup.db.query("SELECT name FROM schema_migrations ORDER BY name")
    assert [row["name"] for row in rows] == [
        "0001_tables.sql",
        "0002_order_states.sql",
        "0003_indexes.sql",
        "0004_captured_amount.sql",
    ]
    edges = setup.db.query('SELECT count(*) AS n FROM "orders_state_edges"')
    assert edges[0]["n"] == 16


def test_an_order_goes_through_load_decide_commit_and_the_outbox(setup: Setup) -> None:
    service = setup.service()
    service.place_order("A-1", Decimal("30.00"), now=START)
    steps = [
        ("pay", {"paid_amount": Decimal("30.00")}, State.PAID),
        ("ship", {"carrier": "Swift"}, State.SHIPPED),
        ("deliver", {}, State.DELIVERED),
    ]
    for minutes, (trigger, facts, expected) in enumerate(steps, start=1):
        outcome = service.handle_event(
            "A-1", trigger, facts, now=START + timedelta(minutes=minutes)  # type: ignore[arg-type]
        )
        assert outcome.status is Status.APPLIED
        assert outcome.order.state is expected
    # Committed, not yet acted on: the actions wait in the outbox.
    assert setup.effects() == []
    dispatched = service.drain(now=START + timedelta(hours=1))
    assert [d.key for d in dispatched] == ["A-1/2", "A-1/3", "A-1/4"]
    assert all(d.run.all_succeeded for d in dispatched)
    assert setup.effects() == [
        ("A-1/2/audit_exit", "audit_exit"),
        ("A-1/2/capture_payment", "capture_payment"),
        ("A-1/2/send_receipt", "send_receipt"),
        ("A-1/3/book_carrier", "book_carrier"),
        ("A-1/3/notify_customer", "notify_customer"),
    ]
    order = service.get_order("A-1")
    assert (order.state, order.version, order.carrier) == (State.DELIVERED, 4, "Swift")
    assert order.paid_amount == Decimal("30.00")
    trail = service.audit_trail("A-1")
    assert [(r["from_state"], r["to_state"], r["trigger"]) for r in trail] == [
        ("PENDING", "PAID", "pay"),
        ("PAID", "SHIPPED", "ship"),
        ("SHIPPED", "DELIVERED", "deliver"),
    ]
    assert trail[0]["entry"]["extra"] == {"payload": {"paid_amount": "30.00"}}
    assert all(r["execution"]["all_succeeded"] for r in trail)
    assert service.drain(now=START) == []


def _stored(setup: Setup, order_id: str) -> tuple[str, int, Decimal | None]:
    """(state, version, captured_amount) as a fresh connection sees the row."""
    rows = setup.open().query(
        "SELECT state, version, captured_amount FROM orders WHERE id = ?", (order_id,)
    )
    captured = rows[0]["captured_amount"]
    return (
        str(rows[0]["state"]),
        rows[0]["version"],
        None if captured is None else Decimal(captured),
    )


class CrashesBeforeCommit(OrderService):
    """Fails inside the transaction that wrote an order, before its COMMIT."""

    def _written(self, order: object) -> None:
        raise RuntimeError("the process died before COMMIT")


def test_pay_stores_its_context_updates_with_the_state_or_not_at_all(
    setup: Setup,
) -> None:
    service = setup.service()
    service.place_order("A-1", Decimal("30.00"), now=START)
    facts = {"paid_amount": Decimal("31.00")}
    crashing = CrashesBeforeCommit(setup.open(), service._actions_for)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="before COMMIT"):
        crashing.handle_event("A-1", "pay", facts, now=START)  # type: ignore[arg-type]
    # Rolled back together: neither the state nor the captured amount.
    assert _stored(setup, "A-1") == ("PENDING", 1, None)
    assert service.audit_trail("A-1") == []

    outcome = service.handle_event("A-1", "pay", facts, now=START)  # type: ignore[arg-type]
    assert dict(outcome.result.context_updates) == {"captured_amount": Decimal("30.00")}
    assert _stored(setup, "A-1") == ("PAID", 2, Decimal("30.00"))
    assert service.get_order("A-1").captured_amount == Decimal("30.00")
    (row,) = service.audit_trail("A-1")
    assert row["entry"]["context_updates"] == {"captured_amount": "30.00"}
    # The outbox message carries the order as committed, updates included.
    (dispatched,) = service.drain(now=START)
    assert dispatched.run.all_succeeded
    service.handle_event("A-1", "ship", now=START)
    assert _stored(setup, "A-1") == ("SHIPPED", 3, Decimal("30.00"))


def test_a_refused_event_writes_nothing(setup: Setup) -> None:
    service = setup.service()
    placed = service.place_order("A-1", Decimal("30"), now=START)
    outcome = service.handle_event(
        "A-1", "pay", {"paid_amount": Decimal("29.99")}, now=START
    )
    assert outcome.status is Status.REJECTED
    assert isinstance(outcome.result.error, GuardRejectedError)
    assert service.get_order("A-1") == placed
    assert service.audit_trail("A-1") == []
    assert service.drain(now=START) == []


class RacingRules(OrderRules):
    """A payment guard that lets ``compete`` commit first, the first time only."""

    def __init__(self, compete: Callable[[], object]) -> None:
        self._compete: Callable[[], object] | None = compete

    def payment_covers_amount(self, ctx: Context) -> bool:
        """Let the competitor win the race, then decide as usual."""
        if self._compete is not None:
            compete, self._compete = self._compete, None
            compete()
        return super().payment_covers_amount(ctx)


@pytest.mark.parametrize(
    ("attempts", "status"), [(1, Status.CONFLICT), (3, Status.REJECTED)]
)
def test_a_lost_race_writes_nothing_and_is_decided_again(
    setup: Setup, attempts: int, status: Status
) -> None:
    winner = setup.service(actor="winner")
    winner.place_order("A-1", Decimal("30"), now=START)

    def compete() -> None:
        assert winner.handle_event("A-1", "cancel", now=START).status is Status.APPLIED

    loser = setup.service(
        actor="loser", guards=RacingRules(compete), max_attempts=attempts
    )
    outcome = loser.handle_event(
        "A-1", "pay", {"paid_amount": Decimal("30")}, now=START
    )
    # Decided from PENDING; the cancel committed first, so the compare-and-set
    # matched nothing. Retried on the fresh row, pay is refused in CANCELLED.
    assert outcome.status is status
    trail = winner.audit_trail("A-1")
    assert [(r["trigger"], r["actor"]) for r in trail] == [("cancel", "winner")]
    assert winner.get_order("A-1").version == 2


def test_a_flaky_action_is_retried_and_takes_effect_once(setup: Setup) -> None:
    # One in one: every call fails on its first attempt, then works.
    service = setup.service(Faults(flaky_one_in=1))
    service.place_order("A-1", Decimal("5"), now=START)
    service.handle_event("A-1", "pay", {"paid_amount": Decimal("5")}, now=START)
    (dispatched,) = service.drain(now=START)
    assert dispatched.run.all_succeeded
    assert [r.attempts for r in dispatched.run.action_results] == [2, 2, 2]
    assert setup.calls("A-1/2/capture_payment") == 2
    assert ("A-1/2/capture_payment", "capture_payment") in setup.effects()


def test_an_action_that_keeps_failing_falls_back_to_on_hold(setup: Setup) -> None:
    service = setup.service(Faults(broken_orders=frozenset({"A-1"})))
    service.place_order("A-1", Decimal("5"), now=START)
    service.handle_event("A-1", "pay", {"paid_amount": Decimal("5")}, now=START)
    first, second = service.drain(now=START)
    assert first.run.failed_actions == ("capture_payment",)
    assert setup.calls("A-1/2/capture_payment") == 3  # retry_attempts: 2
    assert first.fallback is not None and first.fallback.status is Status.APPLIED
    assert second.key == "A-1/3"  # the fallback's own actions, via the outbox
    assert [r.name for r in second.run.action_results] == ["page_operator"]
    order = service.get_order("A-1")
    assert (order.state, order.version) == (State.ON_HOLD, 3)
    trail = service.audit_trail("A-1")
    assert [(r["from_state"], r["to_state"], r["trigger"]) for r in trail] == [
        ("PENDING", "PAID", "pay"),
        ("PAID", "ON_HOLD", "_fallback"),
    ]
    assert trail[0]["execution"]["failed_actions"] == ["capture_payment"]
    effects = dict(setup.effects())
    assert "A-1/2/capture_payment" not in effects
    assert effects["A-1/3/page_operator"] == "page_operator"


class DiesAfterActions(OrderService):
    """A dispatcher that fails after running the actions, before marking done."""

    def _acted(self, key: str) -> None:
        raise KeyboardInterrupt(f"dispatcher stopped after acting on {key}")


def test_a_dispatcher_that_dies_leaves_the_message_for_another(setup: Setup) -> None:
    world = setup.world

    def actions_for(key: str) -> WorldEffects:
        return WorldEffects(world, key)

    dying = DiesAfterActions(setup.open(), actions_for)
    dying.place_order("A-1", Decimal("5"), now=START)
    dying.handle_event("A-1", "pay", {"paid_amount": Decimal("5")}, now=START)
    with pytest.raises(KeyboardInterrupt):
        dying.dispatch(now=START)
    # The actions ran, but the message is still pending: run it again.
    (again,) = setup.service().drain(now=START)
    assert again.key == "A-1/2" and again.run.all_succeeded
    assert setup.calls("A-1/2/capture_payment") == 2  # at least once...
    effects = [key for key, _ in setup.effects()]
    assert effects.count("A-1/2/capture_payment") == 1  # ...and once per key
    assert len(effects) == 3


def test_the_timeout_sweep_commits_expired_orders_only(setup: Setup) -> None:
    service = setup.service()
    service.place_order("old", Decimal("1"), now=START)
    service.place_order("new", Decimal("1"), now=START + timedelta(hours=1))
    swept = service.sweep_timeouts(START + PENDING_TIMEOUT, batch=1)
    assert [(o.status, o.order.id, o.order.state) for o in swept] == [
        (Status.APPLIED, "old", State.CANCELLED)
    ]
    assert service.sweep_timeouts(START + PENDING_TIMEOUT) == []
    (trail,) = service.audit_trail("old")
    assert (trail["trigger"], trail["to_state"]) == ("_timeout", "CANCELLED")
    assert service.get_order("new").state is State.PENDING
    (dispatched,) = service.drain(now=START)
    assert [r.name for r in dispatched.run.action_results] == ["audit_exit"]


#: Legal raw updates that take a new order to a state.
LEGAL_PATH = {
    "PENDING": (),
    "PAID": ("PAID",),
    "DELIVERED": ("PAID", "SHIPPED", "DELIVERED"),
}


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("PENDING", "PAID", True),  # an edge (pay), even without the machine
        ("PENDING", "PENDING", True),  # the same state: always allowed
        ("PENDING", "SHIPPED", False),  # no edge
        ("DELIVERED", "PENDING", False),  # out of a terminal state
        ("PAID", "ON_HOLD", True),  # the fallback edge
        ("PENDING", "LOST", False),  # no state at all
    ],
)
def test_the_database_refuses_state_changes_along_no_edge(
    setup: Setup, start: str, target: str, allowed: bool
) -> None:
    db = setup.db
    setup.service().place_order("A-1", Decimal("1"), now=START)

    def bypass(state: str) -> None:
        """An UPDATE that goes around the machine."""
        with db.transaction():
            db.execute("UPDATE orders SET state = ? WHERE id = ?", (state, "A-1"))

    for step in LEGAL_PATH[start]:
        bypass(step)
    if allowed:
        bypass(target)
        expected = target
    else:
        with pytest.raises(db.refusal_errors):
            bypass(target)
        expected = start
    assert db.query("SELECT state FROM orders")[0]["state"] == expected


def test_the_database_refuses_a_new_row_in_no_state(setup: Setup) -> None:
    db = setup.db
    with pytest.raises(db.refusal_errors), db.transaction():
        db.execute(
            "INSERT INTO orders (id, state, version, entered_at, amount,"
            " items_in_stock) VALUES (?, ?, 1, ?, ?, ?)",
            ("X", "LIMBO", db.time_param(START), db.decimal_param(Decimal(1)), True),
        )
    assert db.query("SELECT id FROM orders") == []


#: Ways to break the database behind the application's back, each with a
#: fragment of the problem the consistency check must report.
CORRUPTIONS = {
    "audit row lost": (
        "DELETE FROM order_audit WHERE version = 3",
        "audit versions [2], expected [2, 3]",
    ),
    "state changed without an audit row": (
        "UPDATE orders SET state = 'DELIVERED'",
        "audit ends in SHIPPED, the order is DELIVERED",
    ),
    "audit row of no edge": (
        "UPDATE order_audit SET trigger = 'teleport' WHERE version = 2",
        "is no edge",
    ),
    "outbox message lost": (
        "DELETE FROM order_outbox WHERE version = 2",
        "outbox and audit differ",
    ),
    "message never dispatched": (
        "UPDATE order_outbox SET done_at = NULL WHERE version = 2",
        "never dispatched",
    ),
    "effect of no action": (
        "world:INSERT INTO world_effects VALUES ('A-1/2/refund_payment', 'r', 'A-1')",
        "effects differ from successful actions",
    ),
    "action never called": (
        "world:DELETE FROM world_calls WHERE key = 'A-1/3/book_carrier'",
        "actions never called",
    ),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_the_consistency_check_finds_what_is_broken(
    setup: Setup, corruption: str
) -> None:
    service = setup.service()
    service.place_order("A-1", Decimal("5"), now=START)
    service.handle_event("A-1", "pay", {"paid_amount": Decimal("5")}, now=START)
    service.handle_event("A-1", "ship", now=START)
    service.drain(now=START)
    assert consistency_problems(setup.db, world=setup.world) == []
    statement, problem = CORRUPTIONS[corruption]
    # SHIPPED -> DELIVERED is an edge, so the state guard lets the raw UPDATE
    # through: only the audit trail can tell that no event asked for it.
    on_world = statement.startswith("world:")
    statement = statement.removeprefix("world:")
    db = setup.world.db if on_world else setup.db
    with db.transaction():
        db.execute(statement)
    problems = consistency_problems(setup.db, world=setup.world)
    assert any(problem in text for text in problems), problems
