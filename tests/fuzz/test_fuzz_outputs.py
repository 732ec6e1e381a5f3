"""Fuzzing the command line's output paths.

Each example builds a small tree in a fresh temporary folder: a project
(with its ``pyproject.toml`` and a valid spec) and an ``outside`` folder
beside it. The ``-o`` target is one of many kinds of path (missing, regular,
hand-written, a folder, a FIFO, a socket, links of every sort); the command
is ``generate``, ``generate --check``, ``check``, ``graph`` or ``sql``
(with or without ``--check``), with or without ``--force``. The program
runs in-process and must finish with exit status 0, 1 or 2, without a
traceback or an "internal error", and change
nothing but the file it was asked to write (or, for a link inside the
project, the file the link leads to). Kinds that must be refused are
refused with a located error.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gubernator_gen.driver.cli import main
from gubernator_gen.driver.write import generated_header

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets, links")

SPEC = """\
states:
  - name: CLOSED
    type: initial
  - name: OPEN
transitions:
  - trigger: open
    source: CLOSED
    dest: OPEN
  - trigger: close
    source: OPEN
    dest: CLOSED
"""
OLD_MODULE = f"{generated_header('door.yaml')}\nOLD = 1\n".encode()
HAND_WRITTEN = b"print('my own code')\n"
LOCATED_ERROR = re.compile(r"^.+:\d+:\d+: error: .+ \[GG5\d\d\]$", re.MULTILINE)

#: Kinds of ``-o`` target that every command must refuse.
REFUSED = {
    "folder",
    "fifo",
    "socket",
    "link_out_of_project",
    "link_dangling_inside",
    "link_dangling_outside",
    "link_to_folder",
    "link_to_fifo",
    "spec_itself",
    "link_to_spec",
    "link_loop",
}
#: Kinds that ``generate`` writes (``handwritten`` ones only with --force).
WRITABLE = {
    "missing",
    "missing_in_new_folder",
    "generated",
    "empty",
    "link_inside",
    "link_chain_inside",
}
HANDWRITTEN = {"handwritten", "link_to_handwritten_inside"}
KINDS = sorted(REFUSED | WRITABLE | HANDWRITTEN)
COMMANDS = {
    "generate": ["generate", "--no-format"],
    "generate --check": ["generate", "--check", "--no-format"],
    "check": ["check", "--no-format"],
    "graph": ["graph"],
    "sql": ["sql", "--dialect", "sqlite"],
    "sql --check": ["sql", "--dialect", "sqlite", "--check"],
}

EXAMPLES = int(os.environ.get("GUBERNATOR_FUZZ_EXAMPLES", "100"))


def _make_target(kind: str, project: Path, outside: Path) -> Path:
    """Create the ``-o`` target of ``kind`` inside ``project``; return its path."""
    target = project / "out.py"
    real = project / "generated" / "out.py"
    if kind == "missing":
        pass
    elif kind == "missing_in_new_folder":
        target = project / "new" / "deeper" / "out.py"
    elif kind == "generated":
        target.write_bytes(OLD_MODULE)
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind in ("handwritten", "link_to_handwritten_inside"):
        (real if kind != "handwritten" else target).parent.mkdir(exist_ok=True)
        (real if kind != "handwritten" else target).write_bytes(HAND_WRITTEN)
        if kind != "handwritten":
            target.symlink_to(real)
    elif kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(target))
    elif kind in ("link_inside", "link_chain_inside"):
        real.parent.mkdir()
        real.write_bytes(OLD_MODULE)
        if kind == "link_inside":
            target.symlink_to(Path("generated") / "out.py")
        else:
            (project / "hop.py").symlink_to(real)
            target.symlink_to(project / "hop.py")
    elif kind == "link_out_of_project":
        target.symlink_to(outside / "victim.py")
    elif kind == "link_dangling_inside":
        target.symlink_to(project / "nowhere" / "out.py")
    elif kind == "link_dangling_outside":
        target.symlink_to(outside / "nowhere" / "out.py")
    elif kind == "link_to_folder":
        target.symlink_to(outside)
    elif kind == "link_to_fifo":
        os.mkfifo(project / "pipe")
        target.symlink_to(project / "pipe")
    elif kind == "link_loop":
        (project / "other.py").symlink_to(target)
        target.symlink_to(project / "other.py")
    elif kind == "spec_itself":
        target = project / "door.yaml"
    elif kind == "link_to_spec":
        target.symlink_to(project / "door.yaml")
    else:  # pragma: no cover - a kind without a recipe is a test bug
        raise AssertionError(kind)
    return target


def _snapshot(base: Path) -> dict[str, tuple[object, ...]]:
    """Every path under ``base``: its type and identity, and a file's bytes."""
    entries: dict[str, tuple[object, ...]] = {}
    for folder, folders, files in os.walk(base):
        for name in [*folders, *files]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode):
                entries[path] = ("file", info.st_ino, Path(path).read_bytes())
            elif stat.S_ISLNK(info.st_mode):
                entries[path] = ("link", os.readlink(path))
            else:
                entries[path] = (stat.S_IFMT(info.st_mode), info.st_ino)
    return entries


def _may_change(target: Path, project: Path) -> set[str]:
    """The paths the command may create or change when asked to write ``target``."""
    allowed = {str(target)}
    if target.is_symlink():
        real = Path(os.path.realpath(target))
        if real.is_relative_to(project.resolve()):
            allowed.add(str(real))
    for parent in target.parents:  # folders that writing it may create
        if parent == project:
            break
        allowed.add(str(parent))
    return allowed


def _run(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with its output captured, failing instead of hanging."""
    out, err = io.StringIO(), io.StringIO()
    status: list[int] = []

    def work() -> None:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status.append(main(argv))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), f"{argv} hung"
    return status[0], out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize="GUBERNATOR_FUZZ_EXAMPLES" not in os.environ,
)
@given(
    kind=st.sampled_from(KINDS),
    command=st.sampled_from(sorted(COMMANDS)),
    force=st.booleans(),
    relative=st.booleans(),
)
def test_output_paths(kind: str, command: str, force: bool, relative: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch).resolve()
        project, outside = base / "project", base / "outside"
        project.mkdir()
        outside.mkdir()
        (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
        (project / "door.yaml").write_text(SPEC)
        (outside / "victim.py").write_bytes(OLD_MODULE)
        target = _make_target(kind, project, outside)
        before = _snapshot(base)
        shown = str(target.relative_to(project)) if relative else str(target)
        argv = [*COMMANDS[command], "door.yaml", "-o", shown]
        if force and command != "graph":
            argv.append("--force")
        with _inside(project):
            status, _, err = _run(argv)
        after = _snapshot(base)

        assert status in (0, 1, 2), err
        assert "Traceback" not in err and "internal error" not in err, err
        changed = {
            p for p in before.keys() | after.keys() if before.get(p) != after.get(p)
        }
        assert changed <= _may_change(target, project), (argv, sorted(changed))
        if status == 1:
            assert LOCATED_ERROR.search(err), err
        if kind in REFUSED:
            assert status == 1 and not changed, (argv, err)
        writes = command in ("generate", "graph", "sql")
        if writes and (kind in WRITABLE or (kind in HANDWRITTEN and force)):
            assert status == 0, (argv, err)
            written = Path(os.path.realpath(target)).read_bytes()
            if command == "generate":
                assert written.startswith(generated_header("door.yaml").encode())
        if command == "generate" and kind in HANDWRITTEN and not force:
            assert status == 1 and "[GG501]" in err and not changed, err
