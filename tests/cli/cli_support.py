"""Helpers for the command-line tests (fixtures live in ``conftest.py``).

:func:`run_program` starts the real program in a subprocess, the way a user
or CI does. :func:`fake_compile` stands in for ``compiler.compile_path`` so
the driver's own logic (targets, writes, exit codes) can be tested quickly
and independently of the front and back ends.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gubernator_gen.compiler import CompileOptions, CompileResult, GeneratedModule
from gubernator_gen.diagnostics import SourcePos, error, has_errors, warning
from gubernator_gen.driver.write import generated_header

#: A small valid spec: a timeout, a guard, an action, a terminal state.
VALID_SPEC = """\
meta:
  machine_name: door
  version: "1.0.0"
states:
  - name: CLOSED
    type: initial
    timeout:
      seconds: 30
      destination: LOCKED
  - name: OPEN
  - name: LOCKED
    type: terminal
transitions:
  - trigger: open
    source: CLOSED
    dest: OPEN
    guards: [is_unlocked]
    actions: [log_open]
  - trigger: close
    source: OPEN
    dest: CLOSED
"""

#: A spec whose transition names a state that does not exist (line 9).
INVALID_SPEC = """\
states:
  - name: CLOSED
    type: initial
  - name: OPEN
transitions:
  - trigger: open
    source: CLOSED
    dest: OPEN
  - trigger: close
    source: OPEN
    dest: CLOSDE
"""


@dataclass(frozen=True)
class CliRun:
    """The outcome of one run of the program."""

    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


RunCli = Callable[..., CliRun]


def run_program(
    command: list[str], *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> CliRun:
    """Run ``command`` plus ``args`` in ``cwd`` and capture everything it prints."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GUB_TEST_")}
    environment["PYTHONIOENCODING"] = "utf-8"
    if env:
        environment.update(env)
    completed = subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    return CliRun(
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
        completed.stdout,
    )


def assert_no_traceback(run: CliRun) -> None:
    """The program never shows a Python traceback without ``--debug``."""
    assert "Traceback (most recent call last)" not in run.stderr
    assert "Traceback (most recent call last)" not in run.stdout


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` with LF line ends (whatever the platform) and return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


# --------------------------------------------------------------------------
# The in-process stand-in for the pipeline


@dataclass
class FakePipeline:
    """Records the calls made to the stand-in ``compile_path``."""

    calls: list[tuple[Path, CompileOptions]]


def fake_compile(
    spec_path: Path, options: CompileOptions | None = None
) -> CompileResult:
    """A stand-in for ``compile_path`` with just enough behaviour to drive the CLI.

    The module echoes the spec text and the options, so any change to either
    shows in the output. A line ``error`` in the spec is an error diagnostic,
    a line ``warning`` a warning; a missing file is an error, as in the
    real front end.
    """
    opts = options or CompileOptions()
    shown = str(spec_path)
    try:
        text = spec_path.read_text("utf-8")
    except OSError:
        missing = error("GG101", "cannot read the spec", SourcePos(shown, 1, 1))
        return CompileResult(spec_path, (), (), (missing,))
    diagnostics = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "error":
            diagnostics.append(
                error("GG999", "a fake error", SourcePos(shown, number, 1))
            )
        elif line.strip() == "warning":
            diagnostics.append(
                warning("GG998", "a fake warning", SourcePos(shown, number, 1))
            )
    if has_errors(diagnostics, strict=opts.strict):
        return CompileResult(spec_path, (), (), tuple(diagnostics))
    body = [
        generated_header(spec_path.name),
        f"SPEC_TEXT = {text!r}",
        f"DEFINES = {dict(sorted(opts.defines.items()))!r}",
        f"FORMATTED = {opts.format!r}",
    ]
    module = GeneratedModule("\n".join(body) + "\n")
    return CompileResult(spec_path, (), (module,), tuple(diagnostics))
