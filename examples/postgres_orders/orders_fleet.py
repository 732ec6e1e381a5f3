"""Many processes on one database: workers, sweepers, and a rogue.

:func:`run_fleet` seeds orders, starts worker processes (each applies its
share of the events and dispatches the outbox as it goes), timeout
sweepers and optionally a rogue process that writes illegal states behind
the machine's back; it waits for them (killing one on request, SIGKILL),
drains what is left of the outbox and returns every process's report.
:func:`check_consistency` (in ``orders_checks``) then says whether the
database holds together. Tests and ``benchmarks/bench_postgres.py`` use
both; ``python orders_fleet.py`` is a demo.

Processes are started with the ``spawn`` method, so each one is a fresh
interpreter with its own connections, as on separate hosts.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from orders_db import Database
from orders_fsm import Actions, Context
from orders_service import Order, OrderFacts, OrderService, Status
from orders_world import Faults, World, WorldEffects

#: When the orders were placed (one to four hours apart; see :func:`seed_orders`).
EPOCH = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
#: The clock of events, dispatches and sweeps: a day after EPOCH, so the
#: PENDING timeout of the orders placed in the first hour (a quarter) has expired.
NOW = EPOCH + timedelta(days=1, minutes=30)

_SPAWN = multiprocessing.get_context("spawn")


class NoEffects:
    """Actions that do nothing (benchmarks measure the machinery, not a world)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _nothing


def _nothing(ctx: Context) -> None:
    return None


@dataclass(frozen=True, slots=True)
class EventJob:
    """One event: the order, trigger and facts (amounts as text)."""

    order_id: str
    trigger: str
    facts: tuple[tuple[str, str | bool], ...] = ()

    def payload(self) -> OrderFacts:
        """The facts as the service takes them."""
        facts: dict[str, object] = {}
        for key, value in self.facts:
            facts[key] = Decimal(value) if key == "paid_amount" else value
        return facts  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class ProcessJob:
    """What one process does; ``hang`` injects a fault (see :class:`_Hanging`)."""

    name: str
    role: str  # "worker", "sweeper" or "rogue"
    target: str
    world_target: str | None
    report: str
    events: tuple[EventJob, ...] = ()
    dispatch_every: int = 4
    sweep_rounds: int = 20
    rogue_attempts: int = 100
    faults: Faults = field(default_factory=Faults)
    hang: str | None = None  # "in_commit" or "after_actions"
    hang_after: int = 1
    seed: int = 0


def seed_orders(db: Database, count: int, *, seed: int = 1) -> list[str]:
    """Insert ``count`` PENDING orders placed 0-3 hours after EPOCH; their ids.

    Amounts are 10.00-99.99; about a tenth of the orders are out of stock.
    """
    rng = random.Random(seed)
    ids = [f"O-{index:05d}" for index in range(count)]
    service = OrderService(db, lambda key: NoEffects())
    for index, order_id in enumerate(ids):
        amount = Decimal(rng.randint(1000, 9999)) / 100
        placed = EPOCH + timedelta(hours=index % 4)
        service.place_order(
            order_id, amount, now=placed, items_in_stock=rng.random() > 0.1
        )
    return ids


#: What may happen to an order, with weights: each a list of triggers.
STORIES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (50, ("pay", "ship", "deliver")),
    (20, ("pay", "refund")),
    (15, ("cancel",)),
    (15, ("short-pay", "pay", "ship")),
)


def plan_events(
    db: Database,
    ids: Sequence[str],
    workers: int,
    *,
    partitioned: bool = False,
    seed: int = 2,
) -> list[tuple[EventJob, ...]]:
    """Events for the orders, dealt to ``workers`` lists.

    Each order gets a story from :data:`STORIES` and, half the time, a
    competing ``cancel``. Its events go to random workers, which take them
    in about the same order, so workers race for the same rows (and some
    events arrive before the one they depend on, and are refused).
    ``partitioned`` gives each order pay, ship and deliver, all to one
    worker, in that order: no races (the benchmark's case).
    """
    rng = random.Random(seed)
    amounts = {
        row["id"]: Decimal(row["amount"])
        for row in db.query("SELECT id, amount FROM orders")
    }
    weights = [weight for weight, _ in STORIES]
    lists: list[list[tuple[float, EventJob]]] = [[] for _ in range(workers)]
    for position, order_id in enumerate(ids):
        if partitioned:
            story: tuple[str, ...] = ("pay", "ship", "deliver")
        else:
            (story,) = rng.choices([s for _, s in STORIES], weights=weights)
            if rng.random() < 0.5:
                story = (*story, "cancel")
        for step, trigger in enumerate(story):
            event = _event(order_id, trigger, amounts[order_id], rng)
            if partitioned:
                lists[position % workers].append((position + step / 10, event))
            else:
                worker = rng.randrange(workers)
                lists[worker].append((position + step / 10 + rng.random() / 2, event))
    return [
        tuple(job for _, job in sorted(items, key=lambda p: p[0])) for items in lists
    ]


