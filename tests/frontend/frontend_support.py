"""Helpers shared by the front-end tests."""

from __future__ import annotations

from collections.abc import Mapping

from gubernator_gen.diagnostics import Diagnostic
from gubernator_gen.frontend import FrontendResult, read_spec_text

#: A small valid machine; tests append to it or edit it.
BASE = """\
states:
  - name: A
    type: initial
  - name: B
    type: terminal
transitions:
  - trigger: go
    source: A
    dest: B
"""


def run(
    text: str | bytes,
    *,
    path: str = "spec.yaml",
    defines: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> FrontendResult:
    """The front end on ``text`` with an empty environment by default."""
    return read_spec_text(text, path=path, defines=defines, environ=environ or {})


def located(diagnostics: tuple[Diagnostic, ...]) -> list[tuple[str, int, int]]:
    """(code, line, column) of each diagnostic, in reported order."""
    return [(d.code, d.pos.line, d.pos.column) for d in diagnostics]


def codes_of(result: FrontendResult) -> list[str]:
    """The codes reported, in order."""
    return [d.code for d in result.diagnostics]
