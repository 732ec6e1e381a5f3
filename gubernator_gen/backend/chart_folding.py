"""``in_state`` in a statechart's module: decided per cell, at build time.

Every cell of a statechart's decision table is keyed by an atomic state or
by a whole configuration, so which states are active when a cell decides
is known when it is built. Each
``in_state("X")`` of a guard expression or an ``assign`` value is replaced
by its value there (:func:`~gubernator_gen.expressions.states.decide_states`):

* a guard expression the states alone make false drops its candidate from
  the cell (an offer with no candidate left drops out, and a cell with no
  offer left is no cell: the trigger does nothing there);
* one they make true is left out of the candidate's guards (a candidate
  left unguarded ends its offer: nothing after it can be chosen);
* otherwise the candidate keeps the simplified expression, which the module
  compiles as a function of its own (it may differ from cell to cell), still
  labelled with the expression as written.

Resume cells (guards asked inside a step: ``always:`` entries,
transitions taken on ``done.state`` events, and the ``idle`` decision after
an event that enabled nothing) are folded the same way, each seen from its
:class:`~gubernator_gen.backend.statechart.tables.Resume`'s configuration,
the one the step is in when it asks. A resume cell left with nothing to
decide and nothing to do (no ``otherwise``) always refuses, which ends the
macrostep where the previous step rested: it is left out, and the steps
that continued into it (and the ``idle`` entries naming it) end there.

The tables are folded once (:func:`fold_tables`), before anything reads
them, so the rest of the back end sees ordinary guard items.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Collection, Iterator, Mapping

from gubernator_gen.backend.statechart.chart import Origin
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import (
    NONE_CHOSEN,
    Candidate,
    Cell,
    Configuration,
    Offer,
    Resume,
    Step,
)
from gubernator_gen.expressions.nodes import Literal, reads_state
from gubernator_gen.expressions.states import decide_states
from gubernator_gen.model import (
    Assignment,
    ExpressionGuard,
    GuardItem,
    MachineSpec,
    Transition,
)


def reads_states(spec: MachineSpec) -> bool:
    """True when some guard expression or ``assign`` value uses ``in_state``."""
    items = [
        *(i for t in spec.transitions for i in t.guard_items),
        *(i for s in spec.states for a in s.after_entries for i in a.guard_items),
        *(i for s in spec.states for a in s.always for i in a.guard_items),
    ]
    return any(
        isinstance(item, ExpressionGuard) and reads_state(item.expr) for item in items
    ) or any(reads_state(a.expr) for t in spec.transitions for a in t.assign)


def active_states(spec: MachineSpec, key: Configuration) -> frozenset[str]:
    """Every state active in ``key``: its atomic states and their ancestors."""
    found = set(key.atomic)
    for atomic in key.atomic:
        found.update(spec.tree.ancestors(atomic))
    return frozenset(found)


def fold_items(
    items: tuple[GuardItem, ...], active: Collection[str]
) -> tuple[GuardItem, ...] | None:
    """``items`` with ``in_state`` decided by ``active``; ``None`` when one
    of them can never pass there."""
    found: list[GuardItem] = []
    for item in items:
        if not isinstance(item, ExpressionGuard) or not reads_state(item.expr):
            found.append(item)
            continue
        expr = decide_states(item.expr, active, truth=True)
        if isinstance(expr, Literal):
            if not expr.value:
                return None
            continue  # always passes here
        found.append(ExpressionGuard(expr, item.text, item.pos))
    return tuple(found)


def fold_assign(
    assign: tuple[Assignment, ...], active: Collection[str]
) -> tuple[Assignment, ...]:
    """``assign`` with each value's ``in_state`` decided by ``active``."""
    if not any(reads_state(entry.expr) for entry in assign):
        return assign
    return tuple(
        Assignment(
            entry.target,
            decide_states(entry.expr, active, truth=False),
            entry.text,
            entry.pos,
        )
        for entry in assign
    )


def seen_from(transition: Transition, active: Collection[str]) -> Transition:
    """``transition`` as a cell where ``active`` holds sees it (its guard
    items and ``assign`` folded; a guard that can never pass is not asked
    for: such a candidate was dropped from the cell)."""
    items = fold_items(transition.guard_items, active)
    return dataclasses.replace(
        transition,
        guard_items=transition.guard_items if items is None else items,
        assign=fold_assign(transition.assign, active),
    )


def fold_cell(cell: Cell, active: Collection[str]) -> Cell | None:
    """``cell`` with its candidates' guards folded (see the module
    docstring); ``None`` when nothing is left to decide."""
    offers: list[Offer] = []
    kept_per_offer: list[tuple[int, ...]] = []
    changed = False
    for offer in cell.offers:
        kept: list[tuple[int, Candidate]] = []
        for index, candidate in enumerate(offer.candidates):
            items = fold_items(candidate.guard_items, active)
            changed = changed or items != candidate.guard_items
            if items is None:
                continue
            folded = Candidate(candidate.transition, candidate.guards, items)
            kept.append((index, folded))
            if not folded.guarded:
                break  # nothing after an unguarded candidate is chosen
        kept_per_offer.append(tuple(index for index, _ in kept))
        if kept:
            offers.append(Offer(offer.atomic, tuple(c for _, c in kept)))
    if not changed:
        return cell
    if not offers:
        # As a trigger no state listens to: the key's idle eventless
        # decision, if any, answers it (``ConfigurationTables.idle``).
        return None
    offers_kept = tuple(offers)
    return Cell(
        offers_kept, _remapped(cell, offers_kept, kept_per_offer), cell.otherwise
    )


