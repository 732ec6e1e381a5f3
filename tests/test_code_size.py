"""Units a reader can hold in mind: no function over 80 lines, no module over 400.

Functions (and methods) of the generator, the runtime, the benchmarks and
the tests are measured from their ``def`` line to their last line,
docstring included; the goldens under ``tests/cases/generate/`` are
generated output and are not measured. Modules of the generator, the
runtime and the benchmarks are measured in lines; test modules are lists
of cases and are not.

A unit over its limit fails unless it is in the allow-list below with the
reason it is kept whole (for a module, the reason its docstring gives).
An entry that no longer applies fails too, so the lists stay true: remove
it when its unit shrinks or goes. The test reads the sources (AST); it
imports nothing.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("gubernator_gen", "runtime/gubernator_runtime", "benchmarks")
TESTS = "tests"
GOLDENS = ROOT / "tests" / "cases" / "generate"
FUNCTION_LINES = 80
MODULE_LINES = 400

#: ``path:qualified name`` → why the function is kept whole.
FUNCTIONS_ALLOWED: dict[str, str] = {}

#: path → why the module is kept whole (what its docstring says).
MODULES_ALLOWED: dict[str, str] = {
    "gubernator_gen/model.py": (
        "the one vocabulary every stage shares; split, each stage would "
        "import the IR from several places"
    ),
    "gubernator_gen/driver/args.py": (
        "mostly help text and examples, kept beside the options they describe"
    ),
    "gubernator_gen/driver/config.py": (
        "two tables read key by key, each check a small function"
    ),
    "runtime/gubernator_runtime/definition.py": (
        "each frozen class validates and normalises its fields for "
        "hand-written definitions too"
    ),
    "gubernator_gen/backend/decisions.py": (
        "the decision table's data classes and the flat rules that fill "
        "them are read together"
    ),
    "gubernator_gen/backend/plan.py": (
        "the plan's classes and the small functions that fill their fields"
    ),
    "runtime/gubernator_runtime/errors.py": (
        "the whole error catalogue in one place, which applications read to "
        "learn what can be raised"
    ),
    "runtime/gubernator_runtime/factored.py": (
        "one algorithm (SCXML's macrostep over factored tables) whose steps "
        "share the macrostep's state; split, they would pass it around"
    ),
    "gubernator_gen/backend/naming.py": (
        "every identifier of the module decided in one place, so that a "
        "collision is found before any code is written"
    ),
}


def _sources(*roots: str) -> Iterator[Path]:
    for root in roots:
        for path in sorted((ROOT / root).rglob("*.py")):
            if GOLDENS not in path.parents and ".venv" not in path.parts:
                yield path


def _functions(
    node: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function below ``node`` with its qualified name: methods, nested
    functions and those under ``if``/``try`` included."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{prefix}{child.name}"
            yield name, child
            yield from _functions(child, f"{name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        else:
            yield from _functions(child, prefix)


def long_functions() -> dict[str, int]:
    """Every function over the limit: ``path:name`` → its lines."""
    found: dict[str, int] = {}
    for path in _sources(*CODE, TESTS):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for name, node in _functions(tree):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines > FUNCTION_LINES:
                found[f"{path.relative_to(ROOT).as_posix()}:{name}"] = lines
    return found


def long_modules() -> dict[str, int]:
    """Every module of the code over the limit: path → its lines."""
    found: dict[str, int] = {}
    for path in _sources(*CODE):
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MODULE_LINES:
            found[path.relative_to(ROOT).as_posix()] = lines
    return found


def test_no_function_is_over_80_lines_unless_allowed() -> None:
    found = long_functions()
    unexplained = {
        name: n for name, n in found.items() if name not in FUNCTIONS_ALLOWED
    }
    assert not unexplained, f"split these functions (lines): {unexplained}"
    stale = sorted(set(FUNCTIONS_ALLOWED) - set(found))
    assert not stale, f"no longer over {FUNCTION_LINES} lines, unlist: {stale}"


def test_no_module_is_over_400_lines_unless_allowed() -> None:
    found = long_modules()
    unexplained = {path: n for path, n in found.items() if path not in MODULES_ALLOWED}
    assert not unexplained, (
        f"split these modules, or list them with the reason their docstring "
        f"gives (lines): {unexplained}"
    )
    stale = sorted(set(MODULES_ALLOWED) - set(found))
    assert not stale, f"no longer over {MODULE_LINES} lines, unlist: {stale}"


def test_the_measure_sees_nested_and_conditional_functions() -> None:
    # The walk must not miss a method, a nested function or one under ``if``.
    body = "".join(f"x = {i}\n" for i in range(FUNCTION_LINES))
    source = "\n".join(
        (
            "class C:",
            "    def method(self):",
            textwrap.indent(body, " " * 8),
            "if True:",
            "    def conditional():",
            textwrap.indent(body, " " * 8),
            "def outer():",
            "    def inner():",
            textwrap.indent(body, " " * 8),
        )
    )
    lines = {
        name: node.end_lineno - node.lineno + 1
        for name, node in _functions(ast.parse(source))
        if node.end_lineno is not None
    }
    assert lines == {
        "C.method": FUNCTION_LINES + 1,
        "conditional": FUNCTION_LINES + 1,
        "outer": FUNCTION_LINES + 2,
        "outer.inner": FUNCTION_LINES + 1,
    }
