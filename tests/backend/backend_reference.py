"""A small reference interpreter of SPEC §5, written from the spec alone.

It works on the model (:class:`MachineSpec`) by scanning lists, the slow and
obvious way, so the generated module's precomputed dispatch can be checked
against it. Guards are given as outcomes: ``True``, ``False`` or ``"raise"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gubernator_gen.model import MachineSpec

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


def reference_process(
    spec: MachineSpec,
    state: str,
    trigger: str,
    guards: Mapping[str, GuardOutcome] | None,
) -> Expected:
    """SPEC §5, step by step; ``guards`` ``None`` means built without guards."""
    states = {s.name: s for s in spec.states}
    # 1. unknown state
    if state not in states:
        return Expected(raises="UndefinedStateError")
    current = states[state]
    # 2. terminal state
    if current.is_terminal:
        return Expected(error="TerminalStateError")
    # 3. candidates in spec order, those from "*" (every non-terminal state,
    # SPEC §9.2) after those from named sources
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
