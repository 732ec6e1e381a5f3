"""The members of a module's two enums: ``State`` and ``Trigger``.

Each member is its name (from :mod:`gubernator_gen.backend.naming`), its
value and its docstring, all literals: a state's description (and in a
statechart its path and, for a compound state, the atomic states stored
instead), a trigger's routes with their descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.backend import literals, protocols
from gubernator_gen.backend.chart_factored import FactoredModule
from gubernator_gen.backend.chart_module import ChartModule
from gubernator_gen.backend.naming import ModuleNames
from gubernator_gen.model import MachineSpec, State, by_precedence


@dataclass(frozen=True, slots=True)
class Member:
    """An enum member: ``name = value`` and an optional docstring literal."""

    name: str
    value: str
    doc: str | None


def state_members(
    spec: MachineSpec, names: ModuleNames, chart: ChartModule | FactoredModule | None
) -> tuple[Member, ...]:
    """The ``State`` members, in declaration order; ``chart`` is the compiled
    statechart (``None`` for a flat machine, whose docstrings have no path)."""
    paths = None if chart is None else _state_paths(spec)
    return tuple(_state_member(state, names, paths) for state in spec.states)


def _state_member(
    state: State, names: ModuleNames, paths: dict[str, str] | None
) -> Member:
    doc = state.description if state.description.strip() else None
    if paths is not None:
        doc = paths[state.name] + ("" if doc is None else f"\n\n{doc}")
    return Member(
        name=names.state_members[state.name],
        value=literals.string_literal(state.name),
        doc=None if doc is None else literals.docstring_literal(doc, "    "),
    )


def _state_paths(spec: MachineSpec) -> dict[str, str]:
    """Each statechart state's first docstring line: its path, and for a
    compound state the atomic states inside it (what is stored instead)."""
    tree = spec.tree
    inside: dict[str, list[str]] = {}
    for state in spec.states:
        if not state.children and not state.is_history:
            for ancestor in tree.ancestors(state.name):
                inside.setdefault(ancestor, []).append(state.name)
    paths = {}
    for state in spec.states:
        path = " / ".join((*reversed(tree.ancestors(state.name)), state.name))
        leaves = inside.get(state.name)
        if state.is_history:
            paths[state.name] = f"Path: {path} (history of {state.parent})."
            continue
        if leaves is None:
            paths[state.name] = f"Path: {path}."
            continue
        shown = ", ".join(leaves[:_LEAVES_SHOWN])
        if len(leaves) > _LEAVES_SHOWN:
            shown += f" and {len(leaves) - _LEAVES_SHOWN} more"
        paths[state.name] = (
            f"Path: {path} (compound, never stored: its atomic states are {shown})."
        )
    return paths


#: How many of a compound state's atomic states its docstring names.
_LEAVES_SHOWN = 8


def trigger_members(spec: MachineSpec, names: ModuleNames) -> tuple[Member, ...]:
    """The ``Trigger`` members, in order of first appearance, each documented
    with the routes it takes (named sources before wildcards)."""
    # Grouped in one pass: a machine may have thousands of triggers.
    routes: dict[str, list[str]] = {trigger: [] for trigger in spec.triggers}
    # Wildcard routes last: a named source is tried before them.
    for transition in by_precedence(spec.transitions, lambda t: t.wildcard):
        route = protocols.route(transition)
        if transition.description.strip():
            route += f": {transition.description.rstrip()}"
        routes[transition.trigger].append(route)
    return tuple(
        _trigger_member(trigger, trigger_routes, names)
        for trigger, trigger_routes in routes.items()
    )


def _trigger_member(trigger: str, routes: list[str], names: ModuleNames) -> Member:
    if len(routes) == 1:
        text = routes[0]
    else:
        text = (
            "From the current state, the first of these whose guards pass:\n\n"
            + "\n".join(f"- {route}" for route in routes)
        )
    return Member(
        name=names.trigger_members[trigger],
        value=literals.string_literal(trigger),
        doc=literals.docstring_literal(text, "    "),
    )
