"""Specs of the original language generate the same bytes as before turn 2.

``unchanged_outputs.json`` holds, for every spec under ``examples/`` and
``tests/`` that generated a module before free-form names, ``machines:``
files, wildcard sources and rich context types were added, the SHA-256 of
that module (recorded with the generator of the commit it names). Those
features widen the language; a spec that does not use them must not see a
byte change (each change of the language keeps old specs' output). When the output
changes on purpose, ``pytest
--update-goldens`` records the new hashes, and the diff of this file shows
which specs changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cases_support import compile_case

REPO = Path(__file__).resolve().parents[2]
RECORD = Path(__file__).resolve().parent / "unchanged_outputs.json"
_DOCUMENT = json.loads(RECORD.read_text("utf-8"))
OUTPUTS: dict[str, str] = _DOCUMENT["outputs"]


@pytest.mark.parametrize("spec", sorted(OUTPUTS))
def test_spec_generates_the_recorded_bytes(
    spec: str, update_goldens: bool, record_golden_update: Callable[[Path], None]
) -> None:
    source = compile_case(REPO / spec).source
    assert source is not None, f"{spec} no longer generates a module"
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    if digest != OUTPUTS[spec] and update_goldens:
        document = json.loads(RECORD.read_text("utf-8"))
        document["outputs"][spec] = digest
        RECORD.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        record_golden_update(RECORD)
        return
    assert digest == OUTPUTS[spec], (
        f"{spec} generates different bytes than it did before; if that is "
        "intended, run `pytest --update-goldens`"
    )


def test_the_record_covers_the_examples_and_the_cases() -> None:
    assert "examples/order_management/order_fsm.yaml" in OUTPUTS
    assert sum(spec.startswith("tests/cases/generate/") for spec in OUTPUTS) >= 12
