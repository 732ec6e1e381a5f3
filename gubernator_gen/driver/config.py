"""Project configuration: ``[tool.gubernator-gen]`` in the nearest pyproject.toml.

::

    [tool.gubernator-gen]
    specs = ["machines/*.yaml", "billing/invoice_fsm.yaml"]  # globs, from this folder
    out-dir = "src/app/machines"  # optional; default: each module beside its spec
    strict = true                 # optional; warnings fail too (--strict)
    format = true                 # optional; false is --no-format
    defines = { REGION = "eu" }   # optional; values for ${REGION} (--define)

    [[tool.gubernator-gen.sql]]   # optional, repeatable: `gubernator-gen sql`
    spec = "machines/order.yaml"  # the spec
    out = "migrations/0002_order_states.sql"  # the DDL file
    dialect = "postgresql"        # optional: postgresql (default) or sqlite
    table = "orders"              # optional; default: the machine name
    column = "state"              # optional; default: state

The search starts in the current folder and goes up to the first folder
holding a ``pyproject.toml``; that file is the project's. When it has no
``[tool.gubernator-gen]`` table there is no configuration: the search stops
there, so the settings of an enclosing project never leak into a nested one.

Relative paths (spec patterns, ``out-dir``) are taken from the folder of the
``pyproject.toml``, whatever the current folder. A pattern with glob magic
(``*``, ``?``, ``[``; ``**`` crosses folders) that matches no file is an
error; a plain path is kept as written, so a missing spec is reported by the
front end like one named on the command line.

Problems are :class:`ConfigError`, carrying one located diagnostic per
problem (all of them, not just the first). Its length is the reading of
two tables (the generator's and the repeatable ``sql`` one), each key
checked and located; the checks are small functions.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.driver import codes
from gubernator_gen.frontend.suggest import did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

PYPROJECT = "pyproject.toml"
TABLE = "tool.gubernator-gen"

#: File name suffixes of specs, which a glob in ``specs`` is narrowed to.
SPEC_SUFFIXES = (".yaml", ".yml", ".json")

#: The keys of the table, in the order the documentation lists them.
KEYS = ("specs", "out-dir", "strict", "format", "defines", "sql")
#: The keys of one ``sql`` target, required ones first.
SQL_KEYS = ("spec", "out", "dialect", "table", "column", "machine")
#: The ``--dialect`` names of ``gubernator-gen sql`` (the SQL back end's, kept
#: here so reading the configuration does not load the back end).
SQL_DIALECTS = ("postgresql", "sqlite")

#: What a ``--define`` or ``defines`` name must look like (as in ``${NAME}``).
DEFINE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_GLOB_MAGIC = re.compile(r"[*?[]")
_TABLE_HEADER = re.compile(
    r"""\s*\[\s*tool\s*\.\s*(?:gubernator-gen|"gubernator-gen"|'gubernator-gen')\s*\]"""
)
_SQL_HEADER = re.compile(
    r"""\s*\[\[\s*tool\s*\.\s*(?:gubernator-gen|"gubernator-gen")\s*\.\s*sql\s*\]\]"""
)
_TOML_ERROR_POSITION = re.compile(
    r"\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)"
)


@dataclass(frozen=True, slots=True)
class SqlTarget:
    """One ``[[tool.gubernator-gen.sql]]`` entry, paths resolved.

    ``table`` is ``None`` for the machine name; ``index`` is the entry's
    position, for locating problems found later; ``machine`` picks one
    machine of a file of several.
    """

    spec: Path
    out: Path
    dialect: str = SQL_DIALECTS[0]
    table: str | None = None
    column: str = "state"
    index: int = 0
    machine: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """The settings of one ``[tool.gubernator-gen]`` table, paths resolved.

    ``None`` for ``out_dir``, ``strict`` or ``format`` means "not set", so
    the command line's default applies.
    """

    path: Path
    specs: tuple[Path, ...]
    out_dir: Path | None = None
    strict: bool | None = None
    format: bool | None = None
    defines: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sql: tuple[SqlTarget, ...] = ()

    @property
    def root(self) -> Path:
        """The folder of the ``pyproject.toml``: the base of relative paths."""
        return self.path.parent


class ConfigError(Exception):
    """The configuration is unusable; ``diagnostics`` says why and where."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        super().__init__("; ".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` as the user would write it: relative to ``cwd`` when inside it."""
    base = Path.cwd() if cwd is None else cwd
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return str(path)
    if relative in (os.curdir, os.pardir) or relative.startswith(os.pardir + os.sep):
        return str(path)
    return relative


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` or a folder above it."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / PYPROJECT
        try:
            if path.is_file():
                return path
        except OSError:  # a folder we may not look into is not our project
            continue
    return None


def load_config(start: Path | None = None) -> ProjectConfig | None:
    """The configuration found from ``start`` (default: the current folder).

    ``None`` when there is no ``pyproject.toml`` or it has no
    ``[tool.gubernator-gen]`` table; :class:`ConfigError` when the table
    (or the file) is invalid.
    """
    base = Path.cwd() if start is None else start
    path = find_pyproject(base)
    if path is None:
        return None
    return parse_config(path, display=display_path(path, base.resolve()))


def parse_config(path: Path, *, display: str | None = None) -> ProjectConfig | None:
    """Read the ``[tool.gubernator-gen]`` table of the pyproject.toml at ``path``."""
    shown = str(path) if display is None else display
    text = _read_text(path, shown)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError((_toml_syntax_error(exc, shown, text),)) from None
    tool = document.get("tool")
    if not isinstance(tool, dict) or "gubernator-gen" not in tool:
        return None
    table = tool["gubernator-gen"]
    reader = _TableReader(path, shown, text.splitlines())
    if not isinstance(table, dict):
        reader.problem(None, f"[{TABLE}] must be a table")
        raise ConfigError(tuple(reader.problems))
    config = reader.read(table)
    if reader.problems:
        raise ConfigError(tuple(reader.problems))
    return config


class _TableReader:
    """Checks one table's values, collecting every problem with its line."""

    def __init__(self, path: Path, display: str, lines: list[str]) -> None:
        self.path = path
        self.display = display
        self.lines = lines
        self.problems: list[Diagnostic] = []

    def read(self, table: Mapping[str, object]) -> ProjectConfig:
        for key in table:
            if key not in KEYS:
                hint = did_you_mean(key, KEYS)
                self.problem(key, f"unknown key {key!r} in [{TABLE}]{hint}")
        root = self.path.parent
        out_dir = self._string(table, "out-dir")
        return ProjectConfig(
            path=self.path,
            specs=self._specs(table.get("specs"), root),
            out_dir=None if out_dir is None else root / out_dir,
            strict=self._bool(table, "strict"),
            format=self._bool(table, "format"),
            defines=MappingProxyType(self._defines(table.get("defines"))),
            sql=self._sql(table.get("sql"), root),
        )

    def problem(self, key: str | None, message: str) -> None:
        line, column = self._locate(key)
        pos = SourcePos(self.display, line, column)
        self.problems.append(error(codes.BAD_CONFIG, message, pos))

    def _specs(self, value: object, root: Path) -> tuple[Path, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item for item in value
        ):
            self.problem(
                "specs", "'specs' must be a list of non-empty strings (paths or globs)"
            )
            return ()
        found: dict[Path, None] = {}
        for pattern in value:
            if not _GLOB_MAGIC.search(pattern):
                found[root / pattern] = None
                continue
            matches = sorted(
                match
                for match in glob.glob(pattern, root_dir=root, recursive=True)
                # A broad pattern ("fsm/*") must not pick up generated modules.
                if (root / match).is_file()
                and Path(match).suffix.lower() in SPEC_SUFFIXES
            )
            if not matches:
                self.problem("specs", f"the spec pattern {pattern!r} matches no file")
            found.update(dict.fromkeys(root / match for match in matches))
        return tuple(found)

    def _string(self, table: Mapping[str, object], key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.problem(key, f"{key!r} must be a non-empty string")
            return None
        return value

    def _bool(self, table: Mapping[str, object], key: str) -> bool | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.problem(key, f"{key!r} must be true or false")
            return None
        return value

    def _defines(self, value: object) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem("defines", "'defines' must be a table of NAME = \"value\"")
            return {}
        defines: dict[str, str] = {}
        for name, text in value.items():
            if not DEFINE_NAME.match(name):
                self.problem("defines", f"{name!r} in 'defines' is not a variable name")
            elif not isinstance(text, str):
                self.problem(
                    "defines", f"the value of {name!r} in 'defines' must be a string"
                )
            else:
                defines[name] = text
        return defines

    def sql_problem(self, index: int, message: str) -> None:
        """A problem of the ``index``-th ``sql`` entry, at its ``[[...]]`` line."""
        headers = [
            number
            for number, line in enumerate(self.lines, start=1)
            if _SQL_HEADER.match(line)
        ]
        text = f"sql entry {index + 1}: {message}"
        if index < len(headers):
            pos = SourcePos(self.display, headers[index], 1)
            self.problems.append(error(codes.BAD_CONFIG, text, pos))
        else:
            self.problem("sql", text)

    def _sql(self, value: object, root: Path) -> tuple[SqlTarget, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            self.problem(
                "sql", "'sql' must be a list of tables ([[tool.gubernator-gen.sql]])"
            )
            return ()
        targets: list[SqlTarget] = []
        for index, entry in enumerate(value):
            problems = sql_target_problems(entry)
            for message in problems:
                self.sql_problem(index, message)
            if not problems:
                targets.append(
                    SqlTarget(
                        spec=root / entry["spec"],
                        out=root / entry["out"],
                        dialect=entry.get("dialect", SQL_DIALECTS[0]),
                        table=entry.get("table"),
                        column=entry.get("column", "state"),
                        index=index,
                        machine=entry.get("machine"),
                    )
                )
        return tuple(targets)

    def _locate(self, key: str | None) -> tuple[int, int]:
        # tomllib keeps no positions, so find the table header and the
        # key's line textually; fall back to the header, then the file start.
        header = next(
            (i for i, line in enumerate(self.lines) if _TABLE_HEADER.match(line)), None
        )
        if header is None:
            return 1, 1
        if key is not None:
            key_pattern = re.compile(
                rf"""(\s*)(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
            )
            for index in range(header + 1, len(self.lines)):
                line = self.lines[index]
                if line.lstrip().startswith("["):
                    break
                match = key_pattern.match(line)
                if match:
                    return index + 1, len(match.group(1)) + 1
        return header + 1, 1


def sql_entry_pos(config: ProjectConfig, index: int) -> SourcePos:
    """Where the ``index``-th ``sql`` entry of ``config`` starts (its ``[[...]]``)."""
    shown = display_path(config.path)
    try:
        lines = config.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return SourcePos(shown, 1, 1)
    headers = [n for n, line in enumerate(lines, start=1) if _SQL_HEADER.match(line)]
    return SourcePos(shown, headers[index] if index < len(headers) else 1, 1)


def sql_target_problems(entry: Mapping[str, object]) -> list[str]:
    """What is wrong with one ``sql`` entry (empty when nothing is)."""
    problems: list[str] = []
    for key in entry:
        if key not in SQL_KEYS:
            problems.append(f"unknown key {key!r}{did_you_mean(key, SQL_KEYS)}")
    for key in SQL_KEYS:
        value = entry.get(key)
        if value is None:
            if key in ("spec", "out"):
                problems.append(f"{key!r} is required")
        elif not isinstance(value, str) or not value:
            problems.append(f"{key!r} must be a non-empty string")
    dialect = entry.get("dialect")
    if isinstance(dialect, str) and dialect and dialect not in SQL_DIALECTS:
        choices = " or ".join(map(repr, SQL_DIALECTS))
        problems.append(f"'dialect' must be {choices}, not {dialect!r}")
    return problems


def _read_text(path: Path, display: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        message = f"cannot read {display}: {exc.strerror or exc}"
    except UnicodeDecodeError:
        message = f"{display} is not valid UTF-8 text"
    raise ConfigError((error(codes.BAD_CONFIG, message, SourcePos(display, 1, 1)),))


def _toml_syntax_error(
    exc: tomllib.TOMLDecodeError, display: str, document: str
) -> Diagnostic:
    # tomllib puts the position in the message only: "(at line 3, column 8)"
    # or "(at end of document)".
    text = str(exc)
    match = _TOML_ERROR_POSITION.search(text)
    if match is None:
        line, column = 1, 1
    elif match.group("line"):
        line, column = int(match.group("line")), int(match.group("column"))
    else:
        lines = document.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    reason = _TOML_ERROR_POSITION.sub("", text).strip() or "invalid TOML"
    message = f"{display} is not valid TOML: {reason}"
    return error(codes.BAD_CONFIG, message, SourcePos(display, line, column))
