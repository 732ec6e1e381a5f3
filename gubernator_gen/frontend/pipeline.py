"""Front end: spec file or text → validated :class:`MachineSpec` or diagnostics.

Orchestrates ``load`` (YAML/JSON with positions, substitution), ``schema``
(JSON Schema checks), ``view`` (the one reading of the spec's keys),
``validate`` (semantic checks) and the model builder (``build``), the last
two on the same view. Every problem of a file is reported in one run, sorted by
position; the model is built only when there is no error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from gubernator_gen.diagnostics import Diagnostic, error, sort_key
from gubernator_gen.frontend import build, codes, load, schema, validate, view
from gubernator_gen.frontend.tree import MapNode
from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class FrontendResult:
    """The model (``None`` when any error was found) and every diagnostic."""

    spec: MachineSpec | None
    diagnostics: tuple[Diagnostic, ...]


def read_spec(
    path: Path,
    *,
    defines: Mapping[str, str],
    environ: Mapping[str, str],
) -> FrontendResult:
    """Read, substitute, parse, validate and model the spec at ``path``.

    Diagnostics name the file as ``str(path)``; the model's ``source_name``
    is ``path.name``. Unreadable files are diagnostics, never exceptions.
    """
    loaded = load.load_path(path, defines=defines, environ=environ)
    return _finish(loaded, PurePath(path))


def read_spec_text(
    text: str | bytes,
    *,
    path: str,
    defines: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> FrontendResult:
    """Like :func:`read_spec` for text already in memory; ``path`` names it."""
    loaded = load.load_text(
        text,
        path=path,
        defines={} if defines is None else defines,
        environ={} if environ is None else environ,
    )
    return _finish(loaded, PurePath(path))


def _finish(loaded: load.LoadResult, path: PurePath) -> FrontendResult:
    diagnostics = list(loaded.diagnostics)
    root = loaded.root
    if root is None or not isinstance(root, MapNode) or loaded.text is None:
        return FrontendResult(None, _sorted(diagnostics))
    checked = [*schema.check(root)]
    has_errors = any(d.is_error for d in (*diagnostics, *checked))
    spec_view = view.read(root)
    checked.extend(validate.check(spec_view, stem=path.stem, warnings=not has_errors))
    # Where loading put a stand-in value (an empty value for a failed
    # ${VAR}, a string for a bad tag), later complaints about that value
    # only repeat the loading error.
    diagnostics.extend(d for d in checked if d.pos.line not in loaded.suspect_lines)
    if any(d.is_error for d in diagnostics):
        return FrontendResult(None, _sorted(diagnostics))
    try:
        spec = build.build(
            spec_view, source_name=path.name, stem=path.stem, text=loaded.text
        )
    except (build.ModelError, TypeError, ValueError) as exc:
        diagnostics.append(
            error(
                codes.SCHEMA_OTHER,
                f"internal error: the checks accepted a spec that cannot be modelled "
                f"({exc}); please report this",
                root.pos,
            )
        )
        return FrontendResult(None, _sorted(diagnostics))
    return FrontendResult(spec, _sorted(diagnostics))


def _sorted(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=sort_key))
