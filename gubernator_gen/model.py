"""The intermediate representation: an immutable, fully resolved machine.

The front end (``frontend``) builds a :class:`MachineSpec` only from a spec
that validated without errors; nothing downstream of this module looks at raw
YAML again. Every collection is a tuple in declaration order, every optional
value has its default filled in, and every node keeps its :class:`SourcePos`
so later stages (naming collisions, for example) can still point at the spec.

Metadata and other user data are frozen with :func:`freeze`: mappings become
``MappingProxyType`` (insertion order kept) and sequences become tuples. The
plan stage turns them back into Python literals.

The module is longer than the others on purpose: it is the one vocabulary
every stage shares (flat machine, statechart tree, declarative guards), and
splitting it would make each stage import the IR from several places.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeAlias, TypeVar

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.expressions import Expr, ExprType

#: JSON-like user data after :func:`freeze`.
PlainData: TypeAlias = (
    "bool | int | float | str | tuple[PlainData, ...] | Mapping[str, PlainData] | None"
)

EMPTY_METADATA: Mapping[str, PlainData] = MappingProxyType({})


def freeze(value: object) -> PlainData:
    """Deep-freeze JSON-like data: dicts to read-only mappings, lists to tuples.

    Raises ``TypeError`` for anything that is not plain data; the front end
    reports such values as diagnostics before building the model.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        frozen: dict[str, PlainData] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"mapping key {key!r} is not a string")
            frozen[key] = freeze(item)
        return MappingProxyType(frozen)
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    raise TypeError(f"{type(value).__name__} is not plain data")


class StateKind(str, enum.Enum):
    """The ``type`` of a state."""

    INITIAL = "initial"
    STABLE = "stable"
    TERMINAL = "terminal"
    ERROR = "error"


class ContextType(str, enum.Enum):
    """The type names of the spec's ``context`` section, as written.

    ``list`` and ``dict`` alone mean ``list[any]`` and ``dict[str, any]``;
    the model holds them as :class:`ListType` and :class:`DictType` (see
    :func:`simple_type`), never as a :class:`NamedType`.
    """

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    DATE = "date"
    LIST = "list"
    DICT = "dict"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class NamedType:
    """A plain type: ``str``, ``int``, ``float``, ``bool``, ``decimal``,
    ``datetime``, ``date`` or ``any`` (never ``list`` or ``dict``)."""

    name: ContextType

    def __post_init__(self) -> None:
        if self.name in (ContextType.LIST, ContextType.DICT):
            raise ValueError(f"{self.name.value} is a ListType or DictType")


@dataclass(frozen=True, slots=True)
class ListType:
    """``list[item]``."""

    item: TypeExpr


@dataclass(frozen=True, slots=True)
class DictType:
    """``dict[str, value]``: the keys are always strings."""

    value: TypeExpr


@dataclass(frozen=True, slots=True)
class EnumType:
    """``{enum: [...]}``: one of these strings (a ``Literal``), in spec order."""

    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordType:
    """``{fields: {...}}``: a nested typed dictionary."""

    fields: tuple[ContextField, ...]


#: A type of the context, as the front end parsed it.
TypeExpr: TypeAlias = "NamedType | ListType | DictType | EnumType | RecordType"


def simple_type(name: ContextType) -> TypeExpr:
    """The type a bare name of :class:`ContextType` means (``list`` → ``list[any]``)."""
    if name is ContextType.LIST:
        return ListType(NamedType(ContextType.ANY))
    if name is ContextType.DICT:
        return DictType(NamedType(ContextType.ANY))
    return NamedType(name)


@dataclass(frozen=True, slots=True)
class ContextField:
    """One field of the typed context; ``optional`` for a field that may be absent."""

    name: str
    type: TypeExpr
    optional: bool
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class Timeout:
    """A state's timeout: after ``seconds`` the machine proposes ``destination``."""

    seconds: int | float
    destination: str
    pos: SourcePos


# -- statechart IR (docs/statecharts.md) -------------------------------------------
# Everything below defaults to the flat machine of docs/language.md, so a flat spec
# builds the same model as before.

_NO_POS = SourcePos("<statechart>", 1, 1)


class HistoryDepth(str, enum.Enum):
    """What a history pseudo-state remembers of its parent."""

    SHALLOW = "shallow"  # the active child
    DEEP = "deep"  # the active atomic descendants


