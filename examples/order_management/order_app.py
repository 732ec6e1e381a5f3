"""Orders on SQLite, driven by the generated ``order_fsm`` machine.

Every event for an order goes through the same four steps:

1. **load** the order row: its state, its version and the facts the guards
   need;
2. **decide** with ``machine.process``, a pure function of that row and the
   event, which writes nothing;
3. **commit** the new state, the context updates its ``assign`` computed
   (``result.context_updates``: the amount captured by ``pay``) and one
   audit row in a single transaction. The
   ``UPDATE`` is a compare-and-set on the state and version that were loaded,
   so when another writer changed the order in between, this update matches
   no row and is rolled back: the event loses cleanly (``Status.CONFLICT``)
   and nothing is written twice;
4. **act**: only after the commit, run the transition's actions through the
   runtime's executor, which retries them as the spec's ``error_policy``
   says. Side effects therefore never happen for a transition that was not
   stored. If the executor proposes a fallback, it is stored and acted on
   the same way.

Delays: an unpaid order is reminded after an hour (``after:`` on
``PENDING``) and cancelled a day after the reminder (``after:`` on
``REMINDED``); a paid order that is not shipped within two days is refunded
(``timeout`` on ``PAID``, one more such delay). The machine has no clock:
each row keeps when its state was entered (``entered_at``) and ``wake_at``,
the moment its next delay falls due, which ``machine.next_deadline`` gives
when the row is written. ``sweep_timeouts`` reads only the rows whose
``wake_at`` has come, lets ``machine.check_timeout`` decide, and stores
what fires through the same commit-and-act path. Every function takes an
explicit ``now`` so that tests control the clock.

The database runs in WAL mode, so readers (a report holding a transaction
open for minutes, say) never block the commit and the commit never blocks
them. Writers still take turns: a commit waits up to the connection's busy
timeout (``connect(busy_timeout=...)``, 5 s by default) for another writer
to finish. If the database is still locked then, the event's outcome is
``Status.BUSY``: its transaction was rolled back, nothing was written, no
action ran, and the same event can simply be handled again later.

Run ``python examples/order_management/order_app.py`` for a short demo.
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
from decimal import Decimal
from pathlib import Path
from typing import Any, TypedDict

from gubernator_runtime import (
    Event,
    ExecutionResult,
    TransitionResult,
    as_utc,
    audit_entry,
    to_json,
)
from order_fsm import (
    Actions,
    Context,
    Guards,
    OrderManagement,
    State,
    Trigger,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id             TEXT PRIMARY KEY,
    state          TEXT NOT NULL,
    version        INTEGER NOT NULL,  -- +1 on every transition: the CAS token
    entered_at     TEXT NOT NULL,     -- ISO 8601 UTC, fixed width: sorts as text
    wake_at        TEXT,              -- when the next delay is due; NULL if none
    amount         TEXT NOT NULL,     -- Decimal as text: SQLite has no exact decimal
    paid_amount    TEXT,
    captured_amount TEXT,             -- set by pay's assign, with the state
    items_in_stock INTEGER NOT NULL,
    carrier        TEXT
);
CREATE TABLE IF NOT EXISTS order_audit (
    id        INTEGER PRIMARY KEY,
    order_id  TEXT NOT NULL REFERENCES orders (id),
    version   INTEGER NOT NULL,  -- the order version this transition created
    entry     TEXT NOT NULL,     -- the runtime's audit_entry() as JSON
    execution TEXT,              -- the actions' run as JSON; NULL until it is stored
    UNIQUE (order_id, version)
);
CREATE INDEX IF NOT EXISTS orders_wake_at ON orders (wake_at) WHERE wake_at IS NOT NULL;
"""


#: Seconds a write waits for another connection's write lock (SQLite's busy
#: timeout) before the event's outcome is ``Status.BUSY``.
BUSY_TIMEOUT = 5.0

# SQLITE_BUSY and SQLITE_LOCKED: the primary codes of "database is locked".
_LOCKED_CODES = (5, 6)


