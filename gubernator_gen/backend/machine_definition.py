"""``_DEFINITION`` and the public constants: what the machine is.

* :func:`definition` — the ``MachineDefinition`` (states, transitions,
  which transitions leave each state, the error policy), what the
  machine's queries answer from;
* :func:`constants` — the public constants (name, version, initial and
  terminal states, timeouts, the spec's hash).

Part of the bulk, like the decision tables of
:mod:`gubernator_gen.backend.bulk`: expressions for the emitter, built from
the nodes of :mod:`gubernator_gen.backend.atoms`.
"""

from __future__ import annotations

from collections.abc import Mapping

from gubernator_gen.backend import literals, naming
from gubernator_gen.backend.atoms import data, seconds, string, strings
from gubernator_gen.backend.chart_factored import FactoredModule
from gubernator_gen.backend.chart_module import ChartModule
from gubernator_gen.backend.decisions import Row
from gubernator_gen.backend.emit import Atom, Call, DictOf, Expr, SetOf, TupleOf
from gubernator_gen.backend.naming import ModuleNames
from gubernator_gen.model import MachineSpec, State, StateKind, Transition

_STATE_TYPES: Mapping[StateKind, str] = {
    StateKind.INITIAL: naming.runtime("StateType.INITIAL"),
    StateKind.STABLE: naming.runtime("StateType.STABLE"),
    StateKind.TERMINAL: naming.runtime("StateType.TERMINAL"),
    StateKind.ERROR: naming.runtime("StateType.ERROR"),
}


def _timeout(state: State, names: ModuleNames) -> Call:
    timeout = state.timeout
    assert timeout is not None  # callers filter on it
    return Call(
        naming.runtime("StateTimeout"),
        (
            ("seconds", seconds(timeout.seconds)),
            ("destination", Atom(names.state(timeout.destination))),
        ),
    )


def constants(
    spec: MachineSpec,
    names: ModuleNames,
    chart: ChartModule | FactoredModule | None = None,
) -> tuple[tuple[str, Expr], ...]:
    """``(target with annotation, value)`` of each public constant.

    For a statechart (``chart``), ``INITIAL_STATE`` is the atomic state
    ``start()`` rests in and ``TERMINAL_STATES`` the top-level terminal
    states (a nested one is a final child, not the machine's end).
    """
    final = naming.FINAL.alias
    proxy = naming.MAPPING_PROXY.alias
    if chart is None:
        initial = spec.initial_state.name
        terminal_names = tuple(s.name for s in spec.terminal_states)
    else:
        initial, terminal_names = chart.initial, chart.terminal
    terminal = tuple(Atom(names.state(name)) for name in terminal_names)
    timeouts = tuple(
        (Atom(names.state(s.name)), _timeout(s, names))
        for s in spec.states
        if s.timeout is not None
    )
    timeouts_type = (
        f"{final}[{naming.MAPPING.alias}[{naming.STATE}, "
        f"{naming.runtime('StateTimeout')}]]"
    )
    return (
        (f"{naming.MACHINE_NAME}: {final}", string(spec.name)),
        (f"{naming.VERSION}: {final}", string(spec.version)),
        (f"{naming.STRICT_MODE}: {final}", Atom(repr(bool(spec.strict_mode)))),
        (f"{naming.INITIAL_STATE}: {final}", Atom(names.state(initial))),
        (
            f"{naming.TERMINAL_STATES}: {final}[frozenset[{naming.STATE}]]",
            Call("frozenset", ((None, SetOf(terminal)),) if terminal else ()),
        ),
        (
            f"{naming.TIMEOUTS}: {timeouts_type}",
            Call(proxy, ((None, DictOf(timeouts)),)),
        ),
        (f"{naming.SPEC_SHA256}: {final}", string(spec.spec_sha256)),
    )


