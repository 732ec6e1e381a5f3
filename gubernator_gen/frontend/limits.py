"""The limits that keep hostile input from exhausting time, memory or the stack.

Each limit is far above anything a real spec needs and is checked while the
input streams in, before the cost it guards against is paid. Where a limit
is reported, the loading stops: the document is not used.

The limits are read from this module when they are checked (never copied
into another module), so a test can lower one with ``monkeypatch``.
"""

from __future__ import annotations

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes

#: Files larger than this are refused before parsing.
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Collections nested deeper than this are refused.
MAX_DEPTH = 64
#: Documents with more nodes (scalars, collections, aliases) are refused.
MAX_NODES = 250_000
#: Aliases may add at most this many nodes to the expanded document.
MAX_ALIAS_EXPANSION = 100_000
#: Aliases may add at most this many characters of scalars (keys and values)
#: to the expanded document: one long string aliased many times is small in
#: nodes but large in every later stage (and in the generated module).
MAX_ALIAS_CHARACTERS = 1_000_000
#: Integers with more digits than this are refused (Python's own limit is 4300).
MAX_INT_DIGITS = 4000
#: YAML reads a key written ``key: value`` (an implicit key) only up to this
#: many characters; PyYAML and libyaml enforce it. Not ours to change, but
#: named here so that messages can explain it.
MAX_IMPLICIT_KEY = 1024


class LimitExceeded(Exception):
    """A limit was exceeded; ``diagnostic`` says which, where. Loading stops."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def too_deep_message() -> str:
    """The message for nesting deeper than :data:`MAX_DEPTH`."""
    return f"lists and mappings are nested more than {MAX_DEPTH} levels deep, the limit"


class Budget:
    """What one document has spent so far of the node and alias limits."""

    def __init__(self) -> None:
        self.nodes = 0
        self.alias_nodes = 0
        self.alias_characters = 0

    def node(self, pos: SourcePos) -> None:
        """Count one node of the document as written (an alias counts one)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise LimitExceeded(
                error(
                    codes.TOO_MANY_NODES,
                    f"the spec has more than {MAX_NODES:,} YAML nodes, the limit",
                    pos,
                )
            )

    def depth(self, open_collections: int, pos: SourcePos) -> None:
        """Check that a collection opened inside ``open_collections`` others fits."""
        if open_collections >= MAX_DEPTH:
            raise LimitExceeded(error(codes.TOO_DEEP, too_deep_message(), pos))

    def alias(self, nodes: int, characters: int, pos: SourcePos) -> None:
        """Count an alias that expands to ``nodes`` nodes and ``characters``.

        The sizes are those of the anchored node once its own aliases are
        expanded, so nested aliases (the "billion laughs") are counted at
        their full, multiplied size.
        """
        self.alias_nodes += nodes
        self.alias_characters += characters
        if self.alias_nodes > MAX_ALIAS_EXPANSION:
            message = (
                f"aliases expand the spec by more than {MAX_ALIAS_EXPANSION:,} "
                "nodes, the limit"
            )
        elif self.alias_characters > MAX_ALIAS_CHARACTERS:
            message = (
                f"aliases expand the spec by more than {MAX_ALIAS_CHARACTERS:,} "
                "characters, the limit"
            )
        else:
            return
        raise LimitExceeded(error(codes.ALIAS_EXPANSION, message, pos))
