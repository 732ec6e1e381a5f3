"""Checking, after parsing, where the YAML 1.2 rewriting changed characters.

:mod:`gubernator_gen.frontend.yaml12` rewrites characters before scanning
without knowing where they stand. Some are only allowed inside quoted
scalars (DEL, the C1 controls), and rewritten surrogate pair escapes only
mean something inside double-quoted scalars. The parser reports where its
quoted scalars are; :class:`QuotedPlaces` records that and checks each
rewritten character against it.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import yaml

from gubernator_gen.frontend import codes, yaml12
from gubernator_gen.frontend.positions import Locator
from gubernator_gen.frontend.problems import Problems


class QuotedPlaces:
    """The quoted scalars of one parse, and the verdict on rewritten characters."""

    def __init__(
        self, prepared: yaml12.Prepared, locator: Locator, problems: Problems
    ) -> None:
        #: A rewritten escape was outside a double-quoted scalar: the result
        #: is not usable and the text must be read without that rewriting.
        self.misplaced_escape = False
        #: The offsets of rewritten escapes found in double-quoted scalars.
        self.escapes_in_place: frozenset[int] = frozenset()
        #: Where a character only allowed in quoted scalars was reported.
        self.misplaced_at: int | None = None
        self._prepared = prepared
        self._locator = locator
        self._problems = problems
        # Quoted scalars as (start, end, double-quoted), in text order.
        self._quoted: list[tuple[int, int, bool]] = []
        self._scanned_to = 0  # the end of the last scalar seen

    def note(self, event: yaml.ScalarEvent) -> None:
        """Record a scalar the parser produced."""
        start_mark: Any = event.start_mark
        end_mark: Any = event.end_mark
        end: int = end_mark.index
        self._scanned_to = end
        if event.style in ('"', "'"):
            self._quoted.append((start_mark.index, end, event.style == '"'))

    def check(self, *, complete: bool) -> bool:
        """Check where rewritten characters were; True if the result is unusable.

        Characters only allowed in quoted scalars are an error elsewhere. A
        rewritten escape outside a double-quoted scalar sets
        :attr:`misplaced_escape`. Past the point where scanning stopped
        (``complete`` is false when it stopped early) nothing is known, so
        nothing is reported there.
        """
        quoted = self._quoted
        limit = len(self._prepared.text) if complete else self._scanned_to
        double = [(start, end) for start, end, is_double in quoted if is_double]
        escapes = self._prepared.escapes
        self.escapes_in_place = frozenset(o for o in escapes if _inside(o, double))
        if any(o < limit and o not in self.escapes_in_place for o in escapes):
            self.misplaced_escape = True
            return True
        if self.misplaced_at is not None:
            return True  # already reported as the syntax error
        spans = [(start, end) for start, end, _ in quoted]
        for offset in self._prepared.quoted_only:
            if offset < limit and not _inside(offset, spans):
                self.misplaced_character(offset)
                return True
        return False

    def misplaced_character(self, offset: int) -> None:
        """Report a character only YAML's quoted scalars allow, found elsewhere."""
        self.misplaced_at = offset
        char = self._prepared.restore(self._prepared.text[offset])
        self._problems.error(
            codes.YAML_SYNTAX,
            f"character U+{ord(char):04X} is only allowed inside quoted strings",
            self._locator.offset(offset),
        )


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    """True when ``offset`` lies in one of the sorted, disjoint ``spans``."""
    index = bisect.bisect_right(spans, (offset, math.inf)) - 1
    return index >= 0 and offset < spans[index][1]
