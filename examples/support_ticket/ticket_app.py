"""Support tickets on SQLite, driven by the generated ``ticket_fsm`` machine.

The machine is a statechart: ``active`` holds ``triage`` and ``working``,
and ``cancel`` is written once, on ``active``. The application does not
know that. It stores the **atomic** state each result names in one text
column, hands it back to ``process`` and runs the result's actions in
order, as for a flat machine: every exit, transition and entry action of
the step, including the ``done.state.active`` step that closes a solved
ticket, is in ``all_actions``. ``is_in`` answers questions about the
nesting (is this ticket still active?) from tables.

Run ``python examples/support_ticket/ticket_app.py`` for a short demo.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gubernator_runtime import TransitionResult
from ticket_fsm import Actions, Context, State, SupportTicket, Trigger, is_in

SCHEMA = "CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, state TEXT)"


class Agents:
    """The guards: whether an agent can take a ticket."""

    def __init__(self, available: bool = True) -> None:
        self.available = available

    def agent_available(self, ctx: Context) -> bool:
        return self.available


@dataclass
class Effects:
    """The actions: here they only record what they would do."""

    done: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Callable[[Context], None]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda ctx: self.done.append(name)


class TicketDesk:
    """Creates tickets and applies events to them, one transaction each."""

    def __init__(self, conn: sqlite3.Connection, agents: Agents) -> None:
        self.conn = conn
        self.conn.execute(SCHEMA)
        self.machine = SupportTicket(guards=agents)
        self.effects = Effects()
        actions: Actions | Any = self.effects
        self.executor = self.machine.executor(actions)

    def create(self) -> int:
        """A new ticket in the state ``start()`` names, its actions run."""
        started = self.machine.start()
        with self.conn:
            cursor = self.conn.execute(
                "INSERT INTO tickets (state) VALUES (?)", (str(started.target_state),)
            )
        self.executor.execute(started, {})
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def state(self, ticket: int) -> str:
        """The atomic state stored for ``ticket``."""
        row = self.conn.execute("SELECT state FROM tickets WHERE id = ?", (ticket,))
        return str(row.fetchone()[0])

    def handle(self, ticket: int, trigger: Trigger | str) -> TransitionResult[State]:
        """Decide ``trigger`` for ``ticket``; on success store and act."""
        with self.conn:
            current = self.state(ticket)
            result = self.machine.process(current, trigger, {})
            if result.success and result.target_state is not None:
                self.conn.execute(
                    "UPDATE tickets SET state = ? WHERE id = ? AND state = ?",
                    (str(result.target_state), ticket, current),
                )
        if result.success:
            self.executor.execute(result, {})
        return result

    def is_active(self, ticket: int) -> bool:
        """Whether ``ticket`` is anywhere inside ``active``."""
        return is_in(self.state(ticket), State.ACTIVE)


def main() -> None:
    desk = TicketDesk(sqlite3.connect(":memory:"), Agents())
    ticket = desk.create()
    for trigger in ("open", "assign", "start", "ask", "reply", "solve"):
        result = desk.handle(ticket, trigger)
        print(f"{trigger:>6} -> {desk.state(ticket):<20} {list(result.all_actions)}")
    print("actions run:", desk.effects.done)


if __name__ == "__main__":
    main()