def _event(
    order_id: str, trigger: str, amount: Decimal, rng: random.Random
) -> EventJob:
    if trigger in ("pay", "short-pay"):
        paid = amount - Decimal("0.01") if trigger == "short-pay" else amount
        return EventJob(order_id, "pay", (("paid_amount", str(paid)),))
    if trigger == "ship":
        return EventJob(
            order_id, "ship", (("carrier", rng.choice(["Swift", "Tortoise"])),)
        )
    return EventJob(order_id, trigger)


class _Hanging(OrderService):
    """A service that stops for good at a chosen point, for kill tests.

    ``in_commit``: in the transaction of its ``hang_after``-th write, before
    COMMIT; ``after_actions``: once the actions of its ``hang_after``-th
    outbox message ran, before the message is marked done. It writes what
    it was doing to ``<report>.hung`` as JSON, then sleeps until killed.
    """

    hang: str | None = None
    hang_after = 1
    marker: Path | None = None
    _count = 0

    def _stop_here(self, what: dict[str, object]) -> None:
        self._count += 1
        if self._count < self.hang_after:
            return
        if self.marker is not None:
            temporary = self.marker.with_suffix(".tmp")
            temporary.write_text(json.dumps(what))
            os.replace(temporary, self.marker)
        time.sleep(3600)

    def _written(self, order: Order) -> None:
        if self.hang == "in_commit":
            self._stop_here({"order_id": order.id, "version": order.version})

    def _acted(self, key: str) -> None:
        if self.hang == "after_actions":
            self._stop_here({"key": key})


def _service(job: ProcessJob, db: Database) -> OrderService:
    if job.world_target is None:
        service = _Hanging(db, lambda key: NoEffects(), actor=job.name)
    else:
        world = World(Database.open(job.world_target))
        faults = job.faults

        def actions_for(key: str) -> Actions:
            return WorldEffects(world, key, faults)

        service = _Hanging(db, actions_for, actor=job.name)
    service.hang = job.hang
    service.hang_after = job.hang_after
    service.marker = Path(job.report + ".hung")
    return service


def process_main(job: ProcessJob, ready: Any, go: Any) -> None:
    """The body of one fleet process: its role, then its report as JSON.

    It says it is ``ready`` (connected, imports done), then waits for ``go``,
    so that the fleet's clock starts when every process can work.
    """
    db = Database.open(job.target)
    service = _service(job, db)
    report: dict[str, Any] = {"name": job.name, "role": job.role, "applied": []}
    ready.put(job.name)
    go.wait()
    began = time.perf_counter()
    if job.role == "worker":
        _work(job, service, report)
    elif job.role == "sweeper":
        _sweep(job, service, report)
    else:
        _rogue(job, db, report)
    report["seconds"] = time.perf_counter() - began
    temporary = Path(job.report + ".tmp")
    temporary.write_text(json.dumps(report))
    os.replace(temporary, job.report)
    db.close()


def _record(report: dict[str, Any], order_id: str, version: int, trigger: str) -> None:
    report["applied"].append([order_id, version, trigger])


def _dispatch(service: OrderService, report: dict[str, Any], limit: int | None) -> None:
    for item in service.drain(now=NOW, limit=limit):
        report["dispatched"] = report.get("dispatched", 0) + 1
        fallback = item.fallback
        if fallback is not None and fallback.status is Status.APPLIED:
            order = fallback.order
            _record(report, order.id, order.version, "_fallback")


def _work(job: ProcessJob, service: OrderService, report: dict[str, Any]) -> None:
    counts = {status.value: 0 for status in Status}
    retries = 0
    for index, event in enumerate(job.events, start=1):
        outcome = service.handle_event(
            event.order_id, event.trigger, event.payload(), now=NOW
        )
        counts[outcome.status.value] += 1
        retries += outcome.attempts - 1
        if outcome.status is Status.APPLIED:
            _record(report, outcome.order.id, outcome.order.version, event.trigger)
        if index % job.dispatch_every == 0:
            _dispatch(service, report, job.dispatch_every)
    _dispatch(service, report, None)
    report.update(counts=counts, retries=retries)


def _sweep(job: ProcessJob, service: OrderService, report: dict[str, Any]) -> None:
    conflicts = 0
    for _ in range(job.sweep_rounds):
        for outcome in service.sweep_timeouts(NOW, batch=10):
            if outcome.status is Status.APPLIED:
                _record(report, outcome.order.id, outcome.order.version, "_timeout")
            else:
                conflicts += 1
        _dispatch(service, report, 10)
        time.sleep(0.05)
    report["conflicts"] = conflicts


