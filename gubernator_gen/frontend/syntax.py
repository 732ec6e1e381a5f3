"""Turning PyYAML's syntax errors into messages that say what is wrong.

The scanner's own words are kept (they are precise), placed at the file's
line and column, with the characters the YAML 1.2 rewriting replaced turned
back. Two common causes get a message of their own: tabs used for
indentation, and a key longer than YAML allows for ``key: value`` (the
scanner only says "could not find expected ':'" or "mapping values are not
allowed" there, at the colon far to the right).
"""

from __future__ import annotations

import re

import yaml

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes, limits, yaml12
from gubernator_gen.frontend.positions import Locator

# What may stand before a block key on its line: indentation, then list
# item and explicit key markers.
_BLOCK_PREFIX = re.compile(r"[ ]*(?:[-?][ ]+)*")
# What ends the text before a key inside a flow collection.
_FLOW_PREFIX_END = re.compile(r"[\[{,][ \t]*\Z")
_FLOW_INDICATORS = "[{,"
# A plain scalar never holds these, so a key that does is not one key.
_NOT_IN_PLAIN_KEY = re.compile(r":[ \t]| #")


def explain(
    exc: yaml.MarkedYAMLError,
    *,
    prepared: yaml12.Prepared,
    locator: Locator,
    path: str,
    is_json: bool,
) -> Diagnostic:
    """The diagnostic for a syntax error of the scanner or parser."""
    mark = exc.problem_mark or exc.context_mark
    # By offset, not the scanner's line: at the end of a file without a
    # final newline the scanner names a line that does not exist.
    pos = SourcePos(path, 1, 1) if mark is None else locator.offset(mark.index)
    if exc.problem_mark is not None:
        colon = exc.problem_mark.index
        key_start = long_key_start(prepared.text, colon)
        if key_start is not None:
            return _long_key(prepared.text, key_start, colon, locator)
    if "maximum nesting depth" in (exc.problem or ""):
        # libyaml 0.2.5 (PyYAML >= 6.0.4) has a nesting limit of its own
        # whose scanner can trip before our depth check sees the events.
        return error(codes.TOO_DEEP, limits.too_deep_message(), pos)
    message = _readable(exc.problem or "invalid YAML", prepared)
    if exc.context:
        context = _readable(exc.context, prepared)
        start = exc.context_mark
        start_line = locator.offset(start.index).line if start else pos.line
        if start_line != pos.line:
            context += f" from line {start_line}"
        message = f"{message} ({context})"
    if not is_json and _tab_near(locator, pos.line):
        message += "; YAML does not allow tabs for indentation, use spaces"
    return error(codes.YAML_SYNTAX, f"invalid YAML: {message}", pos)


def long_key_start(text: str, colon: int) -> int | None:
    """Where a key too long for ``key: value`` starts, if the ``:`` at ``colon``
    ends one; else ``None``.

    A key written ``key: value`` must fit on its line in
    :data:`~gubernator_gen.frontend.limits.MAX_IMPLICIT_KEY` characters;
    past that the scanner no longer takes it for a key and stops at the
    colon. The key is found by reading back from the colon: a quoted key to
    its opening quote, a plain one to the line's indentation and markers
    (block) or to the last ``[``, ``{`` or ``,`` (flow).
    """
    if text[colon : colon + 1] != ":":
        return None
    line_start = max(text.rfind("\n", 0, colon), text.rfind("\r", 0, colon)) + 1
    end = colon
    while end > line_start and text[end - 1] in " \t":
        end -= 1
    if end - line_start <= limits.MAX_IMPLICIT_KEY:
        return None  # the whole line up to the colon is short enough
    starts: list[int] = []
    if text[end - 1] in "'\"":
        opening = _opening_quote(text, line_start, end - 1)
        if opening is not None:
            starts.append(opening)
    else:
        block = _BLOCK_PREFIX.match(text, line_start, end)
        starts.append(block.end() if block else line_start)
        flow = max(text.rfind(char, line_start, end) for char in _FLOW_INDICATORS)
        if flow >= 0:
            after = flow + 1
            while after < end and text[after] in " \t":
                after += 1
            starts.append(after)
    for start in starts:
        if end - start <= limits.MAX_IMPLICIT_KEY or not _key_prefix(
            text, line_start, start
        ):
            continue
        is_plain = text[end - 1] not in "'\""
        if is_plain and _NOT_IN_PLAIN_KEY.search(text, start, end):
            continue
        return start
    return None


def _long_key(text: str, start: int, colon: int, locator: Locator) -> Diagnostic:
    end = colon
    while end > start and text[end - 1] in " \t":
        end -= 1
    limit = limits.MAX_IMPLICIT_KEY
    return error(
        codes.YAML_SYNTAX,
        f"invalid YAML: this key is {end - start:,} characters long, but a key "
        f"written 'key: value' may have at most {limit} (a limit of YAML); "
        "shorten it, or write it as an explicit key: '? ' and the key on one "
        "line, ': ' and the value on the next",
        locator.offset(start),
    )


def _opening_quote(text: str, line_start: int, closing: int) -> int | None:
    """The offset of the quote that ``text[closing]`` closes, on the same line."""
    quote = text[closing]
    index = closing - 1
    while index >= line_start:
        if text[index] == quote:
            if quote == "'":
                if index > line_start and text[index - 1] == "'":
                    index -= 2  # '' is a quote inside a single-quoted scalar
                    continue
                return index
            backslashes = 0
            while index - backslashes - 1 >= line_start and (
                text[index - backslashes - 1] == "\\"
            ):
                backslashes += 1
            if backslashes % 2 == 0:
                return index
        index -= 1
    return None


def _key_prefix(text: str, line_start: int, start: int) -> bool:
    """True when what precedes ``start`` on its line may precede a key."""
    block = _BLOCK_PREFIX.match(text, line_start, start)
    if block is not None and block.end() == start:
        return True
    return _FLOW_PREFIX_END.search(text, line_start, start) is not None


def _readable(message: str, prepared: yaml12.Prepared) -> str:
    """A scanner message with any sentinel it quotes turned back."""
    for code, char in prepared.table.items():
        sentinel = chr(code)
        if sentinel in message or repr(sentinel)[1:-1] in message:
            shown = repr(char)[1:-1] if char else ""
            message = message.replace(sentinel, shown)
            message = message.replace(repr(sentinel)[1:-1], shown)
    return message


def _tab_near(locator: Locator, line: int) -> bool:
    """True when line ``line`` (1-based) or the one before starts with a tab."""
    for entry in (locator.line_text(line - 1), locator.line_text(line)):
        if "\t" in entry[: len(entry) - len(entry.lstrip(" \t"))]:
            return True
    return False
