"""The runtime's error hierarchy (docs/runtime.md#errors).

Every error carries its facts in ``context`` (plain strings, numbers and
lists, so it is JSON-ready) besides the human-readable ``message``, and
``to_dict()``/``FSMError.from_dict()`` round-trip it. The module is the
whole catalogue in one place, past 400 lines on purpose: an application
reads it to learn what ``process`` and the executor can raise::

    FSMError
    ├── InvalidTransitionError          no transition for this state and trigger
    │   ├── GuardRejectedError          candidates exist, every one was refused
    │   ├── UndefinedTriggerError       the trigger appears nowhere in the machine
    │   └── TerminalStateError          the current state is terminal
    ├── UndefinedStateError             not a state of the machine
    │   ├── CompoundStateError          a compound state, where an atomic one is stored
    │   └── UnknownConfigurationError   not one of a machine's configurations
    ├── GuardError                      a guard raised (chained to its exception)
    ├── AssignError                     an assign expression raised (chained)
    ├── EndlessMacrostepError           eventless or done.state steps never settle
    ├── ConfigurationError              bad binding or definition
    │   └── ActionNotFoundError         actions without an implementation
    └── TimeoutExpiredError             a state's timeout has passed

Failure results of ``process`` carry the first four; the others are raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from gubernator_runtime._base import describe, describe_exception, plain_str, to_plain


class FSMError(Exception):
    """Base of every error of the runtime.

    ``message`` is the text shown to people, ``context`` the structured facts
    (for logs and audit trails). Errors compare equal when their type,
    message and context are equal, so a deserialised error equals the
    original.
    """

    _types: ClassVar[dict[str, type[FSMError]]] = {}

    message: str
    context: dict[str, Any]

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context
        self._type_name = type(self).__name__

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # First registration wins so an application class that happens to
        # reuse a runtime name cannot hijack deserialisation of the original.
        FSMError._types.setdefault(cls.__name__, cls)

    @property
    def type_name(self) -> str:
        """The error's type name as serialised (kept for unknown types)."""
        return self._type_name

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{self._type_name}({self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FSMError):
            return NotImplemented
        return (
            self._type_name == other._type_name
            and self.message == other.message
            and self.context == other.context
        )

    def __hash__(self) -> int:
        return hash((self._type_name, self.message))

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclass constructors take their facts, not the message, so the
        # default (cls, args) pickling would rebuild them wrongly.
        return (_rebuild, (type(self), self._type_name, self.message, self.context))

    def to_dict(self) -> dict[str, Any]:
        """``{"type", "message", "context"}``, JSON-ready."""
        return {
            "type": self._type_name,
            "message": self.message,
            "context": to_plain(self.context),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FSMError:
        """Rebuild an error from :meth:`to_dict` output.

        The class is looked up by name among ``FSMError`` subclasses (the
        runtime's and any the application defined); an unknown name gives a
        plain ``FSMError`` that still reports the original type name. Calling
        this on a subclass additionally requires the result to be an instance
        of it. Malformed data is a ``ValueError``.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"error data must be a mapping, not {type(data).__name__}")
        type_name = data.get("type")
        message = data.get("message")
        context = data.get("context", {})
        if not isinstance(type_name, str) or not isinstance(message, str):
            raise ValueError("error data needs string 'type' and 'message'")
        if not isinstance(context, Mapping):
            raise ValueError("error 'context' must be a mapping")
        error_type = FSMError._types.get(type_name, FSMError)
        if not issubclass(error_type, cls):
            raise ValueError(f"{type_name} is not a {cls.__name__}")
        return _rebuild(error_type, type_name, message, dict(context))


def _rebuild(
    error_type: type[FSMError], type_name: str, message: str, context: dict[str, Any]
) -> FSMError:
    """Create an error from its parts without calling the subclass constructor."""
    error = error_type.__new__(error_type)
    Exception.__init__(error, message)
    error.message = message
    error.context = context
    error._type_name = type_name
    return error


class _Processing:
    """The ``state`` and ``trigger`` of an error about one step of ``process``
    (a plain mixin, so it is no error type of its own)."""

    context: dict[str, Any]

    @property
    def state(self) -> str:
        """The state the step was decided in."""
        return str(self.context.get("state", ""))

    @property
    def trigger(self) -> str:
        """The trigger of the step."""
        return str(self.context.get("trigger", ""))


class InvalidTransitionError(_Processing, FSMError):
    """No transition leaves ``state`` on ``trigger``."""

    def __init__(
        self, state: str, trigger: str, message: str | None = None, **context: Any
    ) -> None:
        state_text, trigger_text = plain_str(state), plain_str(trigger)
        if message is None:
            message = (
                f"no transition from state {state_text!r} on trigger {trigger_text!r}"
            )
        super().__init__(message, state=state_text, trigger=trigger_text, **context)


class GuardRejectedError(InvalidTransitionError):
    """Candidate transitions exist but a guard refused each of them.

    ``guard`` names the refusing guard of the last candidate
    (docs/language.md#processing).
    """

    def __init__(self, state: str, trigger: str, guard: str) -> None:
        state_text, trigger_text = plain_str(state), plain_str(trigger)
        super().__init__(
            state,
            trigger,
            f"guard {guard!r} rejected trigger {trigger_text!r} from state "
            f"{state_text!r}",
            guard=guard,
        )

    @property
    def guard(self) -> str:
        """The guard that refused the last candidate transition."""
        return str(self.context.get("guard", ""))


class UndefinedTriggerError(InvalidTransitionError):
    """The trigger appears in no transition of the machine (strict mode)."""

    def __init__(self, state: str, trigger: str, machine: str = "") -> None:
        trigger_text = plain_str(trigger)
        where = f"machine {machine!r}" if machine else "the machine"
        super().__init__(
            state,
            trigger,
            f"trigger {trigger_text!r} is not defined in {where}",
            machine=machine,
        )


class TerminalStateError(InvalidTransitionError):
    """The current state is terminal: nothing leaves it."""

    def __init__(self, state: str, trigger: str) -> None:
        state_text, trigger_text = plain_str(state), plain_str(trigger)
        super().__init__(
            state,
            trigger,
            f"state {state_text!r} is terminal; trigger {trigger_text!r} "
            "cannot leave it",
        )


class UndefinedStateError(FSMError):
    """A value that is not a state of the machine was used as one."""

    def __init__(self, state: object, machine: str = "") -> None:
        state_text = describe(state)
        where = f"machine {machine!r}" if machine else "the machine"
        super().__init__(
            f"{state_text!r} is not a state of {where}",
            state=state_text,
            machine=machine,
        )

    @property
    def state(self) -> str:
        """The offending value (its ``repr`` when it was not a string)."""
        return str(self.context.get("state", ""))


class CompoundStateError(UndefinedStateError):
    """A compound state was given where the machine needs the atomic state
    the application stores (API 2.3): ``process`` and ``check_timeout`` take
    the atomic (leaf) state a result's ``target_state`` named."""

    def __init__(
        self, state: object, machine: str = "", leaves: Iterable[object] = ()
    ) -> None:
        state_text = describe(state)
        where = f"machine {machine!r}" if machine else "the machine"
        leaf_texts = [describe(leaf) for leaf in leaves]
        hint = f" (one of {', '.join(leaf_texts)})" if leaf_texts else ""
        FSMError.__init__(
            self,
            f"{state_text!r} is a compound state of {where}: store and pass the "
            f"atomic state a result's target_state names{hint}",
            state=state_text,
            machine=machine,
            leaves=leaf_texts,
        )


class UnknownConfigurationError(UndefinedStateError):
    """A machine with history or parallel states is processed on a
    ``Configuration`` (API 2.3): the value given is not one of its
    configurations (a state, or text it never rests in)."""

    def __init__(
        self, value: object, machine: str = "", is_state: bool = False
    ) -> None:
        text = describe(value)
        where = f"machine {machine!r}" if machine else "the machine"
        problem = (
            f"is a state, but {where} is processed on configurations: pass "
            "the configuration a result's configuration names"
            if is_state
            else f"is not a configuration {where} can be in"
        )
        FSMError.__init__(self, f"{text!r} {problem}", state=text, machine=machine)


def _cause_parts(cause: BaseException | None) -> tuple[str, str, str]:
    """The cause's type and message (empty without one), and how a message
    says what happened: ``raised T: message``, or ``failed``."""
    if cause is None:
        return "", "", "failed"
    described = describe_exception(cause)
    cause_type, cause_message = described["type"], described["message"]
    return cause_type, cause_message, f"raised {cause_type}: {cause_message}"


class GuardError(_Processing, FSMError):
    """A guard raised instead of answering; raised chained to that exception."""

    def __init__(
        self,
        guard: str,
        state: str,
        trigger: str,
        cause: BaseException | None = None,
    ) -> None:
        state_text, trigger_text = plain_str(state), plain_str(trigger)
        cause_type, cause_message, what = _cause_parts(cause)
        super().__init__(
            f"guard {guard!r} {what} (state {state_text!r}, trigger {trigger_text!r})",
            guard=guard,
            state=state_text,
            trigger=trigger_text,
            cause_type=cause_type,
            cause_message=cause_message,
        )

    @property
    def guard(self) -> str:
        """The guard that raised."""
        return str(self.context.get("guard", ""))


class AssignError(_Processing, FSMError):
    """Computing a transition's ``assign`` updates raised; chained to the exception.

    Raised by ``process`` once the guards passed, instead of a result whose
    ``context_updates`` would be incomplete (an expression reading a field
    the context lacks, a division by zero).
    """

    def __init__(
        self, state: str, trigger: str, cause: BaseException | None = None
    ) -> None:
        state_text, trigger_text = plain_str(state), plain_str(trigger)
        cause_type, cause_message, what = _cause_parts(cause)
        super().__init__(
            f"assign of trigger {trigger_text!r} from state {state_text!r} {what}",
            state=state_text,
            trigger=trigger_text,
            cause_type=cause_type,
            cause_message=cause_message,
        )


class EndlessMacrostepError(_Processing, FSMError):
    """One call of a statechart whose eventless or ``done.state``
    transitions never settle: with guards that are pure functions of the
    context, the macrostep would go on for ever (API 2.5).

    A tabled module raises it when a call visits more than ``bound``
    resume cells (``bound`` 0: the ``done.state`` events themselves pile up
    without end); a factored one (API 2.6) when a macrostep comes back to a
    configuration it was already in, or its internal events pile up
    (:meth:`looping`, whose context names the machine instead).
    """

    def __init__(self, state: str | None, trigger: str, bound: int) -> None:
        # ``state`` is None for the start (an entity created from no state).
        state_text = "" if state is None else plain_str(state)
        trigger_text = plain_str(trigger)
        what = (
            f"visited more than {bound} guarded eventless decisions"
            if bound
            else "raised done.state events without end"
        )
        where = f"from state {state_text!r}" if state_text else "at the start"
        super().__init__(
            f"trigger {trigger_text!r} {where} {what}: eventless or "
            "done.state transitions loop while their guards stay true",
            state=state_text,
            trigger=trigger_text,
            bound=bound,
        )

    @classmethod
    def looping(cls, machine: str, where: str) -> EndlessMacrostepError:
        """The factored mode's error: the macrostep of ``machine`` never
        ends, as ``where`` says (the configuration it came back to, or the
        internal events piling up)."""
        error = cls.__new__(cls)
        FSMError.__init__(
            error,
            f"machine {machine!r}: the macrostep never ends ({where}); an "
            "eventless or done.state transition on the loop needs another "
            "guard or target",
            machine=machine,
        )
        return error


class ConfigurationError(FSMError):
    """The machine, its definition or its guard/action binding is unusable."""


class ActionNotFoundError(ConfigurationError):
    """Actions that a result or spec needs have no implementation."""

    def __init__(self, actions: Iterable[str], message: str | None = None) -> None:
        names = [plain_str(name) for name in actions]
        if message is None:
            listed = ", ".join(repr(name) for name in names)
            noun = "action" if len(names) == 1 else "actions"
            message = f"no implementation for {noun} {listed}"
        super().__init__(message, actions=names)

    @property
    def actions(self) -> tuple[str, ...]:
        """Every missing action name, in the order they are needed."""
        return tuple(self.context.get("actions", ()))


class TimeoutExpiredError(FSMError):
    """A state's timeout has passed (see ``TimeoutInfo.raise_if_expired``)."""

    def __init__(
        self,
        state: str,
        seconds: float,
        destination: str,
        expires_at: str = "",
    ) -> None:
        state_text = plain_str(state)
        super().__init__(
            f"state {state_text!r} timed out after {seconds:g} s"
            + (f" (at {expires_at})" if expires_at else ""),
            state=state_text,
            seconds=seconds,
            destination=plain_str(destination),
            expires_at=expires_at,
        )

    @property
    def state(self) -> str:
        """The state whose timeout expired."""
        return str(self.context.get("state", ""))

    @property
    def destination(self) -> str:
        """The state the timeout leads to."""
        return str(self.context.get("destination", ""))
