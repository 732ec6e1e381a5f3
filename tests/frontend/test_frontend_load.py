"""Loading: YAML 1.2 scalars, tags, positions, JSON, encodings, substitution."""

from __future__ import annotations

import hashlib
import json
import math

import pytest
from frontend_support import BASE, codes_of, located, run

from gubernator_gen.frontend.load import load_text
from gubernator_gen.frontend.substitute import substitute
from gubernator_gen.frontend.tree import MapNode, ScalarNode, SeqNode


def _values(text: str) -> list[object]:
    """The scalar values of the flow list under key ``v``."""
    root = load_text(text, path="t.yaml", defines={}, environ={}).root
    assert isinstance(root, MapNode)
    seq = root.get("v")
    assert isinstance(seq, SeqNode)
    values: list[object] = []
    for item in seq.items:
        assert isinstance(item, ScalarNode)
        values.append(item.value)
    return values


def test_yaml_12_core_schema_scalars() -> None:
    values = _values(
        "v: [yes, No, ON, off, y, n, true, False, TRUE, null, Null, ~, NULL,"
        " 12, -3, 0x1F, 0o17, 1.5, 1e3, -.5, 2001-12-14, 0b11, 1_000]"
    )
    assert values[:6] == ["yes", "No", "ON", "off", "y", "n"]
    assert values[6:9] == [True, False, True]
    assert values[9:13] == [None, None, None, None]
    assert values[13:19] == [12, -3, 31, 15, 1.5, 1000.0]
    assert values[19] == -0.5
    # Timestamps, YAML 1.1 binary and underscored numbers stay strings.
    assert values[20:] == ["2001-12-14", "0b11", "1_000"]
    assert all(type(v) is bool for v in values[6:9])
    assert type(values[13]) is int and type(values[18]) is float


def test_special_floats() -> None:
    values = _values("v: [.inf, -.Inf, +.INF, .nan, .NaN]")
    assert values[:3] == [math.inf, -math.inf, math.inf]
    assert all(isinstance(v, float) and math.isnan(v) for v in values[3:])


def test_quoted_and_block_scalars_are_strings() -> None:
    assert _values("v: ['1', \"true\", 'null']") == ["1", "true", "null"]
    root = load_text("v: |-\n  42\nw: >-\n  null\n", path="t", defines={}, environ={})
    assert isinstance(root.root, MapNode)
    assert [v.value for _, v in root.root.entries if isinstance(v, ScalarNode)] == [
        "42",
        "null",
    ]


def test_core_tags_convert_without_constructing_objects() -> None:
    assert _values("v: [!!str 12, !!float 1, !!int '0x10', !!bool 'false', ! yes]") == [
        "12",
        1.0,
        16,
        False,
        "yes",
    ]


def test_yaml_11_booleans_are_names() -> None:
    text = """\
states:
  - name: NO
    type: initial
  - name: Y
    type: terminal
transitions:
  - trigger: on
    source: NO
    dest: Y
  - trigger: yes
    source: [NO]
    dest: Y
    guards: off
"""
    result = run(text)
    assert result.diagnostics == ()
    assert result.spec is not None
    assert [s.name for s in result.spec.states] == ["NO", "Y"]
    assert result.spec.triggers == ("on", "yes")
    assert result.spec.transitions[1].guards == ("off",)


def test_columns_count_characters_not_bytes() -> None:
    result = run(BASE + "    description: ééé\n    extra: 1\n    ünknown: 2\n")
    assert located(result.diagnostics) == [("GG204", 11, 5), ("GG204", 12, 5)]
    tree = load_text("{é: 1, bé: [x, y]}", path="t", defines={}, environ={}).root
    assert isinstance(tree, MapNode)
    seq = tree.get("bé")
    assert isinstance(seq, SeqNode)
    assert (seq.pos.line, seq.pos.column) == (1, 12)
    assert (seq.items[1].pos.line, seq.items[1].pos.column) == (1, 16)


def test_json_spec_with_positions() -> None:
    spec = {
        "states": [{"name": "A", "type": "initial"}, {"name": "B", "type": "terminal"}],
        "transitions": [{"trigger": "go", "source": "A", "dest": "C"}],
    }
    text = json.dumps(spec, indent="\t")
    result = run(text, path="machine.json")
    assert codes_of(result) == ["GG304"]
    dest_line = next(i for i, line in enumerate(text.splitlines(), 1) if '"C"' in line)
    pos = result.diagnostics[0].pos
    assert pos.line == dest_line
    assert text.splitlines()[dest_line - 1][pos.column - 1 :].startswith('"C"')
    compact = run(json.dumps(spec).replace('"C"', '"B"'), path="machine.json")
    assert compact.diagnostics == ()
    assert compact.spec is not None and compact.spec.name == "machine"


def test_json_duplicate_key() -> None:
    result = run('{"states": [], "states": [], "transitions": []}', path="m.json")
    assert ("GG110", 1, 16) in located(result.diagnostics)


def test_utf8_bom_is_accepted() -> None:
    for data in (b"\xef\xbb\xbf" + BASE.encode(), "\ufeff" + BASE):
        result = run(data)
        assert result.diagnostics == ()
        assert result.spec is not None
    # The BOM is not part of the hashed text.
    with_bom = run(b"\xef\xbb\xbf" + BASE.encode()).spec
    without = run(BASE).spec
    assert with_bom is not None and without is not None
    assert with_bom.spec_sha256 == without.spec_sha256


