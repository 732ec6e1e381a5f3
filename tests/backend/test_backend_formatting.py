"""format_module: black on the skeleton, each section put back at its placeholder."""

from __future__ import annotations

import pytest

from gubernator_gen.backend import formatting, render


def test_format_module_puts_each_section_at_its_placeholder() -> None:
    first, second = render.Section("one", "A = 1\n"), render.Section("two", "B = 2\n")
    skeleton = f"X = 0\n{second.placeholder}{first.placeholder}Y = 3\n"
    # Listed in another order than their placeholders appear.
    rendered = render.RenderedModule(skeleton, (first, second))
    assert formatting.format_module(rendered) == "X = 0\nB = 2\nA = 1\nY = 3\n"
    assert formatting.format_module(rendered) == rendered.source


def test_format_module_formats_a_section_black_would_change() -> None:
    long = render.Section("long", f"A = f({', '.join(['x' * 20] * 5)})\n")
    rendered = render.RenderedModule(long.placeholder, (long,))
    assert formatting.format_module(rendered) == formatting.format_source(long.text)
    assert formatting.format_module(rendered) != long.text


@pytest.mark.parametrize("skeleton", ["X = 0\n", "{0}{0}"], ids=["missing", "twice"])
def test_format_module_refuses_a_lost_placeholder(skeleton: str) -> None:
    section = render.Section("one", "A = 1\n")
    rendered = render.RenderedModule(skeleton.format(section.placeholder), (section,))
    with pytest.raises(formatting.FormattingError, match="placeholder did not survive"):
        formatting.format_module(rendered)


def test_format_module_refuses_a_section_holding_a_placeholder() -> None:
    inner = render.Section("inner", "A = 1\n")
    outer = render.Section("outer", f"B = 2\n{inner.placeholder}")
    rendered = render.RenderedModule(
        outer.placeholder + inner.placeholder, (outer, inner)
    )
    with pytest.raises(formatting.FormattingError, match="holds a placeholder"):
        formatting.format_module(rendered)
