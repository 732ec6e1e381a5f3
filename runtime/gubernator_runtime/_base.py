"""Building blocks shared by the runtime's modules.

Nothing here is public API; the names are re-exported where they are (for
example :func:`to_plain` from :mod:`gubernator_runtime.serialization`).

The value classes of the runtime are hand-written slotted classes rather than
dataclasses: ``dataclasses`` pulls in ``inspect`` (and with it ``ast``,
``dis`` and ``tokenize``), which alone would spend most of the runtime's
import-time budget (README.md#performance: under 20 ms).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

#: A machine's ``State`` enum (any ``str`` subclass works).
S = TypeVar("S", bound=str)
#: A machine's ``Trigger`` enum.
T = TypeVar("T", bound=str)
#: A machine's context type (a ``TypedDict`` or ``Mapping[str, Any]``).
C = TypeVar("C")

#: The shared read-only empty mapping (default metadata, empty context).
EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


def plain_str(value: str) -> str:
    """``value`` as an exact ``str``: a ``str`` enum member becomes its value.

    ``str(member)`` of a ``(str, Enum)`` member gives ``"State.PAID"`` on
    Python 3.11+, so the ``str`` slot is read directly instead.
    """
    return value if type(value) is str else str.__str__(value)


def describe(value: object) -> str:
    """A short text for messages: plain strings unquoted, anything else repr'd."""
    return plain_str(value) if isinstance(value, str) else repr(value)


def names_tuple(value: str | Any) -> tuple[str, ...]:
    """Normalise an action or guard list: one name, or an iterable of names."""
    if value.__class__ is tuple:  # what generated modules pass: no copy
        return value
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only view of ``value``; an existing ``MappingProxyType`` is reused.

    The copy protects immutable objects from later changes to a dict the
    caller keeps.
    """
    if value is None or not value:
        return EMPTY_MAPPING
    if type(value) is MappingProxyType:
        return value
    return MappingProxyType(dict(value))


#: How deeply :func:`to_plain` follows nested containers (and objects with
#: ``to_dict``) before it refuses the data with a ``ValueError``.
MAX_NESTING = 100


def to_plain(value: object) -> Any:
    """Convert ``value`` to JSON-ready data (``json.dumps`` accepts the result).

    Handled: ``None``, ``bool``, ``int``, ``float``, ``str`` (``str`` enum
    members become their value), other enums (their value), mappings (keys
    must be strings; they become ``dict``), lists, tuples, sets and frozensets
    (lists; sets sorted when their items allow it), ``datetime``/``date``/
    ``time`` (ISO 8601), ``timedelta`` (seconds as float), ``Decimal`` and
    ``UUID`` (``str``), and any object with a ``to_dict()`` method (the
    runtime's results, events and errors). Anything else is a ``TypeError``:
    a serialiser that silently invented a representation would make audit
    logs impossible to read back.

    Data nested more than :data:`MAX_NESTING` levels deep, and a container that
    contains itself, are a ``ValueError`` (never a ``RecursionError``).
    """
    if value is None or value.__class__ in _JSON_SCALARS:
        return value
    try:
        return _plain(value, 0, set())
    except RecursionError:
        # Only reachable through to_dict() methods that serialise their own
        # parts with a fresh to_plain (an event whose payload holds it).
        raise ValueError(
            "cannot serialise: the data is nested too deeply or contains itself"
        ) from None


def _plain(value: object, depth: int, active: set[int]) -> Any:
    """:func:`to_plain` at ``depth``; ``active``: the containers being converted."""
    if value is None or value.__class__ in _JSON_SCALARS:
        return value
    if isinstance(value, str):
        return plain_str(value)
    if isinstance(value, int):  # IntEnum/IntFlag members and other subclasses
        return int(value)
    if isinstance(value, float):
        return float(value)
    if not isinstance(value, _CONTAINERS) and not callable(
        getattr(value, "to_dict", None)
    ):
        converted = _convert_stdlib_value(value)
        if converted is _UNSUPPORTED:
            raise TypeError(f"cannot serialise {type(value).__name__} value {value!r}")
        return _plain(converted, depth, active)
    if depth >= MAX_NESTING:
        raise ValueError(
            f"cannot serialise data nested more than {MAX_NESTING} levels deep"
        )
    identity = id(value)
    if identity in active:
        raise ValueError(
            f"cannot serialise a {type(value).__name__} that contains itself"
        )
    active.add(identity)
    try:
        return _plain_container(value, depth + 1, active)
    finally:
        active.discard(identity)


def _plain_container(value: object, depth: int, active: set[int]) -> Any:
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"cannot serialise mapping key {key!r}: keys must be strings"
                )
            plain[plain_str(key)] = _plain(item, depth, active)
        return plain
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth, active) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [_plain(item, depth, active) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return items  # mixed types: keep iteration order rather than fail
    # Only objects with a to_dict() method get here (see _plain).
    to_dict: Callable[[], object] = getattr(value, "to_dict")  # noqa: B009
    return _plain(to_dict(), depth, active)


_UNSUPPORTED = object()
_JSON_SCALARS = (bool, int, float, str)
_CONTAINERS = (Mapping, list, tuple, set, frozenset)


def _convert_stdlib_value(value: object) -> Any:
    # A value can only be a datetime, Decimal, UUID or Enum if its module is
    # already imported, so looking in sys.modules avoids importing any of them.
    modules = sys.modules
    datetime_module = modules.get("datetime")
    if datetime_module is not None:
        if isinstance(value, datetime_module.timedelta):
            return value.total_seconds()
        if isinstance(
            value, (datetime_module.date, datetime_module.time)
        ):  # datetime is a date
            return value.isoformat()
    decimal_module = modules.get("decimal")
    if decimal_module is not None and isinstance(value, decimal_module.Decimal):
        return str(value)
    uuid_module = modules.get("uuid")
    if uuid_module is not None and isinstance(value, uuid_module.UUID):
        return str(value)
    enum_module = modules.get("enum")
    if enum_module is not None and isinstance(value, enum_module.Enum):
        return value.value
    return _UNSUPPORTED


#: The largest ``retry_attempts`` (of an ``error_policy`` or an executor).
#: Retries are immediate, so a larger count only repeats a failure faster
#: than anything it depends on can recover.
MAX_RETRY_ATTEMPTS = 100


def checked_retry_attempts(value: object) -> int:
    """``value`` if it is a valid retry count (an ``int`` from 0 to the maximum).

    Anything else raises: ``TypeError`` for a non-``int`` (``bool`` included),
    ``ValueError`` outside ``0 … MAX_RETRY_ATTEMPTS``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"retry_attempts must be an int, not {type(value).__name__}")
    if not 0 <= value <= MAX_RETRY_ATTEMPTS:
        raise ValueError(
            f"retry_attempts must be from 0 to {MAX_RETRY_ATTEMPTS}, not {value}"
        )
    return value


