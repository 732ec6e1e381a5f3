"""Edge labels and the escaping of user text for the diagrams of ``graph``.

Names, descriptions and labels are arbitrary user text, and every label goes
through the escaping of its format. Mermaid's lexer cuts a label at ``:``,
``;`` or a newline, treats ``#`` and ``%%`` specially, reads ``{``, ``}`` and
``--`` as block syntax and some words as keywords, so anything outside a
plain set of characters becomes an entity code (``#58;``), and a state whose
name is not plain ASCII letters, digits and underscores, or starts like a
keyword, is declared under an alias (``state "in review" as s3``). In DOT
every name is a quoted string (:func:`dot_string`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from gubernator_gen.model import (
    ExpressionGuard,
    GuardItem,
    MachineSpec,
    NamedGuard,
    PlainData,
    State,
    Transition,
)

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
# Ids Mermaid gives nodes of its own (or skips).
_MERMAID_RESERVED_IDS = ("root", "root_start", "root_end")
_ENDS = ("_start", "_end")
# A state name Mermaid can use as its id as it is.
_MERMAID_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def transition_label(transition: Transition) -> str:
    """``trigger [guard and guard] / action, field := expression``.

    Parts only when present. A guard item is shown as written: ``not g``,
    ``g(limit=100)``, an expression in parentheses when it has an operator
    of its own; ``assign`` entries follow the actions; an internal
    transition ends in ``(internal)``. Every label is escaped by its format.
    """
    items = transition.guard_items or tuple(map(NamedGuard, transition.guards))
    effects = [*transition.actions]
    effects.extend(
        f"{entry.target} := {_one_line(entry.text)}" for entry in transition.assign
    )
    return edge_label(transition.trigger, items, effects, transition.internal)


def edge_label(
    head: str, items: Sequence[GuardItem], effects: Sequence[str], internal: bool
) -> str:
    """``head [guard and guard] / effect, effect (internal)``, parts when present.

    ``head`` is a trigger, ``always`` or ``after Ns``.
    """
    label = head
    if items:
        label += f" [{' and '.join(guard_text(item) for item in items)}]"
    if effects:
        label += f" / {', '.join(effects)}"
    if internal:
        label += " (internal)"
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


def seconds_text(seconds: int | float) -> str:
    """``3600``, ``1.5``: a delay in seconds, ``3600.0`` written ``3600``."""
    if isinstance(seconds, float) and seconds.is_integer():
        seconds = int(seconds)
    return str(seconds)


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


def fresh(base: str, taken: set[str]) -> str:
    """``base``, with underscores appended until it is not in ``taken``."""
    while base in taken:
        base += "_"
    return base


def mermaid_ids(spec: MachineSpec) -> dict[str, str]:
    """Each state's Mermaid id: its name when that is a plain word, else an alias.

    Mermaid names the start and end points of the diagram ``root_start`` and
    ``root_end``, those of a compound state ``ID_start`` and ``ID_end``, and
    skips a node called ``root``; a state whose id would be one of those is
    declared under an alias too.
    """
    plain = {
        state.name: _mermaid_id(index, state) for index, state in enumerate(spec.states)
    }
    taken = {name for name, state_id in plain.items() if name == state_id}
    ids: dict[str, str] = {}
    for name, state_id in plain.items():
        if state_id != name:
            state_id = fresh(state_id, taken)
            taken.add(state_id)
        ids[name] = state_id
    containers = [state.name for state in spec.states if state.children]
    index = {state.name: i for i, state in enumerate(spec.states)}
    # Each pass aliases at least one state, and an alias is never reserved.
    for _ in range(len(ids) + 1):
        reserved = set(_MERMAID_RESERVED_IDS)
        reserved.update(ids[c] + suffix for c in containers for suffix in _ENDS)
        clashes = [name for name, state_id in ids.items() if state_id in reserved]
        if not clashes:
            break
        taken = set(ids.values()) | reserved
        for name in clashes:
            ids[name] = fresh(f"s{index[name]}", taken)
            taken.add(ids[name])
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


def mermaid_text(text: str) -> str:
    """``text`` with everything Mermaid might read as syntax as entity codes."""
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


def text_lines(text: str) -> Iterator[str]:
    """The non-blank lines of ``text``, stripped."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            yield stripped


def dot_attributes(attributes: dict[str, str]) -> str:
    """`` [name="value", ...]``, or nothing for no attributes."""
    if not attributes:
        return ""
    inner = ", ".join(
        f"{name}={dot_string(value)}" for name, value in attributes.items()
    )
    return f" [{inner}]"


def dot_string(text: str) -> str:
    """``text`` as a quoted DOT string, for labels and tooltips."""
    return _dot_quoted(text, exact=False)


def dot_id(name: str) -> str:
    """A state's name as a quoted DOT id: two names, two ids."""
    return _dot_quoted(name, exact=True)


def _dot_quoted(text: str, exact: bool) -> str:
    # Inside a DOT string only backslash and the double quote are special,
    # and backslash sequences (\N, \G, \l...) would expand, so both are
    # escaped; a newline becomes DOT's centred line break. Other characters
    # that Python calls unprintable become spaces in labels; in an id only
    # control characters do (no name holds one): "a b" and "a\u00a0b" are
    # two states, so two nodes.
    escaped = []
    for char in text.replace("\r\n", "\n"):
        if char == "\\":
            escaped.append("\\\\")
        elif char == '"':
            escaped.append('\\"')
        elif char == "\n":
            escaped.append("\\n")
        elif not char.isprintable() and (ord(char) < 0xA0 or not exact):
            escaped.append(" ")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