def connect(
    path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT
) -> sqlite3.Connection:
    """Open the database in WAL mode, with explicit transactions and named columns.

    ``isolation_level=None`` stops the ``sqlite3`` module from opening
    transactions behind our back; this module issues ``BEGIN IMMEDIATE``
    itself, so each commit takes the write lock before it reads the row it
    compares against. WAL (kept in the file once set) lets readers and the
    writer work at the same time; ``busy_timeout`` is how long, in seconds,
    a write waits for another writer.
    """
    conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the ``orders`` and ``order_audit`` tables if they are missing."""
    conn.executescript(SCHEMA)


def _timestamp(moment: datetime) -> str:
    # One format everywhere, so that text comparison in SQL is time order.
    return as_utc(moment).isoformat(timespec="microseconds")


def _optional_timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else _timestamp(moment)


class OrderFacts(TypedDict, total=False):
    """Facts an event may bring; they are stored when the event is accepted."""

    paid_amount: Decimal
    items_in_stock: bool
    carrier: str


@dataclass(frozen=True, slots=True)
class Order:
    """One row of the ``orders`` table."""

    id: str
    state: State
    version: int
    entered_at: datetime
    amount: Decimal
    paid_amount: Decimal | None = None
    captured_amount: Decimal | None = None
    items_in_stock: bool = True
    carrier: str | None = None
    wake_at: datetime | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Order:
        """Build an order from a ``SELECT * FROM orders`` row."""
        paid = row["paid_amount"]
        captured = row["captured_amount"]
        wake = row["wake_at"]
        return cls(
            id=row["id"],
            state=State(row["state"]),
            version=row["version"],
            entered_at=datetime.fromisoformat(row["entered_at"]),
            amount=Decimal(row["amount"]),
            paid_amount=None if paid is None else Decimal(paid),
            captured_amount=None if captured is None else Decimal(captured),
            items_in_stock=bool(row["items_in_stock"]),
            carrier=row["carrier"],
            wake_at=None if wake is None else datetime.fromisoformat(wake),
        )

    def context(self) -> Context:
        """The machine's view of this order (guards and actions read it)."""
        ctx: Context = {
            "order_id": self.id,
            "amount": self.amount,
            "items_in_stock": self.items_in_stock,
        }
        if self.paid_amount is not None:
            ctx["paid_amount"] = self.paid_amount
        if self.captured_amount is not None:
            ctx["captured_amount"] = self.captured_amount
        if self.carrier is not None:
            ctx["carrier"] = self.carrier
        return ctx

    def entry_times(self) -> dict[str, datetime]:
        """When each active state was entered, as ``check_timeout`` and
        ``next_deadline`` take it.

        The order machine has no nested or parallel states, so its one
        active state is the stored one, entered when the row last changed
        state. (A statechart with regions keeps one time per state: see
        examples/deployment_pipeline.)
        """
        return {self.state.value: self.entered_at}

    def with_facts(self, facts: OrderFacts) -> Order:
        """This order with an accepted event's facts applied."""
        return replace(
            self,
            paid_amount=facts.get("paid_amount", self.paid_amount),
            items_in_stock=facts.get("items_in_stock", self.items_in_stock),
            carrier=facts.get("carrier", self.carrier),
        )

    def with_updates(self, updates: Mapping[str, object]) -> Order:
        """This order with a result's ``context_updates`` applied.

        The spec's ``assign`` sets only ``captured_amount``; any other field
        would be a column this application does not store, so it is refused
        rather than dropped.
        """
        unknown = set(updates) - {"captured_amount"}
        if unknown:
            raise ValueError(f"context updates this order cannot store: {unknown}")
        captured = updates.get("captured_amount", self.captured_amount)
        if captured is not None and not isinstance(captured, Decimal):
            raise TypeError(f"captured_amount must be a Decimal, not {captured!r}")
        return replace(self, captured_amount=captured)


class OrderRules:
    """The guards of ``order_fsm.yaml``: pure functions of the context."""

    def payment_covers_amount(self, ctx: Context) -> bool:
        """The payment that came with the event covers the whole amount."""
        return ctx.get("paid_amount", Decimal(0)) >= ctx["amount"]

    def items_in_stock(self, ctx: Context) -> bool:
        """The warehouse has every item of the order."""
        return ctx["items_in_stock"]


