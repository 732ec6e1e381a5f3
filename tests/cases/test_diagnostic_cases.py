"""Each spec in tests/cases/diagnostics/ reports exactly its `# expect:` lines.

Each case runs through the whole pipeline (front end and back end), with
libyaml when it is installed and with PyYAML's pure-Python parser: positions
must not depend on the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cases_support import (
    DIAGNOSTICS_DIR,
    GENERATE_DIR,
    check_diagnostics,
    read_case,
)

from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.frontend import codes as frontend_codes
from gubernator_gen.frontend import parse

CASE_PATHS = sorted(DIAGNOSTICS_DIR.glob("*.yaml"))

LOADERS: list[Any] = [
    pytest.param(yaml.SafeLoader, id="pure-python"),
]
if getattr(yaml, "CSafeLoader", None) is not None:
    LOADERS.insert(0, pytest.param(yaml.CSafeLoader, id="libyaml"))

#: Codes no case file can show, and where each is tested instead.
TESTED_ELSEWHERE = {
    "GG101": "an unreadable path: tests/frontend/test_frontend_codes.py",
    "GG103": "a file over the size limit: tests/frontend/test_frontend_codes.py",
    "GG118": "a lowered node limit: tests/frontend/test_frontend_codes.py",
    "GG310": "a file name that is not a name (spaces at either end, a control "
    "character): tests/frontend/test_frontend_codes.py",
    "GG403": "the front end rejects such names first: test_backend_naming.py",
    "GG404": "derived members are identifiers on every Python 3.10+; only a "
    "stand-in derivation reaches it: tests/backend/test_backend_free_names.py",
    "GG440": "reported by 'gubernator-gen sql' only: tests/sql/test_sql_ddl.py",
    "GG490": "a generator bug, reported instead of a traceback",
}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("case_path", CASE_PATHS, ids=lambda path: path.stem)
def test_diagnostics_case(
    case_path: Path,
    loader: Any,
    update_goldens: bool,
    record_golden_update: Callable[[Path], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parse, "Loader", loader)
    check_diagnostics(case_path, update=update_goldens, record=record_golden_update)


def test_there_are_cases() -> None:
    # A wrong glob must not pass as "every case agrees".
    assert len(CASE_PATHS) > 40


def test_every_diagnostic_code_has_a_case() -> None:
    every = {*frontend_codes.CODES, *backend_codes.CODES}
    paths = [*CASE_PATHS, *GENERATE_DIR.glob("*.yaml")]
    in_cases = {e.code for path in paths for e in read_case(path).expectations}
    assert set(TESTED_ELSEWHERE) <= every
    missing = every - in_cases - set(TESTED_ELSEWHERE)
    assert not missing, f"codes with no case under tests/cases: {sorted(missing)}"
    both = in_cases & set(TESTED_ELSEWHERE)
    assert not both, f"now shown by a case, drop from TESTED_ELSEWHERE: {both}"
