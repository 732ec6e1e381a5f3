"""Each spec in tests/cases/generate/ generates its golden module byte for byte.

The goldens are what ``gubernator-gen generate`` writes beside each spec;
their diagnostics (warnings only) are ``# expect:`` lines as in
``diagnostics/``. The goldens must also pass the tools a user runs on
generated code: ruff with no configuration, and ``mypy --strict`` for the
current Python and for 3.10.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import gubernator_runtime
import pytest
from cases_support import (
    GENERATE_DIR,
    check_diagnostics,
    check_golden,
    golden_path,
    golden_paths,
)

CASE_PATHS = sorted(GENERATE_DIR.glob("*.yaml"))


@pytest.mark.parametrize("case_path", CASE_PATHS, ids=lambda path: path.stem)
def test_generate_case(
    case_path: Path,
    update_goldens: bool,
    record_golden_update: Callable[[Path], None],
) -> None:
    result = check_diagnostics(
        case_path, update=update_goldens, record=record_golden_update
    )
    if not result.modules:
        pytest.fail(
            f"{case_path.name} generates nothing: a case with errors belongs in "
            "tests/cases/diagnostics/",
            pytrace=False,
        )
    for module in result.modules:
        check_golden(
            golden_path(case_path, module),
            module.source,
            update=update_goldens,
            record=record_golden_update,
        )


def test_there_are_cases() -> None:
    assert len(CASE_PATHS) >= 8


def test_every_golden_has_its_spec() -> None:
    goldens = {path.stem for path in GENERATE_DIR.glob("*.py")}
    generated = {golden.stem for path in CASE_PATHS for golden in golden_paths(path)}
    orphans = goldens - generated
    assert not orphans, f"goldens without a spec in {GENERATE_DIR}; delete: {orphans}"
    assert goldens, "no golden at all"


def _mypy_cache(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    # The cache plugin may be disabled (-p no:cacheprovider): start cold then.
    cache = getattr(request.config, "cache", None)
    if cache is None:
        return tmp_path / "mypy-cache"
    return Path(cache.mkdir("gubernator-cases-mypy"))


def test_goldens_pass_ruff_and_mypy_strict(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    goldens = [str(golden) for path in CASE_PATHS for golden in golden_paths(path)]
    runtime_root = Path(gubernator_runtime.__file__).resolve().parents[1]
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {runtime_root}\n", encoding="utf-8")
    mypy = [
        *(sys.executable, "-m", "mypy", "--strict", "--config-file", str(config)),
        *("--cache-dir", str(_mypy_cache(request, tmp_path)), "--no-error-summary"),
    ]
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache"]
    py310 = [*mypy, "--python-version", "3.10"]
    commands = {
        "mypy --strict (current Python)": [*mypy, *goldens],
        "mypy --strict --python-version 3.10": [*py310, *goldens],
        "ruff check --isolated": [*ruff, "--output-format", "concise", *goldens],
    }
    # All at once: mypy is slow to start, and the machine has several cores.
    checks = {
        name: subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path
        )
        for name, command in commands.items()
    }
    failed = []
    for name, process in checks.items():
        output, _ = process.communicate()
        if process.returncode != 0:
            failed.append(f"{name}:\n{output.decode('utf-8', 'replace')}")
    assert not failed, "\n".join(failed)


def test_every_protocol_method_says_where_it_is_used() -> None:
    # A guard or action used only by an after: or always: entry once got an
    # empty "Runs on:" docstring: every use must be listed, whatever names it.
    root = Path(__file__).resolve().parents[2]
    modules = [*sorted((root / "tests/cases/generate").glob("*.py"))]
    modules += sorted(root.glob("examples/*/*_fsm.py"))
    assert len(modules) > 10
    for module in modules:
        text = module.read_text(encoding="utf-8")
        for lead in ("Runs on", "Guard of"):
            assert f'"""{lead}:"""' not in text, module
