"""Fixtures for the command-line tests: ``run_cli`` and ``fake_pipeline``."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from cli_support import CliRun, FakePipeline, RunCli, fake_compile, run_program

from gubernator_gen import compiler
from gubernator_gen.compiler import CompileOptions, CompileResult


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run ``python -m gubernator_gen ARGS`` (in ``tmp_path`` unless ``cwd=``)."""

    def run(
        *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> CliRun:
        return run_program(
            [sys.executable, "-m", "gubernator_gen"],
            *args,
            cwd=cwd or tmp_path,
            env=env,
        )

    return run


@pytest.fixture
def fake_pipeline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[FakePipeline]:
    """Swap the real pipeline for :func:`fake_compile`, and work in ``tmp_path``."""
    recorder = FakePipeline(calls=[])

    def recording_compile(
        spec_path: Path, options: CompileOptions | None = None
    ) -> CompileResult:
        recorder.calls.append((spec_path, options or CompileOptions()))
        return fake_compile(spec_path, options)

    monkeypatch.setattr(compiler, "compile_path", recording_compile)
    monkeypatch.chdir(tmp_path)
    yield recorder
