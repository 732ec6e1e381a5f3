"""Let PyYAML's YAML 1.1 scanners read text the way YAML 1.2 and JSON do.

libyaml and PyYAML's pure Python scanner implement YAML 1.1, which differs
from YAML 1.2 (and from JSON, which YAML 1.2 contains) in three ways that
change what a spec means:

* U+0085, U+2028 and U+2029 are line breaks in YAML 1.1 but ordinary
  characters in YAML 1.2, so ``"a\\u0085b"`` (the raw character) would load
  as ``'a b'`` and every later line number would be off by one;
* DEL (U+007F), the C1 controls and U+FFFE/U+FFFF are refused anywhere in
  YAML 1.1, while YAML 1.2 and JSON allow them inside quoted strings;
* a UTF-16 surrogate pair escape (``"\\ud83d\\ude00"``, what ``json.dumps``
  writes for any character outside the Basic Multilingual Plane) is an
  error in YAML 1.1.

:func:`prepare` rewrites the text, keeping its length (so the scanner's
offsets are offsets in the text it was given), into one the scanner reads as
intended. Each such character becomes a *sentinel*: a Unicode noncharacter
(U+FDD0..U+FDEF, U+1FFFE, U+1FFFF, ...) that the scanner takes as an
ordinary printable character, chosen so that neither it nor an escape for
it occurs in the text. A surrogate pair escape becomes the equivalent
``\\UXXXXXXXX`` escape followed by two "nothing" sentinels.
:meth:`Prepared.restore` turns the scanned scalars back.

The rewriting cannot see where a character is, so the loader checks it
afterwards against the scalars the scanner reported: the offsets of
characters only allowed in quoted scalars are :attr:`Prepared.quoted_only`,
and of rewritten escapes (which only mean something in double-quoted
scalars) :attr:`Prepared.escapes`. Without enough free sentinels (a text
would need to hold most of the 64 noncharacters) characters are left as they
are and read the YAML 1.1 way.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, field

#: Characters YAML 1.2 reads as ordinary characters but YAML 1.1 as breaks.
YAML11_BREAKS = "\x85\u2028\u2029"
_QUOTED_ONLY = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
# Enough to tell that a text needs no rewriting, in one pass.
_ANY_SPECIAL = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]|\\\\u[dD][89abAB]")
# A pair escape is one only when an odd number of backslashes leads to it
# ("\\\\ud83d..." is an escaped backslash followed by text).
_SPECIAL = re.compile(
    "[\x7f-\x9f\u2028\u2029\ufffe\uffff]"
    r"|(?<!\\)(?P<slashes>\\+)u(?P<high>[dD][89abAB][0-9a-fA-F]{2})"
    r"\\u(?P<low>[dD][c-fC-F][0-9a-fA-F]{2})"
)
_PAIR_LENGTH = len("\\ud83d\\ude00")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")
_SENTINELS = (
    *range(0xFDD0, 0xFDF0),
    *(plane << 16 | low for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)),
)
_NONCHARACTER = re.compile(
    "[\ufdd0-\ufdef" + "".join(chr(code) for code in _SENTINELS if code > 0xFFFF) + "]"
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """The text for the scanner and how to undo the rewriting.

    ``text`` has the length of the text it was prepared from. ``table`` maps
    sentinels to the character they stand for (``None``: no character);
    it is empty when nothing was rewritten. ``lines_match`` is true when the
    scanner counts lines as YAML 1.2 does (no YAML 1.1 break is left).
    """

    text: str
    table: Mapping[int, str | None] = field(default_factory=dict)
    quoted_only: tuple[int, ...] = ()
    escapes: tuple[int, ...] = ()
    lines_match: bool = True

    def restore(self, value: str) -> str:
        """``value`` as scanned, with each sentinel turned back."""
        return value.translate(self.table) if self.table else value


def prepare(text: str, *, escapes: Container[int] | None = None) -> Prepared:
    """``text`` rewritten for the scanner; see the module docstring.

    ``escapes`` (offsets of the pairs' backslashes) limits which surrogate
    pair escapes are rewritten, for a text where one turned out not to be
    inside a double-quoted scalar; ``None`` rewrites all.
    """
    if _ANY_SPECIAL.search(text) is None:
        return Prepared(text)
    matches = [
        match
        for match in _SPECIAL.finditer(text)
        if match.group("slashes") is None or _is_escape(match, escapes)
    ]
    if not matches:
        return Prepared(text)  # only even runs of backslashes before "ud8.."
    free = iter(_free_sentinels(text))
    table: dict[int, str | None] = {}
    sentinel_of: dict[str, str] = {}
    # Breaks first: they change every later position; then the pair
    # escapes' padding; then characters that are otherwise refused.
    needed = [char for char in YAML11_BREAKS if char in text]
    if any(match.group("slashes") for match in matches):
        needed.append("")
    needed.extend(
        dict.fromkeys(match.group() for match in matches if not match.group("slashes"))
    )
    for char in needed:
        if char in sentinel_of:
            continue
        sentinel = next(free, None)
        if sentinel is None:
            break
        sentinel_of[char] = sentinel
        table[ord(sentinel)] = char or None
    pieces: list[str] = []
    quoted_only: list[int] = []
    rewritten_escapes: list[int] = []
    done = 0
    for match in matches:
        start, end = match.span()
        if match.group("slashes") is not None:
            nothing = sentinel_of.get("")
            if nothing is None:
                continue
            start = end - _PAIR_LENGTH  # after the backslashes that lead to it
            pieces.append(text[done:start])
            pieces.append(_pair_escape(match.group("high"), match.group("low")))
            pieces.append(nothing * 2)
            rewritten_escapes.append(start)
        else:
            sentinel = sentinel_of.get(match.group())
            if sentinel is None:
                continue
            pieces.append(text[done:start])
            pieces.append(sentinel)
            if _QUOTED_ONLY.match(match.group()):
                quoted_only.append(start)
        done = end
    pieces.append(text[done:])
    prepared = "".join(pieces)
    return Prepared(
        prepared,
        table,
        tuple(quoted_only),
        tuple(rewritten_escapes),
        lines_match=all(char in sentinel_of for char in YAML11_BREAKS if char in text),
    )


def _is_escape(match: re.Match[str], wanted: Container[int] | None) -> bool:
    """True for a pair escape (an odd number of backslashes) to rewrite."""
    if len(match.group("slashes")) % 2 == 0:
        return False
    return wanted is None or match.end() - _PAIR_LENGTH in wanted


def _pair_escape(high: str, low: str) -> str:
    """The ``\\U`` escape (10 characters) for a surrogate pair's code point."""
    code = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
    return f"\\U{code:08X}"


def _free_sentinels(text: str) -> list[str]:
    """Noncharacters that neither occur in ``text`` nor are escaped in it."""
    used = {ord(char) for char in _NONCHARACTER.findall(text)}
    for match in _ESCAPE.finditer(text):
        used.add(int(match.group(1) or match.group(2), 16))
    return [chr(code) for code in _SENTINELS if code not in used]
