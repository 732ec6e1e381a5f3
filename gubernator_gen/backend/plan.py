"""The plan: a :class:`ModulePlan` in which every name, literal and table is decided.

The plan turns the model into text fragments that the templates only have to
place: identifiers come from :mod:`gubernator_gen.backend.naming`, every piece of
user text or data is a literal from :mod:`gubernator_gen.backend.literals`, and every
list is in a stable order (declaration order, or sorted). Templates contain no
decisions beyond loops and the presence of optional parts.

Layout is also decided here where it matters for black (with the helpers
of :mod:`gubernator_gen.backend.layout`): a collection is written on one line when it
fits in black's line length at the indentation the template gives it, and
otherwise one item per line with a trailing comma, which black keeps as it
is. The unformatted output is then already what black prints, which makes
formatting cheap (see :mod:`gubernator_gen.backend.formatting`).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend import bulk, deciders, decisions, emit, literals, naming
from gubernator_gen.backend.naming import Import, ModuleNames
from gubernator_gen.model import ContextType, MachineSpec, State, Transition

#: The runtime API the generated modules are written against: the runtime's
#: ``API_VERSION`` must have this major and be at least this (SPEC §6).
RUNTIME_API: tuple[int, int] = (2, 0)

_CONTEXT_TYPES: Mapping[ContextType, tuple[str, Import | None]] = {
    ContextType.STR: ("str", None),
    ContextType.INT: ("int", None),
    ContextType.FLOAT: ("float", None),
    ContextType.BOOL: ("bool", None),
    ContextType.DECIMAL: (naming.DECIMAL.alias, naming.DECIMAL),
    ContextType.DATETIME: (naming.DATETIME.alias, naming.DATETIME),
    ContextType.DATE: (naming.DATE.alias, naming.DATE),
    ContextType.LIST: (f"list[{naming.ANY.alias}]", naming.ANY),
    ContextType.DICT: (f"dict[str, {naming.ANY.alias}]", naming.ANY),
    ContextType.ANY: (naming.ANY.alias, naming.ANY),
}


@dataclass(frozen=True, slots=True)
class Identifiers:
    """Fixed names the template writes (all decided by the naming module)."""

    state: str = naming.STATE
    trigger: str = naming.TRIGGER
    definition: str = naming.DEFINITION
    decisions: str = naming.DECISIONS
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
class Method:
    """A protocol method ``name(self, ctx: context) -> returns`` with a docstring."""

    name: str
    context: str
    returns: str
    doc: str


@dataclass(frozen=True, slots=True)
class ProtocolPlan:
    """The ``Guards`` or ``Actions`` protocol."""

    name: str
    doc: str
    methods: tuple[Method, ...]


@dataclass(frozen=True, slots=True)
class TypedDictPart:
    """A functional ``TypedDict`` holding the required or the optional fields.

    The functional form takes any string as a key, so context fields named
    like keywords (``class``) or like the annotations need no special case.
    ``fields`` are ``(key literal, type expression)`` pairs.
    """

    name: str
    name_literal: str
    fields: tuple[tuple[str, str], ...]
    total: bool


@dataclass(frozen=True, slots=True)
class ContextPlan:
    """``Context``: an alias (no ``context:`` in the spec) or a ``TypedDict``."""

    alias_of: str | None
    parts: tuple[TypedDictPart, ...]
    bases: str
    doc: str


@dataclass(frozen=True, slots=True)
class ApiCheck:
    """The import-time check of the runtime's API version (SPEC §6).

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
    deciders: tuple[str, ...]
    metadata: str
    decisions: str
    class_name: str
    class_base: str
    class_doc: str
    guards_param: str
    actions_param: str
    executor_type: str
    machine_alias: str
    all_names: tuple[str, ...]


def build_plan(spec: MachineSpec, names: ModuleNames) -> ModulePlan:
    """Decide every piece of text of the module generated for ``spec``."""
    rows = decisions.decision_table(spec)
    table, table_metadata = bulk.decisions(rows, names)
    context = _context_plan(spec)
    imports = _imports(spec)
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
        api=_api_check(),
        state_doc=_class_doc(f"The states of {_machine(spec)}."),
        states=tuple(_state_member(state, names) for state in spec.states),
        trigger_doc=_class_doc(f"The triggers of {_machine(spec)}."),
        triggers=_trigger_members(spec, names),
        context=context,
        aliases=names.aliases,
        guards=_guards_plan(spec, names),
        actions=_actions_plan(spec, names),
        constants=tuple(
            emit.assignment(target, value)
            for target, value in bulk.constants(spec, names)
        ),
        definition=emit.assignment(
            f"{naming.DEFINITION}: {naming.runtime('MachineDefinition')}"
            f"[{naming.STATE}, {naming.TRIGGER}]",
            bulk.definition(spec, names, rows),
        ),
        deciders=tuple(
            deciders.decider_factory(shape) for shape in decisions.shapes(rows)
        ),
        metadata=emit.assignment(
            f"{naming.METADATA}: tuple[{naming.MAPPING.alias}[str, object], ...]",
            table_metadata,
        ),
        decisions=emit.assignment(
            f"{naming.DECISIONS}: {naming.runtime('DecisionTable')}", table
        ),
        class_name=names.class_name,
        class_base=(
            f"{naming.runtime('MachineBase')}"
            f"[{naming.STATE}, {naming.TRIGGER}, {naming.CONTEXT}]"
        ),
        class_doc=literals.docstring_literal(_machine_class_doc(spec), "    "),
        guards_param=(
            f"{naming.GUARDS} | {naming.MAPPING.alias}[str, "
            f"{naming.CALLABLE.alias}[[{naming.CONTEXT}], bool]] | None"
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
                (*naming.PUBLIC_NAMES, names.class_name), key=naming.all_sort_key
            )
        ),
    )


