"""Which names can be Python identifiers in the generated module.

Guard, action and context field names (docs/language.md#names) become methods and
typed-dictionary keys, so they must be identifiers that are not keywords
and do not start with ``__`` (reserved for dunder names, mangled in
classes). State, trigger and machine names are free text instead; the back
end derives identifiers from them.
"""

from __future__ import annotations

import keyword
import re

from gubernator_gen.frontend import codes

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def identifier_problem(name: str) -> tuple[str, str] | None:
    """(code, reason) when a syntactically valid identifier is still unusable."""
    if keyword.iskeyword(name):
        return codes.KEYWORD_NAME, "is a Python keyword"
    if name.startswith("__"):
        return (
            codes.DUNDER_NAME,
            "starts with two underscores (Python reserves __dunder__ names and "
            "mangles __private ones in classes)",
        )
    return None


def is_usable_identifier(name: str) -> bool:
    """True for a name the generated code can use as a method or field name."""
    return bool(IDENTIFIER.match(name)) and not identifier_problem(name)
