"""The checker of guard and ``assign`` expressions (docs/language.md#guard-expressions
and #context-updates-assign).

An expression's text, with where each of its characters is in the file
(:class:`ExpressionText`), is parsed with ``ast`` in ``eval`` mode, walked
against a whitelist, its names resolved against the context fields
(:class:`Scope`) and its types checked; the result is the typed, immutable
IR of :mod:`gubernator_gen.expressions`, or located diagnostics. Nothing
here evaluates the expression.
"""

from gubernator_gen.frontend.expressions.api import (
    Checked,
    check_assignment,
    check_expression,
    check_guard,
)
from gubernator_gen.frontend.expressions.scope import Scope, field_type
from gubernator_gen.frontend.expressions.source import (
    MAX_DEPTH,
    MAX_LENGTH,
    ExpressionText,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Checked",
    "ExpressionText",
    "Scope",
    "check_assignment",
    "check_expression",
    "check_guard",
    "field_type",
]
