"""The pipeline in one call: spec file → diagnostics and generated modules.

This is the seam the command line (and any other driver) uses. Each stage
lives in its own module and is called here in order; nothing here knows YAML,
Jinja2 or black. A file holds one machine, or several under ``machines:``,
and gives one module per machine; a file with an error in any of its
machines gives no module at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gubernator_gen import backend, collector, frontend
from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.diagnostics import (
    Diagnostic,
    has_errors,
    sort_key,
)
from gubernator_gen.model import MachineSpec

#: A statechart construct modules cannot run yet (``validate`` leaves it out).
NOT_COMPILED = backend_codes.STATECHART_NOT_COMPILED


@dataclass(frozen=True, slots=True)
class CompileOptions:
    """Inputs that change generated output besides the spec itself.

    ``environ`` is consulted for ``${VAR}`` substitution after ``defines``;
    it defaults to the process environment. ``checking`` is set by
    ``validate``, which wants every diagnostic but no module.
    """

    defines: Mapping[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] | None = None
    format: bool = True
    strict: bool = False
    checking: bool = False


@dataclass(frozen=True, slots=True)
class GeneratedModule:
    """One generated module.

    ``stem`` is the file name it is written under, without ``.py``: the
    module name derived from the machine's name in a ``machines:`` file,
    ``None`` for a one-machine file (whose module is named after the spec
    file). ``spec`` is the machine it was generated from.
    """

    source: str
    stem: str | None = None
    spec: MachineSpec | None = None


@dataclass(frozen=True, slots=True)
class CompileResult:
    """What compiling one spec file produced.

    ``specs`` are the file's machines (empty when the front end failed);
    ``modules`` their modules, in the same order, or nothing when
    generation stopped (errors, or warnings under ``strict``).
    """

    spec_path: Path
    specs: tuple[MachineSpec, ...]
    modules: tuple[GeneratedModule, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """True when the modules were generated."""
        return bool(self.modules)

    @property
    def spec(self) -> MachineSpec | None:
        """The machine of a file that holds exactly one."""
        return self.specs[0] if len(self.specs) == 1 else None

    @property
    def source(self) -> str | None:
        """The source of the one module of a file that gives exactly one."""
        return self.modules[0].source if len(self.modules) == 1 else None


def compile_path(
    spec_path: Path, options: CompileOptions | None = None
) -> CompileResult:
    """Run every stage on one spec file and return modules or diagnostics."""
    # One pause over both ends: the collector would otherwise rescan the
    # whole front end's data once between them.
    with collector.paused():
        return _compile(spec_path, options or CompileOptions())


def _compile(spec_path: Path, opts: CompileOptions) -> CompileResult:
    environ = os.environ if opts.environ is None else opts.environ
    front = frontend.read_spec(spec_path, defines=opts.defines, environ=environ)
    diagnostics = list(front.diagnostics)
    specs = front.specs
    if not specs or has_errors(diagnostics, strict=opts.strict):
        return _result(spec_path, specs, (), diagnostics)
    stems: tuple[str | None, ...] = (None,) * len(specs)
    if front.several:
        stems, collisions = backend.module_names(specs)
        diagnostics.extend(collisions)
    modules = []
    for spec, stem in zip(specs, stems, strict=True):
        back = backend.generate_module(spec, format=opts.format)
        found = back.diagnostics
        if opts.checking:
            # validate checks the spec: what this generator cannot compile
            # into a module yet is not a problem of the spec.
            found = tuple(d for d in found if d.code != NOT_COMPILED)
        diagnostics.extend(found)
        if back.source is not None:
            modules.append(GeneratedModule(back.source, stem, spec))
    if len(modules) != len(specs) or has_errors(diagnostics, strict=opts.strict):
        return _result(spec_path, specs, (), diagnostics)
    return _result(spec_path, specs, tuple(modules), diagnostics)


def _result(
    spec_path: Path,
    specs: tuple[MachineSpec, ...],
    modules: tuple[GeneratedModule, ...],
    diagnostics: list[Diagnostic],
) -> CompileResult:
    return CompileResult(
        spec_path, specs, modules, tuple(sorted(diagnostics, key=sort_key))
    )