@dataclass(frozen=True, slots=True)
class _EntryDetails:
    """What an ``always:`` and an ``after:`` entry carry besides their route.

    Keyword-only, so each entry keeps its own positional fields first
    (``EventlessTransition(dest, ...)``, ``DelayedTransition(seconds, dest, ...)``).
    """

    description: str = field(default="", kw_only=True)
    pos: SourcePos = field(default=_NO_POS, kw_only=True)
    #: Every guard item in order (docs/language.md#guards); ``guards`` holds
    #: the names of the guard methods they call.
    guard_items: tuple[GuardItem, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True, slots=True)
class EventlessTransition(_EntryDetails):
    """An ``always:`` transition: taken with no event once its guards pass."""

    dest: str
    guards: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    internal: bool = False


@dataclass(frozen=True, slots=True)
class DelayedTransition(_EntryDetails):
    """An ``after:`` transition: proposed ``seconds`` after its state was entered."""

    seconds: int | float
    dest: str
    guards: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    internal: bool = False


@dataclass(frozen=True, slots=True)
class StateTree:
    """Indexed views of the state tree, built once from ``MachineSpec.states``.

    ``order`` is the document order (a pre-order walk: a state before its
    children, children in the order written); ``children[None]`` lists the
    top-level states. A flat machine is a tree of depth one.
    """

    order: Mapping[str, int]
    parents: Mapping[str, str | None]
    children: Mapping[str | None, tuple[str, ...]]
    depths: Mapping[str, int]

    @classmethod
    def of(cls, states: tuple[State, ...]) -> StateTree:
        """The tree of ``states`` (each state's ``parent`` and ``children``)."""
        parents = {state.name: state.parent for state in states}
        children: dict[str | None, tuple[str, ...]] = {
            None: tuple(s.name for s in states if s.parent is None)
        }
        children.update((state.name, state.children) for state in states)
        order: dict[str, int] = {}
        depths: dict[str, int] = {}
        pending = [(name, 0) for name in reversed(children[None])]
        while pending:  # iterative pre-order: depth is unbounded in specs
            name, depth = pending.pop()
            if name in order:
                continue
            order[name] = len(order)
            depths[name] = depth
            pending.extend((c, depth + 1) for c in reversed(children.get(name, ())))
        return cls(
            MappingProxyType(order),
            MappingProxyType(parents),
            MappingProxyType(children),
            MappingProxyType(depths),
        )

    def ancestors(self, name: str, upto: str | None = None) -> tuple[str, ...]:
        """Proper ancestors of ``name``, innermost first, stopping before ``upto``."""
        found: list[str] = []
        parent = self.parents[name]
        while parent is not None and parent != upto:
            found.append(parent)
            parent = self.parents[parent]
        return tuple(found)

    def is_descendant(self, name: str, ancestor: str | None) -> bool:
        """True when ``name`` lies strictly inside ``ancestor`` (``None``: the root)."""
        if ancestor is None:
            return True
        parent = self.parents[name]
        while parent is not None:
            if parent == ancestor:
                return True
            parent = self.parents[parent]
        return False

    def sorted(self, names: Iterable[str]) -> tuple[str, ...]:
        """``names`` in document order."""
        return tuple(sorted(names, key=self.order.__getitem__))


@dataclass(frozen=True, slots=True)
class State:
    """One state, defaults filled in."""

    name: str
    kind: StateKind
    description: str
    on_enter: tuple[str, ...]
    on_exit: tuple[str, ...]
    timeout: Timeout | None
    metadata: Mapping[str, PlainData]
    pos: SourcePos
    # -- statechart fields (docs/statecharts.md); the defaults describe a flat state.
    #: The enclosing state, ``None`` at the top level.
    parent: str | None = None
    #: Child states in document order, history pseudo-states included.
    children: tuple[str, ...] = ()
    #: The initial child of a compound state, resolved by the front end.
    initial: str | None = None
    #: ``type: parallel``: the children are regions, all active together.
    parallel: bool = False
    #: ``type: history``: shallow or deep; ``None`` for every other state.
    history: HistoryDepth | None = None
    #: A history state's ``default:`` (``None``: its parent's initial child).
    history_default: str | None = None
    #: ``always:`` eventless transitions in document order.
    always: tuple[EventlessTransition, ...] = ()
    #: ``after:`` delayed transitions in document order.
    after: tuple[DelayedTransition, ...] = ()

    @property
    def is_terminal(self) -> bool:
        """True for a ``terminal`` state (no way out)."""
        return self.kind is StateKind.TERMINAL

    @property
    def is_history(self) -> bool:
        """True for a history pseudo-state (never active itself)."""
        return self.history is not None

    @property
    def edges(self) -> tuple[EventlessTransition | DelayedTransition, ...]:
        """Its ``always:`` entries, then its ``after:`` entries."""
        return (*self.always, *self.after)

    @property
    def after_entries(self) -> tuple[DelayedTransition, ...]:
        """Its ``after:`` entries, then its ``timeout`` as one more: the
        delays a statechart compiles (a flat machine keeps ``timeout``)."""
        timeout = self.timeout
        if timeout is None:
            return self.after
        return (
            *self.after,
            DelayedTransition(timeout.seconds, timeout.destination, pos=timeout.pos),
        )


