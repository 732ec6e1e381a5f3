"""What an expression may name: the context fields with their types, and the states."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gubernator_gen import model
from gubernator_gen.expressions import (
    ANY,
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    FLOAT,
    INT,
    STR,
    DictType,
    EnumType,
    ExprType,
    ListType,
    OptionalType,
    RecordField,
    RecordType,
)
from gubernator_gen.model import ContextField, ContextType, NamedType, TypeExpr

_CONTEXT_TYPES: Mapping[ContextType, ExprType] = MappingProxyType(
    {
        ContextType.STR: STR,
        ContextType.INT: INT,
        ContextType.FLOAT: FLOAT,
        ContextType.BOOL: BOOL,
        ContextType.DECIMAL: DECIMAL,
        ContextType.DATETIME: DATETIME,
        ContextType.DATE: DATE,
        ContextType.ANY: ANY,
    }
)


def field_type(context_field: ContextField) -> ExprType:
    """The expression type of a context field; ``T?`` for one that may be absent."""
    base = expression_type(context_field.type)
    return OptionalType(base) if context_field.optional else base


def expression_type(type_: TypeExpr) -> ExprType:
    """The expression type of a context type of the model."""
    if isinstance(type_, NamedType):
        return _CONTEXT_TYPES[type_.name]
    if isinstance(type_, model.ListType):
        return ListType(expression_type(type_.item))
    if isinstance(type_, model.DictType):
        return DictType(expression_type(type_.value))
    if isinstance(type_, model.EnumType):
        return EnumType(type_.values)
    return RecordType(
        tuple(
            RecordField(f.name, expression_type(f.type), f.optional)
            for f in type_.fields
        )
    )


@dataclass(frozen=True, slots=True)
class Scope:
    """The names an expression may use.

    ``fields`` maps each context field to its type, an
    :class:`~gubernator_gen.expressions.OptionalType` for one that may be
    absent (read with ``ctx.get``). ``states`` are the names ``in_state``
    accepts; ``in_state_refused``, when given, says why ``in_state`` cannot
    be used at all (it is refused with that message). Python reads
    identifiers in NFKC form (``ﬁ`` is ``fi``), so a name is looked up that
    way too.
    """

    fields: Mapping[str, ExprType]
    states: tuple[str, ...] = ()
    in_state_refused: str | None = None
    _by_normal_form: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_normal_form: dict[str, str] = {}
        for name in self.fields:
            by_normal_form.setdefault(unicodedata.normalize("NFKC", name), name)
        for name in self.fields:  # an exact spelling wins over a normal form
            by_normal_form[name] = name
        object.__setattr__(self, "_by_normal_form", MappingProxyType(by_normal_form))

    @classmethod
    def of(
        cls,
        context: Iterable[ContextField] | None,
        states: Iterable[str] = (),
        *,
        in_state_refused: str | None = None,
    ) -> Scope:
        """The scope of a machine with these ``context:`` fields and states."""
        fields = {f.name: field_type(f) for f in context or ()}
        return cls(MappingProxyType(fields), tuple(states), in_state_refused)

    def resolve(self, name: str) -> str | None:
        """The declared field that identifier ``name`` refers to, or ``None``."""
        return self._by_normal_form.get(name)
