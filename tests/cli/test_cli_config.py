"""``[tool.gubernator-gen]`` in the nearest pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import write_text

from gubernator_gen.driver import codes as cli_codes
from gubernator_gen.driver.config import (
    ConfigError,
    display_path,
    find_pyproject,
    load_config,
)


def _problems(start: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(start)
    assert all(d.code == cli_codes.BAD_CONFIG for d in caught.value.diagnostics)
    return [d.format() for d in caught.value.diagnostics]


def test_no_pyproject_means_no_configuration(tmp_path: Path) -> None:
    assert find_pyproject(tmp_path) is None
    assert load_config(tmp_path) is None


def test_the_nearest_pyproject_wins_even_without_the_table(tmp_path: Path) -> None:
    write_text(
        tmp_path / "pyproject.toml", '[tool.gubernator-gen]\nspecs = ["a.yaml"]\n'
    )
    inner = tmp_path / "inner"
    write_text(inner / "pyproject.toml", "[project]\nname = 'inner'\n")
    (inner / "src").mkdir()
    assert find_pyproject(inner / "src") == (inner / "pyproject.toml").resolve()
    # The enclosing project's settings do not leak into the nested one.
    assert load_config(inner / "src") is None
    config = load_config(tmp_path)
    assert config is not None
    assert config.specs == ((tmp_path / "a.yaml").resolve(),)


def test_full_table_is_read_with_paths_from_the_pyproject_folder(
    tmp_path: Path,
) -> None:
    write_text(
        tmp_path / "pyproject.toml",
        """\
[project]
name = "app"

[tool.gubernator-gen]
specs = ["fsm/*.yaml", "extra/one.yaml", "fsm/b.yaml"]
out-dir = "src/machines"
strict = true
format = false
defines = { REGION = "eu", TIER = "gold" }
""",
    )
    for name in ("fsm/b.yaml", "fsm/a.yaml", "fsm/notes.txt"):
        write_text(tmp_path / name, "")
    (tmp_path / "sub").mkdir()
    config = load_config(tmp_path / "sub")
    assert config is not None
    root = tmp_path.resolve()
    assert config.path == root / "pyproject.toml"
    # Glob matches sorted; a plain path kept even before it exists; no repeats.
    assert config.specs == (
        root / "fsm/a.yaml",
        root / "fsm/b.yaml",
        root / "extra/one.yaml",
    )
    assert config.out_dir == root / "src/machines"
    assert config.strict is True
    assert config.format is False
    assert dict(config.defines) == {"REGION": "eu", "TIER": "gold"}


def test_recursive_glob(tmp_path: Path) -> None:
    write_text(
        tmp_path / "pyproject.toml",
        '[tool.gubernator-gen]\nspecs = ["**/*_fsm.yaml"]\n',
    )
    write_text(tmp_path / "a/b/x_fsm.yaml", "")
    write_text(tmp_path / "y_fsm.yaml", "")
    config = load_config(tmp_path)
    assert config is not None
    assert {p.name for p in config.specs} == {"x_fsm.yaml", "y_fsm.yaml"}


def test_a_broad_glob_takes_only_spec_files(tmp_path: Path) -> None:
    # "fsm/*" must not pick up the modules generated beside the specs.
    write_text(
        tmp_path / "pyproject.toml", '[tool.gubernator-gen]\nspecs = ["fsm/*"]\n'
    )
    for name in ("a_fsm.yaml", "a_fsm.py", "b_fsm.JSON", "c_fsm.yml", "notes.txt"):
        write_text(tmp_path / "fsm" / name, "")
    config = load_config(tmp_path)
    assert config is not None
    assert sorted(p.name for p in config.specs) == [
        "a_fsm.yaml",
        "b_fsm.JSON",
        "c_fsm.yml",
    ]


def test_unset_keys_are_none(tmp_path: Path) -> None:
    write_text(tmp_path / "pyproject.toml", "[tool.gubernator-gen]\n")
    config = load_config(tmp_path)
    assert config is not None
    assert (config.specs, config.out_dir, config.strict, config.format) == (
        (),
        None,
        None,
        None,
    )
    assert dict(config.defines) == {}


def test_every_problem_is_reported_at_its_line(tmp_path: Path) -> None:
    write_text(
        tmp_path / "pyproject.toml",
        """\
[project]
name = "app"

[tool.gubernator-gen]
specs = "one.yaml"
out_dir = "gen"
strict = "yes"
  defines = { 1X = "a", OK = 3 }
""",
    )
    problems = _problems(tmp_path)
    assert problems == [
        "pyproject.toml:6:1: error: unknown key 'out_dir' in [tool.gubernator-gen]"
        " (did you mean 'out-dir'?) [GG505]",
        "pyproject.toml:5:1: error: 'specs' must be a list of non-empty strings"
        " (paths or globs) [GG505]",
        "pyproject.toml:7:1: error: 'strict' must be true or false [GG505]",
        "pyproject.toml:8:3: error: '1X' in 'defines' is not a variable name [GG505]",
        "pyproject.toml:8:3: error: the value of 'OK' in 'defines' must be a string"
        " [GG505]",
    ]


def test_a_glob_matching_nothing_is_an_error(tmp_path: Path) -> None:
    write_text(
        tmp_path / "pyproject.toml", '[tool.gubernator-gen]\nspecs = ["fsm/*.yaml"]\n'
    )
    assert _problems(tmp_path) == [
        "pyproject.toml:2:1: error: the spec pattern 'fsm/*.yaml' matches no file"
        " [GG505]"
    ]


def test_toml_syntax_error_is_located(tmp_path: Path) -> None:
    write_text(tmp_path / "pyproject.toml", "[tool.gubernator-gen]\nstrict = tru\n")
    (problem,) = _problems(tmp_path)
    assert problem.startswith(
        "pyproject.toml:2:10: error: pyproject.toml is not valid TOML: "
    )
    assert "(at line" not in problem


def test_toml_error_at_the_end_of_the_document(tmp_path: Path) -> None:
    write_text(
        tmp_path / "pyproject.toml", '[tool.gubernator-gen]\nspecs = ["a.yaml"\n'
    )
    (problem,) = _problems(tmp_path)
    assert problem.startswith(
        "pyproject.toml:2:18: error: pyproject.toml is not valid TOML"
    )


def test_table_that_is_not_a_table(tmp_path: Path) -> None:
    write_text(tmp_path / "pyproject.toml", '[tool]\n"gubernator-gen" = 3\n')
    assert _problems(tmp_path) == [
        "pyproject.toml:1:1: error: [tool.gubernator-gen] must be a table [GG505]"
    ]


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(
        b"[tool.gubernator-gen]\nspecs = ['\xff']\n"
    )
    assert _problems(tmp_path) == [
        "pyproject.toml:1:1: error: pyproject.toml is not valid UTF-8 text [GG505]"
    ]


def test_display_path(tmp_path: Path) -> None:
    assert display_path(tmp_path / "a" / "b.yaml", tmp_path) == str(Path("a/b.yaml"))
    outside = tmp_path.parent / "elsewhere.yaml"
    assert display_path(outside, tmp_path) == str(outside)
