"""Back end: :class:`MachineSpec` → generated module source.

Orchestrates ``naming`` (every identifier), ``plan`` (tables and literals),
``render`` (Jinja2 templates) and ``formatting`` (black in a fixed mode).
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen import collector
from gubernator_gen.backend import chart_module, formatting, naming, plan, render
from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.backend.statechart import Limits
from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class BackendResult:
    """Generated source (``None`` on error) and naming diagnostics."""

    source: str | None
    diagnostics: tuple[Diagnostic, ...]


def generate_module(
    spec: MachineSpec, *, format: bool = True, limits: Limits | None = None
) -> BackendResult:
    """Generate the module for ``spec``; ``format=False`` skips black.
    ``limits`` (tests only) replace the statechart table rule's limits."""
    with collector.paused():
        return _generate(spec, format=format, limits=limits)


def _generate(
    spec: MachineSpec, *, format: bool, limits: Limits | None = None
) -> BackendResult:
    named = naming.build_names(spec)
    if named.names is None:
        return BackendResult(None, named.diagnostics)
    chart = None
    if spec.is_statechart:
        compiled = chart_module.compile_for_module(spec, limits)
        if compiled.module is None:
            return BackendResult(None, (*named.diagnostics, *compiled.diagnostics))
        chart = compiled.module
    rendered = render.render_module(plan.build_plan(spec, named.names, chart))
    if not format:
        return BackendResult(rendered.source, named.diagnostics)
    try:
        return BackendResult(formatting.format_module(rendered), named.diagnostics)
    except formatting.FormattingError as exc:
        # Never a traceback for the user, but never silent either: this is a
        # generator bug, reported where the spec starts.
        message = (
            f"internal error: the generated module did not parse ({exc}); "
            "please report this"
        )
        diagnostic = error(backend_codes.INTERNAL_ERROR, message, spec.pos)
        return BackendResult(None, (*named.diagnostics, diagnostic))
