"""Generate a module and import it: what each benchmark starts with.

From spec text (:func:`generate_and_import`, the whole pipeline) or from a
model (:func:`load`, the back end alone); both import through
:func:`import_source`.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from gubernator_gen import backend
from gubernator_gen.compiler import compile_path
from gubernator_gen.model import MachineSpec


def import_source(name: str, source: str, filename: str) -> types.ModuleType:
    """Run generated ``source`` as the new module ``name``, registered in
    ``sys.modules`` (so what it defines knows its module)."""
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def generate_and_import(workdir: Path, name: str, spec_text: str) -> types.ModuleType:
    """Write ``spec_text`` as ``workdir/<name>.yaml``, generate ``<name>.py``
    beside it and import it as the module ``name``.

    A spec that does not compile stops the benchmark with its diagnostics.
    """
    spec_path = workdir / f"{name}.yaml"
    spec_path.write_text(spec_text, encoding="utf-8")
    result = compile_path(spec_path)
    if result.source is None:
        problems = "\n".join(d.format() for d in result.diagnostics)
        raise SystemExit(f"{name} did not compile:\n{problems}")
    target = workdir / f"{name}.py"
    target.write_text(result.source, encoding="utf-8")
    return import_source(name, result.source, str(target))


def load(spec: MachineSpec) -> types.ModuleType:
    """Generate the module of a model (as the front end would build it) and
    import it as ``spec.name``; a refused model stops the benchmark."""
    result = backend.generate_module(spec)
    if result.source is None:
        raise SystemExit([d.format() for d in result.diagnostics])
    return import_source(spec.name, result.source, f"{spec.name}.py")
