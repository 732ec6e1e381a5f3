"""Binding implementations to names: guards for machines, actions for executors.

Everything here runs once, when a machine or an executor is built, so the
hot paths never ask what kind of callable they hold. One check stays on the
hot path, in :func:`guard_truth`: a guard that answers with an awaitable
(an ``async def`` that binding could not recognise) is an error, never a
"yes" (an unawaited coroutine is truthy).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from gubernator_runtime._base import lookup_callables
from gubernator_runtime.errors import ConfigurationError

#: A guard implementation: called with the context, answers with a bool.
GuardCallable = Callable[[Any], object]
#: A guard with parameters: called with the context and fixed keyword
#: arguments (``{guard: name, params: {...}}``), answers with a bool.
KeywordGuardCallable = Callable[..., object]

_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect
_CO_ASYNC_GENERATOR = 0x200  # inspect.CO_ASYNC_GENERATOR
_ASYNC_FLAGS = _CO_COROUTINE | _CO_ASYNC_GENERATOR
# Partials nest (a partial of a partial); the bound only stops a loop.
_MAX_UNWRAP = 100


def _code_is_async(function: object) -> bool:
    function = getattr(function, "__func__", function)  # bound methods
    code = getattr(function, "__code__", None)
    flags = getattr(code, "co_flags", 0)
    return isinstance(flags, int) and bool(flags & _ASYNC_FLAGS)


def is_async_callable(function: object) -> bool:
    """True when calling ``function`` gives an awaitable it was declared to give.

    Recognises ``async def`` functions and methods, ``functools.partial``
    objects around them, however deeply nested, and objects whose
    ``__call__`` is ``async def``.
    """
    for _ in range(_MAX_UNWRAP):
        if _code_is_async(function):
            return True
        if not isinstance(function, functools.partial):
            break
        function = function.func
    if isinstance(function, type):
        return False  # a class: calling it builds an instance
    # The __call__ a call would use: the first one along the class's MRO.
    for base in type(function).__mro__:
        call = base.__dict__.get("__call__")
        if call is not None:
            return _code_is_async(call)
    return False


def guard_truth(answer: object) -> bool:
    """The truth of a guard's answer that is not exactly ``True`` or ``False``.

    Generated deciders test ``answer is True`` / ``answer is False`` inline
    and call this only for anything else. An awaitable is refused with a
    ``TypeError`` (the decider turns it into a ``GuardError``); a coroutine
    is closed first so Python does not warn that it was never awaited.
    """
    if hasattr(type(answer), "__await__"):
        close = getattr(answer, "close", None)
        if callable(close):
            close()
        raise TypeError(
            f"the guard returned an awaitable ({type(answer).__name__}): guards "
            "must be plain functions returning bool, not async"
        )
    return bool(answer)


def bind_guards(
    guards: object, names: Iterable[str], machine: str
) -> dict[str, GuardCallable]:
    """Look every guard the machine uses up in ``guards``.

    Raises ``ConfigurationError`` naming every missing guard, or every guard
    that is asynchronous (its coroutine would be truthy, so the guard would
    always pass).
    """
    bound, missing = lookup_callables(guards, names)
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        noun = "guard" if len(missing) == 1 else "guards"
        raise ConfigurationError(
            f"machine {machine!r}: no implementation for {noun} {listed}",
            machine=machine,
            missing_guards=missing,
        )
    asynchronous = [name for name, guard in bound.items() if is_async_callable(guard)]
    if asynchronous:
        listed = ", ".join(repr(name) for name in asynchronous)
        raise ConfigurationError(
            f"machine {machine!r}: guards must be plain functions returning "
            f"bool, not async def: {listed}",
            machine=machine,
            async_guards=asynchronous,
        )
    return bound
