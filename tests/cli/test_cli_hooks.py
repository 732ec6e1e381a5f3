"""The ``.pre-commit-hooks.yaml`` shipped for applications."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from gubernator_gen.driver import cli

HOOKS_FILE = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def test_hooks_run_existing_commands_on_the_configured_specs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    hooks = yaml.safe_load(HOOKS_FILE.read_text("utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"gubernator-gen-check", "gubernator-gen-generate"}
    for hook_id, command in (
        ("gubernator-gen-check", "check"),
        ("gubernator-gen-generate", "generate"),
    ):
        hook = by_id[hook_id]
        entry = shlex.split(hook["entry"])
        assert entry == ["gubernator-gen", command]
        assert cli.main([command, "--help"]) == 0
        assert f"usage: gubernator-gen {command}" in capsys.readouterr().out
        assert hook["language"] == "python"
        # The specs come from [tool.gubernator-gen], not from the staged files
        # (which include YAML that is not a spec).
        assert hook["pass_filenames"] is False
        assert {"name", "description", "files"} <= set(hook)