def _state_info(state: State, names: ModuleNames) -> Call:
    # Arguments equal to the runtime's defaults are left out: an empty
    # description, action list or metadata, and no timeout.
    args: list[tuple[str | None, Expr]] = [
        ("name", Atom(names.state(state.name))),
        ("type", Atom(_STATE_TYPES[state.kind])),
    ]
    if state.description:
        args.append(("description", string(state.description)))
    if state.on_enter:
        args.append(("on_enter", strings(state.on_enter)))
    if state.on_exit:
        args.append(("on_exit", strings(state.on_exit)))
    if state.timeout is not None:
        args.append(("timeout", _timeout(state, names)))
    if state.metadata:
        args.append(("metadata", data(state.metadata)))
    return Call(naming.runtime("StateInfo"), tuple(args))


def _transition_info(transition: Transition, names: ModuleNames) -> Call:
    args: list[tuple[str | None, Expr]] = [
        ("index", Atom(str(transition.index))),
        ("trigger", Atom(names.trigger(transition.trigger))),
        ("sources", TupleOf(tuple(Atom(names.state(s)) for s in transition.sources))),
        ("dest", Atom(names.state(transition.dest))),
    ]
    if transition.guards:
        args.append(("guards", strings(transition.guards)))
    if transition.actions:
        args.append(("actions", strings(transition.actions)))
    if transition.description:
        args.append(("description", string(transition.description)))
    if transition.metadata:
        args.append(("metadata", data(transition.metadata)))
    return Call(naming.runtime("TransitionInfo"), tuple(args))


def definition(
    spec: MachineSpec,
    names: ModuleNames,
    rows: tuple[Row, ...],
    parents: tuple[tuple[str, str], ...] = (),
) -> Call:
    """The ``MachineDefinition`` of ``spec``; ``parents`` (each nested
    state with its parent) only for a statechart."""
    policy = spec.error_policy
    fallback = policy.default_fallback
    # A machine on configurations has several rows per state: their union.
    by_state: dict[str, set[int]] = {}
    for row in rows:
        if row.leaving:
            by_state.setdefault(row.state, set()).update(row.leaving)
    leaving = tuple(
        (
            Atom(names.state(state)),
            TupleOf(tuple(Atom(str(i)) for i in sorted(indices))),
        )
        for state, indices in by_state.items()
    )
    return Call(
        naming.runtime("MachineDefinition"),
        (
            ("name", Atom(naming.MACHINE_NAME)),
            ("version", Atom(naming.VERSION)),
            ("strict_mode", Atom(naming.STRICT_MODE)),
            ("description", string(spec.description)),
            ("state_type", Atom(naming.STATE)),
            ("trigger_type", Atom(naming.TRIGGER)),
            ("initial_state", Atom(naming.INITIAL_STATE)),
            ("states", TupleOf(tuple(_state_info(s, names) for s in spec.states))),
            (
                "transitions",
                TupleOf(tuple(_transition_info(t, names) for t in spec.transitions)),
            ),
            ("leaving", Call(naming.MAPPING_PROXY.alias, ((None, DictOf(leaving)),))),
            (
                "error_policy",
                Call(
                    naming.runtime("ErrorPolicy"),
                    (
                        (
                            "default_fallback",
                            Atom("None" if fallback is None else names.state(fallback)),
                        ),
                        (
                            "retry_attempts",
                            Atom(literals.int_literal(policy.retry_attempts)),
                        ),
                    ),
                ),
            ),
            ("spec_sha256", Atom(naming.SPEC_SHA256)),
            *_parents(parents, names),
        ),
    )


def _parents(
    parents: tuple[tuple[str, str], ...], names: ModuleNames
) -> tuple[tuple[str | None, Expr], ...]:
    if not parents:
        return ()
    entries = tuple(
        (Atom(names.state(child)), Atom(names.state(parent)))
        for child, parent in parents
    )
    return (("parents", Call(naming.MAPPING_PROXY.alias, ((None, DictOf(entries)),))),)
