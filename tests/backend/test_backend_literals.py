"""Literals: every piece of user text or data reaches code only through these."""

from __future__ import annotations

import ast
import math
from types import MappingProxyType

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gubernator_gen.backend import emit, formatting, literals
from gubernator_gen.model import freeze

# Every code point, surrogates included (YAML escapes can produce them).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
HOSTILE = [
    "q\"uo'te",
    '"""',
    "'''",
    'ends with quote"',
    '"starts with quote',
    "back\\slash\\",
    "{{ jinja }} {% block %} {# c #}",
    "new\nline\r\nand\rcarriage",
    "nul\x00byte",
    "bidi \u202e override \u2066 isolate",
    "zero\u200bwidth \ufeff bom",
    "line\u2028separator \x85 nel \x0c ff",
    "Кириллица 中文 العربية 🙂",
    "\ud800 lone surrogate",
    "tab\there",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_string_literal_round_trips_hostile_text(text: str) -> None:
    literal = literals.string_literal(text)
    assert "\n" not in literal and "\r" not in literal
    assert ast.literal_eval(literal) == text


@given(ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_string_literal_round_trips_any_text(text: str) -> None:
    literal = literals.string_literal(text)
    assert ast.literal_eval(literal) == text
    # Nothing invisible or unencodable is written raw.
    literal.encode("utf-8")
    assert not any(literals.must_escape(char) for char in literal)


@given(ANY_TEXT)
@settings(max_examples=150, deadline=None)
def test_string_literal_is_what_black_prints(text: str) -> None:
    statement = f"x = {literals.string_literal(text)}\n"
    if literals.display_width(statement) <= emit.LINE_LENGTH:
        assert formatting.format_source(statement) == statement


@given(st.one_of(ANY_TEXT, st.text(st.characters(max_codepoint=0x7F), max_size=40)))
@settings(max_examples=300, deadline=None)
def test_escape_text_quick_path_agrees_with_the_character_class(text: str) -> None:
    """Printable ASCII skips the full class of unsafe characters; the answer
    is the same as the class gives (ASCII drawn on its own too, controls
    and backslashes included)."""
    full = literals._ESCAPED.sub(literals._escape_match, text)
    assert literals.escape_text(text) == full


def test_unsafe_characters_are_escaped_and_visible_text_is_not() -> None:
    unsafe = (
        "\x00\x1b\x7f\x85\xa0\u00ad\u200b\u200e\u202e\u2028\u2066\ufeff"
        "\ue000\U000e0001\ufffe\U0010ffff"
    )
    for char in unsafe:
        assert literals.must_escape(char), hex(ord(char))
    for char in "aZ9 _-é中🙂\u0301":
        assert not literals.must_escape(char), hex(ord(char))
    assert literals.string_literal("a\u202eb") == '"a\\u202eb"'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e16, "1e16"),
        (1e-05, "1e-05"),
        (0.1, "0.1"),
        (float("inf"), 'float("inf")'),
        (float("-inf"), 'float("-inf")'),
        (float("nan"), 'float("nan")'),
    ],
)
def test_float_literals(value: float, expected: str) -> None:
    assert literals.float_literal(value) == expected


def test_huge_ints_are_written_in_hex_and_evaluate_exactly() -> None:
    value = -(7**6000)
    literal = literals.int_literal(value)
    assert literal.startswith("-0x")
    assert eval(literal) == value
    assert literals.int_literal(12345) == "12345"


def test_data_literal_is_read_only_all_the_way_down() -> None:
    data = freeze({"a": [1, {"b": None}], "c": {"d": (True, 2.5)}, "e": "x"})
    literal = literals.data_literal(data, mapping_type="MappingProxyType")
    value = eval(literal, {"MappingProxyType": MappingProxyType})
    assert value == data
    assert isinstance(value, MappingProxyType)
    assert isinstance(value["a"], tuple)
    assert isinstance(value["a"][1], MappingProxyType)
    with pytest.raises(TypeError):
        value["c"]["d"] = 1


def test_data_literal_handles_non_finite_floats() -> None:
    literal = literals.data_literal(
        freeze({"nan": float("nan"), "inf": [float("inf")]}), mapping_type="dict"
    )
    value = eval(literal)
    assert math.isnan(value["nan"]) and value["inf"] == (float("inf"),)


def test_data_literal_rejects_what_is_not_plain_data() -> None:
    with pytest.raises(TypeError):
        literals.data_literal(object(), mapping_type="dict")  # type: ignore[arg-type]


def _docstring_of(literal: str, indent: str) -> str:
    source = f"class C:\n{indent}{literal}\n" if indent else f"{literal}\n"
    tree = ast.parse(source)
    node = tree.body[0].body[0] if indent else tree.body[0]  # type: ignore[attr-defined]
    assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    value = node.value.value
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("indent", ["", "    "])
def test_docstrings_cannot_be_broken_out_of(text: str, indent: str) -> None:
    literal = literals.docstring_literal(text, indent)
    shown = _docstring_of(literal, indent)
    # Only blanks at line ends and line starts may differ (documentation
    # cleaning); every other character survives in order.
    assert "".join(shown.split()) == "".join(text.split())


@given(ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_docstrings_of_any_text_parse_and_keep_their_characters(text: str) -> None:
    literal = literals.docstring_literal(text, "    ")
    shown = _docstring_of(literal, "    ")
    assert "".join(shown.split(" ")).replace("\n", "") == "".join(
        text.split(" ")
    ).replace("\n", "")


@given(st.lists(ANY_TEXT, min_size=1, max_size=4).map("\n".join))
@example('0\n"')
@example('"\nx\n"')
@settings(max_examples=200, deadline=None)
def test_docstrings_are_what_black_prints(text: str) -> None:
    literal = literals.docstring_literal(text, "    ")
    source = f"class C:\n    {literal}\n"
    assert formatting.format_source(source) == source


def test_docstring_cleaning_matches_black_conventions() -> None:
    assert literals.docstring_literal("  one line  ", "") == '"""one line"""'
    assert literals.docstring_literal("", "    ") == '""" """'
    text = "Summary.\n\n      indented\n      block\n"
    assert (
        literals.docstring_literal(text, "    ")
        == '"""Summary.\n\n    indented\n    block\n    """'
    )


def test_comment_text_stays_on_one_line() -> None:
    assert literals.comment_text("a\nb\rc\u2028d") == "a\\nb\\rc\\u2028d"
