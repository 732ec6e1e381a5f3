"""The plan: a :class:`ModulePlan` in which every name, literal and table is decided.

The plan turns the model into text fragments that the templates only have to
place: identifiers come from :mod:`gubernator_gen.backend.naming`, every piece of
user text or data is a literal from :mod:`gubernator_gen.backend.literals`, and every
list is in a stable order (declaration order, or sorted). Templates contain no
decisions beyond loops and the presence of optional parts.

Code structures are handed to :mod:`gubernator_gen.backend.emit`, which
alone decides their layout; the decision table comes from
:mod:`gubernator_gen.backend.decisions`, the protocols and context from
:mod:`gubernator_gen.backend.protocols`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from gubernator_gen.backend import (
    bulk,
    chart_decisions,
    chart_resumes,
    context_types,
    deciders,
    decisions,
    emit,
    functions,
    literals,
    naming,
    protocols,
)
from gubernator_gen.backend.chart_decisions import ChartModule
from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.backend.naming import Import, ModuleNames
from gubernator_gen.backend.protocols import ContextPlan, ProtocolPlan
from gubernator_gen.model import MachineSpec, State, by_precedence

#: The runtime API the generated modules are written against: the runtime's
#: ``API_VERSION`` must have this major and be at least this
#: (docs/runtime.md#api-version-and-compatibility).
RUNTIME_API: tuple[int, int] = (2, 1)
#: The API a module needs when it uses guard items or ``assign``: cells with
#: ``calls``, ``arguments`` or ``effects``, ``with_updates``, ``AssignError``.
RUNTIME_API_DECLARATIVE: tuple[int, int] = (2, 2)
#: The API a statechart's module needs: ``MachineDefinition.parents``,
#: ``StateTree`` and ``CompoundStateError``.
RUNTIME_API_CHARTS: tuple[int, int] = (2, 3)
#: The API a statechart with ``after:`` entries needs: ``MachineBase.delays``
#: and the ``deadlines`` of results.
RUNTIME_API_DELAYS: tuple[int, int] = (2, 4)
#: The API a statechart whose steps continue at run time needs (guarded
#: eventless decisions): ``MachineBase.resumes`` and the ``resume`` of results.
RUNTIME_API_RESUMES: tuple[int, int] = (2, 5)


@dataclass(frozen=True, slots=True)
class Identifiers:
    """Fixed names the template writes (all decided by the naming module)."""

    state: str = naming.STATE
    trigger: str = naming.TRIGGER
    definition: str = naming.DEFINITION
    decisions: str = naming.DECISIONS
    start: str = naming.START
    delays: str = naming.DELAYS
    resumes: str = naming.RESUMES
    tree: str = naming.TREE
    context: str = naming.CONTEXT
    enum_base: str = f"{naming.ENUM.alias}.Enum"
    typed_dict: str = naming.TYPED_DICT.alias
    protocol: str = naming.PROTOCOL.alias


@dataclass(frozen=True, slots=True)
class Member:
    """An enum member: ``name = value`` and an optional docstring literal."""

    name: str
    value: str
    doc: str | None


@dataclass(frozen=True, slots=True)
class ApiCheck:
    """The import-time check of the runtime's API version
    (docs/runtime.md#api-version-and-compatibility).

    The messages are string literals, one per line, that the template writes
    as an implicit concatenation ending with ``version_tail``, which appends
    the installed version (a line black keeps as it is).
    """

    major: str
    minimum: str
    too_new: tuple[str, ...]
    too_old: tuple[str, ...]
    version_tail: str


@dataclass(frozen=True, slots=True)
class ModulePlan:
    """Everything ``templates/module.py.j2`` prints, ready to print."""

    ids: Identifiers
    header: str
    docstring: str
    stdlib_imports: tuple[str, ...]
    runtime_import: str
    runtime: str
    api: ApiCheck
    state_doc: str
    states: tuple[Member, ...]
    trigger_doc: str
    triggers: tuple[Member, ...]
    context: ContextPlan
    aliases: tuple[tuple[str, str], ...]
    guards: ProtocolPlan
    actions: ProtocolPlan
    constants: tuple[str, ...]
    definition: str
    functions: tuple[str, ...]
    deciders: tuple[str, ...]
    metadata: str
    decisions: str
    start: str
    #: The ``_DELAYS`` statement of a statechart with ``after:`` entries.
    delays: str | None
    #: The ``_RESUMES`` statement of a statechart whose steps continue.
    resumes: str | None
    #: A statechart's module: ``_TREE`` and ``is_in``/``ancestors``/``leaves``.
    chart: bool
    #: The ``_TREE`` statement of a statechart's module.
    tree: str | None
    #: The ``_CONFIGURATIONS`` statement of a machine on configurations.
    configurations: str | None
    class_name: str
    class_base: str
    class_doc: str
    guards_param: str
    actions_param: str
    executor_type: str
    machine_alias: str
    all_names: tuple[str, ...]


def build_plan(
    spec: MachineSpec, names: ModuleNames, chart: ChartModule | None = None
) -> ModulePlan:
    """Decide every piece of text of the module generated for ``spec``;
    ``chart`` is its compiled statechart (``None`` for a flat machine)."""
    compiled = CompiledFunctions.of(spec)
    delay_rows: tuple[chart_decisions.DelayRow, ...] = ()
    resume_table: chart_resumes.ResumeTable | None = None
    if chart is None:
        rows = decisions.decision_table(spec, compiled)
        start = decisions.start(spec)
    else:
        rows = chart_decisions.decision_table(spec, chart, compiled)
        start = chart_decisions.start(chart)
        delay_rows = chart_decisions.delay_table(spec, chart, compiled)
        resume_table = chart_resumes.resume_table(spec, chart, compiled)
    shapes = decisions.shapes(
        (
            *rows,
            *(row.row for row in delay_rows),
            *(() if resume_table is None else (resume_table.row,)),
        )
    )
    decider_names = decisions.shape_names(shapes)
    shared = bulk.Metadata()
    table, _ = bulk.decisions(rows, names, decider_names, shared)
    delays = (
        emit.assignment(
            f"{naming.DELAYS}: {naming.runtime('DecisionTable')}",
            bulk.delays(delay_rows, names, decider_names, shared),
        )
        if delay_rows
        else None
    )
    resumes = (
        None
        if resume_table is None
        else emit.assignment(
            f"{naming.RESUMES}: {naming.runtime('Resumes')}",
            bulk.resumes(resume_table, names, decider_names, shared),
        )
    )
    table_metadata = shared.table()
    context = protocols.context_plan(spec, names)
    imports = _imports(spec)
    declarative = not compiled.empty or not all(
        cell.plain for row in rows for cell in row.cells
    )
    return ModulePlan(
        ids=Identifiers(),
        header=(
            "# Code generated by gubernator-gen from "
            f"{literals.comment_text(spec.source_name)}. DO NOT EDIT."
        ),
        docstring=literals.docstring_literal(_module_doc(spec), ""),
        stdlib_imports=tuple(_import_line(i) for i in imports),
        runtime_import=_import_line(naming.RUNTIME_IMPORT),
        runtime=naming.RUNTIME,
        api=_api_check(
            RUNTIME_API_RESUMES
            if resumes
            else RUNTIME_API_DELAYS
            if delay_rows
            else _required_api(declarative, chart is not None)
        ),
        state_doc=protocols.class_doc(f"The states of {protocols.machine_text(spec)}."),
        states=_state_members(spec, names, chart),
        trigger_doc=protocols.class_doc(
            f"The triggers of {protocols.machine_text(spec)}."
        ),
        triggers=_trigger_members(spec, names),
        context=context,
        aliases=names.aliases,
        guards=protocols.guards_plan(spec, names),
        actions=protocols.actions_plan(spec, names),
        constants=tuple(
            emit.assignment(target, value)
            for target, value in bulk.constants(spec, names, chart)
        ),
        definition=emit.assignment(
            f"{naming.DEFINITION}: {naming.runtime('MachineDefinition')}"
            f"[{naming.STATE}, {naming.TRIGGER}]",
            bulk.definition(spec, names, rows, () if chart is None else chart.parents),
        ),
        functions=functions.sources(spec, names, compiled),
        deciders=tuple(
            deciders.decider_factory(shape, decider_names[shape]) for shape in shapes
        ),
        metadata=emit.assignment(
            f"{naming.METADATA}: tuple[{naming.MAPPING.alias}[str, object], ...]",
            table_metadata,
        ),
        decisions=emit.assignment(
            f"{naming.DECISIONS}: {naming.runtime('DecisionTable')}", table
        ),
        start=emit.assignment(
            f"{naming.START}: {naming.runtime('TransitionResult')}[{naming.STATE}]",
            bulk.start(start, names),
        ),
        delays=delays,
        resumes=resumes,
        chart=chart is not None,
        tree=None if chart is None else _tree(chart, names),
        configurations=(
            None
            if chart is None or not chart.configured
            else emit.assignment(
                f"{naming.CONFIGURATIONS}: tuple[{naming.CONFIGURATION_CLASS}, ...]",
                bulk.configurations(chart, names),
            )
        ),
        class_name=names.class_name,
        class_base=(
            f"{naming.runtime('MachineBase')}"
            f"[{naming.STATE}, {naming.TRIGGER}, {naming.CONTEXT}]"
        ),
        class_doc=literals.docstring_literal(_machine_class_doc(spec), "    "),
        guards_param=(
            f"{naming.GUARDS} | {naming.MAPPING.alias}[str, "
            f"{naming.CALLABLE.alias}[{_guard_arguments(spec)}, bool]] | None"
        ),
        actions_param=(
            f"{naming.ACTIONS} | {naming.MAPPING.alias}[str, "
            f"{naming.CALLABLE.alias}[[{naming.CONTEXT}], object]]"
        ),
        executor_type=f"{naming.runtime('ActionExecutor')}[{naming.STATE}]",
        machine_alias=naming.MACHINE_ALIAS,
        all_names=tuple(
            literals.string_literal(name)
            for name in sorted(
                (
                    *naming.PUBLIC_NAMES,
                    *(naming.CHART_FUNCTIONS if chart is not None else ()),
                    *(
                        (naming.CONFIGURATION_CLASS,)
                        if chart is not None and chart.configured
                        else ()
                    ),
                    names.class_name,
                ),
                key=naming.all_sort_key,
            )
        ),
    )


# -- module, enums and protocols ---------------------------------------------


def _module_doc(spec: MachineSpec) -> str:
    paragraphs = [f"State machine {spec.name}, version {spec.version}."]
    if spec.description.strip():
        # A YAML block scalar ends with a newline: it must not add blank lines.
        paragraphs.append(spec.description.rstrip())
    # The file name as in the header: one line whatever it holds.
    source = literals.comment_text(spec.source_name)
    paragraphs.append(
        f"Generated from {source}; edit the spec, not this module.\n"
        f"Regenerate with: gubernator-gen generate {shlex.quote(source)}"
    )
    return "\n\n".join(paragraphs)


def _machine_class_doc(spec: MachineSpec) -> str:
    summary = (
        spec.description.rstrip()
        if spec.description.strip()
        else (f"State machine {spec.name}.")
    )
    return (
        f"{summary}\n\n"
        "Stateless: build it once with the guards (a Guards implementation or a\n"
        "mapping of guard name to callable) and call process(state, trigger,\n"
        "context) with the state your application stored."
    )


def _imports(spec: MachineSpec) -> tuple[Import, ...]:
    used = {
        naming.ENUM,
        naming.CALLABLE,
        naming.MAPPING,
        naming.MAPPING_PROXY,
        naming.FINAL,
        naming.PROTOCOL,
    }
    if spec.context is None:
        used.add(naming.ANY)
    else:
        used.add(naming.TYPED_DICT)
        used.update(context_types.imports(spec.context))
    # isort order: plain imports first, then from-imports, each by module/name.
    return tuple(
        sorted(used, key=lambda i: (i.name is not None, i.module, i.name or ""))
    )


def _import_line(imported: Import) -> str:
    if imported.name is None:
        return f"import {imported.module} as {imported.alias}"
    return f"from {imported.module} import {imported.name} as {imported.alias}"


def _guard_arguments(spec: MachineSpec) -> str:
    """What a guard given as a callable takes: the context, or more (keywords)."""
    return "..." if spec.guard_signatures else f"[{naming.CONTEXT}]"


def _api_check(required: tuple[int, int]) -> ApiCheck:
    major, minor = required
    too_new = (
        f"this module was generated for gubernator-runtime API {major}.x, ",
        "but the installed gubernator-runtime is newer and incompatible: ",
        "regenerate the module with a gubernator-gen that supports it",
    )
    too_old = (
        f"this module needs gubernator-runtime API {major}.{minor} or newer ",
        f"within {major}.x: upgrade gubernator-runtime",
    )
    installed = f'".".join(map(str, {naming.runtime("API_VERSION")}))'
    return ApiCheck(
        major=str(major),
        minimum=literals.tuple_literal([str(major), str(minor)]),
        too_new=tuple(literals.string_literal(line) for line in too_new),
        too_old=tuple(literals.string_literal(line) for line in too_old),
        version_tail=f'" (installed runtime API: " + {installed} + ")"',
    )


def _tree(chart: ChartModule, names: ModuleNames) -> str:
    args: list[tuple[str | None, emit.Expr]] = [(None, emit.Atom(naming.DEFINITION))]
    if chart.history:
        history = tuple(emit.Atom(names.state(h)) for h in chart.history)
        args.append(("history", emit.TupleOf(history)))
    return emit.assignment(
        f"{naming.TREE}: {naming.runtime('StateTree')}[{naming.STATE}]",
        emit.Call(naming.runtime("StateTree"), tuple(args)),
    )


def _required_api(declarative: bool, chart: bool) -> tuple[int, int]:
    if chart:
        return RUNTIME_API_CHARTS
    return RUNTIME_API_DECLARATIVE if declarative else RUNTIME_API


def _state_members(
    spec: MachineSpec, names: ModuleNames, chart: ChartModule | None
) -> tuple[Member, ...]:
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


def _trigger_members(spec: MachineSpec, names: ModuleNames) -> tuple[Member, ...]:
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
