"""What a command works on: the command line merged over ``pyproject.toml``.

Command-line options win over ``[tool.gubernator-gen]``
(:mod:`gubernator_gen.driver.config`), which wins over the defaults. Paths
are compared by what they point to (:func:`same_place`), without ever
raising: a symbolic link loop is the front end's or the writer's to report,
as a located diagnostic.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gubernator_gen.driver.args import UsageError
from gubernator_gen.driver.config import DEFINE_NAME, display_path, load_config
from gubernator_gen.driver.report import NORMAL, PROG, VERBOSE
from gubernator_gen.frontend.suggest import did_you_mean

if TYPE_CHECKING:
    from gubernator_gen.compiler import CompileOptions
    from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class Settings:
    """What a command works on, the command line merged over the configuration."""

    specs: tuple[Path, ...]
    defines: dict[str, str] = field(default_factory=dict)
    strict: bool = False
    format: bool = True
    out_dir: Path | None = None
    verbosity: int = NORMAL


def settings(args: argparse.Namespace) -> Settings:
    """The settings of the parsed command line ``args``.

    Raises :class:`UsageError` when there is nothing to work on or a
    ``--define`` is malformed, and ``ConfigError`` for a broken configuration.
    """
    verbosity: int = getattr(args, "verbosity", NORMAL)
    cli_defines = parse_defines(getattr(args, "define", None) or [])
    config = load_config()
    if config is not None and verbosity >= VERBOSE:
        print(
            f"{PROG}: using [tool.gubernator-gen] of {shown(config.path)}",
            file=sys.stderr,
        )
    named = args.specs
    if isinstance(named, str):
        named = [named]
    if named:
        specs = [Path(name) for name in named]
    elif config is not None and config.specs:
        specs = [Path(shown(path)) for path in config.specs]
    else:
        where = (
            f"{shown(config.path)} lists no specs"
            if config is not None
            else "no pyproject.toml with a [tool.gubernator-gen] table was found"
        )
        raise UsageError(f"no SPEC given, and {where}")
    strict_option: bool | None = getattr(args, "strict", None)
    format_option: bool | None = getattr(args, "format", None)
    return Settings(
        specs=_unique(specs),
        defines={**(config.defines if config else {}), **cli_defines},
        strict=_first_set(strict_option, config.strict if config else None, False),
        format=_first_set(format_option, config.format if config else None, True),
        out_dir=config.out_dir if config else None,
        verbosity=verbosity,
    )


def parse_defines(items: Iterable[str]) -> dict[str, str]:
    """``--define NAME=VALUE`` items as a mapping; :class:`UsageError` if malformed."""
    defines: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals:
            raise UsageError(f"--define expects NAME=VALUE, got {item!r}")
        if not DEFINE_NAME.match(name):
            raise UsageError(
                f"--define {item!r}: {name!r} is not a variable name "
                "(letters, digits and _, not starting with a digit)"
            )
        defines[name] = value
    return defines


def compile_options(
    settings: Settings, *, format_output: bool, checking: bool = False
) -> CompileOptions:
    """The compiler's options for these settings (``checking``: ``validate``)."""
    from gubernator_gen.compiler import CompileOptions  # lazily: the pipeline

    return CompileOptions(
        defines=dict(settings.defines),
        format=format_output,
        strict=settings.strict,
        checking=checking,
    )


def pick_machine(
    specs: Sequence[MachineSpec], wanted: str | None, spec_path: Path
) -> MachineSpec:
    """The machine ``--machine`` names (``None``: the file's only machine).

    A file of several machines needs the name; a wrong one is a
    :class:`UsageError` that lists the file's machines.
    """
    names = [spec.name for spec in specs]
    listed = ", ".join(repr(name) for name in names)
    if wanted is None:
        if len(specs) == 1:
            return specs[0]
        raise UsageError(
            f"{spec_path} holds {len(specs)} machines ({listed}); "
            "pick one with --machine NAME"
        )
    for spec in specs:
        if spec.name == wanted:
            return spec
    raise UsageError(
        f"{spec_path} has no machine {wanted!r}{did_you_mean(wanted, names)}; "
        f"its machines: {listed}"
    )


def place(path: Path) -> Path:
    """The file ``path`` names, links followed as far as they go; never raises.

    ``Path.resolve`` raises on a symbolic link loop (``RuntimeError`` before
    Python 3.13); ``os.path.realpath`` stops at the loop and returns a path,
    so a loop reaches the front end or the writer, which report it.
    """
    return Path(os.path.realpath(path))


def same_place(first: Path, second: Path) -> bool:
    """True when two paths name the same file (see :func:`place`)."""
    return place(first) == place(second)


def shown(path: Path) -> str:
    """``path`` as diagnostics and progress lines name it."""
    return display_path(path) if path.is_absolute() else str(path)


def _first_set(*values: bool | None) -> bool:
    return next(value for value in values if value is not None)


def _unique(specs: Iterable[Path]) -> tuple[Path, ...]:
    seen: set[Path] = set()
    unique: list[Path] = []
    for spec in specs:
        key = place(spec)
        if key not in seen:
            seen.add(key)
            unique.append(spec)
    return tuple(unique)
