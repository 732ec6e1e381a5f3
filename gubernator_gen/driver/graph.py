"""State diagrams of a machine: Mermaid ``stateDiagram-v2`` and Graphviz DOT.

Both show the same things, in spec order so the output is deterministic:

* the initial state, entered from a start point (``[*]`` in Mermaid);
* every transition as an edge labelled ``trigger [guard and guard] / action, action``
  (UML's event [guard] / effect; negated guards, parameters, expressions and
  ``assign`` as written), one edge per source state; a wildcard
  transition (``source: "*"``) is one edge from a dashed pseudo-state ``*``
  that stands for every non-terminal state (named sources win over it);
* every timeout as an edge labelled ``after Ns``: dashed in DOT; Mermaid has
  no dashed transitions, so there the state with a timeout gets the dashed
  border of the ``timed`` class;
* terminal states: an edge to the end point ``[*]`` in Mermaid, a double
  border in DOT; error states drawn in red (class ``errorState`` in Mermaid);
* state descriptions: description lines in Mermaid, tooltips in DOT.

Names and descriptions are arbitrary user text, and every label goes
through the escaping of its format. Mermaid's lexer cuts a label at ``:``,
``;`` or a newline, treats ``#`` and ``%%`` specially and reads some words
as keywords, so anything outside a plain set of characters becomes an
entity code (``#58;``), and a state whose name is not plain ASCII letters,
digits and underscores, or starts like a keyword, is declared under an
alias (``state "in review" as s3``). In DOT every name is a quoted string;
the pseudo-nodes' ids (``__start``, ``*``) never equal a state's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from gubernator_gen.model import (
    ExpressionGuard,
    GuardItem,
    MachineSpec,
    NamedGuard,
    PlainData,
    State,
    StateKind,
    Timeout,
    Transition,
)

#: The label of the pseudo-state that wildcard transitions leave from.
WILDCARD = "*"

#: The formats :func:`render_graph` knows, the default first.
FORMATS = ("mermaid", "dot")

_ERROR_COLOR = "#b91c1c"
_ERROR_FILL = "#fde8e8"
_ERROR_TEXT = "#7f1d1d"

# Characters that mean nothing to Mermaid's state-diagram lexer or to the
# HTML its labels become; everything else ASCII is written as "#code;".
_MERMAID_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "0123456789 _.,!?()[]/+-='*@$~^|"
)
# Words that Mermaid's lexer matches before an identifier (case-insensitive);
# a state whose name starts with one is declared under an alias instead.
# "tb", "bt", "rl" and "lr" are there because the lexer's ".*direction\s+TB"
# also matches across a line break: a line ending in "...DIRECTION" followed
# by a line starting with "TB" would be read as a layout switch. No line
# then starts with those letters, whatever the line before ends with.
_MERMAID_KEYWORD_PREFIXES = (
    "acc",
    "bt",
    "class",
    "click",
    "default",
    "direction",
    "end",
    "hide",
    "href",
    "link",
    "lr",
    "note",
    "rl",
    "scale",
    "state",
    "style",
    "subgraph",
    "tb",
)
# After `state "X" as ID` the lexer reads a following "as" + space as
# another alias keyword, even at the start of the next line.
_MERMAID_KEYWORD_NAMES = frozenset({"as"})
# ".*direction\s+TB" anywhere on a line switches the layout; an entity
# code in place of the space keeps the words but breaks the match.
_MERMAID_DIRECTION = re.compile(r"(?i)(direction)\s")
# A state name Mermaid can use as its id as it is.
_MERMAID_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def render_graph(spec: MachineSpec, graph_format: str = "mermaid") -> str:
    """The diagram of ``spec`` in ``graph_format`` (one of :data:`FORMATS`)."""
    renderers: dict[str, Callable[[MachineSpec], str]] = {
        "mermaid": to_mermaid,
        "dot": to_dot,
    }
    try:
        renderer = renderers[graph_format]
    except KeyError:
        raise ValueError(f"unknown graph format {graph_format!r}") from None
    return renderer(spec)


def transition_label(transition: Transition) -> str:
    """``trigger [guard and guard] / action, field := expression``.

    Parts only when present. A guard item is shown as written: ``not g``,
    ``g(limit=100)``, an expression in parentheses when it has an operator
    of its own; ``assign`` entries follow the actions. Every label is
    escaped by its format.
    """
    label = transition.trigger
    items = transition.guard_items or tuple(map(NamedGuard, transition.guards))
    if items:
        label += f" [{' and '.join(guard_text(item) for item in items)}]"
    effects = [*transition.actions]
    effects.extend(
        f"{entry.target} := {_one_line(entry.text)}" for entry in transition.assign
    )
    if effects:
        label += f" / {', '.join(effects)}"
    return label


def guard_text(item: GuardItem) -> str:
    """One guard item as a diagram shows it."""
    if isinstance(item, ExpressionGuard):
        text = _one_line(item.text)
        return f"({text})" if " " in text else text
    if item.negated:
        return f"not {item.name}"
    if item.params:
        arguments = ", ".join(
            f"{param.name}={_plain_value(param.value)}" for param in item.params
        )
        return f"{item.name}({arguments})"
    return item.name


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plain_value(value: PlainData) -> str:
    """A parameter's value as YAML-ish text (lists in brackets, strings quoted)."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_plain_value(item) for item in value) + "]"
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def timeout_label(timeout: Timeout) -> str:
    """``after 3600s`` (fractions kept, ``3600.0`` written ``3600``)."""
    seconds = timeout.seconds
    if isinstance(seconds, float) and seconds.is_integer():
        seconds = int(seconds)
    return f"after {seconds}s"


