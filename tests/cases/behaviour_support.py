"""Behaviour cases: a statechart spec, the events to send and what each does.

A case under ``tests/cases/behaviour/`` carries comment lines (format in
``tests/cases/README.md``)::

    # guards: ready=true, late=false
    # start: idle | enter_root, enter_idle
    # send: go -> busy | exit_idle, begin, enter_busy
    # send: "mark as paid" -> {"active":["x1","y1"]} | (none)
    # send: poke -> !InvalidTransitionError

This module reads those lines, runs a generated module through them, runs
the independent oracle (python-statemachine, ``tests/statechart``) on the
same chart, and rewrites the lines from what the module did.
"""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parent
BEHAVIOUR_DIR = CASES_DIR / "behaviour"
# The oracle's harness lives beside the statechart tests; pytest puts that
# folder on sys.path only when it collects a test from it.
_STATECHART_TESTS = str(CASES_DIR.parent / "statechart")
if _STATECHART_TESTS not in sys.path:
    sys.path.insert(0, _STATECHART_TESTS)

from statechart_modules import load  # noqa: E402
from statechart_oracle import Oracle  # noqa: E402

from gubernator_gen.expressions.nodes import InState  # noqa: E402
from gubernator_gen.model import ExpressionGuard, GuardItem, MachineSpec  # noqa: E402

#: Every comment that looks like a directive must be one: a typo is an error,
#: never a silently ignored line.
_LOOKS_LIKE = re.compile(r"^[ \t]*#[ \t]*(start|send|guards)[ \t]*:", re.IGNORECASE)
_DIRECTIVE = re.compile(r"[ \t]*# (?P<kind>start|send|guards): (?P<rest>.*)")
_BARE = re.compile(r"[A-Za-z0-9_.]+")
_ACTION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_GUARD = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>true|false)")
_ERROR = re.compile(r"![A-Za-z][A-Za-z0-9_]*")
NO_ACTIONS = "(none)"
_JSON = json.JSONDecoder()


class BehaviourFileError(Exception):
    """A behaviour case whose directive lines cannot be read."""


@dataclass(frozen=True)
class Outcome:
    """What one call did: where the machine rests and the actions, in order.

    ``target`` is an atomic state's name, or a configuration's canonical
    text when ``configured``; a failure has ``error`` (the error's class
    name) and nothing else.
    """

    target: str = ""
    configured: bool = False
    actions: tuple[str, ...] = ()
    error: str | None = None

    def key(self) -> object:
        """What two outcomes must share to be equal (configurations as data)."""
        if self.error is not None:
            return ("error", self.error)
        target = json.loads(self.target) if self.configured else self.target
        return (target, self.actions)

    def render(self) -> str:
        """The outcome as a directive writes it."""
        if self.error is not None:
            return f"!{self.error}"
        target = self.target if self.configured else token(self.target)
        return f"{target} | {', '.join(self.actions) or NO_ACTIONS}"


@dataclass(frozen=True)
class Directive:
    """A ``# start:`` line (``event`` None) or a ``# send:`` line."""

    line: int  # 0-based, into data.splitlines()
    event: str | None
    outcome: Outcome

    def render(self) -> str:
        """The comment line (without its line end)."""
        if self.event is None:
            return f"# start: {self.outcome.render()}"
        return f"# send: {token(self.event)} -> {self.outcome.render()}"


@dataclass(frozen=True)
class BehaviourCase:
    """A behaviour case file: its guard outcomes and its directives."""

    path: Path
    data: bytes
    guards: tuple[tuple[str, bool], ...]
    directives: tuple[Directive, ...]


def token(name: str) -> str:
    """A state or event name as written: bare when plain, else a JSON string."""
    if _BARE.fullmatch(name):
        return name
    return json.dumps(name, ensure_ascii=True)


def _name(text: str, at: int, where: str) -> tuple[str, int]:
    """A bare word or JSON string starting at ``at``, and the index after it."""
    if text.startswith('"', at):
        try:
            value, end = _JSON.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise BehaviourFileError(f"{where}: bad quoted name: {exc}") from None
        return value, end
    match = _BARE.match(text, at)
    if match is None:
        raise BehaviourFileError(
            f"{where}: expected a name (letters, digits, _ and . bare, anything "
            f"else as a JSON string) at {text[at:]!r}"
        )
    return match.group(), match.end()


