"""Mermaid and DOT diagrams built from the model."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.driver.graph import (
    render_graph,
    to_dot,
    to_mermaid,
    transition_label,
)
from gubernator_gen.model import (
    EMPTY_METADATA,
    ErrorPolicy,
    MachineSpec,
    State,
    StateKind,
    Timeout,
    Transition,
)

POS = SourcePos("m.yaml", 1, 1)


def _state(
    name: str,
    kind: StateKind = StateKind.STABLE,
    description: str = "",
    timeout: tuple[float, str] | None = None,
) -> State:
    return State(
        name=name,
        kind=kind,
        description=description,
        on_enter=(),
        on_exit=(),
        timeout=None if timeout is None else Timeout(timeout[0], timeout[1], POS),
        metadata=EMPTY_METADATA,
        pos=POS,
    )


def _transition(
    index: int,
    trigger: str,
    sources: Sequence[str],
    dest: str,
    guards: Sequence[str] = (),
    actions: Sequence[str] = (),
) -> Transition:
    return Transition(
        index=index,
        trigger=trigger,
        sources=tuple(sources),
        dest=dest,
        guards=tuple(guards),
        actions=tuple(actions),
        description="",
        metadata=EMPTY_METADATA,
        pos=POS,
    )


def _machine(states: Sequence[State], transitions: Sequence[Transition]) -> MachineSpec:
    return MachineSpec(
        source_name="m.yaml",
        name="order",
        version="1.2.0",
        strict_mode=True,
        description="",
        class_name=None,
        context=None,
        states=tuple(states),
        transitions=tuple(transitions),
        error_policy=ErrorPolicy(),
        spec_sha256="0" * 64,
        pos=POS,
        name_pos=POS,
    )


ORDER = _machine(
    [
        _state(
            "PENDING",
            StateKind.INITIAL,
            "Waiting for payment.",
            timeout=(3600, "CANCELLED"),
        ),
        _state("PAID"),
        _state("FAILED", StateKind.ERROR, timeout=(1.5, "CANCELLED")),
        _state("CANCELLED", StateKind.TERMINAL),
    ],
    [
        _transition(
            0, "pay", ["PENDING"], "PAID", ["covers", "fresh"], ["capture", "log"]
        ),
        _transition(1, "cancel", ["PENDING", "PAID"], "CANCELLED"),
        _transition(2, "fail", ["PAID"], "FAILED", actions=["alert"]),
    ],
)


def _without_entities(label: str) -> str:
    """``label`` as Mermaid's lexer sees it: entity codes are swapped out first."""
    return re.sub(r"#\d+;", "", label)