def _remapped(
    cell: Cell, offers: tuple[Offer, ...], kept_per_offer: list[tuple[int, ...]]
) -> dict[tuple[int, ...], Step]:
    """The steps of the folded cell: each choice among the kept candidates
    is the original choice of the same candidates (a dropped offer took
    none; an offer that always chooses never takes none)."""
    options = [
        range(0 if offer.always_chooses else NONE_CHOSEN, len(offer.candidates))
        for offer in offers
    ]
    steps: dict[tuple[int, ...], Step] = {}
    for choice in itertools.product(*options):
        if all(index == NONE_CHOSEN for index in choice):
            continue
        picks = iter(choice)
        original = []
        for kept in kept_per_offer:
            pick = next(picks) if kept else NONE_CHOSEN
            original.append(NONE_CHOSEN if pick == NONE_CHOSEN else kept[pick])
        steps[choice] = cell.steps[tuple(original)]
    return steps


def fold_tables(spec: MachineSpec, tables: ConfigurationTables) -> ConfigurationTables:
    """``tables`` with every cell folded for its key, and every resume cell
    for its resume's configuration (see the module docstring)."""
    cells = {}
    for key, row in tables.cells.items():
        active = active_states(spec, key)
        folded = {}
        for trigger, cell in row.items():
            kept = fold_cell(cell, active)
            if kept is not None:
                folded[trigger] = kept
        cells[key] = folded
    resumes, ended = _fold_resumes(spec, tables.resumes)
    if not ended:
        return dataclasses.replace(tables, cells=cells, resumes=resumes)
    return dataclasses.replace(
        tables,
        start=_ending(tables.start, ended),
        cells={
            key: {trigger: _cell_ending(cell, ended) for trigger, cell in row.items()}
            for key, row in cells.items()
        },
        resumes={
            resume: _cell_ending(cell, ended)
            for resume, cell in resumes.items()
            if resume not in ended
        },
        idle={key: r for key, r in tables.idle.items() if r not in ended},
    )


def _fold_resumes(
    spec: MachineSpec, resumes: Mapping[Resume, Cell]
) -> tuple[dict[Resume, Cell], frozenset[Resume]]:
    """Each resume cell folded for its configuration (one with no offer
    left keeps its ``otherwise`` alone), and the cells that always refuse:
    no offer and no ``otherwise`` that does something, which may be a step
    that continues only into such a cell."""
    folded: dict[Resume, Cell] = {}
    for resume, cell in resumes.items():
        kept = fold_cell(cell, active_states(spec, resume.configuration))
        folded[resume] = Cell((), {}, cell.otherwise) if kept is None else kept
    ended: set[Resume] = set()
    while True:
        more = {
            resume
            for resume, cell in folded.items()
            if resume not in ended
            and not cell.offers
            and not _does_something(cell.otherwise, ended)
        }
        if not more:
            return folded, frozenset(ended)
        ended |= more


def _does_something(step: Step | None, ended: Collection[Resume]) -> bool:
    """True when ``step`` runs a transition, or continues into a resume
    cell that is not known to refuse, or overflows."""
    if step is None:
        return False
    continues = step.resume is not None and step.resume not in ended
    return bool(step.microsteps) or continues or step.overflow


def _ending(step: Step, ended: Collection[Resume]) -> Step:
    """``step``, stable at its target when it continued into a cell of
    ``ended`` (that cell always refuses: the macrostep ends there)."""
    if step.resume is None or step.resume not in ended:
        return step
    return dataclasses.replace(step, resume=None)


def _cell_ending(cell: Cell, ended: Collection[Resume]) -> Cell:
    """``cell`` with each of its steps :func:`_ending`."""
    otherwise = cell.otherwise
    return Cell(
        cell.offers,
        {choice: _ending(step, ended) for choice, step in cell.steps.items()},
        None if otherwise is None else _ending(otherwise, ended),
    )


def compiled_items(
    spec: MachineSpec, tables: ConfigurationTables
) -> Iterator[ExpressionGuard | tuple[Assignment, ...]]:
    """The folded guard expressions and ``assign`` lists the folded tables'
    cells use, in table order, then those of the resume cells (for the
    module's compiled functions)."""
    for key, row in tables.cells.items():
        for cell in row.values():
            yield from _cell_items(spec, cell, key)
    for resume, cell in tables.resumes.items():
        yield from _cell_items(spec, cell, resume.configuration)


def _cell_items(
    spec: MachineSpec, cell: Cell, key: Configuration
) -> Iterator[ExpressionGuard | tuple[Assignment, ...]]:
    """The guard expressions and ``assign`` lists of ``cell``'s candidates
    (``assign`` folded for ``key``)."""
    active: frozenset[str] | None = None
    for offer in cell.offers:
        for candidate in offer.candidates:
            for item in candidate.guard_items:
                if isinstance(item, ExpressionGuard):
                    yield item
            ref = candidate.transition
            if ref.origin is not Origin.EVENT:
                continue
            assign = spec.transitions[ref.index].assign
            if any(reads_state(entry.expr) for entry in assign):
                active = active or active_states(spec, key)
                yield fold_assign(assign, active)
