"""Helpers for the back end's tests: generating, loading and specs on disk."""

from __future__ import annotations

import itertools
import sys
import types
from pathlib import Path

from gubernator_gen import backend
from gubernator_gen.model import MachineSpec

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "order_fsm": REPO / "examples" / "order_management" / "order_fsm.yaml",
    "review_fsm": REPO / "examples" / "document_review" / "review_fsm.yaml",
}

_counter = itertools.count()


def generate(spec: MachineSpec, *, format: bool = True) -> str:
    """The generated source for ``spec``; fails the test on diagnostics."""
    result = backend.generate_module(spec, format=format)
    assert result.source is not None, [d.format() for d in result.diagnostics]
    return result.source


def load_module(source: str, stem: str = "generated") -> types.ModuleType:
    """Execute generated ``source`` as a fresh module (not put in sys.modules)."""
    name = f"_gg_{stem}_{next(_counter)}"
    module = types.ModuleType(name)
    module.__file__ = f"{name}.py"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def run_mypy(args: list[str]) -> tuple[str, str, int]:
    """``mypy.api.run(args)`` in this process, leaving the recursion limit as found.

    mypy's entry point raises ``sys.setrecursionlimit`` to 2**14 for good;
    left so, a later test sized by the limit (tests/graph nests a chart one
    level deeper than it) grows quadratically and ran a whole-suite process
    to 14 GB.
    """
    import mypy.api  # heavy: only the tests that run mypy pay for it

    limit = sys.getrecursionlimit()
    try:
        return mypy.api.run(args)
    finally:
        sys.setrecursionlimit(limit)
