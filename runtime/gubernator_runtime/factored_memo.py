"""What a factored machine class keeps between calls (API 2.6).

The configurations it has read and built (:class:`Configurations`), the
metadata of its ``after:`` results, and the results it has combined (the
memo, below).

A factored machine (``FactoredMachineBase``) combines its tables per event,
which costs tens of lookups. Everything that combination does is a pure
function of the stored configuration, the trigger and the answers of the
guards it asked, in the order it asked them: selection asks the guards of
the offers of the active atomic states, and a macrostep that goes on
(eventless transitions, queued ``done.state`` events) asks more guards
between its microsteps. So the result is kept in a decision tree per
(configuration text, trigger): an :class:`Ask` node names the guard test
the combination asked next and leads, by its answer, to the next node; a
leaf is the result (an :class:`Assign` when ``assign`` updates are computed
from each call's context). A call walks the tree asking exactly the guards
the combination would ask, in the same order, and returns the leaf; an
answer the tree has not seen yet sends the call to the combination, which
asks again from the start and adds its path.

Guard tests are bound per machine instance; an instance built without some
guards (a non-strict machine passes them unasked) asks fewer, so each
class keeps one :class:`Memo` per set of unbound tests.

The memo is bounded: once it holds ``cap`` nodes it is emptied and fills
again with what is asked next (the hot configurations come back at once).
It is shared by the threads calling a machine: every change is one
``dict`` operation, and what a leaf holds is immutable, so concurrent calls
can at worst lose an insertion or overshoot the count by a few nodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, overload

from gubernator_runtime._base import EMPTY_MAPPING
from gubernator_runtime.configuration import Configuration, ConfigurationTextError
from gubernator_runtime.factored import FactoredChart, GuardTest, Record
from gubernator_runtime.results import Effect, TransitionResult, with_updates

#: A guard test's answer: ``None`` (passed) or the refusing guard's label.
Answer = str | None
#: What the combination asked: (test index, answer), in order.
Trace = list[tuple[int, Answer]]


class Ask:
    """A node of the tree: ask the guard test ``index``, follow its answer.

    ``source`` and ``trigger`` name the call for a ``GuardError`` raised
    by the test."""

    __slots__ = ("answers", "index", "source", "trigger")

    def __init__(self, index: int, source: Any, trigger: Any) -> None:
        self.index = index
        self.source = source
        self.trigger = trigger
        self.answers: dict[Answer, Node] = {}


class Assign:
    """A leaf whose result carries ``assign`` updates: ``effect`` computes
    them from each call's context (``with_updates``)."""

    __slots__ = ("effect", "result")

    def __init__(self, result: TransitionResult[Any], effect: Effect) -> None:
        self.result = result
        self.effect = effect


Node = TransitionResult[Any] | Ask | Assign


class Memo:
    """The trees of one machine class (and one set of unbound guard tests):
    ``rows[configuration text][trigger]`` → the root node."""

    __slots__ = ("rows", "size")

    def __init__(self) -> None:
        self.rows: dict[str, dict[Any, Node]] = {}
        self.size = 0

    def add(
        self,
        text: str,
        key: Any,
        trace: Trace,
        leaf: Node,
        names: tuple[Any, Any],
        cap: int,
    ) -> None:
        """Keep ``leaf``, found from the configuration ``text`` for
        ``key`` after the guard answers of ``trace``; ``names`` are the
        source and trigger the result names. Empties the memo first when it
        holds ``cap`` nodes."""
        if self.size >= cap:
            self.rows.clear()
            self.size = 0
        row = self.rows.get(text)
        if row is None:
            row = self.rows.setdefault(text, {})
        holder: dict[Any, Node] = row
        slot: Any = key
        for index, answer in trace:
            node = holder.get(slot)
            if node is None:
                node = holder.setdefault(slot, Ask(index, *names))
                self.size += 1
            if node.__class__ is not Ask or node.index != index:
                return  # not the path this call took: keep what is there
            holder, slot = node.answers, answer
        if slot not in holder:
            holder[slot] = leaf
            self.size += 1


class Recorder(Sequence[GuardTest | None]):
    """A machine's guard tests that note each answer in ``trace``: what
    the combination is handed when its result is to be kept."""

    __slots__ = ("tests", "trace")

    def __init__(self, tests: Sequence[GuardTest | None]) -> None:
        self.tests = tests
        self.trace: Trace = []

    @overload
    def __getitem__(self, index: int) -> GuardTest | None: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[GuardTest | None]: ...

    def __getitem__(
        self, index: int | slice
    ) -> GuardTest | Sequence[GuardTest | None] | None:
        if isinstance(index, slice):
            return self.tests[index]
        test = self.tests[index]
        if test is None:
            return None
        trace = self.trace

        def asked(context: Any) -> Answer:
            answer = test(context)
            trace.append((index, answer))
            return answer

        return asked

    def __len__(self) -> int:
        return len(self.tests)


