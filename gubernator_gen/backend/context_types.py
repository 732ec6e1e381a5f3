"""Context types → annotations, imports and nested typed dictionaries.

The model holds the context's types as an IR
(:data:`~gubernator_gen.model.TypeExpr`); this module writes each as the
annotation the ``Context`` typed dictionary uses, lists the imports they
need, and defines a functional ``TypedDict`` for every nested record
(``{fields: {...}}``), children before parents so that each name exists
when it is used.

A record's fields may be absent (``?``) or not; a functional ``TypedDict``
is either ``total`` or not, and ``Required``/``NotRequired`` need Python
3.11. So a record whose fields are all required is ``total``, any other
is not: in a record with both kinds, the required fields are typed as
may-be-absent too. (``Context`` itself combines two parts and keeps the
difference; nested records will once the module template can print the
class that combines them.)

Record names are private (``_Context_address``), chosen here so that they
never equal a name the naming module has already given out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gubernator_gen.backend import literals, naming
from gubernator_gen.backend.naming import Import
from gubernator_gen.model import (
    ContextField,
    ContextType,
    DictType,
    EnumType,
    ListType,
    NamedType,
    RecordType,
    TypeExpr,
)

_NAMED: dict[ContextType, tuple[str, Import | None]] = {
    ContextType.STR: ("str", None),
    ContextType.INT: ("int", None),
    ContextType.FLOAT: ("float", None),
    ContextType.BOOL: ("bool", None),
    ContextType.DECIMAL: (naming.DECIMAL.alias, naming.DECIMAL),
    ContextType.DATETIME: (naming.DATETIME.alias, naming.DATETIME),
    ContextType.DATE: (naming.DATE.alias, naming.DATE),
    ContextType.ANY: (naming.ANY.alias, naming.ANY),
}

_RECORD_PREFIX = "_Context"


@dataclass(frozen=True, slots=True)
class Record:
    """A nested record as a functional ``TypedDict``.

    ``fields`` are ``(key literal, annotation)`` pairs in spec order.
    """

    name: str
    fields: tuple[tuple[str, str], ...]
    total: bool


@dataclass(frozen=True, slots=True)
class ContextTypes:
    """The annotation of each top-level field, and the records they use.

    ``annotations`` maps field names to annotations; ``records`` are in
    dependency order (a record after every record it uses).
    """

    annotations: dict[str, str]
    records: tuple[Record, ...]


def imports(fields: Iterable[ContextField]) -> set[Import]:
    """The imports the annotations of ``fields`` need (nested ones included)."""
    needed: set[Import] = set()
    for field in fields:
        for type_ in _walk(field.type):
            if isinstance(type_, NamedType):
                extra = _NAMED[type_.name][1]
                if extra is not None:
                    needed.add(extra)
            elif isinstance(type_, EnumType):
                needed.add(naming.LITERAL)
    return needed


def context_types(fields: Iterable[ContextField], taken: Iterable[str]) -> ContextTypes:
    """Annotations and nested records for the top-level context ``fields``.

    ``taken`` are the names the module already uses; records get others.
    """
    writer = _Writer(set(taken))
    annotations = {
        field.name: writer.annotation(field.type, f"{_RECORD_PREFIX}_{field.name}")
        for field in fields
    }
    return ContextTypes(annotations, tuple(writer.records))


class _Writer:
    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.records: list[Record] = []

    def annotation(self, type_: TypeExpr, path: str) -> str:
        """The annotation of ``type_``; ``path`` names a record if it is one."""
        if isinstance(type_, NamedType):
            return _NAMED[type_.name][0]
        if isinstance(type_, ListType):
            return f"list[{self.annotation(type_.item, path + '_item')}]"
        if isinstance(type_, DictType):
            return f"dict[str, {self.annotation(type_.value, path + '_value')}]"
        if isinstance(type_, EnumType):
            values = ", ".join(literals.string_literal(v) for v in type_.values)
            return f"{naming.LITERAL.alias}[{values}]"
        return self._record(type_, path)

    def _record(self, record: RecordType, path: str) -> str:
        fields = tuple(
            (
                literals.string_literal(field.name),
                self.annotation(field.type, f"{path}_{field.name}"),
            )
            for field in record.fields
        )
        name = path
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        total = not any(field.optional for field in record.fields)
        self.records.append(Record(name, fields, total))
        return name


def _walk(type_: TypeExpr) -> Iterator[TypeExpr]:
    yield type_
    if isinstance(type_, ListType):
        yield from _walk(type_.item)
    elif isinstance(type_, DictType):
        yield from _walk(type_.value)
    elif isinstance(type_, RecordType):
        for field in type_.fields:
            yield from _walk(field.type)
