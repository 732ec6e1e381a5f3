"""Front end: spec file or text → validated :class:`MachineSpec` or diagnostics.

Orchestrates ``load`` (YAML/JSON with positions, substitution), ``schema``
(JSON Schema checks), ``validate`` (semantic checks) and the model builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gubernator_gen.diagnostics import Diagnostic
from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class FrontendResult:
    """The model (``None`` when any error was found) and every diagnostic."""

    spec: MachineSpec | None
    diagnostics: tuple[Diagnostic, ...]


def read_spec(
    path: Path,
    *,
    defines: Mapping[str, str],
    environ: Mapping[str, str],
) -> FrontendResult:
    """Read, substitute, parse, validate and model the spec at ``path``.

    Diagnostics name the file as ``str(path)``; the model's ``source_name``
    is ``path.name``. Unreadable files are diagnostics, never exceptions.
    """
    raise NotImplementedError  # built by the front-end issue (#3)


def read_spec_text(
    text: str | bytes,
    *,
    path: str,
    defines: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> FrontendResult:
    """Like :func:`read_spec` for text already in memory; ``path`` names it."""
    raise NotImplementedError  # built by the front-end issue (#3)
