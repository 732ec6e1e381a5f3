"""Semantic checks of docs/language.md#diagnostics on the spec's view.

Errors: duplicate states, not exactly one initial state, references to
states that do not exist (with suggestions), ways out of terminal states,
guard/action/context/class names that Python cannot use, shadowed
transitions, a file stem that cannot name the machine, infinite timeouts.

Warnings (``GG350``+, in :mod:`gubernator_gen.frontend.reachability`) are
only computed for a spec without any error: with errors around (a misspelt
``dest`` makes its intended state "unreachable") they would mostly repeat
an error in other words.

The checks run on whatever parts of the tree are well-formed (see
:mod:`gubernator_gen.frontend.view`); a check that needs the whole picture stands
down when part of it is malformed, since the schema already reported that.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.frontend import (
    chart_checks,
    codes,
    context_types,
    precedence,
    reachability,
    wildcards,
)
from gubernator_gen.frontend.identifiers import (
    IDENTIFIER,
    identifier_problem,
    is_usable_identifier,
)
from gubernator_gen.frontend.suggest import Suggester
from gubernator_gen.frontend.tree import ScalarNode, quoted
from gubernator_gen.frontend.view import (
    Name,
    SpecView,
    StateView,
    TransitionView,
    terminal_names,
)

#: A state, trigger or machine name (docs/language.md#names), as the schema's pattern
#: says;
#: it is at most :data:`NAME_LIMIT` characters long besides.
NAME = re.compile(r"(?!\s)[^\u0000-\u001f\u007f-\u009f]+(?<!\s)\Z")
NAME_LIMIT = 200


def check(
    spec: SpecView, *, stem: str | None, warnings: bool = True
) -> tuple[Diagnostic, ...]:
    """Semantic diagnostics of the machine document read as ``spec``.

    ``stem`` is the spec's file name without extension, the machine name
    when ``meta.machine_name`` is absent (``None`` for a machine of a
    ``machines:`` list, which must name itself). ``warnings=False`` skips
    the warnings (the caller already has errors).
    """
    found = errors(spec, stem=stem)
    if found or not warnings:
        return found
    return tuple(reachability.warnings(spec))


def errors(spec: SpecView, *, stem: str | None) -> tuple[Diagnostic, ...]:
    """The errors of :func:`check`, without the warnings."""
    return (
        *_check_machine_name(spec, stem),
        *_check_states(spec),
        *_check_references(spec),
        *wildcards.check(spec),
        *_check_terminal(spec),
        *_check_identifiers(spec),
        *context_types.check(spec.context_node),
        *_check_shadowing(spec),
        *chart_checks.check(spec),
    )


__all__ = [
    "IDENTIFIER",
    "NAME",
    "check",
    "errors",
    "is_name",
    "is_usable_identifier",
]


def is_name(text: str) -> bool:
    """True for a valid state, trigger or machine name (docs/language.md#names)."""
    return len(text) <= NAME_LIMIT and NAME.match(text) is not None


def _check_machine_name(spec: SpecView, stem: str | None) -> Iterator[Diagnostic]:
    if spec.meta.machine_name is not None or stem is None:
        return
    if spec.meta.is_malformed:
        return  # the schema said so
    if is_name(stem):
        return
    meta_key = spec.meta.key
    pos = meta_key.pos if meta_key is not None else spec.root.pos
    suggestion = (
        re.sub(r"[\u0000-\u001f\u007f-\u009f]", "", stem).strip()[:NAME_LIMIT].strip()
    )
    example = f" (e.g. machine_name: {quoted(suggestion)})" if suggestion else ""
    yield error(
        codes.BAD_MACHINE_NAME,
        f"the machine name comes from the file name, but {quoted(stem)} is not a "
        f"name (1 to {NAME_LIMIT} characters, no control characters, no spaces at "
        f"either end); set meta.machine_name{example}",
        pos,
    )


def _check_states(spec: SpecView) -> Iterator[Diagnostic]:
    first_by_name: dict[str, Name] = {}
    for state in spec.states:
        if state.name is None:
            continue
        first = first_by_name.get(state.name.text)
        if first is None:
            first_by_name[state.name.text] = state.name
            continue
        yield error(
            codes.DUPLICATE_STATE,
            f"state {quoted(state.name.text)} is already declared at line "
            f"{first.node.pos.line}",
            state.name.node.pos,
        )
    # Only a top-level state starts the machine; type: initial on a nested
    # one is a statechart error. A statechart may leave it out (it then
    # starts in its first state, as a compound state enters its first child).
    top = [state for state in spec.states if state.parent is None]
    initials = [state for state in top if state.kind == "initial"]
    kinds_known = all(state.kind is not None for state in spec.states)
    needed = not spec.is_statechart
    if needed and not initials and top and kinds_known and spec.states_node is not None:
        yield error(
            codes.NO_INITIAL_STATE,
            "no state has type initial; mark the state the machine starts in with "
            "'type: initial'",
            spec.states_node.pos,
        )
    for extra in initials[1:]:
        first_initial = initials[0]
        where = extra.kind_node if extra.kind_node is not None else extra.item
        first_name = first_initial.name.text if first_initial.name else "?"
        yield error(
            codes.SEVERAL_INITIAL_STATES,
            f"only one state can be initial, and {quoted(first_name)} (line "
            f"{_line(first_initial)}) already is",
            where.pos,
        )


def _line(state: StateView) -> int:
    node = state.name.node if state.name is not None else state.item
    return node.pos.line


def _state_names(spec: SpecView) -> list[str]:
    return [state.name.text for state in spec.states if state.name is not None]


def _check_references(spec: SpecView) -> Iterator[Diagnostic]:
    if not spec.states_complete:
        return  # some state has no readable name: references cannot be judged
    known = _state_names(spec)
    declared = set(known)
    # One suggester for the whole file: it bounds the time suggestions take
    # when there are thousands of misspelt references.
    suggester = Suggester(known)

    def undefined(name: Name | None, what: str) -> Iterator[Diagnostic]:
        if name is None or name.text in declared or not is_name(name.text):
            return  # a malformed name is the schema's to report
        if name.text == wildcards.WILDCARD:
            return  # misplaced wildcards have their own check
        yield error(
            codes.UNDEFINED_STATE,
            f"{what} {quoted(name.text)} is not a state of this machine"
            f"{suggester.did_you_mean(name.text)}",
            name.node.pos,
        )

    for state in spec.states:
        yield from undefined(state.timeout_dest, "timeout destination")
        for edge in state.edges:
            yield from undefined(edge.dest, "dest")
    for transition in spec.transitions:
        for source in transition.sources.names:
            yield from undefined(source, "source")
        yield from undefined(transition.dest, "dest")
    yield from undefined(spec.fallback, "default_fallback")


def _check_terminal(spec: SpecView) -> Iterator[Diagnostic]:
    terminal = terminal_names(spec)
    for state in spec.states:
        if (
            state.kind == "terminal"
            and state.has_timeout
            and state.timeout_key is not None
        ):
            name = quoted(state.name.text) if state.name else "this state"
            yield error(
                codes.TIMEOUT_ON_TERMINAL,
                f"terminal state {name} cannot have a timeout: nothing leaves "
                "a terminal state",
                state.timeout_key.pos,
            )
        seconds = state.timeout_seconds
        value = seconds.value if seconds is not None else None
        if seconds and isinstance(value, float) and not math.isfinite(value):
            yield error(
                codes.NOT_FINITE,
                f"timeout seconds must be a finite number, got {value!r}",
                seconds.pos,
            )
        yield from _edges_of_terminal(state)
    for transition in spec.transitions:
        for source in transition.sources.names:
            if source.text in terminal:
                yield error(
                    codes.TRANSITION_FROM_TERMINAL,
                    f"transition {_describe(transition)} leaves terminal state "
                    f"{quoted(source.text)}; nothing leaves a terminal state",
                    source.node.pos,
                )


def _edges_of_terminal(state: StateView) -> Iterator[Diagnostic]:
    for edge in state.after:
        seconds = edge.seconds
        value = seconds.value if seconds is not None else None
        if seconds and isinstance(value, float) and not math.isfinite(value):
            yield error(
                codes.NOT_FINITE,
                f"after seconds must be a finite number, got {value!r}",
                seconds.pos,
            )
    if state.kind != "terminal":
        return
    for key_name in ("always", "after"):
        key = state.key(key_name)
        if key is not None and state.edges:
            name = quoted(state.name.text) if state.name else "this state"
            yield error(
                codes.TRANSITION_FROM_TERMINAL,
                f"terminal state {name} cannot have {key_name}: transitions; "
                "nothing leaves a terminal state",
                key.pos,
            )


def _describe(transition: TransitionView) -> str:
    if transition.trigger is not None:
        return quoted(transition.trigger.text)
    return f"#{transition.index + 1}"


def _check_identifiers(spec: SpecView) -> Iterator[Diagnostic]:
    for state in spec.states:
        yield from _unusable(state.on_enter.names, "action name")
        yield from _unusable(state.on_exit.names, "action name")
        for edge in state.edges:
            yield from _unusable(edge.guards.names, "guard name")
            yield from _unusable(edge.actions.names, "action name")
    for transition in spec.transitions:
        yield from _unusable(transition.guards.names, "guard name")
        yield from _unusable(transition.actions.names, "action name")
    if spec.context is not None:
        for key, _ in spec.context.string_items():
            assert isinstance(key.value, str)
            yield from _unusable([Name(key.value, key)], "context field name")
    class_name = spec.meta.class_name
    if isinstance(class_name, ScalarNode) and isinstance(class_name.value, str):
        yield from _unusable([Name(class_name.value, class_name)], "class_name")


def _unusable(names: Iterable[Name], what: str) -> Iterator[Diagnostic]:
    for name in names:
        if not IDENTIFIER.match(name.text):
            continue  # not an identifier at all: a schema error already
        problem = identifier_problem(name.text)
        if problem is not None:
            code, reason = problem
            yield error(
                code,
                f"{what} {quoted(name.text)} {reason}; choose another name",
                name.node.pos,
            )


def _check_shadowing(spec: SpecView) -> Iterator[Diagnostic]:
    for state in spec.states:
        first = next((e for e in state.always if e.is_unguarded), None)
        for edge in state.always:
            if first is not None and edge.index > first.index:
                yield error(
                    codes.SHADOWED_TRANSITION,
                    f"this always: transition can never fire: the one at line "
                    f"{first.item.pos.line} comes first and has no guards, so it "
                    "always wins",
                    edge.item.pos,
                )
    analysis = precedence.analyse(spec)
    for transition in spec.transitions:
        if transition.trigger is None:
            continue
        trigger = transition.trigger.text
        if transition.wildcard:
            yield from wildcards.shadowed(spec, transition, analysis)
            continue
        for source in transition.sources.names:
            earlier = analysis.beaten.get((transition.index, source.text))
            if earlier is None or earlier.index == transition.index:
                continue
            yield error(
                codes.SHADOWED_TRANSITION,
                f"transition {quoted(trigger)} from {quoted(source.text)} can never "
                f"fire: the transition at line {earlier.item.pos.line} has the same "
                "source and trigger and no guards, so it always wins",
                source.node.pos,
            )
