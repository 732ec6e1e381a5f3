"""Hostile input: each case gives a clear diagnostic or loads; never a traceback."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from frontend_support import BASE, codes_of, located, run

from gubernator_gen.frontend import limits, parse

TEN_MB = 10 * 1024 * 1024


def test_deeply_nested_flow_collections() -> None:
    for opener in ("[", "{a: "):
        result = run("x: " + opener * 200_000)
        assert codes_of(result) == ["GG117"]
        assert result.diagnostics[0].pos.line == 1


def test_deeply_nested_block_collections() -> None:
    text = "".join(" " * (2 * depth) + "- \n" for depth in range(300)) + "x: 1\n"
    assert codes_of(run(text)) == ["GG117"]
    mappings = "".join(" " * depth + f"k{depth}:\n" for depth in range(300))
    assert codes_of(run(mappings)) == ["GG117"]


def test_nesting_within_the_limit_loads() -> None:
    depth = limits.MAX_DEPTH - 4  # root, states, the state and metadata are 4 levels
    nested = "[" * depth + "]" * depth
    result = run(
        BASE.replace(
            "    type: terminal\n",
            f"    type: terminal\n    metadata: {{x: {nested}}}\n",
        )
    )
    assert result.diagnostics == ()
    assert result.spec is not None


def test_billion_laughs() -> None:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    result = run("\n".join(lines) + "\n")
    assert codes_of(result) == ["GG116"]
    assert result.spec is None


def test_aliases_within_the_limit_are_shared_values() -> None:
    text = """\
states:
  - name: A
    type: initial
    on_exit: &audit [audit, log]
  - name: B
    type: terminal
    on_enter: *audit
transitions:
  - trigger: go
    source: A
    dest: B
    actions: *audit
