"""The outside world the order actions talk to, and the actions themselves.

A real application's actions call a payment provider, a mailer, a carrier.
Here :class:`World` stands for all of them: a database of its own (never
the transaction of the dispatcher that calls it, exactly like a remote
service) that logs every call and applies each *effect* once per
idempotency key, as payment providers do with an idempotency-key header.
So an action that runs twice (a dispatcher died after calling it, and
another one ran the message again) is called twice but takes effect once.

:class:`Faults` makes calls fail on purpose, to show the executor's
retries (a flaky call fails once, then works) and its fallback (a broken
call fails every time, so the order falls back to ``ON_HOLD``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from orders_db import Database
from orders_fsm import Context

WORLD_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS world_calls ("
    " key TEXT NOT NULL, action TEXT NOT NULL, order_id TEXT NOT NULL,"
    " ok BOOLEAN NOT NULL)",
    "CREATE TABLE IF NOT EXISTS world_effects ("
    " key TEXT PRIMARY KEY, action TEXT NOT NULL, order_id TEXT NOT NULL)",
)


class ActionFailed(ConnectionError):
    """The outside world did not answer (a fault made on purpose)."""


class World:
    """A pretend remote service with its own connection (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_tables(self) -> None:
        """Create the world's two tables if they are missing."""
        with self.db.transaction():
            for statement in WORLD_SCHEMA:
                self.db.execute(statement)

    def call(self, key: str, action: str, order_id: str, *, ok: bool) -> None:
        """Log one call; apply its effect once per ``key`` when ``ok``."""
        db = self.db
        with db.transaction():
            db.execute(
                "INSERT INTO world_calls (key, action, order_id, ok)"
                " VALUES (?, ?, ?, ?)",
                (key, action, order_id, ok),
            )
            if ok:
                db.execute(
                    "INSERT INTO world_effects (key, action, order_id) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO NOTHING",
                    (key, action, order_id),
                )
        if not ok:
            raise ActionFailed(f"{action} for {order_id}: no answer")


@dataclass(frozen=True, slots=True)
class Faults:
    """Which calls fail: ``flaky_one_in`` (a call whose key hashes to 0 modulo
    it fails on its first attempt) and ``broken_orders`` (their
    ``capture_payment`` always fails)."""

    flaky_one_in: int = 0
    broken_orders: frozenset[str] = field(default_factory=frozenset)

    def fails(self, key: str, action: str, order_id: str, attempt: int) -> bool:
        """Whether attempt number ``attempt`` of this call fails."""
        if action == "capture_payment" and order_id in self.broken_orders:
            return True
        if self.flaky_one_in and attempt == 1:
            digest = hashlib.sha256(key.encode("utf-8")).digest()
            return int.from_bytes(digest[:4], "big") % self.flaky_one_in == 0
        return False


class WorldEffects:
    """The actions of ``orders_fsm.yaml`` for one outbox message.

    ``key_base`` is the message's ``<order>/<version>``; each action's call
    carries ``<order>/<version>/<action>``. ``log`` sees one line per
    successful call.
    """

    def __init__(
        self,
        world: World,
        key_base: str,
        faults: Faults | None = None,
        log: Callable[[str], object] | None = None,
    ) -> None:
        self._world = world
        self._key_base = key_base
        self._faults = faults or Faults()
        self._log = log
        self._attempts: dict[str, int] = {}

    def _call(self, action: str, ctx: Context, what: str) -> None:
        key = f"{self._key_base}/{action}"
        attempt = self._attempts[key] = self._attempts.get(key, 0) + 1
        order_id = ctx["order_id"]
        ok = not self._faults.fails(key, action, order_id, attempt)
        self._world.call(key, action, order_id, ok=ok)
        if self._log is not None:
            self._log(f"{action}: {what}")

    def audit_exit(self, ctx: Context) -> None:
        """Note that the order left PENDING."""
        self._call("audit_exit", ctx, f"order {ctx['order_id']} left PENDING")

    def capture_payment(self, ctx: Context) -> None:
        """Capture the customer's payment."""
        self._call("capture_payment", ctx, f"{ctx.get('paid_amount')} captured")

    def send_receipt(self, ctx: Context) -> None:
        """E-mail the receipt."""
        self._call("send_receipt", ctx, f"receipt for order {ctx['order_id']}")

    def book_carrier(self, ctx: Context) -> None:
        """Book the carrier that collects the parcel."""
        self._call("book_carrier", ctx, str(ctx.get("carrier", "default carrier")))

    def notify_customer(self, ctx: Context) -> None:
        """Tell the customer about the order's progress."""
        self._call("notify_customer", ctx, f"order {ctx['order_id']} has moved on")

    def refund_payment(self, ctx: Context) -> None:
        """Send the money back."""
        self._call("refund_payment", ctx, f"{ctx.get('paid_amount')} refunded")

    def page_operator(self, ctx: Context) -> None:
        """Ask a human to look at an order whose actions kept failing."""
        self._call("page_operator", ctx, f"order {ctx['order_id']} is on hold")
