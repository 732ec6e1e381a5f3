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
was before substitution, where the user wrote the reference, and the result
carries an offset map so that later stages can do the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from gubernator_gen.diagnostics import Diagnostic, error
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.positions import LineIndex, OffsetMap, OffsetMapBuilder

_REFERENCE = re.compile(
    r"\$\$\{|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|:\?)(?P<arg>[^}\r\n]*))?\}"
)


@dataclass(frozen=True, slots=True)
class Substituted:
    """The text after substitution, where it came from, and the problems found.

    ``offsets`` maps offsets in ``text`` back to the text before
    substitution (see :class:`~gubernator_gen.frontend.positions.OffsetMap`).
    """

    text: str
    diagnostics: tuple[Diagnostic, ...]
    offsets: OffsetMap = field(default_factory=OffsetMap)


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
    positions = LineIndex(text, path)

    def lookup(name: str) -> str | None:
        if name in defines:
            return defines[name]
        return environ.get(name)

    def value_of(match: re.Match[str], name: str) -> str:
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

    pieces: list[str] = []
    offsets = OffsetMapBuilder()
    copied_from = 0  # the original text from here on is still to be copied
    length = 0  # of the substituted text so far
    for match in _REFERENCE.finditer(text):
        start, end = match.span()
        pieces.append(text[copied_from:start])
        length += start - copied_from
        name = match.group("name")
        if name is None:
            # "$${": the first "$" disappears, the "${" after it is copied.
            copied_from = start + 1
            offsets.segment(length, copied_from, literal=True)
            continue
        value = value_of(match, name)
        offsets.segment(length, start, literal=False)
        pieces.append(value)
        length += len(value)
        copied_from = end
        offsets.segment(length, copied_from, literal=True)
    pieces.append(text[copied_from:])
    return Substituted("".join(pieces), tuple(diagnostics), offsets.build())
