"""Generated modules of statecharts, for the tests: generate, load, drive.

The random charts name their actions ``in:S``, ``out:S`` and
``always:S:i``, which are not Python identifiers (so not ``Actions``
methods); :func:`module_ready` renames them ``in_S``, ``out_S`` and
``always_S_i``, keeping every name distinct, before a module is generated.
"""

from __future__ import annotations

import dataclasses
import itertools
import types
from pathlib import Path

from gubernator_gen import backend
from gubernator_gen.backend.statechart import Limits
from gubernator_gen.diagnostics import Diagnostic
from gubernator_gen.frontend import read_spec
from gubernator_gen.model import MachineSpec

_counter = itertools.count()


def _identifier(name: str) -> str:
    return name.replace(":", "_")


def module_ready(spec: MachineSpec) -> MachineSpec:
    """``spec`` with every action renamed to an identifier."""
    states = tuple(
        dataclasses.replace(
            state,
            on_enter=tuple(map(_identifier, state.on_enter)),
            on_exit=tuple(map(_identifier, state.on_exit)),
            always=tuple(
                dataclasses.replace(a, actions=tuple(map(_identifier, a.actions)))
                for a in state.always
            ),
            after=tuple(
                dataclasses.replace(a, actions=tuple(map(_identifier, a.actions)))
                for a in state.after
            ),
        )
        for state in spec.states
    )
    return dataclasses.replace(spec, states=states)


#: Limits no chart with parallel states or history stays within: its
#: module is generated in the factored mode.
FACTORED = Limits(keys=1, cells=0, combinations=1)


def generate(
    spec: MachineSpec, *, format: bool = True, limits: Limits | None = None
) -> tuple[str | None, tuple[Diagnostic, ...]]:
    """The module's source (``None`` when refused) and the diagnostics;
    ``limits`` replace the table rule's (``FACTORED`` forces that mode)."""
    result = backend.generate_module(spec, format=format, limits=limits)
    return result.source, result.diagnostics


def load(source: str) -> types.ModuleType:
    """Execute generated ``source`` as a fresh module (not in sys.modules)."""
    name = f"_gg_chart_{next(_counter)}"
    module = types.ModuleType(name)
    module.__file__ = f"{name}.py"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def case_module(path: Path) -> types.ModuleType:
    """The loaded module of the spec file at ``path`` (a golden case's)."""
    front = read_spec(path, defines={}, environ={})
    assert front.spec is not None, [d.format() for d in front.diagnostics]
    source, diagnostics = generate(front.spec)
    assert source is not None, [d.format() for d in diagnostics]
    return load(source)
