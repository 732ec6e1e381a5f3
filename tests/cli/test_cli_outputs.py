"""Hostile output paths: pipes, devices, sockets, folders, links; stale temp files.

Only a regular file (or a link to one inside its project) is ever read or
replaced; everything else is refused with a located ``GG5xx`` error, never
a hang, a traceback or a write somewhere else. A write also removes the
temporary files that killed writers of the same target left behind, and
only those.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from cli_support import VALID_SPEC, write_text

from gubernator_gen.driver import codes as cli_codes
from gubernator_gen.driver.target import UnsafeOutputError, project_root
from gubernator_gen.driver.tempfiles import (
    create_temp_file,
    is_temp_name,
    remove_stale_temp_files,
    temp_name,
)
from gubernator_gen.driver.write import (
    Outcome,
    OutputResult,
    check_module,
    generated_header,
    read_if_exists,
    write_if_changed,
    write_module,
)

POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX file types")
MODULE = f"{generated_header('door.yaml')}\nX = 1\n".encode()
OLD_MODULE = f"{generated_header('door.yaml')}\nX = 0\n".encode()

R = TypeVar("R")


def _within(seconds: float, work: Callable[[], R]) -> R:
    """``work()``, failing the test (instead of hanging it) after ``seconds``."""
    box: list[R] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            box.append(work())
        except BaseException as exc:  # handed to the test thread
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"still blocked after {seconds} s")
    if failure:
        raise failure[0]
    return box[0]


def _write(target: Path, *, force: bool = False) -> OutputResult:
    return _within(
        10, lambda: write_module(target, MODULE, display="o.py", force=force)
    )


def _check(target: Path) -> OutputResult:
    return _within(
        10,
        lambda: check_module(
            target, MODULE, display="o.py", spec_display="d.yaml", force=False
        ),
    )


def _only_error(result: OutputResult, code: str) -> str:
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == code
    assert diagnostic.pos.line == 1 and diagnostic.pos.column == 1
    return diagnostic.format()


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gubernator_gen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


# --------------------------------------------------------------------------
# Things that are not regular files


@POSIX_ONLY
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "o.py"
    os.mkfifo(fifo)
    for result in (_write(fifo), _write(fifo, force=True), _check(fifo)):
        assert result.outcome is Outcome.REFUSED
        shown = _only_error(result, cli_codes.NOT_REGULAR_OUTPUT)
        assert "it is a named pipe (FIFO), not a regular file [GG506]" in shown
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["o.py"]


@POSIX_ONLY
def test_a_character_device_is_neither_replaced_nor_read(tmp_path: Path) -> None:
    device = tmp_path / "o.py"
    try:
        # The null device's numbers; only the file type matters here.
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("creating device nodes needs privileges")
    before = device.lstat()
    for result in (_write(device, force=True), _check(device)):
        assert result.outcome is Outcome.REFUSED
        assert "it is a character device" in _only_error(
            result, cli_codes.NOT_REGULAR_OUTPUT
        )
    after = device.lstat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_check_never_reads_the_null_device() -> None:
    # Read-only on purpose: a test must never risk replacing the real node.
    result = _check(Path("/dev/null"))
    assert result.outcome is Outcome.REFUSED
    assert result.diff == ""
    _only_error(result, cli_codes.NOT_REGULAR_OUTPUT)


@POSIX_ONLY
def test_a_socket_and_a_folder_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.py"
    folder.mkdir()
    sock_path = tmp_path / "s.py"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        for target, kind in ((folder, "a folder"), (sock_path, "a socket")):
            result = _write(target, force=True)
            assert result.outcome is Outcome.REFUSED
            assert f"it is {kind}, not a regular file" in _only_error(
                result, cli_codes.NOT_REGULAR_OUTPUT
            )
        assert stat.S_ISSOCK(sock_path.lstat().st_mode)
    assert folder.is_dir() and not any(folder.iterdir())


@POSIX_ONLY
def test_graph_output_refuses_a_fifo_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(UnsafeOutputError) as caught:
        fifo = tmp_path / "g.mmd"
        os.mkfifo(fifo)
        _within(10, lambda: write_if_changed(fifo, b"graph\n"))
    assert caught.value.strerror == "it is a named pipe (FIFO), not a regular file"
    with pytest.raises(UnsafeOutputError):
        _within(10, lambda: read_if_exists(fifo))


# --------------------------------------------------------------------------
# Symbolic links


@POSIX_ONLY
def test_a_dangling_link_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    link = tmp_path / "o.py"
    link.symlink_to(tmp_path / "elsewhere" / "deep" / "o.py")
    for result in (_write(link, force=True), _check(link)):
        assert result.outcome is Outcome.REFUSED
        shown = _only_error(result, cli_codes.UNSAFE_OUTPUT_LINK)
        assert "which does not exist [GG507]" in shown
    assert not (tmp_path / "elsewhere").exists()
    assert link.is_symlink()


@POSIX_ONLY
def test_a_link_out_of_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_text(project / "pyproject.toml", "")
    outside = tmp_path / "outside" / "o.py"
    outside.parent.mkdir()
    outside.write_bytes(OLD_MODULE)
    link = project / "src" / "o.py"
    link.parent.mkdir()
    link.symlink_to(outside)
    result = _write(link)
    assert result.outcome is Outcome.REFUSED
    assert "outside its project" in _only_error(result, cli_codes.UNSAFE_OUTPUT_LINK)
    assert outside.read_bytes() == OLD_MODULE
    assert project_root(link.parent) == project.resolve()


@POSIX_ONLY
def test_a_link_inside_the_project_is_followed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    real = project / "generated" / "o.py"
    real.parent.mkdir()
    real.write_bytes(OLD_MODULE)
    link = project / "src" / "o.py"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "generated" / "o.py")
    assert _write(link).outcome is Outcome.UPDATED
    assert link.is_symlink() and real.read_bytes() == MODULE
    # The temporary file went beside the real file, and is gone.
    assert sorted(p.name for p in real.parent.iterdir()) == ["o.py"]


@POSIX_ONLY
def test_a_link_to_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "o.py"
    link.symlink_to(fifo)
    result = _write(link)
    shown = _only_error(result, cli_codes.NOT_REGULAR_OUTPUT)
    assert "symbolic link to" in shown and "a named pipe (FIFO)" in shown


@POSIX_ONLY
def test_a_link_loop_is_a_located_os_error(tmp_path: Path) -> None:
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    result = _write(tmp_path / "a.py")
    assert result.outcome is Outcome.FAILED
    assert "cannot write o.py" in _only_error(result, cli_codes.OUTPUT_OS_ERROR)


# --------------------------------------------------------------------------
# The command line, end to end


@POSIX_ONLY
@pytest.mark.parametrize("command", [["generate"], ["generate", "--check"], ["check"]])
def test_cli_refuses_a_fifo_output(tmp_path: Path, command: list[str]) -> None:
    write_text(tmp_path / "door.yaml", VALID_SPEC)
    os.mkfifo(tmp_path / "out.py")
    run = _run_cli(*command, "door.yaml", "-o", "out.py", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith("out.py:1:1: error: refusing to ")
    assert "named pipe (FIFO), not a regular file [GG506]" in run.stderr
    assert "internal error" not in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


@POSIX_ONLY
def test_cli_refuses_a_dangling_link_and_a_graph_fifo(tmp_path: Path) -> None:
    write_text(tmp_path / "door.yaml", VALID_SPEC)
    (tmp_path / "out.py").symlink_to(tmp_path / "made" / "up" / "out.py")
    run = _run_cli("generate", "door.yaml", "-o", "out.py", cwd=tmp_path)
    assert run.returncode == 1
    assert "which does not exist [GG507]" in run.stderr
    assert not (tmp_path / "made").exists()
    os.mkfifo(tmp_path / "g.mmd")
    run = _run_cli("graph", "door.yaml", "-o", "g.mmd", cwd=tmp_path)
    assert run.returncode == 1
    assert (
        "g.mmd:1:1: error: cannot write g.mmd: it is a named pipe (FIFO), "
        "not a regular file [GG503]"
    ) in run.stderr
    assert "Traceback" not in run.stderr


# --------------------------------------------------------------------------
# Temporary files left by killed writers


def test_temp_names_match_exactly_their_own_pattern() -> None:
    name = temp_name("door.py")
    assert is_temp_name(name, "door.py")
    assert not is_temp_name(name, "door.p")
    for other in (
        ".door.py.0123456789ab.tmp.bak",
        ".door.py.0123456789AB.tmp",
        ".door.py.0123456789a.tmp",
        "door.py.0123456789ab.tmp",
        ".doorXpy.0123456789ab.tmp",
        ".door.py.0123456789ab.tmp\n",
    ):
        assert not is_temp_name(other, "door.py"), other


def test_a_write_removes_stale_temp_files_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "door.py"
    target.write_bytes(MODULE)
    stale = [tmp_path / ".door.py.0123456789ab.tmp", tmp_path / temp_name("door.py")]
    for path in stale:
        path.write_bytes(b"half a mod")
    kept = {
        ".door.py.0123456789ab.tmp.bak": b"x",  # not the pattern
        ".other.py.0123456789ab.tmp": b"x",  # another target's
        ".door.py.abc.tmp": b"x",  # wrong length
        "door.py.bak": b"x",
    }
    for name, content in kept.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / ".door.py.aaaaaaaaaaaa.tmp").mkdir()  # a folder of that name
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    if os.name == "posix":
        (tmp_path / ".door.py.bbbbbbbbbbbb.tmp").symlink_to(victim)
    # The module is unchanged, so nothing is written, but the clean-up runs.
    assert _write(target).outcome is Outcome.UNCHANGED
    for path in stale:
        assert not path.exists()
    for name, content in kept.items():
        assert (tmp_path / name).read_bytes() == content
    assert (tmp_path / ".door.py.aaaaaaaaaaaa.tmp").is_dir()
    assert victim.read_bytes() == b"precious"
    if os.name == "posix":
        assert (tmp_path / ".door.py.bbbbbbbbbbbb.tmp").is_symlink()


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_temp_file_that_a_live_writer_holds_is_kept(tmp_path: Path) -> None:
    fd, path = create_temp_file(tmp_path, "door.py")
    try:
        assert remove_stale_temp_files(tmp_path, "door.py") == []
        assert os.path.exists(path)
    finally:
        os.close(fd)
    assert remove_stale_temp_files(tmp_path, "door.py") == [os.path.basename(path)]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL")
def test_the_temp_file_of_a_killed_writer_is_removed_next_time(tmp_path: Path) -> None:
    target = tmp_path / "door.py"
    target.write_bytes(OLD_MODULE)
    # A writer that dies by SIGKILL between writing its temporary file and
    # renaming it, the way a killed `generate` does.
    killed = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from gubernator_gen.driver.tempfiles import create_temp_file\n"
        "fd, path = create_temp_file(Path(sys.argv[1]), 'door.py')\n"
        "os.write(fd, b'half of a module')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", killed, str(tmp_path)], check=False, timeout=60
    )
    assert done.returncode == -signal.SIGKILL
    (left,) = [p for p in tmp_path.iterdir() if p.name != "door.py"]
    assert is_temp_name(left.name, "door.py")
    assert target.read_bytes() == OLD_MODULE  # the old module is intact
    assert _write(target).outcome is Outcome.UPDATED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["door.py"]


def test_concurrent_writers_never_break_each_other(tmp_path: Path) -> None:
    target = tmp_path / "door.py"
    modules = [f"{generated_header('d.yaml')}\nN = {n}\n".encode() for n in range(8)]
    results: list[OutputResult] = []
    lock = threading.Lock()

    def writer(data: bytes) -> None:
        for _ in range(25):
            result = write_module(target, data, display="door.py", force=False)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=writer, args=(m,)) for m in modules]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 200
    assert all(r.outcome.ok for r in results), [
        d.format() for r in results for d in r.diagnostics
    ]
    assert target.read_bytes() in modules
    assert sorted(p.name for p in tmp_path.iterdir()) == ["door.py"]


@POSIX_ONLY
@pytest.mark.parametrize(
    "command",
    [["generate"], ["check"], ["graph"], ["sql"], ["sql", "--check"]],
)
def test_every_command_reports_an_output_link_loop(
    tmp_path: Path, command: list[str]
) -> None:
    write_text(tmp_path / "door.yaml", VALID_SPEC)
    (tmp_path / "a.out").symlink_to(tmp_path / "b.out")
    (tmp_path / "b.out").symlink_to(tmp_path / "a.out")
    run = _run_cli(*command, "door.yaml", "-o", "a.out", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "a.out:1:1: error: cannot " in run.stderr
    assert "Too many levels of symbolic links" in run.stderr
    assert run.stderr.rstrip().endswith("[GG503]")
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
