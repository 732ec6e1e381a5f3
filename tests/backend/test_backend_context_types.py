"""Rich context types (docs/language.md#context) are real types: mypy checks guards
against them.

The module generated from ``tests/cases/generate/rich_context_types.yaml``
(its golden) is used by a guard implementation written correctly, which
``mypy --strict`` accepts, and by one that treats the fields as what they
are not, which it must reject at exactly the marked lines.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import gubernator_runtime
import pytest
from backend_factory import S, machine
from backend_support import generate, load_module, run_mypy

from gubernator_gen.backend import context_types
from gubernator_gen.model import (
    ContextField,
    ContextType,
    EnumType,
    ListType,
    NamedType,
    RecordType,
)

GOLDEN = (
    Path(__file__).resolve().parents[1] / "cases" / "generate" / "rich_context_types.py"
)

GOOD = """\
from decimal import Decimal

from shipment import Context, Guards


class ShipmentGuards:
    def is_packed(self, ctx: Context) -> bool:
        total = sum(ctx["items"]) + sum(ctx["prices"].values(), Decimal(0))
        lat: float = ctx["address"]["geo"]["lat"]
        weights = [parcel["weight"] for parcel in ctx["parcels"]]
        first: float = ctx["matrix"][0][0]
        notes = ctx.get("notes", {}).get("driver", [])
        urgent = ctx.get("priority") == "high"
        return ctx["status"] == "packed" and total > 0 and lat < 90 and (
            bool(weights) or first > 0 or bool(notes) or urgent
        )


guards: Guards = ShipmentGuards()
ctx: Context = {
    "items": [1, 2],
    "prices": {"a": Decimal("1.5")},
    "matrix": [[0.5]],
    "status": "in transit",
    "address": {"street": "Main", "city": "X", "geo": {"lat": 1.0, "lon": 2.0}},
    "parcels": [{"weight": 1.5, "label": "a"}],
    "legacy": [],
    "extra": {},
}
"""

BAD = """\
from shipment import Context


def is_packed(ctx: Context) -> bool:
    if ctx["status"] == "lost":  # E: a value outside the enum
        return False
    if ctx["items"].upper():  # E: list[int] is not a str
        return False
    if ctx["address"]["geo"]["lat"] == "north":  # E: a float is not a str
        return False
    return ctx["parcels"][0]["weight"] + "kg" != ""  # E: float + str


wrong: Context = {
    "items": ["one"],  # E: str in a list[int]
    "prices": {},
    "matrix": [],
    "status": "shipped",  # E: not one of the enum's values
    "address": {"street": "Main", "city": "X", "geo": {"lat": 1.0, "lon": 2.0}},
    "parcels": [],
    "legacy": [],
    "extra": {},
}
incomplete: Context = {"items": []}  # E: required fields are missing
"""


def _mypy(folder: Path, *args: str) -> tuple[str, int]:
    runtime_root = Path(gubernator_runtime.__file__).resolve().parents[1]
    config = folder / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {runtime_root}\n", encoding="utf-8")
    out, err, status = run_mypy(
        [
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(folder / ".mypy_cache"),
            "--no-error-summary",
            *args,
        ]
    )
    return out + err, status


@pytest.mark.parametrize("version", ["3.10", None])
def test_mypy_accepts_good_guards_and_rejects_wrong_types(
    tmp_path: Path, version: str | None
) -> None:
    shutil.copyfile(GOLDEN, tmp_path / "shipment.py")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    versions = ["--python-version", version] if version else []
    files = [str(tmp_path / name) for name in ("shipment.py", "good.py")]
    report, status = _mypy(tmp_path, *versions, *files)
    assert status == 0, report
    report, status = _mypy(tmp_path, *versions, str(tmp_path / "bad.py"))
    assert status == 1
    flagged = {int(line) for line in re.findall(r"bad\.py:(\d+): error", report)}
    marked = {
        number
        for number, line in enumerate(BAD.splitlines(), start=1)
        if "# E:" in line
    }
    assert flagged == marked, report


def test_nested_records_come_before_their_users() -> None:
    inner = RecordType(
        (ContextField("lat", NamedType(ContextType.FLOAT), False, _POS),)
    )
    outer = RecordType(
        (
            ContextField("geo", inner, False, _POS),
            ContextField("tags", ListType(EnumType(("a", "1"))), True, _POS),
        )
    )
    fields = (ContextField("address", outer, False, _POS),)
    written = context_types.context_types(fields, taken={"_Context_address"})
    assert [record.name for record in written.records] == [
        "_Context_address_geo",
        "_Context_address_",
    ]
    assert written.annotations == {"address": "_Context_address_"}
    assert dict(written.records[1].fields) == {
        '"geo"': "_Context_address_geo",
        '"tags"': 'list[_Literal["a", "1"]]',
    }
    assert written.records[0].total and not written.records[1].total


def test_records_and_literals_load_and_describe_the_fields() -> None:
    spec = machine(
        [S("A", "initial")],
        context={"plain": "int"},
    )
    rich = [
        ContextField("status", EnumType(("new", 'it\'s "odd"')), False, _POS),
        ContextField(
            "address",
            RecordType((ContextField("zip", NamedType(ContextType.STR), True, _POS),)),
            True,
            _POS,
        ),
    ]
    assert spec.context is not None
    module = load_module(
        generate(dataclasses.replace(spec, context=(*spec.context, *rich)))
    )
    hints = module.Context.__annotations__
    assert set(hints) == {"plain", "status", "address"}
    assert module.Context.__required_keys__ == {"plain", "status"}
    assert module._Context_address.__optional_keys__ == {"zip"}


_POS = machine([S("A", "initial")]).pos
