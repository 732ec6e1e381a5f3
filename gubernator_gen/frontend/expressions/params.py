"""Typed guard parameters: ``{guard: name, params: {key: literal, ...}}``
(docs/language.md#guards).

A guard with parameters becomes ``def name(self, ctx: Context, *, key: T)``
on the ``Guards`` protocol, ``T`` inferred from the literals of every use.
Uses agree when they give the same keys with types that join: ``1`` and
``2.5`` make a ``float``, ``null`` and ``3`` an ``int | None``, lists a
``tuple[T, ...]`` (passed as a tuple, so nothing is built per call). A
mapping is not a literal here; two uses that disagree are an error at the
later one, naming the first.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Mapping

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.expressions import NEVER, ExprType, TupleType
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions import rules
from gubernator_gen.model import GuardParam, GuardSignature, NamedGuard, PlainData

#: Names a guard parameter may not take: the method's own parameters.
RESERVED_PARAMS = frozenset({"self", "ctx"})


def param_problem(value: PlainData) -> str | None:
    """Why ``value`` cannot be a parameter literal, or ``None`` if it can."""
    if isinstance(value, Mapping):
        return (
            "a mapping is not a parameter value; give a number, string, boolean, "
            "null or a list of them"
        )
    if isinstance(value, tuple):
        for element in value:
            problem = param_problem(element)
            if problem is not None:
                return problem
        if _join_items(value) is None:
            return "the list mixes values of different types"
    return None


def param_type(value: PlainData) -> ExprType:
    """The type of a parameter literal (one :func:`param_problem` accepts)."""
    if isinstance(value, tuple):
        item = _join_items(value)
        if item is None:
            raise ValueError("the list mixes values of different types")
        return TupleType(item)
    if isinstance(value, Mapping):
        raise ValueError("a mapping is not a parameter value")
    return rules.literal_type(value)


def _join_items(values: tuple[PlainData, ...]) -> ExprType | None:
    item: ExprType = NEVER
    for element in values:
        if param_problem(element) is not None:
            return None
        joined = rules.join(item, param_type(element))
        if joined is None:
            return None
        item = joined
    return item


def bad_param_name(name: str) -> str | None:
    """Why ``name`` cannot be a keyword parameter, or ``None`` if it can."""
    if not name.isidentifier():
        return f"parameter name {name!r} is not a Python identifier"
    if keyword.iskeyword(name):
        return f"parameter name {name!r} is a Python keyword"
    if name.startswith("__"):
        return f"parameter name {name!r} starts with __"
    if name in RESERVED_PARAMS:
        return f"parameter name {name!r} is taken by the guard method itself"
    return None


def guard_signatures(
    uses: Iterable[NamedGuard],
) -> tuple[tuple[GuardSignature, ...], tuple[Diagnostic, ...]]:
    """The signature of every guard named in ``uses``, and the conflicts.

    ``uses`` are all the named guard items of a machine in document order
    (``{not: name}`` and a plain ``name`` are uses without parameters). A
    use with a bad parameter, or that disagrees with the uses before it, is
    reported and left out of the signature.
    """
    signatures: dict[str, dict[str, tuple[ExprType, SourcePos | None]]] = {}
    first_use: dict[str, NamedGuard] = {}
    diagnostics: list[Diagnostic] = []
    for use in uses:
        types = _use_types(use, diagnostics)
        if types is None:
            continue
        known = signatures.get(use.name)
        if known is None:
            signatures[use.name] = types
            first_use[use.name] = use
            continue
        if set(types) != set(known):
            diagnostics.append(
                error(
                    codes.GUARD_PARAMS_CONFLICT,
                    f"guard {use.name!r} is used with {_shape(known)}"
                    f"{_at(first_use[use.name].pos)}, but here with {_shape(types)}",
                    _pos(use.pos),
                )
            )
            continue
        merged = _merge(use, known, types, diagnostics)
        if merged is not None:
            signatures[use.name] = merged
    result = tuple(
        GuardSignature(name, tuple((key, type_) for key, (type_, _) in params.items()))
        for name, params in signatures.items()
    )
    return result, tuple(diagnostics)


def _use_types(
    use: NamedGuard, diagnostics: list[Diagnostic]
) -> dict[str, tuple[ExprType, SourcePos | None]] | None:
    types: dict[str, tuple[ExprType, SourcePos | None]] = {}
    for param in use.params:
        problem = bad_param_name(param.name) or _value_problem(param)
        if problem is not None:
            message = f"guard {use.name!r}: {problem}"
            diagnostics.append(
                error(codes.BAD_GUARD_PARAM, message, _pos(param.pos, use.pos))
            )
            return None
        types[param.name] = (param_type(param.value), param.pos)
    return types


def _value_problem(param: GuardParam) -> str | None:
    problem = param_problem(param.value)
    return None if problem is None else f"parameter {param.name!r}: {problem}"


def _merge(
    use: NamedGuard,
    known: dict[str, tuple[ExprType, SourcePos | None]],
    types: dict[str, tuple[ExprType, SourcePos | None]],
    diagnostics: list[Diagnostic],
) -> dict[str, tuple[ExprType, SourcePos | None]] | None:
    merged: dict[str, tuple[ExprType, SourcePos | None]] = {}
    for key, (known_type, known_pos) in known.items():
        found_type, found_pos = types[key]
        joined = rules.join(known_type, found_type)
        if joined is None:
            diagnostics.append(
                error(
                    codes.GUARD_PARAMS_CONFLICT,
                    f"guard {use.name!r}: parameter {key!r} is "
                    f"{rules.a(found_type)} here but {rules.a(known_type)}"
                    f"{_at(known_pos)}",
                    _pos(found_pos, use.pos),
                )
            )
            return None
        merged[key] = (joined, known_pos)
    return merged


def _shape(types: Mapping[str, tuple[ExprType, SourcePos | None]]) -> str:
    if not types:
        return "no parameters"
    return "parameters (" + ", ".join(f"{k}: {t}" for k, (t, _) in types.items()) + ")"


def _at(pos: SourcePos | None) -> str:
    return "" if pos is None else f" at line {pos.line}, column {pos.column}"


def _pos(*candidates: SourcePos | None) -> SourcePos:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return SourcePos("<spec>", 1, 1)
