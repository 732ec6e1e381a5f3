"""A transition's guard items as read by :mod:`~gubernator_gen.frontend.view`.

A guard item (docs/language.md#guards) is a guard name, ``{not: name}``,
``{guard: name, params: {...}}``, ``{expr: "..."}`` or, to help specs
written for pystator, ``{check: {field, op, value}}``. This module spells
those keys; like the rest of the view it is lenient and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode
from gubernator_gen.frontend.view_names import Name, NameList, name_of

#: The keys that say what a guard item written as a mapping is
#: (docs/language.md#guards):
#: ``{not: name}``, ``{guard: name, params: {...}}``, ``{expr: "..."}`` and
#: pystator's ``{check: {field, op, value}}``.
NOT_KEY, GUARD_KEY, EXPR_KEY, CHECK_KEY = "not", "guard", "expr", "check"
GUARD_KINDS = (NOT_KEY, GUARD_KEY, EXPR_KEY, CHECK_KEY)
PARAMS_KEY = "params"
#: What a plain guard name is, as a guard item kind.
NAME_KIND = "name"
#: The keys of a ``check:`` guard.
CHECK_FIELD, CHECK_OP, CHECK_VALUE, CHECK_VALUES = "field", "op", "value", "values"


@dataclass(frozen=True, slots=True)
class GuardItemView:
    """One item of a transition's ``guards``, as far as it could be read.

    ``kind`` is :data:`NAME_KIND` for a guard name, the key of
    :data:`GUARD_KINDS` a mapping has, or ``None`` when the item is neither
    (a mapping with none or several of those keys, a number, ...). ``value``
    is the value of that key (the expression's text, the ``check``
    mapping); ``name`` is the guard's name for a name, ``not`` or ``guard``
    item when it is a string; ``params`` is the ``params`` value.
    """

    node: Node
    kind: str | None
    name: Name | None = None
    value: Node | None = None
    params: Node | None = None

    @property
    def names_a_guard(self) -> bool:
        """True for the kinds that name a method of ``Guards``."""
        return self.kind in (NAME_KIND, NOT_KEY, GUARD_KEY)


def read_guards(node: Node | None) -> tuple[tuple[GuardItemView, ...], NameList]:
    """The guard items of a ``guards`` value and the guard names they use."""
    if node is None:
        return (), NameList((), True)
    written = node.items if isinstance(node, SeqNode) else (node,)
    items = tuple(read_guard_item(item) for item in written)
    names = tuple(item.name for item in items if item.name is not None)
    complete = all(
        item.kind is not None and (item.name is not None or not item.names_a_guard)
        for item in items
    )
    return items, NameList(names, complete)


def read_guard_item(node: Node) -> GuardItemView:
    """One guard item: a name, or a mapping with one of :data:`GUARD_KINDS`."""
    if isinstance(node, ScalarNode):
        name = name_of(node)
        return GuardItemView(node, NAME_KIND if name else None, name)
    if not isinstance(node, MapNode):
        return GuardItemView(node, None)
    kinds = [kind for kind in GUARD_KINDS if kind in node]
    params = node.get(PARAMS_KEY)
    if len(kinds) != 1:
        return GuardItemView(node, None, params=params)
    kind = kinds[0]
    value = node.get(kind)
    name = name_of(value) if kind in (NOT_KEY, GUARD_KEY) else None
    return GuardItemView(node, kind, name, value, params)
