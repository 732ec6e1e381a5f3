"""Diagnostics: located, coded messages shared by every stage of the generator.

Codes are stable and grouped by the stage that reports them:

* ``GG1xx`` loading (file access, YAML syntax, substitution, hostile input),
* ``GG2xx`` schema (types, patterns, required and unknown keys),
* ``GG3xx`` semantic checks (references, initial state, terminal states,
  identifiers, shadowing; warnings from ``GG350``),
* ``GG4xx`` naming and code generation (collisions between generated names),
* ``GG5xx`` command line and output (paths, refusing to overwrite).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How bad a diagnostic is: errors stop generation, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class SourcePos:
    """A position in a spec file; ``line`` and ``column`` are 1-based."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a spec, pointing at the offending node."""

    code: str
    severity: Severity
    message: str
    pos: SourcePos

    @property
    def is_error(self) -> bool:
        """True for errors, which stop generation."""
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """Render as ``path:line:col: severity: message [CODE]``."""
        return f"{self.pos}: {self.severity.value}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form for tools (``validate --format json``)."""
        return {
            "path": self.pos.path,
            "line": self.pos.line,
            "column": self.pos.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


def error(code: str, message: str, pos: SourcePos) -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(code, Severity.ERROR, message, pos)


def warning(code: str, message: str, pos: SourcePos) -> Diagnostic:
    """Build a warning diagnostic."""
    return Diagnostic(code, Severity.WARNING, message, pos)


def has_errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    """True when generation must stop: any error, or any warning under ``strict``."""
    return any(d.is_error or strict for d in diagnostics)


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """Order diagnostics by file position, then code, for stable output."""
    pos = diagnostic.pos
    return (pos.path, pos.line, pos.column, diagnostic.code)
