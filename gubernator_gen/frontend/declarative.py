"""Guard items and ``assign``: checked, and turned into the model's terms.

Every item of a transition's ``guards`` (docs/language.md#guards) becomes a
:class:`~gubernator_gen.model.NamedGuard` (a name, ``{not: name}``,
``{guard: name, params: {...}}``) or an
:class:`~gubernator_gen.model.ExpressionGuard` (``{expr: "..."}``, or a
pystator ``{check: {field, op, value}}`` through
:mod:`~gubernator_gen.frontend.expressions.migration`), and every entry of
``assign`` (docs/language.md#context-updates-assign) an
:class:`~gubernator_gen.model.Assignment`. Along the
way this reports, at the exact place:

* what the schema cannot say about a guard mapping: it has exactly one of
  ``not``, ``guard``, ``expr`` and ``check``, and ``params`` only beside
  ``guard``;
* every problem of an expression, at its line and column inside the
  string (:mod:`~gubernator_gen.frontend.scalar_texts`);
* parameters that are not literals, and uses of one guard whose
  parameters disagree (:func:`~gubernator_gen.frontend.expressions.params.
  guard_signatures`);
* ``assign`` entries naming no context field, or whose value does not fit.

The check runs once per machine; the model builder takes its result, so an
expression is never checked twice. Expressions stand down when the context
section itself has errors: their names could not be judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.frontend import codes, context_types
from gubernator_gen.frontend.expressions import Scope, check_assignment, check_guard
from gubernator_gen.frontend.expressions.migration import FieldCheck, migrate_check
from gubernator_gen.frontend.expressions.params import guard_signatures
from gubernator_gen.frontend.guard_view import (
    CHECK_FIELD,
    CHECK_OP,
    CHECK_VALUE,
    CHECK_VALUES,
    EXPR_KEY,
    GUARD_KEY,
    GUARD_KINDS,
    NOT_KEY,
    PARAMS_KEY,
    GuardItemView,
)
from gubernator_gen.frontend.scalar_texts import ScalarTexts, expression_text
from gubernator_gen.frontend.tree import (
    MapNode,
    Node,
    ScalarNode,
    SeqNode,
    plain,
    quoted,
)
from gubernator_gen.frontend.view import EdgeView, SpecView, TransitionView
from gubernator_gen.model import (
    Assignment,
    ExpressionGuard,
    GuardItem,
    GuardParam,
    GuardSignature,
    NamedGuard,
    PlainData,
    freeze,
)

#: Why ``in_state`` is refused in a flat machine.
IN_STATE_FLAT = (
    "in_state() tests which states are active in a machine with nested or "
    "parallel states; in a flat machine each transition already knows the "
    "state it leaves from"
)
_KINDS_TEXT = "not, guard, expr or check"


@dataclass(frozen=True, slots=True)
class Compiled:
    """One transition's guard items and ``assign`` entries, checked."""

    guard_items: tuple[GuardItem, ...]
    assign: tuple[Assignment, ...]


@dataclass(frozen=True, slots=True)
class Declarations:
    """What the guard items and ``assign`` of one machine compiled to.

    ``transitions`` maps a transition's index to its compiled items, for
    every transition whose items were all accepted; ``edges`` does the same
    for the states' ``always:`` and ``after:`` entries, keyed by
    :func:`edge_key`. ``signatures`` are the guards given parameters, in
    order of first use.
    """

    transitions: Mapping[int, Compiled]
    signatures: tuple[GuardSignature, ...]
    diagnostics: tuple[Diagnostic, ...]
    edges: Mapping[tuple[int, str, int], Compiled] = field(default_factory=dict)


def edge_key(edge: EdgeView) -> tuple[int, str, int]:
    """How :attr:`Declarations.edges` finds an ``always:`` or ``after:`` entry."""
    return (edge.owner, edge.kind, edge.index)