def parse_outcome(text: str, where: str) -> Outcome:
    """``!Error``, or ``TARGET | ACTIONS`` (ACTIONS ``(none)`` or names)."""
    if text.startswith("!"):
        if not _ERROR.fullmatch(text):
            raise BehaviourFileError(f"{where}: expected `!ErrorName`, got {text!r}")
        return Outcome(error=text[1:])
    if text.startswith("{"):
        try:
            value, end = _JSON.raw_decode(text)
        except json.JSONDecodeError as exc:
            raise BehaviourFileError(f"{where}: bad configuration: {exc}") from None
        target, configured = json.dumps(value, separators=(",", ":")), True
    else:
        (target, end), configured = _name(text, 0, where), False
    if not text.startswith(" | ", end):
        raise BehaviourFileError(
            f"{where}: expected ' | ' and the actions after the target, at "
            f"{text[end:]!r}"
        )
    listed = text[end + 3 :]
    if listed == NO_ACTIONS:
        return Outcome(target, configured)
    actions = tuple(listed.split(", "))
    bad = [a for a in actions if not _ACTION.fullmatch(a)]
    if bad:
        raise BehaviourFileError(
            f"{where}: actions are `{NO_ACTIONS}` or names separated by ', '; "
            f"not {bad!r}"
        )
    return Outcome(target, configured, actions)


def _guards(text: str, where: str) -> tuple[tuple[str, bool], ...]:
    found = []
    for item in text.split(", "):
        match = _GUARD.fullmatch(item)
        if match is None:
            raise BehaviourFileError(
                f"{where}: expected `name=true|false`, got {item!r}"
            )
        found.append((match["name"], match["value"] == "true"))
    return tuple(found)


def parse_behaviour(path: Path, data: bytes) -> BehaviourCase:
    """The guards and directives of a case; one ``# start:`` before any send."""
    guards: tuple[tuple[str, bool], ...] = ()
    directives: list[Directive] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BehaviourFileError(f"{path}: a behaviour case is UTF-8: {exc}") from None
    for index, raw in enumerate(text.splitlines()):
        if not _LOOKS_LIKE.match(raw):
            continue
        where = f"{path}:{index + 1}"
        match = _DIRECTIVE.fullmatch(raw)
        if match is None:
            raise BehaviourFileError(f"{where}: malformed directive {raw!r}")
        kind, rest = match["kind"], match["rest"]
        if kind == "guards":
            guards += _guards(rest, where)
        elif kind == "start":
            if directives:
                raise BehaviourFileError(f"{where}: only one `# start:`, first")
            directives.append(Directive(index, None, parse_outcome(rest, where)))
        else:
            if not directives:
                raise BehaviourFileError(f"{where}: `# start:` must come first")
            event, end = _name(rest, 0, where)
            if not rest.startswith(" -> ", end):
                raise BehaviourFileError(f"{where}: expected ' -> ' after the event")
            outcome = parse_outcome(rest[end + 4 :], where)
            directives.append(Directive(index, event, outcome))
    if not directives:
        raise BehaviourFileError(f"{path}: no `# start:` line")
    return BehaviourCase(path, data, guards, tuple(directives))


def read_behaviour(path: Path) -> BehaviourCase:
    """Read and parse the behaviour case at ``path``."""
    return parse_behaviour(path, path.read_bytes())


# -- running ---------------------------------------------------------------


def _outcome(module: types.ModuleType, result: Any) -> Outcome:
    if not result.success:
        return Outcome(error=type(result.error).__name__)
    if hasattr(module, "Configuration"):
        return Outcome(str(result.configuration), True, tuple(result.all_actions))
    return Outcome(str(result.target_state.value), False, tuple(result.all_actions))


def run_module(source: str, case: BehaviourCase) -> tuple[list[Outcome], list[Any]]:
    """Import the generated ``source``, start it and send the case's events.

    Returns the outcome of the start and of each event, and what the
    application stored after each (the state, or the configuration).
    """
    module = load(source)
    values = dict(case.guards)
    if values:
        binding = {name: (lambda ctx, v=value: v) for name, value in values.items()}
        machine = module.Machine(guards=binding)
    else:
        machine = module.Machine()
    configured = hasattr(module, "Configuration")
    result = machine.start()
    outcomes = [_outcome(module, result)]
    stored = result.configuration if configured else result.target_state
    kept = [stored]
    for directive in case.directives[1:]:
        result = machine.process(stored, directive.event)
        outcomes.append(_outcome(module, result))
        if result.success:
            stored = result.configuration if configured else result.target_state
        kept.append(stored)
    return outcomes, kept


@dataclass(frozen=True)
class OracleNames:
    """The chart renamed for the oracle, and the way back.

    python-statemachine reads a transition's target and event as
    space-separated lists (as SCXML does), so free-form names cannot reach
    it as they are: every state becomes ``s<N>`` (document order) and every
    trigger ``e<N>``, except ``done.state.X``, which follows its state.
    """

    spec: MachineSpec
    states: dict[str, str]  # oracle id -> our name
    triggers: dict[str, str]  # our trigger -> oracle event


def _renamed_tests(node: Any, ids: dict[str, str]) -> Any:
    """An expression (or any part of one) with each ``in_state`` naming the
    oracle's id of its state."""
    if isinstance(node, InState):
        return replace(node, state=ids[node.state])
    if isinstance(node, tuple):
        return tuple(_renamed_tests(part, ids) for part in node)
    if is_dataclass(node) and not isinstance(node, type):
        changes = {
            f.name: _renamed_tests(getattr(node, f.name), ids)
            for f in fields(node)
            if f.name != "pos"
        }
        return replace(node, **changes)
    return node


