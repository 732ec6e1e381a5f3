"""The commands: ``generate``, ``check``, ``validate``, ``graph`` and ``schema``.

Each handler takes the parsed command line and returns the exit status.
Problems with a spec or an output are located diagnostics on stderr;
what the command cannot run with at all is a
:class:`~gubernator_gen.driver.args.UsageError`. The pipeline, black,
Jinja2 and jsonschema are imported when a command needs them, so
``--help`` and usage errors stay quick.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error, has_errors
from gubernator_gen.driver import codes, sql_command
from gubernator_gen.driver.args import UsageError
from gubernator_gen.driver.report import (
    EXIT_FAILURE,
    EXIT_OK,
    QUIET,
    VERBOSE,
    Progress,
    count_phrase,
    emit,
    file_report,
    json_report,
    utf8,
    write_stdout,
)
from gubernator_gen.driver.settings import (
    compile_options,
    pick_machine,
    place,
    same_place,
    settings,
    shown,
)
from gubernator_gen.driver.write import (
    Outcome,
    check_module,
    write_if_changed,
    write_module,
)

if TYPE_CHECKING:
    from gubernator_gen.compiler import CompileResult, GeneratedModule

#: A command: the parsed command line in, the exit status out.
Handler = Callable[[argparse.Namespace], int]


def generate(args: argparse.Namespace) -> int:
    """``generate``: write (or print, or ``--check``) the module of each spec."""
    if args.check and args.stdout:
        raise UsageError("--check and --stdout cannot be used together")
    return _generate(args, check=args.check)


def check(args: argparse.Namespace) -> int:
    """``check``: ``generate --check``."""
    return _generate(args, check=True)


def _generate(args: argparse.Namespace, *, check: bool) -> int:
    chosen = settings(args)
    stdout: bool = getattr(args, "stdout", False)
    if args.output is not None and len(chosen.specs) > 1:
        raise UsageError(
            f"-o/--output takes a single spec, but {len(chosen.specs)} were given; "
            "use --out-dir DIR"
        )
    out_dir = Path(args.out_dir) if args.out_dir is not None else chosen.out_dir
    from gubernator_gen import compiler  # lazily: black, jinja2

    options = compile_options(chosen, format_output=chosen.format)
    progress = Progress(chosen.verbosity, len(chosen.specs))
    claimed: dict[Path, str] = {}
    failed = False
    for spec in chosen.specs:
        result = compiler.compile_path(spec, options)
        if args.output is not None and len(result.modules) > 1:
            names = ", ".join(m.stem or "" for m in result.modules)
            raise UsageError(
                f"-o/--output names one module, but {spec} holds "
                f"{len(result.modules)} machines ({names}); use --out-dir DIR, or "
                "leave both out to write them beside the spec"
            )
        emit(result.diagnostics)
        if not result.modules:
            target = _target(spec, None, args.output, out_dir, stdout=stdout)
            failed = True
            progress.step(str(spec), _shown_target(target), "not generated")
            continue
        for number, module in enumerate(result.modules):
            target = _target(spec, module.stem, args.output, out_dir, stdout=stdout)
            status, ok = _write_one(
                result,
                module,
                target,
                claimed,
                stdout=stdout,
                check=check,
                force=args.force,
            )
            failed = failed or not ok
            progress.step(str(spec), _shown_target(target), status, same=number > 0)
    progress.summary()
    return EXIT_FAILURE if failed else EXIT_OK


def _write_one(
    result: CompileResult,
    module: GeneratedModule,
    target: Path | None,
    claimed: dict[Path, str],
    *,
    stdout: bool,
    check: bool,
    force: bool,
) -> tuple[str, bool]:
    """Claim, then print, write or check one module; its status and success."""
    if target is None and not stdout:
        # '.', '/' or '': a folder, never a spec (the front end said so);
        # there is no file name to derive an output from.
        return "not generated", False
    conflict = None if target is None else _claim(target, result.spec_path, claimed)
    if conflict is not None:
        emit((conflict,))
        return Outcome.FAILED.value, False
    return _deliver(result, module, target, check=check, force=force)


def _shown_target(target: Path | None) -> str:
    return "<stdout>" if target is None else shown(target)


def _target(
    spec: Path,
    stem: str | None,
    output: str | None,
    out_dir: Path | None,
    *,
    stdout: bool,
) -> Path | None:
    """Where a module of ``spec`` goes; ``None`` for stdout or no file name.

    ``stem`` names the module of a machine of a ``machines:`` file; the
    module of a one-machine file is named after the spec.
    """
    if stdout:
        return None
    if output is not None:
        return Path(output)
    name = f"{stem}.py" if stem is not None else f"{spec.stem}.py"
    if out_dir is not None:
        return out_dir / name
    if stem is not None:
        return spec.parent / name
    if spec.name:
        return spec.with_suffix(".py")
    return None


def _claim(target: Path, spec: Path, claimed: dict[Path, str]) -> Diagnostic | None:
    """Reserve ``target`` for ``spec``; a diagnostic if it is taken or is the spec."""
    key = place(target)
    pos = SourcePos(str(spec), 1, 1)
    if key == place(spec):
        message = f"the output {shown(target)} would overwrite the spec itself"
        return error(codes.OUTPUT_CONFLICT, message, pos)
    owner = claimed.get(key)
    if owner is not None:
        message = (
            f"{shown(target)} is already the output of {owner}; "
            "give the specs different names or outputs"
        )
        return error(codes.OUTPUT_CONFLICT, message, pos)
    claimed[key] = str(spec)
    return None


def _deliver(
    result: CompileResult,
    module: GeneratedModule,
    target: Path | None,
    *,
    check: bool,
    force: bool,
) -> tuple[str, bool]:
    """Print, write or check one compiled module; its progress status and success."""
    data = utf8(module.source.replace("\r\n", "\n"))
    if target is None:
        write_stdout(data)
        return "printed", True
    display = shown(target)
    if check:
        output = check_module(
            target,
            data,
            display=display,
            spec_display=str(result.spec_path),
            force=force,
        )
        if output.diff:
            write_stdout(utf8(output.diff))
    else:
        output = write_module(target, data, display=display, force=force)
    emit(output.diagnostics)
    if check and output.outcome is Outcome.UNCHANGED:
        return "up to date", True
    return output.outcome.value, output.outcome.ok


def validate(args: argparse.Namespace) -> int:
    """``validate``: every check ``generate`` runs, reported as text or JSON."""
    chosen = settings(args)
    from gubernator_gen import compiler  # lazily: black, jinja2

    # The whole pipeline but black: naming collisions are found too, so a
    # spec that validates is one that generates.
    options = compile_options(chosen, format_output=False, checking=True)
    as_json = args.report_format == "json"
    progress = Progress(QUIET if as_json else chosen.verbosity, len(chosen.specs))
    reports: list[dict[str, object]] = []
    failed = False
    for spec in chosen.specs:
        diagnostics = compiler.compile_path(spec, options).diagnostics
        spec_failed = has_errors(diagnostics, strict=chosen.strict)
        failed = failed or spec_failed
        reports.append(file_report(str(spec), diagnostics, failed=spec_failed))
        if not as_json:
            emit(diagnostics)
        errors = sum(1 for d in diagnostics if d.is_error)
        phrase = count_phrase(errors, len(diagnostics) - errors, spec_failed)
        progress.step(str(spec), "", phrase, "failed" if spec_failed else "ok")
    if as_json:
        document = json_report(reports, strict=chosen.strict)
        write_stdout(utf8(json.dumps(document, indent=2, ensure_ascii=False) + "\n"))
    progress.summary()
    return EXIT_FAILURE if failed else EXIT_OK


def graph(args: argparse.Namespace) -> int:
    """``graph``: the state diagram of one spec, on stdout or in a file."""
    chosen = settings(args)
    if len(chosen.specs) != 1:
        raise UsageError(
            f"graph draws one spec, but the configuration lists {len(chosen.specs)}; "
            "name the SPEC"
        )
    spec_path = chosen.specs[0]
    from gubernator_gen import frontend  # lazily: yaml, jsonschema
    from gubernator_gen.driver import graph as diagrams

    front = frontend.read_spec(spec_path, defines=chosen.defines, environ=os.environ)
    emit(front.diagnostics)
    if not front.specs:
        return EXIT_FAILURE
    machine = pick_machine(front.specs, getattr(args, "machine", None), spec_path)
    data = utf8(diagrams.render_graph(machine, args.graph_format))
    if args.output is None or args.output == "-":
        write_stdout(data)
        return EXIT_OK
    target = Path(args.output)
    display = shown(target)
    if same_place(target, spec_path):
        message = f"refusing to write the graph over its own spec {display}"
        emit((error(codes.OUTPUT_CONFLICT, message, SourcePos(display, 1, 1)),))
        return EXIT_FAILURE
    try:
        outcome = write_if_changed(target, data)
    except OSError as exc:
        message = f"cannot write {display}: {exc.strerror or exc}"
        emit((error(codes.OUTPUT_OS_ERROR, message, SourcePos(display, 1, 1)),))
        return EXIT_FAILURE
    if chosen.verbosity >= VERBOSE:
        print(f"{spec_path} -> {display}: {outcome.value}", file=sys.stderr)
    return EXIT_OK


def schema(args: argparse.Namespace) -> int:
    """``schema``: print the JSON Schema of the spec language."""
    from gubernator_gen.frontend import schema as spec_schema  # lazily: jsonschema

    text = spec_schema.schema_json()
    if not text.endswith("\n"):
        text += "\n"
    write_stdout(utf8(text))
    return EXIT_OK


#: The handler of each command, by name.
HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        "generate": generate,
        "check": check,
        "validate": validate,
        "graph": graph,
        "sql": sql_command.sql,
        "schema": schema,
    }
)
