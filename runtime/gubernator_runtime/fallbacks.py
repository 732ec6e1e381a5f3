"""The move the action executor proposes when a result's actions fail.

With ``error_policy.default_fallback``, ``ActionExecutor`` asks the machine
for a move into the fallback state once a result's actions have finally
failed (docs/runtime.md#action-executor). A flat machine's move leaves
the state just entered and enters the fallback; a statechart's is an SCXML
transition the generator decided for every key (the module's
``_FALLBACKS``), looked up here by the configuration or state the failed
result moved to.
"""

from __future__ import annotations

from typing import Any

from gubernator_runtime._base import S, plain_str
from gubernator_runtime.results import TransitionResult
from gubernator_runtime.tables import MachineTables

#: The trigger of results proposed by ``ExecutionResult.fallback``.
FALLBACK_TRIGGER = "_fallback"

__all__ = ["FALLBACK_TRIGGER", "charted_fallback", "flat_fallback"]


def flat_fallback(
    tables: MachineTables, result: TransitionResult[S], failed: tuple[str, ...]
) -> TransitionResult[S] | None:
    """A flat machine's move to the fallback state after ``result``'s
    actions failed: it leaves the state just entered (its exit actions) and
    enters the fallback (its enter actions). None when the result did not
    move anywhere, or when it already entered the fallback state (proposing
    it again would loop on a failing enter action)."""
    fallback = tables.fallback_state
    entered = result.target_state
    if fallback is None or not result.success or entered is None:
        return None
    member = tables.state_of.get(entered)
    if member is None or member == fallback:
        return None
    return TransitionResult(
        True,
        member,
        fallback,
        FALLBACK_TRIGGER,
        (),
        tables.state_info[member].on_exit,
        tables.state_info[fallback].on_enter,
        None,
        {"reason": "action_failed", "failed_actions": list(failed)},
    )


def charted_fallback(
    table: dict[str, TransitionResult[Any]],
    result: TransitionResult[S],
    failed: tuple[str, ...],
) -> TransitionResult[S] | None:
    """A statechart's fallback move from where ``result`` went (decided by
    the generator: an SCXML transition to the fallback state), with why."""
    key = result.configuration
    if key is None:
        key = result.target_state
    prebuilt = None if key is None else table.get(plain_str(key))
    if prebuilt is None:  # already inside the fallback state
        return None
    return TransitionResult(
        True,
        prebuilt.source_state,
        prebuilt.target_state,
        FALLBACK_TRIGGER,
        prebuilt.actions_to_execute,
        prebuilt.on_exit_actions,
        prebuilt.on_enter_actions,
        None,
        {"reason": "action_failed", "failed_actions": list(failed)},
        configuration=prebuilt.configuration,
        deadlines=prebuilt.deadlines,
    )
