"""The plan of the module's protocols and context: ``Guards``, ``Actions``, ``Context``.

Part of the plan (:mod:`gubernator_gen.backend.plan`): every name comes from
:mod:`gubernator_gen.backend.naming`, every piece of spec text is a literal
from :mod:`gubernator_gen.backend.literals`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from gubernator_gen.backend import context_types, literals, naming
from gubernator_gen.backend.expressions import annotation
from gubernator_gen.backend.naming import ModuleNames
from gubernator_gen.expressions import ExprType
from gubernator_gen.model import (
    DelayedTransition,
    EventlessTransition,
    GuardItem,
    GuardSignature,
    MachineSpec,
    NamedGuard,
    Transition,
)

# The identifiers of an annotation text (parameter types name only builtins).
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Method:
    """A protocol method ``name(self, ctx: context{keywords}) -> returns`` with a
    docstring; ``keywords`` is ``""`` or ``", *, key: T, ..."`` (a guard with
    parameters)."""

    name: str
    context: str
    returns: str
    doc: str
    keywords: str = ""


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


def machine_text(spec: MachineSpec) -> str:
    return f"the {spec.name} machine"


def class_doc(text: str) -> str:
    return literals.docstring_literal(text, "    ")


def route(transition: Transition) -> str:
    """``A, B -> C`` (``* -> C`` for a wildcard source) for docstrings."""
    sources = "*" if transition.wildcard else ", ".join(transition.sources)
    return f"{sources} -> {transition.dest}"


def context_plan(spec: MachineSpec, names: ModuleNames) -> ContextPlan:
    """``Context``: an alias without ``context:``, else typed dictionaries."""
    text = "The context passed to guards and actions, merged with an Event's payload."
    if spec.context is None:
        return ContextPlan(
            alias_of=f"{naming.MAPPING.alias}[str, {naming.ANY.alias}]",
            parts=(),
            bases="",
            doc=literals.docstring_literal(text, ""),
        )
    doc = class_doc(text)
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


def guards_plan(spec: MachineSpec, names: ModuleNames) -> ProtocolPlan:
    uses: dict[str, list[str]] = {name: [] for name in names.guards.methods}
    for what, guards, items in _guarded(spec):
        for item in items or tuple(map(NamedGuard, guards)):
            if isinstance(item, NamedGuard):
                how = " (must return False)" if item.negated else ""
                uses[item.name].append(f"{what}{how}")
    annotations = names.guards.annotations
    return ProtocolPlan(
        name=naming.GUARDS,
        doc=class_doc(
            f"The guards of {machine_text(spec)}.\n\n"
            "Each returns True to let its transition fire. Implement them as\n"
            "methods of any class, or pass a mapping of guard name to callable."
        ),
        methods=tuple(
            Method(
                name=name,
                context=annotations[naming.CONTEXT],
                returns=annotations["bool"],
                doc=_method_doc("Guard of", uses[name]),
                keywords=_keywords(spec.guard_signature(name), annotations),
            )
            for name in names.guards.methods
        ),
    )


def _guarded(
    spec: MachineSpec,
) -> Iterator[tuple[str, tuple[str, ...], tuple[GuardItem, ...]]]:
    """What each guard list guards, in spec order: transitions, then each
    state's ``after:`` and ``always:`` entries (with their guard names and
    items)."""
    for transition in spec.transitions:
        yield (
            f"{transition.trigger}: {route(transition)}",
            transition.guards,
            transition.guard_items,
        )
    for state in spec.states:
        for delayed in state.after:
            yield _delayed_use(state.name, delayed), delayed.guards, delayed.guard_items
        for always in state.always:
            yield _eventless_use(state.name, always), always.guards, always.guard_items


def _delayed_use(state: str, delayed: DelayedTransition) -> str:
    return f"{delayed.seconds} s after entering {state}: {state} -> {delayed.dest}"


def _eventless_use(state: str, always: EventlessTransition) -> str:
    return f"eventless, from {state}: {state} -> {always.dest}"


def _keywords(signature: GuardSignature, annotations: Mapping[str, str]) -> str:
    """``, *, limit: int, currency: str`` for a guard with parameters."""
    if not signature.params:
        return ""

    def spell(type_: ExprType) -> str:
        # A method named like a builtin shadows it in the class body.
        return _IDENTIFIER.sub(lambda m: annotations.get(m[0], m[0]), annotation(type_))

    spelled = [f"{key}: {spell(type_)}" for key, type_ in signature.params]
    return ", *, " + ", ".join(spelled)


def actions_plan(spec: MachineSpec, names: ModuleNames) -> ProtocolPlan:
    uses: dict[str, list[str]] = {name: [] for name in names.actions.methods}
    for state in spec.states:
        for action in state.on_enter:
            uses[action].append(f"entering {state.name}")
        for action in state.on_exit:
            uses[action].append(f"leaving {state.name}")
    for transition in spec.transitions:
        for action in transition.actions:
            uses[action].append(f"{transition.trigger}: {route(transition)}")
    for state in spec.states:
        for delayed in state.after:
            for action in delayed.actions:
                uses[action].append(_delayed_use(state.name, delayed))
        for always in state.always:
            for action in always.actions:
                uses[action].append(_eventless_use(state.name, always))
    annotations = names.actions.annotations
    return ProtocolPlan(
        name=naming.ACTIONS,
        doc=class_doc(
            f"The actions of {machine_text(spec)}.\n\n"
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