"""
    result = run(text)
    assert result.diagnostics == ()
    assert result.spec is not None
    assert result.spec.state("B").on_enter == ("audit", "log")
    assert result.spec.transitions[0].actions == ("audit", "log")


def test_recursive_alias_in_a_mapping() -> None:
    result = run(BASE + "meta: &m\n  description: *m\n")
    assert located(result.diagnostics) == [("GG115", 11, 16)]


def test_ten_megabyte_realistic_spec_is_refused_by_the_node_limit() -> None:
    parts = ["states:\n  - name: S0\n    type: initial\n"]
    size = len(parts[0])
    index = 1
    while size < TEN_MB:
        chunk = f"  - name: S{index}\n    on_enter: [enter_{index}, log]\n"
        parts.append(chunk)
        size += len(chunk)
        index += 1
    result = run("".join(parts) + "transitions: []\n")
    assert codes_of(result) == ["GG118"]


def test_ten_megabyte_string_loads() -> None:
    description = "x" * TEN_MB
    result = run(f"meta:\n  description: {description}\n" + BASE)
    assert result.diagnostics == ()
    assert result.spec is not None
    assert len(result.spec.description) == TEN_MB


def test_ten_megabytes_of_comments_is_an_empty_spec() -> None:
    assert codes_of(run("# " + "c" * 100 + "\n")) == ["GG108"]
    assert codes_of(run(("# " + "c" * 100 + "\n") * (TEN_MB // 103))) == ["GG108"]


def test_ten_megabyte_flow_list_is_bounded() -> None:
    result = run("x: [" + "1, " * (TEN_MB // 3) + "]\n")
    assert codes_of(result) == ["GG118"]


def test_file_over_the_size_limit_is_refused_before_parsing() -> None:
    result = run(b"a" * (limits.MAX_FILE_BYTES + 1))
    assert located(result.diagnostics) == [("GG103", 1, 1)]


def test_very_long_names_give_short_messages() -> None:
    long_name = "Q" * 1_000_000
    result = run(BASE.replace("dest: B", f"dest: {long_name}"))
    assert codes_of(result) == ["GG202"]
    assert "at most 200 characters" in result.diagnostics[0].message
    assert len(result.diagnostics[0].message) < 300
    # YAML caps implicit keys at 1024 characters; longer ones are syntax errors.
    bad_key = run(BASE + f"    {'k' * 1000}: 1\n")
    assert codes_of(bad_key) == ["GG204"]
    assert len(bad_key.diagnostics[0].message) < 300
    too_long_key = run(BASE + f"    {'k' * 2000}: 1\n")
    assert codes_of(too_long_key) == ["GG106"]
    bad_pattern = run(BASE.replace("name: A", f"name: {'a' * 1_000_000}"))
    assert "GG202" in codes_of(bad_pattern)
    assert all(len(d.message) < 400 for d in bad_pattern.diagnostics)


def test_non_utf8_bytes() -> None:
    data = BASE.encode().replace(b"dest: B", b"dest: B\xc3\x28")
    assert located(run(data).diagnostics) == [("GG102", 9, 12)]
    assert located(run(b"\x80" + BASE.encode()).diagnostics) == [("GG102", 1, 1)]
    latin1 = run("meta:\n  description: café\n".encode("latin-1") + BASE.encode())
    assert located(latin1.diagnostics) == [("GG102", 2, 19)]


def test_lone_surrogate_in_text() -> None:
    result = run(BASE.replace("dest: B", "dest: B\ud800"))
    assert located(result.diagnostics) == [("GG102", 9, 12)]


def test_tab_indentation_gets_a_hint() -> None:
    result = run(BASE.replace("    type: initial", "\ttype: initial"))
    assert codes_of(result) == ["GG106"]
    assert "tabs" in result.diagnostics[0].message
    assert result.diagnostics[0].pos.line == 3


def test_control_characters_are_located() -> None:
    for char in ("\x00", "\x07", "\x1b"):
        result = run(BASE.replace("dest: B", f"dest: B{char}"))
        assert located(result.diagnostics) == [("GG106", 9, 12)]
        assert f"U+{ord(char):04X}" in result.diagnostics[0].message


def test_huge_integer() -> None:
    result = run(BASE + "error_policy:\n  retry_attempts: " + "9" * 100_000 + "\n")
    assert located(result.diagnostics) == [("GG119", 11, 19)]


def test_many_problems_are_all_reported() -> None:
    result = run(BASE + "".join(f"    extra_{i}: 1\n" for i in range(5000)))
    assert codes_of(result) == ["GG204"] * 5000
    assert [d.pos.line for d in result.diagnostics] == list(range(10, 5010))


def test_syntax_errors_never_raise() -> None:
    broken = [
        "a: [1,\n  2",
        "a: 'x\n",
        "a: b: c",
        "[}",
        "? ? ?",
        "&a",
        "*a",
        "!<!> x",
        "%YAML 9.9\n---\na: 1",
        "a:\n- b\n c",
    ]
    for text in broken:
        result = run(text)
        assert result.spec is None
        assert result.diagnostics
        assert all(d.pos.line >= 1 and d.pos.column >= 1 for d in result.diagnostics)


# -- issue 10: aliases bounded in characters, over-long keys explained -------

LOADERS: list[type[Any]] = [yaml.SafeLoader]
if getattr(yaml, "CSafeLoader", None) is not None:
    LOADERS.insert(0, yaml.CSafeLoader)


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def each_parser(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run with libyaml (when present) and with the pure Python parser."""
    monkeypatch.setattr(parse, "Loader", request.param)


def _with_metadata(lines: str) -> str:
    """BASE with ``lines`` (indented six spaces) as the initial state's metadata."""
    return BASE.replace(
        "    type: initial\n", "    type: initial\n    metadata:\n" + lines
    )


def test_one_long_string_aliased_a_thousand_times_is_refused() -> None:
    copies = ", ".join(["*big"] * 1000)
    text = _with_metadata(
        f"      big: &big {'x' * 100_000}\n      copies: [{copies}]\n"
    )
    result = run(text)
    assert codes_of(result) == ["GG116"]
    assert result.spec is None
    assert "characters" in result.diagnostics[0].message
    # Reported at the first alias past the limit, on the copies line.
    first_over = limits.MAX_ALIAS_CHARACTERS // 100_000
    column = len("      copies: [") + 1 + first_over * len("*big, ")
    assert located(result.diagnostics) == [("GG116", 6, column)]


