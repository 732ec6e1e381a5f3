"""The ``gubernator-gen`` command line (docs/cli.md); ``python -m gubernator_gen`` too.

:func:`main` is the entry point: it parses the command line
(:mod:`~gubernator_gen.driver.args`), runs the command
(:mod:`~gubernator_gen.driver.commands`, with
:mod:`~gubernator_gen.driver.settings`) and turns whatever escapes into an
exit status and one line on stderr (:mod:`~gubernator_gen.driver.report`).

Commands: ``generate``, ``check`` (``generate --check``), ``validate``,
``graph`` and ``schema``. With no SPEC, ``generate``, ``check`` and
``validate`` use the specs of ``[tool.gubernator-gen]`` in the nearest
``pyproject.toml`` (see :mod:`gubernator_gen.driver.config`); its other settings
apply whenever it is found, and command-line options win over them.

Exit status:

* ``0`` — success (warnings allowed, unless ``--strict``);
* ``1`` — diagnostics (an error, or a warning under ``--strict``), a spec
  that cannot be read (missing files included: the front end reports them
  like any other unreadable input), stale or missing output under
  ``--check``, a refused or failed write;
* ``2`` — the command cannot run as given: a usage error (bad option,
  malformed ``--define``, ``-o`` with several specs, no SPEC and no
  configured specs), an invalid ``[tool.gubernator-gen]`` table, or an
  internal error of the generator (one line; ``--debug`` shows the
  traceback).

Everything meant for a pipe goes to stdout (modules with ``--stdout``, the
``--check`` diff, the graph, the schema, ``validate --format json``), as
UTF-8 with ``\\n`` line ends on every platform; diagnostics and progress go
to stderr. ``validate --format json`` prints::

    {
      "version": 1,              # of this document's shape
      "ok": true,                # no file failed
      "strict": false,
      "errors": 0, "warnings": 1,
      "files": [
        {"path": "fsm/order.yaml", "ok": true, "errors": 0, "warnings": 1,
         "diagnostics": [{"path": ..., "line": 3, "column": 5,
                          "severity": "warning", "code": "GG350", "message": ...}]}
      ]
    }
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from gubernator_gen.driver import args as command_line
from gubernator_gen.driver.args import build_parser
from gubernator_gen.driver.commands import HANDLERS
from gubernator_gen.driver.config import ConfigError
from gubernator_gen.driver.report import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    emit,
    flush_stdout,
    silence_stdout,
)

# build_parser lived here before the parser had a module of its own.
__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return its status.

    Never raises, ``SystemExit`` included, so tests and embedders can call it.
    """
    try:
        args = command_line.parse(None if argv is None else list(argv))
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        return _exit_status(exc.code)
    debug: bool = getattr(args, "debug", False)
    try:
        status = HANDLERS[args.command](args)
        flush_stdout()
        return status
    except command_line.UsageError as exc:
        return _usage_error(args.command_parser, str(exc))
    except ConfigError as exc:
        emit(exc.diagnostics)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our stdout went away (`| head`): not worth a message.
        silence_stdout()
        return EXIT_FAILURE
    except OSError as exc:
        # Spec files and outputs report their own I/O problems as located
        # diagnostics; what is left is the terminal or pipe (a full disk
        # behind `> file`, say): the environment's problem, not a bug.
        silence_stdout()
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{PROG}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # every bug becomes one line, never a traceback
        _internal_error(exc, debug=debug)
        return EXIT_USAGE


def _internal_error(exc: Exception, *, debug: bool) -> None:
    if debug:
        traceback.print_exc()
        return
    reason = " ".join(str(exc).split())
    if len(reason) > 300:
        reason = reason[:297] + "..."
    detail = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    print(
        f"{PROG}: internal error: {detail} (run with --debug for a traceback)",
        file=sys.stderr,
    )


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    try:
        parser.error(message)
    except SystemExit as exc:
        return _exit_status(exc.code)
    return EXIT_USAGE


def _exit_status(code: object) -> int:
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return EXIT_FAILURE