def _items(items: tuple[GuardItem, ...], ids: dict[str, str]) -> tuple[GuardItem, ...]:
    """Guard items whose ``in_state`` tests name the oracle's ids."""
    return tuple(
        replace(item, expr=_renamed_tests(item.expr, ids))
        if isinstance(item, ExpressionGuard)
        else item
        for item in items
    )


def oracle_names(spec: MachineSpec) -> OracleNames:
    """``spec`` with safe state and trigger names (see :class:`OracleNames`)."""
    ids = {state.name: f"s{n}" for n, state in enumerate(spec.states)}
    done = "done.state."
    triggers: dict[str, str] = {}
    for transition in spec.transitions:
        trigger = transition.trigger
        if trigger.startswith(done) and trigger[len(done) :] in ids:
            triggers[trigger] = done + ids[trigger[len(done) :]]
        else:
            triggers.setdefault(trigger, f"e{len(triggers)}")

    def one(name: str | None) -> str | None:
        return None if name is None else ids[name]

    states = tuple(
        replace(
            state,
            name=ids[state.name],
            parent=one(state.parent),
            children=tuple(ids[c] for c in state.children),
            initial=one(state.initial),
            history_default=one(state.history_default),
            always=tuple(
                replace(a, dest=ids[a.dest], guard_items=_items(a.guard_items, ids))
                for a in state.always
            ),
            after=tuple(
                replace(a, dest=ids[a.dest], guard_items=_items(a.guard_items, ids))
                for a in state.after
            ),
        )
        for state in spec.states
    )
    transitions = tuple(
        replace(
            t,
            trigger=triggers[t.trigger],
            sources=tuple(ids[s] for s in t.sources),
            dest=ids[t.dest],
            guard_items=_items(t.guard_items, ids),
        )
        for t in spec.transitions
    )
    renamed = replace(spec, states=states, transitions=transitions)
    return OracleNames(renamed, {v: k for k, v in ids.items()}, triggers)


def oracle_problems(
    spec: MachineSpec, case: BehaviourCase, outcomes: Sequence[Outcome], kept: list[Any]
) -> list[str]:
    """Where python-statemachine, on the chart the front end built, disagrees
    with the module's outcomes (actions and active atomic states)."""
    values = dict(case.guards)
    names = oracle_names(spec)
    oracle = Oracle(names.spec, lambda name: values[name])
    ours_of = names.states.__getitem__
    problems = []
    for directive, outcome, stored in zip(case.directives, outcomes, kept, strict=True):
        # An event no transition names cannot change anything: the oracle has
        # no such event, and its silence is the expected answer.
        if directive.event is not None and directive.event in names.triggers:
            oracle.send(names.triggers[directive.event], lambda: None)
        logged = tuple(name for _, _, name in oracle.take_log())
        active = tuple(map(ours_of, oracle.configuration()))
        recorded = {ours_of(h): set(map(ours_of, s)) for h, s in oracle.history() if s}
        if hasattr(stored, "active"):  # a configuration, after a failure too
            ours, history = tuple(stored.active), dict(stored.history.items())
        else:
            ours, history = (str(stored.value),), {}
        what = "start" if directive.event is None else f"send {directive.event!r}"
        if (
            outcome.actions != logged
            or set(ours) != set(active)
            or {h: set(s) for h, s in history.items()} != recorded
        ):
            problems.append(
                f"line {directive.line + 1} ({what}): the module rests in "
                f"{ours} (history {history}) after {outcome.actions}; the "
                f"oracle in {active} (history {recorded}) after {logged}"
            )
    return problems


def rewrite_behaviour(case: BehaviourCase, outcomes: Sequence[Outcome]) -> bytes:
    """The case with each directive's outcome replaced by ``outcomes``."""
    newline = b"\r\n" if b"\r\n" in case.data else b"\n"
    lines = case.data.splitlines(keepends=True)
    for directive, outcome in zip(case.directives, outcomes, strict=True):
        lines[directive.line] = (
            replace(directive, outcome=outcome).render().encode("utf-8") + newline
        )
    return b"".join(lines)


def mismatch_report(case: BehaviourCase, outcomes: Sequence[Outcome]) -> str | None:
    """Which directives the outcomes contradict (expected and actual lines)."""
    wrong = []
    for directive, outcome in zip(case.directives, outcomes, strict=True):
        if directive.outcome.key() != outcome.key():
            actual = replace(directive, outcome=outcome)
            wrong.append(
                f"  line {directive.line + 1}:\n    expected {directive.render()}\n"
                f"    actual   {actual.render()}"
            )
    if not wrong:
        return None
    return "\n".join(wrong)
