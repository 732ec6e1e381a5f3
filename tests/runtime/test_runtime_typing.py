"""``mypy --strict`` over the runtime and over code written against it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import gubernator_runtime
import pytest

pytest.importorskip("mypy")

HERE = Path(__file__).resolve().parent
RUNTIME_DIR = Path(gubernator_runtime.__file__).resolve().parent.parent


def run_mypy(cache_dir: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    # MYPYPATH instead of the installed package: mypy cannot follow the
    # import hook of an editable install.
    env = {
        **os.environ,
        "MYPYPATH": os.pathsep.join([str(RUNTIME_DIR), str(HERE)]),
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-version",
            "3.10",
            "--no-error-summary",
            "--show-error-codes",
            "--cache-dir",
            str(cache_dir),
            *map(str, files),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def test_runtime_and_generated_style_module_pass_mypy_strict(cache_dir: Path) -> None:
    result = run_mypy(
        cache_dir,
        RUNTIME_DIR / "gubernator_runtime",
        HERE / "rt_order_machine.py",
        HERE / "rt_typing_usage.py",
    )
    assert result.returncode == 0, result.stdout + result.stderr


MISUSE = """\
from rt_order_machine import OrderManagement, State, Trigger

machine = OrderManagement()
result = machine.process(State.PENDING, Trigger.PAY)
result.success = False
wrong: Trigger | None = result.target_state
machine.process(State.PENDING, 42)
OrderManagement(guards=42)
"""


def test_mypy_catches_misuse_of_the_typed_api(cache_dir: Path, tmp_path: Path) -> None:
    misuse = tmp_path / "misuse.py"
    misuse.write_text(MISUSE, encoding="utf-8")
    result = run_mypy(cache_dir, misuse)
    errors = [line for line in result.stdout.splitlines() if "error:" in line]
    assert result.returncode == 1
    lines = sorted(int(line.split(":")[1]) for line in errors)
    # read-only field, State is not Trigger, 42 is no trigger, 42 is no guards
    assert lines == [5, 6, 7, 8], result.stdout
