"""End to end: the real program, in a subprocess, on the real pipeline.

Every subcommand, every exit status, drift detection, the refusal to
clobber, ``--define``, pyproject configuration and JSON diagnostics.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from cli_support import (
    INVALID_SPEC,
    VALID_SPEC,
    RunCli,
    assert_no_traceback,
    run_program,
    write_text,
)

from gubernator_gen import __version__
from gubernator_gen.driver.write import generated_header

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDER_SPEC = EXAMPLES / "order_management" / "order_fsm.yaml"

# A spec that is valid but draws warnings: B cannot be reached, A and B are
# dead ends.
WARNING_SPEC = """\
states:
  - name: A
    type: initial
  - name: B
transitions: []
"""

DEFINE_SPEC = """\
meta:
  machine_name: ${MACHINE}
  version: "1.0.0"
states:
  - name: IDLE
    type: initial
  - name: DONE
    type: terminal
transitions:
  - trigger: finish
    source: IDLE
    dest: DONE
"""


def _mtime_in_the_past(path: Path) -> int:
    past = 1_000_000_000 * 10**9
    os.utime(path, ns=(past, past))
    return past


def test_generate_then_check_then_drift(run_cli: RunCli, tmp_path: Path) -> None:
    spec = tmp_path / "order_fsm.yaml"
    shutil.copyfile(ORDER_SPEC, spec)
    run = run_cli("generate", "order_fsm.yaml")
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
    module = tmp_path / "order_fsm.py"
    content = module.read_bytes()
    assert content.split(b"\n", 1)[0].decode() == generated_header("order_fsm.yaml")
    assert b"\r" not in content

    # Nothing changed: the module is left alone and check agrees.
    mtime = _mtime_in_the_past(module)
    assert run_cli("generate", "order_fsm.yaml").returncode == 0
    assert module.stat().st_mtime_ns == mtime
    run = run_cli("check", "order_fsm.yaml")
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")

    # The spec changes: check fails with a diff and touches nothing.
    spec.write_text(spec.read_text().replace('version: "1.2.0"', 'version: "1.3.0"'))
    for command in (["check"], ["generate", "--check"]):
        run = run_cli(*command, "order_fsm.yaml")
        assert run.returncode == 1
        assert run.stdout.startswith(
            "--- order_fsm.py\n+++ order_fsm.py (generated from order_fsm.yaml)\n"
        )
        assert '-VERSION: _Final = "1.2.0"' in run.stdout
        assert '+VERSION: _Final = "1.3.0"' in run.stdout
        assert re.fullmatch(
            r"order_fsm\.py:\d+:1: error: order_fsm\.py is out of date with "
            r"order_fsm\.yaml; run 'gubernator-gen generate' \[GG502\]\n",
            run.stderr,
        )
        assert module.read_bytes() == content

    # Regenerating fixes it.
    assert run_cli("generate", "order_fsm.yaml").returncode == 0
    assert b'VERSION: _Final = "1.3.0"' in module.read_bytes()
    assert run_cli("check", "order_fsm.yaml").returncode == 0


def test_refuses_to_clobber_a_hand_written_module(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_text(tmp_path / "door.yaml", VALID_SPEC)
    mine = write_text(tmp_path / "door.py", "def precious() -> None: ...\n")
    run = run_cli("generate", "door.yaml")
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == (
        "door.py:1:1: error: refusing to overwrite door.py, which was not generated "
        "by gubernator-gen (use --force to overwrite it) [GG501]\n"
    )
    assert mine.read_text() == "def precious() -> None: ...\n"
    assert run_cli("check", "door.yaml").returncode == 1
    assert run_cli("generate", "door.yaml", "--force").returncode == 0
    assert mine.read_text().startswith(generated_header("door.yaml") + "\n")


def test_invalid_spec_gives_located_diagnostics_and_writes_nothing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_text(tmp_path / "bad.yaml", INVALID_SPEC)
    run = run_cli("generate", "bad.yaml")
    assert_no_traceback(run)
    assert (run.returncode, run.stdout) == (1, "")
    lines = run.stderr.splitlines()
    assert lines
    diagnostic = re.compile(r"bad\.yaml:\d+:\d+: (error|warning): .+ \[GG\d{3}\]")
    assert all(diagnostic.fullmatch(line) for line in lines)
    # The unknown dest is reported where it is written, with a suggestion.
    (unknown,) = [x for x in lines if "CLOSDE" in x]
    assert unknown.startswith("bad.yaml:11:")
    assert "CLOSED" in unknown
    assert not (tmp_path / "bad.py").exists()


def test_missing_and_unreadable_specs(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    run = run_cli("generate", "missing.yaml", "folder.yaml", "-q")
    assert_no_traceback(run)
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("missing.yaml:1:1: error: ")
    assert lines[1].startswith("folder.yaml:1:1: error: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.yaml"]


def test_a_folder_with_no_file_name_is_refused_cleanly(
    run_cli: RunCli, tmp_path: Path
) -> None:
    for spec in (".", "./"):
        run = run_cli("generate", spec, "-q")
        assert_no_traceback(run)
        assert run.returncode == 1
        assert "cannot read the spec" in run.stderr
        assert "[GG101]" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_define_fills_spec_variables(run_cli: RunCli, tmp_path: Path) -> None:
    write_text(tmp_path / "job.yaml", DEFINE_SPEC)
    run = run_cli("generate", "job.yaml", "--stdout")
    assert run.returncode == 1
    assert "job.yaml:2:17: error:" in run.stderr
    assert "MACHINE" in run.stderr
    run = run_cli("generate", "job.yaml", "--stdout", "--define", "MACHINE=batch_job")
    assert run.returncode == 0
    assert 'MACHINE_NAME: _Final = "batch_job"' in run.stdout
    assert "class BatchJob" in run.stdout
    # --define wins over the environment.
    run = run_cli(
        *("generate", "job.yaml", "--stdout", "-D", "MACHINE=from_flag"),
        env={"MACHINE": "from_env"},
    )
    assert 'MACHINE_NAME: _Final = "from_flag"' in run.stdout
    assert not (tmp_path / "job.py").exists()
    run = run_cli("generate", "job.yaml", "--define", "MACHINE")
    assert run.returncode == 2
    assert "--define expects NAME=VALUE" in run.stderr


def test_pyproject_configuration_drives_bare_commands(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_text(
        tmp_path / "pyproject.toml",
        """\
