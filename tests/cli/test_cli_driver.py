"""The command-line driver, run in-process on a stand-in pipeline.

These tests pin the driver's own behaviour (targets, safe writes, drift,
configuration, exit codes, output streams) independently of the front and
back ends; ``test_cli_e2e.py`` runs the real program on the real pipeline.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_support import FakePipeline, fake_compile, write_text

from gubernator_gen import __version__, compiler
from gubernator_gen.compiler import CompileOptions, CompileResult
from gubernator_gen.driver import cli
from gubernator_gen.driver.write import generated_header

SPEC = "name: door\n"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _expected_module(spec: Path, defines: dict[str, str] | None = None) -> bytes:
    options = CompileOptions(defines=defines or {})
    source = fake_compile(spec, options).source
    assert source is not None
    return source.encode()


def _age(path: Path) -> int:
    past = 1_000_000_000 * 10**9
    os.utime(path, ns=(past, past))
    return past


# -- generate ---------------------------------------------------------------


def test_generate_writes_the_module_beside_the_spec(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_text(Path("door.yaml"), SPEC)
    status, out, err = _run(capsys, "generate", "door.yaml")
    assert (status, out, err) == (0, "", "")  # quiet for one spec
    assert Path("door.py").read_bytes() == _expected_module(spec)
    assert fake_pipeline.calls[0][0] == Path("door.yaml")


def test_generate_leaves_an_unchanged_module_untouched(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC)
    assert _run(capsys, "generate", "door.yaml")[0] == 0
    mtime = _age(Path("door.py"))
    assert _run(capsys, "generate", "door.yaml")[0] == 0
    assert Path("door.py").stat().st_mtime_ns == mtime
    write_text(Path("door.yaml"), SPEC + "more: 1\n")
    assert _run(capsys, "generate", "door.yaml")[0] == 0
    assert Path("door.py").stat().st_mtime_ns != mtime
    assert b"more: 1" in Path("door.py").read_bytes()


def test_generate_refuses_to_clobber_a_hand_written_file(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_text(Path("door.yaml"), SPEC)
    Path("door.py").write_text("print('mine')\n")
    status, out, err = _run(capsys, "generate", "door.yaml")
    assert (status, out) == (1, "")
    assert err.startswith("door.py:1:1: error: refusing to overwrite door.py")
    assert err.rstrip().endswith("[GG501]")
    assert Path("door.py").read_text() == "print('mine')\n"
    assert _run(capsys, "generate", "door.yaml", "--force")[0] == 0
    assert Path("door.py").read_bytes() == _expected_module(spec)


def test_invalid_spec_writes_nothing(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC + "error\n")
    status, out, err = _run(capsys, "generate", "door.yaml")
    assert (status, out) == (1, "")
    assert err == "door.yaml:2:1: error: a fake error [GG999]\n"
    assert not Path("door.py").exists()


def test_warnings_pass_unless_strict(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC + "warning\n")
    status, _, err = _run(capsys, "generate", "door.yaml")
    assert status == 0
    assert err == "door.yaml:2:1: warning: a fake warning [GG998]\n"
    assert Path("door.py").exists()
    Path("door.py").unlink()
    status, _, err = _run(capsys, "generate", "door.yaml", "--strict")
    assert status == 1
    assert "warning: a fake warning" in err
    assert not Path("door.py").exists()
    assert fake_pipeline.calls[-1][1].strict is True


def test_one_bad_spec_does_not_stop_the_others(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("a.yaml"), "error\n")
    write_text(Path("b.yaml"), SPEC)
    status, _, err = _run(capsys, "generate", "a.yaml", "b.yaml")
    assert status == 1
    assert not Path("a.py").exists()
    assert Path("b.py").exists()
    assert "[1/2] a.yaml -> a.py: not generated" in err
    assert "[2/2] b.yaml -> b.py: created" in err


def test_output_file_and_out_dir(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_text(Path("specs/door.yaml"), SPEC)
    write_text(Path("specs/lamp.yaml"), SPEC)
    assert (
        _run(capsys, "generate", "specs/door.yaml", "-o", "app/door_machine.py")[0] == 0
    )
    assert Path("app/door_machine.py").read_bytes() == _expected_module(spec)
    status, _, err = _run(
        capsys, "generate", "specs/door.yaml", "specs/lamp.yaml", "--out-dir", "gen"
    )
    assert status == 0
    assert sorted(p.name for p in Path("gen").iterdir()) == ["door.py", "lamp.py"]
    assert f"-> {Path('gen/door.py')}: created" in err


def test_output_option_takes_one_spec(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("a.yaml"), SPEC)
    write_text(Path("b.yaml"), SPEC)
    status, out, err = _run(capsys, "generate", "a.yaml", "b.yaml", "-o", "x.py")
    assert (status, out) == (2, "")
    assert err.startswith("usage: gubernator-gen generate")
    assert "error: -o/--output takes a single spec, but 2 were given" in err
    assert fake_pipeline.calls == []


def test_stdout_prints_and_writes_nothing(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_text(Path("door.yaml"), SPEC)
    status, out, _ = _run(capsys, "generate", "door.yaml", "--stdout")
    assert status == 0
    assert out.encode() == _expected_module(spec)
    assert not Path("door.py").exists()
    assert _run(capsys, "generate", "door.yaml", "--stdout", "--check")[0] == 2


def test_two_specs_with_one_output_conflict(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("a/door.yaml"), SPEC)
    write_text(Path("b/door.yaml"), SPEC + "x: 1\n")
    status, _, err = _run(
        capsys, "generate", "a/door.yaml", "b/door.yaml", "--out-dir", "gen"
    )
    assert status == 1
    expected = (
        f"{Path('b/door.yaml')}:1:1: error: {Path('gen/door.py')} is already the output"
    )
    assert expected in err
    assert "[GG504]" in err
    assert b"x: 1" not in Path("gen/door.py").read_bytes()


def test_output_over_the_spec_itself_is_refused_even_with_force(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC)
    status, _, err = _run(capsys, "generate", "door.yaml", "-o", "door.yaml", "--force")
    assert status == 1
    assert "would overwrite the spec itself [GG504]" in err
    assert Path("door.yaml").read_text() == SPEC


def test_the_same_spec_twice_is_generated_once(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC)
    assert _run(capsys, "generate", "door.yaml", "./door.yaml")[0] == 0
    assert len(fake_pipeline.calls) == 1


def test_specs_may_follow_options(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("a.yaml"), SPEC)
    write_text(Path("b.yaml"), SPEC)
    assert _run(capsys, "generate", "a.yaml", "--no-format", "b.yaml")[0] == 0
    assert [call[0] for call in fake_pipeline.calls] == [Path("a.yaml"), Path("b.yaml")]
    assert all(call[1].format is False for call in fake_pipeline.calls)
    status, _, err = _run(capsys, "generate", "a.yaml", "--bogus", "b.yaml")
    assert status == 2
    assert "unrecognized arguments: --bogus b.yaml" in err


# -- check ------------------------------------------------------------------


def test_check_passes_on_an_up_to_date_module(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC)
    assert _run(capsys, "generate", "door.yaml")[0] == 0
    mtime = _age(Path("door.py"))
    assert _run(capsys, "check", "door.yaml") == (0, "", "")
    assert _run(capsys, "generate", "--check", "door.yaml") == (0, "", "")
    assert Path("door.py").stat().st_mtime_ns == mtime


def test_check_reports_drift_with_a_diff(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC)
    assert _run(capsys, "generate", "door.yaml")[0] == 0
    write_text(Path("door.yaml"), "name: gate\n")
    before = Path("door.py").read_bytes()
    for command in (["check"], ["generate", "--check"]):
        status, out, err = _run(capsys, *command, "door.yaml")
        assert status == 1
        assert out.startswith(
            "--- door.py\n+++ door.py (generated from door.yaml)\n@@ "
        )
        assert "-SPEC_TEXT = 'name: door\\n'\n+SPEC_TEXT = 'name: gate\\n'\n" in out
        assert err == (
            "door.py:2:1: error: door.py is out of date with door.yaml; "
            "run 'gubernator-gen generate' [GG502]\n"
        )
    assert Path("door.py").read_bytes() == before


def test_check_reports_a_missing_module(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC)
    status, out, err = _run(capsys, "check", "door.yaml")
    assert status == 1
    assert out.startswith("--- /dev/null\n")
    assert "door.py does not exist" in err
    assert not Path("door.py").exists()


def test_check_refuses_a_hand_written_module(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("door.yaml"), SPEC)
    Path("door.py").write_text("print('mine')\n")
    status, out, err = _run(capsys, "check", "door.yaml")
    assert (status, out) == (1, "")
    assert "[GG501]" in err


# -- defines and options ----------------------------------------------------


def test_defines_reach_the_pipeline(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_text(Path("door.yaml"), SPEC)
    argv = [
        "generate",
        "door.yaml",
        "-D",
        "REGION=eu",
        "--define",
        "EMPTY=",
        "-D",
        "EQ=a=b",
    ]
    assert _run(capsys, *argv)[0] == 0
    defines = {"REGION": "eu", "EMPTY": "", "EQ": "a=b"}
    assert dict(fake_pipeline.calls[0][1].defines) == defines
    assert Path("door.py").read_bytes() == _expected_module(spec, defines)


@pytest.mark.parametrize("bad", ["NOVALUE", "=x", "1ST=x", "A-B=x"])
def test_malformed_define_is_a_usage_error(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    write_text(Path("door.yaml"), SPEC)
    status, _, err = _run(capsys, "generate", "door.yaml", "--define", bad)
    assert status == 2
    assert "usage: gubernator-gen generate" in err
    assert f"--define {bad!r}" in err or f"got {bad!r}" in err
    assert fake_pipeline.calls == []


# -- pyproject.toml ---------------------------------------------------------


def _project() -> None:
    write_text(
        Path("pyproject.toml"),
        """\
