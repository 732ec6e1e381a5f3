"""Facts about checked guards, for ``validate``'s warnings.

* :func:`constant_truth`: a guard expression that is always true or always
  false whatever the context (``1 < 2``, ``flag and False``). Only what
  follows from literals counts: ``x == x`` is not constant (a NaN is not
  equal to itself), nor is ``len(s) >= 0``.
* :func:`identical_guards` and :func:`shadows`: two candidates of one cell
  whose guard lists are the same (the second can never fire), or where the
  earlier one's guards are all among the later one's.

The literal-only parts are worked out by reading the IR, never by running
spec text; anything that would fail (``1 / 0``) is taken as unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

from gubernator_gen.expressions import UNKNOWN, Expr, fold
from gubernator_gen.model import GuardItem


def constant_truth(expr: Expr) -> bool | None:
    """``True`` or ``False`` when ``expr`` is always that, else ``None``.

    A whole guard can be constant (``1 < 2``, ``not False``); inside ``and``
    and ``or`` the checker already refuses a constant part.
    """
    value = fold(expr)
    return None if value is UNKNOWN else bool(value)


def identical_guards(first: Sequence[GuardItem], second: Sequence[GuardItem]) -> bool:
    """True when two guard lists are the same items in the same order.

    Items are compared as checked: ``a  >  1`` and ``(a > 1)`` are the same
    expression, positions and spelling aside.
    """
    return tuple(first) == tuple(second)


def shadows(earlier: Sequence[GuardItem], later: Sequence[GuardItem]) -> bool:
    """True when every guard of ``earlier`` is also a guard of ``later``.

    Guards are conditions on the context, so whenever all of ``later``'s
    pass, ``earlier``'s pass too, and the earlier candidate is taken: the
    later one can never fire.
    """
    return all(item in later for item in earlier)
