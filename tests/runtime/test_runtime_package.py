"""The distribution as a whole: exports, API version, imports, packaging."""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import gubernator_runtime
import pytest
from gubernator_runtime import API_VERSION, check_api_version

PACKAGE_DIR = Path(gubernator_runtime.__file__).resolve().parent
RUNTIME_DIR = PACKAGE_DIR.parent


def test_every_exported_name_exists_and_is_documented() -> None:
    assert len(set(gubernator_runtime.__all__)) == len(gubernator_runtime.__all__)
    for name in gubernator_runtime.__all__:
        value = getattr(gubernator_runtime, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__doc__, f"{name} has no docstring"
        if inspect.isclass(value):
            for member_name, member in vars(value).items():
                if member_name.startswith("_"):
                    continue
                if inspect.isfunction(member) or isinstance(
                    member, (property, classmethod, staticmethod)
                ):
                    assert member.__doc__, f"{name}.{member_name} has no docstring"


def test_api_version() -> None:
    assert API_VERSION == (2, 7)
    assert isinstance(API_VERSION, tuple)
    assert gubernator_runtime.__version__ == "0.2.0"


def test_check_api_version_accepts_the_same_major_and_an_older_minor() -> None:
    check_api_version((2, 0), "orders_fsm")
    check_api_version(API_VERSION)


@pytest.mark.parametrize(
    ("required", "advice"),
    [
        ((2, 8), "upgrade gubernator-runtime"),
        ((3, 0), "upgrade gubernator-runtime"),
        ((1, 0), "regenerate it with a newer gubernator-gen"),
    ],
)
def test_check_api_version_says_which_side_to_upgrade(
    required: tuple[int, int], advice: str
) -> None:
    with pytest.raises(ImportError) as caught:
        check_api_version(required, "orders_fsm")
    message = str(caught.value)
    assert advice in message
    assert "orders_fsm" in message
    assert f"{required[0]}.{required[1]}" in message


def _modules_loaded_by_import() -> set[str]:
    # -S keeps site (and whatever .pth files import) out, so every module the
    # runtime pulls in shows up; PYTHONPATH finds the runtime from source.
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import gubernator_runtime\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(RUNTIME_DIR)}
    output = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(output))


def test_import_pulls_in_nothing_costly_or_foreign() -> None:
    loaded = _modules_loaded_by_import()
    assert "gubernator_runtime.machine" in loaded
    # Deferred until first use; each would cost milliseconds at import.
    deferred = {
        "asyncio",
        "dataclasses",
        "datetime",
        "decimal",
        "inspect",
        "json",
        "logging",
        "threading",
        "uuid",
    }
    foreign = {"yaml", "jinja2", "jsonschema", "gubernator_gen", "black"}
    assert not (loaded & deferred), sorted(loaded & deferred)
    assert not {m.split(".")[0] for m in loaded} & foreign


def test_runtime_sources_do_not_import_the_generator_or_its_dependencies() -> None:
    forbidden = {"yaml", "jinja2", "jsonschema", "gubernator_gen", "black"}
    for path in PACKAGE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & forbidden, f"{path.name} imports {roots & forbidden}"
            for root in roots:
                if root not in {"gubernator_runtime", "__future__"}:
                    assert root in sys.stdlib_module_names, f"{path.name}: {root}"


def test_distribution_metadata() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((RUNTIME_DIR / "pyproject.toml").read_text())["project"]
    assert project["name"] == "gubernator-runtime"
    assert project["dependencies"] == []
    assert project["requires-python"] == ">=3.10"
    assert project["version"] == gubernator_runtime.__version__
    assert (PACKAGE_DIR / "py.typed").is_file()
