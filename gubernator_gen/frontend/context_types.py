"""The types of the ``context`` section: read, checked and turned into the model's IR.

A type is written as text (``int``, ``list[decimal]``, ``dict[str, list[int]]``,
with a trailing ``?`` when the field may be absent) or as a mapping with one
of the keys ``enum`` (a ``Literal`` of the values), ``fields`` (a nested
record), ``list`` or ``dict`` (of another type), and ``optional: true``.

One reader serves both the checks (:func:`check`, the diagnostics) and the
model builder (:func:`fields_of`, the IR), so they cannot disagree. The
schema checks the first level of a type mapping (its keys and their
shapes); what it does not descend into (nested types, type text) is checked
here, at the node that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.identifiers import IDENTIFIER, identifier_problem
from gubernator_gen.frontend.suggest import did_you_mean
from gubernator_gen.frontend.tree import (
    MapNode,
    Node,
    ScalarNode,
    SeqNode,
    kind_of,
    quoted,
)
from gubernator_gen.frontend.view import (
    OPTIONAL_KEY,
    TYPE_FORMS,
    read_type_mapping,
)
from gubernator_gen.model import (
    ContextField,
    ContextType,
    DictType,
    EnumType,
    ListType,
    RecordType,
    TypeExpr,
    simple_type,
)

#: Types nest at most this deep (``list[list[...]]``, records in records).
MAX_TYPE_DEPTH = 32

_TYPE_NAMES = tuple(t.value for t in ContextType)
_TOKEN = re.compile(r"\s*(?:[A-Za-z_][A-Za-z0-9_]*|\S)")


class _TypeTextError(Exception):
    """A problem in type text: ``code`` and the message after the type's name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check(context: Node | None) -> Iterator[Diagnostic]:
    """The diagnostics of the context section's types (``None``: no section)."""
    if isinstance(context, MapNode):
        reader = _Reader()
        reader.fields(context, "context", depth=0, checked=True)
        yield from reader.diagnostics


def fields_of(context: MapNode) -> tuple[ContextField, ...]:
    """The fields of a context section that :func:`check` accepted.

    Raises ``ValueError`` when it has a problem (a front-end bug: the
    model is only built from a spec without errors).
    """
    reader = _Reader()
    fields = reader.fields(context, "context", depth=0, checked=True)
    if reader.diagnostics or fields is None:
        raise ValueError("the context section has problems")
    return fields