@dataclass(frozen=True, slots=True)
class Transition:
    """One transition, ``index`` being its position in the spec's list.

    ``wildcard`` marks ``source: "*"``: ``sources`` then holds every
    non-terminal top-level state (in a flat machine, every non-terminal
    state), in declaration order, and a transition from a named source
    beats this one for the same trigger (see :func:`by_precedence`); in a
    statechart the states inside inherit it, so a named source wins at any
    depth.
    """

    index: int
    trigger: str
    sources: tuple[str, ...]
    dest: str
    guards: tuple[str, ...]
    actions: tuple[str, ...]
    description: str
    metadata: Mapping[str, PlainData]
    pos: SourcePos
    # Declarative guards and effects (docs/language.md#guard-expressions and
    # #context-updates-assign); see the block below.
    guard_items: tuple[GuardItem, ...] = ()
    assign: tuple[Assignment, ...] = ()
    wildcard: bool = False
    #: ``internal: true``: a transition to a descendant of its (compound)
    #: source does not exit and re-enter the source (docs/statecharts.md).
    internal: bool = False


_Candidate = TypeVar("_Candidate")


def by_precedence(
    candidates: Iterable[_Candidate], is_wildcard: Callable[[_Candidate], bool]
) -> list[_Candidate]:
    """The candidates for one state and trigger, in the order they are tried.

    Transitions from named sources come first, then wildcard ones; each group
    keeps spec order. This is the one statement of the rule
    (docs/language.md#wildcard-sources): the
    checks of the front end and the model's :meth:`MachineSpec.dispatch`
    both order candidates through it.
    """
    named: list[_Candidate] = []
    wildcards: list[_Candidate] = []
    for candidate in candidates:
        (wildcards if is_wildcard(candidate) else named).append(candidate)
    return named + wildcards


# --------------------------------------------------------------------------
# Declarative guards and effects (docs/language.md#guard-expressions and
# #context-updates-assign). Positions never take part
# in equality: two guard lists written alike in two places compare equal.


@dataclass(frozen=True, slots=True)
class GuardParam:
    """One fixed argument of a guard: ``{guard: name, params: {name: value}}``."""

    name: str
    value: PlainData
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class NamedGuard:
    """A guard method: ``name``, ``{not: name}`` or ``{guard: name, params: ...}``."""

    name: str
    negated: bool = False
    params: tuple[GuardParam, ...] = ()
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ExpressionGuard:
    """``{expr: "..."}``: a checked expression of type ``bool``.

    ``text`` is the expression as written, for diagrams and messages only:
    generated code is written from ``expr``, never from ``text``.
    """

    expr: Expr
    text: str = field(default="", compare=False)
    pos: SourcePos | None = field(default=None, compare=False)


#: One item of a transition's ``guards:`` list.
GuardItem: TypeAlias = "NamedGuard | ExpressionGuard"


@dataclass(frozen=True, slots=True)
class Assignment:
    """One entry of ``assign: {target: expression}``, checked against the field."""

    target: str
    expr: Expr
    text: str = field(default="", compare=False)
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class GuardSignature:
    """The keyword parameters of one guard method, in first-use order.

    Only guards given ``params`` somewhere have one; their ``Guards`` method
    is ``def name(self, ctx, *, key: T, ...) -> bool``.
    """

    name: str
    params: tuple[tuple[str, ExprType], ...]


@dataclass(frozen=True, slots=True)
class ErrorPolicy:
    """What the action executor does when actions fail
    (docs/language.md#error_policy)."""

    default_fallback: str | None = None
    retry_attempts: int = 0


