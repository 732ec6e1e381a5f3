"""black in one fixed mode, whatever the user's own black configuration says.

``black.format_str`` reads no configuration files; the mode below is the only
input besides the source. The generator pins black's yearly major version
(``pyproject.toml``) because black changes its stable style only then, so the
same spec gives the same bytes for every black the generator accepts.
"""

from __future__ import annotations

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

#: black's mode for every generated module (line length 88, Python 3.10+).
MODE = Mode(
    target_versions={TargetVersion.PY310},
    line_length=88,
    string_normalization=True,
    is_pyi=False,
    magic_trailing_comma=True,
    preview=False,
)


class FormattingError(Exception):
    """black could not parse the generated source (a generator bug)."""


def format_source(source: str) -> str:
    """``source`` as black prints it in :data:`MODE`."""
    try:
        return black.format_str(source, mode=MODE)
    except InvalidInput as exc:
        raise FormattingError(str(exc)) from exc
