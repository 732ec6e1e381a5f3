"""Python source literals for user text and data, the only way spec text reaches code.

Everything the spec says in words or data (descriptions, metadata, names in
string positions, the spec's file name) is printed through these functions and
never spliced into source by hand. They are ``repr``-like, with two deliberate
differences:

* Which characters are escaped is decided by a fixed table, not by
  ``str.isprintable``, whose answer changes with the Unicode database of the
  Python that runs the generator; a fixed table keeps output byte-identical
  across Python versions. Visible text in any script stays readable; control,
  format, bidirectional, invisible-space, surrogate, private-use and
  non-character code points are escaped, so nothing invisible or
  direction-changing hides in a reviewed diff.
* Quotes, escapes and numbers are written the way black writes them, so the
  unformatted output is already black-stable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from gubernator_gen.model import PlainData

# Inclusive code point ranges that are always escaped. C0/C1 controls and DEL,
# non-ASCII spaces, format characters (Cf), line and paragraph separators,
# surrogates, private use and non-characters. Fixed here on purpose (see the
# module docstring).
_ESCAPED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),
    (0x007F, 0x00A0),
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x1680, 0x1680),
    (0x180E, 0x180E),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x206F),
    (0x3000, 0x3000),
    (0xD800, 0xF8FF),
    (0xFDD0, 0xFDEF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
    (0xF0000, 0x10FFFF),
)

_SHORT_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}

# The last two code points of every plane are non-characters.
_PLANE_ENDS = tuple(
    (plane + 0xFFFE, plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)
)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        (
            re.escape(chr(low))
            if low == high
            else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        )
        for low, high in ranges
    )


_UNSAFE_CLASS = _char_class(_ESCAPED_RANGES + _PLANE_ENDS)
# Everything escape_text rewrites: unsafe characters and the backslash.
_ESCAPED = re.compile(f"[\\\\{_UNSAFE_CLASS}]")
# In a docstring line, also a quote followed by another one or ending the
# line (which may end the docstring): no unescaped `""` can then occur, so no
# `"""` can close the literal early.
_DOCSTRING_ESCAPED = re.compile(f'[\\\\{_UNSAFE_CLASS}]|"(?="|\\Z)')

# Larger ints are printed in hex: CPython refuses decimal literals of more
# than 4300 digits, and 2**4096 stays safely below that.
_MAX_DECIMAL_BITS = 4096


def must_escape(char: str) -> bool:
    """True when ``char`` is never written raw into generated source."""
    return _ESCAPED.match(char) is not None and char != "\\"


def _escape_match(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    if char == '"':
        return '\\"'
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape_text(text: str) -> str:
    """Escape backslashes and unsafe characters; quotes are left alone."""
    # The usual text is printable ASCII, where the only unsafe characters
    # are the controls (what isprintable refuses there, in every Unicode
    # version): checked at C speed, while the full character class costs
    # tens of nanoseconds a character.
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return _ESCAPED.sub(_escape_match, text)


def display_width(text: str) -> int:
    """Columns ``text`` takes, over- rather than under-estimated.

    Counting each non-ASCII character as two columns (black counts wide
    characters as two and combining ones as zero) means whatever fits here
    fits for black too, and the answer does not depend on the Unicode
    database of the running Python.
    """
    if text.isascii():
        return len(text)
    return sum(1 if ord(char) < 0x80 else 2 for char in text)


def string_literal(text: str) -> str:
    """A one-line string literal that evaluates to exactly ``text``.

    Double quotes unless the text holds more double than single quotes, the
    rule black applies, so black leaves the literal unchanged.
    """
    body = escape_text(text)
    quote = '"' if text.count('"') <= text.count("'") else "'"
    return quote + body.replace(quote, "\\" + quote) + quote


def int_literal(value: int) -> str:
    """An int literal; huge values in hex (uppercase digits, as black writes)."""
    if value.bit_length() <= _MAX_DECIMAL_BITS:
        return str(value)
    sign = "-" if value < 0 else ""
    return f"{sign}0x{abs(value):X}"


def float_literal(value: float) -> str:
    """A float literal; infinities and NaN become ``float("...")`` calls."""
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    # repr is the shortest round-tripping form on every platform; black drops
    # the "+" of a positive exponent.
    return repr(value).replace("e+", "e")


def data_literal(value: PlainData, *, mapping_type: str) -> str:
    """A literal expression for plain data, read-only all the way down.

    Mappings become ``mapping_type({...})`` (a read-only proxy type whose name
    the caller decides) in insertion order, sequences become tuples.
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return int_literal(value)
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, Mapping):
        items = ", ".join(
            f"{string_literal(key)}: {data_literal(item, mapping_type=mapping_type)}"
            for key, item in value.items()
        )
        return f"{mapping_type}({{{items}}})"
    if isinstance(value, tuple):
        return tuple_literal(
            [data_literal(item, mapping_type=mapping_type) for item in value]
        )
    raise TypeError(f"{type(value).__name__} is not plain data")


def tuple_literal(items: list[str] | tuple[str, ...]) -> str:
    """A tuple display of already-rendered expressions."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def comment_text(text: str) -> str:
    """Text safe inside a ``#`` comment: one line, unsafe characters escaped."""
    return escape_text(text)


def docstring_literal(text: str, indent: str) -> str:
    """A triple-quoted docstring showing ``text``, in the form black prints.

    Docstrings are documentation, not data: lines lose trailing blanks and
    common indentation (as black would do), but every character that
    remains is shown faithfully. Backslashes, unsafe characters and quotes
    that could end the literal are escaped, so no text can break out of it.
    ``indent`` is the indentation of the line the docstring starts on.
    """
    lines = _clean_lines(text)
    escaped = [_escape_docstring_line(line) for line in lines]
    if escaped and escaped[0].startswith('"'):
        escaped[0] = " " + escaped[0]
    if len(escaped) == 1 and escaped[0].endswith('"'):
        # Only a one-line docstring has its closing quotes right after the
        # text; black separates a final quote from them with a space.
        escaped[0] += " "
    if len(escaped) <= 1:
        return '"""' + (escaped[0] if escaped else " ") + '"""'
    body = "\n".join((indent + line) if line else "" for line in escaped[1:])
    return '"""' + escaped[0] + "\n" + body + "\n" + indent + '"""'


def _clean_lines(text: str) -> list[str]:
    # Only "\n" splits lines: every other line break character is escaped
    # and so stays inside its line, as does "\r".
    lines = [line.rstrip(" ") for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return []
    lines[0] = lines[0].lstrip(" ")
    rest = [line for line in lines[1:] if line]
    margin = min((len(line) - len(line.lstrip(" ")) for line in rest), default=0)
    return [lines[0], *(line[margin:] for line in lines[1:])]


def _escape_docstring_line(line: str) -> str:
    return _DOCSTRING_ESCAPED.sub(_escape_match, line)
