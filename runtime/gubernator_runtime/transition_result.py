"""``TransitionResult``: what ``process`` decided (docs/language.md#processing).

The value class with its serialisation (``to_dict`` and ``from_dict``, whose
checks are the small functions at the end). Its public home is
:mod:`gubernator_runtime.results`, beside the functions that build results
on the hot paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, overload

from gubernator_runtime._base import (
    EMPTY_MAPPING,
    Record,
    S,
    frozen_mapping,
    plain_str,
    to_plain,
)
from gubernator_runtime.errors import FSMError

#: An error not built yet: ``(error class, *arguments)``. Failure results of
#: ``process`` hold one instead of the error (see ``TransitionResult.error``),
#: so deciding "no" builds no exception object; a tuple is the cheapest thing
#: Python builds.
DeferredError = tuple[Any, ...]


class TransitionResult(Record, Generic[S]):
    """The outcome of processing one event; immutable.

    A success names ``target_state`` and the actions to run, in the order
    ``on_exit_actions`` → ``actions_to_execute`` → ``on_enter_actions``
    (:attr:`all_actions`). A failure has ``target_state`` ``None``, no actions
    and an ``error``. Generated machines build their success results once at
    import and return the same object on every call, so treat results as
    values: compare them with ``==``, never with ``is``.
    """

    # Pickles and reprs name the class where it is imported from, as they
    # did before it had a module of its own.
    __module__ = "gubernator_runtime.results"
    __slots__ = (
        "_actions_to_execute",
        "_all_actions",
        "_cancelled",
        "_configuration",
        "_context_updates",
        "_deadlines",
        "_error",
        "_extras",
        "_metadata",
        "_on_enter_actions",
        "_on_exit_actions",
        "_resume",
        "_source_state",
        "_success",
        "_target_state",
        "_trigger",
    )
    _error: FSMError | DeferredError | None
    # Set only on a statechart's steps that continue (API 2.5, see
    # ``success``); never on a result ``process`` returns.
    _resume: int
    _cancelled: tuple[str, ...]
    # Kept by ``results.with_updates``: the optional fields above it copies.
    _extras: tuple[tuple[str, Any], ...]
    _fields = (
        "success",
        "source_state",
        "target_state",
        "trigger",
        "actions_to_execute",
        "on_exit_actions",
        "on_enter_actions",
        "error",
        "metadata",
        "context_updates",
        "configuration",
    )
    _hash_fields = (
        "success",
        "source_state",
        "target_state",
        "trigger",
        "actions_to_execute",
        "on_exit_actions",
        "on_enter_actions",
    )

    def __init__(
        self,
        success: bool,
        source_state: S,
        target_state: S | None,
        trigger: str,
        actions_to_execute: Iterable[str] = (),
        on_exit_actions: Iterable[str] = (),
        on_enter_actions: Iterable[str] = (),
        error: FSMError | DeferredError | None = None,
        metadata: Mapping[str, Any] | None = None,
        context_updates: Mapping[str, Any] | None = None,
        configuration: str | None = None,
        deadlines: Mapping[str, float] | None = None,
    ) -> None:
        self._success = bool(success)
        if configuration is not None:
            self._configuration = configuration
        if deadlines:
            self._deadlines = frozen_mapping(deadlines)
        self._source_state = source_state
        self._target_state = target_state
        self._trigger = trigger
        self._actions_to_execute = tuple(actions_to_execute)
        self._on_exit_actions = tuple(on_exit_actions)
        self._on_enter_actions = tuple(on_enter_actions)
        self._error = error
        self._metadata = frozen_mapping(metadata)
        self._context_updates = frozen_mapping(context_updates)
        self._all_actions: tuple[str, ...] | None = None

    @property
    def success(self) -> bool:
        """True when a transition (or a non-strict no-op) was decided."""
        return self._success

    @property
    def source_state(self) -> S:
        """The state the event was processed in.

        ``None`` only in the result of ``machine.start()``, which creates an
        entity from no state; typed as the state so that the results of
        ``process`` need no check.
        """
        return self._source_state

    @property
    def target_state(self) -> S | None:
        """The state to move to; ``None`` on failure."""
        return self._target_state

    @property
    def configuration(self) -> str | None:
        """The configuration to store, for a machine with history or
        parallel states (API 2.3): a ``Configuration``, whose text is the
        value to store; ``target_state`` is then its first active atomic
        state in document order. ``None`` for other machines, and when
        nothing changes (a failure, a non-strict no-op)."""
        # Left unset by every result that has none: the hot paths that
        # build results need not know the field.
        return getattr(self, "_configuration", None)

    @property
    def deadlines(self) -> Mapping[str, float]:
        """The ``after:`` deadlines the step starts (API 2.4): each state it
        entered that has ``after:`` entries, with the seconds from now until
        its earliest entry is due. Store the entry time of each of these
        states (a state already stored is re-entered: replace its time) and
        pass them to ``check_timeout``. Empty for every other result."""
        # Left unset like ``_configuration``: flat results never carry it.
        return getattr(self, "_deadlines", EMPTY_MAPPING)

    @property
    def trigger(self) -> str:
        """The trigger processed (``"_timeout"`` for timeouts)."""
        return self._trigger

    @property
    def actions_to_execute(self) -> tuple[str, ...]:
        """The transition's own actions."""
        return self._actions_to_execute

    @property
    def on_exit_actions(self) -> tuple[str, ...]:
        """The source state's ``on_exit`` actions."""
        return self._on_exit_actions

    @property
    def on_enter_actions(self) -> tuple[str, ...]:
        """The target state's ``on_enter`` actions."""
        return self._on_enter_actions

    @property
    def error(self) -> FSMError | None:
        """Why the event was refused; ``None`` on success.

        ``process`` defers building the error of its failure results until
        it is read (errors are costly to build and most callers only test
        ``success``); each read of a deferred error builds a new, equal
        error, so raising it never shares a traceback between callers.
        """
        error = self._error
        if error.__class__ is tuple:
            factory, *args = error
            return factory(*args)  # type: ignore[no-any-return]
        return error  # type: ignore[return-value]

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only facts about the decision (see docs/language.md#processing for the
        keys)."""
        return self._metadata

    @property
    def context_updates(self) -> Mapping[str, object]:
        """The context fields the transition's ``assign`` sets, and their values.

        Computed from the context given to ``process`` once the guards
        passed; empty for every other result. The machine stores nothing:
        the application saves them with the new state, in one transaction.
        """
        return self._context_updates

    @property
    def all_actions(self) -> tuple[str, ...]:
        """Exit, transition and enter actions, in execution order."""
        # Kept once computed: prebuilt results are executed again and again.
        all_actions = self._all_actions
        if all_actions is None:
            all_actions = self._all_actions = (
                self._on_exit_actions
                + self._actions_to_execute
                + self._on_enter_actions
            )
        return all_actions

    @property
    def state_changed(self) -> bool:
        """True for a success whose target differs from its source."""
        return (
            self._success
            and self._target_state is not None
            and self._target_state != self._source_state
        )

    @property
    def is_self_transition(self) -> bool:
        """True for a transition that fires and returns to its source state.

        A non-strict no-op (``metadata["no_op"]``) stays put without firing
        anything, so it is not a self-transition.
        """
        return (
            self._success
            and self._target_state == self._source_state
            and not self._metadata.get("no_op", False)
        )

    def _values(self) -> tuple[object, ...]:
        # Exceptions compare by identity, except FSMError which compares by
        # value; a deserialised result therefore equals the original.
        return (
            self._success,
            self._source_state,
            self._target_state,
            self._trigger,
            self._actions_to_execute,
            self._on_exit_actions,
            self._on_enter_actions,
            self.error,
            self._metadata,
            self._context_updates,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; states and triggers as plain strings."""
        source, target = self._source_state, self._target_state
        return {
            "success": self._success,
            # None only for a start() result: there was no state before.
            "source_state": None if source is None else plain_str(source),
            "target_state": None if target is None else plain_str(target),
            "trigger": plain_str(self._trigger),
            "actions_to_execute": list(self._actions_to_execute),
            "on_exit_actions": list(self._on_exit_actions),
            "on_enter_actions": list(self._on_enter_actions),
            "error": None if self._error is None else self.error.to_dict(),  # type: ignore[union-attr]
            "metadata": to_plain(self._metadata),
            "context_updates": to_plain(self._context_updates),
            **(
                {}
                if self.configuration is None
                else {"configuration": str.__str__(self.configuration)}
            ),
            **({"deadlines": dict(self.deadlines)} if self.deadlines else {}),
        }

    @overload
    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], state_type: None = None
    ) -> TransitionResult[str]: ...

    @overload
    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], state_type: type[S]
    ) -> TransitionResult[S]: ...

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], state_type: type[Any] | None = None
    ) -> TransitionResult[Any]:
        """Rebuild a result from :meth:`to_dict` output.

        With ``state_type`` (the machine's ``State`` enum) the states come
        back as its members; without it they stay strings. Malformed data is
        a ``ValueError``.
        """
        if not isinstance(data, Mapping):
            raise ValueError(
                f"result data must be a mapping, not {type(data).__name__}"
            )
        success = _field(data, "success", bool)
        source = _field(data, "source_state", str, optional=True)
        target = _field(data, "target_state", str, optional=True)
        trigger = _field(data, "trigger", str)
        error_data = data.get("error")
        error = None if error_data is None else FSMError.from_dict(error_data)
        metadata = data.get("metadata") or {}
        if not isinstance(metadata, Mapping):
            raise ValueError("result 'metadata' must be a mapping")
        updates = data.get("context_updates") or {}
        if not isinstance(updates, Mapping):
            raise ValueError("result 'context_updates' must be a mapping")
        configuration = _field(data, "configuration", str, optional=True)
        if configuration is not None:
            from gubernator_runtime.configuration import Configuration

            configuration = Configuration.parse(configuration)
        deadlines = _deadlines(data)
        if state_type is not None:
            source = None if source is None else _to_state(state_type, source)
            target = None if target is None else _to_state(state_type, target)
        return cls(
            success,
            source,
            target,
            trigger,
            _names(data, "actions_to_execute"),
            _names(data, "on_exit_actions"),
            _names(data, "on_enter_actions"),
            error,
            metadata,
            updates,
            configuration,
            deadlines,
        )


def _field(
    data: Mapping[str, Any], key: str, kind: type[Any], optional: bool = False
) -> Any:
    if key not in data:
        if optional:
            return None
        raise ValueError(f"result data is missing {key!r}")
    value = data[key]
    if value is None and optional:
        return None
    if not isinstance(value, kind):
        raise ValueError(
            f"result {key!r} must be {kind.__name__}, not {type(value).__name__}"
        )
    return value


def _deadlines(data: Mapping[str, Any]) -> dict[str, float] | None:
    value = data.get("deadlines")
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
        for k, v in value.items()
    ):
        raise ValueError("result 'deadlines' must map state names to seconds")
    return dict(value)


def _names(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, ())
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"result {key!r} must be a list of action names")
    if not all(isinstance(name, str) for name in value):
        raise ValueError(f"result {key!r} must contain only strings")
    return tuple(value)


def _to_state(state_type: type[Any], name: str) -> Any:
    try:
        return state_type(name)
    except ValueError:
        raise ValueError(f"{name!r} is not a {state_type.__name__}") from None
