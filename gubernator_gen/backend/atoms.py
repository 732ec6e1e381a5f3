"""The leaves of the bulk: literals as :mod:`gubernator_gen.backend.emit` nodes.

Shared by :mod:`gubernator_gen.backend.bulk` (the decision tables) and
:mod:`gubernator_gen.backend.machine_definition` (the definition and constants).
The literals themselves come from :mod:`gubernator_gen.backend.literals`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from gubernator_gen.backend import literals, naming
from gubernator_gen.backend.emit import Atom, Call, DictOf, Expr, TupleOf
from gubernator_gen.model import PlainData


@functools.lru_cache(maxsize=4096)
def string(text: str) -> Atom:
    """A string literal; one node per text (cached)."""
    # The same few trigger and state names are keys of thousands of cells.
    return Atom(literals.string_literal(text))


@functools.lru_cache(maxsize=4096)
def strings(values: tuple[str, ...]) -> TupleOf:
    """A tuple of string literals (names of actions, guards); cached."""
    # A few distinct action lists recur in thousands of results: one node
    # each, so the emitter also lays each out once.
    return TupleOf(tuple(string(value) for value in values))


def data(value: PlainData) -> Expr:
    """Plain data, read-only: mappings in the module's mapping proxy."""
    proxy = naming.MAPPING_PROXY.alias
    if isinstance(value, Mapping):
        entries = tuple((string(k), data(v)) for k, v in value.items())
        return Call(proxy, ((None, DictOf(entries)),))
    if isinstance(value, tuple):
        return TupleOf(tuple(data(item) for item in value))
    return Atom(literals.data_literal(value, mapping_type=proxy))


def seconds(value: int | float) -> Atom:
    """A number of seconds, as written in the spec (int or float)."""
    if isinstance(value, int):
        return Atom(literals.int_literal(value))
    return Atom(literals.float_literal(value))