def describe_exception(error: BaseException) -> dict[str, str]:
    """``{"type", "message"}`` of ``error``, JSON-ready, whatever its ``__str__`` does.

    An exception whose ``str()`` raises (or returns something that is not a
    string) gets a placeholder message naming what went wrong, so that
    reporting a failure never fails in turn.
    """
    name = type(error).__name__
    try:
        message = str(error)
    except Exception as problem:  # the placeholder is the point
        message = f"<unprintable {name}: str() raised {type(problem).__name__}>"
    return {"type": name, "message": message}


def lookup_callables(
    source: object, names: Iterable[str]
) -> tuple[dict[str, Callable[[Any], object]], list[str]]:
    """Find ``names`` in ``source``: a mapping, or an object with attributes.

    Returns the callables found by name and, in order, the names that are
    missing or not callable. Used to bind guards and actions.
    """
    found: dict[str, Callable[[Any], object]] = {}
    missing: list[str] = []
    for name in dict.fromkeys(names):
        if isinstance(source, Mapping):
            implementation = source.get(name)
        else:
            implementation = getattr(source, name, None)
        if callable(implementation):
            found[name] = implementation
        else:
            missing.append(name)
    return found, missing


class Record:
    """Base of the runtime's immutable value classes.

    Subclasses keep their data in private slots, expose it through read-only
    properties and list the public field names in ``_fields`` (constructor
    order), from which equality and ``repr`` are derived. ``_hash_fields``
    names the fields that take part in the hash: mappings are unhashable, so
    they are left out (equal objects still hash equal).
    """

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _hash_fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(
            (self.__class__.__name__, *(getattr(self, n) for n in self._hash_fields))
        )

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Constructors take the fields in ``_fields`` order. Read-only
        # mappings cannot be pickled, so they travel as dicts and the
        # constructor freezes them again.
        values = tuple(
            dict(value) if type(value) is MappingProxyType else value
            for value in self._values()
        )
        return (self.__class__, values)
