"""The hand-built charts whose diagrams are kept as goldens in ``goldens/``.

Each shows a group of statechart features as a real spec would use them:
``ticket`` compound states and history (shallow and deep, with and without
a default), ``pipeline`` a parallel state with compound and atomic regions (history
inside a region),
``session`` eventless (``always``) and delayed (``after``) transitions with
timeouts, internal transitions and ``done.state`` triggers throughout.
"""

from __future__ import annotations

from graph_charts import N, Tr, chart

from gubernator_gen.model import (
    GuardParam,
    HistoryDepth,
    MachineSpec,
    NamedGuard,
    StateKind,
)

TICKET = chart(
    "support ticket",
    [
        N("new", kind=StateKind.INITIAL, description="Filed; nobody looked yet."),
        N(
            "active",
            (
                N("last", history=HistoryDepth.SHALLOW, default="triage"),
                N("triage"),
                N(
                    "in progress",
                    (
                        N("coding"),
                        N("review"),
                        N("deep", history=HistoryDepth.DEEP),
                    ),
                    initial="coding",
                ),
                N("escalated", kind=StateKind.ERROR),
            ),
            initial="triage",
            description="Someone owns it.",
        ),
        N("on hold"),
        N("closed", kind=StateKind.TERMINAL),
    ],
    [
        Tr("open", "new", "active"),
        Tr("assign", "triage", "in progress", actions=("notify_owner",)),
        Tr("submit", "coding", "review"),
        Tr("rework", "review", "coding", (NamedGuard("approved", negated=True),)),
        Tr("hold", "active", "on hold"),
        Tr("resume", "on hold", "last"),
        Tr("back to work", "on hold", "deep"),
        Tr(
            "escalate",
            "in progress",
            "escalated",
            (NamedGuard("overdue", params=(GuardParam("days", 3),)),),
        ),
        Tr("comment", "active", "triage", actions=("log_comment",), internal=True),
        Tr("close", ("active", "on hold"), "closed"),
    ],
)

PIPELINE = chart(
    "deployment",
    [
        N("building", kind=StateKind.INITIAL),
        N(
            "checks",
            (
                N(
                    "tests",
                    (
                        N("running"),
                        N("passed", kind=StateKind.TERMINAL),
                        N("tests history", history=HistoryDepth.SHALLOW),
                    ),
                ),
                N("lint", (N("linting"), N("clean", kind=StateKind.TERMINAL))),
                N("scan", description="One step: no states of its own."),
            ),
            parallel=True,
        ),
        N("deploying"),
        N("failed", kind=StateKind.ERROR),
        N("live", kind=StateKind.TERMINAL),
    ],
    [
        Tr("built", "building", "checks"),
        Tr("tests pass", "running", "passed", ("green",)),
        Tr("lint pass", "linting", "clean"),
        Tr("flaky", "running", "linting"),
        Tr("done.state.checks", "checks", "deploying"),
        Tr("retry", "failed", "tests history"),
        Tr("deployed", "deploying", "live"),
        Tr("abort", "*", "failed", actions=("page_oncall",)),
    ],
)

SESSION = chart(
    "session",
    [
        N(
            "idle",
            kind=StateKind.INITIAL,
            always=(("busy", ("has_work",), ("pick",), False),),
            after=((30, "asleep", (), ("dim",)),),
        ),
        N(
            "busy",
            (
                N("working", after=((2.5, "stalled", ("no_progress",), ()),)),
                N("stalled", timeout=(60, "working")),
                N("finished", kind=StateKind.TERMINAL),
            ),
            always=(("stalled", ("blocked",), (), True),),
            after=((3600.0, "idle", (), ("autosave",)),),
        ),
        N("asleep"),
    ],
    [
        Tr("wake", "asleep", "idle"),
        Tr("complete", "working", "finished"),
        Tr("done.state.busy", "busy", "idle", actions=("report",)),
    ],
)

GOLDEN_CHARTS: dict[str, MachineSpec] = {
    "ticket": TICKET,
    "pipeline": PIPELINE,
    "session": SESSION,
}
