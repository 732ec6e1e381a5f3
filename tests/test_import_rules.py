"""The direction of flow, enforced: who may import whom.

Data flows one way: front end (load → validate → model) → back end (naming
→ plan → render → format) → driver. So:

* ``gubernator_gen/model.py`` (the IR between the stages), the expression
  IR ``gubernator_gen/expressions`` and ``diagnostics.py`` import no stage:
  of the generator, only ``gubernator_gen.diagnostics`` (and the model the
  expression IR);
* the front end never imports the back end, the driver or the compiler
  (which imports the back end);
* the back end never imports the front end, the driver or the compiler;
* the runtime imports only the standard library and itself, never the
  generator (it is a separate distribution with no dependencies);
* a generated module imports only the standard library and the runtime.

Every import counts: at module level, inside functions (lazy imports),
under ``if TYPE_CHECKING:``, relative ones, and ``importlib.import_module``
or ``__import__`` with a literal name. The test reads the source (AST); it
imports nothing.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gubernator_gen.compiler import compile_path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "gubernator_gen"
RUNTIME = ROOT / "runtime" / "gubernator_runtime"
EXAMPLES = ROOT / "examples"
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


def imported_modules(source: str, module: str, *, is_package: bool) -> Iterator[str]:
    """Every module ``source`` (the module named ``module``) may import.

    ``from a import b`` yields ``a`` and ``a.b`` (``b`` may be a module).
    Relative imports are made absolute.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value


def _absolute(name: str | None, level: int, package: str) -> str:
    if level == 0:
        return name or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - (level - 1)])
    return f"{base}.{name}" if name else base


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def _is_within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _modules(folder: Path, package: str) -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules.append((".".join((package, *parts)), path))
    return modules


def _imports_of(module: str, path: Path) -> set[str]:
    return set(
        imported_modules(
            path.read_text("utf-8"), module, is_package=path.name == "__init__.py"
        )
    )


GENERATOR_MODULES = _modules(GENERATOR, "gubernator_gen")
RUNTIME_MODULES = _modules(RUNTIME, "gubernator_runtime")

# (the importing modules, the packages they must not import, why)
FORBIDDEN: list[tuple[tuple[str, ...], tuple[str, ...], str]] = [
    (
        ("gubernator_gen.model", "gubernator_gen.diagnostics"),
        (
            "gubernator_gen.frontend",
            "gubernator_gen.backend",
            "gubernator_gen.driver",
            "gubernator_gen.compiler",
        ),
        "the model and diagnostics import no stage",
    ),
    (
        ("gubernator_gen.frontend",),
        ("gubernator_gen.backend", "gubernator_gen.driver", "gubernator_gen.compiler"),
        "the front end never imports the back end or the driver",
    ),
    (
        ("gubernator_gen.backend",),
        ("gubernator_gen.frontend", "gubernator_gen.driver", "gubernator_gen.compiler"),
        "the back end never imports the front end or the driver",
    ),
]


def _violations(
    modules: list[tuple[str, Path]],
    importers: tuple[str, ...],
    forbidden: tuple[str, ...],
) -> list[str]:
    found = []
    for module, path in modules:
        if not _is_within(module, importers):
            continue
        for name in sorted(_imports_of(module, path)):
            if _is_within(name, forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize(
    ("importers", "forbidden", "why"), FORBIDDEN, ids=[rule[2] for rule in FORBIDDEN]
)
def test_generator_layers(
    importers: tuple[str, ...], forbidden: tuple[str, ...], why: str
) -> None:
    assert any(_is_within(m, importers) for m, _ in GENERATOR_MODULES), why
    assert _violations(GENERATOR_MODULES, importers, forbidden) == [], why


def test_model_imports_only_diagnostics_of_the_generator() -> None:
    # The expression IR (gubernator_gen.expressions) is part of the model:
    # checked guard and assign expressions live in it.
    allowed = ("gubernator_gen.diagnostics", "gubernator_gen.expressions")
    path = GENERATOR / "model.py"
    outside = {
        name
        for name in _imports_of("gubernator_gen.model", path)
        if _is_within(name, ("gubernator_gen",)) and not _is_within(name, allowed)
    }
    assert outside == set()
    ir_modules = [
        (module, path)
        for module, path in GENERATOR_MODULES
        if _is_within(module, ("gubernator_gen.expressions",))
    ]
    assert ir_modules
    for module, path in ir_modules:
        outside = {
            name
            for name in _imports_of(module, path)
            if _is_within(name, ("gubernator_gen",)) and not _is_within(name, allowed)
        }
        assert outside == set(), module


def test_the_runtime_imports_only_the_standard_library_and_itself() -> None:
    assert RUNTIME_MODULES
    for module, path in RUNTIME_MODULES:
        for name in _imports_of(module, path):
            top = name.partition(".")[0]
            assert top in STDLIB or top == "gubernator_runtime", (
                f"{path.relative_to(ROOT)} imports {name}"
            )


def _generated_sources() -> Iterator[tuple[str, str]]:
    """The committed example modules, and each example spec generated afresh."""
    for path in sorted(EXAMPLES.glob("*/*_fsm.py")):
        yield str(path.relative_to(ROOT)), path.read_text("utf-8")
    for spec in sorted(EXAMPLES.glob("*/*.yaml")):
        result = compile_path(spec)
        assert result.source is not None, result.diagnostics
        yield f"{spec.relative_to(ROOT)} (generated)", result.source


def test_generated_modules_import_only_the_standard_library_and_the_runtime() -> None:
    sources = list(_generated_sources())
    assert len(sources) >= 4
    for name, source in sources:
        for imported in imported_modules(source, "generated", is_package=False):
            top = imported.partition(".")[0]
            assert top in STDLIB or top == "gubernator_runtime", (
                f"{name} imports {imported}"
            )


def test_the_rule_sees_lazy_relative_and_dynamic_imports() -> None:
    # The checker itself must not be blind: each of these is a violation of
    # the front end's rule, written the ways an import can hide.
    hidden = """\
from __future__ import annotations
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from gubernator_gen.driver import settings
def lazy() -> None:
    from gubernator_gen import backend
    from ..backend.plan import ModulePlan
    import gubernator_gen.compiler
    importlib.import_module("gubernator_gen.backend.render")
"""
    names = set(
        imported_modules(hidden, "gubernator_gen.frontend.lazy", is_package=False)
    )
    forbidden = FORBIDDEN[1][1]
    caught = sorted(n for n in names if _is_within(n, forbidden))
    assert caught == [
        "gubernator_gen.backend",
        "gubernator_gen.backend.plan",
        "gubernator_gen.backend.plan.ModulePlan",
        "gubernator_gen.backend.render",
        "gubernator_gen.compiler",
        "gubernator_gen.driver",
        "gubernator_gen.driver.settings",
    ]