def test_utf16_is_refused_clearly() -> None:
    result = run(BASE.encode("utf-16"))
    assert located(result.diagnostics) == [("GG102", 1, 1)]
    assert "UTF-16" in result.diagnostics[0].message


def test_line_endings_do_not_change_hash_or_lines() -> None:
    crlf = run(BASE.replace("\n", "\r\n"))
    lf = run(BASE)
    assert crlf.spec is not None and lf.spec is not None
    assert crlf.spec.spec_sha256 == lf.spec.spec_sha256
    expected = hashlib.sha256(BASE.encode()).hexdigest()
    assert lf.spec.spec_sha256 == expected
    bad = run((BASE + "    extra: 1\n").replace("\n", "\r\n"))
    assert located(bad.diagnostics) == [("GG204", 10, 5)]


def test_hash_is_taken_after_substitution() -> None:
    text = "meta:\n  version: ${V}\n" + BASE
    one = run(text, defines={"V": "1.0.0"}).spec
    two = run(text, defines={"V": "2.0.0"}).spec
    assert one is not None and two is not None
    assert one.version == "1.0.0" and two.version == "2.0.0"
    assert (
        one.spec_sha256
        == hashlib.sha256(text.replace("${V}", "1.0.0").encode()).hexdigest()
    )
    assert one.spec_sha256 != two.spec_sha256


@pytest.mark.parametrize(
    "text", ["", "   \n\n", "# just a comment\n", "---\n", "~\n", "null\n", "--- ~\n"]
)
def test_empty_documents(text: str) -> None:
    result = run(text)
    assert codes_of(result) == ["GG108"]
    assert result.spec is None


@pytest.mark.parametrize(
    ("text", "what"),
    [("- a\n", "a list"), ("hello\n", "'hello'"), ("42\n", "42"), ("true\n", "True")],
)
def test_root_must_be_a_mapping(text: str, what: str) -> None:
    result = run(text)
    assert located(result.diagnostics) == [("GG109", 1, 1)]
    assert what in result.diagnostics[0].message


class TestSubstitution:
    """``${VAR}`` forms, precedence and positions."""

    def _sub(self, text: str, **defines: str) -> tuple[str, list[tuple[str, int, int]]]:
        result = substitute(
            text, path="p", defines=defines, environ={"ENV": "from-env"}
        )
        return result.text, located(result.diagnostics)

    def test_forms(self) -> None:
        assert self._sub("a ${X} b", X="1") == ("a 1 b", [])
        assert self._sub("${ENV}") == ("from-env", [])
        assert self._sub("${ENV}", ENV="defined") == ("defined", [])
        assert self._sub("${X:-dflt}") == ("dflt", [])
        assert self._sub("${X:-dflt}", X="") == ("dflt", [])
        assert self._sub("${X:-dflt}", X="set") == ("set", [])
        assert self._sub("${X:?needed}", X="ok") == ("ok", [])
        assert self._sub("$${X} and $${ENV:-x}", X="no") == ("${X} and ${ENV:-x}", [])

    def test_not_references_stay_as_written(self) -> None:
        for text in (
            "${1X}",
            "${ X }",
            "$X",
            "${X",
            "${X-dflt}",
            "$ {X}",
            "${X:-a\nb}",
        ):
            assert self._sub(text, X="1") == (text, [])

    def test_missing_variables_are_located_in_the_original_text(self) -> None:
        text, found = self._sub(
            "k: ${LONG_VALUE} ${MISSING}\n  ${REQ:?set REQ}", LONG_VALUE="x" * 50
        )
        assert text == "k: " + "x" * 50 + " \n  "
        assert found == [("GG104", 1, 18), ("GG105", 2, 3)]

    def test_required_message_is_quoted(self) -> None:
        result = substitute(
            "${TOKEN:?pass --define TOKEN=...}", path="p", defines={}, environ={}
        )
        assert "pass --define TOKEN=..." in result.diagnostics[0].message

    def test_values_with_newlines_are_inserted_as_is(self) -> None:
        assert self._sub("a: ${X}", X="|\n  two\n  lines") == (
            "a: |\n  two\n  lines",
            [],
        )

    def test_environment_is_only_read_for_named_variables(self) -> None:
        result = run(
            "meta:\n  description: ${DESC:-none}\n" + BASE, environ={"DESC": "hi"}
        )
        assert result.spec is not None and result.spec.description == "hi"
        default = run("meta:\n  description: ${DESC:-none}\n" + BASE)
        assert default.spec is not None and default.spec.description == "none"

    def test_failed_substitution_is_reported_once(self) -> None:
        # The empty stand-in would also fail the schema; only GG104 is reported.
        result = run("meta:\n  version: ${V}\n  strict_mode: maybe\n" + BASE)
        assert located(result.diagnostics) == [("GG104", 2, 12), ("GG201", 3, 16)]


def test_syntax_error_at_the_end_points_inside_the_file() -> None:
    # Without a final newline the parser reports a line past the end.
    assert located(run("a: [1,\n  2").diagnostics) == [("GG106", 2, 4)]
    assert located(run("a: [1,\r\n  2").diagnostics) == [("GG106", 2, 4)]
    assert located(run("a: [1,\n  2\n").diagnostics) == [("GG106", 3, 1)]
