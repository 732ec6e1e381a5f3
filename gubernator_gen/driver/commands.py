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
    from gubernator_gen.compiler import CompileResult

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
        target = _target(spec, args.output, out_dir, stdout=stdout)
        conflict = None if target is None else _claim(target, spec, claimed)
        if conflict is not None:
            emit((conflict,))
            status, ok = Outcome.FAILED.value, False
        else:
            result = compiler.compile_path(spec, options)
            emit(result.diagnostics)
            if target is None and not stdout:
                # '.', '/' or '': a folder, never a spec (the front end said
                # so above); there is no file name to derive an output from.
                status, ok = "not generated", False
            else:
                status, ok = _deliver(result, target, check=check, force=args.force)
        failed = failed or not ok
        progress.step(
            str(spec), "<stdout>" if target is None else shown(target), status
        )
    progress.summary()
    return EXIT_FAILURE if failed else EXIT_OK


def _target(
    spec: Path, output: str | None, out_dir: Path | None, *, stdout: bool
) -> Path | None:
    """Where the module of ``spec`` goes; ``None`` for stdout or no file name."""
    if stdout:
        return None
    if output is not None:
        return Path(output)
    if out_dir is not None:
        return out_dir / f"{spec.stem}.py"
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
    result: CompileResult, target: Path | None, *, check: bool, force: bool
) -> tuple[str, bool]:
    """Print, write or check one compiled module; its progress status and success."""
    if result.source is None:
        return "not generated", False
    data = utf8(result.source.replace("\r\n", "\n"))
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
    options = compile_options(chosen, format_output=False)
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
    if front.spec is None:
        return EXIT_FAILURE
    data = utf8(diagrams.render_graph(front.spec, args.graph_format))
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