def test_aliases_are_counted_at_their_expanded_size() -> None:
    # A pair of aliases to a 100,000-character string, itself aliased: each
    # *pair stands for 200,000 characters. Exactly at the limit loads.
    assert limits.MAX_ALIAS_CHARACTERS == 1_000_000
    lines = (
        f"      big: &big {'x' * 100_000}\n"
        "      pair: &pair [*big, *big]\n"
        "      more: [*pair, *pair, *pair, *pair]\n"
    )
    at_limit = run(_with_metadata(lines))
    assert at_limit.diagnostics == ()
    assert at_limit.spec is not None
    over = run(_with_metadata(lines + "      last: *big\n"))
    assert located(over.diagnostics) == [("GG116", 8, 13)]


def test_anchors_for_shared_text_load() -> None:
    note = "shared note " * 150  # 1,800 characters, used 100 times
    copies = ", ".join(["*note"] * 100)
    text = _with_metadata(f"      note: &note {note}\n      copies: [{copies}]\n")
    result = run(text)
    assert result.diagnostics == ()
    assert result.spec is not None
    metadata = result.spec.state("A").metadata
    copies_value = metadata["copies"]
    assert isinstance(copies_value, tuple)
    assert len(copies_value) == 100
    assert set(copies_value) == {note.strip()}


@pytest.mark.usefixtures("each_parser")
@pytest.mark.parametrize(
    ("context", "line", "column"),
    [
        ("context:\n  {key}: str\n", 11, 3),
        ("context:\n  a: str\n  {key}: str\n", 12, 3),
        ("context: {{a: str, {key}: str}}\n", 10, 19),
        ("context:\n  '{key}': str\n", 11, 3),
        ('context:\n  "{key}": str\n', 11, 3),
        ("context: {{{key} : str}}\n", 10, 11),
    ],
    ids=["block", "second-key", "flow", "single-quoted", "double-quoted", "spaced"],
)
def test_a_key_over_the_yaml_limit_says_so_at_the_key(
    context: str, line: int, column: int
) -> None:
    result = run(BASE + context.format(key="f" * 10_000))
    assert located(result.diagnostics) == [("GG106", line, column)]
    message = result.diagnostics[0].message
    assert "this key is 10,0" in message  # quotes count: 10,000 or 10,002
    assert f"at most {limits.MAX_IMPLICIT_KEY}" in message
    assert "explicit key" in message


@pytest.mark.usefixtures("each_parser")
def test_a_long_key_written_as_an_explicit_key_loads() -> None:
    result = run(BASE + f"context:\n  ? {'f' * 10_000}\n  : str\n")
    assert result.diagnostics == ()
    assert result.spec is not None
    assert result.spec.context is not None
    assert result.spec.context[0].name == "f" * 10_000


@pytest.mark.usefixtures("each_parser")
def test_a_long_value_before_a_colon_is_not_called_a_long_key() -> None:
    # 'a: b: c' is wrong whatever the length; the scanner's words stand.
    result = run(BASE + f"meta:\n  description: {'d' * 2000}: x\n")
    assert codes_of(result) == ["GG106"]
    assert "this key" not in result.diagnostics[0].message
    assert "mapping values are not allowed" in result.diagnostics[0].message


@pytest.mark.usefixtures("each_parser")
def test_a_merge_key_marks_only_itself() -> None:
    # Merge keys were once remembered by id alone; a later node given the
    # id of a freed merge key passed for one too.
    text = "meta:\n" + "".join(
        f"  m{i}:\n    <<: {{v: 1}}\n" + "".join(f"    k{j}: x\n" for j in range(20))
        for i in range(50)
    )
    merge_lines = [n for n, line in enumerate(text.splitlines(), 1) if "<<" in line]
    result = run(text)
    reported = [d.pos.line for d in result.diagnostics if d.code == "GG113"]
    assert reported == merge_lines
