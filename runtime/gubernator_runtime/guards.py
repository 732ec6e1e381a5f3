"""Ready-made guards (docs/runtime.md#guard-factories).

Each factory returns a :class:`Guard`: a callable ``guard(ctx) -> bool``
that is not a descriptor, so it works the same as a mapping value, as a class
attribute of a ``Guards`` implementation, or called from a method body::

    guards = {"is_paid": equals("paid", True)}

    class MyGuards:
        is_paid = equals("paid", True)
        def is_big(self, ctx: Context) -> bool:
            return greater_than("amount", 1000)(ctx)

Comparisons against a key that is missing from the context are False (they
never raise ``KeyError``); a comparison that raises (``None > 3``) propagates
and ``process`` reports it as a ``GuardError``, because bad data should be
seen, not silently read as "no".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

#: The context type a guard accepts (contravariant: a guard of any mapping
#: works where a guard of a machine's ``Context`` is expected).
C_contra = TypeVar("C_contra", contravariant=True)
C = TypeVar("C")

_MISSING: Any = object()


class Guard(Generic[C_contra]):
    """A named predicate over a context; calling it returns a ``bool``.

    ``description`` (also its ``repr``) shows how it was built, for example
    ``equals('status', 'paid')``.
    """

    __slots__ = ("_description", "_test")

    def __init__(self, test: Callable[[C_contra], object], description: str) -> None:
        self._test = test
        self._description = description

    def __call__(self, ctx: C_contra) -> bool:
        return bool(self._test(ctx))

    @property
    def description(self) -> str:
        """How the guard was built."""
        return self._description

    def __repr__(self) -> str:
        return self._description


def equals(key: str, value: object) -> Guard[Mapping[str, Any]]:
    """``ctx[key] == value`` (False when ``key`` is missing)."""

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and bool(found == value)

    return Guard(test, f"equals({key!r}, {value!r})")


def not_equals(key: str, value: object) -> Guard[Mapping[str, Any]]:
    """``ctx[key] != value`` (False when ``key`` is missing)."""

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and bool(found != value)

    return Guard(test, f"not_equals({key!r}, {value!r})")


def greater_than(key: str, value: Any) -> Guard[Mapping[str, Any]]:
    """``ctx[key] > value`` (False when ``key`` is missing)."""

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and bool(found > value)

    return Guard(test, f"greater_than({key!r}, {value!r})")


def less_than(key: str, value: Any) -> Guard[Mapping[str, Any]]:
    """``ctx[key] < value`` (False when ``key`` is missing)."""

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and bool(found < value)

    return Guard(test, f"less_than({key!r}, {value!r})")


def greater_or_equal(key: str, value: Any) -> Guard[Mapping[str, Any]]:
    """``ctx[key] >= value`` (False when ``key`` is missing)."""

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and bool(found >= value)

    return Guard(test, f"greater_or_equal({key!r}, {value!r})")


def less_or_equal(key: str, value: Any) -> Guard[Mapping[str, Any]]:
    """``ctx[key] <= value`` (False when ``key`` is missing)."""

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and bool(found <= value)

    return Guard(test, f"less_or_equal({key!r}, {value!r})")


def in_list(key: str, values: Iterable[object]) -> Guard[Mapping[str, Any]]:
    """``ctx[key]`` is one of ``values`` (False when ``key`` is missing)."""
    options = tuple(values)

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and found in options

    return Guard(test, f"in_list({key!r}, {list(options)!r})")


def not_in_list(key: str, values: Iterable[object]) -> Guard[Mapping[str, Any]]:
    """``ctx[key]`` is none of ``values`` (False when ``key`` is missing)."""
    options = tuple(values)

    def test(ctx: Mapping[str, Any]) -> bool:
        found = ctx.get(key, _MISSING)
        return found is not _MISSING and found not in options

    return Guard(test, f"not_in_list({key!r}, {list(options)!r})")


def has_key(key: str) -> Guard[Mapping[str, Any]]:
    """``key`` is present in the context (whatever its value, even ``None``)."""

    def test(ctx: Mapping[str, Any]) -> bool:
        return key in ctx

    return Guard(test, f"has_key({key!r})")


def is_truthy(key: str) -> Guard[Mapping[str, Any]]:
    """``ctx[key]`` is present and truthy."""

    def test(ctx: Mapping[str, Any]) -> bool:
        return bool(ctx.get(key))

    return Guard(test, f"is_truthy({key!r})")


def is_not_none(key: str) -> Guard[Mapping[str, Any]]:
    """``ctx[key]`` is present and not ``None``."""

    def test(ctx: Mapping[str, Any]) -> bool:
        return ctx.get(key) is not None

    return Guard(test, f"is_not_none({key!r})")


def all_of(*guards: Callable[[C], object]) -> Guard[C]:
    """Every guard passes (evaluated in order, stopping at the first False).

    With no guards it passes.
    """
    members = tuple(guards)

    def test(ctx: C) -> bool:
        return all(guard(ctx) for guard in members)

    return Guard(test, f"all_of({', '.join(map(_describe, members))})")


def any_of(*guards: Callable[[C], object]) -> Guard[C]:
    """At least one guard passes (stopping at the first True).

    With no guards it fails.
    """
    members = tuple(guards)

    def test(ctx: C) -> bool:
        return any(guard(ctx) for guard in members)

    return Guard(test, f"any_of({', '.join(map(_describe, members))})")


def none_of(*guards: Callable[[C], object]) -> Guard[C]:
    """No guard passes (stopping at the first True).

    With no guards it passes.
    """
    members = tuple(guards)

    def test(ctx: C) -> bool:
        return not any(guard(ctx) for guard in members)

    return Guard(test, f"none_of({', '.join(map(_describe, members))})")


def negate(guard: Callable[[C], object]) -> Guard[C]:
    """The opposite of ``guard``."""

    def test(ctx: C) -> bool:
        return not guard(ctx)

    return Guard(test, f"negate({_describe(guard)})")


def always_true() -> Guard[object]:
    """A guard that always passes (a placeholder while wiring a machine)."""
    return Guard(_always_true, "always_true()")


def always_false() -> Guard[object]:
    """A guard that always refuses (to switch a transition off)."""
    return Guard(_always_false, "always_false()")


def _always_true(ctx: object) -> bool:
    return True


def _always_false(ctx: object) -> bool:
    return False


def _describe(guard: Callable[..., object]) -> str:
    if isinstance(guard, Guard):
        return guard.description
    return getattr(guard, "__qualname__", None) or repr(guard)