def to_mermaid(spec: MachineSpec) -> str:
    """A Mermaid ``stateDiagram-v2`` of ``spec``."""
    ids = _mermaid_ids(spec)
    lines = ["stateDiagram-v2", f"    %% {_mermaid_text(spec.name)} {spec.version}"]
    for state in spec.states:
        state_id = ids[state.name]
        if state_id != state.name:
            lines.append(f'    state "{_mermaid_text(state.name)}" as {state_id}')
        elif not state.description.strip():
            lines.append(f"    {state_id}")
        # Declaring each state first keeps Mermaid's layout in spec order.
        lines.extend(
            f"    {state_id} : {_mermaid_text(line)}"
            for line in _text_lines(state.description)
        )
    wildcard_id = _fresh("any_state", set(ids.values()))
    if any(t.wildcard for t in spec.transitions):
        lines.append(f'    state "{_mermaid_text(WILDCARD)}" as {wildcard_id}')
    lines.append(f"    [*] --> {ids[spec.initial_state.name]}")
    for transition in spec.transitions:
        label = _mermaid_text(transition_label(transition))
        sources = (
            [wildcard_id]
            if transition.wildcard
            else [ids[source] for source in transition.sources]
        )
        lines.extend(
            f"    {source} --> {ids[transition.dest]} : {label}" for source in sources
        )
    for state in spec.states:
        if state.timeout is not None:
            label = _mermaid_text(timeout_label(state.timeout))
            lines.append(
                f"    {ids[state.name]} --> {ids[state.timeout.destination]} : {label}"
            )
    lines.extend(f"    {ids[state.name]} --> [*]" for state in spec.terminal_states)
    lines.extend(_mermaid_classes(spec, ids, wildcard_id))
    return "\n".join(lines) + "\n"


def _mermaid_classes(
    spec: MachineSpec, ids: dict[str, str], wildcard_id: str
) -> list[str]:
    lines = []
    error_ids = [ids[s.name] for s in spec.states if s.kind is StateKind.ERROR]
    timed_ids = [ids[s.name] for s in spec.states if s.timeout is not None]
    if error_ids:
        lines.append(
            f"    classDef errorState fill:{_ERROR_FILL},stroke:{_ERROR_COLOR},"
            f"color:{_ERROR_TEXT}"
        )
        lines.append(f"    class {','.join(error_ids)} errorState")
    if timed_ids:
        lines.append("    classDef timed stroke-dasharray:5 5")
        lines.append(f"    class {','.join(timed_ids)} timed")
    if any(t.wildcard for t in spec.transitions):
        lines.append("    classDef wildcard fill:none,stroke-dasharray:2 2")
        lines.append(f"    class {wildcard_id} wildcard")
    return lines


