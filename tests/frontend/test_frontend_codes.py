"""Diagnostic codes that a spec file in tests/cases/diagnostics/ cannot show.

Every other code is pinned, with its exact line and column, by a case under
``tests/cases/diagnostics/`` (see ``tests/cases/README.md``); the codes that
need a path that is not a regular file, a lowered limit or a schema keyword
the shipped schema does not use are tested here, with the machine name a
file's stem gives.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from frontend_support import BASE, located, run

from gubernator_gen.frontend import FrontendResult, limits, load, read_spec, schema
from gubernator_gen.frontend import codes as frontend_codes
from gubernator_gen.frontend.tree import MapNode


def test_gg101_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = read_spec(missing, defines={}, environ={})
    assert located(result.diagnostics) == [("GG101", 1, 1)]
    assert result.diagnostics[0].pos.path == str(missing)
    directory = read_spec(tmp_path, defines={}, environ={})
    assert located(directory.diagnostics) == [("GG101", 1, 1)]
    assert result.spec is None and directory.spec is None


def _read_spec_within(path: Path, seconds: float) -> FrontendResult:
    """``read_spec`` on ``path``, failing the test instead of hanging."""
    results: list[FrontendResult] = []
    worker = threading.Thread(
        target=lambda: results.append(read_spec(path, defines={}, environ={})),
        daemon=True,
    )
    worker.start()
    worker.join(seconds)
    assert results, f"read_spec({path}) blocked"
    return results[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_gg101_named_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    for path in (fifo, link):
        result = _read_spec_within(path, 30)
        assert located(result.diagnostics) == [("GG101", 1, 1)]
        assert result.diagnostics[0].message == (
            "cannot read the spec: it is a named pipe (FIFO), not a regular file"
        )
        assert result.spec is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_gg101_file_replaced_by_a_pipe_after_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check and the opening are two steps; a pipe swapped in between
    # must not block either.
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    regular_file = tmp_path / "regular.yaml"
    regular_file.write_text(BASE)
    regular = regular_file.stat()
    real_stat = os.stat

    def stat_as_before(
        path: str | os.PathLike[str], *args: Any, **kwargs: Any
    ) -> os.stat_result:
        if os.fspath(path) == os.fspath(fifo):
            return regular
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_as_before)
    result = _read_spec_within(fifo, 30)
    assert located(result.diagnostics) == [("GG101", 1, 1)]
    assert "named pipe" in result.diagnostics[0].message


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_gg101_device_is_refused() -> None:
    result = _read_spec_within(Path("/dev/null"), 30)
    assert located(result.diagnostics) == [("GG101", 1, 1)]
    assert result.diagnostics[0].message == (
        "cannot read the spec: it is a character device, not a regular file"
    )


def test_gg103_file_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 50)
    assert located(run(BASE).diagnostics) == [("GG103", 1, 1)]


def test_gg118_too_many_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_NODES", 5)
    # root mapping, "a", the list, 1, 2 are five nodes; "3" is the sixth.
    assert located(run("a: [1, 2, 3, 4]\n").diagnostics) == [("GG118", 1, 11)]


def test_gg209_other_schema_keyword() -> None:
    # The shipped schema uses only keywords with dedicated messages, so an
    # unexpected one (here maxLength) is checked through the explainer.
    from jsonschema import Draft7Validator

    tree = load.load_text(BASE, path="spec.yaml", defines={}, environ={}).root
    assert isinstance(tree, MapNode)
    errors = list(
        Draft7Validator({"properties": {"states": {"maxItems": 1}}}).iter_errors(
            {"states": [1, 2]}
        )
    )
    diagnostics = [d for e in errors for d in schema._explain(e, tree)]
    assert located(tuple(diagnostics)) == [("GG209", 2, 3)]
    assert diagnostics[0].message.startswith("states: ")


def test_gg310_machine_name_from_bad_file_stem() -> None:
    # Any name of docs/language.md#names can come from the file; one with a control
    # character or spaces at either end cannot (no case file can be named so
    # portably).
    for stem in (" my spec ", "tab\there", "x" * 201):
        result = run(BASE, path=f"{stem}.yaml")
        assert located(result.diagnostics) == [("GG310", 1, 1)], stem
    assert (
        "machine_name: 'my spec'"
        in run(BASE, path=" my spec .yaml").diagnostics[0].message
    )
    free = run(BASE, path="my-spec.yaml")
    assert free.diagnostics == () and free.spec is not None
    assert free.spec.name == "my-spec"
    named = run("meta:\n  machine_name: my_spec\n" + BASE, path=" my spec .yaml")
    assert named.diagnostics == () and named.spec is not None
    assert named.spec.name == "my_spec"


def test_codes_table_is_well_formed() -> None:
    for code, meaning in frontend_codes.CODES.items():
        assert code.startswith("GG") and len(code) == 5 and code[2:].isdigit()
        assert 100 <= int(code[2:]) < 400
        assert meaning and meaning == meaning.strip()
        assert meaning.startswith("warning:") == (int(code[2:]) >= 350)
