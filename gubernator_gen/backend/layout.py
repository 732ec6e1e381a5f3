"""Layout of generated code: one line when it fits, else black's exploded form.

black keeps a collection or call exploded one item per line when it ends
with a trailing comma (the "magic trailing comma"), and leaves a line alone
when it fits. These helpers choose between the two forms the way black
would, so the plan hands the templates text that black does not change.
Widths are over-estimated for non-ASCII text (see
:func:`gubernator_gen.backend.literals.display_width`), which only ever picks the
exploded form, still black-stable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gubernator_gen.backend import literals
from gubernator_gen.model import PlainData

#: black's line length in the generator's fixed mode.
LINE_LENGTH = 88


@dataclass(frozen=True, slots=True)
class Call:
    """A call with keyword arguments, all of them finished source text."""

    callee: str
    args: tuple[tuple[str, str], ...]


def fits(line: str, depth: int) -> bool:
    """True when ``line`` indented by ``depth`` levels fits the line length."""
    return 4 * depth + literals.display_width(line) <= LINE_LENGTH


def indent(depth: int) -> str:
    """Indentation of ``depth`` levels of four spaces."""
    return "    " * depth


def tuple_arg(key: str, items: Sequence[str], depth: int) -> str:
    """A tuple argument ``key=(...)``; one item per line when it is too long."""
    inline = literals.tuple_literal(list(items))
    # black does not keep a one-item tuple exploded (its comma is not "magic"),
    # so one item always stays inline.
    if len(items) < 2 or fits(f"{key}={inline},", depth):
        return inline
    body = "".join(f"{indent(depth + 1)}{item},\n" for item in items)
    return f"(\n{body}{indent(depth)})"


def call_text(call: Call, lead: str, depth: int) -> str:
    """``call`` on one line after ``lead`` when it fits, else one argument per
    line with a trailing comma (which black keeps exploded)."""
    inline = f"{call.callee}({', '.join(f'{k}={v}' for k, v in call.args)})"
    if fits(f"{lead}{inline},", depth):
        return inline
    body = "".join(f"{indent(depth + 1)}{k}={v},\n" for k, v in call.args)
    return f"{call.callee}(\n{body}{indent(depth)})"


def data_text(value: PlainData, lead: str, depth: int, proxy: str) -> str:
    """Plain data after ``lead`` at ``depth``, exploded level by level while a
    level does not fit (strings and numbers cannot be split; black leaves
    them long too). ``proxy`` names the read-only mapping type."""
    inline = literals.data_literal(value, mapping_type=proxy)
    if fits(f"{lead}{inline},", depth):
        return inline
    if isinstance(value, Mapping) and value:
        inner = depth + 2
        items = "".join(
            f"{indent(inner)}{key}: {data_text(item, key + ': ', inner, proxy)},\n"
            for key, item in ((literals.string_literal(k), v) for k, v in value.items())
        )
        pad = indent(depth + 1)
        return f"{proxy}(\n{pad}{{\n{items}{pad}}}\n{indent(depth)})"
    if isinstance(value, tuple) and len(value) > 1:
        items = "".join(
            f"{indent(depth + 1)}{data_text(item, '', depth + 1, proxy)},\n"
            for item in value
        )
        return f"(\n{items}{indent(depth)})"
    return inline