class OrderEffects:
    """The actions of ``order_fsm.yaml``, talking to a pretend outside world.

    Each action reports what it would do through ``log`` (``print`` by
    default); a real application would call its payment provider, mailer and
    carrier here. Actions run after the commit, so they may fail: the
    executor retries them (``error_policy.retry_attempts``) and reports what
    still failed.
    """

    def __init__(self, log: Callable[[str], object] = print) -> None:
        self._log = log

    def confirm_order(self, ctx: Context) -> None:
        """Confirm a new order to the customer."""
        self._log(f"confirm_order: order {ctx['order_id']} confirmed")

    def audit_exit(self, ctx: Context) -> None:
        """Note that the order left PENDING."""
        self._log(f"audit_exit: order {ctx['order_id']} left PENDING")

    def send_payment_reminder(self, ctx: Context) -> None:
        """Remind the customer that the order is still unpaid."""
        self._log(f"send_payment_reminder: order {ctx['order_id']} is unpaid")

    def capture_payment(self, ctx: Context) -> None:
        """Capture the customer's payment."""
        self._log(f"capture_payment: {ctx.get('paid_amount')} for {ctx['order_id']}")

    def send_receipt(self, ctx: Context) -> None:
        """E-mail the receipt."""
        self._log(f"send_receipt: receipt for order {ctx['order_id']}")

    def book_carrier(self, ctx: Context) -> None:
        """Book the carrier that collects the parcel."""
        self._log(f"book_carrier: {ctx.get('carrier', 'default carrier')}")

    def notify_customer(self, ctx: Context) -> None:
        """Tell the customer about the order's progress."""
        self._log(f"notify_customer: order {ctx['order_id']} has moved on")

    def refund_payment(self, ctx: Context) -> None:
        """Send the money back."""
        self._log(f"refund_payment: {ctx.get('paid_amount')} for {ctx['order_id']}")


