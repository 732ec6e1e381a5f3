"""Events per second of the order example on PostgreSQL, with 1 to 8 workers.

Each worker is its own process with its own connection, as on separate
hosts. An event is the whole path of ``examples/postgres_orders``: load the
order, decide with the generated machine, commit the new state with a
compare-and-set, an audit row and an outbox message in one transaction,
then dispatch the message (claim it with ``FOR UPDATE SKIP LOCKED``, run
its actions through the executor, record the run, mark it done) in a
second transaction. The actions themselves do nothing, so the figure is the
cost of the machinery, not of a payment provider.

Orders are partitioned: all the events of one order (pay, ship, deliver) go
to one worker, as a message queue keyed by order would deliver them, so
workers do not race for rows. The clock starts when every worker is
connected and ready, and stops when the last one has finished.

The server is ``GUBERNATOR_PG_DSN`` if set, else a throwaway cluster with
PostgreSQL's default durability (``fsync`` and synchronous commit on; see
``examples/postgres_orders/pg_cluster.py``). It runs on the same machine as
the workers, so on a 2-core machine the server and the workers share the
same two cores: more workers than cores mostly measure contention for them.

    python benchmarks/bench_postgres.py                 # 1, 2, 4 and 8 workers
    python benchmarks/bench_postgres.py --quick         # a smoke run (CI)
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import uuid
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "postgres_orders"
sys.path.insert(0, str(EXAMPLE))

from orders_db import Database, migrate, scratch_database  # noqa: E402
from orders_fleet import ProcessJob, plan_events, run_fleet, seed_orders  # noqa: E402
from pg_cluster import postgres_server  # noqa: E402


def measure(
    admin_dsn: str, workers: int, orders: int, folder: Path, *, durable: bool
) -> tuple[int, float]:
    """Run one fleet on a fresh database; (events, seconds).

    ``durable=False`` sets ``synchronous_commit = off`` on the database: a
    commit no longer waits for its WAL flush, so the figure shows the CPU
    cost of the path rather than the disk's flush latency.
    """
    name = f"gg_bench_{uuid.uuid4().hex[:10]}"
    with scratch_database(admin_dsn, name) as dsn:
        db = Database.open(dsn)
        if not durable:
            db.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
            db.close()
            db = Database.open(dsn)
        migrate(db)
        ids = seed_orders(db, orders)
        lists = plan_events(db, ids, workers, partitioned=True)
        db.close()
        jobs = [
            ProcessJob(
                name=f"worker-{n}",
                role="worker",
                target=dsn,
                world_target=None,
                report=str(folder / f"{name}-{n}.json"),
                events=lists[n],
            )
            for n in range(workers)
        ]
        result = run_fleet(jobs, timeout=600)
        events = sum(len(events) for events in lists)
        counts = [r["counts"] for r in result.reports.values()]
        done = sum(sum(c.values()) for c in counts)
        conflicts = sum(c["conflict"] for c in counts)
        if done != events or conflicts:
            raise RuntimeError(f"{done} of {events} events done, {conflicts} conflicts")
        return events, result.seconds


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per worker count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500, help="orders per run")
    parser.add_argument(
        "--workers", default="1,2,4,8", help="comma-separated worker counts"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    orders = args.orders
    if args.quick:
        counts, orders = [1, 2], 60
    with postgres_server(durable=True) as admin, tempfile.TemporaryDirectory() as tmp:
        conn = Database.open(admin)
        (row,) = conn.query("SHOW server_version")
        (fsync,) = conn.query("SHOW fsync")
        conn.close()
        print(
            f"Python {platform.python_version()}, PostgreSQL {row['server_version']}"
            f" (fsync {fsync['fsync']}), {os.cpu_count()} CPU cores shared by the"
            " server and the workers"
        )
        print(
            f"{orders} orders x 3 events (pay, ship, deliver; a tenth of the orders"
            " are out of stock, so their ship and deliver are refused), partitioned"
            " by order"
        )
        print(
            "events/s (x the 1-worker rate); each event is two transactions"
            " (commit, then dispatch)"
        )
        print("  workers   synchronous_commit on    synchronous_commit off")
        baselines: dict[bool, float] = {}
        for workers in counts:
            cells = []
            for durable in (True, False):
                events, seconds = measure(
                    admin, workers, orders, Path(tmp), durable=durable
                )
                rate = events / seconds
                baselines.setdefault(durable, rate)
                cells.append(f"{rate:8.0f} ({rate / baselines[durable]:4.2f}x)")
            print(f"  {workers:>7}   {cells[0]:>20}    {cells[1]:>22}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
