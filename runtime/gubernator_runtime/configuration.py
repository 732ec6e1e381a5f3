"""``Configuration``: what a statechart with history or parallel states stores.

A machine whose spec has history states or parallel states is processed on
a configuration instead of a single state (API 2.3): its active atomic
states (one per active region) and its history record (for each history
state that has recorded something, the states it recorded).

A ``Configuration`` *is* its canonical text, a ``str``: compact JSON with
every list sorted and no spaces, ``{"active":["a","b"]}``, with
``"history":{"H":["x"]}`` when something is recorded. Store it in one
database column as it is, read the column back and pass the string to
``process``: the machine's tables are keyed by that exact text, so the
lookup is a plain string lookup. Equal configurations have equal text
whatever order their parts were given in, and any name (quotes, commas,
newlines) is escaped by JSON, so the text is unambiguous.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from gubernator_runtime.errors import UndefinedStateError
from gubernator_runtime.tree import StateTree


class ConfigurationTextError(ValueError):
    """Text that is not a configuration; the message names the position."""

    def __init__(self, text: str, position: int, problem: str) -> None:
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        super().__init__(
            f"not a configuration at line {line}, column {column} "
            f"(character {position}): {problem}"
        )
        self.position = position
        self.line = line
        self.column = column


def _canonical(active: Iterable[str], history: Mapping[str, Iterable[str]]) -> str:
    record = {h: sorted(set(states)) for h, states in history.items()}
    data: dict[str, Any] = {"active": sorted(set(active))}
    if any(record.values()):
        data["history"] = {h: v for h, v in sorted(record.items()) if v}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True)


class Configuration(str):
    """Active atomic states and history record, as one canonical string.

    ``Configuration(active, history=None)`` builds it from the active
    atomic states and a mapping of history state to recorded states;
    :meth:`parse` reads stored text back. It is immutable and hashable,
    equal to (and hashing as) its text. A module generated for a machine
    with history or parallel states subclasses it with the machine's
    ``tree``, so that :meth:`is_in` knows the compound states and
    :meth:`parse` refuses names the machine does not have.
    """

    __slots__ = ()

    #: The machine's state tree (set by the generated module's subclass).
    tree: ClassVar[StateTree[Any] | None] = None

    def __new__(
        cls,
        active: Iterable[str],
        history: Mapping[str, Iterable[str]] | None = None,
    ) -> Configuration:
        names = list(active)
        record = {} if history is None else dict(history)
        for name in (*names, *record, *(s for v in record.values() for s in v)):
            if not isinstance(name, str):
                raise TypeError(f"state names must be strings, not {name!r}")
        if not names:
            raise ValueError("a configuration has at least one active state")
        return str.__new__(cls, _canonical(names, record))

    @classmethod
    def parse(cls, text: str) -> Configuration:
        """The configuration stored as ``text`` (what ``str()`` gave).

        Raises ``ConfigurationTextError`` (a ``ValueError``) naming the
        line, column and character where the text stops being a
        configuration; with the machine's tree, also for a name that is
        not one of its atomic (or history) states.
        """
        if not isinstance(text, str):
            raise TypeError(f"a configuration is text, not {type(text).__name__}")
        parser = _Parser(text)
        active, history = parser.configuration()
        tree = cls.tree
        if tree is not None:
            for name, position in (*active, *(h for h, _ in history)):
                if not _known(tree, name, atomic=(name, position) in active):
                    raise ConfigurationTextError(
                        text,
                        position,
                        f"{name!r} is not an atomic state of this machine"
                        if (name, position) in active
                        else f"{name!r} is not a history state of this machine",
                    )
        return cls(
            [name for name, _ in active],
            {h: [s for s, _ in states] for (h, _), states in history},
        )

    @property
    def active(self) -> tuple[str, ...]:
        """The active atomic states (sorted by name)."""
        return tuple(json.loads(self)["active"])

    @property
    def history(self) -> Mapping[str, tuple[str, ...]]:
        """Each history state that recorded something, with its states."""
        recorded = json.loads(self).get("history", {})
        return {h: tuple(states) for h, states in recorded.items()}

    def is_in(self, state: str) -> bool:
        """True when ``state`` is active: one of the active atomic states or
        (with the machine's tree) a compound state containing one."""
        tree = self.tree
        if tree is None:
            return state in self.active
        return any(tree.is_in(atomic, state) for atomic in self.active)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.parse({str.__str__(self)!r})"

    def __str__(self) -> str:
        return str.__str__(self)


def _known(tree: StateTree[Any], name: str, atomic: bool) -> bool:
    """An atomic state (``atomic``) or a history pseudo-state of ``tree``."""
    try:
        leaves = tree.leaves(name)
    except UndefinedStateError:
        return False
    return leaves == (name,) if atomic else name in tree.history


_Named = tuple[str, int]
#: JSON's string reader (typeshed does not declare it): (text, index after
#: the opening quote) → (value, index after the closing quote).
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class _Parser:
    """A reader of the configuration grammar (a subset of JSON) that knows
    where it is: ``{"active": [names], "history": {name: [names]}}``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def fail(self, problem: str) -> ConfigurationTextError:
        return ConfigurationTextError(self.text, self.at, problem)

    def skip(self) -> None:
        text = self.text
        while self.at < len(text) and text[self.at] in " \t\r\n":
            self.at += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.at : self.at + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.peek()) if self.peek() else "the end of the text"
            raise self.fail(f"expected {char!r}, found {found}")
        self.at += 1

    def string(self) -> _Named:
        if self.peek() != '"':
            raise self.fail("expected a state name in double quotes")
        start = self.at
        try:
            value, self.at = _scanstring(self.text, self.at + 1)
        except json.JSONDecodeError as exc:
            self.at = exc.pos
            raise self.fail(exc.msg) from None
        return value, start

    def names(self) -> list[_Named]:
        self.expect("[")
        found: list[_Named] = []
        if self.peek() == "]":
            self.at += 1
            return found
        while True:
            found.append(self.string())
            if self.peek() == ",":
                self.at += 1
                continue
            self.expect("]")
            return found

    def configuration(self) -> tuple[list[_Named], list[tuple[_Named, list[_Named]]]]:
        self.expect("{")
        active: list[_Named] | None = None
        history: list[tuple[_Named, list[_Named]]] = []
        seen: set[str] = set()
        while True:
            key, key_at = self.string()
            if key in seen or key not in ("active", "history"):
                self.at = key_at
                raise self.fail(f"unexpected key {key!r} (active, history)")
            seen.add(key)
            self.expect(":")
            if key == "active":
                start = self.at
                active = self.names()
                if not active:
                    self.at = start
                    raise self.fail("no active state")
            else:
                history = self.record()
            if self.peek() == ",":
                self.at += 1
                continue
            self.expect("}")
            break
        if active is None:
            raise self.fail('no "active" states')
        self.skip()
        if self.at != len(self.text):
            raise self.fail("text after the configuration")
        return active, history

    def record(self) -> list[tuple[_Named, list[_Named]]]:
        self.expect("{")
        found: list[tuple[_Named, list[_Named]]] = []
        if self.peek() == "}":
            self.at += 1
            return found
        while True:
            name = self.string()
            self.expect(":")
            found.append((name, self.names()))
            if self.peek() == ",":
                self.at += 1
                continue
            self.expect("}")
            return found
