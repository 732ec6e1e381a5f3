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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gubernator_gen.backend import context_types, literals, naming
from gubernator_gen.backend.layout import Call, call_text, data_text, fits, tuple_arg
from gubernator_gen.backend.naming import Import, ModuleNames
from gubernator_gen.model import (
    MachineSpec,
    PlainData,
    State,
    StateKind,
    Transition,
    by_precedence,
)

#: The runtime API the generated modules are written against: the runtime's
#: ``API_VERSION`` must have this major and be at least this (SPEC §6).
RUNTIME_API: tuple[int, int] = (1, 0)

# Indentation (in levels of four spaces) at which the templates place
# keyword arguments of the definition's parts; see templates/module.py.j2.
_DEFINITION_ARG_DEPTH = 1
_ITEM_ARG_DEPTH = 3
_DISPATCH_ROW_DEPTH = 3
_CONSTANT_ITEM_DEPTH = 2

_STATE_TYPES: Mapping[StateKind, str] = {
    StateKind.INITIAL: naming.runtime("StateType.INITIAL"),
    StateKind.STABLE: naming.runtime("StateType.STABLE"),
    StateKind.TERMINAL: naming.runtime("StateType.TERMINAL"),
    StateKind.ERROR: naming.runtime("StateType.ERROR"),
}


@dataclass(frozen=True, slots=True)
class Identifiers:
    """Fixed names the template writes (all decided by the naming module)."""

    state: str = naming.STATE
    trigger: str = naming.TRIGGER
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
class Constant:
    """``name: annotation = value``; ``items`` explode the value over lines.

    When ``items`` is not empty the value is written as ``opening``, one item
    per line, then ``closing``.
    """

    name: str
    annotation: str
    value: str
    items: tuple[str, ...] = ()
    closing: str = ""


@dataclass(frozen=True, slots=True)
class DispatchRow:
    """One state's row of the dispatch table; ``entries`` set when exploded."""

    state: str
    inline: str | None
    entries: tuple[str, ...]


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
    constants: tuple[Constant, ...]
    definition_name: str
    definition_type: str
    definition_callee: str
    definition_head: tuple[tuple[str, str], ...]
    state_infos: tuple[Call, ...]
    transition_infos: tuple[Call, ...]
    dispatch: tuple[DispatchRow, ...]
    definition_tail: tuple[tuple[str, str], ...]
    class_name: str
    class_base: str
    class_doc: str
    guards_param: str
    actions_param: str
    executor_type: str
    machine_alias: str
    all_names: tuple[str, ...]
    mapping_proxy: str
    final: str


def dispatch_table(
    spec: MachineSpec,
) -> tuple[tuple[str, tuple[tuple[str, tuple[int, ...]], ...]], ...]:
    """The precomputed dispatch: for each non-terminal state, in declaration
    order, each trigger leaving it (in order of first appearance) with the
    indices of its candidate transitions in the order they are tried
    (:meth:`MachineSpec.dispatch`: named sources first, then wildcards).

    This is the one place that decides what ``process`` may fire; flattened
    compound or parallel states would plug in here.
    """
    return tuple(
        (
            state,
            tuple((trigger, tuple(t.index for t in found)) for trigger, found in row),
        )
        for state, row in spec.dispatch()
    )


def build_plan(spec: MachineSpec, names: ModuleNames) -> ModulePlan:
    """Decide every piece of text of the module generated for ``spec``."""
    proxy = naming.MAPPING_PROXY.alias
    context = _context_plan(spec, names)
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
        constants=_constants(spec, names),
        definition_name=naming.DEFINITION,
        definition_type=(
            f"{naming.runtime('MachineDefinition')}[{naming.STATE}, {naming.TRIGGER}]"
        ),
        definition_callee=naming.runtime("MachineDefinition"),
        definition_head=(
            ("name", naming.MACHINE_NAME),
            ("version", naming.VERSION),
            ("strict_mode", naming.STRICT_MODE),
            ("description", literals.string_literal(spec.description)),
            ("state_type", naming.STATE),
            ("trigger_type", naming.TRIGGER),
            ("initial_state", naming.INITIAL_STATE),
        ),
        state_infos=tuple(_state_info(state, names, proxy) for state in spec.states),
        transition_infos=tuple(
            _transition_info(transition, names, proxy)
            for transition in spec.transitions
        ),
        dispatch=_dispatch_rows(spec, names, proxy),
        definition_tail=(
            ("error_policy", _error_policy(spec, names)),
            ("spec_sha256", naming.SPEC_SHA256),
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
        mapping_proxy=proxy,
        final=naming.FINAL.alias,
    )


# -- module, enums and protocols ---------------------------------------------


def _machine(spec: MachineSpec) -> str:
    return f"the {spec.name} machine"


def _class_doc(text: str) -> str:
    return literals.docstring_literal(text, "    ")


def _module_doc(spec: MachineSpec) -> str:
    paragraphs = [f"State machine {spec.name}, version {spec.version}."]
    if spec.description.strip():
        paragraphs.append(spec.description)
    # The file name as in the header: one line whatever it holds.
    source = literals.comment_text(spec.source_name)
    paragraphs.append(
        f"Generated from {source}; edit the spec, not this module.\n"
        f"Regenerate with: gubernator-gen generate {shlex.quote(source)}"
    )
    return "\n\n".join(paragraphs)


