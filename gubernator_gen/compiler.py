"""The pipeline in one call: spec file → diagnostics and generated source.

This is the seam the command line (and any other driver) uses. Each stage
lives in its own module and is called here in order; nothing here knows YAML,
Jinja2 or black.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gubernator_gen import backend, frontend
from gubernator_gen.diagnostics import Diagnostic, has_errors, sort_key
from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class CompileOptions:
    """Inputs that change generated output besides the spec itself.

    ``environ`` is consulted for ``${VAR}`` substitution after ``defines``;
    it defaults to the process environment.
    """

    defines: Mapping[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] | None = None
    format: bool = True
    strict: bool = False


@dataclass(frozen=True, slots=True)
class CompileResult:
    """What compiling one spec produced.

    ``source`` is ``None`` whenever generation stopped (errors, or warnings
    under ``strict``); ``spec`` is ``None`` when the front end failed.
    """

    spec_path: Path
    spec: MachineSpec | None
    source: str | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """True when a module was generated."""
        return self.source is not None


def compile_path(
    spec_path: Path, options: CompileOptions | None = None
) -> CompileResult:
    """Run every stage on one spec file and return source or diagnostics."""
    opts = options or CompileOptions()
    environ = os.environ if opts.environ is None else opts.environ
    front = frontend.read_spec(spec_path, defines=opts.defines, environ=environ)
    diagnostics = list(front.diagnostics)
    spec = front.spec
    if spec is None or has_errors(diagnostics, strict=opts.strict):
        return _stopped(spec_path, spec, diagnostics)
    back = backend.generate_module(spec, format=opts.format)
    diagnostics.extend(back.diagnostics)
    if back.source is None or has_errors(diagnostics, strict=opts.strict):
        return _stopped(spec_path, spec, diagnostics)
    return CompileResult(
        spec_path, spec, back.source, tuple(sorted(diagnostics, key=sort_key))
    )


def _stopped(
    spec_path: Path, spec: MachineSpec | None, diagnostics: list[Diagnostic]
) -> CompileResult:
    return CompileResult(
        spec_path, spec, None, tuple(sorted(diagnostics, key=sort_key))
    )