def _rogue(job: ProcessJob, db: Database, report: dict[str, Any]) -> None:
    """UPDATE random orders to states with no edge from where they are."""
    rng = random.Random(job.seed)
    edges = {
        (row["source"], row["dest"])
        for row in db.query('SELECT "source", "dest" FROM "orders_state_edges"')
    }
    states = sorted({state for edge in edges for state in edge})
    ids = [row["id"] for row in db.query("SELECT id FROM orders ORDER BY id")]
    refused = accepted = missed = 0
    for _ in range(job.rogue_attempts):
        order_id = rng.choice(ids)
        (row,) = db.query("SELECT state FROM orders WHERE id = ?", (order_id,))
        illegal = [
            s for s in states if s != row["state"] and (row["state"], s) not in edges
        ]
        try:
            with db.transaction():
                changed = db.execute(
                    "UPDATE orders SET state = ? WHERE id = ? AND state = ?",
                    (rng.choice(illegal), order_id, row["state"]),
                )
        except db.refusal_errors:
            refused += 1
            continue
        if changed:
            accepted += 1
        else:
            missed += 1  # the order moved on between the read and the write
    report.update(refused=refused, accepted=accepted, missed=missed)


@dataclass(frozen=True, slots=True)
class FleetResult:
    """Every finished process's report, the killed ones' names, the wall time
    from the common start, and what a hung victim was doing when killed."""

    reports: dict[str, dict[str, Any]]
    killed: tuple[str, ...]
    seconds: float
    hung: dict[str, Any] | None = None


def run_fleet(
    jobs: Sequence[ProcessJob],
    *,
    kill: str | None = None,
    kill_after: float = 0.3,
    timeout: float = 120.0,
) -> FleetResult:
    """Run ``jobs`` as processes started together; SIGKILL ``kill`` mid-run.

    The victim is killed once it hangs, when its job says where
    (``hang``), else ``kill_after`` seconds after the start.

    Raises ``TimeoutError`` (after killing them all) if the processes are
    not done within ``timeout`` seconds.
    """
    ready, go = _SPAWN.Queue(), _SPAWN.Event()
    processes = {
        job.name: _SPAWN.Process(
            target=process_main, args=(job, ready, go), name=job.name
        )
        for job in jobs
    }
    for process in processes.values():
        process.start()
    try:
        _wait_until_ready(processes, ready, timeout)
    except BaseException:
        for process in processes.values():
            process.kill()
            process.join()
        raise
    go.set()
    began = time.perf_counter()
    killed: list[str] = []
    hung: dict[str, Any] | None = None
    if kill is not None:
        victim_job = next(job for job in jobs if job.name == kill)
        if victim_job.hang is None:
            time.sleep(kill_after)
        else:
            hung = _wait_for_marker(Path(victim_job.report + ".hung"), timeout)
        victim = processes[kill]
        if victim.pid is not None and victim.is_alive():
            os.kill(victim.pid, signal.SIGKILL)
            killed.append(kill)
    deadline = time.monotonic() + timeout
    for process in processes.values():
        process.join(max(0.0, deadline - time.monotonic()))
    seconds = time.perf_counter() - began
    late = [p for p in processes.values() if p.is_alive()]
    for process in late:
        process.kill()
        process.join()
    if late:
        raise TimeoutError(f"fleet processes still running: {[p.name for p in late]}")
    failed = [
        name for name, p in processes.items() if p.exitcode != 0 and name not in killed
    ]
    if failed:
        raise RuntimeError(f"fleet processes failed: {failed}")
    reports = {
        job.name: json.loads(Path(job.report).read_text())
        for job in jobs
        if job.name not in killed
    }
    return FleetResult(reports, tuple(killed), seconds, hung)


def _wait_until_ready(processes: dict[str, Any], ready: Any, timeout: float) -> None:
    """Wait for every process's ready message; fail fast if one dies first."""
    import queue

    waiting = set(processes)
    deadline = time.monotonic() + timeout
    while waiting:
        try:
            waiting.discard(ready.get(timeout=0.1))
        except queue.Empty:
            dead = [name for name in waiting if not processes[name].is_alive()]
            if dead:
                raise RuntimeError(
                    f"fleet processes died while starting: {dead}"
                ) from None
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"fleet processes not ready: {sorted(waiting)}"
                ) from None


def _wait_for_marker(marker: Path, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists():
            loaded: dict[str, Any] = json.loads(marker.read_text())
            return loaded
        time.sleep(0.01)
    raise TimeoutError(f"{marker} did not appear within {timeout} s")
