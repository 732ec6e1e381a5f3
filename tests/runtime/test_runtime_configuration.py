"""``Configuration``: canonical text, parsing with positions, value semantics."""

from __future__ import annotations

import json

import pytest
from gubernator_runtime import Configuration, ConfigurationTextError
from hypothesis import given
from hypothesis import strategies as st

NAMES = st.text(min_size=1, max_size=8)


def test_the_text_is_canonical_whatever_the_order() -> None:
    one = Configuration(["b", "a"], {"H2": ["y"], "H1": ["x", "w"], "H0": []})
    two = Configuration(("a", "b", "a"), {"H1": ("w", "x"), "H2": ("y",)})
    assert one == two == '{"active":["a","b"],"history":{"H1":["w","x"],"H2":["y"]}}'
    assert hash(one) == hash(str(one)) and str(one).__class__ is str
    assert one.active == ("a", "b")
    assert one.history == {"H1": ("w", "x"), "H2": ("y",)}
    assert Configuration(["s"]) == '{"active":["s"]}'
    assert repr(Configuration(["s"])) == 'Configuration.parse(\'{"active":["s"]}\')'


def test_a_configuration_is_immutable_and_checked() -> None:
    config = Configuration(["a"])
    with pytest.raises(AttributeError):
        config.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="at least one active state"):
        Configuration([])
    with pytest.raises(TypeError, match="state names must be strings"):
        Configuration([1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="a configuration is text"):
        Configuration.parse(b'{"active":["a"]}')  # type: ignore[arg-type]


@given(
    st.lists(NAMES, min_size=1, max_size=4),
    st.dictionaries(NAMES, st.lists(NAMES, max_size=3), max_size=3),
)
def test_any_names_round_trip_through_the_text(
    active: list[str], history: dict[str, list[str]]
) -> None:
    config = Configuration(active, history)
    assert Configuration.parse(str(config)) == config
    assert set(config.active) == set(active)
    assert {h: set(v) for h, v in config.history.items()} == {
        h: set(v) for h, v in history.items() if v
    }
    # Plain JSON, ASCII only: one unambiguous column value.
    assert str(config).isascii()
    assert json.loads(str(config))["active"] == sorted(set(active))


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, 1, "expected '{', found the end of the text"),
        ("[]", 1, 1, "expected '{', found '['"),
        ('{"active":[]}', 1, 11, "no active state"),
        ('{"active":["a",]}', 1, 16, "expected a state name in double quotes"),
        ('{"active":["a"]} x', 1, 18, "text after the configuration"),
        ('{"active":["a"],"nope":[]}', 1, 17, "unexpected key 'nope'"),
        ('{"active":["a"],"active":["b"]}', 1, 17, "unexpected key 'active'"),
        ('{\n "active": ["a\\q"]}', 2, 15, "Invalid \\escape"),
        ('{"history":{"h":["a"]}}', 1, 24, 'no "active" states'),
        ('{"active":["a"],"history":{"h":"a"}}', 1, 32, "expected '['"),
        ('{"active":["a"', 1, 15, "expected ']', found the end"),
    ],
)
def test_bad_text_is_refused_at_its_position(
    text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(ConfigurationTextError) as caught:
        Configuration.parse(text)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.line, error.column) == (line, column), str(error)
    assert f"line {line}, column {column}" in str(error) and words in str(error)


def test_parse_accepts_spacing_and_any_order() -> None:
    text = ' {\n "history" : {"h": ["x"]},\n "active": ["b", "a"] }\n'
    assert Configuration.parse(text) == Configuration(["a", "b"], {"h": ["x"]})


def test_is_in_without_a_tree_knows_the_active_states() -> None:
    config = Configuration(["a", "b"])
    assert config.is_in("a") and not config.is_in("parent")
