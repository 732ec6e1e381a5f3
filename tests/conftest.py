"""Options and fixtures for the whole test suite.

``--update-goldens`` is registered here, in the conftest at the top of
``tests/``, because pytest reads command-line options only from the conftest
files it loads before collecting: those of the directories named on the
command line (or of ``testpaths`` when none is named) and of their parents.
This file is one of them whenever the run includes anything under ``tests/``
(``pytest``, ``pytest tests/cases``, ``pytest tests/cases/test_generate_cases.py``);
a run of ``examples/`` alone does not know the option.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

#: The generated-module goldens are data, not tests: never import them, even
#: when a case's name happens to start with ``test_``.
collect_ignore_glob = ["cases/generate/*.py"]

_UPDATED = pytest.StashKey[list[str]]()


@pytest.fixture(autouse=True)
def _recursion_limit_kept() -> Iterator[None]:
    """Fail a test that leaves ``sys.getrecursionlimit()`` changed, and restore it.

    The whole suite runs in one process, and a limit raised for good (mypy's
    in-process entry point does so) makes the tests sized by it quadratic:
    tests/graph then ran the process to 14 GB.
    """
    limit = sys.getrecursionlimit()
    yield
    left = sys.getrecursionlimit()
    if left != limit:
        sys.setrecursionlimit(limit)
        pytest.fail(
            f"the recursion limit was left at {left} (was {limit}); "
            "restore it (tests/backend/backend_support.py: run_mypy)",
            pytrace=False,
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--update-goldens`` (see ``tests/cases/README.md``)."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help=(
            "rewrite the expectations of tests/cases and tests/graph from the "
            "actual output: the generated-module and graph goldens, the "
            "'# expect:' lines of spec files and the outcome lines of behaviour "
            "cases"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    """Start the list of files that ``--update-goldens`` rewrote."""
    config.stash[_UPDATED] = []


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite expectations (``--update-goldens``)."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def record_golden_update(request: pytest.FixtureRequest) -> Callable[[Path], None]:
    """Note a file rewritten by ``--update-goldens``, for the end-of-run summary."""
    updated = request.config.stash[_UPDATED]
    root = request.config.rootpath

    def record(path: Path) -> None:
        try:
            shown = str(path.relative_to(root))
        except ValueError:
            shown = str(path)
        if shown not in updated:
            updated.append(shown)

    return record


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """List what ``--update-goldens`` rewrote, so the review knows where to look."""
    if not config.getoption("--update-goldens"):
        return
    updated = config.stash.get(_UPDATED, [])
    terminalreporter.write_sep("=", f"--update-goldens rewrote {len(updated)} file(s)")
    for shown in sorted(updated):
        terminalreporter.write_line(shown)
