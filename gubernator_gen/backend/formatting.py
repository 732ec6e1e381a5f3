"""black in one fixed mode, whatever the user's own black configuration says.

``black.format_str`` reads no configuration files; :data:`MODE` is the only
input besides the source. The generator pins black's yearly major version
(``pyproject.toml``) because black changes its stable style only then, so the
same spec gives the same bytes for every black the generator accepts.

black is slow on large modules (about half a minute for a machine of 5,000
transitions), so it does not format the bulk (the definition and the decision
table). :mod:`gubernator_gen.backend.emit` prints the bulk in the layout black
keeps: every collection either fits on its line or is exploded with a
trailing comma. :func:`format_module` runs black on the skeleton (everything
but the bulk) and checks every line of the bulk: a line that fits, or
overflows only with a name or string black cannot split, is already in
black's form; should any other line appear, black formats that statement on
its own. The result is what black prints for the whole module (the back
end's tests compare the two on random machines).
"""

from __future__ import annotations

import re

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from gubernator_gen.backend.emit import LINE_LENGTH
from gubernator_gen.backend.literals import display_width
from gubernator_gen.backend.render import RenderedModule, Section

#: black's mode for every generated module (line length 88, Python 3.10+).
MODE = Mode(
    target_versions={TargetVersion.PY310},
    line_length=LINE_LENGTH,
    string_normalization=True,
    is_pyi=False,
    magic_trailing_comma=True,
    preview=False,
)

_STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_ATOM = rf"(?:{_STRING}|{_NAME})"
# A line black cannot shorten: an atom (keyword argument, tuple item, or
# mapping entry with an atom key) followed by a comma.
_UNSPLITTABLE = re.compile(rf"\s*(?:{_NAME}=|{_ATOM}: )?{_ATOM},")


class FormattingError(Exception):
    """black could not parse the generated source (a generator bug)."""


def format_source(source: str) -> str:
    """``source`` as black prints it in :data:`MODE`."""
    try:
        return black.format_str(source, mode=MODE)
    except InvalidInput as exc:
        raise FormattingError(str(exc)) from exc


def format_module(module: RenderedModule) -> str:
    """The rendered module as black prints it, black running on the skeleton."""
    skeleton = format_source(module.skeleton)
    # The sections go into the formatted skeleton in one join, in the order
    # of their placeholders (replacing one after the other would copy the
    # growing module once per section).
    places: list[tuple[int, Section]] = []
    for section in module.sections:
        if skeleton.count(section.placeholder) != 1:
            raise FormattingError(f"the {section.name} placeholder did not survive")
        places.append((skeleton.index(section.placeholder), section))
    pieces: list[str] = []
    start = 0
    for index, section in sorted(places, key=lambda place: place[0]):
        pieces.append(skeleton[start:index])
        pieces.append(_formatted_body(section, module.sections))
        start = index + len(section.placeholder)
    pieces.append(skeleton[start:])
    return "".join(pieces)


def _formatted_body(section: Section, sections: tuple[Section, ...]) -> str:
    """The section's text, through black unless it is already black's."""
    body = section.text
    if any(other.placeholder in body for other in sections):
        # A placeholder holds a character literals always escape.
        raise FormattingError(f"the {section.name} section holds a placeholder")
    return body if is_black_stable(body) else format_source(body)


def is_black_stable(text: str) -> bool:
    """True when black leaves every line of ``text`` as it is."""
    lines = text.splitlines()
    if text.isascii():
        # Measured in one pass over the lengths; only the long lines remain.
        if max(map(len, lines), default=0) <= LINE_LENGTH:
            return True
        lines = [line for line in lines if len(line) > LINE_LENGTH]
    return all(
        display_width(line) <= LINE_LENGTH or _UNSPLITTABLE.fullmatch(line)
        for line in lines
    )