[tool.gubernator-gen]
specs = ["fsm/*.yaml"]
out-dir = "src/machines"
defines = { REGION = "eu", TIER = "gold" }
format = false
""",
    )
    write_text(Path("fsm/door.yaml"), SPEC)
    write_text(Path("fsm/lamp.yaml"), SPEC)


def test_bare_generate_and_check_use_the_configuration(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    _project()
    status, _, err = _run(capsys, "generate", "-D", "TIER=silver")
    assert status == 0
    assert sorted(p.name for p in Path("src/machines").iterdir()) == [
        "door.py",
        "lamp.py",
    ]
    assert err.splitlines() == [
        f"[1/2] {Path('fsm/door.yaml')} -> {Path('src/machines/door.py')}: created",
        f"[2/2] {Path('fsm/lamp.yaml')} -> {Path('src/machines/lamp.py')}: created",
        "gubernator-gen: 2 specs: 2 created",
    ]
    options = fake_pipeline.calls[0][1]
    # Command-line defines win over configured ones, key by key.
    assert dict(options.defines) == {"REGION": "eu", "TIER": "silver"}
    assert options.format is False
    status, out, err = _run(capsys, "check", "-q", "-D", "TIER=silver")
    assert (status, out, err) == (0, "", "")
    status, out, _ = _run(capsys, "check", "-q")  # configured TIER differs
    assert status == 1
    assert "+DEFINES = {'REGION': 'eu', 'TIER': 'gold'}" in out


def test_configuration_is_found_from_a_subfolder(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _project()
    os.chdir(tmp_path / "fsm")
    assert _run(capsys, "generate", "-q")[0] == 0
    assert (tmp_path / "src/machines/door.py").exists()


def test_explicit_specs_win_over_configured_ones(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    _project()
    write_text(Path("other.yaml"), SPEC)
    assert _run(capsys, "generate", "other.yaml")[0] == 0
    assert [call[0] for call in fake_pipeline.calls] == [Path("other.yaml")]
    # The configured out-dir still applies, unless an output is given.
    assert Path("src/machines/other.py").exists()
    assert _run(capsys, "generate", "other.yaml", "-o", "here.py")[0] == 0
    assert Path("here.py").exists()


def test_configured_strict_can_be_turned_off(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(
        Path("pyproject.toml"),
        '[tool.gubernator-gen]\nspecs = ["a.yaml"]\nstrict = true\n',
    )
    write_text(Path("a.yaml"), "warning\n")
    assert _run(capsys, "generate")[0] == 1
    assert _run(capsys, "generate", "--no-strict")[0] == 0


def test_no_spec_and_no_configuration_is_a_usage_error(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("generate", "check", "validate", "graph"):
        status, _, err = _run(capsys, command)
        assert status == 2
        assert f"gubernator-gen {command}: error: no SPEC given" in err


def test_invalid_configuration_exits_2_with_located_diagnostics(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(
        Path("pyproject.toml"),
        '[tool.gubernator-gen]\nspecs = ["a.yaml"]\nstrictt = 1\n',
    )
    status, out, err = _run(capsys, "generate")
    assert (status, out) == (2, "")
    assert err == (
        "pyproject.toml:3:1: error: unknown key 'strictt' in [tool.gubernator-gen]"
        " (did you mean 'strict'?) [GG505]\n"
    )


def test_progress_verbosity(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    _project()
    assert _run(capsys, "generate", "-q")[2] == ""
    assert _run(capsys, "-q", "generate")[2] == ""
    write_text(Path("one.yaml"), SPEC)
    status, _, err = _run(capsys, "generate", "one.yaml", "-v")
    assert status == 0
    assert "using [tool.gubernator-gen] of pyproject.toml" in err
    assert f"[1/1] one.yaml -> {Path('src/machines/one.py')}: created" in err


# -- validate ---------------------------------------------------------------


def test_validate_text(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("good.yaml"), SPEC)
    write_text(Path("bad.yaml"), "warning\nerror\n")
    assert _run(capsys, "validate", "good.yaml") == (0, "", "")
    assert fake_pipeline.calls[0][1].format is False  # black is not needed to validate
    status, out, err = _run(capsys, "validate", "good.yaml", "bad.yaml")
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "[1/2] good.yaml: ok",
        "bad.yaml:1:1: warning: a fake warning [GG998]",
        "bad.yaml:2:1: error: a fake error [GG999]",
        "[2/2] bad.yaml: 1 error, 1 warning",
        "gubernator-gen: 2 specs: 1 ok, 1 failed",
    ]
    assert not Path("good.py").exists()


def test_validate_json(
    fake_pipeline: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(Path("good.yaml"), SPEC)
    write_text(Path("warn.yaml"), "warning\n")
    status, out, err = _run(
        capsys, "validate", "good.yaml", "warn.yaml", "--format", "json"
    )
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document == {
        "version": 1,
        "ok": True,
        "strict": False,
        "errors": 0,
        "warnings": 1,
        "files": [
            {
                "path": "good.yaml",
                "ok": True,
                "errors": 0,
                "warnings": 0,
                "diagnostics": [],
            },
            {
                "path": "warn.yaml",
                "ok": True,
                "errors": 0,
                "warnings": 1,
                "diagnostics": [
                    {
                        "path": "warn.yaml",
                        "line": 1,
                        "column": 1,
                        "severity": "warning",
                        "code": "GG998",
                        "message": "a fake warning",
                    }
                ],
            },
        ],
    }
    status, out, _ = _run(
        capsys, "validate", "warn.yaml", "--format", "json", "--strict"
    )
    assert status == 1
    strict_document = json.loads(out)
    assert strict_document["ok"] is False
    assert strict_document["files"][0]["ok"] is False


# -- robustness -------------------------------------------------------------


def _explode(spec_path: Path, options: CompileOptions | None = None) -> CompileResult:
    raise RuntimeError("boom\nsecond line")


def test_internal_error_is_one_line_without_debug(
    fake_pipeline: FakePipeline,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_text(Path("door.yaml"), SPEC)
    monkeypatch.setattr(compiler, "compile_path", _explode)
    status, out, err = _run(capsys, "generate", "door.yaml")
    assert (status, out) == (2, "")
    assert err == (
        "gubernator-gen: internal error: RuntimeError: boom second line "
        "(run with --debug for a traceback)\n"
    )
    status, _, err = _run(capsys, "generate", "door.yaml", "--debug")
    assert status == 2
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: boom" in err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "--version") == (0, f"gubernator-gen {__version__}\n", "")
    status, out, _ = _run(capsys, "--help")
    assert status == 0
    for command in ("generate", "check", "validate", "graph", "schema"):
        assert command in out
        status, out_command, _ = _run(capsys, command, "--help")
        assert status == 0
        assert f"usage: gubernator-gen {command}" in out_command
        assert "examples:" in out_command


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys)[0] == 2
    assert _run(capsys, "frobnicate")[0] == 2
    assert _run(capsys, "validate", "x.yaml", "--format", "xml")[0] == 2
    assert _run(capsys, "generate", "x.yaml", "-o", "a.py", "--out-dir", "d")[0] == 2
    assert _run(capsys, "graph", "a.yaml", "b.yaml")[0] == 2


def test_header_used_by_the_fake_matches_the_contract(tmp_path: Path) -> None:
    # The stand-in must produce what the real back end produces on line 1,
    # or the driver tests above would prove nothing about refusals.
    spec = write_text(tmp_path / "door.yaml", SPEC)
    source = fake_compile(spec).source
    assert source is not None
    assert source.splitlines()[0] == generated_header("door.yaml")
    assert generated_header("door.yaml") == (
        "# Code generated by gubernator-gen from door.yaml. DO NOT EDIT."
    )
