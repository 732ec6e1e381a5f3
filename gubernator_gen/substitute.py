"""``${VAR}`` substitution on the raw spec text, before parsing.

Forms (names match ``[A-Za-z_][A-Za-z0-9_]*``):

* ``${VAR}`` — the value; a variable that is not set is an error, so a
  forgotten ``--define`` never silently turns into an empty string;
* ``${VAR:-default}`` — the value, or ``default`` when unset or empty;
* ``${VAR:?message}`` — the value, or an error carrying ``message`` when
  unset or empty;
* ``$${`` — a literal ``${`` (so ``$${VAR}`` stays ``${VAR}`` in the text).

Values come from the explicit ``defines`` first, then ``environ``. Anything
else that starts with ``${`` but does not match a form is left as it is.
Defaults and messages cannot span lines, so substitution only adds newlines
when a value itself contains them. Diagnostics point into the text as it
was before substitution, where the user wrote the reference.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass

from gubernator_gen import frontend_codes as codes
from gubernator_gen.diagnostics import Diagnostic, SourcePos, error

_REFERENCE = re.compile(
    r"\$\$\{|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|:\?)(?P<arg>[^}\n]*))?\}"
)


@dataclass(frozen=True, slots=True)
class Substituted:
    """The text after substitution and the problems found."""

    text: str
    diagnostics: tuple[Diagnostic, ...]


class _Positions:
    """Turns offsets into 1-based line and column, indexing lines lazily."""

    def __init__(self, text: str, path: str) -> None:
        self._text = text
        self._path = path
        self._line_starts: list[int] | None = None

    def at(self, offset: int) -> SourcePos:
        if self._line_starts is None:
            starts = [0]
            starts.extend(m.end() for m in re.finditer("\n", self._text))
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return SourcePos(self._path, line + 1, offset - self._line_starts[line] + 1)


def substitute(
    text: str,
    *,
    path: str,
    defines: Mapping[str, str],
    environ: Mapping[str, str],
) -> Substituted:
    """Replace every ``${…}`` reference in ``text``; see the module docstring."""
    if "${" not in text:
        return Substituted(text, ())
    diagnostics: list[Diagnostic] = []
    positions = _Positions(text, path)

    def lookup(name: str) -> str | None:
        if name in defines:
            return defines[name]
        return environ.get(name)

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None:
            return "${"
        value = lookup(name)
        op = match.group("op")
        if op == ":-":
            return value if value else match.group("arg")
        if op == ":?":
            if value:
                return value
            message = match.group("arg").strip() or "is required"
            diagnostics.append(
                error(
                    codes.REQUIRED_VARIABLE,
                    f"variable {name} is not set: {message}",
                    positions.at(match.start()),
                )
            )
            return ""
        if value is None:
            diagnostics.append(
                error(
                    codes.UNDEFINED_VARIABLE,
                    f"variable {name} is not defined; pass --define {name}=VALUE, "
                    f"set it in the environment, or write ${{{name}:-default}}",
                    positions.at(match.start()),
                )
            )
            return ""
        return value

    result = _REFERENCE.sub(replace, text)
    return Substituted(result, tuple(diagnostics))