class Status(str, enum.Enum):
    """What became of one event (or one expired timeout)."""

    APPLIED = "applied"  # stored, then acted on
    REJECTED = "rejected"  # the machine refused it; nothing was written
    CONFLICT = "conflict"  # another writer changed the order first; nothing written
    BUSY = "busy"  # the database stayed locked; nothing written: retry later


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision for one order and, when it was applied, what followed.

    ``order`` is the order as stored after the commit (``APPLIED``) or as
    loaded (otherwise). ``run`` reports the actions, ``fallback`` the outcome
    of the fallback transition the executor proposed, if any.
    ``run_stored`` is False when the actions ran but the database stayed
    locked while their report was written to the audit row (its
    ``execution`` stays NULL; the transition itself is stored).
    """

    status: Status
    result: TransitionResult[State]
    order: Order
    run: ExecutionResult[State] | None = None
    fallback: Outcome | None = None
    run_stored: bool = True


class UnknownOrderError(LookupError):
    """No order has the given id."""


class DatabaseBusyError(RuntimeError):
    """The database stayed locked past the busy timeout; nothing was written.

    Raised where there is no event outcome to report it in (``place_order``);
    trying again later is safe.
    """


def is_locked(error: sqlite3.OperationalError) -> bool:
    """True when ``error`` means another connection holds a lock we need."""
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in _LOCKED_CODES
    return str(error).startswith(("database is locked", "database table is locked"))


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    A lock that outlasts the busy timeout (at ``BEGIN`` or at ``COMMIT``)
    becomes :class:`DatabaseBusyError`, with the transaction rolled back.
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


class OrderService:
    """Applies events and timeouts to the orders of one database connection.

    Give each thread (or process) its own ``OrderService`` and connection;
    they may share the database file: the compare-and-set makes concurrent
    updates of one order safe, and a database that stays locked makes an
    event ``Status.BUSY`` rather than an exception.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        actions: Actions | Mapping[str, Callable[[Context], object]],
        guards: Guards | None = None,
    ) -> None:
        self._conn = conn
        self._machine = OrderManagement(
            guards=OrderRules() if guards is None else guards
        )
        self._executor = self._machine.executor(actions)

    def place_order(
        self,
        order_id: str,
        amount: Decimal,
        *,
        now: datetime,
        items_in_stock: bool = True,
    ) -> Order:
        """Create an order: insert it in the state ``machine.start()`` decides,
        then, once the insert is committed, run the entry actions of that
        state (load → decide → commit → act, with no state to load).

        ``DatabaseBusyError`` if another writer kept the database locked
        past the busy timeout (nothing is inserted and no action runs).
        """
        started = self._machine.start()
        assert started.target_state is not None  # start() always enters a state
        order = self._scheduled(
            Order(
                id=order_id,
                state=started.target_state,
                version=1,
                entered_at=as_utc(now),
                amount=amount,
                items_in_stock=items_in_stock,
            )
        )
        with write_transaction(self._conn) as conn:
            conn.execute(
                "INSERT INTO orders (id, state, version, entered_at, wake_at,"
                " amount, items_in_stock) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    order.id,
                    order.state.value,
                    order.version,
                    _timestamp(order.entered_at),
                    _optional_timestamp(order.wake_at),
                    str(order.amount),
                    order.items_in_stock,
                ),
            )
        self._executor.execute(started, order.context())
        return order

    def get_order(self, order_id: str) -> Order:
        """Load one order; ``UnknownOrderError`` if there is none."""
        # fetchall() finishes the statement at once, so no read lock lingers.
        rows = self._conn.execute(
            "SELECT * FROM orders WHERE id = ?", (order_id,)
        ).fetchall()
        if not rows:
            raise UnknownOrderError(order_id)
        return Order.from_row(rows[0])

    def handle_event(
        self,
        order_id: str,
        trigger: Trigger | str,
        facts: OrderFacts | None = None,
        *,
        now: datetime,
    ) -> Outcome:
        """Load → decide → commit → act for one event.

        ``facts`` is the event's payload: the guards see it merged over the
        order, and it is stored with the new state when the event is
        accepted. A refused event writes nothing (``Status.REJECTED``); an
        event that lost a race with another writer writes nothing either
        (``Status.CONFLICT``) and may be retried on the fresh row; so does
        one that found the database locked past the busy timeout
        (``Status.BUSY``).
        """
        payload: OrderFacts = {} if facts is None else facts
        order = self.get_order(order_id)
        event = Event(trigger, payload, timestamp=now)
        result = self._machine.process(order.state, event, order.context())
        if not result.success:
            return Outcome(Status.REJECTED, result, order)
        return self._commit_and_act(
            order, order.with_facts(payload), result, now, event
        )

    def sweep_timeouts(self, now: datetime) -> list[Outcome]:
        """Move every order whose state's delay has come due at ``now``.

        The query only narrows the rows down by ``wake_at``; the machine's
        ``check_timeout`` makes the decision, exactly as for events. A row
        it finds nothing due for (a stale ``wake_at``) gets its next
        deadline instead. The sweep stops at the first ``Status.BUSY``
        outcome (the last in the list): the next sweep takes up the orders
        left.
        """
        rows = self._conn.execute(
            "SELECT * FROM orders WHERE wake_at <= ? ORDER BY wake_at, id",
            (_timestamp(now),),
        ).fetchall()
        outcomes: list[Outcome] = []
        for order in map(Order.from_row, rows):
            result = self._machine.check_timeout(
                order.state, order.entry_times(), now, order.context()
            )
            if result is None:
                self._reschedule(order, now)
                continue
            outcome = self._commit_and_act(order, order, result, now, None)
            outcomes.append(outcome)
            if outcome.status is Status.BUSY:
                break
        return outcomes

    def audit_trail(self, order_id: str) -> list[dict[str, Any]]:
        """The order's audit entries, oldest first, each with its ``execution``."""
        rows = self._conn.execute(
            "SELECT entry, execution FROM order_audit WHERE order_id = ? ORDER BY id",
            (order_id,),
        ).fetchall()
        trail: list[dict[str, Any]] = []
        for row in rows:
            entry: dict[str, Any] = json.loads(row["entry"])
            execution = row["execution"]
            entry["execution"] = None if execution is None else json.loads(execution)
            trail.append(entry)
        return trail

    def _commit_and_act(
        self,
        loaded: Order,
        updated: Order,
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
        order, audit_id = stored
        run = self._executor.execute(result, order.context())
        run_stored = self._store_run(audit_id, run)
        fallback = None
        if run.fallback is not None:
            # The executor never proposes a fallback out of the fallback
            # state itself, so this recursion ends after one step.
            fallback = self._commit_and_act(order, order, run.fallback, now, None)
        return Outcome(Status.APPLIED, result, order, run, fallback, run_stored)

    def _scheduled(self, order: Order) -> Order:
        """``order`` with ``wake_at`` set to its state's next deadline."""
        wake = self._machine.next_deadline(order.state, order.entry_times())
        return replace(order, wake_at=wake)

    def _reschedule(self, order: Order, now: datetime) -> None:
        """Move ``wake_at`` past the delays already tried at ``now``."""
        wake = self._machine.next_deadline(order.state, order.entry_times(), after=now)
        try:
            with write_transaction(self._conn) as conn:
                conn.execute(
                    "UPDATE orders SET wake_at = ? WHERE id = ? AND version = ?",
                    (_optional_timestamp(wake), order.id, order.version),
                )
        except DatabaseBusyError:
            pass  # the next sweep looks at the row again

    def _store_run(self, audit_id: int, run: ExecutionResult[State]) -> bool:
        """Record the actions' report in their audit row; False if locked out.

        The actions have run by now, so a locked database cannot undo
        anything: the report is simply missing from the row.
        """
        try:
            self._conn.execute(
                "UPDATE order_audit SET execution = ? WHERE id = ?",
                (to_json(run), audit_id),
            )
        except sqlite3.OperationalError as exc:
            if not is_locked(exc):
                raise
            return False
        return True

    def _commit(
        self,
        loaded: Order,
        updated: Order,
        result: TransitionResult[State],
        now: datetime,
        event: Event | None,
    ) -> tuple[Order, int] | None:
        """Write the new state, the result's context updates and its audit
        row in one transaction.

        Returns the stored order and the audit row's id, or ``None`` when the
        row no longer has the loaded state and version (nothing is written).
        ``DatabaseBusyError`` when the database stayed locked (nothing is
        written either).
        """
        target = result.target_state
        if target is None:
            raise ValueError("only a successful result can be stored")
        order = self._scheduled(
            replace(
                updated.with_updates(result.context_updates),
                state=target,
                version=loaded.version + 1,
                entered_at=as_utc(now),
            )
        )
        payload = None if event is None else {"payload": event.payload}
        entry = audit_entry(result, order.id, timestamp=now, event=event, extra=payload)
        with write_transaction(self._conn) as conn:
            cursor = conn.execute(
                "UPDATE orders SET state = ?, version = ?, entered_at = ?,"
                " wake_at = ?, paid_amount = ?, captured_amount = ?,"
                " items_in_stock = ?, carrier = ?"
                " WHERE id = ? AND state = ? AND version = ?",
                (
                    order.state.value,
                    order.version,
                    _timestamp(order.entered_at),
                    _optional_timestamp(order.wake_at),
                    None if order.paid_amount is None else str(order.paid_amount),
                    (
                        None
                        if order.captured_amount is None
                        else str(order.captured_amount)
                    ),
                    order.items_in_stock,
                    order.carrier,
                    loaded.id,
                    loaded.state.value,
                    loaded.version,
                ),
            )
            if cursor.rowcount != 1:
                return None  # committing an empty transaction writes nothing
            cursor = conn.execute(
                "INSERT INTO order_audit (order_id, version, entry) VALUES (?, ?, ?)",
                (order.id, order.version, to_json(entry)),
            )
            audit_id = cursor.lastrowid
        assert audit_id is not None  # set by every successful INSERT
        return order, audit_id


def _describe(outcome: Outcome) -> str:
    """One line per event for the demo's log."""
    result = outcome.result
    # The trigger is a Trigger member (or "_timeout"); show its plain value.
    trigger = (
        result.trigger.value if isinstance(result.trigger, Trigger) else result.trigger
    )
    head = f"{outcome.order.id} {trigger}:"
    if outcome.status is Status.APPLIED:
        return f"{head} {result.source_state.value} -> {outcome.order.state.value}"
    if outcome.status is Status.REJECTED:
        return f"{head} refused in {result.source_state.value}: {result.error}"
    if outcome.status is Status.BUSY:
        return f"{head} database busy; nothing written, try again later"
    return f"{head} lost a race with another writer; nothing written"


def demo(database: Path, out: Callable[[str], object] = print) -> None:
    """Run a short scenario on a fresh database at ``database``."""
    conn = connect(database)
    create_schema(conn)
    done: list[str] = []  # what the actions did, shown under each event
    service = OrderService(conn, OrderEffects(done.append))

    def show(outcome: Outcome) -> None:
        out(_describe(outcome))
        for line in done:
            out(f"    action {line}")
        done.clear()

    start = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
    service.place_order("A-100", Decimal("30.00"), now=start)
    service.place_order("B-200", Decimal("12.50"), now=start)
    out("placed A-100 (30.00) and B-200 (12.50): both PENDING")
    for line in done:  # the entry actions of the state start() chose
        out(f"    action {line}")
    done.clear()
    steps: list[tuple[Trigger, OrderFacts, timedelta]] = [
        (Trigger.PAY, {"paid_amount": Decimal("20.00")}, timedelta(minutes=5)),
        (Trigger.PAY, {"paid_amount": Decimal("30.00")}, timedelta(minutes=6)),
        (Trigger.SHIP, {"carrier": "Swift Parcels"}, timedelta(hours=3)),
        (Trigger.DELIVER, {}, timedelta(days=1)),
    ]
    for trigger, facts, after in steps:
        show(service.handle_event("A-100", trigger, facts, now=start + after))

    # B-200 is never paid: reminded after an hour, cancelled a day later.
    for later in (start + timedelta(hours=1), start + timedelta(days=1, hours=1)):
        out(f"timeout sweep at {later:%Y-%m-%d %H:%M} UTC:")
        for outcome in service.sweep_timeouts(later):
            show(outcome)
    for order_id in ("A-100", "B-200"):
        trail = [
            f"{e['from_state']}->{e['to_state']}" for e in service.audit_trail(order_id)
        ]
        out(f"audit trail of {order_id}: {', '.join(trail)}")
    conn.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        demo(Path(folder) / "orders.sqlite3")
