"""Checked expressions → Python source for the generated module
(docs/language.md#guard-expressions and #context-updates-assign).

Everything is written from the typed IR of :mod:`gubernator_gen.expressions`,
never from the text of the spec: names of context fields and string values
reach the source only through :mod:`gubernator_gen.backend.literals` (as
``ctx["field"]`` keys and literals), identifiers only after a check that they
are identifiers. Nothing is evaluated, now or when the module runs.

Three levels, for the back end to choose from:

* :func:`render` (from :mod:`.expression_source`) writes one expression
  with the fewest parentheses that keep its meaning, given how fields are
  read (:class:`Reads`);
* :func:`guard_function` and :func:`assign_function` write a typed
  module-level function (``def _guard_expr_0(ctx: Context) -> bool``), in
  black's layout, that mypy checks against ``Context``;
* :func:`guard_call` writes the call of one guard item inside a cell
  function: ``g(ctx)``, ``not g(ctx)``, ``g(ctx, limit=100)``, or the call
  of an expression's function.

A field that may be absent is read once, at the top of the function, into a
local variable (``paid = ctx.get("paid")``): mypy narrows a local after
``paid is not None``, which it cannot do for two separate ``ctx.get`` calls.
``dict.get`` never raises, so reading it early changes no result.
"""

from __future__ import annotations

import builtins
import dataclasses
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from gubernator_gen.backend.expression_source import InStateForm, Reads, render
from gubernator_gen.backend.literals import (
    data_literal,
    display_width,
    docstring_literal,
    string_literal,
)
from gubernator_gen.expressions import (
    BOOL,
    DictType,
    EnumType,
    Expr,
    ExprType,
    FieldRead,
    ListType,
    OptionalType,
    RecordType,
    Simple,
    TupleType,
    reads_state,
    walk,
)
from gubernator_gen.model import ExpressionGuard, GuardItem, NamedGuard

__all__ = [
    "AnnotationNames",
    "EmittedFunction",
    "InStateForm",
    "Reads",
    "annotation",
    "assign_function",
    "assign_steps_function",
    "guard_call",
    "guard_function",
    "render",
]

_LINE_LENGTH = 88
_INDENT = "    "
# Locals never take these names: builtins the code or annotations may use,
# and the names ruff's E741 calls ambiguous.
_RESERVED = frozenset(dir(builtins)) | {"l", "O", "I"}
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


@dataclass(frozen=True, slots=True)
class AnnotationNames:
    """How the generated module spells the types it imports.

    ``record`` names the ``TypedDict`` of a nested record type.
    """

    decimal: str = "Decimal"
    datetime: str = "datetime"
    date: str = "date"
    any: str = "Any"
    literal: str = "Literal"
    record: Callable[[RecordType], str] | None = None


@dataclass(frozen=True, slots=True)
class EmittedFunction:
    """A module-level function: its name, parameters and source in black's layout.

    ``source`` ends with a newline and has no blank line around it.
    """

    name: str
    parameters: tuple[str, ...]
    source: str


# --------------------------------------------------------------------------
# Functions


def guard_function(
    name: str,
    expr: Expr,
    *,
    context: str = "Context",
    in_state: InStateForm | None = None,
    doc: str | None = None,
) -> EmittedFunction:
    """``def name(ctx: Context) -> bool`` returning ``expr``.

    A guard that uses ``in_state`` also takes the state parameter of
    ``in_state``. An expression whose type is not exactly ``bool`` (one
    that involves an ``any`` field) is returned through ``bool(...)``, which
    keeps its truth and satisfies mypy.
    """
    header, reads, lines = _prologue(name, [expr], context, in_state, "bool", doc)
    text = render(expr, reads)
    lines.append(f"return {text}" if expr.type is BOOL else f"return bool({text})")
    return _function(name, header, lines, reads)


def assign_function(
    name: str,
    assignments: Sequence[tuple[str, Expr]],
    *,
    context: str = "Context",
    annotations: Mapping[str, str] | None = None,
    in_state: InStateForm | None = None,
    doc: str | None = None,
) -> EmittedFunction:
    """``def name(ctx: Context) -> dict[str, object]`` computing ``assign`` updates.

    Every value is computed from the context as given (none sees another's
    result), each into a local annotated with its field's type from
    ``annotations`` (field name → annotation text, as ``Context`` spells
    it), so that mypy checks that it fits; then they are returned together.
    """
    return assign_steps_function(
        name,
        [assignments],
        context=context,
        annotations=annotations,
        in_state=in_state,
        doc=doc,
    )


def assign_steps_function(
    name: str,
    steps: Sequence[Sequence[tuple[str, Expr]]],
    *,
    context: str = "Context",
    annotations: Mapping[str, str] | None = None,
    in_state: InStateForm | None = None,
    doc: str | None = None,
) -> EmittedFunction:
    """:func:`assign_function` for ``assign`` lists applied one after another
    (the microsteps of one statechart step): the values of each list see
    the fields the earlier lists set (their locals), and nothing else of
    their own list; a field's last value is returned, at the place it was
    first assigned."""
    annotations = annotations or {}
    exprs = [expr for step in steps for _, expr in step]
    reserved = _identifiers(annotations.values())
    header, reads, lines = _prologue(
        name, exprs, context, in_state, "dict[str, object]", doc, reserved=reserved
    )
    taken = set(reads.locals.values()) | reserved | {reads.ctx}
    if reads.in_state is not None:
        taken.add(reads.in_state.parameter)
    latest: dict[str, str] = {}
    for assignments in steps:
        seen = dataclasses.replace(reads, assigned=dict(latest))
        for target, expr in assignments:
            local = _local_name(target, taken)
            annotation = annotations.get(target)
            typed = f"{local}: {annotation}" if annotation else local
            lines.append(f"{typed} = {render(expr, seen)}")
            latest[target] = local
    entries = [f"{string_literal(target)}: {local}" for target, local in latest.items()]
    lines.append("return {" + ", ".join(entries) + "}")
    return _function(name, header, lines, reads)