# -- module, enums and protocols ---------------------------------------------


def _machine(spec: MachineSpec) -> str:
    return f"the {spec.name} machine"


def _class_doc(text: str) -> str:
    return literals.docstring_literal(text, "    ")


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


def _api_check() -> ApiCheck:
    major, minor = RUNTIME_API
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


def _state_member(state: State, names: ModuleNames) -> Member:
    doc = state.description if state.description.strip() else None
    return Member(
        name=names.state_members[state.name],
        value=literals.string_literal(state.name),
        doc=None if doc is None else literals.docstring_literal(doc, "    "),
    )


def _route(transition: Transition) -> str:
    sources = "*" if transition.wildcard else ", ".join(transition.sources)
    return f"{sources} -> {transition.dest}"


def _trigger_members(spec: MachineSpec, names: ModuleNames) -> tuple[Member, ...]:
    # Grouped in one pass: a machine may have thousands of triggers.
    routes: dict[str, list[str]] = {trigger: [] for trigger in spec.triggers}
    # Wildcard routes last: a named source is tried before them.
    for transition in by_precedence(spec.transitions, lambda t: t.wildcard):
        route = _route(transition)
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


def _context_plan(spec: MachineSpec, names: ModuleNames) -> ContextPlan:
    text = "The context passed to guards and actions, merged with an Event's payload."
    if spec.context is None:
        return ContextPlan(
            alias_of=f"{naming.MAPPING.alias}[str, {naming.ANY.alias}]",
            parts=(),
            bases="",
            doc=literals.docstring_literal(text, ""),
        )
    doc = _class_doc(text)
    taken = (*names.module_names, names.class_name)
    types = context_types.context_types(spec.context, taken)
    required = tuple(
        (literals.string_literal(f.name), types.annotations[f.name])
        for f in spec.context
        if not f.optional
    )
    optional = tuple(
        (literals.string_literal(f.name), types.annotations[f.name])
        for f in spec.context
        if f.optional
    )
    parts = [
        _typed_dict_part(record.name, record.fields, total=record.total)
        for record in types.records
    ]
    records = len(parts)
    if required:
        parts.append(_typed_dict_part(naming.CONTEXT_REQUIRED, required, total=True))
    if optional:
        parts.append(_typed_dict_part(naming.CONTEXT_OPTIONAL, optional, total=False))
    bases = ", ".join(part.name for part in parts[records:]) or naming.TYPED_DICT.alias
    return ContextPlan(alias_of=None, parts=tuple(parts), bases=bases, doc=doc)


def _typed_dict_part(
    name: str, fields: tuple[tuple[str, str], ...], *, total: bool
) -> TypedDictPart:
    return TypedDictPart(name, literals.string_literal(name), fields, total)


def _guards_plan(spec: MachineSpec, names: ModuleNames) -> ProtocolPlan:
    uses: dict[str, list[str]] = {name: [] for name in names.guards.methods}
    for transition in spec.transitions:
        for guard in transition.guards:
            uses[guard].append(f"{transition.trigger}: {_route(transition)}")
    annotations = names.guards.annotations
    return ProtocolPlan(
        name=naming.GUARDS,
        doc=_class_doc(
            f"The guards of {_machine(spec)}.\n\n"
            "Each returns True to let its transition fire. Implement them as\n"
            "methods of any class, or pass a mapping of guard name to callable."
        ),
        methods=tuple(
            Method(
                name=name,
                context=annotations[naming.CONTEXT],
                returns=annotations["bool"],
                doc=_method_doc("Guard of", uses[name]),
            )
            for name in names.guards.methods
        ),
    )


def _actions_plan(spec: MachineSpec, names: ModuleNames) -> ProtocolPlan:
    uses: dict[str, list[str]] = {name: [] for name in names.actions.methods}
    for state in spec.states:
        for action in state.on_enter:
            uses[action].append(f"entering {state.name}")
        for action in state.on_exit:
            uses[action].append(f"leaving {state.name}")
    for transition in spec.transitions:
        for action in transition.actions:
            uses[action].append(f"{transition.trigger}: {_route(transition)}")
    annotations = names.actions.annotations
    return ProtocolPlan(
        name=naming.ACTIONS,
        doc=_class_doc(
            f"The actions of {_machine(spec)}.\n\n"
            "The machine's executor runs them; each may be a def or an async def.\n"
            "Implement them as methods of any class, or pass a mapping of action\n"
            "name to callable."
        ),
        methods=tuple(
            Method(
                name=name,
                context=annotations[naming.CONTEXT],
                returns=annotations["object"],
                doc=_method_doc("Runs on", uses[name]),
            )
            for name in names.actions.methods
        ),
    )


def _method_doc(lead: str, uses: list[str]) -> str:
    # Deduplicated in first-use order: an action can be named twice in a list.
    unique = list(dict.fromkeys(uses))
    if len(unique) == 1:
        text = f"{lead} {unique[0]}."
    else:
        text = f"{lead}:\n\n" + "\n".join(f"- {use}" for use in unique)
    return literals.docstring_literal(text, " " * 8)
