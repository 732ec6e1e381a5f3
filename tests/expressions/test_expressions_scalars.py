"""Where each character of a YAML scalar's value is: scalar_offsets against
PyYAML's own reading, in every style, and errors inside expressions placed
at their line and column in the file.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml
from expressions_support import SCOPE
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.frontend import codes, yaml12
from gubernator_gen.frontend.expressions import ExpressionText, check_guard
from gubernator_gen.frontend.positions import LineIndex
from gubernator_gen.frontend.scalar_offsets import ScalarOffsets, scalar_offsets
from gubernator_gen.frontend.yaml12 import YAML11_BREAKS

LOADERS: list[Any] = [yaml.SafeLoader]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.append(yaml.CSafeLoader)


def last_scalar(
    text: str, loader: Any = LOADERS[-1], key: str = "k"
) -> yaml.ScalarEvent:
    """The scalar event after the first key ``key`` (else the last one)."""
    events = [
        e for e in yaml.parse(text, Loader=loader) if isinstance(e, yaml.ScalarEvent)
    ]
    keys = [i for i, e in enumerate(events[:-1]) if e.value == key]
    return events[keys[0] + 1] if keys else events[-1]


def yaml12_scalar(text: str, loader: Any) -> yaml.ScalarEvent:
    """The value scalar as the loader reads it: YAML 1.2 (see yaml12.prepare)."""
    prepared = yaml12.prepare(text)
    event = last_scalar(prepared.text, loader)
    event.value = prepared.restore(event.value)
    return event


def offsets_of(
    text: str, loader: Any = LOADERS[-1]
) -> tuple[yaml.ScalarEvent, ScalarOffsets]:
    event = yaml12_scalar(text, loader)
    found = scalar_offsets(
        text, event.start_mark.index, event.end_mark.index, event.style, event.value
    )
    assert found is not None, (text, event.style, event.value)
    return event, found


def check_offsets(text: str, event: yaml.ScalarEvent, found: ScalarOffsets) -> None:
    """Every character maps to itself, its escape, or the break it was folded from."""
    start, end = event.start_mark.index, event.end_mark.index
    assert found.value == event.value
    assert len(found.offsets) == len(found.value) + 1
    inner = found.offsets[:-1]
    assert all(a < b for a, b in itertools.pairwise(inner)), found
    assert all(start <= o <= end for o in found.offsets)
    for char, offset in zip(found.value, inner, strict=True):
        raw = text[offset]
        escaped = event.style == '"' and raw == "\\"
        folded = char in " \n" and raw in "\r\n"
        assert raw == char or escaped or folded, (char, offset, raw, text)


HAND = [
    ("k: plain text\n", None, "plain text", {0: 3, 6: 9}),
    ("k: one\n  two\n\n  three\n", None, "one two\nthree", {3: 6, 7: 13, 8: 16}),
    ("k: 'it''s'\n", "'", "it's", {2: 6, 3: 8}),
    ("k: '  a  \n   \n  b '\n", "'", "  a\nb ", {3: 13, 4: 16, 5: 17}),
    (
        'k: "a\\tb\\x41\\u00e9\\U0001F600c"\n',
        '"',
        "a\tbAé😀c",
        {1: 5, 3: 8, 4: 12, 5: 18, 6: 28},
    ),
    ('k: "a\\\n   b  \n\n  c"\n', '"', "ab\nc", {1: 10, 2: 14, 3: 17}),
    ("k: |\n  x\n   y\n", "|", "x\n y\n", {0: 7, 1: 8, 2: 11, 3: 12, 4: 13}),
    ("k: >\n  a\n  b\n\n  c\n   d\n", ">", "a b\nc\n d\n", {1: 8, 2: 11, 3: 13}),
    ("k: |-\n  x\n\n", "|", "x", {0: 8}),
    ("k: |+\n  x\n\n\nz: 1\n", "|", "x\n\n\n", {1: 9, 2: 10, 3: 11}),
    ("a:\n  k: |+\n    x\n\n  z: 1\n", "|", "x\n\n", {0: 15, 1: 16, 2: 17}),
    ("a:\n  k: |2\n     x\n    y\n", "|", " x\ny\n", {0: 15, 1: 16, 3: 22}),
    ("k: |\n", "|", "", {0: 4}),
    ("k: >\r\n  a\r\n  b\r\n", ">", "a b\n", {0: 8, 1: 9, 2: 13}),
]


@pytest.mark.parametrize(("text", "style", "value", "expected"), HAND)
@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
def test_hand_written_scalars(
    text: str, style: str | None, value: str, expected: dict[int, int], loader: Any
) -> None:
    event, found = offsets_of(text, loader)
    assert (event.style or None, event.value) == (style, value)
    check_offsets(text, event, found)
    for index, offset in expected.items():
        assert found.offsets[index] == offset, (index, found.offsets)


@pytest.mark.skipif(len(LOADERS) < 2, reason="libyaml is not installed")
def test_tab_inside_a_plain_scalar_as_libyaml_reads_it() -> None:
    # PyYAML's pure Python scanner refuses this; libyaml (and YAML 1.2) take it.
    event, found = offsets_of("k: a\tb\n", yaml.CSafeLoader)
    check_offsets("k: a\tb\n", event, found)
    assert found.offsets == (3, 4, 5, 6)


def test_surrogate_pair_escape_is_one_character() -> None:
    # JSON writes characters outside the BMP this way; PyYAML cannot read it
    # (the loader rewrites it first), YAML 1.2 can.
    text = 'k: "\\ud83d\\ude00!\\ud83d"\n'
    found = scalar_offsets(text, 3, len(text) - 1, '"')
    assert found is not None
    assert found.value == "😀!\ud83d"
    assert found.offsets == (4, 16, 17, 23)


def test_mismatch_and_malformed_input_give_none() -> None:
    text = 'k: "abc"\n'
    assert scalar_offsets(text, 3, 8, '"', "abd") is None
    assert scalar_offsets(text, 3, 99, '"') is None
    assert scalar_offsets('k: "a\\q"\n', 3, 8, '"') is None
    assert scalar_offsets("k: 'a'b'\n", 3, 9, "'") is None
    assert scalar_offsets(text, 3, 8, "?") is None
    # An indentation indicator counts from the parent: the value decides.
    assert scalar_offsets("k: |2\n    x\n", 3, 12, "|") is None
    assert scalar_offsets("k: |2\n    x\n", 3, 12, "|", "  x\n") is not None


VALUE_CHARS = st.sampled_from(
    [*list("ab z#:-'\"\\"), "\n", "\t", " ", "é", "中", "😀", "\x07", "\x85", "\u2028"]
)


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(VALUE_CHARS, max_size=40),
    style=st.sampled_from([None, "'", '"', "|", ">"]),
    width=st.integers(10, 80),
    nesting=st.integers(0, 3),
    crlf=st.booleans(),
    unicode=st.booleans(),
)
def test_offsets_agree_with_pyyaml_in_every_style(
    value: str, style: str | None, width: int, nesting: int, crlf: bool, unicode: bool
) -> None:
    data: object = {"k": value}
    for level in range(nesting):
        data = [data] if level % 2 else {"n": data}
    text = yaml.dump(
        data, default_style=style, width=width, allow_unicode=unicode, sort_keys=False
    )
    # PyYAML writes YAML 1.1, where these are line breaks; YAML 1.2 reads
    # them as characters, so where PyYAML writes them raw the two disagree.
    assume(not any(char in text for char in YAML11_BREAKS))
    if crlf:
        text = text.replace("\n", "\r\n")
    for loader in LOADERS:
        event, found = offsets_of(text, loader)
        check_offsets(text, event, found)
        without_value = scalar_offsets(
            text, event.start_mark.index, event.end_mark.index, event.style
        )
        header = text[event.start_mark.index : text.find("\n", event.start_mark.index)]
        indicator = event.style in ("|", ">") and any(c.isdigit() for c in header)
        assert without_value == (None if indicator else found)


# --------------------------------------------------------------------------
# Errors inside expressions, placed in the file


def expression_in(text: str, key: str = "expr") -> ExpressionText:
    """The expression under ``key`` in a YAML text, placed the way load does."""
    events = [
        e
        for e in yaml.parse(text, Loader=LOADERS[-1])
        if isinstance(e, yaml.ScalarEvent)
    ]
    keys = [i for i, e in enumerate(events) if e.value == key]
    event = events[keys[0] + 1]
    lines = LineIndex(text, "spec.yaml")
    found = scalar_offsets(
        text, event.start_mark.index, event.end_mark.index, event.style, event.value
    )
    return ExpressionText.in_scalar(
        event.value, found, lines.at, lines.at(event.start_mark.index)
    )


PLACED = [
    ("expr: amount > 0 and amont > 1\n", codes.UNKNOWN_NAME, 1, 22),
    ('expr: "name == \\"x\\" and amont > 1"\n', codes.UNKNOWN_NAME, 1, 26),
    ("expr: 'name == ''x'' and amont > 1'\n", codes.UNKNOWN_NAME, 1, 26),
    ("expr: \"'\\u00e9' == name and amont > 1\"\n", codes.UNKNOWN_NAME, 1, 29),
    ("expr: \"'é' == name and amont > 1\"\n", codes.UNKNOWN_NAME, 1, 24),
    ("expr: >\n  amount > 0 and\n  amont > 1\n", codes.UNKNOWN_NAME, 3, 3),
    ("expr: |\n  (amount > 0\n   and amont > 1)\n", codes.UNKNOWN_NAME, 3, 8),
    ("expr: amount > 0\n  and amont > 1\n", codes.UNKNOWN_NAME, 2, 7),
    ('expr: "count == 1 and\n   amont > 1"\n', codes.UNKNOWN_NAME, 2, 4),
    ('expr: "count == 1 and \\\n   amont > 1"\n', codes.UNKNOWN_NAME, 2, 4),
    (
        "states:\n  - guards:\n      - expr: >-\n          name.upper() == 'X'\n",
        codes.EXPRESSION_NOT_ALLOWED,
        4,
        15,
    ),
    ('expr: "amount >"\n', codes.EXPRESSION_SYNTAX, 1, 16),
    ("expr: >\r\n  amount > 0 and\r\n  amont > 1\r\n", codes.UNKNOWN_NAME, 3, 3),
    ("expr: |2\n    x == 1\n", codes.UNKNOWN_NAME, 2, 5),
]


@pytest.mark.parametrize(("text", "code", "line", "column"), PLACED)
def test_error_inside_a_yaml_scalar_is_placed_exactly(
    text: str, code: str, line: int, column: int
) -> None:
    checked = check_guard(expression_in(text), SCOPE)
    assert [(d.code, d.pos.line, d.pos.column) for d in checked.diagnostics] == [
        (code, line, column)
    ]


def test_scalar_without_offsets_falls_back_to_its_start() -> None:
    start = SourcePos("spec.yaml", 4, 9)
    text = ExpressionText.in_scalar("amont > 1", None, lambda offset: start, start)
    checked = check_guard(text, SCOPE)
    assert checked.diagnostics[0].pos == start


SNIPPETS = [
    "x.y",
    "(lambda: 1)",
    "[i for i in items]",
    "count ** 2",
    "print(1)",
    "f'{x}'",
]


@settings(max_examples=150, deadline=None)
@given(
    snippet=st.sampled_from(SNIPPETS),
    prefix=st.sampled_from(["", "flag and ", "count > 1 or\n", "(amount > 0 and\n  "]),
    style=st.sampled_from([None, "'", '"', "|", ">"]),
    width=st.integers(12, 60),
    indent=st.integers(0, 2),
)
def test_refusal_inside_yaml_points_into_the_snippet(
    snippet: str, prefix: str, style: str | None, width: int, indent: int
) -> None:
    source = prefix + snippet + (")" if prefix.startswith("(") else "")
    data: object = {"expr": source}
    for _ in range(indent):
        data = {"n": [data]}
    text = yaml.dump(data, default_style=style, width=width, allow_unicode=True)
    event = last_scalar(text, key="expr")
    # PyYAML's writer does not always round-trip folded text; what counts is
    # what the file says.
    assume(snippet in event.value)
    found = scalar_offsets(
        text, event.start_mark.index, event.end_mark.index, event.style, event.value
    )
    assert found is not None
    lines = LineIndex(text, "spec.yaml")
    checked = check_guard(expression_in(text), SCOPE)
    assert len(checked.diagnostics) == 1, checked.diagnostics
    first = event.value.index(snippet)
    allowed = {
        lines.at(found.offset(index))
        for index in range(first, first + len(snippet) + 1)
    }
    assert checked.diagnostics[0].pos in allowed, (text, checked.diagnostics)
