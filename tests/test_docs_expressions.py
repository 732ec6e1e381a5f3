"""The expression examples of docs/language.md compile, type-check and behave
as the page says.

The page's tables are the corpus: every row of "expression | context |
value" becomes a guard and every row of "field | expression | context | new
value" an ``assign`` of one generated module, over the context of the
page's ``corpus.yaml``. The module must pass ``mypy --strict`` (current
Python and 3.10), and ``process`` must give the documented value for the
documented context (``GuardError`` where the page says it raises). Every
row of "refused expression" and "refused assign" must be refused with the
documented code, at a position inside its line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import gubernator_runtime as runtime
import pytest
import yaml
from test_docs_examples import blocks, named_files

from gubernator_gen import backend
from gubernator_gen.frontend import read_spec_text

PAGE = Path(__file__).resolve().parent.parent / "docs" / "language.md"
GUARDS = ("expression", "context", "value")
UPDATES = ("field", "expression", "context", "new value")
REFUSED = ("refused expression", "code", "why")
REFUSED_ASSIGN = ("refused assign", "code", "why")
_CODE = re.compile(r"^`(.*)`$")


def table(text: str, header: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The rows of the page's table with exactly ``header``, cells unquoted."""
    lines = text.splitlines()
    head = "| " + " | ".join(header) + " |"
    start = lines.index(head)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        rows.append(tuple(_unquote(cell) for cell in cells))
    return rows


def _unquote(cell: str) -> str:
    quoted = _CODE.match(cell)
    return quoted.group(1) if quoted else cell


def corpus() -> dict[str, Any]:
    """The page's ``corpus.yaml``, as data."""
    loaded: dict[str, Any] = yaml.safe_load(named_files((PAGE,))["corpus.yaml"])
    return loaded


TEXT = PAGE.read_text(encoding="utf-8")
GUARD_ROWS = table(TEXT, GUARDS)
UPDATE_ROWS = table(TEXT, UPDATES)


def _document() -> dict[str, Any]:
    document = corpus()
    transitions = [
        {
            "trigger": f"guard {index}",
            "source": "A",
            "dest": "B",
            "guards": [{"expr": expression}],
        }
        for index, (expression, _, _) in enumerate(GUARD_ROWS)
    ]
    transitions += [
        {
            "trigger": f"assign {index}",
            "source": "A",
            "dest": "B",
            "assign": {field: expression},
        }
        for index, (field, expression, _, _) in enumerate(UPDATE_ROWS)
    ]
    document["transitions"] = transitions
    return document


@pytest.fixture(scope="module")
def corpus_source() -> str:
    result = read_spec_text(json.dumps(_document()), path="corpus.json")
    assert result.spec is not None, [d.format() for d in result.diagnostics]
    assert not result.diagnostics, [d.format() for d in result.diagnostics]
    generated = backend.generate_module(result.spec)
    assert generated.source is not None
    return generated.source


@pytest.fixture(scope="module")
def corpus_module(corpus_source: str) -> types.ModuleType:
    module = types.ModuleType("corpus")
    exec(compile(corpus_source, "corpus.py", "exec"), module.__dict__)
    return module


def test_the_page_has_a_corpus() -> None:
    assert len(GUARD_ROWS) >= 20 and len(UPDATE_ROWS) >= 5
    assert len(table(TEXT, REFUSED)) >= 10 and table(TEXT, REFUSED_ASSIGN)
    assert {value for _, _, value in GUARD_ROWS} == {"true", "false", "GuardError"}
    assert any(block.language == "yaml" for block in blocks(TEXT))


@pytest.mark.parametrize("version", [None, "3.10"], ids=["current", "py3.10"])
def test_the_corpus_module_passes_mypy_strict(
    corpus_source: str, tmp_path: Path, version: str | None
) -> None:
    (tmp_path / "corpus.py").write_text(corpus_source, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    options = ["--python-version", version] if version else []
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            *options,
            "--strict",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            str(tmp_path / ".cache"),
            "corpus.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("index", "row"), list(enumerate(GUARD_ROWS)), ids=[row[0] for row in GUARD_ROWS]
)
def test_guard_rows_behave_as_documented(
    corpus_module: types.ModuleType, index: int, row: tuple[str, str, str]
) -> None:
    _, context, value = row
    machine = corpus_module.Machine()  # expressions need no guard methods
    trigger = f"guard {index}"
    if value == "GuardError":
        with pytest.raises(runtime.GuardError) as caught:
            machine.process("A", trigger, json.loads(context))
        assert caught.value.guard == row[0]
        return
    result = machine.process("A", trigger, json.loads(context))
    assert result.success is (value == "true"), row
    if value == "false":
        assert result.error.guard == row[0]


@pytest.mark.parametrize(
    ("index", "row"),
    list(enumerate(UPDATE_ROWS)),
    ids=[" ".join(r[:2]) for r in UPDATE_ROWS],
)
def test_assign_rows_behave_as_documented(
    corpus_module: types.ModuleType, index: int, row: tuple[str, str, str, str]
) -> None:
    field, _, context, value = row
    result = corpus_module.Machine().process(
        "A", f"assign {index}", json.loads(context)
    )
    assert dict(result.context_updates) == {field: json.loads(value)}
    assert type(result.context_updates[field]) is type(json.loads(value))


def _refusal(document: dict[str, Any], line_of: str) -> tuple[str, int, int]:
    """The first error of ``document`` and the line holding ``line_of``."""
    text = yaml.safe_dump(document, sort_keys=False, width=1000)
    result = read_spec_text(text, path="refused.yaml")
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors, text
    line = next(
        n for n, text_line in enumerate(text.splitlines(), 1) if line_of in text_line
    )
    return errors[0].code, errors[0].pos.line, line


@pytest.mark.parametrize("row", table(TEXT, REFUSED), ids=lambda row: row[0])
def test_refused_expressions_are_refused_as_documented(row: tuple[str, ...]) -> None:
    expression, code, _ = row
    document = corpus()
    document["transitions"][0]["guards"] = [{"expr": expression}]
    found, line, expected_line = _refusal(document, "expr:")
    assert (found, line) == (code, expected_line)


@pytest.mark.parametrize("row", table(TEXT, REFUSED_ASSIGN), ids=lambda row: row[0])
def test_refused_assigns_are_refused_as_documented(row: tuple[str, ...]) -> None:
    entry, code, _ = row
    field, expression = entry.split(": ", 1)
    document = corpus()
    document["transitions"][0]["assign"] = {field: yaml.safe_load(expression)}
    found, line, expected_line = _refusal(document, "assign:")
    expected_line += 1  # the entry under assign:
    assert (found, line) == (code, expected_line)