def _machine_class_doc(spec: MachineSpec) -> str:
    summary = (
        spec.description
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
            route += f": {transition.description}"
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


# -- constants and the definition ---------------------------------------------


def _constants(spec: MachineSpec, names: ModuleNames) -> tuple[Constant, ...]:
    final = naming.FINAL.alias
    terminal = [names.state(s.name) for s in spec.terminal_states]
    timeouts = [
        _keyed(names.state(s.name), _timeout_call(s, names), _CONSTANT_ITEM_DEPTH)
        for s in spec.states
        if s.timeout is not None
    ]
    return (
        Constant(naming.MACHINE_NAME, final, literals.string_literal(spec.name)),
        Constant(naming.VERSION, final, literals.string_literal(spec.version)),
        Constant(naming.STRICT_MODE, final, repr(bool(spec.strict_mode))),
        Constant(naming.INITIAL_STATE, final, names.state(spec.initial_state.name)),
        _collection_constant(
            naming.TERMINAL_STATES,
            f"{final}[frozenset[{naming.STATE}]]",
            "frozenset(",
            ")",
            "{",
            "}",
            terminal,
        ),
        _collection_constant(
            naming.TIMEOUTS,
            f"{final}[{naming.MAPPING.alias}[{naming.STATE}, "
            f"{naming.runtime('StateTimeout')}]]",
            f"{naming.MAPPING_PROXY.alias}(",
            ")",
            "{",
            "}",
            timeouts,
        ),
        Constant(naming.SPEC_SHA256, final, literals.string_literal(spec.spec_sha256)),
    )


def _collection_constant(
    name: str,
    annotation: str,
    call_open: str,
    call_close: str,
    open_: str,
    close: str,
    items: Sequence[str],
) -> Constant:
    if not items:
        empty = "" if call_open == "frozenset(" else open_ + close
        return Constant(name, annotation, call_open + empty + call_close)
    inline = f"{call_open}{open_}{', '.join(items)}{close}{call_close}"
    if fits(f"{name}: {annotation} = {inline}", 0):
        return Constant(name, annotation, inline)
    return Constant(
        name,
        annotation,
        f"{call_open}\n    {open_}",
        tuple(items),
        f"    {close}\n{call_close}",
    )


def _keyed(key: str, call: Call, depth: int) -> str:
    """``key: call`` as an item of an exploded mapping at ``depth``."""
    return key + ": " + call_text(call, key + ": ", depth)


def _timeout_call(state: State, names: ModuleNames) -> Call:
    timeout = state.timeout
    assert timeout is not None  # callers filter on it
    seconds = (
        literals.int_literal(timeout.seconds)
        if isinstance(timeout.seconds, int)
        else literals.float_literal(timeout.seconds)
    )
    return Call(
        naming.runtime("StateTimeout"),
        (("seconds", seconds), ("destination", names.state(timeout.destination))),
    )


def _state_info(state: State, names: ModuleNames, proxy: str) -> Call:
    # Arguments equal to the runtime's defaults are left out: an empty
    # description, action list or metadata, and no timeout.
    args = [("name", names.state(state.name)), ("type", _STATE_TYPES[state.kind])]
    if state.description:
        args.append(("description", literals.string_literal(state.description)))
    if state.on_enter:
        args.append(("on_enter", _names_tuple(state.on_enter, "on_enter")))
    if state.on_exit:
        args.append(("on_exit", _names_tuple(state.on_exit, "on_exit")))
    if state.timeout is not None:
        call = _timeout_call(state, names)
        args.append(("timeout", call_text(call, "timeout=", _ITEM_ARG_DEPTH)))
    if state.metadata:
        args.append(("metadata", _metadata(state.metadata, proxy)))
    return Call(naming.runtime("StateInfo"), tuple(args))


def _transition_info(transition: Transition, names: ModuleNames, proxy: str) -> Call:
    sources = [names.state(source) for source in transition.sources]
    args = [
        ("index", str(transition.index)),
        ("trigger", names.trigger(transition.trigger)),
        ("sources", tuple_arg("sources", sources, _ITEM_ARG_DEPTH)),
        ("dest", names.state(transition.dest)),
    ]
    if transition.guards:
        args.append(("guards", _names_tuple(transition.guards, "guards")))
    if transition.actions:
        args.append(("actions", _names_tuple(transition.actions, "actions")))
    if transition.description:
        description = literals.string_literal(transition.description)
        args.append(("description", description))
    if transition.metadata:
        args.append(("metadata", _metadata(transition.metadata, proxy)))
    return Call(naming.runtime("TransitionInfo"), tuple(args))


def _names_tuple(names: tuple[str, ...], key: str) -> str:
    return tuple_arg(key, [literals.string_literal(n) for n in names], _ITEM_ARG_DEPTH)


def _metadata(metadata: Mapping[str, PlainData], proxy: str) -> str:
    return data_text(metadata, "metadata=", _ITEM_ARG_DEPTH, proxy)


def _error_policy(spec: MachineSpec, names: ModuleNames) -> str:
    policy = spec.error_policy
    fallback = (
        "None"
        if policy.default_fallback is None
        else names.state(policy.default_fallback)
    )
    call = Call(
        naming.runtime("ErrorPolicy"),
        (
            ("default_fallback", fallback),
            ("retry_attempts", literals.int_literal(policy.retry_attempts)),
        ),
    )
    return call_text(call, "error_policy=", _DEFINITION_ARG_DEPTH)


def _dispatch_rows(
    spec: MachineSpec, names: ModuleNames, proxy: str
) -> tuple[DispatchRow, ...]:
    rows = []
    for state, entries in dispatch_table(spec):
        key = names.state(state)
        rendered = [
            names.trigger(trigger)
            + ": "
            + literals.tuple_literal([str(index) for index in indices])
            for trigger, indices in entries
        ]
        inline = f"{proxy}({{{', '.join(rendered)}}})"
        if not rendered or fits(f"{key}: {inline},", _DISPATCH_ROW_DEPTH):
            rows.append(DispatchRow(key, inline, ()))
        else:
            rows.append(DispatchRow(key, None, tuple(rendered)))
    return tuple(rows)