def recall(
    node: Node, tests: Sequence[GuardTest | None], context: Any
) -> TransitionResult[Any] | None:
    """The result kept at ``node``, its path's guards asked with
    ``context``; ``None`` when an answer leads where nothing is kept yet.
    A guard that raises propagates (``GuardRaised``, ``GuardsMissing``)."""
    while node.__class__ is Ask:
        ask: Ask = node
        found = ask.answers.get(tests[ask.index](context))  # type: ignore[misc]
        if found is None:
            return None
        node = found
    if node.__class__ is Assign:
        leaf: Assign = node
        ctx = EMPTY_MAPPING if context is None else context
        return with_updates(leaf.result, leaf.effect, ctx)
    return node  # type: ignore[return-value]


def merged(effects: list[Effect]) -> Effect:
    """The ``assign`` updates of every transition a macrostep took, in order."""
    if len(effects) == 1:
        return effects[0]

    def merged(context: Any) -> dict[str, object]:
        updates: dict[str, object] = {}
        for effect in effects:
            updates.update(effect(context))
        return updates

    return merged


#: How many stored configurations (and configurations built) a machine
#: class keeps parsed: the hot ones are few, any text may arrive.
KEPT = 4096

#: A stored configuration, read: its atomic states in document order, its
#: history record, and its first atomic state (what results name).
Parsed = tuple[tuple[str, ...], Record, Any]


class Configurations:
    """The configurations a machine class has read (``parsed``, by text)
    and built (by atomic states and record), at most ``KEPT`` of each."""

    __slots__ = ("built", "chart", "members", "parsed", "type")

    def __init__(
        self,
        chart: FactoredChart,
        configuration_type: type[Configuration],
        members: Mapping[str, Any],
    ) -> None:
        self.chart = chart
        self.type = configuration_type
        self.members = members
        self.parsed: dict[Any, Parsed] = {}
        self.built: dict[tuple[tuple[str, ...], Record], Configuration] = {}

    def read(self, value: str) -> Parsed | None:
        """The configuration text ``value``, read and kept; ``None`` when it
        is not one the chart's tree and history states allow."""
        try:
            parsed = self.type.parse(value)
        except ConfigurationTextError:
            return None
        chart = self.chart
        order = chart.order.__getitem__
        atomic = tuple(sorted(parsed.active, key=order))
        history = parsed.history
        record = tuple(
            (h, tuple(sorted(history[h], key=order)))
            for h in sorted(history, key=order)
        )
        if not chart.legal(atomic) or not chart.legal_record(record):
            return None
        found = (atomic, record, self.members[atomic[0]])
        if len(self.parsed) < KEPT:
            self.parsed[str.__str__(value)] = found
        return found

    def build(self, atomic: tuple[str, ...], record: Record) -> Configuration:
        """The configuration of ``atomic`` and ``record`` (kept, and kept
        read, so that storing and passing it back costs one lookup)."""
        key = (atomic, record)
        built = self.built.get(key)
        if built is None:
            built = self.type(atomic, dict(record))
            if len(self.built) < KEPT:
                self.built[key] = built
                if len(self.parsed) < KEPT:
                    found = (atomic, record, self.members[atomic[0]])
                    self.parsed[str.__str__(built)] = found
        return built


def timed_metadata(chart: FactoredChart) -> dict[Any, Mapping[str, Any]]:
    """The metadata of each ``after:`` entry's results, by its trigger."""
    found: dict[Any, Mapping[str, Any]] = {}
    for row in chart.offers.values():
        for key, offer in row.items():
            if not isinstance(key, tuple) or key in found:
                continue
            state, index = key
            metadata: dict[str, Any] = {
                "reason": "timeout",
                "timeout_state": state,
                "timeout_index": index,
                "timeout_seconds": chart.after[state][index],
            }
            description = chart.plans[offer[0]].description
            if description:
                metadata["transition_description"] = description
            found[key] = MappingProxyType(metadata)
    return found


def unbound(tests: Sequence[GuardTest | None]) -> frozenset[int]:
    """The tests an instance passes unasked: which memo it shares."""
    return frozenset(i for i, test in enumerate(tests) if test is None)
