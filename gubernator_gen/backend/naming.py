"""Every identifier of the generated module, decided in one place.

The plan and the templates never invent a name: module-level names, import
aliases, enum members, protocol methods and the machine class all come from
here, so a collision can be found (and reported at the spec) before any code
is written.

Identifiers for free-form state, trigger and machine names are derived by
:mod:`gubernator_gen.backend.derive`; two names that derive the same one are
a diagnostic naming both. Its diagnostics (``GG401`` to ``GG406``) are
listed with their meaning in :mod:`gubernator_gen.backend.codes`.

The module is a little over 400 lines on purpose: splitting the names
across modules would lose the one place where collisions are visible.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.backend import derive
from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.model import DelayedTransition, EventlessTransition, MachineSpec

# Public names of the generated module (docs/runtime.md#the-generated-module).
STATE = "State"
TRIGGER = "Trigger"
CONTEXT = "Context"
GUARDS = "Guards"
ACTIONS = "Actions"
MACHINE_ALIAS = "Machine"
MACHINE_NAME = "MACHINE_NAME"
VERSION = "VERSION"
STRICT_MODE = "STRICT_MODE"
INITIAL_STATE = "INITIAL_STATE"
TERMINAL_STATES = "TERMINAL_STATES"
TIMEOUTS = "TIMEOUTS"
SPEC_SHA256 = "SPEC_SHA256"

PUBLIC_NAMES: tuple[str, ...] = (
    STATE,
    TRIGGER,
    CONTEXT,
    GUARDS,
    ACTIONS,
    MACHINE_ALIAS,
    MACHINE_NAME,
    VERSION,
    STRICT_MODE,
    INITIAL_STATE,
    TERMINAL_STATES,
    TIMEOUTS,
    SPEC_SHA256,
)

# Private module-level names. Imports are aliased to private names so that a
# machine called, say, ``state_info`` or ``protocol`` never collides with them.
DEFINITION = "_DEFINITION"
#: The ``StateTree`` of a statechart's module, and the public functions
#: answering from it (only modules of statecharts define them).
TREE = "_TREE"
CHART_FUNCTIONS: tuple[str, ...] = ("is_in", "ancestors", "leaves")
#: A machine with history or parallel states: its ``Configuration`` class
#: and the tuple of its configurations.
CONFIGURATION_CLASS = "Configuration"
CONFIGURATIONS = "_CONFIGURATIONS"
DECISIONS = "_DECISIONS"
METADATA = "_METADATA"
START = "_START"
#: The ``after:`` entries of a statechart, per key (API 2.4).
DELAYS = "_DELAYS"
#: The resume cells of a statechart whose steps continue at run time (API 2.5).
RESUMES = "_RESUMES"
#: The factored tables of a statechart past the table limits (API 2.6).
FACTORED = "_FACTORED"
#: The fallback result of each key of a statechart with a
#: ``default_fallback`` (API 2.7).
FALLBACKS = "_FALLBACKS"
#: Prefix of the decider factories (one per guarded cell shape).
DECIDER_PREFIX = "_decide_"
#: Prefixes of the functions compiled from guard expressions and ``assign``.
GUARD_EXPRESSION_PREFIX = "_guard_expr_"
ASSIGN_PREFIX = "_assign_"
#: Prefixes of numbered module-level names: no class name may start so.
NUMBERED_PREFIXES = (DECIDER_PREFIX, GUARD_EXPRESSION_PREFIX, ASSIGN_PREFIX)
CONTEXT_REQUIRED = "_ContextRequired"
CONTEXT_OPTIONAL = "_ContextOptional"
RUNTIME = "_runtime"
RUNTIME_MODULE = "gubernator_runtime"


@dataclass(frozen=True, slots=True)
class Import:
    """``import module as alias``, or ``from module import name as alias``."""

    module: str
    name: str | None
    alias: str


ENUM = Import("enum", None, "_enum")
CALLABLE = Import("collections.abc", "Callable", "_Callable")
MAPPING = Import("collections.abc", "Mapping", "_Mapping")
DATE = Import("datetime", "date", "_date")
DATETIME = Import("datetime", "datetime", "_datetime")
DECIMAL = Import("decimal", "Decimal", "_Decimal")
MAPPING_PROXY = Import("types", "MappingProxyType", "_MappingProxyType")
ANY = Import("typing", "Any", "_Any")
FINAL = Import("typing", "Final", "_Final")
LITERAL = Import("typing", "Literal", "_Literal")
PROTOCOL = Import("typing", "Protocol", "_Protocol")
TYPED_DICT = Import("typing", "TypedDict", "_TypedDict")
RUNTIME_IMPORT = Import(RUNTIME_MODULE, None, RUNTIME)

STDLIB_IMPORTS: tuple[Import, ...] = (
    ENUM,
    CALLABLE,
    MAPPING,
    DATE,
    DATETIME,
    DECIMAL,
    MAPPING_PROXY,
    ANY,
    FINAL,
    LITERAL,
    PROTOCOL,
    TYPED_DICT,
)

# Builtins the generated module refers to at module level or in annotations;
# a class of that name would shadow them for the whole module.
BUILTINS_USED: tuple[str, ...] = (
    "Exception",
    "ImportError",
    "abs",
    "bool",
    "dict",
    "float",
    "frozenset",
    "int",
    "len",
    "list",
    "map",
    "max",
    "min",
    "object",
    "str",
    "super",
    "tuple",
)

PRIVATE_NAMES: tuple[str, ...] = (
    DEFINITION,
    DECISIONS,
    METADATA,
    START,
    CONTEXT_REQUIRED,
    CONTEXT_OPTIONAL,
    RUNTIME,
    *(imported.alias for imported in STDLIB_IMPORTS),
)

# Names inside the protocols' class bodies that a method could shadow.
_GUARDS_ANNOTATIONS = (CONTEXT, "bool")
# The builtins the keyword parameters of guards may be annotated with.
_PARAM_ANNOTATIONS = ("int", "float", "str", "tuple", "object")
_ACTIONS_ANNOTATIONS = (CONTEXT, "object")


@dataclass(frozen=True, slots=True)
class ProtocolNames:
    """The names one protocol class (``Guards`` or ``Actions``) uses.

    ``methods`` are the spec's names, in first-use order; ``annotations``
    maps each name the class body refers to (``Context``, ``bool``,
    ``object``) to what to write instead: itself, or a private module-level
    alias when a method of the same name would shadow it.
    """

    methods: tuple[str, ...]
    annotations: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ModuleNames:
    """Every identifier of one generated module."""

    class_name: str
    state_members: Mapping[str, str]
    trigger_members: Mapping[str, str]
    guards: ProtocolNames
    actions: ProtocolNames
    aliases: tuple[tuple[str, str], ...]

    def state(self, name: str) -> str:
        """The expression for the ``State`` member of state ``name``."""
        return f"{STATE}.{self.state_members[name]}"

    def trigger(self, name: str) -> str:
        """The expression for the ``Trigger`` member of trigger ``name``."""
        return f"{TRIGGER}.{self.trigger_members[name]}"

    @property
    def module_names(self) -> frozenset[str]:
        """Every name bound at module level, besides the class itself."""
        return frozenset(
            (*PUBLIC_NAMES, *PRIVATE_NAMES, *(alias for alias, _ in self.aliases))
        )


@dataclass(frozen=True, slots=True)
class NamingResult:
    """The names (``None`` when any error was found) and the diagnostics."""

    names: ModuleNames | None
    diagnostics: tuple[Diagnostic, ...]


def pascal_case(machine_name: str) -> str:
    """``order_management`` → ``OrderManagement`` (underscores dropped)."""
    return "".join(part[:1].upper() + part[1:] for part in machine_name.split("_"))


def runtime(name: str) -> str:
    """The expression for a name exported by the runtime package."""
    return f"{RUNTIME}.{name}"


def all_sort_key(name: str) -> tuple[int, list[tuple[int, int]]]:
    """Order of ``__all__`` entries, matching ruff's isort-style sort (RUF022).

    SCREAMING_CASE names first, then names starting with a capital, then the
    rest; within each group a natural sort (digit runs compare as numbers).
    """
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    key: list[tuple[int, int]] = []
    for run in re.findall(r"\d+|\D", name):
        if run.isdigit():
            key.append((ord("0"), int(run)))
        else:
            key.append((ord(run), 0))
    return group, key


def build_names(spec: MachineSpec) -> NamingResult:
    """Decide every identifier for ``spec``, or report why that is impossible."""
    diagnostics: list[Diagnostic] = []
    state_members = derive.members(
        "state", "State", ((s.name, s.pos) for s in spec.states), diagnostics
    )
    first_uses = {t.trigger: t.pos for t in reversed(spec.transitions)}
    trigger_members = derive.members(
        "trigger",
        "Trigger",
        ((trigger, first_uses[trigger]) for trigger in spec.triggers),
        diagnostics,
    )
    uses = _protocol_uses(spec)
    for name, pos in uses.items():
        problem = _method_problem(name)
        if problem is not None:
            diagnostics.append(error(backend_codes.METHOD_NAME_UNUSABLE, problem, pos))

    taken = set(PUBLIC_NAMES) | set(PRIVATE_NAMES)
    if spec.is_statechart:
        taken.update(
            (
                TREE,
                *CHART_FUNCTIONS,
                CONFIGURATION_CLASS,
                CONFIGURATIONS,
                DELAYS,
                RESUMES,
                FACTORED,
                FALLBACKS,
            )
        )
    aliases: list[tuple[str, str]] = []
    guard_annotations: tuple[str, ...] = _GUARDS_ANNOTATIONS
    if spec.guard_signatures:
        guard_annotations += _PARAM_ANNOTATIONS
    guards = _protocol_names(spec.guards, guard_annotations, taken, aliases)
    actions = _protocol_names(spec.actions, _ACTIONS_ANNOTATIONS, taken, aliases)

    class_name = spec.class_name or derive.class_name(spec.name)
    class_problem = _class_name_problem(class_name, taken, spec.name)
    if class_problem is not None:
        code, message = class_problem
        diagnostics.append(error(code, message, spec.name_pos))

    if diagnostics:
        return NamingResult(None, tuple(diagnostics))
    names = ModuleNames(
        class_name=class_name,
        state_members=MappingProxyType(state_members),
        trigger_members=MappingProxyType(trigger_members),
        guards=guards,
        actions=actions,
        aliases=tuple(aliases),
    )
    return NamingResult(names, ())


def _protocol_uses(spec: MachineSpec) -> dict[str, SourcePos]:
    """Where each guard or action name is first used, for diagnostics."""
    uses: dict[str, SourcePos] = {}
    for state in spec.states:
        for name in (*state.on_enter, *state.on_exit):
            uses.setdefault(name, state.pos)
    for transition in spec.transitions:
        for name in (*transition.guards, *transition.actions):
            uses.setdefault(name, transition.pos)
    for state in spec.states:
        extras: list[EventlessTransition | DelayedTransition] = [
            *state.always,
            *state.after,
        ]
        for extra in extras:
            for name in (*extra.guards, *extra.actions):
                uses.setdefault(name, extra.pos)
    return uses


def _method_problem(name: str) -> str | None:
    if not name.isidentifier() or keyword.iskeyword(name):
        return (
            f"{name!r} cannot be a method of Guards or Actions: "
            "it is not a Python identifier"
        )
    if name.startswith("__"):
        return (
            f"{name!r} cannot be a method of Guards or Actions: Python mangles "
            "names starting with two underscores inside a class, so no class "
            "could provide it; rename it"
        )
    return None


def _protocol_names(
    methods: tuple[str, ...],
    annotation_names: tuple[str, ...],
    taken: set[str],
    aliases: list[tuple[str, str]],
) -> ProtocolNames:
    """Alias each annotation name a method would shadow in the class body."""
    annotations: dict[str, str] = {}
    method_set = set(methods)
    for name in annotation_names:
        if name not in method_set:
            annotations[name] = name
            continue
        existing = next((a for a, target in aliases if target == name), None)
        if existing is not None and existing not in method_set:
            annotations[name] = existing
            continue
        alias = _fresh("_" + name, taken | method_set)
        taken.add(alias)
        aliases.append((alias, name))
        annotations[name] = alias
    return ProtocolNames(methods, MappingProxyType(annotations))


def _fresh(base: str, taken: set[str]) -> str:
    candidate = base
    while candidate in taken:
        candidate += "_"
    return candidate


def _class_name_problem(
    name: str, taken: set[str], machine_name: str
) -> tuple[str, str] | None:
    hint = "; choose another with meta.class_name"
    if not name:
        return (
            backend_codes.CLASS_NAME_UNUSABLE,
            f"the machine name {machine_name!r} gives no class name: it has no "
            "letter or digit of those identifiers are derived from (Unicode 3.2); "
            "set meta.class_name",
        )
    if not derive.is_stable_identifier(name) or keyword.iskeyword(name):
        return (
            backend_codes.CLASS_NAME_UNUSABLE,
            f"the machine class would be named {name!r}, "
            f"which is not a usable Python class name{hint}",
        )
    if name.startswith("__") and name.endswith("__"):
        return (
            backend_codes.CLASS_NAME_UNUSABLE,
            f"the machine class would be named {name!r}, a dunder name{hint}",
        )
    if name in taken or name.startswith(NUMBERED_PREFIXES):
        return (
            backend_codes.CLASS_NAME_COLLISION,
            f"the machine class would be named {name!r}, which the generated "
            f"module already defines or imports{hint}",
        )
    if name in BUILTINS_USED:
        return (
            backend_codes.CLASS_NAME_COLLISION,
            f"the machine class would be named {name!r}, which would shadow the "
            f"builtin the generated module uses{hint}",
        )
    return None
