"""YAML 1.2 characters, valid JSON, and positions after substitution.

PyYAML's scanners read YAML 1.1; these tests pin down where the loader
corrects that (U+0085/U+2028/U+2029, DEL and C1 controls in quoted strings,
surrogate pair escapes) and that every position is one in the file as the
user wrote it, before ``${VAR}`` substitution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from frontend_support import BASE, codes_of, located, run
from hypothesis import given, settings
from hypothesis import strategies as st

from gubernator_gen.frontend import parse, yaml12
from gubernator_gen.frontend.load import load_text
from gubernator_gen.frontend.positions import LineIndex
from gubernator_gen.frontend.substitute import substitute
from gubernator_gen.frontend.tree import MapNode, Node, ScalarNode, SeqNode

LOADERS: list[type[Any]] = [yaml.SafeLoader]
if getattr(yaml, "CSafeLoader", None) is not None:
    LOADERS.insert(0, yaml.CSafeLoader)


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__, autouse=True)
def _loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with libyaml (when present) and the pure Python parser."""
    monkeypatch.setattr(parse, "Loader", request.param)


def _root(text: str, path: str = "t.yaml") -> MapNode:
    result = load_text(text, path=path, defines={}, environ={})
    assert result.diagnostics == ()
    assert isinstance(result.root, MapNode)
    return result.root


def _entries(root: MapNode) -> Iterator[tuple[object, object, int, int]]:
    """(key, value, line, column of the value) of a flat mapping."""
    for key, value in root.entries:
        assert isinstance(key, ScalarNode) and isinstance(value, ScalarNode)
        yield key.value, value.value, value.pos.line, value.pos.column


class TestYaml12Characters:
    """U+0085, U+2028 and U+2029 are ordinary characters, not line breaks."""

    def test_quoted_strings_round_trip(self) -> None:
        text = (
            'a: "a\x85b"\n'
            'b: "p\x85\x85q"\n'
            'c: "x \u2028  y"\n'
            "d: 'single\u2029quoted'\n"
            "e: 1\n"
        )
        assert list(_entries(_root(text))) == [
            ("a", "a\x85b", 1, 4),
            ("b", "p\x85\x85q", 2, 4),
            ("c", "x \u2028  y", 3, 4),
            ("d", "single\u2029quoted", 4, 4),
            ("e", 1, 5, 4),
        ]

    def test_keys_and_plain_scalars(self) -> None:
        text = "k\u2028ey: plain\x85value\nnext: x\u2029\n"
        assert list(_entries(_root(text))) == [
            ("k\u2028ey", "plain\x85value", 1, 7),
            ("next", "x\u2029", 2, 7),
        ]
        root = _root('{"k\u2028ey": "v\x85", "n": 1}', path="t.json")
        assert list(_entries(root)) == [("k\u2028ey", "v\x85", 1, 10), ("n", 1, 1, 21)]

    def test_escapes_still_give_the_characters(self) -> None:
        root = _root('a: "\\N\\L\\P"\nb: "\\x85\\u2028"\nc: 2\n')
        assert list(_entries(root)) == [
            ("a", "\x85\u2028\u2029", 1, 4),
            ("b", "\x85\u2028", 2, 4),
            ("c", 2, 3, 4),
        ]

    def test_diagnostics_count_lines_the_yaml_12_way(self) -> None:
        spec = 'meta:\n  description: "one\x85two\u2028three\u2029"\n' + BASE
        result = run(spec + "    extra: 1\n")
        # Three lines of meta and description, nine of BASE: line 12.
        assert located(result.diagnostics) == [("GG204", 12, 5)]
        clean = run(spec)
        assert clean.spec is not None
        assert clean.spec.description == "one\x85two\u2028three\u2029"
        assert (clean.spec.states[1].pos.line, clean.spec.states[1].pos.column) == (
            6,
            5,
        )

    def test_syntax_errors_are_located_on_real_lines(self) -> None:
        result = run("a: x\u2028\nb: [1,\n")
        assert located(result.diagnostics) == [("GG106", 3, 1)]

    def test_text_holding_the_sentinels_keeps_its_values(self) -> None:
        # The first noncharacters are taken by the text (raw and escaped):
        # others stand in, and the text's own come through unchanged.
        text = 'a: "\ufdd0\x85"\nb: "\\uFDD1\u2028"\nc: "\\U0001FFFE\u2029"\n'
        assert [value for _, value, _, _ in _entries(_root(text))] == [
            "\ufdd0\x85",
            "\ufdd1\u2028",
            "\U0001fffe\u2029",
        ]

    def test_without_free_sentinels_the_yaml_11_reading_stays(self) -> None:
        every = "".join(
            chr(code)
            for code in (
                *range(0xFDD0, 0xFDF0),
                *(p << 16 | low for p in range(1, 17) for low in (0xFFFE, 0xFFFF)),
            )
        )
        prepared = yaml12.prepare(f"# {every}\na: 'x\x85y'\n")
        assert prepared.table == {} and not prepared.lines_match
        root = _root(f"# {every}\na: 'x\x85y'\nb: 1\n")
        # YAML 1.1 folds the break to a space, but lines still count right.
        assert list(_entries(root)) == [("a", "x y", 2, 4), ("b", 1, 3, 4)]


