"""The support ticket example: a statechart stored as one atomic state."""

from __future__ import annotations

import sqlite3

import pytest
from gubernator_runtime import CompoundStateError
from ticket_app import Agents, TicketDesk
from ticket_fsm import INITIAL_STATE, State, ancestors, leaves


def _desk(available: bool = True) -> TicketDesk:
    return TicketDesk(sqlite3.connect(":memory:"), Agents(available))


def test_a_ticket_goes_through_nested_states_and_closes_in_one_step() -> None:
    desk = _desk()
    ticket = desk.create()
    assert desk.state(ticket) == INITIAL_STATE
    assert INITIAL_STATE is State.NEW
    opened = desk.handle(ticket, "open")
    # Entering active enters its initial leaf, outermost first.
    assert desk.state(ticket) == "unassigned"
    assert opened.all_actions == ("start_clock",)
    desk.handle(ticket, "assign")
    started = desk.handle(ticket, "start")
    assert started.target_state is State.INVESTIGATING
    solved = desk.handle(ticket, "solve")
    # Solving enters the final child: done.state.active closes the ticket.
    assert desk.state(ticket) == "closed"
    assert solved.all_actions == ("record_solution", "stop_clock", "send_survey")
    assert desk.effects.done == [
        "acknowledge",
        "start_clock",
        "notify_agent",
        "record_solution",
        "stop_clock",
        "send_survey",
    ]
    assert not desk.is_active(ticket)


def test_cancel_is_written_once_and_leaves_every_nested_state() -> None:
    for path in (("open",), ("open", "assign", "start", "ask")):
        desk = _desk()
        ticket = desk.create()
        for trigger in path:
            desk.handle(ticket, trigger)
        assert desk.is_active(ticket)
        cancelled = desk.handle(ticket, "cancel")
        assert desk.state(ticket) == "cancelled"
        assert cancelled.all_actions == ("stop_clock", "refund_if_paid")


def test_a_refused_guard_changes_nothing() -> None:
    desk = _desk(available=False)
    ticket = desk.create()
    desk.handle(ticket, "open")
    refused = desk.handle(ticket, "assign")
    assert not refused.success and refused.metadata["rejected_by"] == "agent_available"
    assert desk.state(ticket) == "unassigned"


def test_compound_states_are_never_stored() -> None:
    desk = _desk()
    assert leaves("working") == (State.INVESTIGATING, State.WAITING_ON_CUSTOMER)
    assert ancestors("waiting_on_customer") == (State.WORKING, State.ACTIVE)
    with pytest.raises(CompoundStateError, match="'working' is a compound state"):
        desk.machine.process("working", "solve")
