"""A statechart compiled for its generated module, or the reason it is not.

A spec with compound states is compiled by
:func:`gubernator_gen.backend.statechart.compile_chart` into build-time
tables; :func:`compile_for_module` checks what the generated modules cannot
run yet (:mod:`.chart_refusals`, GG480), reports an unguarded eventless
loop (GG481), splits off the ``error_policy.default_fallback`` moves
(:mod:`.chart_fallback`), decides ``in_state`` tests per key
(:mod:`.chart_folding`) and numbers the resume cells (:mod:`.chart_keys`).
The :class:`ChartModule` it returns is what the plan reads: the decision
table (:mod:`.chart_decisions`), the ``after:`` table (:mod:`.chart_delays`)
and the resume cells (:mod:`.chart_resumes`) are made from it. A chart past
the table limits becomes a factored module (:mod:`.chart_factored`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen.backend import (
    chart_factored,
    chart_fallback,
    chart_folding,
    chart_refusals,
)
from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.backend.chart_keys import resume_keys
from gubernator_gen.backend.statechart import (
    ChartProblem,
    FactoredTables,
    Limits,
    compile_chart,
)
from gubernator_gen.backend.statechart.chart import Origin
from gubernator_gen.backend.statechart.configurations import ConfigurationTables
from gubernator_gen.backend.statechart.tables import (
    Configuration,
    Resume,
    Step,
)
from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.model import MachineSpec


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
        pos = chart_refusals.position(charted, eventless[0] if eventless else refs[-1])
        message = (
            f"{problem.problem.message}: an eventless or done.state transition "
            "on the loop needs a guard, or another target"
        )
        return ChartCompilation(
            None, (error(backend_codes.EVENTLESS_LOOP, message, pos),)
        )
    if chart_folding.reads_states(spec):
        # Before the checks: a resume cell's in_state tests decided, its
        # regions' choices may be settled.
        tables = chart_folding.fold_tables(charted, tables)
    late = chart_refusals.run_time_decision(charted, tables)
    if late is not None:
        return ChartCompilation(None, (late,))
    tables, fallbacks = chart_fallback.split(spec, tables)
    moves = tuple(step for _, step in fallbacks)
    refusal = chart_refusals.assign_without_context(
        charted, tables.start, moves
    ) or chart_refusals.continued_fallback(spec, moves)
    if refusal is not None:
        return ChartCompilation(None, (refusal,))
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
    refusal = chart_refusals.factored_unsupported(spec)
    if refusal is not None:
        return ChartCompilation(None, (refusal,))
    return ChartCompilation(chart_factored.factored_module(spec, tables), ())