def check(spec: SpecView, texts: ScalarTexts | None = None) -> Declarations:
    """Check the guard items and ``assign`` of every transition of ``spec``.

    ``texts`` places the characters of expressions in the file; without
    it, problems inside an expression are placed at its start.
    """
    compiler = _Compiler(_scope(spec), texts)
    compiled: dict[int, Compiled] = {}
    for transition in spec.transitions:
        result = compiler.transition(transition)
        if result is not None:
            compiled[transition.index] = result
    edges: dict[tuple[int, str, int], Compiled] = {}
    for edge in spec.edges:
        found = compiler.edge(edge)
        if found is not None:
            edges[edge_key(edge)] = found
    uses = [
        item
        for result in (*compiled.values(), *edges.values())
        for item in result.guard_items
        if isinstance(item, NamedGuard)
    ]
    signatures, conflicts = guard_signatures(uses)
    compiler.diagnostics.extend(conflicts)
    with_params = tuple(s for s in signatures if s.params)
    return Declarations(compiled, with_params, tuple(compiler.diagnostics), edges)


def _scope(spec: SpecView) -> Scope | None:
    """The names expressions may use; ``None`` when ``context`` has errors.

    ``in_state("NAME")`` takes the name of any state but a history state,
    in a statechart only (docs/language.md#guard-expressions).
    """
    context = spec.context_node
    fields = None
    if isinstance(context, MapNode):
        try:
            fields = context_types.fields_of(context)
        except ValueError:
            return None
    elif context is not None:
        return None  # the schema reports a context that is not a mapping
    if not spec.is_statechart:
        return Scope.of(fields, in_state_refused=IN_STATE_FLAT)
    states = [s.name.text for s in spec.states if s.name and not s.history]
    return Scope.of(fields, states)


class _Compiler:
    """Compiles items one by one, collecting diagnostics."""

    def __init__(self, scope: Scope | None, texts: ScalarTexts | None) -> None:
        self.scope = scope
        self.texts = texts
        self.diagnostics: list[Diagnostic] = []

    def transition(self, transition: TransitionView) -> Compiled | None:
        """The transition's items, or ``None`` when any was refused."""
        items = [self.guard_item(item) for item in transition.guard_items]
        assignments = [self.assignment(key, value) for key, value in transition.assign]
        assign_node = transition.assign_node
        if not transition.guards.complete or (
            assign_node is not None and not isinstance(assign_node, MapNode)
        ):
            return None  # the schema says what is wrong
        if any(item is None for item in items) or any(a is None for a in assignments):
            return None
        return Compiled(
            tuple(item for item in items if item is not None),
            tuple(a for a in assignments if a is not None),
        )

    def edge(self, edge: EdgeView) -> Compiled | None:
        """An ``always:`` or ``after:`` entry's guard items, or ``None``."""
        items = [self.guard_item(item) for item in edge.guard_items]
        if not edge.guards.complete or any(item is None for item in items):
            return None
        return Compiled(tuple(item for item in items if item is not None), ())

    def guard_item(self, item: GuardItemView) -> GuardItem | None:
        """One guard item in the model's terms, or ``None`` once reported."""
        if item.kind is None:
            self.diagnostics.extend(_shape_problems(item))
            return None
        if item.params is not None and item.kind != GUARD_KEY:
            assert isinstance(item.node, MapNode)  # params only come from mappings
            key = item.node.key_node(PARAMS_KEY)
            self.diagnostics.append(
                error(
                    codes.UNKNOWN_KEY,
                    f"'params' belongs to a guard called with arguments, "
                    f"{{guard: name, params: {{...}}}}; a {{{item.kind}: ...}} item "
                    "takes none",
                    (key or item.node).pos,
                )
            )
            return None
        if item.names_a_guard:
            return self._named(item)
        if item.kind == EXPR_KEY:
            return self._expression(item)
        return self._check(item)

    def _named(self, item: GuardItemView) -> NamedGuard | None:
        if item.name is None:
            return None  # the schema says what is wrong with the name
        params: tuple[GuardParam, ...] = ()
        if item.kind == GUARD_KEY and item.params is not None:
            read = _params(item.params)
            if read is None:
                return None
            params = read
        return NamedGuard(
            item.name.text,
            negated=item.kind == NOT_KEY,
            params=params,
            pos=item.name.node.pos,
        )

    def _expression(self, item: GuardItemView) -> ExpressionGuard | None:
        node = item.value
        if not isinstance(node, ScalarNode) or not isinstance(node.value, str):
            return None  # the schema reports an expression that is not a string
        if self.scope is None:
            return None
        checked = check_guard(expression_text(node, self.texts), self.scope)
        self.diagnostics.extend(checked.diagnostics)
        if checked.expr is None:
            return None
        return ExpressionGuard(checked.expr, node.value, node.pos)

    def _check(self, item: GuardItemView) -> ExpressionGuard | None:
        check = _field_check(item)
        if check is None or self.scope is None:
            return None
        migrated = migrate_check(check, self.scope)
        self.diagnostics.extend(migrated.diagnostics)
        if migrated.expr is None:
            return None
        return ExpressionGuard(migrated.expr, migrated.text, item.node.pos)

    def assignment(self, key: ScalarNode, value: Node) -> Assignment | None:
        """One ``assign`` entry, or ``None`` once reported."""
        if not isinstance(value, ScalarNode) or not isinstance(value.value, str):
            return None  # the schema reports a value that is not a string
        if self.scope is None or not isinstance(key.value, str):
            return None
        target = key.value
        source = expression_text(value, self.texts)
        checked = check_assignment(target, key.pos, source, self.scope)
        self.diagnostics.extend(checked.diagnostics)
        if checked.expr is None:
            return None
        return Assignment(target, checked.expr, value.value, key.pos)


