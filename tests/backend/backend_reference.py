"""A small reference interpreter of docs/language.md#processing, written from the spec
alone.

It works on the model (:class:`MachineSpec`) by scanning lists, the slow and
obvious way, so the generated module's precomputed dispatch can be checked
against it. Guards are given as outcomes: ``True``, ``False`` or ``"raise"``.

:func:`reference_items` also follows guard items and ``assign``
(docs/language.md#guards and
#context-updates-assign): a negated guard passes on false, a guard with parameters gets
its
outcome from the test, and guard expressions and ``assign`` values are
evaluated by Python itself from their text (this is a test: ``eval`` of the
spec's text is the independent answer the compiled code must agree with).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gubernator_gen.model import (
    ExpressionGuard,
    GuardItem,
    MachineSpec,
    NamedGuard,
    Transition,
)

GuardOutcome = bool | str  # "raise" for a guard that raises

NO_OP = {"no_op": True, "reason": "no_matching_transition"}


@dataclass(frozen=True)
class Expected:
    """What ``process`` must do.

    ``raises`` names an exception class that ``process`` must raise (by its
    runtime name); otherwise the result fields apply. ``metadata`` is
    compared exactly when not ``None``; ``reason`` is compared with
    ``metadata["reason"]`` and ``rejected_by`` with the error's ``guard``
    when not ``None``. ``guard_calls`` is the order in which guards must be
    called.
    """

    raises: str | None = None
    success: bool = False
    target: str | None = None
    actions: tuple[str, ...] = ()
    on_exit: tuple[str, ...] = ()
    on_enter: tuple[str, ...] = ()
    error: str | None = None
    metadata: Mapping[str, object] | None = None
    reason: str | None = None
    rejected_by: str | None = None
    guard_calls: tuple[str, ...] = field(default=())
    context_updates: Mapping[str, object] = field(default_factory=dict)
    raised_by: str | None = None


def reference_process(
    spec: MachineSpec,
    state: str,
    trigger: str,
    guards: Mapping[str, GuardOutcome] | None,
) -> Expected:
    """docs/language.md#processing, step by step; ``guards`` ``None`` means built
    without guards."""
    states = {s.name: s for s in spec.states}
    # 1. unknown state
    if state not in states:
        return Expected(raises="UndefinedStateError")
    current = states[state]
    # 2. terminal state
    if current.is_terminal:
        return Expected(error="TerminalStateError")
    # 3. candidates in spec order, those from "*" (every non-terminal state,
    # docs/language.md#wildcard-sources) after those from named sources
    candidates = [
        t
        for t in spec.transitions
        if not t.wildcard and state in t.sources and t.trigger == trigger
    ] + [t for t in spec.transitions if t.wildcard and t.trigger == trigger]
    # 4. none
    if not candidates:
        if spec.strict_mode:
            known = any(t.trigger == trigger for t in spec.transitions)
            error = "InvalidTransitionError" if known else "UndefinedTriggerError"
            return Expected(error=error)
        return Expected(success=True, target=state, metadata=NO_OP)
    # 5. first candidate whose guards all pass
    calls: list[str] = []
    refused_by = ""
    for transition in candidates:
        passed = True
        for guard in transition.guards:
            if guards is None:
                if spec.strict_mode:
                    return Expected(raises="ConfigurationError")
                continue  # non-strict: guards pass when none were given
            calls.append(guard)
            outcome = guards[guard]
            if outcome == "raise":
                # 7. a raising guard is never swallowed
                return Expected(raises="GuardError", guard_calls=tuple(calls))
            if not outcome:
                passed = False
                refused_by = guard
                break
        if passed:
            return Expected(
                success=True,
                target=transition.dest,
                actions=transition.actions,
                on_exit=current.on_exit,
                on_enter=states[transition.dest].on_enter,
                metadata={"transition_description": transition.description},
                guard_calls=tuple(calls),
            )
    # 6. every candidate refused: name the refusing guard of the last one
    return Expected(
        error="GuardRejectedError",
        reason="guards_failed",
        rejected_by=refused_by,
        guard_calls=tuple(calls),
    )


#: The outcome of a named guard item (its name, negation and parameters).
NamedOutcome = Callable[[NamedGuard], GuardOutcome]


def python_value(
    text: str, fields: Mapping[str, bool], ctx: Mapping[str, object]
) -> object:
    """Python's own value of an expression's text over ``ctx``.

    ``fields`` says, for each context field, whether it may be absent (read
    as ``None`` then); a required field missing from ``ctx`` is a
    ``NameError``, as it is a ``KeyError`` in the compiled code.
    """
    names = {
        name: ctx.get(name)
        for name, optional in fields.items()
        if optional or name in ctx
    }
    builtins = {"len": len, "abs": abs, "min": min, "max": max}
    return eval(" ".join(text.split()), {"__builtins__": builtins}, names)


def label(item: GuardItem) -> str:
    """How a refusal or a raising guard names the item."""
    if isinstance(item, ExpressionGuard):
        return " ".join(item.text.split())
    return f"not {item.name}" if item.negated else item.name


def reference_items(
    spec: MachineSpec,
    state: str,
    trigger: str,
    outcome_of: NamedOutcome | None,
    context: Mapping[str, object] | None,
) -> Expected:
    """docs/language.md#processing with guard items and ``assign``; ``outcome_of``
    ``None`` means
    the machine was built without guards."""
    states = {s.name: s for s in spec.states}
    if state not in states:
        return Expected(raises="UndefinedStateError")
    current = states[state]
    if current.is_terminal:
        return Expected(error="TerminalStateError")
    candidates = [
        t
        for t in spec.transitions
        if not t.wildcard and state in t.sources and t.trigger == trigger
    ] + [t for t in spec.transitions if t.wildcard and t.trigger == trigger]
    if not candidates:
        if spec.strict_mode:
            known = any(t.trigger == trigger for t in spec.transitions)
            error = "InvalidTransitionError" if known else "UndefinedTriggerError"
            return Expected(error=error)
        return Expected(success=True, target=state, metadata=NO_OP)
    # Candidates after one without guards never fire.
    cut = next((i for i, t in enumerate(candidates) if not t.guard_items), None)
    if cut is not None:
        candidates = candidates[: cut + 1]
    fields = {f.name: f.optional for f in spec.context or ()}
    ctx: Mapping[str, object] = {} if context is None else context
    named = [i for t in candidates for i in t.guard_items if isinstance(i, NamedGuard)]
    if outcome_of is None and named:
        # Built without guards: a strict machine refuses to guess; a
        # non-strict one lets every guard pass (the first candidate wins).
        if spec.strict_mode:
            return Expected(raises="ConfigurationError")
        return _fired(spec, current, candidates[0], fields, ctx, ())
    calls: list[str] = []
    refused_by = ""
    for transition in candidates:
        passed = True
        for item in transition.guard_items:
            if isinstance(item, NamedGuard):
                assert outcome_of is not None
                calls.append(item.name)
                outcome = outcome_of(item)
                if outcome == "raise":
                    return Expected(
                        raises="GuardError",
                        guard_calls=tuple(calls),
                        raised_by=label(item),
                    )
                ok = bool(outcome) is not item.negated
            else:
                try:
                    ok = bool(python_value(item.text, fields, ctx))
                except Exception:
                    return Expected(
                        raises="GuardError",
                        guard_calls=tuple(calls),
                        raised_by=label(item),
                    )
            if not ok:
                passed = False
                refused_by = label(item)
                break
        if passed:
            return _fired(spec, current, transition, fields, ctx, tuple(calls))
    return Expected(
        error="GuardRejectedError",
        reason="guards_failed",
        rejected_by=refused_by,
        guard_calls=tuple(calls),
    )


def _fired(
    spec: MachineSpec,
    current: object,
    transition: Transition,
    fields: Mapping[str, bool],
    ctx: Mapping[str, object],
    calls: tuple[str, ...],
) -> Expected:
    """The success result of ``transition``, with its ``assign`` updates."""
    updates: dict[str, object] = {}
    for entry in transition.assign:
        try:
            updates[entry.target] = python_value(entry.text, fields, ctx)
        except Exception:
            return Expected(raises="AssignError", guard_calls=calls)
    dest = spec.state(transition.dest)
    return Expected(
        success=True,
        target=transition.dest,
        actions=transition.actions,
        on_exit=current.on_exit,  # type: ignore[attr-defined]
        on_enter=dest.on_enter,
        metadata={"transition_description": transition.description},
        guard_calls=calls,
        context_updates=updates,
    )
