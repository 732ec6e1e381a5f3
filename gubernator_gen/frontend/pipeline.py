"""Front end: spec file or text → validated :class:`MachineSpec` models or diagnostics.

Orchestrates ``load`` (YAML/JSON with positions, substitution), ``schema``
(JSON Schema checks), ``view`` (the one reading of the spec's keys),
``validate`` (semantic checks), ``declarative`` (guard items and
``assign``, with their expressions), ``guidance`` (constructs of other
libraries) and the model builder (``build``), the last four on the same
view. A file holds one machine, or several under ``machines:``; each
machine document is checked and modelled on its own, and the file as a
whole (machine names are unique in it). Every problem of a file is reported
in one run, sorted by position; the models are built only when there is no
error in the whole file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from gubernator_gen import collector
from gubernator_gen.diagnostics import Diagnostic, error, sort_key
from gubernator_gen.frontend import (
    build,
    codes,
    declarative,
    guard_warnings,
    guidance,
    load,
    reachability,
    schema,
    validate,
    view,
)
from gubernator_gen.frontend.scalar_texts import ScalarTexts
from gubernator_gen.frontend.tree import MapNode, Node, quoted
from gubernator_gen.model import MachineSpec


@dataclass(frozen=True, slots=True)
class FrontendResult:
    """The models (none when any error was found) and every diagnostic.

    ``specs`` are the file's machines in file order; ``several`` is true for
    a ``machines:`` file (whose modules are named after the machines).
    """

    specs: tuple[MachineSpec, ...]
    diagnostics: tuple[Diagnostic, ...]
    several: bool = False

    @property
    def spec(self) -> MachineSpec | None:
        """The model when the file has exactly one machine without errors."""
        return self.specs[0] if len(self.specs) == 1 else None


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
    # The tree is a temporary of the call: it is freed before the collector
    # resumes, which then has only the result to examine.
    with collector.paused():
        return _finish(
            load.load_path(path, defines=defines, environ=environ), PurePath(path)
        )


def read_spec_text(
    text: str | bytes,
    *,
    path: str,
    defines: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> FrontendResult:
    """Like :func:`read_spec` for text already in memory; ``path`` names it."""
    with collector.paused():
        return _finish(
            load.load_text(
                text,
                path=path,
                defines={} if defines is None else defines,
                environ={} if environ is None else environ,
            ),
            PurePath(path),
        )


def _finish(loaded: load.LoadResult, path: PurePath) -> FrontendResult:
    diagnostics = list(loaded.diagnostics)
    root = loaded.root
    if root is None or not isinstance(root, MapNode) or loaded.text is None:
        return FrontendResult((), _sorted(diagnostics))
    documents = view.machine_documents(root)
    several = documents is not None
    views = [view.read(document) for document in documents or ()]
    if documents is None:
        views = [view.read(root)]
    stem = None if several else path.stem
    guides = [*guidance.check_file(root)]
    for machine in views:
        guides.extend(guidance.check(machine))
    replaced = guidance.replaced_positions(guides)
    checked = [d for d in schema.check(root) if d.pos not in replaced]
    checked.extend(guides)
    texts = None if loaded.locator is None else ScalarTexts(loaded.text, loaded.locator)
    declarations = []
    for machine in views:
        checked.extend(validate.errors(machine, stem=stem))
        declared = declarative.check(machine, texts)
        checked.extend(declared.diagnostics)
        declarations.append(declared)
    if several:
        checked.extend(_duplicate_machines(views))
    if not any(d.is_error for d in (*diagnostics, *checked)):
        for machine, declared in zip(views, declarations, strict=True):
            checked.extend(reachability.warnings(machine))
            checked.extend(guard_warnings.warnings(machine, declared))
    # Where loading put a stand-in value (an empty value for a failed
    # ${VAR}, a string for a bad tag), later complaints about that value
    # only repeat the loading error.
    diagnostics.extend(d for d in checked if d.pos.line not in loaded.suspect_lines)
    if any(d.is_error for d in diagnostics):
        return FrontendResult((), _sorted(diagnostics), several)
    try:
        specs = tuple(
            build.build(
                machine,
                source_name=path.name,
                stem=stem,
                text=loaded.text,
                declared=declared,
            )
            for machine, declared in zip(views, declarations, strict=True)
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
        return FrontendResult((), _sorted(diagnostics), several)
    return FrontendResult(specs, _sorted(diagnostics), several)


def _duplicate_machines(views: Iterable[view.SpecView]) -> Iterator[Diagnostic]:
    first: dict[str, Node] = {}
    for machine in views:
        node = machine.meta.machine_name
        name = view.name_of(node)
        if name is None:
            continue
        earlier = first.setdefault(name.text, name.node)
        if earlier is not name.node:
            yield error(
                codes.DUPLICATE_MACHINE,
                f"machine_name {quoted(name.text)} is already the name of the "
                f"machine at line {earlier.pos.line}; each machine of a file "
                "needs its own (it names the module)",
                name.node.pos,
            )


def _sorted(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=sort_key))