def _body(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_transition_label_shows_guards_and_actions() -> None:
    pay, cancel, fail = ORDER.transitions
    assert transition_label(pay) == "pay [covers and fresh] / capture, log"
    assert transition_label(cancel) == "cancel"
    assert transition_label(fail) == "fail / alert"


def test_mermaid_diagram() -> None:
    lines = _body(to_mermaid(ORDER))
    assert lines[0] == "stateDiagram-v2"
    assert "[*] --> PENDING" in lines
    assert "PENDING : Waiting for payment." in lines
    assert "PENDING --> PAID : pay [covers and fresh] / capture, log" in lines
    # A transition with two sources is one edge per source.
    assert "PENDING --> CANCELLED : cancel" in lines
    assert "PAID --> CANCELLED : cancel" in lines
    # Timeouts are labelled edges and their states get the dashed class.
    assert "PENDING --> CANCELLED : after 3600s" in lines
    assert "FAILED --> CANCELLED : after 1.5s" in lines
    assert "class PENDING,FAILED timed" in lines
    assert any(
        line.startswith("classDef timed ") and "dasharray" in line for line in lines
    )
    # Terminal and error states are marked.
    assert "CANCELLED --> [*]" in lines
    assert "class FAILED errorState" in lines
    assert any(line.startswith("classDef errorState ") for line in lines)


def test_dot_diagram() -> None:
    text = to_dot(ORDER)
    lines = _body(text)
    assert lines[0] == 'digraph "order" {'
    assert lines[-1] == "}"
    assert '"__start" -> "PENDING";' in lines
    assert (
        '"PENDING" -> "PAID" [label="pay [covers and fresh] / capture, log"];' in lines
    )
    assert '"PAID" -> "CANCELLED" [label="cancel"];' in lines
    assert '"PENDING" -> "CANCELLED" [label="after 3600s", style="dashed"];' in lines
    assert '"CANCELLED" [peripheries="2"];' in lines
    (failed,) = [line for line in lines if line.startswith('"FAILED" [')]
    assert 'color="#b91c1c"' in failed
    assert 'style="rounded,filled"' in failed
    assert '"PENDING" [tooltip="Waiting for payment."];' in lines


def test_plain_diagrams_have_no_style_classes() -> None:
    machine = _machine(
        [_state("A", StateKind.INITIAL), _state("B")],
        [_transition(0, "go", ["A"], "B")],
    )
    text = to_mermaid(machine)
    assert "classDef" not in text
    assert "[*]" in text and "--> [*]" not in text


def test_render_graph_dispatches_on_the_format() -> None:
    assert render_graph(ORDER) == to_mermaid(ORDER)
    assert render_graph(ORDER, "dot") == to_dot(ORDER)
    with pytest.raises(ValueError, match="svg"):
        render_graph(ORDER, "svg")


HOSTILE = 'He said "stop": [now]; #1 100% {x} <b>\\N\nsecond line\tend direction LR'


def test_mermaid_escapes_user_text() -> None:
    machine = _machine([_state("A", StateKind.INITIAL, HOSTILE)], [])
    descriptions = [
        line.split(" : ", 1)[1]
        for line in _body(to_mermaid(machine))
        if line.startswith("A : ")
    ]
    assert len(descriptions) == 2  # one description line per line of text
    first, second = descriptions
    # Nothing that Mermaid's lexer stops at or reads specially survives raw.
    for text in descriptions:
        assert not re.search(r'[:;"<>{}%\\#]', _without_entities(text))
    assert first.startswith(
        "He said #34;stop#34;#58; [now]#59; #35;1 100#37; #123;x#125;"
    )
    assert "#60;b#62;#92;N" in first
    # "direction LR" would switch the diagram's layout.
    assert "direction#32;LR" in second
    assert not re.search(r"(?i)direction\s", second)


def test_dot_escapes_user_text() -> None:
    machine = _machine([_state("A", StateKind.INITIAL, HOSTILE)], [])
    (line,) = [line for line in _body(to_dot(machine)) if line.startswith('"A" [')]
    expected = (
        'He said \\"stop\\": [now]; #1 100% {x} <b>\\\\N\\nsecond line end direction LR'
    )
    assert line == f'"A" [tooltip="{expected}"];'


def test_keyword_like_state_names_get_an_alias_in_mermaid() -> None:
    machine = _machine(
        [_state("DEFAULT", StateKind.INITIAL), _state("STATE"), _state("NOTE_X")],
        [
            _transition(0, "go", ["DEFAULT"], "STATE"),
            _transition(1, "go", ["STATE"], "NOTE_X"),
        ],
    )
    lines = _body(to_mermaid(machine))
    assert 'state "DEFAULT" as s0_DEFAULT' in lines
    assert 'state "STATE" as s1_STATE' in lines
    assert "[*] --> s0_DEFAULT" in lines
    assert "s0_DEFAULT --> s1_STATE : go" in lines
    assert "s1_STATE --> s2_NOTE_X : go" in lines
    # DOT quotes every name, so it needs no alias.
    assert '"DEFAULT" -> "STATE" [label="go"];' in _body(to_dot(machine))


def test_no_mermaid_line_can_continue_a_direction_statement() -> None:
    # Mermaid reads "direction", whitespace (newlines included), then TB, BT,
    # RL or LR as a layout switch, even across lines; and "as" after an
    # aliased state as a keyword.
    machine = _machine(
        [
            _state("TURN_DIRECTION", StateKind.INITIAL, "pick a direction"),
            _state("TBD"),
            _state("LR"),
            _state("AS"),
            _state("ASSIGNED"),
        ],
        [
            _transition(0, "go", ["TURN_DIRECTION"], "TBD"),
            _transition(1, "go", ["TBD"], "AS"),
        ],
    )
    lines = _body(to_mermaid(machine))
    assert 'state "TBD" as s1_TBD' in lines
    assert 'state "LR" as s2_LR' in lines
    assert 'state "AS" as s3_AS' in lines
    assert "ASSIGNED" in lines  # only the bare word "as" is a keyword
    assert "TURN_DIRECTION --> s1_TBD : go" in lines
    for line in lines[1:]:
        assert not re.match(r"(?i)(tb|bt|rl|lr|as\s)", line), line


# Conventional names, and free text as docs/language.md#names allows it.
_NAMES = st.from_regex(r"[A-Z][A-Z0-9_]{0,6}", fullmatch=True) | st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=10
).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(_NAMES, min_size=1, max_size=6, unique=True),
    descriptions=st.lists(st.text(max_size=30), min_size=6, max_size=6),
    edges=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=8),
)
def test_diagrams_are_well_formed_for_any_names_and_text(
    names: list[str], descriptions: list[str], edges: list[tuple[int, int]]
) -> None:
    states = [
        _state(name, StateKind.INITIAL if i == 0 else StateKind.STABLE, descriptions[i])
        for i, name in enumerate(names)
    ]
    transitions = [
        _transition(i, "go", [names[a % len(names)]], names[b % len(names)])
        for i, (a, b) in enumerate(edges)
    ]
    machine = _machine(states, transitions)
    mermaid = to_mermaid(machine)
    assert mermaid == to_mermaid(machine)  # deterministic
    for line in mermaid.splitlines()[1:]:
        assert line.startswith("    ")
        assert not re.match(r"(?i)\s*(tb|bt|rl|lr|as\s)", line)
        if " : " in line:
            # A Mermaid label runs to the first ':' ';' or newline.
            label = line.split(" : ", 1)[1]
            assert label and not re.search(r"[:;\n%#]", _without_entities(label))
        declared = re.match(r'    state "(.*)" as (\w+)$', line)
        if declared:
            assert '"' not in declared.group(1)
    edge_lines = [
        line for line in mermaid.splitlines() if " --> " in line and "[*]" not in line
    ]
    assert len(edge_lines) == len(transitions)
    ids = [line.split(" --> ")[0].strip() for line in edge_lines]
    assert all(re.fullmatch(r"\w+", state_id) for state_id in ids)
    dot = to_dot(machine)
    # Every DOT string is closed: unescaped quotes pair up on each line.
    for line in dot.splitlines():
        assert len(re.findall(r'(?<!\\)(?:\\\\)*"', line)) % 2 == 0


