"""The reference pages in ``docs/`` cover everything they claim to.

Each test reads the list from the code (the runtime's exports, the
diagnostic tables, the JSON Schema, the argument parser, the configuration
keys), so a name added there without documentation fails here.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import gubernator_runtime
import pytest

from gubernator_gen.backend import codes as backend_codes
from gubernator_gen.driver import codes as driver_codes
from gubernator_gen.driver import config
from gubernator_gen.driver.cli import build_parser
from gubernator_gen.frontend import codes as frontend_codes
from gubernator_gen.frontend.schema import schema_json
from gubernator_gen.model import ContextType

DOCS = Path(__file__).resolve().parent.parent / "docs"


def page(name: str) -> str:
    """The text of ``docs/<name>``."""
    return (DOCS / name).read_text(encoding="utf-8")


def code_of(text: str) -> str:
    """The code of a page: its fenced blocks and its code spans, one a line."""
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    spans = re.findall(
        r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    )
    return "\n".join([*fenced, *spans])


def in_code(name: str, text: str) -> bool:
    """True when ``name`` appears as a word in the code of ``text``."""
    pattern = rf"(?<![\w-]){re.escape(name)}(?![\w-])"
    return re.search(pattern, code_of(text)) is not None


def schema_keys(node: Any) -> Iterator[str]:
    """Every property name the JSON Schema defines, at any depth."""
    if isinstance(node, Mapping):
        properties = node.get("properties")
        if isinstance(properties, Mapping):
            yield from properties
        for value in node.values():
            yield from schema_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from schema_keys(item)


def subcommands() -> Mapping[str, argparse.ArgumentParser]:
    """The command line's subcommands by name."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the parser has no subcommands")


def test_code_is_found_in_spans_and_blocks() -> None:
    text = "Use `equals(key, value)`.\n\n```\nFSMError\n```\nequal in prose\n"
    assert in_code("equals", text) and in_code("FSMError", text)
    assert not in_code("equal", text)
    assert not in_code("prose", text)


def test_runtime_page_names_every_export() -> None:
    text = page("runtime.md")
    missing = [name for name in gubernator_runtime.__all__ if not in_code(name, text)]
    assert not missing


def test_language_page_lists_every_diagnostic_code() -> None:
    text = page("language.md")
    codes = {
        *frontend_codes.CODES,
        *backend_codes.CODES,
        *driver_codes.CODES,
    }
    missing = sorted(code for code in codes if f"| {code} |" not in text)
    assert not missing


def test_language_page_describes_every_key_and_context_type() -> None:
    text = page("language.md")
    schema = json.loads(schema_json())
    keys = set(schema_keys(schema))
    types = [context_type.value for context_type in ContextType]
    missing = sorted(name for name in (*keys, *types) if not in_code(name, text))
    assert not missing


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_cli_page_describes_every_command_and_option(command: str) -> None:
    text = page("cli.md")
    assert re.search(rf"^## {command}$", text, re.MULTILINE), command
    options = [
        option
        for action in subcommands()[command]._actions
        for option in action.option_strings
        if option not in ("-h", "--help")
    ]
    assert options  # at least the common options
    missing = [option for option in options if not in_code(option, text)]
    assert not missing


def test_cli_page_describes_every_configuration_key() -> None:
    text = page("cli.md")
    missing = [key for key in config.KEYS if not in_code(key, text)]
    assert not missing
