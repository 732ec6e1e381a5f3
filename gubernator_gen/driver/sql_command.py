"""``gubernator-gen sql``: the DDL that lets the database guard a spec's states.

With a SPEC, the DDL goes to stdout, or to ``-o FILE`` (a safe write, like
``generate``'s); ``--check`` compares ``-o FILE`` with what would be
written, writes nothing, and exits 1 with a diff when it is stale. With no
SPEC, every ``[[tool.gubernator-gen.sql]]`` entry of the configuration is
written (or checked), each to its ``out`` file. Exit status as for
``generate``: 0 success, 1 diagnostics or stale output, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error, has_errors
from gubernator_gen.driver import codes
from gubernator_gen.driver.args import UsageError
from gubernator_gen.driver.config import (
    SQL_DIALECTS,
    ConfigError,
    load_config,
    sql_entry_pos,
)
from gubernator_gen.driver.report import NORMAL, QUIET, VERBOSE, emit, write_stdout
from gubernator_gen.driver.settings import parse_defines, pick_machine, place, shown
from gubernator_gen.driver.write import Outcome, check_module, write_module

if TYPE_CHECKING:
    from gubernator_gen.backend.sql import SqlResult


@dataclass(frozen=True, slots=True)
class _Target:
    """One DDL to produce; ``entry`` is the configuration entry's index, if any."""

    spec: Path
    out: Path | None
    dialect: str
    table: str | None
    column: str
    entry: int | None = None
    machine: str | None = None


def sql(args: argparse.Namespace) -> int:
    """The ``sql`` command's handler: its exit status."""
    return SqlRun(args).run()


class SqlRun:
    """One ``sql`` command: the targets, then each one printed, written or checked.

    ``--define`` and ``--strict`` are merged over the configuration's
    ``defines`` and ``strict``, as for ``generate``.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config = load_config()
        config = self.config
        cli_defines = parse_defines(args.define or [])
        self.defines = {**(config.defines if config else {}), **cli_defines}
        configured = config.strict if config else None
        strict: bool | None = args.strict
        self.strict = bool(
            strict
            if strict is not None
            else configured if configured is not None else False
        )
        verbosity: int = getattr(args, "verbosity", NORMAL)
        self.quiet = verbosity == QUIET
        self.verbose = verbosity >= VERBOSE

    def run(self) -> int:
        """Produce every target; the exit status."""
        targets = self._targets()
        claimed: dict[Path, str] = {}
        failed = False
        for number, target in enumerate(targets, start=1):
            status = self._produce(target, claimed)
            failed = failed or status not in _OK
            if self.verbose or (len(targets) > 1 and not self.quiet):
                arrow = "<stdout>" if target.out is None else shown(target.out)
                print(
                    f"[{number}/{len(targets)}] {target.spec} -> {arrow}: {status}",
                    file=sys.stderr,
                )
        return 1 if failed else 0

    def _targets(self) -> tuple[_Target, ...]:
        args = self.args
        if args.specs is not None:
            if args.check and args.output is None:
                raise UsageError("--check compares a file: give -o FILE")
            return (
                _Target(
                    spec=Path(args.specs),
                    out=None if args.output in (None, "-") else Path(args.output),
                    dialect=args.dialect or SQL_DIALECTS[0],
                    table=args.table,
                    column="state" if args.column is None else args.column,
                    machine=args.machine,
                ),
            )
        given = [
            option
            for option, value in (
                ("--dialect", args.dialect),
                ("--table", args.table),
                ("--column", args.column),
                ("--machine", args.machine),
                ("-o", args.output),
            )
            if value is not None
        ]
        if given:
            raise UsageError(
                f"{', '.join(given)} describe one SPEC; name it, or set them in the "
                "[[tool.gubernator-gen.sql]] entries"
            )
        entries = self.config.sql if self.config is not None else ()
        if not entries:
            where = (
                f"{shown(self.config.path)} has no [[tool.gubernator-gen.sql]] entry"
                if self.config is not None
                else "no pyproject.toml with a [tool.gubernator-gen] table was found"
            )
            raise UsageError(f"no SPEC given, and {where}")
        return tuple(
            _Target(
                Path(shown(e.spec)),
                Path(shown(e.out)),
                e.dialect,
                e.table,
                e.column,
                e.index,
                e.machine,
            )
            for e in entries
        )

    def _produce(self, target: _Target, claimed: dict[Path, str]) -> str:
        """Make one target's DDL and deliver it; its progress status."""
        if target.out is not None:
            conflict = _claim(target.out, target.spec, claimed)
            if conflict is not None:
                emit((conflict,))
                return Outcome.FAILED.value
        result = self._generate(target)
        if result is None or result.source is None:
            return "not generated"
        data = result.source.encode("utf-8")
        if target.out is None:
            write_stdout(data)
            return "printed"
        display = shown(target.out)
        if self.args.check:
            output = check_module(
                target.out,
                data,
                display=display,
                spec_display=str(target.spec),
                force=self.args.force,
                command="sql",
            )
            if output.diff:
                write_stdout(output.diff.encode("utf-8"))
        else:
            output = write_module(
                target.out, data, display=display, force=self.args.force
            )
        emit(output.diagnostics)
        if self.args.check and output.outcome is Outcome.UNCHANGED:
            return "up to date"
        return output.outcome.value

    def _generate(self, target: _Target) -> SqlResult | None:
        """The DDL of one target; ``None`` after reporting why there is none."""
        from gubernator_gen import frontend  # lazily: yaml, jsonschema
        from gubernator_gen.backend import sql  # lazily: jinja2

        front = frontend.read_spec(
            target.spec, defines=self.defines, environ=os.environ
        )
        emit(front.diagnostics)
        if not front.specs or has_errors(front.diagnostics, strict=self.strict):
            return None
        machine = pick_machine(front.specs, target.machine, target.spec)
        options = sql.SqlOptions(
            sql.Dialect(target.dialect), target.table, target.column
        )
        try:
            result = sql.generate_sql(machine, options)
        except sql.SqlNameError as exc:
            if target.entry is None or self.config is None:
                raise UsageError(str(exc)) from None
            pos = sql_entry_pos(self.config, target.entry)
            raise ConfigError(
                (error(codes.BAD_CONFIG, f"{exc.option}: {exc}", pos),)
            ) from None
        emit(result.diagnostics)
        return result


_OK = ("printed", "up to date", *(o.value for o in Outcome if o.ok))


def _claim(target: Path, spec: Path, claimed: dict[Path, str]) -> Diagnostic | None:
    """Reserve ``target`` for ``spec``; a diagnostic if it is taken or is the spec."""
    key = place(target)  # never raises on a link loop; the writer reports it
    pos = SourcePos(str(spec), 1, 1)
    if key == place(spec):
        message = f"the output {shown(target)} would overwrite the spec itself"
        return error(codes.OUTPUT_CONFLICT, message, pos)
    owner = claimed.get(key)
    if owner is not None:
        message = f"{shown(target)} is already the output of {owner}"
        return error(codes.OUTPUT_CONFLICT, message, pos)
    claimed[key] = str(spec)
    return None
