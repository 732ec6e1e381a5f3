"""Identifiers derived from free-form names: enum members, module and class names.

State, trigger and machine names are any text (docs/language.md#names); the generated
module needs Python identifiers for them. One rule, applied in this order:

1. the name is normalised to NFKC (as Python normalises identifiers) and
   put in the case wanted: upper case for ``State`` and ``Trigger``
   members, lower case for module names, as written for class names;
2. letters, digits and underscores are kept, and every run of other
   characters (spaces, dots, hyphens, punctuation, symbols) becomes one
   ``_``;
3. a name that starts with a character that cannot start an identifier (a
   digit, a combining mark) gets a ``_`` prefix, and so does a keyword;
4. a name starting with ``_`` keeps one leading underscore and no trailing
   ones: Python mangles ``__x`` names inside a class body, and the enum
   module reserves ``_x_`` names.

``in review`` → ``IN_REVIEW``, ``Order.Placed`` → ``ORDER_PLACED``,
``approuvé`` → ``APPROUVÉ``, ``2fa`` → ``_2FA``, ``(draft)`` → ``_DRAFT``.
Names already written as identifiers in the expected case (``PAID``,
``ship`` → ``SHIP``) are kept as they are, so conventional specs generate
what they always did. A class name is the PascalCase of the step-2 form
(``order_management`` → ``OrderManagement``).

Non-ASCII letters stay: they are valid in Python identifiers and keep a
name readable. Which characters are letters, digits or marks, and the
normalisation, come from the Unicode 3.2 tables that every Python ships
(``unicodedata.ucd_3_2_0``), not from the running Python's newer tables:
the same spec gives the same module on every Python, and that module
parses on the oldest supported one. A character Unicode assigned after
3.2 counts as punctuation. The result is checked against the running
Python (:func:`is_stable_identifier`); a name that fails is a diagnostic,
never a module that does not import. :func:`members` and
:func:`module_names` apply the rule to a machine's states and triggers and
to the machines of a file, reporting names that give the same identifier.
"""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from gubernator_gen.backend import codes
from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.model import MachineSpec

_UCD = unicodedata.ucd_3_2_0
_START_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
_WORD_CATEGORIES = _START_CATEGORIES | {"Mn", "Mc", "Nd", "Pc"}


def member_name(name: str) -> str:
    """The ``State`` or ``Trigger`` member for a state or trigger name."""
    return _finish(_words(name, str.upper))


def module_name(machine_name: str) -> str:
    """The module (file stem) for a machine of a ``machines:`` file."""
    return _finish(_words(machine_name, str.lower))


def class_name(machine_name: str) -> str:
    """The machine class for ``machine_name``; empty when it has no letter or digit."""
    parts = _words(machine_name, None).split("_")
    pascal = _normal("".join(part[:1].upper() + part[1:] for part in parts))
    return _finish(pascal) if pascal else ""


def members(
    what: str,
    enum: str,
    names: Iterable[tuple[str, SourcePos]],
    diagnostics: list[Diagnostic],
) -> dict[str, str]:
    """The enum member of each name (``what`` is ``state`` or ``trigger``).

    A member this Python does not read back (GG404) and a member two names
    give (GG405, naming both) are added to ``diagnostics``.
    """
    members: dict[str, str] = {}
    owners: dict[str, tuple[str, SourcePos]] = {}
    for name, pos in names:
        member = member_name(name)
        if not is_stable_identifier(member):
            diagnostics.append(
                error(
                    codes.MEMBER_NAME_UNUSABLE,
                    f"{what} name {name!r} gives the {enum} member {member!r}, "
                    "which this Python does not read back as the same identifier; "
                    "rename it",
                    pos,
                )
            )
        owner = owners.setdefault(member, (name, pos))
        if owner[0] != name:
            other, other_pos = owner
            diagnostics.append(
                error(
                    codes.MEMBER_COLLISION,
                    f"{what} names {other!r} (line {other_pos.line}) and {name!r} "
                    f"both give the {enum} member {member}; rename one of them",
                    pos,
                )
            )
        members[name] = member
    return members


def module_names(
    specs: Sequence[MachineSpec],
) -> tuple[tuple[str, ...], tuple[Diagnostic, ...]]:
    """The module of each machine of a ``machines:`` file, and collisions.

    Modules are named after their machine's ``machine_name`` by the rule of
    :mod:`~gubernator_gen.backend.derive` (lower case, so two modules never
    differ only by case on a file system that ignores it).
    """
    modules: list[str] = []
    owners: dict[str, MachineSpec] = {}
    diagnostics: list[Diagnostic] = []
    for spec in specs:
        module = module_name(spec.name)
        modules.append(module)
        owner = owners.setdefault(module, spec)
        if owner is not spec:
            where = owner.machine_name_pos or owner.pos
            diagnostics.append(
                error(
                    codes.MODULE_COLLISION,
                    f"machines {owner.name!r} (line {where.line}) and {spec.name!r} "
                    f"would both be written to the module {module}.py; rename one "
                    "of them",
                    spec.machine_name_pos or spec.pos,
                )
            )
    return tuple(modules), tuple(diagnostics)


def is_stable_identifier(name: str) -> bool:
    """True when the running Python reads ``name`` back as exactly this identifier."""
    return name.isidentifier() and unicodedata.normalize("NFKC", name) == name


def _normal(text: str) -> str:
    return _UCD.normalize("NFKC", text)


def _words(name: str, case: Callable[[str], str] | None) -> str:
    """Steps 1 and 2: normalised, cased, other characters as ``_``."""
    text = _normal(name)
    if case is not None:
        text = _normal(case(text))
    out: list[str] = []
    in_run = False  # inside a run of other characters, already written as "_"
    for char in text:
        if _is_word(char):
            out.append(char)
            in_run = False
        elif not in_run:
            out.append("_")
            in_run = True
    return "".join(out)


def _is_word(char: str) -> bool:
    if char.isascii():
        return char.isalnum() or char == "_"
    return _UCD.category(char) in _WORD_CATEGORIES


def _can_start(char: str) -> bool:
    if char.isascii():
        return char.isalpha() or char == "_"
    return _UCD.category(char) in _START_CATEGORIES


def _finish(text: str) -> str:
    """Steps 3 and 4: a usable start, no keyword, no reserved underscores."""
    if not _can_start(text[0]) or keyword.iskeyword(text):
        text = "_" + text
    if text.startswith("_"):
        text = "_" + text.strip("_")
    return text
