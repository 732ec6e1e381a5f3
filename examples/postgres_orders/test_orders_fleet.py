"""Many processes on one PostgreSQL database, under load and with kills.

Needs a PostgreSQL server (the session's throwaway cluster, or
``GUBERNATOR_PG_DSN``); skipped with instructions where none can be had.
Bounded: a few hundred orders, a fixed number of events, a timeout on
every fleet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from orders_checks import consistency_problems
from orders_db import Database, migrate
from orders_fleet import NOW, ProcessJob, plan_events, run_fleet, seed_orders
from orders_fsm import Actions
from orders_service import OrderService
from orders_world import Faults, World, WorldEffects

ORDERS = 300
WORKERS = 8
SWEEPERS = 2


@dataclass
class Fleet:
    """A migrated PostgreSQL database with seeded orders and the world's tables."""

    dsn: str
    db: Database
    world: World
    ids: list[str]
    folder: Path

    def job(self, name: str, role: str, **options: object) -> ProcessJob:
        """A job for one process, reporting into the test's folder."""
        return ProcessJob(
            name=name,
            role=role,
            target=self.dsn,
            world_target=self.dsn,
            report=str(self.folder / f"{name}.json"),
            **options,  # type: ignore[arg-type]
        )

    def finish(self, faults: Faults) -> None:
        """Dispatch whatever the processes left in the outbox."""
        world = self.world

        def actions_for(key: str) -> Actions:
            return WorldEffects(world, key, faults)

        OrderService(self.db, actions_for, actor="finisher").drain(now=NOW)

    def audit_by_actor(self) -> dict[str, set[tuple[str, int]]]:
        """(order, version) of every audit row, by the process that wrote it."""
        rows = self.db.query("SELECT order_id, version, actor FROM order_audit")
        found: dict[str, set[tuple[str, int]]] = {}
        for row in rows:
            found.setdefault(row["actor"], set()).add((row["order_id"], row["version"]))
        return found


@pytest.fixture
def fleet(pg_database: str, tmp_path: Path) -> Iterator[Fleet]:
    """Orders on a fresh database."""
    db = Database.open(pg_database)
    migrate(db)
    world = World(Database.open(pg_database))
    world.create_tables()
    made = Fleet(pg_database, db, world, seed_orders(db, ORDERS), tmp_path)
    yield made
    world.db.close()
    db.close()


def test_workers_sweepers_and_a_rogue_under_load_with_a_kill(fleet: Fleet) -> None:
    faults = Faults(flaky_one_in=5, broken_orders=frozenset(fleet.ids[::25]))
    lists = plan_events(fleet.db, fleet.ids, WORKERS)
    victim = "worker-7"
    jobs = [
        fleet.job(
            f"worker-{n}",
            "worker",
            events=lists[n],
            faults=faults,
            **(
                {"hang": "in_commit", "hang_after": 5}
                if f"worker-{n}" == victim
                else {}
            ),
        )
        for n in range(WORKERS)
    ]
    jobs += [
        fleet.job(f"sweeper-{n}", "sweeper", faults=faults, sweep_rounds=15)
        for n in range(SWEEPERS)
    ]
    jobs.append(fleet.job("rogue", "rogue", rogue_attempts=150, seed=3))

    result = run_fleet(jobs, kill=victim, timeout=90)
    fleet.finish(faults)

    assert result.killed == (victim,)
    # The killed transaction left nothing behind: its order moved on (or not)
    # only through other processes' commits.
    assert result.hung is not None
    hung = (result.hung["order_id"], result.hung["version"])
    audit = fleet.audit_by_actor()
    assert hung not in audit.get(victim, set())
    # No lost update: each surviving process committed exactly what it
    # reported, no transition was committed twice, nobody else wrote.
    reports = result.reports
    committed = Counter(
        (order_id, version)
        for report in reports.values()
        for order_id, version, _ in report["applied"]
    )
    assert max(committed.values()) == 1
    for name, report in reports.items():
        mine = {(order_id, version) for order_id, version, _ in report["applied"]}
        assert audit.get(name, set()) == mine, name
    assert set(audit) <= {*reports, victim, "finisher"}
    # The database holds together: chained audit trail, legal edges only,
    # one outbox message per transition, every action run at least once
    # and applied exactly once per idempotency key.
    assert consistency_problems(fleet.db, world=fleet.world) == []
    # The load was real: races were lost and retried, the sweepers fired
    # timeouts (never the same one twice: they never lost a race), actions
    # were retried and fell back.
    workers = [r for r in reports.values() if r["role"] == "worker"]
    assert sum(r["retries"] for r in workers) > 0
    sweepers = [r for r in reports.values() if r["role"] == "sweeper"]
    assert sum(len(r["applied"]) for r in sweepers) > 0
    assert all(r["conflicts"] == 0 for r in sweepers)
    timeouts = fleet.db.query(
        "SELECT order_id, from_state, count(*) AS n FROM order_audit"
        " WHERE trigger = '_timeout' GROUP BY order_id, from_state"
    )
    assert timeouts and all(row["n"] == 1 for row in timeouts)
    fallbacks = fleet.db.query(
        "SELECT count(*) AS n FROM order_audit WHERE trigger = '_fallback'"
    )
    assert fallbacks[0]["n"] > 0
    # The rogue's illegal updates were all refused by the generated trigger.
    rogue = reports["rogue"]
    assert rogue["refused"] > 100 and rogue["accepted"] == 0


def test_a_dispatcher_killed_after_acting_leaves_the_message_to_another(
    fleet: Fleet,
) -> None:
    ids = fleet.ids[:10]
    (events,) = plan_events(fleet.db, ids, 1, partitioned=True)
    victim = fleet.job(
        # The second message is ship's: book_carrier and notify_customer.
        "dispatcher",
        "worker",
        events=events,
        hang="after_actions",
        hang_after=2,
    )
    result = run_fleet([victim], kill="dispatcher", timeout=60)
    assert result.killed == ("dispatcher",) and result.hung is not None
    key = result.hung["key"]
    fleet.finish(Faults())
    # The killed dispatcher's actions ran; the message stayed pending and the
    # next dispatcher ran them again: called twice, applied once.
    calls = fleet.world.db.query(
        "SELECT key, count(*) AS n FROM world_calls WHERE key LIKE ? GROUP BY key",
        (key + "/%",),
    )
    assert calls and all(row["n"] == 2 for row in calls)
    assert consistency_problems(fleet.db, world=fleet.world) == []


def test_the_demo_runs_and_passes_its_own_check(
    pg_database: str, tmp_path: Path
) -> None:
    from orders_demo import run

    lines = run(pg_database, orders=60, workers=2, folder=tmp_path)
    assert lines[-1] == "  consistency check: passed"
    assert "accepted: 0" in lines[-2]
