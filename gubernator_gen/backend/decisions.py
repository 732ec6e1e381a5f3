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

A decided cell's :class:`CellShape` says how its decider is written: per
candidate, the call form of each guard (:class:`GuardCall`: a plain call, a
negated one, one with fixed keyword arguments, or a compiled guard
expression) and the form of the result (prebuilt, or computed with the
transition's ``assign`` updates). Cells of one shape share one emitted
decider factory; what differs between them (which guard, which argument
values, which ``assign`` function) is data of the cell.

The module is a little over 400 lines: the table's data classes and the
flat rules that fill them are read together (the statechart's rules in
:mod:`gubernator_gen.backend.chart_decisions` fill the same classes).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend.compiled import CompiledFunctions
from gubernator_gen.model import (
    ExpressionGuard,
    GuardItem,
    MachineSpec,
    NamedGuard,
    PlainData,
    Transition,
)

#: The metadata key of a success result's transition description
#: (docs/language.md#processing).
DESCRIPTION_KEY = "transition_description"


class GuardForm(enum.Enum):
    """How a decider calls one guard."""

    #: ``guard(ctx)``, passing when true.
    CALL = "call"
    #: ``guard(ctx)``, passing when false (``{not: name}``).
    NEGATED = "negated"
    #: ``guard(ctx, key=value, ...)``, passing when true (``params``).
    KEYWORDS = "keywords"
    #: A function compiled from a guard expression: a real ``bool``.
    EXPRESSION = "expression"


#: The letter of each form in a decider's name.
_FORM_MARKS = {
    GuardForm.CALL: "c",
    GuardForm.NEGATED: "n",
    GuardForm.KEYWORDS: "k",
    GuardForm.EXPRESSION: "e",
}


@dataclass(frozen=True, slots=True)
class GuardCall:
    """How one guard is called: its form, and the keywords of ``KEYWORDS``."""

    form: GuardForm
    keywords: tuple[str, ...] = ()


#: The plain call, shared.
PLAIN_CALL = GuardCall(GuardForm.CALL)


class ResultForm(enum.Enum):
    """How a decider produces one candidate's result."""

    #: The prebuilt result, returned as it is.
    PREBUILT = "prebuilt"
    #: The prebuilt result with the ``context_updates`` of ``assign``.
    COMPUTED = "computed"


@dataclass(frozen=True, slots=True)
class Called:
    """What a cell calls for one guard: a ``Guards`` method, or a compiled
    guard expression's module-level function (``compiled``)."""

    name: str
    compiled: bool = False


#: The trigger of a timeout's result (the runtime's ``TIMEOUT_TRIGGER``).
TIMEOUT_TRIGGER = "_timeout"
#: The trigger of a fallback's result (the runtime's ``FALLBACK_TRIGGER``).
FALLBACK_TRIGGER = "_fallback"
#: The trigger of a resume cell's results of eventless transitions (the
#: runtime's ``EVENTLESS_TRIGGER``; the result ``process`` returns keeps
#: the event's).
EVENTLESS_TRIGGER = "_eventless"


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
    #: A statechart on configurations: the index of the one moved to.
    configuration: int | None = None
    #: A statechart's ``after:`` deadlines the step starts: (state, seconds
    #: until its earliest entry is due), in entry order.
    deadlines: tuple[tuple[str, int | float], ...] = ()
    #: The result of an ``after:`` entry: its trigger is the runtime's
    #: ``TIMEOUT_TRIGGER``, not a ``Trigger`` member.
    timed: bool = False
    #: A statechart's fallback move: its trigger is ``FALLBACK_TRIGGER``.
    fallback: bool = False
    #: A statechart's step that continues at run time: the key of the
    #: resume cell that decides what follows (the runtime's ``OVERFLOW``
    #: for a step whose ``done.state`` events never stop).
    resume: int | None = None
    #: A resume cell's step: the states with ``after:`` entries it exits
    #: (their deadlines end).
    cancelled: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate of a cell: its guards in call order and its outcome.

    ``guards`` are the guards' labels, as results and errors name them: the
    method's name (``not name`` for a negated one), or an expression's text.
    ``calls`` say what is called for each, ``arguments`` the fixed keyword
    values of each (empty but for ``KEYWORDS``), and ``effect`` names the
    function computing the ``assign`` updates of a ``COMPUTED`` result.
    """

    guards: tuple[str, ...]
    outcome: Outcome
    guard_forms: tuple[GuardCall, ...]
    result_form: ResultForm = ResultForm.PREBUILT
    calls: tuple[Called, ...] = ()
    arguments: tuple[tuple[PlainData, ...], ...] = ()
    effect: str | None = None

    @property
    def plain(self) -> bool:
        """True for plain calls of methods named as the labels, and a prebuilt
        result: what API 2.1 cells hold."""
        return self.result_form is ResultForm.PREBUILT and all(
            call == PLAIN_CALL for call in self.guard_forms
        )


@dataclass(frozen=True, slots=True)
class CandidateShape:
    """How one candidate is decided: its guards' forms and its result's."""

    guards: tuple[GuardCall, ...]
    result: ResultForm

    @property
    def mark(self) -> str:
        """This candidate's part of the decider's name: ``2`` for two plain
        calls (and a prebuilt result), ``nke`` for a negated, a keyword and
        an expression guard, with ``a`` for a computed result."""
        plain = all(call.form is GuardForm.CALL for call in self.guards)
        if plain and self.result is ResultForm.PREBUILT:
            return str(len(self.guards))
        marks = "".join(_FORM_MARKS[call.form] for call in self.guards) or "0"
        return marks + ("a" if self.result is ResultForm.COMPUTED else "")


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
        """The decider factory's name: a mark per candidate.

        ``_decide_2_1``: two plain guards, then one; ``_decide_ne_0a``: a
        negated guard and an expression, then an unguarded candidate whose
        result is computed (see :attr:`CandidateShape.mark`). Shapes that
        differ only in their keywords share a name; :func:`shape_names`
        tells them apart.
        """
        marks = "_".join(candidate.mark for candidate in self.candidates)
        return f"_decide_{marks}"

    @property
    def computes(self) -> bool:
        """True when some candidate's result is computed (``assign``)."""
        return any(c.result is ResultForm.COMPUTED for c in self.candidates)


@dataclass(frozen=True, slots=True)
class Cell:
    """A trigger's candidates from one state, in priority order.

    Candidates after the first unguarded one can never fire and are left
    out (the front end reports them as shadowed).
    """

    trigger: str
    candidates: tuple[Candidate, ...]

    @property
    def decided(self) -> bool:
        """True when a decider is needed: the first candidate has guards, or
        its result is computed. Otherwise the cell is a prebuilt result."""
        first = self.candidates[0]
        return bool(first.guards) or first.result_form is ResultForm.COMPUTED

    @property
    def plain(self) -> bool:
        """True when every candidate is :attr:`Candidate.plain`."""
        return all(candidate.plain for candidate in self.candidates)

    @property
    def shape(self) -> CellShape:
        """The shape of a decided cell's decider."""
        return CellShape(
            tuple(
                CandidateShape(candidate.guard_forms, candidate.result_form)
                for candidate in self.candidates
            )
        )


@dataclass(frozen=True, slots=True)
class RegionsCell:
    """A trigger several parallel regions answer, each with guarded
    candidates: per offer, each candidate's guard names (plain calls), and
    the outcome of each combination of choices (``-1``: the offer took
    none). Every combination missing is a refusal."""

    trigger: str
    offers: tuple[tuple[tuple[str, ...], ...], ...]
    steps: tuple[tuple[tuple[int, ...], Outcome], ...]
    #: What each guard calls, in the order ``offers`` lists them (API 2.7;
    #: empty: the ``Guards`` methods the labels name).
    calls: tuple[Called, ...] = ()
    #: Each guard's fixed keyword arguments, as (keyword, value) pairs.
    arguments: tuple[tuple[tuple[str, PlainData], ...], ...] = ()
    #: The positions of the guards that pass on a false answer.
    negated: tuple[int, ...] = ()
    #: The ``assign`` function of each combination that computes updates.
    effects: tuple[tuple[tuple[int, ...], str], ...] = ()

    #: Decided by the runtime's ``Regions`` cell, not by a decider factory.
    decided = False

    @property
    def plain(self) -> bool:
        """Plain calls of the methods the labels name, no ``assign``: what
        API 2.3's ``Regions`` runs."""
        labels = [label for offer in self.offers for names in offer for label in names]
        calls = zip(self.calls, labels[: len(self.calls)], strict=True)
        return (
            all(not call.compiled and call.name == label for call, label in calls)
            and not any(self.arguments)
            and not self.negated
            and not self.effects
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One state's cells, and the transitions that may leave it (spec order).

    A statechart on configurations has a row per configuration (the index
    in ``configuration``); ``state`` is then its first active atomic state.
    """

    state: str
    cells: tuple[Cell | RegionsCell, ...]
    leaving: tuple[int, ...]
    configuration: int | None = None


def decision_table(
    spec: MachineSpec, compiled: CompiledFunctions | None = None
) -> tuple[Row, ...]:
    """Every state's row, in declaration order; terminal states have none.

    Candidates come in the order :meth:`MachineSpec.dispatch` tries them
    (named sources first, then wildcards, each in spec order); everything
    after an unguarded one is left out (it can never fire). Linear in the
    spec. Triggers appear in each row in order of first appearance.
    ``compiled`` names the functions of guard expressions and ``assign``
    (made from ``spec`` when not given).
    """
    if compiled is None:
        compiled = CompiledFunctions.of(spec)
    rows = dict(spec.dispatch())
    described = {t.index: {DESCRIPTION_KEY: t.description} for t in spec.transitions}
    guarded_by = {t.index: guarding(t, compiled) for t in spec.transitions}
    table = []
    for state in spec.states:
        cells = []
        leaving: set[int] = set()
        for trigger, transitions in rows.get(state.name, ()):
            leaving.update(t.index for t in transitions)
            candidates = []
            for transition in transitions:
                dest = spec.state(transition.dest)
                outcome = Outcome(
                    source=state.name,
                    target=dest.name,
                    trigger=trigger,
                    actions=transition.actions,
                    # The flat rule: exit the source, enter the dest.
                    on_exit=state.on_exit,
                    on_enter=dest.on_enter,
                    metadata=described[transition.index],
                )
                candidates.append(with_outcome(guarded_by[transition.index], outcome))
                if not _items(transition):
                    break  # the candidates behind it never fire
            cells.append(Cell(trigger, tuple(candidates)))
        table.append(Row(state.name, tuple(cells), tuple(sorted(leaving))))
    return tuple(table)


def _items(transition: Transition) -> tuple[GuardItem, ...]:
    """The transition's guard items (a model without them: its guard names)."""
    if transition.guard_items or not transition.guards:
        return transition.guard_items
    return tuple(NamedGuard(name) for name in transition.guards)


def guarding(transition: Transition, compiled: CompiledFunctions) -> Candidate:
    """A candidate of ``transition`` with a placeholder outcome: how it is
    guarded and how its result is made, the same from every source."""
    labels: list[str] = []
    forms: list[GuardCall] = []
    calls: list[Called] = []
    arguments: list[tuple[PlainData, ...]] = []
    for item in _items(transition):
        if isinstance(item, ExpressionGuard):
            labels.append(item_label(item))
            forms.append(GuardCall(GuardForm.EXPRESSION))
            calls.append(Called(compiled.guard_name(item), compiled=True))
            arguments.append(())
            continue
        calls.append(Called(item.name))
        if item.negated:
            labels.append(f"not {item.name}")
            forms.append(GuardCall(GuardForm.NEGATED))
            arguments.append(())
        elif item.params:
            labels.append(item.name)
            keywords = tuple(param.name for param in item.params)
            forms.append(GuardCall(GuardForm.KEYWORDS, keywords))
            arguments.append(tuple(param.value for param in item.params))
        else:
            labels.append(item.name)
            forms.append(PLAIN_CALL)
            arguments.append(())
    effect = compiled.effect_name(transition.assign) if transition.assign else None
    return Candidate(
        guards=tuple(labels),
        outcome=_NO_OUTCOME,
        guard_forms=tuple(forms),
        result_form=ResultForm.COMPUTED if effect else ResultForm.PREBUILT,
        calls=tuple(calls),
        arguments=tuple(arguments),
        effect=effect,
    )


def with_outcome(candidate: Candidate, outcome: Outcome) -> Candidate:
    """``candidate`` (made by :func:`guarding`) with ``outcome``."""
    return Candidate(
        guards=candidate.guards,
        outcome=outcome,
        guard_forms=candidate.guard_forms,
        result_form=candidate.result_form,
        calls=candidate.calls,
        arguments=candidate.arguments,
        effect=candidate.effect,
    )


def item_label(item: GuardItem) -> str:
    """How results and errors name a guard item: its name (``not name``
    when negated), or an expression's text on one line."""
    if isinstance(item, ExpressionGuard):
        return " ".join(item.text.split()) or "expression"
    return f"not {item.name}" if item.negated else item.name


_NO_OUTCOME = Outcome("", "", "", (), (), (), {})


@dataclass(frozen=True, slots=True)
class Start:
    """What creating an entity does: the state it is stored in and every
    ``on_enter`` on the way there, outermost first."""

    target: str
    on_enter: tuple[str, ...]
    #: A statechart on configurations: the index of the one started in.
    configuration: int | None = None
    #: The ``after:`` deadlines the start sets (see :class:`Outcome`).
    deadlines: tuple[tuple[str, int | float], ...] = ()
    #: The resume cell that continues the start (see :class:`Outcome`).
    resume: int | None = None


def start(spec: MachineSpec) -> Start:
    """The flat rule: creating an entity enters the initial state."""
    initial = spec.initial_state
    return Start(initial.name, initial.on_enter)


def shapes(rows: tuple[Row, ...]) -> tuple[CellShape, ...]:
    """The distinct shapes of the decided cells, in order of first use."""
    found: dict[CellShape, None] = {}
    for row in rows:
        for cell in row.cells:
            if isinstance(cell, Cell) and cell.decided:
                found.setdefault(cell.shape)
    return tuple(found)


def shape_names(shapes: tuple[CellShape, ...]) -> dict[CellShape, str]:
    """Each shape's decider name: :attr:`CellShape.name`, with ``_v2``,
    ``_v3``... for later shapes whose only difference is their keywords."""
    names: dict[CellShape, str] = {}
    taken: dict[str, int] = {}
    for shape in shapes:
        base = shape.name
        count = taken[base] = taken.get(base, 0) + 1
        names[shape] = base if count == 1 else f"{base}_v{count}"
    return names
