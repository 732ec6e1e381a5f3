"""The source of the functions compiled from guard expressions and ``assign``.

Part of the plan: :class:`~gubernator_gen.backend.compiled.CompiledFunctions`
names them, :mod:`gubernator_gen.backend.expressions` writes each from its
checked syntax tree (typed against ``Context``, so mypy checks it), and the
template places them before the deciders that call them.
"""

from __future__ import annotations

from gubernator_gen.backend import context_types, naming
from gubernator_gen.backend.compiled import AssignSteps, CompiledFunctions
from gubernator_gen.backend.expressions import (
    assign_function,
    assign_steps_function,
    guard_function,
)
from gubernator_gen.backend.naming import ModuleNames
from gubernator_gen.model import MachineSpec


def sources(
    spec: MachineSpec, names: ModuleNames, compiled: CompiledFunctions
) -> tuple[str, ...]:
    """Every compiled function of the module, guards first, in order of use."""
    if compiled.empty:
        return ()
    found = [
        guard_function(
            name,
            item.expr,
            context=naming.CONTEXT,
            doc=_doc("Guard", item.text, decided=name in compiled.decided),
        ).source
        for item, name in compiled.guards.items()
    ]
    annotations = _annotations(spec, names)
    for assign, name in compiled.effects.items():
        if isinstance(assign, AssignSteps):
            steps = [[(e.target, e.expr) for e in step] for step in assign.steps]
            targets = "; ".join(", ".join(e.target for e in s) for s in assign.steps)
            found.append(
                assign_steps_function(
                    name,
                    steps,
                    context=naming.CONTEXT,
                    annotations=annotations,
                    doc=f"The context updates of assign ({targets}).\n\n"
                    "Microstep by microstep: each sees the updates before it.",
                ).source
            )
            continue
        targets = ", ".join(entry.target for entry in assign)
        found.append(
            assign_function(
                name,
                [(entry.target, entry.expr) for entry in assign],
                context=naming.CONTEXT,
                annotations=annotations,
                doc=f"The context updates of assign ({targets}).",
            ).source
        )
    return tuple(found)


def _doc(what: str, text: str, *, decided: bool = False) -> str:
    """``Guard: <the expression as written, on one line>``; a statechart's
    expression whose ``in_state`` tests were decided for the cells that
    call this function says so."""
    doc = f"{what}: {' '.join(text.split())}"
    if decided:
        doc += " (in_state decided per cell)"
    return doc


def _annotations(spec: MachineSpec, names: ModuleNames) -> dict[str, str]:
    """Each context field's type as ``Context`` spells it."""
    if spec.context is None:
        return {}
    taken = (*names.module_names, names.class_name)
    return dict(context_types.context_types(spec.context, taken).annotations)
