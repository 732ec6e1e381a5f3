"""What the command line tells its caller: diagnostics, progress, output, status.

Everything meant for a pipe goes to stdout as UTF-8 bytes with ``\\n`` line
ends on every platform; diagnostics and progress go to stderr, one line
each. The exit statuses are listed in :mod:`gubernator_gen.driver.cli`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence

from gubernator_gen.diagnostics import Diagnostic

PROG = "gubernator-gen"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Verbosity levels: ``-q`` is quiet, ``-v`` verbose.
QUIET, NORMAL, VERBOSE = 0, 1, 2

#: Version of the ``validate --format json`` document's shape.
JSON_REPORT_VERSION = 1


class Progress:
    """One stderr line per spec when several are processed (or with ``-v``)."""

    def __init__(self, verbosity: int, total: int) -> None:
        self.enabled = verbosity >= VERBOSE or (verbosity == NORMAL and total > 1)
        self.total = total
        self.index = 0
        self.outputs = 0
        self.counts: dict[str, int] = {}

    def step(
        self,
        spec: str,
        target: str,
        status: str,
        tally: str = "",
        *,
        same: bool = False,
    ) -> None:
        """Report one spec; ``tally`` is what the summary counts it as (``status``).

        ``same`` reports another module of the spec just reported (a
        ``machines:`` file): the line keeps that spec's number.
        """
        if not same:
            self.index += 1
        self.outputs += 1
        key = tally or status
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.enabled:
            arrow = f" -> {target}" if target else ""
            width = len(str(self.total))
            print(
                f"[{self.index:>{width}}/{self.total}] {spec}{arrow}: {status}",
                file=sys.stderr,
            )

    def summary(self) -> None:
        """The closing line: how many specs ended how (several specs only)."""
        if not self.enabled or self.total < 2:
            return
        parts = ", ".join(f"{count} {status}" for status, count in self.counts.items())
        modules = f", {self.outputs} modules" if self.outputs != self.total else ""
        print(f"{PROG}: {self.total} specs{modules}: {parts}", file=sys.stderr)


def count_phrase(errors: int, warnings: int, failed: bool) -> str:
    """``2 errors, 1 warning``, ``ok``, or ``1 warning (ok)`` for progress lines."""
    if not errors and not warnings:
        return "ok"
    words = []
    if errors:
        words.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        words.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(words) + ("" if failed else " (ok)")


def file_report(
    path: str, diagnostics: Sequence[Diagnostic], *, failed: bool
) -> dict[str, object]:
    """One file's entry of the ``validate --format json`` document."""
    errors = sum(1 for d in diagnostics if d.is_error)
    return {
        "path": path,
        "ok": not failed,
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.to_dict() for d in diagnostics],
    }


def json_report(
    files: Sequence[dict[str, object]], *, strict: bool
) -> dict[str, object]:
    """The ``validate --format json`` document for the entries ``files``."""
    return {
        "version": JSON_REPORT_VERSION,
        "ok": all(entry["ok"] for entry in files),
        "strict": strict,
        "errors": sum(_int(entry["errors"]) for entry in files),
        "warnings": sum(_int(entry["warnings"]) for entry in files),
        "files": list(files),
    }


def emit(diagnostics: Iterable[Diagnostic]) -> None:
    """Print diagnostics to stderr, one line each."""
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8 for stdout or a file, whatever it holds."""
    # A file name that is not valid UTF-8 reaches us with lone surrogates
    # (PEP 383); escaping them keeps the output valid UTF-8 (and a module
    # that mentions the name importable) instead of failing.
    return text.encode("utf-8", "backslashreplace")


def write_stdout(data: bytes) -> None:
    """Write bytes to stdout, so a module printed on Windows keeps ``\\n``."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(data.decode("utf-8"))
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()


def flush_stdout() -> None:
    """Flush stdout now, so a failing pipe is reported while we can."""
    sys.stdout.flush()


def silence_stdout() -> None:
    """Point stdout at devnull after its reader went away or it failed."""
    # Python flushes stdout again at exit; pointing it at devnull keeps
    # that flush from raising a second error.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0
