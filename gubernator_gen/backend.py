"""Back end: :class:`MachineSpec` → generated module source.

Orchestrates ``naming`` (every identifier), ``plan`` (tables and literals),
``render`` (Jinja2 templates) and ``format`` (black in a fixed mode).
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.diagnostics import Diagnostic
from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class BackendResult:
    """Generated source (``None`` on error) and naming diagnostics."""

    source: str | None
    diagnostics: tuple[Diagnostic, ...]


def generate_module(spec: MachineSpec, *, format: bool = True) -> BackendResult:
    """Generate the module for ``spec``; ``format=False`` skips black."""
    raise NotImplementedError  # built by the back-end issue (#4)
