"""Helpers for the SQL back end's tests: models built directly, DDL run for real.

:func:`machine` builds a :class:`MachineSpec` without the front end, so the
tests can use names the front end does not accept yet (the back end must be
safe with any text). :func:`sqlite_with_table` and :func:`pg_with_table`
create the application's table and run the generated DDL on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.model import (
    EMPTY_METADATA,
    ErrorPolicy,
    MachineSpec,
    State,
    StateKind,
    Timeout,
    Transition,
)

POS = SourcePos("spec.yaml", 1, 1)


def machine(
    states: Sequence[str],
    transitions: Sequence[tuple[str, Sequence[str], str]] = (),
    *,
    timeouts: dict[str, str] | None = None,
    terminal: Sequence[str] = (),
    fallback: str | None = None,
    name: str = "m",
    source_name: str = "m_fsm.yaml",
) -> MachineSpec:
    """A model: the first state is initial; transitions are (trigger, sources, dest)."""
    timeouts = timeouts or {}
    built = tuple(
        State(
            name=state,
            kind=(
                StateKind.INITIAL
                if index == 0
                else StateKind.TERMINAL if state in terminal else StateKind.STABLE
            ),
            description="",
            on_enter=(),
            on_exit=(),
            timeout=(Timeout(60, timeouts[state], POS) if state in timeouts else None),
            metadata=EMPTY_METADATA,
            pos=POS,
        )
        for index, state in enumerate(states)
    )
    moves = tuple(
        Transition(
            index=index,
            trigger=trigger,
            sources=tuple(sources),
            dest=dest,
            guards=(),
            actions=(),
            description="",
            metadata=EMPTY_METADATA,
            pos=POS,
        )
        for index, (trigger, sources, dest) in enumerate(transitions)
    )
    return MachineSpec(
        source_name=source_name,
        name=name,
        version="1.0.0",
        strict_mode=True,
        description="",
        class_name=None,
        context=None,
        states=built,
        transitions=moves,
        error_policy=ErrorPolicy(default_fallback=fallback),
        spec_sha256="0" * 64,
        pos=POS,
        name_pos=POS,
    )


def sqlite_with_table(ddl: str, table: str, column: str) -> sqlite3.Connection:
    """An in-memory SQLite database with ``table(id, column)`` and the DDL run."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    quoted_table = '"' + table.replace('"', '""') + '"'
    quoted_column = '"' + column.replace('"', '""') + '"'
    conn.execute(
        f"CREATE TABLE {quoted_table} (id INTEGER PRIMARY KEY, {quoted_column} TEXT)"
    )
    conn.executescript(ddl)
    return conn


def pg_with_table(conn: Any, ddl: str, table: str, column: str) -> None:
    """On a psycopg connection: create ``table(id, column)``, then run the DDL."""
    from psycopg import sql

    conn.execute(
        sql.SQL("CREATE TABLE {} (id integer PRIMARY KEY, {} text)").format(
            sql.Identifier(table), sql.Identifier(column)
        )
    )
    conn.execute(ddl.encode("utf-8"))
