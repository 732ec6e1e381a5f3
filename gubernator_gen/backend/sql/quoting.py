"""SQL identifiers and string literals that mean exactly the text they hold.

Every name that reaches generated SQL (state and trigger names from the
spec, the table and column the user names) goes through this module; no
text is ever spliced into SQL any other way.

PostgreSQL output is pure ASCII, so the bytes mean the same whatever the
session's ``client_encoding`` (a multi-byte client encoding such as SJIS
can hide a quote or a backslash inside a character; ASCII cannot):

* an identifier is ``"..."`` with ``"`` doubled; one with non-ASCII
  characters or a backslash is a Unicode-escape identifier ``U&"..."``
  (``\\XXXX``, ``\\+XXXXXX``, ``\\\\`` for a backslash);
* a string is ``'...'`` with ``'`` doubled when it is printable ASCII
  without a backslash, else an escape string ``E'...'`` (``\\\\``, ``''``,
  ``\\xHH``, ``\\uXXXX``, ``\\UXXXXXXXX``). An escape string means the same
  whether ``standard_conforming_strings`` is on or off; a plain string
  holding a backslash would not.

Non-ASCII escapes need a UTF-8 server encoding: on another encoding the
server refuses the statement (loudly, never a different name).

SQLite reads SQL text as UTF-8 and treats a backslash as an ordinary
character, so its identifiers are ``"..."`` and its strings ``'...'``, each
with its quote doubled and every other character as it is.

Neither database can store NUL in a name or string: such text is refused
with :class:`SqlTextError`, as is text that is not valid Unicode (a lone
surrogate).
"""

from __future__ import annotations


class SqlTextError(ValueError):
    """Text that no SQL identifier or string can hold (NUL, lone surrogates)."""


def _check(text: str) -> None:
    if "\x00" in text:
        raise SqlTextError(f"{text!r} holds a NUL character, which SQL cannot store")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SqlTextError(f"{text!r} is not valid Unicode text") from None


def _printable_ascii(char: str) -> bool:
    return " " <= char <= "~"


def pg_identifier(name: str) -> str:
    """``name`` as a PostgreSQL quoted identifier (pure ASCII)."""
    _check(name)
    if all(_printable_ascii(char) for char in name) and "\\" not in name:
        return '"' + name.replace('"', '""') + '"'
    pieces: list[str] = []
    for char in name:
        if char == "\\":
            pieces.append("\\\\")
        elif char == '"':
            pieces.append('""')
        elif _printable_ascii(char):
            pieces.append(char)
        elif ord(char) <= 0xFFFF:
            pieces.append(f"\\{ord(char):04X}")
        else:
            pieces.append(f"\\+{ord(char):06X}")
    return 'U&"' + "".join(pieces) + '"'


def pg_string(text: str) -> str:
    """``text`` as a PostgreSQL string literal (pure ASCII)."""
    _check(text)
    if all(_printable_ascii(char) for char in text) and "\\" not in text:
        return "'" + text.replace("'", "''") + "'"
    pieces: list[str] = []
    for char in text:
        if char == "\\":
            pieces.append("\\\\")
        elif char == "'":
            pieces.append("''")
        elif _printable_ascii(char):
            pieces.append(char)
        elif ord(char) < 0x80:
            pieces.append(f"\\x{ord(char):02X}")
        elif ord(char) <= 0xFFFF:
            pieces.append(f"\\u{ord(char):04X}")
        else:
            pieces.append(f"\\U{ord(char):08X}")
    return "E'" + "".join(pieces) + "'"


def sqlite_identifier(name: str) -> str:
    """``name`` as an SQLite quoted identifier."""
    _check(name)
    return '"' + name.replace('"', '""') + '"'


def sqlite_string(text: str) -> str:
    """``text`` as an SQLite string literal."""
    _check(text)
    return "'" + text.replace("'", "''") + "'"


def comment_text(text: str) -> str:
    """``text`` for a ``--`` comment: printable ASCII, everything else escaped.

    A line break would end the comment and let the rest run as SQL; every
    character outside printable ASCII (and the backslash, so the escapes
    are unambiguous) is written as ``\\xHH``, ``\\uXXXX`` or ``\\UXXXXXXXX``.
    """
    pieces: list[str] = []
    for char in text:
        if char == "\\":
            pieces.append("\\\\")
        elif _printable_ascii(char):
            pieces.append(char)
        elif ord(char) <= 0xFF:
            pieces.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            pieces.append(f"\\u{ord(char):04x}")
        else:
            pieces.append(f"\\U{ord(char):08x}")
    return "".join(pieces)
