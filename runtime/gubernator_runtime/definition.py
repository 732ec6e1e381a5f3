"""The data a generated module hands to the runtime: ``MachineDefinition``.

A generated module describes its machine with one ``MachineDefinition``
literal and decides with its decision table (see
docs/architecture.md#the-runtime-contract). These classes only
hold data: what the machine's queries (``get_state``,
``available_transitions``, timeouts, the executor's fallback) answer from.
Action and guard lists may be given as one name or any iterable of names;
they are stored as tuples. Metadata may be any mapping; it is stored
read-only. The module is long because each of its frozen classes validates
and normalises its fields for hand-written definitions too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Generic

from gubernator_runtime._base import (
    Record,
    S,
    T,
    checked_retry_attempts,
    frozen_mapping,
    names_tuple,
)


class StateType(str, enum.Enum):
    """The ``type`` of a state (docs/language.md#states)."""

    INITIAL = "initial"
    STABLE = "stable"
    TERMINAL = "terminal"
    ERROR = "error"


class StateTimeout(Record):
    """After ``seconds`` in a state, the machine proposes ``destination``."""

    __slots__ = ("_destination", "_seconds")
    _fields = ("seconds", "destination")
    _hash_fields = _fields

    def __init__(self, seconds: float, destination: str) -> None:
        if isinstance(seconds, bool) or not seconds > 0:
            raise ValueError(f"timeout seconds must be > 0, not {seconds!r}")
        self._seconds = seconds
        self._destination = destination

    @property
    def seconds(self) -> float:
        """The timeout's length in seconds (> 0)."""
        return self._seconds

    @property
    def destination(self) -> str:
        """The state the timeout leads to."""
        return self._destination


class StateInfo(Record):
    """One state of a machine, as returned by ``machine.get_state(name)``."""

    __slots__ = (
        "_description",
        "_metadata",
        "_name",
        "_on_enter",
        "_on_exit",
        "_timeout",
        "_type",
    )
    _fields = (
        "name",
        "type",
        "description",
        "on_enter",
        "on_exit",
        "timeout",
        "metadata",
    )
    _hash_fields = ("name", "type")

    def __init__(
        self,
        name: str,
        type: StateType | str = StateType.STABLE,
        description: str = "",
        on_enter: Iterable[str] | str = (),
        on_exit: Iterable[str] | str = (),
        timeout: StateTimeout | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self._name = name
        self._type = StateType(type)
        self._description = description
        self._on_enter = names_tuple(on_enter)
        self._on_exit = names_tuple(on_exit)
        self._timeout = timeout
        self._metadata = frozen_mapping(metadata)

    @property
    def name(self) -> str:
        """The state's name (a ``State`` member in generated modules)."""
        return self._name

    @property
    def type(self) -> StateType:
        """initial, stable, terminal or error."""
        return self._type

    @property
    def description(self) -> str:
        """Free text from the spec."""
        return self._description

    @property
    def on_enter(self) -> tuple[str, ...]:
        """Actions run when the state is entered."""
        return self._on_enter

    @property
    def on_exit(self) -> tuple[str, ...]:
        """Actions run when the state is left."""
        return self._on_exit

    @property
    def timeout(self) -> StateTimeout | None:
        """The state's timeout, if any."""
        return self._timeout

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only user data from the spec."""
        return self._metadata

    @property
    def is_initial(self) -> bool:
        """True for the machine's initial state."""
        return self._type is StateType.INITIAL

    @property
    def is_terminal(self) -> bool:
        """True for a terminal state (nothing leaves it)."""
        return self._type is StateType.TERMINAL

    @property
    def is_error(self) -> bool:
        """True for a state marked as a failure state."""
        return self._type is StateType.ERROR


class TransitionInfo(Record):
    """One transition; ``index`` is its position in the spec's list."""

    __slots__ = (
        "_actions",
        "_description",
        "_dest",
        "_guards",
        "_index",
        "_metadata",
        "_sources",
        "_trigger",
    )
    _fields = (
        "index",
        "trigger",
        "sources",
        "dest",
        "guards",
        "actions",
        "description",
        "metadata",
    )
    _hash_fields = ("index", "trigger", "sources", "dest")

    def __init__(
        self,
        index: int,
        trigger: str,
        sources: Iterable[str] | str,
        dest: str,
        guards: Iterable[str] | str = (),
        actions: Iterable[str] | str = (),
        description: str = "",
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self._index = index
        self._trigger = trigger
        self._sources = names_tuple(sources)
        self._dest = dest
        self._guards = names_tuple(guards)
        self._actions = names_tuple(actions)
        self._description = description
        self._metadata = frozen_mapping(metadata)

    @property
    def index(self) -> int:
        """Position in the spec's transition list."""
        return self._index

    @property
    def trigger(self) -> str:
        """The trigger that fires it."""
        return self._trigger

    @property
    def sources(self) -> tuple[str, ...]:
        """The states it leaves from."""
        return self._sources

    @property
    def dest(self) -> str:
        """The state it leads to."""
        return self._dest

    @property
    def guards(self) -> tuple[str, ...]:
        """Guards that must all pass, in order."""
        return self._guards

    @property
    def actions(self) -> tuple[str, ...]:
        """The transition's own actions."""
        return self._actions

    @property
    def description(self) -> str:
        """Free text from the spec."""
        return self._description

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only user data from the spec."""
        return self._metadata


class ErrorPolicy(Record):
    """What the action executor does when actions fail (docs/language.md#error_policy).

    ``retry_attempts`` is an ``int`` from 0 to ``MAX_RETRY_ATTEMPTS`` (100);
    anything else is a ``ValueError``.
    """

    __slots__ = ("_default_fallback", "_retry_attempts")
    _fields = ("default_fallback", "retry_attempts")
    _hash_fields = _fields

    def __init__(
        self, default_fallback: str | None = None, retry_attempts: int = 0
    ) -> None:
        try:
            checked_retry_attempts(retry_attempts)
        except TypeError as exc:  # a definition's data is wrong: ValueError
            raise ValueError(str(exc)) from None
        self._default_fallback = default_fallback
        self._retry_attempts = retry_attempts

    @property
    def default_fallback(self) -> str | None:
        """The state proposed when actions still fail after retries."""
        return self._default_fallback

    @property
    def retry_attempts(self) -> int:
        """Extra attempts for a failing action."""
        return self._retry_attempts


#: For each state, the indices of the transitions that leave it, spec order.
Leaving = Mapping[Any, tuple[int, ...]]


class MachineDefinition(Record, Generic[S, T]):
    """Everything a machine is, as data.

    ``leaving`` maps each state to the indices (into ``transitions``) of the
    transitions that may leave it, in spec order, as the generator decided
    (``available_transitions`` answers from it); a state it leaves out has
    none. Deciding is not the definition's job: the generated decision table
    does that (see :mod:`gubernator_runtime.cells`).

    ``parents`` (API 2.3) maps each state nested in a compound state to that
    state; top-level states are left out, so a flat machine has none. A
    state that is some state's parent is compound: the application never
    stores it (see :class:`gubernator_runtime.StateTree`).
    """

    __slots__ = (
        "_description",
        "_error_policy",
        "_initial_state",
        "_leaving",
        "_name",
        "_parents",
        "_spec_sha256",
        "_state_type",
        "_states",
        "_strict_mode",
        "_transitions",
        "_trigger_type",
        "_version",
    )
    _fields = (
        "name",
        "version",
        "strict_mode",
        "description",
        "state_type",
        "trigger_type",
        "initial_state",
        "states",
        "transitions",
        "leaving",
        "error_policy",
        "spec_sha256",
        "parents",
    )
    _hash_fields = ("name", "version", "spec_sha256")

    def __init__(
        self,
        name: str,
        version: str,
        strict_mode: bool,
        description: str,
        state_type: type[S],
        trigger_type: type[T],
        initial_state: S,
        states: Iterable[StateInfo],
        transitions: Iterable[TransitionInfo],
        leaving: Leaving | None = None,
        error_policy: ErrorPolicy | None = None,
        spec_sha256: str = "",
        parents: Mapping[Any, Any] | None = None,
    ) -> None:
        self._name = name
        self._version = version
        self._strict_mode = bool(strict_mode)
        self._description = description
        self._state_type = state_type
        self._trigger_type = trigger_type
        self._initial_state = initial_state
        self._states = tuple(states)
        self._transitions = tuple(transitions)
        self._leaving = frozen_mapping(leaving)
        self._error_policy = ErrorPolicy() if error_policy is None else error_policy
        self._spec_sha256 = spec_sha256
        self._parents = frozen_mapping(parents)

    @property
    def name(self) -> str:
        """The machine's name (``meta.machine_name``)."""
        return self._name

    @property
    def version(self) -> str:
        """The definition's version (``meta.version``)."""
        return self._version

    @property
    def strict_mode(self) -> bool:
        """Strict processing (docs/language.md#processing)."""
        return self._strict_mode

    @property
    def description(self) -> str:
        """Free text from the spec."""
        return self._description

    @property
    def state_type(self) -> type[S]:
        """The ``State`` enum."""
        return self._state_type

    @property
    def trigger_type(self) -> type[T]:
        """The ``Trigger`` enum."""
        return self._trigger_type

    @property
    def initial_state(self) -> S:
        """The initial state."""
        return self._initial_state

    @property
    def states(self) -> tuple[StateInfo, ...]:
        """Every state in declaration order."""
        return self._states

    @property
    def transitions(self) -> tuple[TransitionInfo, ...]:
        """Every transition in spec order."""
        return self._transitions

    @property
    def leaving(self) -> Leaving:
        """Per state, the indices of the transitions that may leave it."""
        return self._leaving

    @property
    def error_policy(self) -> ErrorPolicy:
        """Retries and fallback for the action executor."""
        return self._error_policy

    @property
    def spec_sha256(self) -> str:
        """SHA-256 of the spec the module was generated from."""
        return self._spec_sha256

    @property
    def parents(self) -> Mapping[Any, Any]:
        """Each nested state's parent (API 2.3); empty for a flat machine."""
        return self._parents

    @property
    def guard_names(self) -> tuple[str, ...]:
        """Every guard used, in order of first appearance."""
        return tuple(dict.fromkeys(g for t in self._transitions for g in t.guards))

    @property
    def action_names(self) -> tuple[str, ...]:
        """Every action used, in order of first appearance.

        States come first (``on_enter`` then ``on_exit``, in declaration
        order), then the transitions' actions.
        """
        names: dict[str, None] = {}
        for state in self._states:
            names.update(dict.fromkeys(state.on_enter))
            names.update(dict.fromkeys(state.on_exit))
        for transition in self._transitions:
            names.update(dict.fromkeys(transition.actions))
        return tuple(names)

    def __repr__(self) -> str:
        # The full field list of a large machine would be thousands of lines.
        return (
            f"MachineDefinition(name={self._name!r}, version={self._version!r}, "
            f"states={len(self._states)}, transitions={len(self._transitions)})"
        )
