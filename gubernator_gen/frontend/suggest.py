""" "Did you mean …?" suggestions for misspelt names.

A suggestion costs time in proportion to the number of candidates, so a
file with thousands of misspelt references among thousands of names would
take quadratic time. :class:`Suggester` bounds that: it computes at most
:data:`MAX_SUGGESTIONS` suggestions (later misspellings are still reported,
without one), and its similarity comparison sees at most
:data:`MAX_COMPARED` candidates, picked by shared letter triples.

Words are compared in Unicode compatibility form (NFKC, as Python reads
identifiers): a ligature such as ``ﬁ`` or a full-width letter matches the
plain letters. What is suggested is always one of the real candidates,
never the normalised word. :func:`name_repairs` is the other kind of help:
spellings of a malformed name that a naming rule may accept.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import re
import unicodedata
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
            self._by_casefold.setdefault(_caseless(option), []).append(option)
        self._prefixes = frozenset(o for o in self._options if len(o) >= 3)
        self._longest_prefix = max(map(len, self._prefixes), default=0)
        self._left = limit
        # Letter triple → indexes of the options containing it; built when
        # first needed, and only for more options than are compared.
        self._triples: dict[str, list[int]] | None = None

    def closest(self, word: str) -> str | None:
        """The candidate ``word`` was most likely meant to be, or ``None``.

        A candidate equal to ``word`` but for case or compatibility form
        wins (``paid`` → ``PAID``, ``ﬁll`` → ``fill``); then a known name
        that ``word`` starts with (``dest`` for ``destination``); otherwise
        the most similar, if close enough. The answer is always one of the
        candidates, and never ``word`` itself.
        """
        if self._left is not None:
            if self._left <= 0:
                return None
            self._left -= 1
        plain = unicodedata.normalize("NFKC", word)
        same = [o for o in self._by_casefold.get(_caseless(word), ()) if o != word]
        if same:
            # The candidate that differs only by compatibility form beats
            # one that also differs by case.
            return next((o for o in same if o == plain), same[0])
        # A known name that the word starts with is what a longer spelling
        # usually means; the longest such name is the most specific.
        for length in range(min(len(plain) - 1, self._longest_prefix), 2, -1):
            if plain[:length] in self._prefixes:
                return plain[:length]
        if len(plain) > _LONGEST_COMPARED_WORD:
            return None
        matches = difflib.get_close_matches(
            plain, self._compared(plain), n=1, cutoff=_CUTOFF
        )
        return matches[0] if matches and matches[0] != word else None

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


def name_repairs(word: str) -> list[str]:
    """Spellings of the malformed name ``word`` to try against a naming rule.

    Most likely first: the compatibility form (``ﬁll`` → ``fill``, as Python
    itself would read it), the same without accents (``café`` → ``cafe``),
    each upper- and lower-cased, then with runs of ASCII punctuation and
    spaces turned into ``_`` (``order-paid`` → ``order_paid``), also upper-
    and lower-cased. Letters are
    never replaced by ``_``: a name in another script gets no repair rather
    than a mangled one. ``word`` itself is not among them.
    """
    plain = unicodedata.normalize("NFKC", word)
    unaccented = "".join(
        c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c)
    )
    repairs: list[str] = []
    for base in dict.fromkeys((plain, unaccented)):
        repairs.extend((base, base.upper(), base.lower()))
    underscored = _SEPARATORS.sub("_", unaccented)
    repairs.extend((underscored, underscored.upper(), underscored.lower()))
    return [r for r in dict.fromkeys(repairs) if r != word]


_SEPARATORS = re.compile(r"[\x20-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7e\s]+")


def _caseless(text: str) -> str:
    """The form in which names that differ only by case or compatibility meet."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


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