@dataclass(frozen=True, slots=True)
class MachineSpec:
    """A whole machine, validated and normalised.

    ``source_name`` is the spec's file name only (``order_fsm.yaml``), the one
    piece of the path that may appear in generated output. ``spec_sha256`` is
    the SHA-256 of the spec text after variable substitution with line endings
    normalised to ``\\n``, so it is the same on every platform.
    ``class_name`` is the explicit ``meta.class_name`` or ``None``; the naming
    module decides the final class name. ``pos`` is the document root;
    ``name_pos`` points at whatever decides the class name (``meta.class_name``,
    else ``meta.machine_name``, else the root when the name comes from the
    file stem), so a naming collision can be reported there;
    ``machine_name_pos`` points at ``meta.machine_name`` (``None`` when the
    name comes from the file stem). ``guard_signatures`` holds the
    parameters of the guards given ``params`` (docs/language.md#guards), in order of
    first use.
    """

    source_name: str
    name: str
    version: str
    strict_mode: bool
    description: str
    class_name: str | None
    context: tuple[ContextField, ...] | None
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    error_policy: ErrorPolicy
    spec_sha256: str
    pos: SourcePos
    name_pos: SourcePos
    machine_name_pos: SourcePos | None = None
    guard_signatures: tuple[GuardSignature, ...] = ()
    _states_by_name: Mapping[str, State] = field(init=False, repr=False, compare=False)
    _tree: StateTree | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        by_name = MappingProxyType({state.name: state for state in self.states})
        object.__setattr__(self, "_states_by_name", by_name)

    @property
    def tree(self) -> StateTree:
        """The state tree's indexed views (built on first use)."""
        if self._tree is None:
            object.__setattr__(self, "_tree", StateTree.of(self.states))
        assert self._tree is not None
        return self._tree

    @property
    def is_statechart(self) -> bool:
        """True when any state nests, is parallel or history, or has always/after."""
        return any(
            s.parent is not None or s.children or s.parallel or s.always or s.after
            for s in self.states
        )

    def state(self, name: str) -> State:
        """The state called ``name`` (``KeyError`` if there is none)."""
        return self._states_by_name[name]

    @property
    def initial_state(self) -> State:
        """The one state of kind ``initial``."""
        return next(s for s in self.states if s.kind is StateKind.INITIAL)

    @property
    def terminal_states(self) -> tuple[State, ...]:
        """Terminal states in declaration order."""
        return tuple(s for s in self.states if s.is_terminal)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Trigger names in order of first appearance among the transitions."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    @property
    def guards(self) -> tuple[str, ...]:
        """Guard method names in order of first appearance among the transitions.

        Negated guards and guards with parameters count; guard expressions
        are not methods. The ``always:`` and ``after:`` entries of the states
        follow, state by state (none in a flat machine).
        """
        names = dict.fromkeys(g for t in self.transitions for g in t.guards)
        for state in self.states:
            for edge in state.edges:
                names.update(dict.fromkeys(edge.guards))
        return tuple(names)

    def guard_signature(self, name: str) -> GuardSignature:
        """The parameters of guard ``name`` (none for a guard never given any)."""
        for signature in self.guard_signatures:
            if signature.name == name:
                return signature
        return GuardSignature(name, ())

    @property
    def actions(self) -> tuple[str, ...]:
        """Action names in order of first appearance.

        States are scanned first (``on_enter`` then ``on_exit``, in declaration
        order), then the transitions' ``actions``, then the actions of the
        states' ``always:`` and ``after:`` entries (none in a flat machine).
        """
        names: dict[str, None] = {}
        for state in self.states:
            names.update(dict.fromkeys(state.on_enter))
            names.update(dict.fromkeys(state.on_exit))
        for transition in self.transitions:
            names.update(dict.fromkeys(transition.actions))
        for state in self.states:
            for edge in state.edges:
                names.update(dict.fromkeys(edge.actions))
        return tuple(names)

    def dispatch(self) -> tuple[tuple[str, tuple[tuple[str, Candidates], ...]], ...]:
        """What ``process`` may fire, state by state.

        For each non-terminal state in declaration order: each trigger that
        leaves it, in order of first appearance among the transitions, with
        its candidate transitions in the order they are tried
        (:func:`by_precedence`: named sources first, then wildcards, each in
        spec order).
        """
        rows: dict[str, dict[str, list[Transition]]] = {
            state.name: {} for state in self.states if not state.is_terminal
        }
        for transition in self.transitions:
            for source in transition.sources:
                row = rows.get(source)
                if row is not None:
                    row.setdefault(transition.trigger, []).append(transition)
        return tuple(
            (
                state,
                tuple(
                    (trigger, tuple(by_precedence(found, _is_wildcard)))
                    for trigger, found in row.items()
                ),
            )
            for state, row in rows.items()
        )


#: The candidate transitions of one state and trigger, in the order tried.
Candidates: TypeAlias = "tuple[Transition, ...]"


def _is_wildcard(transition: Transition) -> bool:
    return transition.wildcard