def _shape_problems(item: GuardItemView) -> Iterator[Diagnostic]:
    """Why a guard mapping is no guard item (other values: the schema's to say)."""
    node = item.node
    if not isinstance(node, MapNode):
        return
    keys = [key for key, _ in node.string_items()]
    kinds = [key for key in keys if key.value in GUARD_KINDS]
    if len(kinds) > 1:
        first, second = kinds[0], kinds[1]
        yield error(
            codes.SCHEMA_OTHER,
            f"a guard item is one of {{not: ...}}, {{guard: ...}}, {{expr: ...}} or "
            f"{{check: ...}}: {quoted(second.value)} cannot stand beside "
            f"{quoted(first.value)} in one item (make them two items of the list)",
            second.pos,
        )
        return
    known = (*GUARD_KINDS, PARAMS_KEY)
    if not kinds and all(key.value in known for key in keys):
        # Unknown keys are the schema's (with a suggestion) and say enough.
        yield error(
            codes.MISSING_KEY,
            f"a guard item written as a mapping needs one of the keys {_KINDS_TEXT}",
            node.pos,
        )


def _params(node: Node) -> tuple[GuardParam, ...] | None:
    """The parameters of ``{guard: name, params: {...}}``, or ``None``."""
    if not isinstance(node, MapNode):
        return None  # the schema reports params that are not a mapping
    entries = list(node.string_items())
    if len(entries) != len(node.entries):
        return None  # a key that is not a string: the schema reports it
    params = []
    for key, value in entries:
        frozen = _frozen(value)
        if frozen is None and not _is_null(value):
            return None
        assert isinstance(key.value, str)
        params.append(GuardParam(key.value, frozen, key.pos))
    return tuple(params)


def _field_check(item: GuardItemView) -> FieldCheck | None:
    """The ``check:`` mapping read as a :class:`FieldCheck`, or ``None``."""
    node = item.value
    if not isinstance(node, MapNode):
        return None
    field, op = node.get(CHECK_FIELD), node.get(CHECK_OP)
    if not isinstance(field, ScalarNode) or not isinstance(field.value, str):
        return None
    if not isinstance(op, ScalarNode) or not isinstance(op.value, str):
        return None
    value_node = node.get(CHECK_VALUE)
    values_node = node.get(CHECK_VALUES)
    value = None if value_node is None else _frozen(value_node)
    values = None
    if values_node is not None:
        if not isinstance(values_node, SeqNode):
            return None
        frozen_values = _frozen(values_node)
        if not isinstance(frozen_values, tuple):
            return None
        values = frozen_values
    return FieldCheck(
        field=field.value,
        op=op.value,
        pos=field.pos,
        value=value,
        values=values,
        op_pos=op.pos,
        value_pos=(values_node or value_node or op).pos,
    )


def _frozen(node: Node) -> PlainData:
    """A node's value as plain data; ``None`` for what plain data cannot hold."""
    try:
        return freeze(plain(node))
    except TypeError:
        return None


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value is None
