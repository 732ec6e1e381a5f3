"""The decision table of a statechart, from the build-time SCXML tables.

A spec with compound states is compiled by
:func:`gubernator_gen.backend.statechart.compile_chart`; when it has neither
parallel states nor history the tables are keyed by atomic state, and
every cell has one offer: the atomic state's candidates from the state
outwards, each with the complete step its choice takes. This module turns
those cells into the same :class:`~gubernator_gen.backend.decisions.Row` and
:class:`~gubernator_gen.backend.decisions.Cell` values a flat machine has, so
``process`` on an atomic state is the flat lookup and call.

A step's actions keep SCXML's order in the result: the first microstep's
exit actions (innermost first) are ``on_exit_actions``, its transition's
actions ``actions_to_execute``, and its entry actions (outermost first)
followed by every action of the eventless and ``done.state`` microsteps
folded in after it are ``on_enter_actions``; ``all_actions`` is the exact
order. ``target_state`` is the atomic state the step rests in.

``after:`` entries become a second table (:func:`delay_table`): per key,
each active entry with its cell, which ``check_timeout`` consults; every
result carries the deadlines its step starts.

A step that ends at a guarded decision inside the macrostep (a guarded
``always:`` or ``done.state`` transition) names the resume cell that
continues it (:mod:`.chart_keys`); :mod:`.chart_resumes` emits those cells.

``in_state`` tests are decided per key before anything reads the tables
(:mod:`.chart_folding`); several regions answering one event make a
``Regions`` cell (:mod:`.chart_regions`); ``error_policy.default_fallback``
is one more table of prebuilt moves (:mod:`.chart_fallback`).

What is not compiled yet is refused here with one located error (see
:func:`compile_for_module`). The module is longer than most because the
decision table, the ``after:`` table and the refusals share its helpers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend import (
    chart_assign,
    chart_factored,
    chart_fallback,
    chart_folding,
    chart_regions,
    decisions,
)
from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.backend.chart_keys import (
    resume_key,
    resume_keys,
    transition_of,
)
from gubernator_gen.backend.compiled import CompiledFunctions, Effect
from gubernator_gen.backend.statechart import (
    ChartProblem,
    FactoredTables,
    Limits,
    compile_chart,
)
from gubernator_gen.backend.statechart.chart import Delay, Origin, TransitionRef
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import (
    Candidate,
    Cell,
    Configuration,
    Offer,
    Phase,
    Resume,
    Step,
)
from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.expressions.nodes import reads_state
from gubernator_gen.model import (
    ExpressionGuard,
    MachineSpec,
    NamedGuard,
    PlainData,
    Transition,
)


@dataclass(frozen=True, slots=True)
class ChartModule:
    """What the module of a statechart needs beyond a flat one's plan.

    ``tables`` are the build-time tables; ``initial`` is the atomic state
    ``start()`` rests in (the first in document order on configurations);
    ``terminal`` the top-level terminal states (a nested one is a final
    child, which its parent's transitions still leave); ``parents`` each
    nested state with its parent, in document order; ``history`` the
    history pseudo-states. ``configurations`` are the keys of a machine
    processed on configurations (one with history or parallel states), in
    the order the module lists them; empty when keyed by state.
    """

    tables: ConfigurationTables
    initial: str
    terminal: tuple[str, ...]
    parents: tuple[tuple[str, str], ...]
    history: tuple[str, ...] = ()
    configurations: tuple[Configuration, ...] = ()
    #: Each resume cell's key in the module (``_RESUMES``); ``None`` when no
    #: step continues at run time (see :mod:`.chart_resumes`).
    resume_keys: Mapping[Resume, int] | None = None
    #: The fallback move of each key not inside ``default_fallback``.
    fallbacks: tuple[tuple[Configuration, Step], ...] = ()

    @property
    def configured(self) -> bool:
        """True when the machine is processed on configurations."""
        return bool(self.configurations)


@dataclass(frozen=True, slots=True)
class ChartCompilation:
    """The result of :func:`compile_for_module`: a module or one error."""

    module: ChartModule | chart_factored.FactoredModule | None
    diagnostics: tuple[Diagnostic, ...]


def compile_for_module(
    spec: MachineSpec, limits: Limits | None = None
) -> ChartCompilation:
    """Compile ``spec``'s statechart for a generated module, or refuse it.

    At most one diagnostic: the first construct (in document order) that
    is not compiled yet, or the unguarded eventless loop the chart has.
    ``limits`` (tests only) replace the table rule's limits; past them the
    module is factored (:mod:`gubernator_gen.backend.chart_factored`).
    """
    refusal = _first_unsupported(spec)
    if refusal is not None:
        return ChartCompilation(None, (refusal,))
    # The fallback move is one more (pseudo) transition of the tables.
    charted = chart_fallback.extended(spec)
    try:
        tables = compile_chart(charted, limits)
        if not isinstance(tables, ConfigurationTables):
            return _factored(spec, tables)
    except ChartProblem as problem:
        refs = problem.problem.transitions
        # An always: transition of the loop, rather than the event that led
        # into it; else the transition that closes it.
        eventless = [r for r in refs if r.origin is Origin.ALWAYS]
        pos = _position(charted, eventless[0] if eventless else refs[-1])
        message = (
            f"{problem.problem.message}: an eventless or done.state transition "
            "on the loop needs a guard, or another target"
        )
        return ChartCompilation(
            None, (error(backend_codes.EVENTLESS_LOOP, message, pos),)
        )
    late = _run_time_decision(charted, tables)
    if late is not None:
        return ChartCompilation(None, (late,))
    tables, fallbacks = chart_fallback.split(spec, tables)
    unassigned = _assign_without_context(
        charted, tables.start, tuple(step for _, step in fallbacks)
    )
    if unassigned is not None:
        return ChartCompilation(None, (unassigned,))
    if any(step.resume is not None or step.overflow for _, step in fallbacks):
        # The executor proposes a prebuilt move; it follows no resume cell.
        return ChartCompilation(
            None,
            (
                _not_yet(
                    spec.pos,
                    "an error_policy.default_fallback whose move goes on with "
                    "guarded eventless or done.state transitions",
                ),
            ),
        )
    if chart_folding.reads_states(spec):
        tables = chart_folding.fold_tables(spec, tables)
    tree = spec.tree
    module = ChartModule(
        resume_keys=resume_keys(tables),
        tables=tables,
        initial=tables.start.target.atomic[0],
        history=tuple(s.name for s in spec.states if s.is_history),
        configurations=() if tables.keyed_by_state else tables.keys,
        terminal=tuple(
            s.name for s in spec.states if s.is_terminal and s.parent is None
        ),
        parents=tuple(
            (s.name, s.parent)
            for s in spec.states
            if s.parent is not None and tree.parents[s.name] is not None
        ),
        fallbacks=fallbacks,
    )
    return ChartCompilation(module, ())


def _factored(spec: MachineSpec, tables: FactoredTables) -> ChartCompilation:
    """The factored module of a chart past the table limits, or the
    refusal of what its runtime cannot decide per event yet."""
    if chart_folding.reads_states(spec):
        # Cells are not keyed by configuration: no key to decide it for.
        return ChartCompilation(
            None,
            (_not_yet(spec.pos, "in_state() in a chart past the table limits"),),
        )
    if spec.error_policy.default_fallback is not None:
        return ChartCompilation(
            None,
            (
                _not_yet(
                    spec.pos,
                    "error_policy.default_fallback in a chart past the table limits",
                ),
            ),
        )
    return ChartCompilation(chart_factored.factored_module(spec, tables), ())


def _not_yet(pos: SourcePos, what: str) -> Diagnostic:
    return error(
        backend_codes.STATECHART_NOT_COMPILED,
        f"{what}: not compiled yet by this gubernator-gen (compound, history "
        "and parallel states are)",
        pos,
    )


def _first_unsupported(spec: MachineSpec) -> Diagnostic | None:
    """The first construct the generated modules cannot run yet."""
    for state in spec.states:
        for always in state.always:
            for item in always.guard_items:
                if isinstance(item, ExpressionGuard) and reads_state(item.expr):
                    # Asked inside a step, in a resume cell: those cells are
                    # not decided per key (chart_folding folds event cells).
                    return _not_yet(
                        item.pos or always.pos, "in_state() in an always: guard"
                    )
    return None


def _position(spec: MachineSpec, ref: TransitionRef) -> SourcePos:
    """Where the statechart transition ``ref`` is written."""
    if ref.origin is Origin.EVENT:
        return spec.transitions[ref.index].pos
    state = spec.state(ref.source)
    if ref.origin is Origin.ALWAYS:
        return state.always[ref.index].pos
    return state.after_entries[ref.index].pos


def _run_time_decision(
    spec: MachineSpec, tables: ConfigurationTables
) -> Diagnostic | None:
    """A guard asked inside a step, in a resume cell, that modules cannot
    ask there yet: ``in_state()`` (resume cells are not decided per key),
    or guard items or ``assign`` where several regions decide at once."""
    for cell in tables.resumes.values():
        for offer in cell.offers:
            for candidate in offer.candidates:
                transition = transition_of(spec, candidate.transition)
                if any(
                    isinstance(item, ExpressionGuard) and reads_state(item.expr)
                    for item in transition.guard_items
                ):
                    return _not_yet(
                        _position(spec, candidate.transition),
                        "in_state() in a guard asked inside a step (a "
                        "transition taken on a done.state event)",
                    )
        if len(cell.offers) < 2 or _settled(spec, cell):
            continue
        for offer in cell.offers:
            for candidate in offer.candidates:
                if not _plain(transition_of(spec, candidate.transition)):
                    return _not_yet(
                        _position(spec, candidate.transition),
                        "guard items or assign on a transition that several "
                        "parallel regions may take inside a step",
                    )
    return None


def _assign_without_context(
    spec: MachineSpec, start: Step, fallbacks: tuple[Step, ...]
) -> Diagnostic | None:
    """``assign`` on a transition that a prebuilt result with no
    ``context_updates`` takes: ``start()``'s step, or a fallback move's
    (``done.state`` transitions taken on the way in)."""
    for step, what in (
        (start, "start()"),
        *((f, "a fallback move") for f in fallbacks),
    ):
        for micro in step.microsteps:
            for ref in micro.transitions:
                if ref.origin is Origin.EVENT and spec.transitions[ref.index].assign:
                    return _not_yet(
                        _position(spec, ref),
                        f"assign on a done.state transition taken by {what}",
                    )
    return None


def _guarded_or_assigns(spec: MachineSpec, offer: Offer) -> bool:
    first = offer.candidates[0]
    return first.guarded or bool(transition_of(spec, first.transition).assign)


def _plain(transition: Transition) -> bool:
    """Plain guard calls and no ``assign``: what a ``Regions`` cell runs."""
    items = transition.guard_items
    return not transition.assign and all(
        isinstance(item, NamedGuard) and not item.negated and not item.params
        for item in items
    )


def _settled(spec: MachineSpec, cell: Cell) -> bool:
    """Several regions answer: one step when no region's choice is open."""
    return not any(_guarded_or_assigns(spec, offer) for offer in cell.offers)


# -- the decision table ---------------------------------------------------------


def _deadlines(step: Step) -> tuple[tuple[str, int | float], ...]:
    """Each state whose ``after:`` entries the step starts, with the seconds
    of its earliest entry, in entry order."""
    earliest: dict[str, int | float] = {}
    for deadline in step.deadlines:
        state = deadline.trigger.state
        known = earliest.get(state)
        if known is None or deadline.seconds < known:
            earliest[state] = deadline.seconds
    return tuple(earliest.items())


def _outcome(
    source: str,
    trigger: str,
    step: Step,
    metadata: Mapping[str, PlainData],
    index: Mapping[Configuration, int],
    timed: bool = False,
    resumes: Mapping[Resume, int] | None = None,
    continued: bool = False,
) -> decisions.Outcome:
    """A step's result. ``resumes`` numbers the resume cells when the module
    follows them: the result then names its step's continuation. A resume
    cell's step (``continued``) may have no microstep, and carries the
    deadlines it cancels."""
    first, *rest = step.microsteps or (None,)
    actions = () if first is None else first.actions
    return decisions.Outcome(
        source=source,
        target=step.target.atomic[0],
        trigger=trigger,
        actions=tuple(a.name for a in actions if a.phase is Phase.TRANSITION),
        on_exit=tuple(a.name for a in actions if a.phase is Phase.EXIT),
        on_enter=(
            *(a.name for a in actions if a.phase is Phase.ENTER),
            *(a.name for micro in rest if micro is not None for a in micro.actions),
        ),
        metadata=metadata,
        configuration=index.get(step.target),
        deadlines=_deadlines(step),
        timed=timed,
        resume=resume_key(step, resumes),
        cancelled=step.cancelled if continued else (),
    )


def decision_table(
    spec: MachineSpec, module: ChartModule, compiled: CompiledFunctions
) -> tuple[decisions.Row, ...]:
    """Every key's row: each atomic state in document order (compound states
    have none: ``process`` refuses them), or each configuration in the
    module's order. Cells keep the flat table's form."""
    order = {trigger: i for i, trigger in enumerate(spec.triggers)}
    index = {key: i for i, key in enumerate(module.configurations)}
    resumes = module.resume_keys
    folding = chart_folding.reads_states(spec)
    active: frozenset[str] = frozenset()
    guarding: dict[int, decisions.Candidate] = {}
    rows = []
    for key, row in module.tables.cells.items():
        atomic = key.atomic[0]
        if folding:  # each key sees its own in_state tests decided
            guarding = {}
            active = chart_folding.active_states(spec, key)
        cells: list[decisions.Cell | decisions.RegionsCell] = []
        leaving: set[int] = set()
        for trigger in sorted(
            (t for t in row if isinstance(t, str)), key=order.__getitem__
        ):
            candidates = []
            for offer in row[trigger].offers:
                leaving.update(c.transition.index for c in offer.candidates)
            if len(row[trigger].offers) > 1:
                regions = _Regions(
                    spec, compiled, active if folding else None, index, resumes
                )
                cells.append(regions.cell(atomic, trigger, row[trigger]))
                continue
            for candidate, step in _choices(row[trigger]):
                ref = candidate.transition.index
                transition = spec.transitions[ref]
                if ref not in guarding:
                    seen = (
                        chart_folding.seen_from(transition, active)
                        if folding
                        else transition
                    )
                    guarding[ref] = decisions.guarding(seen, compiled)
                described = {decisions.DESCRIPTION_KEY: transition.description}
                outcome = _outcome(
                    atomic, trigger, step, described, index, False, resumes
                )
                candidate_of = chart_assign.with_step_effect(
                    guarding[ref], spec, step, compiled, active if folding else None
                )
                candidates.append(decisions.with_outcome(candidate_of, outcome))
            cells.append(decisions.Cell(trigger, tuple(candidates)))
        rows.append(
            decisions.Row(atomic, tuple(cells), tuple(sorted(leaving)), index.get(key))
        )
    if module.configured:
        return tuple(sorted(rows, key=lambda r: r.configuration or 0))
    by_order = spec.tree.order
    return tuple(sorted(rows, key=lambda r: by_order[r.state]))


@dataclass(frozen=True, slots=True)
class _Regions:
    """Cells several regions answer (see :mod:`.chart_regions`), seen from
    one key (``active``: its states, when ``in_state`` is decided);
    ``index`` numbers the configurations and ``resumes`` the resume cells."""

    spec: MachineSpec
    compiled: CompiledFunctions
    active: frozenset[str] | None
    index: Mapping[Configuration, int]
    resumes: Mapping[Resume, int] | None

    def _effect(self, step: Step) -> str | None:
        assign = chart_assign.step_assign(self.spec, step, self.active)
        return self.compiled.effect_name(assign) if assign else None

    def _outcome(self, atomic: str, trigger: str, step: Step) -> decisions.Outcome:
        first = self.spec.transitions[step.microsteps[0].transitions[0].index]
        described = {decisions.DESCRIPTION_KEY: first.description}
        return _outcome(
            atomic, trigger, step, described, self.index, False, self.resumes
        )

    def cell(
        self, atomic: str, trigger: str, cell: Cell
    ) -> decisions.Cell | decisions.RegionsCell:
        """One candidate when no region's choice is open, else a
        ``Regions`` cell with every combination's outcome."""
        if chart_regions.settled(cell):
            step = cell.steps[(0,) * len(cell.offers)]
            effect = self._effect(step)
            candidate = decisions.Candidate(
                (),
                self._outcome(atomic, trigger, step),
                (),
                decisions.ResultForm.COMPUTED
                if effect
                else decisions.ResultForm.PREBUILT,
                effect=effect,
            )
            return decisions.Cell(trigger, (candidate,))
        steps = []
        effects = []
        for choice, step in cell.steps.items():
            steps.append((choice, self._outcome(atomic, trigger, step)))
            effect = self._effect(step)
            if effect is not None:
                effects.append((choice, effect))
        data = chart_regions.guard_data(self.spec, cell, self.compiled, self.active)
        return decisions.RegionsCell(
            trigger,
            data.offers,
            tuple(steps),
            calls=data.calls,
            arguments=data.arguments,
            negated=data.negated,
            effects=tuple(effects),
        )


def _choices(cell: Cell) -> tuple[tuple[Candidate, Step], ...]:
    """The cell's candidates in priority order, each with its step. Several
    offers (parallel regions) are settled: each takes its first candidate."""
    linear = cell.linear
    if linear is not None:
        return linear
    step = cell.steps[(0,) * len(cell.offers)]
    return ((cell.offers[0].candidates[0], step),)


def compiled_functions(spec: MachineSpec, module: ChartModule) -> CompiledFunctions:
    """The functions the statechart's module compiles: the spec's, and those
    its cells call once their ``in_state`` tests are decided."""
    decided: list[ExpressionGuard | Effect] = []
    if chart_folding.reads_states(spec):
        decided.extend(chart_folding.compiled_items(spec, module.tables))
    decided.extend(chart_regions.compiled_assigns(spec, module.tables))
    # After the others, so the numbering of a module without them stays.
    decided.extend(chart_assign.later_effects(spec, module.tables))
    return CompiledFunctions.of(spec, decided)


def start(module: ChartModule) -> decisions.Start:
    """``start()``: the initial leaf, every action on the way in order."""
    step = module.tables.start
    configurations = module.configurations
    return decisions.Start(
        step.target.atomic[0],
        tuple(a.name for a in step.actions),
        configurations.index(step.target) if configurations else None,
        _deadlines(step),
        resume_key(step, module.resume_keys),
    )


# -- after: entries -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DelayCell:
    """An active ``after:`` entry of a key: entry ``index`` of ``state``,
    due ``seconds`` after ``state`` was entered, and how it is decided."""

    state: str
    index: int
    seconds: int | float
    cell: decisions.Cell


@dataclass(frozen=True, slots=True)
class DelayRow:
    """A key's active ``after:`` entries in SCXML priority order (the key
    as in :class:`~gubernator_gen.backend.decisions.Row`)."""

    state: str
    configuration: int | None
    cells: tuple[DelayCell, ...]

    @property
    def row(self) -> decisions.Row:
        """The cells as a decision row, to find their decider shapes."""
        return decisions.Row(
            self.state, tuple(c.cell for c in self.cells), (), self.configuration
        )


def _priority(spec: MachineSpec, key: Configuration) -> tuple[str, ...]:
    """The states whose transitions the key's atomic states see, in SCXML
    priority: each atomic state (document order) then its ancestors,
    innermost first, each state once."""
    found: dict[str, None] = {}
    for atomic in key.atomic:
        found.setdefault(atomic)
        for ancestor in spec.tree.ancestors(atomic):
            found.setdefault(ancestor)
    return tuple(found)


def _delay_cell(
    spec: MachineSpec,
    key: Configuration,
    delay: Delay,
    cell: Cell,
    compiled: CompiledFunctions,
    index: Mapping[Configuration, int],
    resumes: Mapping[Resume, int] | None = None,
) -> DelayCell:
    after = spec.state(delay.state).after_entries[delay.index]
    # Only the state's own entry answers its delay: every offer (one per
    # region below a parallel state) holds that one candidate, its guard
    # items with in_state decided for the key.
    step = cell.steps[(0,) * len(cell.offers)]
    items = cell.offers[0].candidates[0].guard_items
    seen_as = Transition(
        index=-1,
        trigger=decisions.TIMEOUT_TRIGGER,
        sources=(delay.state,),
        dest=after.dest,
        guards=after.guards,
        actions=after.actions,
        description=after.description,
        metadata={},
        pos=after.pos,
        guard_items=items,
    )
    metadata: dict[str, PlainData] = {
        "reason": "timeout",
        "timeout_state": delay.state,
        "timeout_index": delay.index,
        "timeout_seconds": after.seconds,
    }
    if after.description:
        metadata[decisions.DESCRIPTION_KEY] = after.description
    outcome = _outcome(
        key.atomic[0],
        decisions.TIMEOUT_TRIGGER,
        step,
        metadata,
        index,
        timed=True,
        resumes=resumes,
    )
    folding = chart_folding.reads_states(spec)
    candidate = chart_assign.with_step_effect(
        decisions.guarding(seen_as, compiled),
        spec,
        step,
        compiled,
        chart_folding.active_states(spec, key) if folding else None,
    )
    candidate = decisions.with_outcome(candidate, outcome)
    return DelayCell(
        delay.state,
        delay.index,
        after.seconds,
        decisions.Cell(decisions.TIMEOUT_TRIGGER, (candidate,)),
    )


def delay_table(
    spec: MachineSpec, module: ChartModule, compiled: CompiledFunctions
) -> tuple[DelayRow, ...]:
    """The ``after:`` entries of every key that has active ones, keys in the
    order of :func:`decision_table`; empty when the chart has none."""
    if not any(state.after_entries for state in spec.states):
        return ()
    index = {key: i for i, key in enumerate(module.configurations)}
    rows = []
    for key, row in module.tables.cells.items():
        entries = []
        for state in _priority(spec, key):
            for number in range(len(spec.state(state).after_entries)):
                delay = Delay(state, number)
                cell = row.get(delay)
                if cell is not None and cell.offers:
                    entries.append(
                        _delay_cell(
                            spec, key, delay, cell, compiled, index, module.resume_keys
                        )
                    )
        if entries:
            rows.append(DelayRow(key.atomic[0], index.get(key), tuple(entries)))
    if module.configured:
        return tuple(sorted(rows, key=lambda r: r.configuration or 0))
    by_order = spec.tree.order
    return tuple(sorted(rows, key=lambda r: by_order[r.state]))


# -- the fallback ---------------------------------------------------------------


def fallback_table(
    module: ChartModule,
) -> tuple[tuple[str, int | None, decisions.Outcome], ...]:
    """Each key's fallback result (:mod:`.chart_fallback`), keyed as the
    decision table is; its metadata says why (the runtime adds the failed
    actions). No fallback step continues at run time (refused before)."""
    index = {key: i for i, key in enumerate(module.configurations)}
    metadata: dict[str, PlainData] = {"reason": "action_failed"}
    found = []
    for key, step in module.fallbacks:
        outcome = _outcome(
            key.atomic[0], decisions.FALLBACK_TRIGGER, step, metadata, index
        )
        found.append(
            (
                key.atomic[0],
                index.get(key),
                dataclasses.replace(outcome, fallback=True),
            )
        )
    return tuple(found)