def _prologue(
    name: str,
    exprs: Sequence[Expr],
    context: str,
    in_state: InStateForm | None,
    returns: str,
    doc: str | None,
    *,
    reserved: frozenset[str] = frozenset(),
) -> tuple[str, Reads, list[str]]:
    """The ``def`` line, how fields are read, and the first body lines."""
    _require_identifier(name)
    uses_state = any(reads_state(expr) for expr in exprs)
    parameters = ["ctx: " + context]
    taken = set(reserved) | {"ctx"} | _identifiers([context, returns])
    if uses_state:
        if in_state is None:
            raise ValueError("an expression uses in_state but no InStateForm is given")
        _require_identifier(in_state.parameter)
        parameters.append(f"{in_state.parameter}: {in_state.annotation}")
        taken.add(in_state.parameter)
        taken |= _identifiers([in_state.annotation])
    optional_reads = _optional_reads(exprs)
    local_of = {}
    for field_name in optional_reads:
        local_of[field_name] = _local_name(field_name, taken)
    reads = Reads("ctx", local_of, in_state if uses_state else None)
    lines = [docstring_literal(doc, _INDENT)] if doc else []
    lines.extend(
        f"{local} = ctx.get({string_literal(field_name)})"
        for field_name, local in local_of.items()
    )
    header = f"def {name}({', '.join(parameters)}) -> {returns}:"
    return header, reads, lines


def _optional_reads(exprs: Sequence[Expr]) -> tuple[str, ...]:
    """Fields read with ``ctx.get``, in order of first use."""
    names: dict[str, None] = {}
    for expr in exprs:
        for node in walk(expr):
            if isinstance(node, FieldRead) and node.may_be_absent:
                names.setdefault(node.name, None)
    return tuple(names)


def _local_name(wanted: str, taken: set[str]) -> str:
    """A fresh local variable name close to ``wanted``, recorded in ``taken``."""
    name = unicodedata.normalize("NFKC", wanted)
    if not name.isidentifier() or keyword.iskeyword(name):
        name = "value"
    while name in taken or name in _RESERVED or keyword.iskeyword(name):
        name += "_"
    taken.add(name)
    return name


def _identifiers(texts: Iterable[str]) -> frozenset[str]:
    """Every identifier appearing in the given annotation texts."""
    found: set[str] = set()
    for text in texts:
        found.update(_IDENTIFIER.findall(text))
    return frozenset(found)


def _require_identifier(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a Python identifier")


def _function(
    name: str, header: str, lines: list[str], reads: Reads
) -> EmittedFunction:
    """The function's source; black lays out any line that is too long."""
    parameters: tuple[str, ...] = ("ctx",)
    if reads.in_state is not None:
        parameters += (reads.in_state.parameter,)
    body_lines = "\n".join(lines).split("\n")
    body = "\n".join(_INDENT + line if line else "" for line in body_lines)
    source = f"{header}\n{body}\n"
    if any(display_width(line) > _LINE_LENGTH for line in source.splitlines()):
        # Imported here: formatting belongs to the module pipeline, which will
        # import this module.
        from gubernator_gen.backend.formatting import format_source

        source = format_source(source)
    return EmittedFunction(name, parameters, source)


# --------------------------------------------------------------------------
# Calls in cell functions, and annotations


def guard_call(
    item: GuardItem, *, callee: str, ctx: str = "ctx", state: str | None = None
) -> str:
    """The call of one guard item, safe as an operand of ``and``.

    ``callee`` is what the cell function calls: the bound guard method for a
    :class:`NamedGuard`, the module-level function of an
    :class:`ExpressionGuard` (which also gets ``state`` when it uses
    ``in_state``). Parameters are keyword arguments with literal values.
    """
    for name in (callee, ctx):
        _require_identifier(name)
    if isinstance(item, ExpressionGuard):
        if reads_state(item.expr):
            if state is None:
                raise ValueError("this guard expression needs the state argument")
            _require_identifier(state)
            return f"{callee}({ctx}, {state})"
        return f"{callee}({ctx})"
    arguments = [ctx]
    for param in item.params:
        _require_identifier(param.name)
        value = data_literal(param.value, mapping_type="dict")
        arguments.append(f"{param.name}={value}")
    call = f"{callee}({', '.join(arguments)})"
    return f"not {call}" if isinstance(item, NamedGuard) and item.negated else call


def annotation(type_: ExprType, names: AnnotationNames | None = None) -> str:
    """The annotation of ``type_`` as the generated module spells it."""
    names = names or AnnotationNames()
    if isinstance(type_, Simple):
        spelled = {
            Simple.DECIMAL: names.decimal,
            Simple.DATETIME: names.datetime,
            Simple.DATE: names.date,
            Simple.ANY: names.any,
            Simple.NEVER: "object",
        }
        return spelled.get(type_, type_.value)
    if isinstance(type_, ListType):
        return f"list[{annotation(type_.item, names)}]"
    if isinstance(type_, DictType):
        return f"dict[str, {annotation(type_.value, names)}]"
    if isinstance(type_, TupleType):
        return f"tuple[{annotation(type_.item, names)}, ...]"
    if isinstance(type_, OptionalType):
        return f"{annotation(type_.inner, names)} | None"
    if isinstance(type_, EnumType):
        values = ", ".join(string_literal(value) for value in type_.values)
        return f"{names.literal}[{values}]"
    if names.record is None:
        raise ValueError("a record type needs AnnotationNames.record")
    return names.record(type_)
