""" "Did you mean …?" suggestions for misspelt names.

A suggestion costs time in proportion to the number of candidates, so a
file with thousands of misspelt references among thousands of names would
take quadratic time. :class:`Suggester` bounds that: it computes at most
:data:`MAX_SUGGESTIONS` suggestions (later misspellings are still reported,
without one), and its similarity comparison sees at most
:data:`MAX_COMPARED` candidates, picked by shared letter triples.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable

#: A :class:`Suggester` computes at most this many suggestions by default.
MAX_SUGGESTIONS = 100
#: The similarity comparison sees at most this many candidates per word.
MAX_COMPARED = 500
# Very long inputs are never typos of short names, and comparing them costs
# quadratic time in their length.
_LONGEST_COMPARED_WORD = 200
_CUTOFF = 0.7


class Suggester:
    """Suggestions for misspellings of one fixed set of candidate names.

    ``limit`` is how many suggestions it computes before it stops making
    any (``None``: no limit).
    """

    def __init__(
        self, candidates: Iterable[str], *, limit: int | None = MAX_SUGGESTIONS
    ) -> None:
        self._options = list(dict.fromkeys(candidates))
        self._by_casefold: dict[str, list[str]] = {}
        for option in self._options:
            self._by_casefold.setdefault(option.casefold(), []).append(option)
        self._prefixes = frozenset(o for o in self._options if len(o) >= 3)
        self._longest_prefix = max(map(len, self._prefixes), default=0)
        self._left = limit
        # Letter triple → indexes of the options containing it; built when
        # first needed, and only for more options than are compared.
        self._triples: dict[str, list[int]] | None = None

    def closest(self, word: str) -> str | None:
        """The candidate ``word`` was most likely meant to be, or ``None``.

        A candidate equal to ``word`` but for case wins (``paid`` →
        ``PAID``); then a known name that ``word`` starts with (``dest`` for
        ``destination``); otherwise the most similar, if close enough.
        """
        if self._left is not None:
            if self._left <= 0:
                return None
            self._left -= 1
        for option in self._by_casefold.get(word.casefold(), ()):
            if option != word:
                return option
        # A known name that the word starts with is what a longer spelling
        # usually means; the longest such name is the most specific.
        for length in range(min(len(word) - 1, self._longest_prefix), 2, -1):
            if word[:length] in self._prefixes:
                return word[:length]
        if len(word) > _LONGEST_COMPARED_WORD:
            return None
        matches = difflib.get_close_matches(
            word, self._compared(word), n=1, cutoff=_CUTOFF
        )
        return matches[0] if matches else None

    def did_you_mean(self, word: str) -> str:
        """`` (did you mean 'x'?)`` for a close candidate, else the empty string."""
        match = self.closest(word)
        return "" if match is None else f" (did you mean {match!r}?)"

    def _compared(self, word: str) -> list[str]:
        """The options worth comparing with ``word``: all, if there are few.

        Otherwise those sharing the most letter triples with it; a triple
        that more than :data:`MAX_COMPARED` options share tells nothing and
        is skipped. Fewer than that are topped up in declaration order.
        """
        options = self._options
        if len(options) <= MAX_COMPARED:
            return options
        if self._triples is None:
            triples: dict[str, list[int]] = {}
            for index, option in enumerate(options):
                for triple in _triples(option):
                    triples.setdefault(triple, []).append(index)
            self._triples = triples
        shared: Counter[int] = Counter()
        for triple in _triples(word):
            holders = self._triples.get(triple, ())
            if len(holders) <= MAX_COMPARED:
                shared.update(holders)
        chosen = heapq.nsmallest(
            MAX_COMPARED, shared, key=lambda index: (-shared[index], index)
        )
        if len(chosen) < MAX_COMPARED:
            taken = set(chosen)
            rest = (i for i in range(len(options)) if i not in taken)
            chosen.extend(itertools.islice(rest, MAX_COMPARED - len(chosen)))
        return [options[index] for index in chosen]


def _triples(name: str) -> set[str]:
    folded = name.casefold()
    if len(folded) < 3:
        return {folded}
    return {folded[i : i + 3] for i in range(len(folded) - 2)}


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` was most likely meant to be, or ``None``.

    See :meth:`Suggester.closest`; for many words among the same candidates
    a :class:`Suggester` is cheaper and bounded.
    """
    return Suggester(candidates, limit=None).closest(word)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a close candidate, else the empty string."""
    return Suggester(candidates, limit=None).did_you_mean(word)
