"""The plan: a :class:`ModulePlan` in which every name, literal and table is decided.

The plan turns the model into text fragments that the templates only have to
place: identifiers come from :mod:`gubernator_gen.backend.naming`, every piece of
user text or data is a literal from :mod:`gubernator_gen.backend.literals`, and every
list is in a stable order (declaration order, or sorted). Templates contain no
decisions beyond loops and the presence of optional parts.

Code structures are handed to :mod:`gubernator_gen.backend.emit`, which
alone decides their layout; the decision table comes from
:mod:`gubernator_gen.backend.decisions`, the protocols and context from
:mod:`gubernator_gen.backend.protocols`, the enums' members from
:mod:`gubernator_gen.backend.members`. The module is a little over 400
lines: the plan's classes and the small functions that fill each of their
fields are read together.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend import (
    bulk,
    chart_decisions,
    chart_delays,
    chart_factored,
    chart_resumes,
    chart_tables,
    context_types,
    deciders,
    decisions,
    emit,
    functions,
    literals,
    machine_definition,
    members,
    naming,
    protocols,
)
from gubernator_gen.backend.chart_factored import FactoredModule
from gubernator_gen.backend.chart_module import ChartModule
from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.backend.members import Member
from gubernator_gen.backend.naming import Import, ModuleNames
from gubernator_gen.backend.protocols import ContextPlan, ProtocolPlan
from gubernator_gen.model import MachineSpec

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
#: The API a module needs when a ``Regions`` cell asks guards in other
#: forms than plain calls, or computes ``assign`` updates, and a
#: statechart's with a default fallback (``MachineBase.fallbacks``).
RUNTIME_API_REGIONS: tuple[int, int] = (2, 7)


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
    factored: str = naming.FACTORED
    fallbacks: str = naming.FALLBACKS
    tree: str = naming.TREE
    context: str = naming.CONTEXT
    enum_base: str = f"{naming.ENUM.alias}.Enum"
    typed_dict: str = naming.TYPED_DICT.alias
    protocol: str = naming.PROTOCOL.alias


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
    #: ``_METADATA``, ``_DECISIONS`` and ``_START``; ``None`` for a
    #: factored statechart, whose module has ``factored`` instead.
    metadata: str | None
    decisions: str | None
    start: str | None
    #: The ``_FACTORED`` statement of a statechart past the table limits.
    factored: str | None
    #: The ``_DELAYS`` statement of a statechart with ``after:`` entries.
    delays: str | None
    #: The ``_RESUMES`` statement of a statechart whose steps continue.
    resumes: str | None
    #: The ``_FALLBACKS`` statement of a statechart with a default fallback.
    fallbacks: str | None
    #: A statechart's module: ``_TREE`` and ``is_in``/``ancestors``/``leaves``.
    chart: bool
    #: The ``_TREE`` statement of a statechart's module.
    tree: str | None
    #: The machine stores configurations: the module has ``Configuration``.
    configured: bool
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
    spec: MachineSpec,
    names: ModuleNames,
    chart: ChartModule | FactoredModule | None = None,
) -> ModulePlan:
    """Decide every piece of text of the module generated for ``spec``;
    ``chart`` is its compiled statechart (``None`` for a flat machine)."""
    compiled = (
        chart_decisions.compiled_functions(spec, chart)
        if isinstance(chart, ChartModule)
        else CompiledFunctions.of(spec)
    )
    tables = _tables(spec, names, chart, compiled)
    return ModulePlan(
        ids=Identifiers(),
        header=(
            "# Code generated by gubernator-gen from "
            f"{literals.comment_text(spec.source_name)}. DO NOT EDIT."
        ),
        docstring=literals.docstring_literal(_module_doc(spec), ""),
        stdlib_imports=tuple(_import_line(i) for i in _imports(spec)),
        runtime_import=_import_line(naming.RUNTIME_IMPORT),
        runtime=naming.RUNTIME,
        api=_api_check(tables.api),
        state_doc=protocols.class_doc(f"The states of {protocols.machine_text(spec)}."),
        states=members.state_members(spec, names, chart),
        trigger_doc=protocols.class_doc(
            f"The triggers of {protocols.machine_text(spec)}."
        ),
        triggers=members.trigger_members(spec, names),
        context=protocols.context_plan(spec, names),
        aliases=names.aliases,
        guards=protocols.guards_plan(spec, names),
        actions=protocols.actions_plan(spec, names),
        constants=tuple(
            emit.assignment(target, value)
            for target, value in machine_definition.constants(spec, names, chart)
        ),
        definition=emit.assignment(
            f"{naming.DEFINITION}: {naming.runtime('MachineDefinition')}"
            f"[{naming.STATE}, {naming.TRIGGER}]",
            machine_definition.definition(
                spec, names, tables.rows, () if chart is None else chart.parents
            ),
        ),
        functions=functions.sources(spec, names, compiled),
        deciders=tables.deciders,
        metadata=tables.metadata,
        decisions=tables.decisions,
        start=tables.start,
        factored=_factored(spec, chart, compiled),
        delays=tables.delays,
        resumes=tables.resumes,
        fallbacks=tables.fallbacks,
        chart=chart is not None,
        tree=None if chart is None else _tree(chart, names),
        configured=chart is not None and chart.configured,
        configurations=_configurations(chart, names),
        class_name=names.class_name,
        class_base=_FACTORED_BASE if isinstance(chart, FactoredModule) else _CLASS_BASE,
        class_doc=literals.docstring_literal(_machine_class_doc(spec), "    "),
        guards_param=(
            f"{naming.GUARDS} | {naming.MAPPING.alias}[str, "
            f"{naming.CALLABLE.alias}[{_guard_arguments(spec)}, bool]] | None"
        ),
        actions_param=_ACTIONS_PARAM,
        executor_type=f"{naming.runtime('ActionExecutor')}[{naming.STATE}]",
        machine_alias=naming.MACHINE_ALIAS,
        all_names=_all_names(names, chart),
    )


#: The generated class's base: the runtime's machine on the module's types.
_CLASS_BASE = (
    f"{naming.runtime('MachineBase')}"
    f"[{naming.STATE}, {naming.TRIGGER}, {naming.CONTEXT}]"
)
#: The base of a factored statechart's class: it combines tables per event.
_FACTORED_BASE = (
    f"{naming.runtime('FactoredMachineBase')}"
    f"[{naming.STATE}, {naming.TRIGGER}, {naming.CONTEXT}]"
)
#: The type of the generated constructor's ``actions`` parameter.
_ACTIONS_PARAM = (
    f"{naming.ACTIONS} | {naming.MAPPING.alias}[str, "
    f"{naming.CALLABLE.alias}[[{naming.CONTEXT}], object]]"
)


# -- the decision tables -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tables:
    """The module's decisions, laid out: the rows (which the definition's
    ``leaving`` lists come from), the statements and the API they need."""

    rows: tuple[decisions.Row, ...]
    decisions: str | None
    metadata: str | None
    start: str | None
    delays: str | None
    resumes: str | None
    fallbacks: str | None
    deciders: tuple[str, ...]
    api: tuple[int, int]


def _tables(
    spec: MachineSpec,
    names: ModuleNames,
    chart: ChartModule | FactoredModule | None,
    compiled: CompiledFunctions,
) -> _Tables:
    """Decide the tables (flat or statechart rules) and write their statements.

    The decision table and the delay table share one metadata table and one
    set of decider factories, so the delay table is written after the other.
    A factored statechart has none of these tables (see :func:`_factored`).
    """
    if isinstance(chart, FactoredModule):
        return _Tables(
            rows=tuple(decisions.Row(s, (), leaving) for s, leaving in chart.leaving),
            decisions=None,
            metadata=None,
            start=None,
            delays=None,
            resumes=None,
            fallbacks=None,
            deciders=(),
            api=chart_factored.RUNTIME_API_FACTORED,
        )
    delay_rows: tuple[chart_delays.DelayRow, ...] = ()
    resume_table: chart_resumes.ResumeTable | None = None
    if chart is None:
        rows = decisions.decision_table(spec, compiled)
        start = decisions.start(spec)
    else:
        rows = chart_decisions.decision_table(spec, chart, compiled)
        start = chart_decisions.start(chart)
        delay_rows = chart_delays.delay_table(spec, chart, compiled)
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
    delays = _delays(delay_rows, names, decider_names, shared)
    resumes = _resumes(resume_table, names, decider_names, shared)
    fallbacks = _fallbacks(spec, chart, names, shared)
    declarative = not compiled.empty or not all(
        cell.plain for row in rows for cell in row.cells
    )
    return _Tables(
        rows=rows,
        decisions=emit.assignment(
            f"{naming.DECISIONS}: {naming.runtime('DecisionTable')}", table
        ),
        metadata=emit.assignment(
            f"{naming.METADATA}: tuple[{naming.MAPPING.alias}[str, object], ...]",
            shared.table(),
        ),
        start=emit.assignment(
            f"{naming.START}: {naming.runtime('TransitionResult')}[{naming.STATE}]",
            bulk.start(start, names),
        ),
        delays=delays,
        resumes=resumes,
        fallbacks=fallbacks,
        deciders=tuple(
            deciders.decider_factory(shape, decider_names[shape]) for shape in shapes
        ),
        api=max(
            _required_api(declarative, chart is not None),
            RUNTIME_API_DELAYS if delay_rows else (2, 0),
            RUNTIME_API_RESUMES if resumes else (2, 0),
            RUNTIME_API_REGIONS
            if _general_regions(rows, resume_table) or fallbacks is not None
            else (2, 0),
        ),
    )


# -- a statechart's statements and the export list ---------------------------


def _delays(
    rows: tuple[chart_delays.DelayRow, ...],
    names: ModuleNames,
    decider_names: Mapping[decisions.CellShape, str],
    shared: bulk.Metadata,
) -> str | None:
    """The ``_DELAYS`` statement, for a statechart with ``after:`` entries."""
    if not rows:
        return None
    return emit.assignment(
        f"{naming.DELAYS}: {naming.runtime('DecisionTable')}",
        chart_tables.delays(rows, names, decider_names, shared),
    )


def _fallbacks(
    spec: MachineSpec,
    chart: ChartModule | None,
    names: ModuleNames,
    shared: bulk.Metadata,
) -> str | None:
    """The ``_FALLBACKS`` statement, for a statechart with a default fallback."""
    if chart is None or spec.error_policy.default_fallback is None:
        return None
    return emit.assignment(
        f"{naming.FALLBACKS}: {naming.MAPPING.alias}[object, "
        f"{naming.runtime('TransitionResult')}[{naming.STATE}]]",
        chart_tables.fallbacks(chart_decisions.fallback_table(chart), names, shared),
    )


def _resumes(
    table: chart_resumes.ResumeTable | None,
    names: ModuleNames,
    decider_names: Mapping[decisions.CellShape, str],
    shared: bulk.Metadata,
) -> str | None:
    """The ``_RESUMES`` statement, for a statechart whose steps continue."""
    if table is None:
        return None
    return emit.assignment(
        f"{naming.RESUMES}: {naming.runtime('Resumes')}",
        chart_tables.resumes(table, names, decider_names, shared),
    )


def _factored(
    spec: MachineSpec,
    chart: ChartModule | FactoredModule | None,
    compiled: CompiledFunctions,
) -> str | None:
    """The ``_FACTORED`` statement of a factored statechart."""
    if not isinstance(chart, FactoredModule):
        return None
    data = chart_factored.chart_data(spec, chart.tables, compiled)
    return emit.assignment(
        f"{naming.FACTORED}: {naming.runtime('FactoredChart')}",
        chart_factored.expression(data),
    )


def _configurations(
    chart: ChartModule | FactoredModule | None, names: ModuleNames
) -> str | None:
    """The ``_CONFIGURATIONS`` statement, for a statechart on configurations."""
    if not isinstance(chart, ChartModule) or not chart.configured:
        return None
    return emit.assignment(
        f"{naming.CONFIGURATIONS}: tuple[{naming.CONFIGURATION_CLASS}, ...]",
        chart_tables.configurations(chart, names),
    )


def _all_names(
    names: ModuleNames, chart: ChartModule | FactoredModule | None
) -> tuple[str, ...]:
    """``__all__``: the public names, a statechart's functions and class too."""
    public = list(naming.PUBLIC_NAMES)
    if chart is not None:
        public.extend(naming.CHART_FUNCTIONS)
        if chart.configured:
            public.append(naming.CONFIGURATION_CLASS)
    # Last, as ever: the order of names whose sort keys tie is kept.
    public.append(names.class_name)
    return tuple(
        literals.string_literal(name)
        for name in sorted(public, key=naming.all_sort_key)
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


def _tree(chart: ChartModule | FactoredModule, names: ModuleNames) -> str:
    args: list[tuple[str | None, emit.Expr]] = [(None, emit.Atom(naming.DEFINITION))]
    if chart.history:
        history = tuple(emit.Atom(names.state(h)) for h in chart.history)
        args.append(("history", emit.TupleOf(history)))
    return emit.assignment(
        f"{naming.TREE}: {naming.runtime('StateTree')}[{naming.STATE}]",
        emit.Call(naming.runtime("StateTree"), tuple(args)),
    )


def _general_regions(
    rows: tuple[decisions.Row, ...], resumes: chart_resumes.ResumeTable | None
) -> bool:
    """True when a ``Regions`` cell asks other guard forms or assigns (a
    resume cell's may assign in a later microstep)."""
    every = (*rows, *(() if resumes is None else (resumes.row,)))
    return any(
        isinstance(cell, decisions.RegionsCell) and not cell.plain
        for row in every
        for cell in row.cells
    )


def _required_api(declarative: bool, chart: bool) -> tuple[int, int]:
    if chart:
        return RUNTIME_API_CHARTS
    return RUNTIME_API_DECLARATIVE if declarative else RUNTIME_API
