"""Where the loading steps put what they find wrong.

Besides the diagnostics, loading remembers *suspect lines*: lines where it
reported an error and put a stand-in value in the tree (an empty value for
a failed substitution, a string for a bad tag, ...). Later checks drop
their own diagnostics on those lines, so one mistake is reported once.
"""

from __future__ import annotations

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error


class Problems:
    """The diagnostics and suspect lines of one loading."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.suspect_lines: set[int] = set()

    def error(
        self, code: str, message: str, pos: SourcePos, *, suspect: bool = False
    ) -> None:
        """Report an error at ``pos``; ``suspect`` if a stand-in value is there."""
        self.diagnostics.append(error(code, message, pos))
        if suspect:
            self.suspect_lines.add(pos.line)

    def add(self, diagnostic: Diagnostic) -> None:
        """Report a diagnostic made elsewhere (a limit, say)."""
        self.diagnostics.append(diagnostic)