class _Reader:
    """Reads types, collecting a diagnostic for each problem found."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def fields(
        self, node: MapNode, where: str, *, depth: int, checked: bool
    ) -> tuple[ContextField, ...] | None:
        """The fields of a mapping of field name → type; ``checked`` when the
        schema has checked the names and the shapes of the values."""
        fields: list[ContextField] = []
        complete = True
        for key, value in node.entries:
            if not isinstance(key, ScalarNode) or not isinstance(key.value, str):
                complete = False  # the schema reports keys that are not strings
                continue
            name = key.value
            if not checked and not self._field_name(key, name, where):
                complete = False
            read = self.field_type(value, f"{where}.{name}", depth=depth, top=checked)
            if read is None:
                complete = False
                continue
            type_, optional = read
            fields.append(ContextField(name, type_, optional, key.pos))
        return tuple(fields) if complete else None

    def field_type(
        self, node: Node, where: str, *, depth: int, top: bool
    ) -> tuple[TypeExpr, bool] | None:
        """A field's type and whether the field may be absent."""
        if isinstance(node, ScalarNode) and isinstance(node.value, str):
            return self._text(node, node.value, where, depth=depth, field=True)
        if isinstance(node, MapNode):
            return self._mapping(node, where, depth=depth, top=top, field=True)
        if not top:
            self._report(codes.WRONG_TYPE, where, _shape_message(node), node)
        return None

    def item_type(self, node: Node, where: str, *, depth: int) -> TypeExpr | None:
        """The type of a list's items or a dict's values (never absent)."""
        read: tuple[TypeExpr, bool] | None = None
        if isinstance(node, ScalarNode) and isinstance(node.value, str):
            read = self._text(node, node.value, where, depth=depth, field=False)
        elif isinstance(node, MapNode):
            read = self._mapping(node, where, depth=depth, top=False, field=False)
        else:
            self._report(codes.WRONG_TYPE, where, _shape_message(node), node)
        return None if read is None else read[0]

    def _text(
        self, node: ScalarNode, text: str, where: str, *, depth: int, field: bool
    ) -> tuple[TypeExpr, bool] | None:
        optional = field and text.rstrip().endswith("?")
        body = text.rstrip()[:-1] if optional else text
        try:
            return _TextParser(body, depth).parse(), optional
        except _TypeTextError as problem:
            self._report(
                problem.code, where, f"in {quoted(text)}: {problem.message}", node
            )
            return None

    def _mapping(
        self, node: MapNode, where: str, *, depth: int, top: bool, field: bool
    ) -> tuple[TypeExpr, bool] | None:
        if depth >= MAX_TYPE_DEPTH:
            self._report(codes.BAD_CONTEXT_TYPE, where, _too_deep(), node)
            return None
        view = read_type_mapping(node)
        if not top:
            for key in view.unknown:
                assert isinstance(key.value, str)
                self._report(
                    codes.UNKNOWN_KEY,
                    where,
                    f"unknown key {quoted(key.value)} in a type"
                    f"{did_you_mean(key.value, (*TYPE_FORMS, OPTIONAL_KEY))}",
                    key,
                )
        optional = self._optional(view.optional, where, top=top, field=field)
        if not view.forms:
            self._report(
                codes.BAD_CONTEXT_TYPE,
                where,
                "a type written as a mapping needs one of the keys "
                + ", ".join(TYPE_FORMS),
                node,
            )
            return None
        if len(view.forms) > 1:
            first, second = view.forms[0][0], view.forms[1][0]
            self._report(
                codes.BAD_CONTEXT_TYPE,
                where,
                f"a type is one of {', '.join(TYPE_FORMS)}: {quoted(first.value)} "
                f"and {quoted(second.value)} cannot both be given",
                second,
            )
            return None
        key, value = view.forms[0]
        type_ = self._form(str(key.value), value, where, depth=depth, top=top)
        if type_ is None or optional is None:
            return None
        return type_, optional

    def _form(
        self, form: str, value: Node, where: str, *, depth: int, top: bool
    ) -> TypeExpr | None:
        if form == "enum":
            return self._enum(value, where, top=top)
        if form == "fields":
            if not isinstance(value, MapNode):
                if not top:
                    self._report(
                        codes.WRONG_TYPE, where, "fields must be a mapping", value
                    )
                return None
            fields = self.fields(value, where, depth=depth + 1, checked=False)
            return None if fields is None else RecordType(fields)
        item = self.item_type(value, f"{where}.{form}", depth=depth + 1)
        if item is None:
            return None
        return ListType(item) if form == "list" else DictType(item)

    def _optional(
        self, node: Node | None, where: str, *, top: bool, field: bool
    ) -> bool | None:
        if node is None:
            return False
        value = node.value if isinstance(node, ScalarNode) else None
        if not isinstance(value, bool):
            if not top:
                self._report(
                    codes.WRONG_TYPE, where, "optional must be true or false", node
                )
            return None
        if value and not field:
            self._report(
                codes.BAD_CONTEXT_TYPE,
                where,
                "optional: true marks a field that may be absent; the items of a "
                "list or the values of a dict cannot be absent",
                node,
            )
            return None
        return value

    def _enum(self, node: Node, where: str, *, top: bool) -> EnumType | None:
        if not isinstance(node, SeqNode) or not node.items:
            if not top:
                self._report(
                    codes.EMPTY_LIST if isinstance(node, SeqNode) else codes.WRONG_TYPE,
                    where,
                    "enum must be a list of at least one value",
                    node,
                )
            return None
        values: list[str] = []
        seen: dict[str, ScalarNode] = {}
        complete = True
        for item in node.items:
            value = item.value if isinstance(item, ScalarNode) else None
            if not isinstance(value, str):
                complete = False
                if not top:
                    self._report(
                        codes.WRONG_TYPE,
                        where,
                        "enum values are strings; put numbers in quotes",
                        item,
                    )
                continue
            assert isinstance(item, ScalarNode)
            first = seen.get(value)
            if first is not None:
                complete = False
                self._report(
                    codes.DUPLICATE_ENUM_VALUE,
                    where,
                    f"enum value {quoted(value)} is listed twice (first at line "
                    f"{first.pos.line}, column {first.pos.column})",
                    item,
                )
                continue
            seen[value] = item
            values.append(value)
        return EnumType(tuple(values)) if complete else None

    def _field_name(self, key: ScalarNode, name: str, where: str) -> bool:
        if not IDENTIFIER.match(name):
            self._report(
                codes.BAD_NAME,
                where,
                f"field name {quoted(name)} is not a Python identifier (letters, "
                "digits and underscores, not starting with a digit)",
                key,
            )
            return False
        problem = identifier_problem(name)
        if problem is not None:
            code, reason = problem
            self._report(
                code, where, f"field name {quoted(name)} {reason}; choose another", key
            )
            return False
        return True

    def _report(self, code: str, where: str, message: str, node: Node) -> None:
        self.diagnostics.append(error(code, f"{where}: {message}", node.pos))


