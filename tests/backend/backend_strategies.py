"""Hypothesis strategies for random valid machine specs (as models)."""

from __future__ import annotations

from backend_factory import S, T, machine
from hypothesis import strategies as st

from gubernator_gen.model import MachineSpec

# Hostile but valid names: they must all generate working modules.
STATE_NAMES = ["NO", "TRUE", "NONE", "NAME", "VALUE", "MRO", "A", "B2", "I", "O", "X_Y"]
TRIGGER_NAMES = ["import", "class_", "on", "match", "go", "x1", "none", "self", "value"]
GUARD_NAMES = ["match", "case", "type", "_", "self", "ctx", "Context", "bool", "g1"]
ACTION_NAMES = ["match", "self", "Context", "object", "a1", "_", "print", "ctx"]

TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            '"""',
            "back\\slash",
            "{{ x }} {% y %}",
            "line\nbreak",
            "nul\x00",
            "Ωμέγα 中文",
            "x" * 120,  # longer than a line
        ]
    ),
)
PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
METADATA = st.dictionaries(st.text(max_size=8), PLAIN, max_size=3)
CONTEXT = st.none() | st.dictionaries(
    st.sampled_from(["order_id", "class", "amount", "when", "Context", "bool", "ñ"]),
    st.sampled_from(
        [
            "str",
            "int",
            "float",
            "bool",
            "decimal",
            "datetime",
            "date",
            "list",
            "dict",
            "any",
        ]
    ).flatmap(lambda kind: st.sampled_from([kind, kind + "?"])),
    max_size=4,
)


@st.composite
def machine_specs(
    draw: st.DrawFn, *, max_states: int = 6, max_transitions: int = 10
) -> MachineSpec:
    """A random valid machine: one initial state, terminal states without
    ways out, transitions that are never shadowed by an earlier unguarded
    one (the front end rejects those), timeouts, self- and multi-source
    transitions, strict or not."""
    names = draw(
        st.lists(
            st.sampled_from(STATE_NAMES), min_size=1, max_size=max_states, unique=True
        )
    )
    initial = draw(st.sampled_from(names))
    kinds = {
        name: (
            "initial"
            if name == initial
            else draw(st.sampled_from(["stable", "stable", "terminal", "error"]))
        )
        for name in names
    }
    open_states = [name for name in names if kinds[name] != "terminal"]
    actions = st.lists(st.sampled_from(ACTION_NAMES), max_size=2)
    states = []
    for name in names:
        terminal = kinds[name] == "terminal"
        timeout = None
        if not terminal and draw(st.booleans()):
            seconds = draw(st.integers(1, 1000) | st.floats(0.5, 1000.0))
            timeout = (seconds, draw(st.sampled_from(names)))
        states.append(
            S(
                name,
                kinds[name],
                draw(TEXT),
                on_enter=draw(actions),
                on_exit=draw(actions),
                timeout=timeout,
                metadata=draw(METADATA),
            )
        )
    transitions = []
    covered: set[tuple[str, str]] = set()
    for _ in range(draw(st.integers(0, max_transitions))):
        trigger = draw(st.sampled_from(TRIGGER_NAMES))
        wanted = draw(
            st.lists(st.sampled_from(open_states), min_size=1, max_size=3, unique=True)
        )
        sources = [s for s in wanted if (s, trigger) not in covered]
        if not sources:
            continue
        guards = draw(st.lists(st.sampled_from(GUARD_NAMES), max_size=3, unique=True))
        if not guards:
            covered.update((s, trigger) for s in sources)
        transitions.append(
            T(
                trigger,
                sources,
                draw(st.sampled_from(names)),
                guards=guards,
                actions=draw(actions),
                description=draw(TEXT),
                metadata=draw(METADATA),
            )
        )
    fallback = draw(st.none() | st.sampled_from(names))
    return machine(
        states,
        transitions,
        name=draw(st.sampled_from(["m", "order_management", "state_info", "x_2"])),
        strict_mode=draw(st.booleans()),
        description=draw(TEXT),
        context=draw(CONTEXT),
        default_fallback=fallback,
        retry_attempts=draw(st.integers(0, 3)),
    )