def to_dot(spec: MachineSpec) -> str:
    """A Graphviz ``digraph`` of ``spec``."""
    start = _dot_string(_fresh("__start", {state.name for state in spec.states}))
    lines = [
        f"digraph {_dot_string(spec.name)} {{",
        f"    graph [label={_dot_string(f'{spec.name} {spec.version}')}, labelloc=t];",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        f'    {start} [shape=point, width=0.15, label=""];',
    ]
    lines.extend(
        f"    {_dot_string(state.name)}{_dot_attributes(_dot_state(state))};"
        for state in spec.states
    )
    wildcard = _dot_string(WILDCARD)  # never a state's name: the spec reserves it
    if any(t.wildcard for t in spec.transitions):
        attributes = {
            "shape": "circle",
            "style": "dashed",
            "tooltip": "every non-terminal state",
        }
        lines.append(f"    {wildcard}{_dot_attributes(attributes)};")
    lines.append(f"    {start} -> {_dot_string(spec.initial_state.name)};")
    for transition in spec.transitions:
        attributes_text = _dot_attributes({"label": transition_label(transition)})
        sources = (
            [wildcard]
            if transition.wildcard
            else [_dot_string(source) for source in transition.sources]
        )
        lines.extend(
            f"    {source} -> {_dot_string(transition.dest)}{attributes_text};"
            for source in sources
        )
    for state in spec.states:
        if state.timeout is not None:
            attributes_text = _dot_attributes(
                {"label": timeout_label(state.timeout), "style": "dashed"}
            )
            lines.append(
                f"    {_dot_string(state.name)} -> "
                f"{_dot_string(state.timeout.destination)}{attributes_text};"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _fresh(base: str, taken: set[str]) -> str:
    while base in taken:
        base += "_"
    return base


def _mermaid_ids(spec: MachineSpec) -> dict[str, str]:
    """Each state's Mermaid id: its name when that is a plain word, else an alias."""
    plain = {
        state.name: _mermaid_id(index, state) for index, state in enumerate(spec.states)
    }
    taken = {name for name, state_id in plain.items() if name == state_id}
    ids: dict[str, str] = {}
    for name, state_id in plain.items():
        if state_id != name:
            state_id = _fresh(state_id, taken)
            taken.add(state_id)
        ids[name] = state_id
    return ids


def _mermaid_id(index: int, state: State) -> str:
    if not _MERMAID_WORD.match(state.name):
        return f"s{index}"
    lowered = state.name.lower()
    if lowered in _MERMAID_KEYWORD_NAMES or lowered.startswith(
        _MERMAID_KEYWORD_PREFIXES
    ):
        return f"s{index}_{state.name}"
    return state.name


def _mermaid_text(text: str) -> str:
    escaped = "".join(_mermaid_char(char) for char in text)
    return _MERMAID_DIRECTION.sub(r"\1#32;", escaped)


def _mermaid_char(char: str) -> str:
    if char in _MERMAID_PLAIN:
        return char
    if not char.isprintable():
        return " "
    if ord(char) > 127:
        return char
    return f"#{ord(char)};"


def _text_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            yield stripped


def _dot_state(state: State) -> dict[str, str]:
    attributes: dict[str, str] = {}
    if state.description:
        attributes["tooltip"] = state.description
    if state.kind is StateKind.TERMINAL:
        attributes["peripheries"] = "2"
    if state.kind is StateKind.ERROR:
        attributes.update(
            color=_ERROR_COLOR,
            fontcolor=_ERROR_COLOR,
            style="rounded,filled",
            fillcolor=_ERROR_FILL,
        )
    return attributes


def _dot_attributes(attributes: dict[str, str]) -> str:
    if not attributes:
        return ""
    inner = ", ".join(
        f"{name}={_dot_string(value)}" for name, value in attributes.items()
    )
    return f" [{inner}]"


def _dot_string(text: str) -> str:
    # Inside a DOT string only backslash and the double quote are special,
    # and backslash sequences (\N, \G, \l...) would expand, so both are
    # escaped; a newline becomes DOT's centred line break.
    escaped = []
    for char in text.replace("\r\n", "\n"):
        if char == "\\":
            escaped.append("\\\\")
        elif char == '"':
            escaped.append('\\"')
        elif char == "\n":
            escaped.append("\\n")
        elif not char.isprintable():
            escaped.append(" ")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
