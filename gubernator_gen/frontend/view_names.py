"""Names as the view reads them: a string and the scalar it came from.

Part of :mod:`~gubernator_gen.frontend.view`, which re-exports these; kept
apart so that :mod:`~gubernator_gen.frontend.guard_view` can use them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.frontend.tree import Node, ScalarNode, SeqNode


@dataclass(frozen=True, slots=True)
class Name:
    """A string value and the scalar node it came from."""

    text: str
    node: ScalarNode


@dataclass(frozen=True, slots=True)
class NameList:
    """The names of a "name or list of names" value.

    ``complete`` is false when the value had the wrong shape or some items
    were not strings (those are left out of ``names``).
    """

    names: tuple[Name, ...]
    complete: bool

    @property
    def texts(self) -> tuple[str, ...]:
        """The names as strings."""
        return tuple(name.text for name in self.names)


NO_NAMES = NameList((), False)


def name_of(node: Node | None) -> Name | None:
    """The string of a string scalar, else ``None``."""
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        return Name(node.value, node)
    return None


def names_of(node: Node | None) -> NameList:
    """A "name or list of names" value; absent means an empty, complete list."""
    if node is None:
        return NameList((), True)
    single = name_of(node)
    if single is not None:
        return NameList((single,), True)
    if isinstance(node, SeqNode):
        names = [name_of(item) for item in node.items]
        present = tuple(name for name in names if name is not None)
        return NameList(present, len(present) == len(names))
    return NO_NAMES
