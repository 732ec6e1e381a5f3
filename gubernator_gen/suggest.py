""" "Did you mean …?" suggestions for misspelt names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` was most likely meant to be, or ``None``.

    A candidate equal to ``word`` but for case wins (``paid`` → ``PAID``);
    otherwise the closest by similarity ratio, if it is close enough.
    """
    options = list(dict.fromkeys(candidates))
    lowered = word.casefold()
    for option in options:
        if option.casefold() == lowered and option != word:
            return option
    # A known name that the word starts with is what a longer spelling
    # (``destination`` for ``dest``) usually means.
    prefixes = [o for o in options if len(o) >= 3 and word.startswith(o) and o != word]
    if prefixes:
        return max(prefixes, key=len)
    # Very long inputs are never typos of short names, and comparing them
    # costs quadratic time, so do not try.
    if len(word) > 200:
        return None
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.7)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a close candidate, else the empty string."""
    match = closest(word, candidates)
    return "" if match is None else f" (did you mean {match!r}?)"