_JSON_SPEC: dict[str, Any] = {
    "meta": {"description": "emoji 😀, tab\t, del \x7f, c1 \x80\x9f, nel \x85"},
    "states": [{"name": "A", "type": "initial"}, {"name": "B", "type": "terminal"}],
    "transitions": [{"trigger": "go", "source": "A", "dest": "B"}],
}


class TestJson:
    """Text that is valid JSON loads as JSON means it."""

    @pytest.mark.parametrize("ensure_ascii", [True, False])
    def test_json_dumps_output_loads_exactly(self, ensure_ascii: bool) -> None:
        text = json.dumps(_JSON_SPEC, indent=2, ensure_ascii=ensure_ascii)
        assert ("\\ud83d\\ude00" in text) == ensure_ascii
        assert ("\x7f" in text) != ensure_ascii
        result = run(text, path="machine.json")
        assert result.diagnostics == ()
        assert result.spec is not None
        assert result.spec.description == _JSON_SPEC["meta"]["description"]

    def test_positions_after_raw_controls(self) -> None:
        spec = json.loads(json.dumps(_JSON_SPEC))
        spec["transitions"][0]["dest"] = "C"
        text = json.dumps(spec, indent=2, ensure_ascii=False)
        result = run(text, path="machine.json")
        assert codes_of(result) == ["GG304"]
        pos = result.diagnostics[0].pos
        # Not splitlines(): Python also breaks lines at U+0085.
        line = text.split("\n")[pos.line - 1]
        assert line[pos.column - 1 :] == '"C"'

    def test_controls_outside_strings_are_located(self) -> None:
        result = run('{"a": "x"}\x7f\n', path="m.json")
        assert located(result.diagnostics) == [("GG106", 1, 11)]
        assert "U+007F is only allowed inside quoted strings" in (
            result.diagnostics[0].message
        )
        plain = run("a: x\x9fy\n# and \x7f\n")
        assert located(plain.diagnostics) == [("GG106", 1, 5)]
        comment = run("a: 'x'\n# and \x7f\n")
        assert located(comment.diagnostics) == [("GG106", 2, 7)]

    def test_controls_in_yaml_quoted_strings(self) -> None:
        root = _root("a: 'x\x7f'\nb: \"\x80\x9f\"\n")
        assert list(_entries(root)) == [("a", "x\x7f", 1, 4), ("b", "\x80\x9f", 2, 4)]

    def test_lone_surrogate_escape_is_located(self) -> None:
        spec = json.loads(json.dumps(_JSON_SPEC))
        spec["meta"]["description"] = "half \ud83d"
        text = json.dumps(spec, indent=2)
        assert '"half \\ud83d"' in text
        result = run(text, path="m.json")
        assert [(d.code, d.pos.line) for d in result.diagnostics] == [("GG106", 3)]
        assert result.spec is None

    def test_pair_escapes_only_in_double_quoted_strings(self) -> None:
        text = 'a: \\ud83d\\ude00\nb: "\\ud83d\\ude00"\nc: "\\\\ud83d"\nd: 1\n'
        assert list(_entries(_root(text))) == [
            ("a", "\\ud83d\\ude00", 1, 4),
            ("b", "😀", 2, 4),
            ("c", "\\ud83d", 3, 4),
            ("d", 1, 4, 4),
        ]

    def test_no_tab_hint_for_json(self) -> None:
        text = '{\n\t"a": [1,\n'
        yaml_error = run(text, path="m.yaml").diagnostics
        json_error = run(text, path="m.json").diagnostics
        assert "tabs" in yaml_error[0].message
        assert "tabs" not in json_error[0].message
        assert [d.code for d in json_error] == ["GG106"]


