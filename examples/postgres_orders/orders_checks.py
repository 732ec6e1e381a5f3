"""Does the database hold together? Invariants of the order application.

:func:`consistency_problems` reads the whole database and lists every
broken invariant (an empty list means none):

* every order's audit rows are versions ``2 .. version`` without a gap or
  a repeat, chained (each starts where the previous one ended, the first in
  the initial state), and the last one ends in the order's state: every
  state change has exactly one audit row and every audit row is a change;
* every audit row is a legal edge ``(from, trigger, to)`` of the table the
  generated DDL installed;
* every audit row has exactly one outbox message and every message one
  audit row; with ``drained``, every message is done and its run recorded;
* with a ``world``: every action of every dispatched run was called at
  least once, and took effect exactly once per idempotency key when it
  succeeded (never when it finally failed), and nothing else took effect.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from orders_db import Database
from orders_fsm import INITIAL_STATE
from orders_world import World


def consistency_problems(
    db: Database, *, world: World | None = None, drained: bool = True
) -> list[str]:
    """Every broken invariant of the database (see the module docstring)."""
    problems: list[str] = []
    orders = {
        row["id"]: row for row in db.query("SELECT id, state, version FROM orders")
    }
    audit = db.query(
        "SELECT order_id, version, from_state, to_state, trigger FROM order_audit"
        " ORDER BY order_id, version"
    )
    by_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in audit:
        by_order[row["order_id"]].append(row)
    for order_id, order in orders.items():
        problems.extend(_chain_problems(order_id, order, by_order.get(order_id, [])))
    edges = {
        (row["source"], row["trigger"], row["dest"])
        for row in db.query(
            'SELECT "source", "trigger", "dest" FROM "orders_state_edges"'
        )
    }
    for row in audit:
        edge = (row["from_state"], row["trigger"], row["to_state"])
        if edge not in edges:
            problems.append(f"{row['order_id']} v{row['version']}: {edge} is no edge")
    problems.extend(_outbox_problems(db, audit, drained=drained))
    if world is not None:
        problems.extend(_world_problems(db, world))
    return problems


def _chain_problems(
    order_id: str, order: dict[str, Any], rows: list[dict[str, Any]]
) -> list[str]:
    versions = [row["version"] for row in rows]
    expected = list(range(2, order["version"] + 1))
    if versions != expected:
        return [f"{order_id}: audit versions {versions}, expected {expected}"]
    state = str(INITIAL_STATE)
    for row in rows:
        if row["from_state"] != state:
            return [
                f"{order_id} v{row['version']}: starts in {row['from_state']}, "
                f"but the order was in {state}"
            ]
        state = row["to_state"]
    if state != order["state"]:
        return [f"{order_id}: audit ends in {state}, the order is {order['state']}"]
    return []


def _outbox_problems(
    db: Database, audit: list[dict[str, Any]], *, drained: bool
) -> list[str]:
    problems: list[str] = []
    messages = db.query("SELECT order_id, version, done_at FROM order_outbox")
    keys = Counter((m["order_id"], m["version"]) for m in messages)
    audited = Counter((row["order_id"], row["version"]) for row in audit)
    if keys != audited:
        problems.append(
            "outbox and audit differ: "
            f"{sorted((keys - audited) + (audited - keys))[:10]}"
        )
    if drained:
        pending = [m for m in messages if m["done_at"] is None]
        if pending:
            problems.append(f"{len(pending)} outbox messages were never dispatched")
        unrecorded = db.query(
            "SELECT count(*) AS n FROM order_audit WHERE execution IS NULL"
        )
        if unrecorded[0]["n"]:
            problems.append(f"{unrecorded[0]['n']} audit rows have no recorded run")
    return problems


def _world_problems(db: Database, world: World) -> list[str]:
    problems: list[str] = []
    succeeded: set[str] = set()
    attempted: set[str] = set()
    for row in db.query(
        "SELECT order_id, version, execution FROM order_audit"
        " WHERE execution IS NOT NULL"
    ):
        run = db.json_value(row["execution"])
        for action in run["action_results"]:
            key = f"{row['order_id']}/{row['version']}/{action['name']}"
            attempted.add(key)
            if action["success"]:
                succeeded.add(key)
    calls = Counter(r["key"] for r in world.db.query("SELECT key FROM world_calls"))
    effects = Counter(r["key"] for r in world.db.query("SELECT key FROM world_effects"))
    never_called = attempted - set(calls)
    if never_called:
        problems.append(f"actions never called: {sorted(never_called)[:10]}")
    if set(effects) != succeeded:
        extra = sorted(set(effects) - succeeded)[:10]
        missing = sorted(succeeded - set(effects))[:10]
        problems.append(f"effects differ from successful actions: +{extra} -{missing}")
    return problems