[project]
name = "app"

[tool.gubernator-gen]
specs = ["machines/*.yaml"]
out-dir = "src/app/generated"
defines = { MACHINE = "batch_job" }
""",
    )
    write_text(tmp_path / "machines/job.yaml", DEFINE_SPEC)
    write_text(tmp_path / "machines/door.yaml", VALID_SPEC)
    subfolder = tmp_path / "src"
    subfolder.mkdir()
    run = run_cli("generate", cwd=subfolder)  # found by searching upward
    assert run.returncode == 0, run.stderr
    generated = tmp_path / "src/app/generated"
    assert sorted(p.name for p in generated.iterdir()) == ["door.py", "job.py"]
    assert b'"batch_job"' in (generated / "job.py").read_bytes()
    # Several specs: one progress line each, and a summary.
    progress = run.stderr.splitlines()
    assert progress[0].startswith("[1/2] ") and progress[0].endswith("door.py: created")
    assert progress[1].startswith("[2/2] ") and progress[1].endswith("job.py: created")
    assert progress[2] == "gubernator-gen: 2 specs: 2 created"

    run = run_cli("check", cwd=tmp_path)
    assert (run.returncode, run.stdout) == (0, "")
    run = run_cli("check", "-q", "-D", "MACHINE=other_job", cwd=tmp_path)
    assert run.returncode == 1
    assert '+MACHINE_NAME: _Final = "other_job"' in run.stdout

    config = '[tool.gubernator-gen]\nspecs = ["x/*.yaml"]\n'
    write_text(tmp_path / "pyproject.toml", config)
    run = run_cli("check", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.startswith("pyproject.toml:2:1: error: the spec pattern ")


def test_no_spec_and_no_configuration_is_a_usage_error(run_cli: RunCli) -> None:
    run = run_cli("check")
    assert run.returncode == 2
    assert run.stderr.startswith("usage: gubernator-gen check")
    assert "error: no SPEC given" in run.stderr


def test_validate_text_and_strict(run_cli: RunCli, tmp_path: Path) -> None:
    write_text(tmp_path / "warn.yaml", WARNING_SPEC)
    run = run_cli("validate", "warn.yaml")
    assert (run.returncode, run.stdout) == (0, "")
    assert "warn.yaml:4:11: warning: " in run.stderr
    assert "[GG350]" in run.stderr
    run = run_cli("validate", "warn.yaml", "--strict")
    assert run.returncode == 1
    assert not (tmp_path / "warn.py").exists()
    run = run_cli("generate", "warn.yaml", "--strict")
    assert run.returncode == 1
    assert not (tmp_path / "warn.py").exists()


def test_validate_json(run_cli: RunCli, tmp_path: Path) -> None:
    write_text(tmp_path / "bad.yaml", INVALID_SPEC)
    shutil.copyfile(ORDER_SPEC, tmp_path / "order_fsm.yaml")
    run = run_cli("validate", "order_fsm.yaml", "bad.yaml", "--format", "json")
    assert run.returncode == 1
    assert run.stderr == ""
    document = json.loads(run.stdout)
    assert document["version"] == 1
    assert document["ok"] is False
    good, bad = document["files"]
    assert good == {
        "path": "order_fsm.yaml",
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "diagnostics": [],
    }
    assert bad["path"] == "bad.yaml"
    assert bad["ok"] is False
    assert bad["errors"] >= 1
    assert document["errors"] == bad["errors"]
    for diagnostic in bad["diagnostics"]:
        keys = {"path", "line", "column", "severity", "code", "message"}
        assert set(diagnostic) == keys
        assert diagnostic["path"] == "bad.yaml"
        assert re.fullmatch(r"GG\d{3}", diagnostic["code"])
    assert any(d["line"] == 11 and "CLOSDE" in d["message"] for d in bad["diagnostics"])


def test_graph_mermaid_and_dot(run_cli: RunCli, tmp_path: Path) -> None:
    run = run_cli("graph", str(ORDER_SPEC))
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> PENDING" in lines
    pay = (
        "    PENDING --> PAID : pay [payment_covers_amount] / capture_payment,"
        " captured_amount #58;= amount"
    )
    assert pay in lines
    assert "    REMINDED --> CANCELLED : after 86400s" in lines
    assert "    DELIVERED --> [*]" in lines

    run = run_cli("graph", str(ORDER_SPEC), "--format", "dot", "-o", "order.dot")
    assert (run.returncode, run.stdout) == (0, "")
    dot = (tmp_path / "order.dot").read_text()
    assert dot.startswith('digraph "order_management" {')
    assert '"REMINDED" -> "CANCELLED" [label="after 86400s", style="dashed"];' in dot

    write_text(tmp_path / "bad.yaml", INVALID_SPEC)
    run = run_cli("graph", "bad.yaml")
    assert (run.returncode, run.stdout) == (1, "")
    assert "bad.yaml:11:" in run.stderr

    write_text(tmp_path / "door.yaml", VALID_SPEC)
    run = run_cli("graph", "door.yaml", "-o", "door.yaml")
    assert run.returncode == 1
    assert "[GG504]" in run.stderr
    assert (tmp_path / "door.yaml").read_text() == VALID_SPEC


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot_output(run_cli: RunCli, tmp_path: Path) -> None:
    hostile = VALID_SPEC.replace(
        "  - name: OPEN\n",
        "  - name: OPEN\n"
        '    description: "a \\"quoted\\" {x} <b> \\\\N; line\\nnext"\n',
    )
    write_text(tmp_path / "door.yaml", hostile)
    run = run_cli("graph", "door.yaml", "--format", "dot")
    assert run.returncode == 0
    rendered = subprocess.run(
        ["dot", "-Tsvg"], input=run.stdout_bytes, capture_output=True, check=False
    )
    assert rendered.returncode == 0, rendered.stderr.decode()
    assert b"<svg" in rendered.stdout


def test_schema(run_cli: RunCli) -> None:
    run = run_cli("schema")
    assert run.returncode == 0
    schema = json.loads(run.stdout)
    assert "$schema" in schema
    machine = schema["definitions"]["machine"]
    assert {"states", "transitions"} <= set(machine["properties"])


def test_stdout_matches_the_written_module(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copyfile(ORDER_SPEC, tmp_path / "order_fsm.yaml")
    printed = run_cli("generate", "order_fsm.yaml", "--stdout")
    assert printed.returncode == 0
    assert not (tmp_path / "order_fsm.py").exists()
    assert run_cli("generate", "order_fsm.yaml", "-o", "out/machine.py").returncode == 0
    assert (tmp_path / "out/machine.py").read_bytes() == printed.stdout_bytes


def test_usage_errors_exit_2(run_cli: RunCli, tmp_path: Path) -> None:
    for argv in (
        [],
        ["generate", "--no-such-flag"],
        ["generate", "a.yaml", "b.yaml", "-o", "x.py"],
        ["validate", "a.yaml", "--format", "xml"],
    ):
        run = run_cli(*argv)
        assert run.returncode == 2, argv
        assert "usage: gubernator-gen" in run.stderr
        assert_no_traceback(run)


def _alias_bomb(*, levels: int, width: int) -> bytes:
    """YAML whose aliases expand to ``width ** levels`` nodes ("billion laughs")."""
    lines = [f"k0: &k0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*k{level - 1}"] * width)
        lines.append(f"k{level}: &k{level} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def test_broken_inputs_never_show_a_traceback(run_cli: RunCli, tmp_path: Path) -> None:
    inputs = {
        "binary.yaml": b"\x00\xff\xfe garbage \x80",
        "empty.yaml": b"",
        "deep.yaml": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "tabs.yaml": b"states:\n\t- name: A\n",
        "scalar.yaml": b"just a string\n",
        "list.json": b"[1, 2, 3]",
        "bomb.yaml": _alias_bomb(levels=12, width=8),
        "types.yaml": b"states: {name: 3}\ntransitions: 7\nmeta: [1]\n",
    }
    for name, content in inputs.items():
        (tmp_path / name).write_bytes(content)
    for command in ("generate", "validate"):
        run = run_cli(command, *inputs, "-q")
        assert_no_traceback(run)
        assert run.returncode == 1
        assert "internal error" not in run.stderr
        for name in inputs:
            located = rf"^{re.escape(name)}:\d+:\d+: error: "
            assert re.search(located, run.stderr, re.MULTILINE), name
    run = run_cli("graph", "deep.yaml")
    assert_no_traceback(run)
    assert run.returncode == 1
    assert list(tmp_path.glob("*.py")) == []


def _symlink_loop(path: Path) -> Path:
    """Make ``path`` a symbolic link to itself (skip where links cannot be made)."""
    try:
        path.symlink_to(path.name)
    except (OSError, NotImplementedError) as exc:  # Windows without the privilege
        pytest.skip(f"cannot create symbolic links here: {exc}")
    return path


def test_a_spec_that_is_a_symlink_loop_is_unreadable(
    run_cli: RunCli, tmp_path: Path
) -> None:
    _symlink_loop(tmp_path / "loop.yaml")
    for command in ("generate", "check", "validate", "graph"):
        run = run_cli(command, "loop.yaml")
        assert_no_traceback(run)
        assert "internal error" not in run.stderr
        assert run.returncode == 1, command
        assert re.match(
            r"loop\.yaml:1:1: error: cannot read the spec: .+ \[GG101\]$", run.stderr
        ), run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop.yaml"]


def test_an_output_that_is_a_symlink_loop_is_refused(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_text(tmp_path / "door.yaml", VALID_SPEC)
    _symlink_loop(tmp_path / "out.py")
    _symlink_loop(tmp_path / "outdir")
    runs = {
        "generate -o": run_cli("generate", "door.yaml", "-o", "out.py"),
        "check -o": run_cli("check", "door.yaml", "-o", "out.py"),
        "generate --out-dir": run_cli("generate", "door.yaml", "--out-dir", "outdir"),
        "graph -o": run_cli("graph", "door.yaml", "-o", "out.py"),
    }
    for how, run in runs.items():
        assert_no_traceback(run)
        assert "internal error" not in run.stderr, how
        assert run.returncode == 1, how
        target = re.escape(os.path.join("outdir", "door.py"))
        assert re.search(
            rf"^(out\.py|{target}):1:1: error: cannot (write|read) .+ \[GG503\]$",
            run.stderr,
            re.MULTILINE,
        ), (how, run.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "door.yaml",
        "out.py",
        "outdir",
    ]
    assert (tmp_path / "out.py").is_symlink()


def test_console_script(tmp_path: Path) -> None:
    scripts = Path(sysconfig.get_path("scripts"))
    candidates = [scripts / "gubernator-gen", scripts / "gubernator-gen.exe"]
    script = next((c for c in candidates if c.exists()), None)
    if script is None:
        pytest.skip("the gubernator-gen console script is not installed")
    run = run_program([str(script)], "--version", cwd=tmp_path)
    assert (run.returncode, run.stdout) == (0, f"gubernator-gen {__version__}\n")
    write_text(tmp_path / "door.yaml", VALID_SPEC)
    run = run_program([str(script)], "generate", "door.yaml", cwd=tmp_path)
    assert run.returncode == 0
    assert (tmp_path / "door.py").exists()


def test_a_spec_name_that_is_not_utf8(run_cli: RunCli, tmp_path: Path) -> None:
    name = b"we\xffird.yaml"
    try:
        (tmp_path / os.fsdecode(name)).write_bytes(VALID_SPEC.encode())
    except (OSError, UnicodeError):
        pytest.skip("this file system only takes UTF-8 names")
    run = run_cli("generate", os.fsdecode(name))
    assert_no_traceback(run)
    assert run.returncode == 0, run.stderr
    (module,) = tmp_path.glob("*.py")
    module.read_bytes().decode("utf-8")  # still valid UTF-8
    run = run_cli("validate", os.fsdecode(name), "--format", "json")
    assert run.returncode == 0
    assert json.loads(run.stdout)["ok"] is True


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_standard_output_is_an_error_not_a_bug(tmp_path: Path) -> None:
    (tmp_path / "door_fsm.yaml").write_text(VALID_SPEC, encoding="utf-8")
    for args in (["schema"], ["generate", "--stdout", "door_fsm.yaml"]):
        with open("/dev/full", "wb") as full:
            completed = subprocess.run(
                [sys.executable, "-m", "gubernator_gen", *args],
                cwd=tmp_path,
                stdout=full,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                timeout=120,
                check=False,
            )
        stderr = completed.stderr.decode("utf-8")
        assert completed.returncode == 1
        assert stderr.strip() == "gubernator-gen: error: No space left on device"
