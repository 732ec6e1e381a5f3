"""The SQL back end: :class:`~gubernator_gen.model.MachineSpec` → DDL.

For one machine and one table, the DDL holds the state column's constraint
(a PostgreSQL enum type, or for SQLite a trigger checking the list of
states, since SQLite cannot add a CHECK constraint to an existing table),
the table of legal ``(source, trigger, dest)`` edges (:mod:`.edges`) and a
trigger that refuses an UPDATE moving the state along no edge. ``plan``
decides every name and literal (quoted by :mod:`.quoting`), ``render``
prints them. Like the module back end, it reads only the model.

The output is deterministic: the same spec and options give the same bytes
on every platform and run.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.backend import chart_module, codes
from gubernator_gen.backend.decisions import FALLBACK_TRIGGER, TIMEOUT_TRIGGER
from gubernator_gen.backend.sql.edges import (
    Edge,
    legal_edges,
)
from gubernator_gen.backend.sql.plan import (
    DEFAULT_COLUMN,
    DIALECTS,
    HEADER_PREFIX,
    PG_MAX_IDENTIFIER_BYTES,
    Dialect,
    SqlNameError,
    SqlNames,
    SqlOptions,
    build_sql_plan,
    sql_names,
)
from gubernator_gen.backend.sql.quoting import SqlTextError
from gubernator_gen.backend.sql.render import render_sql_plan
from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.model import MachineSpec

__all__ = [
    "DEFAULT_COLUMN",
    "DIALECTS",
    "FALLBACK_TRIGGER",
    "HEADER_PREFIX",
    "TIMEOUT_TRIGGER",
    "Dialect",
    "Edge",
    "SqlNameError",
    "SqlNames",
    "SqlOptions",
    "SqlResult",
    "SqlTextError",
    "generate_sql",
    "legal_edges",
    "sql_names",
]


@dataclass(frozen=True, slots=True)
class SqlResult:
    """The DDL (``None`` when the spec cannot have it) and located problems."""

    source: str | None
    diagnostics: tuple[Diagnostic, ...]


def generate_sql(spec: MachineSpec, options: SqlOptions | None = None) -> SqlResult:
    """The DDL for ``spec``.

    A state name that the dialect cannot store is a located diagnostic; an
    unusable table or column name (the caller's options, not the spec) is
    :class:`SqlNameError`.
    """
    opts = options or SqlOptions()
    if spec.is_statechart:
        refused = _chart_problems(spec)
        if refused:
            return SqlResult(None, refused)
    problems = _label_problems(spec) if opts.dialect is Dialect.POSTGRESQL else ()
    plan = build_sql_plan(spec, opts)
    if problems:
        return SqlResult(None, problems)
    return SqlResult(render_sql_plan(plan), ())


def _chart_problems(spec: MachineSpec) -> tuple[Diagnostic, ...]:
    """A statechart the module could not be generated for, or one stored as
    a configuration (a text column, not a state): one located error."""
    compiled = chart_module.compile_for_module(spec)
    if compiled.module is None:
        return compiled.diagnostics
    if compiled.module.configured:
        first = next(s for s in spec.states if s.parallel or s.is_history)
        message = (
            f"state {first.name!r}: a machine with history or parallel states "
            "stores a configuration, whose legal changes gubernator-gen sql "
            "does not write yet"
        )
        return (error(codes.STATECHART_NOT_COMPILED, message, first.pos),)
    return ()


def _label_problems(spec: MachineSpec) -> tuple[Diagnostic, ...]:
    found: list[Diagnostic] = []
    for state in spec.states:
        size = len(state.name.encode("utf-8", "surrogatepass"))
        if size > PG_MAX_IDENTIFIER_BYTES:
            shown = state.name if len(state.name) <= 40 else state.name[:40] + "..."
            message = (
                f"state {shown!r} is {size} bytes in UTF-8; a PostgreSQL "
                f"enum label holds at most {PG_MAX_IDENTIFIER_BYTES}"
            )
            found.append(error(codes.SQL_LABEL_TOO_LONG, message, state.pos))
    return tuple(found)
