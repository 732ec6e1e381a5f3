"""What the statechart semantics hand to code emission: keys, cells and steps.

These are plain frozen values with no behaviour beyond derived views, so a
plan (or a test) can walk them without knowing the SCXML algorithm.

* A :class:`Configuration` is what the application stores: the active
  atomic states in document order and the history record.
* A :class:`Step` is everything one call of ``process`` does once the
  guards are decided: the microsteps of a whole SCXML macrostep (the
  event's, then every eventless or ``done.state`` one that follows without
  a guard), each with its exit, transition and entry actions in order, the
  new configuration, and, when a guarded eventless or internal decision
  remains, the :class:`Resume` key of the cell that makes it.
* A :class:`Cell` answers one (key, trigger): the :class:`Offer` of each
  active atomic state that has candidates (document order), and the step
  for every combination of choices.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend.statechart.chart import Delay, TransitionRef, TriggerKey
from gubernator_gen.model import GuardItem

#: (history state, recorded states in document order)
HistoryEntry = tuple[str, tuple[str, ...]]

#: The choice of an :class:`Offer` that took none of its candidates.
NONE_CHOSEN = -1


@dataclass(frozen=True, slots=True, order=True)
class Configuration:
    """Active atomic states (document order) and the history record.

    ``history`` lists, in the document order of the history states, each
    history state that has recorded something. Without parallel states
    ``atomic`` has exactly one state; without history states ``history``
    is empty, and the configuration is the atomic state alone.
    """

    atomic: tuple[str, ...]
    history: tuple[HistoryEntry, ...] = ()

    @property
    def recorded(self) -> Mapping[str, tuple[str, ...]]:
        """The history record as a mapping."""
        return dict(self.history)

    def __str__(self) -> str:
        text = ",".join(self.atomic)
        if self.history:
            text += ";" + ";".join(f"{h}={'+'.join(v)}" for h, v in self.history)
        return text


class Phase(str, enum.Enum):
    """When an action runs within a microstep."""

    EXIT = "exit"
    TRANSITION = "transition"
    ENTER = "enter"


@dataclass(frozen=True, slots=True)
class ActionCall:
    """One action to run: ``owner`` is the state exited or entered, or the
    source of the transition whose action it is (``transition`` set)."""

    phase: Phase
    owner: str
    name: str
    transition: TransitionRef | None = None


@dataclass(frozen=True, slots=True)
class Microstep:
    """One SCXML microstep, fully decided.

    ``trigger`` is the event that selected ``transitions`` (``None`` for the
    start), ``exited`` and ``entered`` are in exit and entry order,
    ``actions`` are the exit actions, then the transition actions in
    selection order, then the entry actions. ``history`` holds the records
    made while exiting; ``raised`` the ``done.state.*`` events queued while
    entering, in order. ``target`` is the configuration afterwards.
    """

    trigger: TriggerKey | None
    transitions: tuple[TransitionRef, ...]
    exited: tuple[str, ...]
    entered: tuple[str, ...]
    actions: tuple[ActionCall, ...]
    history: tuple[HistoryEntry, ...]
    raised: tuple[str, ...]
    target: Configuration


class ResumePhase(str, enum.Enum):
    """What a :class:`Resume` cell decides."""

    EVENTLESS = "eventless"  # eventless transitions at the configuration
    INTERNAL = "internal"  # the first queued internal event (eventless known idle)


@dataclass(frozen=True, slots=True, order=True)
class Resume:
    """A decision left for run time within a macrostep.

    ``queue`` are the internal events pending (SCXML's internal queue).
    """

    configuration: Configuration
    queue: tuple[str, ...]
    phase: ResumePhase


@dataclass(frozen=True, slots=True)
class Deadline:
    """An ``after:`` entry (re)started by a step: due ``seconds`` after it."""

    trigger: Delay
    seconds: int | float


@dataclass(frozen=True, slots=True)
class Step:
    """What a call of ``process`` does once its guards are decided.

    ``microsteps`` run in order; ``target`` is the configuration after
    them; ``resume`` is the guarded decision that continues the macrostep
    (``None``: the machine is stable at ``target``). ``deadlines`` are the
    ``after:`` entries of states entered by the step and still active at
    its end; ``cancelled`` the states whose deadlines no longer hold
    (exited, or re-entered and so restarted). ``overflow`` marks a step
    after which internal events pile up past the generated bound: the
    macrostep never ends, and ``process`` reports an error instead.
    """

    microsteps: tuple[Microstep, ...]
    target: Configuration
    resume: Resume | None = None
    deadlines: tuple[Deadline, ...] = ()
    cancelled: tuple[str, ...] = ()
    overflow: bool = False

    @property
    def actions(self) -> tuple[ActionCall, ...]:
        """Every action of every microstep, in the order they run."""
        return tuple(a for m in self.microsteps for a in m.actions)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A transition an atomic state may take, with the guards it needs.

    ``guards`` are the guard names in order, ``guard_items`` the declarative
    items when the transition has them (docs/language.md#guards); all must pass.
    """

    transition: TransitionRef
    guards: tuple[str, ...]
    guard_items: tuple[GuardItem, ...] = ()

    @property
    def guarded(self) -> bool:
        """False when nothing can refuse the candidate."""
        return bool(self.guards or self.guard_items)


@dataclass(frozen=True, slots=True)
class Offer:
    """The candidates of one active atomic state, in SCXML priority.

    From the atomic state outwards, each state's own transitions in document
    order; the list stops at the first unguarded candidate, since nothing
    after it can be chosen. The offer takes its first candidate whose
    guards all pass.
    """

    atomic: str
    candidates: tuple[Candidate, ...]

    @property
    def always_chooses(self) -> bool:
        """True when the last candidate has no guard (the offer never declines)."""
        return not self.candidates[-1].guarded


@dataclass(frozen=True, slots=True)
class Cell:
    """How one key answers one trigger.

    ``steps`` maps a choice (per offer, the index of the candidate taken or
    :data:`NONE_CHOSEN`) to the step; every combination except all-declined
    is present. ``otherwise`` is the step when every offer declines
    (``None``: no transition, ``process`` reports the refusal).
    """

    offers: tuple[Offer, ...]
    steps: Mapping[tuple[int, ...], Step]
    otherwise: Step | None = None

    @property
    def linear(self) -> tuple[tuple[Candidate, Step], ...] | None:
        """One offer: its candidates each with its step, in priority order."""
        if len(self.offers) != 1:
            return None
        return tuple(
            (candidate, self.steps[(index,)])
            for index, candidate in enumerate(self.offers[0].candidates)
        )


class ProblemKind(str, enum.Enum):
    """A statechart the semantics refuse to compile."""

    EVENTLESS_CYCLE = "eventless_cycle"  # unguarded eventless/done transitions loop


@dataclass(frozen=True, slots=True)
class Problem:
    """A structured problem; the front end turns it into a located error.

    ``states`` are the configurations' atomic states along the loop and
    ``transitions`` the transitions that close it, so the error can point at
    the spec; ``configuration`` and ``queue`` are where the loop comes back
    to (reached from the start with some guard outcomes).
    """

    kind: ProblemKind
    message: str
    states: tuple[str, ...]
    transitions: tuple[TransitionRef, ...]
    configuration: Configuration | None = None
    queue: tuple[str, ...] = ()