def _wildcard(
    index: int, trigger: str, dest: str, states: Sequence[State]
) -> Transition:
    open_states = [
        state.name for state in states if state.kind is not StateKind.TERMINAL
    ]
    transition = _transition(index, trigger, open_states, dest)
    return dataclasses.replace(transition, wildcard=True)


def test_wildcard_transitions_leave_one_pseudo_state() -> None:
    states = [
        _state("open", StateKind.INITIAL),
        _state("any_state"),
        _state("*closed*", StateKind.TERMINAL),
    ]
    machine = _machine(
        states,
        [
            _transition(0, "hold", ["open"], "any_state"),
            _wildcard(1, "close", "*closed*", states),
        ],
    )
    mermaid = _body(to_mermaid(machine))
    assert 'state "*" as any_state_' in mermaid
    assert "any_state_ --> s2 : close" in mermaid
    assert "open --> any_state : hold" in mermaid
    assert "class any_state_ wildcard" in mermaid
    assert not any(
        line.startswith(("open --> s2", "any_state --> s2")) for line in mermaid
    )
    dot = _body(to_dot(machine))
    assert (
        '"*" [shape="circle", style="dashed", tooltip="every non-terminal state"];'
        in dot
    )
    assert '"*" -> "*closed*" [label="close"];' in dot
    assert sum(" -> " in line for line in dot) == 3  # start, hold, close


def test_free_names_are_aliased_in_mermaid_and_quoted_in_dot() -> None:
    states = [
        _state("in review", StateKind.INITIAL),
        _state('say "hi"'),
        _state("__start"),
        _state("s1"),
    ]
    machine = _machine(
        states,
        [
            _transition(0, "go on", ["in review"], 'say "hi"'),
            _transition(1, "x", ["in review"], "__start"),
        ],
    )
    mermaid = _body(to_mermaid(machine))
    assert 'state "in review" as s0' in mermaid
    assert 'state "say #34;hi#34;" as s1_' in mermaid  # "s1" is a state's own id
    assert "s0 --> s1_ : go on" in mermaid
    dot = _body(to_dot(machine))
    assert '"__start_" [shape=point, width=0.15, label=""];' in dot
    assert '"__start_" -> "in review";' in dot
    assert '"in review" -> "say \\"hi\\"" [label="go on"];' in dot
