"""The text of a YAML string as an expression, with where each character is.

A guard expression (``{expr: "..."}``) or an ``assign`` value is a string
scalar; an error inside it must point at the line and column of the
offending character, whatever style the string is written in (plain,
quoted with escapes, a block scalar over several lines). The loader keeps
each string's span (:class:`~gubernator_gen.frontend.tree.ScalarSpan`) and
the scanned text; :class:`ScalarTexts` reads the scalar again with
:func:`~gubernator_gen.frontend.scalar_offsets.scalar_offsets` and places
its characters through the loader's
:class:`~gubernator_gen.frontend.positions.Locator`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.frontend.expressions import ExpressionText
from gubernator_gen.frontend.positions import Locator
from gubernator_gen.frontend.scalar_offsets import scalar_offsets
from gubernator_gen.frontend.tree import ScalarNode


@dataclass(frozen=True, slots=True)
class ScalarTexts:
    """The text the scanner read (after substitution) and how to place its offsets."""

    text: str
    locator: Locator

    def expression(self, node: ScalarNode) -> ExpressionText:
        """The string of ``node`` as an expression placed in the file.

        A scalar that cannot be read again the way the parser did (it
        should not happen; a tag in front of it, say) has every character
        placed at the scalar's start.
        """
        value = node.value if isinstance(node.value, str) else ""
        span = node.span
        offsets = None
        if span is not None:
            offsets = scalar_offsets(self.text, span.start, span.end, span.style, value)
        return ExpressionText.in_scalar(value, offsets, self.locator.offset, node.pos)


def expression_text(node: ScalarNode, texts: ScalarTexts | None) -> ExpressionText:
    """``node``'s string placed through ``texts``, or at the scalar's start without."""
    if texts is not None:
        return texts.expression(node)
    value = node.value if isinstance(node.value, str) else ""
    return ExpressionText.in_scalar(value, None, lambda offset: node.pos, node.pos)
