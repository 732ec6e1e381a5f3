"""What ``process`` does, decided once: the decision table of a machine.

This is the only place that decides which transition fires. For every
state and every trigger leaving it, a :class:`Cell` lists the candidates in
priority order, each with the guards it needs and its complete
:class:`Outcome` (target, exit, transition and entry actions, metadata).
The generated module prints the table and the runtime executes it as it
is; it derives nothing.

The flat language's rules live in :func:`decision_table`: candidates are the
transitions with that source and trigger in spec order, the outcome exits
the source and enters the destination. Compound states (a target that is a
leaf below the destination, exit and entry sequences from the least common
ancestor) and configurations as keys replace those rules here without
changing the cells' form or the runtime.

A guarded cell's :class:`CellShape` says how its decider is written: per
candidate, the call form of each guard and the form of the result. Cells of
one shape share one emitted decider factory. Today every guard is called as
``guard(ctx)`` and every result is prebuilt; negated guards, guards with
fixed keyword parameters, compiled expressions and results computed from the
context (``assign``) are further :class:`GuardForm` and :class:`ResultForm`
values.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.model import MachineSpec, PlainData

#: The metadata key of a success result's transition description (SPEC §5).
DESCRIPTION_KEY = "transition_description"


class GuardForm(enum.Enum):
    """How a decider calls one guard."""

    #: ``guard(ctx)``, passing when true.
    CALL = "call"


class ResultForm(enum.Enum):
    """How a decider produces one candidate's result."""

    #: The prebuilt result, returned as it is.
    PREBUILT = "prebuilt"


@dataclass(frozen=True, slots=True)
class Outcome:
    """A candidate's complete result (a success ``TransitionResult``)."""

    source: str
    target: str
    trigger: str
    actions: tuple[str, ...]
    on_exit: tuple[str, ...]
    on_enter: tuple[str, ...]
    metadata: Mapping[str, PlainData]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate of a cell: its guards in call order and its outcome."""

    guards: tuple[str, ...]
    outcome: Outcome
    guard_forms: tuple[GuardForm, ...]
    result_form: ResultForm = ResultForm.PREBUILT


@dataclass(frozen=True, slots=True)
class CandidateShape:
    """How one candidate is decided: its guards' forms and its result's."""

    guards: tuple[GuardForm, ...]
    result: ResultForm


@dataclass(frozen=True, slots=True)
class CellShape:
    """How a guarded cell is decided; cells of one shape share a decider."""

    candidates: tuple[CandidateShape, ...]

    @property
    def guard_count(self) -> int:
        """Guards over all candidates."""
        return sum(len(candidate.guards) for candidate in self.candidates)

    @property
    def name(self) -> str:
        """The decider factory's name: its guard counts, candidate by candidate.

        ``_decide_2_1``: two guards, then one. Forms other than a plain call
        and a prebuilt result will add their own marks.
        """
        counts = "_".join(str(len(candidate.guards)) for candidate in self.candidates)
        return f"_decide_{counts}"


@dataclass(frozen=True, slots=True)
class Cell:
    """A trigger's candidates from one state, in priority order.

    Candidates after the first unguarded one can never fire and are left
    out (the front end reports them as shadowed).
    """

    trigger: str
    candidates: tuple[Candidate, ...]

    @property
    def guarded(self) -> bool:
        """True unless the first candidate fires unconditionally."""
        return bool(self.candidates[0].guards)

    @property
    def shape(self) -> CellShape:
        """The shape of a guarded cell's decider."""
        return CellShape(
            tuple(
                CandidateShape(candidate.guard_forms, candidate.result_form)
                for candidate in self.candidates
            )
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One state's cells, and the transitions that may leave it (spec order)."""

    state: str
    cells: tuple[Cell, ...]
    leaving: tuple[int, ...]


def decision_table(spec: MachineSpec) -> tuple[Row, ...]:
    """Every state's row, in declaration order; terminal states have none.

    Candidates come in the order :meth:`MachineSpec.dispatch` tries them
    (named sources first, then wildcards, each in spec order); everything
    after an unguarded one is left out (it can never fire). Linear in the
    spec. Triggers appear in each row in order of first appearance.
    """
    rows = dict(spec.dispatch())
    described = {t.index: {DESCRIPTION_KEY: t.description} for t in spec.transitions}
    table = []
    for state in spec.states:
        cells = []
        leaving: set[int] = set()
        for trigger, transitions in rows.get(state.name, ()):
            leaving.update(t.index for t in transitions)
            candidates = []
            for transition in transitions:
                dest = spec.state(transition.dest)
                candidates.append(
                    Candidate(
                        guards=transition.guards,
                        outcome=Outcome(
                            source=state.name,
                            target=dest.name,
                            trigger=trigger,
                            actions=transition.actions,
                            # The flat rule: exit the source, enter the dest.
                            on_exit=state.on_exit,
                            on_enter=dest.on_enter,
                            metadata=described[transition.index],
                        ),
                        guard_forms=tuple(GuardForm.CALL for _ in transition.guards),
                    )
                )
                if not transition.guards:
                    break  # the candidates behind it never fire
            cells.append(Cell(trigger, tuple(candidates)))
        table.append(Row(state.name, tuple(cells), tuple(sorted(leaving))))
    return tuple(table)


@dataclass(frozen=True, slots=True)
class Start:
    """What creating an entity does: the state it is stored in and every
    ``on_enter`` on the way there, outermost first."""

    target: str
    on_enter: tuple[str, ...]


def start(spec: MachineSpec) -> Start:
    """The flat rule: creating an entity enters the initial state."""
    initial = spec.initial_state
    return Start(initial.name, initial.on_enter)


def shapes(rows: tuple[Row, ...]) -> tuple[CellShape, ...]:
    """The distinct shapes of the guarded cells, in order of first use."""
    found: dict[CellShape, None] = {}
    for row in rows:
        for cell in row.cells:
            if cell.guarded:
                found.setdefault(cell.shape)
    return tuple(found)
