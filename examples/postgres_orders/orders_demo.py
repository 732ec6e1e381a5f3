"""A short run of the order fleet on PostgreSQL, with a summary of what happened.

    python examples/postgres_orders/orders_demo.py [--orders 200] [--workers 4]

Uses ``GUBERNATOR_PG_DSN`` when it is set, else starts a throwaway cluster
(``pg_cluster``); either way it works in a new database that it drops at
the end. Workers apply racing events, two sweepers fire expired timeouts, a
rogue process tries illegal UPDATEs behind the machine's back, and the
outside world fails now and then; then the database is checked.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

from orders_checks import consistency_problems
from orders_db import Database, migrate, scratch_database
from orders_fleet import NOW, ProcessJob, plan_events, run_fleet, seed_orders
from orders_fsm import Actions
from orders_service import OrderService
from orders_world import Faults, World, WorldEffects
from pg_cluster import ServerUnavailable, postgres_server


def run(dsn: str, orders: int, workers: int, folder: Path) -> list[str]:
    """Run the fleet on the database ``dsn``; the summary lines."""
    db = Database.open(dsn)
    migrate(db)
    world = World(Database.open(dsn))
    world.create_tables()
    ids = seed_orders(db, orders)
    faults = Faults(flaky_one_in=5, broken_orders=frozenset(ids[::25]))
    lists = plan_events(db, ids, workers)

    def job(name: str, role: str, **options: object) -> ProcessJob:
        report = str(folder / f"{name}.json")
        return ProcessJob(name, role, dsn, dsn, report, faults=faults, **options)  # type: ignore[arg-type]

    jobs = [job(f"worker-{n}", "worker", events=lists[n]) for n in range(workers)]
    jobs += [job(f"sweeper-{n}", "sweeper", sweep_rounds=10) for n in range(2)]
    jobs.append(job("rogue", "rogue", rogue_attempts=100, seed=3))
    result = run_fleet(jobs)

    def actions_for(key: str) -> Actions:
        return WorldEffects(world, key, faults)

    OrderService(db, actions_for, actor="finisher").drain(now=NOW)
    reports = result.reports.values()
    events = sum(len(events) for events in lists)
    retries = sum(r.get("retries", 0) for r in reports)
    timeouts = sum(len(r["applied"]) for r in reports if r["role"] == "sweeper")
    rogue = result.reports["rogue"]
    trail = db.query("SELECT trigger, count(*) AS n FROM order_audit GROUP BY trigger")
    states = db.query("SELECT state, count(*) AS n FROM orders GROUP BY state")
    calls = world.db.query("SELECT count(*) AS n FROM world_calls")[0]["n"]
    effects = world.db.query("SELECT count(*) AS n FROM world_effects")[0]["n"]
    problems = consistency_problems(db, world=world)
    db.close()
    world.db.close()
    return [
        f"{workers} workers, 2 sweepers and a rogue on {orders} orders:"
        f" {events} events in {result.seconds:.1f} s",
        f"  races lost and decided again: {retries}; timeouts fired: {timeouts}",
        "  transitions: "
        + ", ".join(f"{r['trigger']} {r['n']}" for r in sorted(trail, key=str)),
        "  orders now: "
        + ", ".join(f"{r['state']} {r['n']}" for r in sorted(states, key=str)),
        f"  actions: {calls} calls to the outside world, {effects} effects"
        " (one per idempotency key)",
        f"  rogue UPDATEs refused by the database: {rogue['refused']},"
        f" accepted: {rogue['accepted']}",
        "  consistency check: "
        + ("passed" if not problems else "FAILED: " + "; ".join(problems)),
    ]


def main(argv: list[str] | None = None) -> int:
    """Parse the options, get a server, run, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    try:
        with (
            postgres_server() as admin,
            scratch_database(admin, f"gg_demo_{uuid.uuid4().hex[:10]}") as dsn,
            tempfile.TemporaryDirectory() as folder,
        ):
            lines = run(dsn, args.orders, args.workers, Path(folder))
    except ServerUnavailable as exc:
        print(f"orders_demo: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if lines[-1].endswith("passed") else 1


if __name__ == "__main__":
    sys.exit(main())