class _TextParser:
    """A recursive-descent reader of one type written as text (no ``?``)."""

    def __init__(self, text: str, depth: int) -> None:
        self.tokens = [match.group().strip() for match in _TOKEN.finditer(text)]
        self.index = 0
        self.depth = depth

    def parse(self) -> TypeExpr:
        if not self.tokens:
            raise _TypeTextError(codes.BAD_CONTEXT_TYPE, "the type is empty")
        type_ = self._type(self.depth)
        if self.index < len(self.tokens):
            raise self._unexpected()
        return type_

    def _type(self, depth: int) -> TypeExpr:
        if depth >= MAX_TYPE_DEPTH:
            raise _TypeTextError(codes.BAD_CONTEXT_TYPE, _too_deep())
        token = self._next()
        if token is None or not IDENTIFIER.match(token):
            raise self._unexpected(token)
        if token not in _TYPE_NAMES:
            raise _TypeTextError(
                codes.NOT_ALLOWED_VALUE,
                f"unknown type {quoted(token)}{did_you_mean(token, _TYPE_NAMES)}; "
                f"the types are {', '.join(_TYPE_NAMES)}",
            )
        name = ContextType(token)
        if self._peek() != "[":
            return simple_type(name)
        if name not in (ContextType.LIST, ContextType.DICT):
            raise _TypeTextError(
                codes.BAD_CONTEXT_TYPE,
                f"{token} takes no [...]; only list[T] and dict[str, T] do",
            )
        self.index += 1
        if name is ContextType.LIST:
            item = self._type(depth + 1)
            self._expect("]", "list[T] takes one type")
            return ListType(item)
        key = self._type(depth + 1)
        if key != simple_type(ContextType.STR):
            raise _TypeTextError(
                codes.BAD_CONTEXT_TYPE, "the keys of a dict are strings: dict[str, T]"
            )
        self._expect(",", "write dict[str, T]")
        value = self._type(depth + 1)
        self._expect("]", "dict[str, T] takes two types")
        return DictType(value)

    def _next(self) -> str | None:
        token = self._peek()
        if token is not None:
            self.index += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _expect(self, wanted: str, hint: str) -> None:
        token = self._next()
        if token == "?":
            raise self._unexpected(token)
        if token != wanted:
            raise _TypeTextError(
                codes.BAD_CONTEXT_TYPE,
                f"expected {quoted(wanted)}, found "
                f"{quoted(token) if token else 'the end'}; {hint}",
            )

    def _unexpected(self, token: str | None = None) -> _TypeTextError:
        if token is None and self.index < len(self.tokens):
            token = self.tokens[self.index]
        if token == "?":
            return _TypeTextError(
                codes.BAD_CONTEXT_TYPE,
                "? marks a field that may be absent and only ends a field's type; "
                "the items of a list or the values of a dict cannot be absent",
            )
        found = "the end" if token is None else quoted(token)
        return _TypeTextError(codes.BAD_CONTEXT_TYPE, f"unexpected {found}")


def _too_deep() -> str:
    return f"types are nested more than {MAX_TYPE_DEPTH} deep"


def _shape_message(node: Node) -> str:
    return (
        "a type is text (e.g. list[int]) or a mapping (e.g. {enum: [a, b]}), "
        f"got {kind_of(node)}"
    )