class TestPositionsAfterSubstitution:
    """Every position points into the file as written."""

    SPEC = """\
meta:
  machine_name: sub
  description: "${NOTE}"
states:
  - name: A
    type: initial
    bogus: 1
transitions: []
"""

    def test_values_with_newlines_do_not_move_later_lines(self) -> None:
        result = run(self.SPEC, defines={"NOTE": "one\n\n\n\ntwo"})
        assert located(result.diagnostics) == [("GG204", 7, 5)]

    def test_long_values_do_not_move_later_columns(self) -> None:
        text = "meta: {description: '${NOTE}', bogus: 1}\n" + BASE
        result = run(text, defines={"NOTE": "x" * 40})
        assert located(result.diagnostics) == [("GG204", 1, 32)]
        short = run(text, defines={"NOTE": ""})
        assert located(short.diagnostics) == [("GG204", 1, 32)]

    def test_problems_inside_a_value_point_at_the_reference(self) -> None:
        text = "meta:\n  version: ${V}\n  strict_mode: ${S}\n" + BASE
        result = run(text, defines={"V": "1.5", "S": "[1,\n    2]"})
        assert located(result.diagnostics) == [("GG201", 2, 12), ("GG201", 3, 16)]

    def test_escaped_references_keep_columns(self) -> None:
        text = "meta: {description: '$${X} ${Y}', bogus: 1}\n" + BASE
        result = run(text, defines={"Y": "why"})
        assert located(result.diagnostics) == [("GG204", 1, 35)]

    def test_model_positions_are_original(self) -> None:
        text = "meta:\n  description: ${D}\n  class_name: ${C}\n" + BASE
        result = run(text, defines={"D": "|\n    a\n    b\n", "C": "Machine"})
        assert result.diagnostics == () and result.spec is not None
        spec = result.spec
        assert spec.description == "a\nb\n"
        assert (spec.name_pos.line, spec.name_pos.column) == (3, 15)
        assert [(s.pos.line, s.pos.column) for s in spec.states] == [(5, 5), (7, 5)]
        transition = spec.transitions[0]
        assert (transition.pos.line, transition.pos.column) == (10, 5)

    def test_syntax_error_after_a_value_with_newlines(self) -> None:
        result = run("a: ${X}\nb: [1,\n", defines={"X": "|\n  1\n  2\n"})
        assert located(result.diagnostics) == [("GG106", 3, 1)]

    def test_offset_map(self) -> None:
        original = "ab${X}cd$${Y}e${Z}"
        result = substitute(
            original, path="p", defines={"X": "xyz", "Z": ""}, environ={}
        )
        assert result.text == "abxyzcd${Y}e"
        mapped = [result.offsets.original(i) for i in range(len(result.text) + 1)]
        # a b | x y z → the "$" of ${X} | c d | "${Y}" after the escaping "$"
        # | e | the end of the text.
        assert mapped == [0, 1, 2, 2, 2, 6, 7, 9, 10, 11, 12, 13, 18]
        for offset, origin in enumerate(mapped[:-1]):
            if not 2 <= offset <= 4:
                assert result.text[offset] == original[origin]

    def test_substitution_diagnostics_with_cr_line_ends(self) -> None:
        result = substitute("a: 1\rb: ${MISSING}\r", path="p", defines={}, environ={})
        assert located(result.diagnostics) == [("GG104", 2, 4)]


def test_line_index() -> None:
    lines = LineIndex("a\r\nb\rc\nd\x85e\u2028", "p")
    found = [(lines.at(i).line, lines.at(i).column) for i in range(12)]
    assert found == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (3, 1),
        (3, 2),
        (4, 1),
        (4, 2),
        (4, 3),
        (4, 4),
        (4, 5),
    ]
    assert lines.line_text(1) == "a" and lines.line_text(4) == "d\x85e\u2028"
    assert lines.line_text(5) == ""


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet="ab xyz\u2028\x85\u2029é😀\x7f", max_size=12), max_size=5
    ).map("\n      ".join)
)
def test_positions_do_not_depend_on_substituted_values(note: str) -> None:
    result = run(TestPositionsAfterSubstitution.SPEC, defines={"NOTE": note})
    assert located(result.diagnostics) == [("GG204", 7, 5)]


def _plain(node: Node) -> object:
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SeqNode):
        return [_plain(item) for item in node.items]
    return {_plain(key): _plain(value) for key, value in node.entries}


_JSON_STRINGS = st.text(st.characters(codec="utf-8"), max_size=12)
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _JSON_STRINGS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(_JSON_STRINGS, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(_JSON_STRINGS, _JSON_VALUES, min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from([None, 2]),
)
def test_json_loads_as_json_means_it(
    document: dict[str, object], ensure_ascii: bool, indent: int | None
) -> None:
    text = json.dumps(document, ensure_ascii=ensure_ascii, indent=indent)
    result = load_text(text, path="data.json", defines={}, environ={})
    assert result.diagnostics == ()
    assert result.root is not None
    assert _plain(result.root) == json.loads(text)
