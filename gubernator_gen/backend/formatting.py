"""black in one fixed mode, whatever the user's own black configuration says.

``black.format_str`` reads no configuration files; :data:`MODE` is the only
input besides the source. The generator pins black's yearly major version
(``pyproject.toml``) because black changes its stable style only then, so the
same spec gives the same bytes for every black the generator accepts.

black is slow on large modules (about half a minute for a machine of 5,000
transitions), so it does not format the definition's bulk. The templates and
the plan lay the bulk out exactly as black prints it: every collection either
fits on its line or is exploded with a trailing comma, which black keeps.
:func:`format_module` runs black on the skeleton (everything but the bulk)
and checks each bulk item: an item whose lines all fit, or overflow only
with a string black cannot split, is already in black's form; any other item
is formatted by black on its own, in a context with its nesting. The result
is what black prints for the whole module (the back end's tests compare the
two on random machines).
"""

from __future__ import annotations

import re

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from gubernator_gen.backend.layout import LINE_LENGTH
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
# A line black cannot shorten: a string (keyword argument, tuple item, or
# mapping entry with a string key) followed by a comma.
_UNSPLITTABLE = re.compile(rf"\s*(?:[A-Za-z_][A-Za-z0-9_]*=|{_STRING}: )?{_STRING},")


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
    text = format_source(module.skeleton)
    for section in module.sections:
        if not section.items:
            continue  # an empty section is written without a placeholder
        if text.count(section.placeholder) != 1:
            raise FormattingError(f"the {section.name} placeholder did not survive")
        body = "".join(_format_item(item, section) for item in section.items)
        text = text.replace(section.placeholder, body)
    return text


def is_black_stable(item: str) -> bool:
    """True when black leaves every line of ``item`` as it is."""
    return all(
        display_width(line) <= LINE_LENGTH or _UNSPLITTABLE.fullmatch(line)
        for line in item.splitlines()
    )


def _format_item(item: str, section: Section) -> str:
    if is_black_stable(item):
        return item
    before, after = section.context
    formatted = format_source(before + item + after)
    lines = formatted.splitlines(keepends=True)
    try:
        start = lines.index(before.splitlines(keepends=True)[-1]) + 1
        last = lines[::-1].index(after.splitlines(keepends=True)[0])
    except ValueError:
        raise FormattingError(f"a {section.name} item lost its context") from None
    return "".join(lines[start : len(lines) - 1 - last])
