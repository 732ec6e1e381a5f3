"""Generate a module from spec text and import it: what each benchmark starts with."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from gubernator_gen.compiler import compile_path


def generate_and_import(workdir: Path, name: str, spec_text: str) -> ModuleType:
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
    spec = importlib.util.spec_from_file_location(name, target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
