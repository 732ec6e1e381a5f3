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
from gubernator_gen.backend import naming
from gubernator_gen.diagnostics import (
    Diagnostic,
    SourcePos,
    error,
    has_errors,
    sort_key,
)
from gubernator_gen.model import MachineSpec


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
        if spec.is_statechart:
            diagnostics.extend(statechart_stopgap(spec, checking=opts.checking))
            continue
        back = backend.generate_module(spec, format=opts.format)
        diagnostics.extend(back.diagnostics)
        if back.source is not None:
            modules.append(GeneratedModule(back.source, stem, spec))
    if len(modules) != len(specs) or has_errors(diagnostics, strict=opts.strict):
        return _result(spec_path, specs, (), diagnostics)
    return _result(spec_path, specs, tuple(modules), diagnostics)


# -- stopgap: delete when the back end emits statechart modules -------------


def statechart_stopgap(spec: MachineSpec, *, checking: bool) -> list[Diagnostic]:
    """What a statechart gets instead of a module until the back end emits one.

    Its names are still derived (a collision is reported as for any
    machine); then, unless only ``checking`` (``validate``), the error of
    :func:`not_compiled_yet`, so that no module with flat semantics is ever
    written for it.
    """
    found = list(naming.build_names(spec).diagnostics)
    if not checking:
        found.append(not_compiled_yet(spec))
    return found


def not_compiled_yet(spec: MachineSpec) -> Diagnostic:
    """GG480 at the first statechart construct of ``spec`` (``generate``, ``sql``)."""
    first = min(_statechart_places(spec), key=lambda pos: (pos.line, pos.column))
    return error(
        backend_codes.NOT_COMPILED_YET,
        "statechart features (nested, parallel and history states, always:, "
        "after:) are checked by 'gubernator-gen validate' but not compiled yet: "
        "no module or DDL can be written for this machine",
        first,
    )


def _statechart_places(spec: MachineSpec) -> list[SourcePos]:
    places = [s.pos for s in spec.states if s.parent is not None or s.children]
    places.extend(s.pos for s in spec.states if s.parallel or s.is_history)
    for state in spec.states:
        places.extend(edge.pos for edge in state.edges)
    return places or [spec.pos]


# ---------------------------------------------------------------------------


def _result(
    spec_path: Path,
    specs: tuple[MachineSpec, ...],
    modules: tuple[GeneratedModule, ...],
    diagnostics: list[Diagnostic],
) -> CompileResult:
    return CompileResult(
        spec_path, specs, modules, tuple(sorted(diagnostics, key=sort_key))
    )
