"""Temporary files of atomic writes: created locked, removed when left stale.

A module is written to ``.NAME.<12 hex digits>.tmp`` in its target's folder
and renamed over the target. A process killed between the two (SIGKILL, a
power cut) leaves that file behind; the next write of the same target
removes it.

Only names of exactly that pattern for that target are candidates, and
only regular files among them (never a link, never a folder). A writer holds
an exclusive ``flock`` on its temporary file from creation until after the
rename, and the system drops the lock when the process dies however it
dies. So a candidate that can be locked belongs to no running writer and is
removed, while one still locked belongs to a concurrent writer and is left
alone. Without ``flock`` (Windows) removal is simply attempted: there, a
file that its writer still has open cannot be deleted.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: True where temporary files are locked while written (everywhere but Windows);
#: a writer then keeps its file open until it has been renamed.
LOCKS_TEMP_FILES = fcntl is not None

_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_PROBE_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)
_HEX_DIGITS = 12


def temp_name(target_name: str) -> str:
    """A fresh temporary file name for the target ``target_name``."""
    return f".{target_name}.{os.urandom(_HEX_DIGITS // 2).hex()}.tmp"


def is_temp_name(name: str, target_name: str) -> bool:
    """True when ``name`` is one of :func:`temp_name`'s names for ``target_name``."""
    return _pattern(target_name).match(name) is not None


def create_temp_file(directory: Path, target_name: str) -> tuple[int, str]:
    """Create and lock a new temporary file for ``target_name`` in ``directory``.

    Returns its descriptor (write-only, locked until closed) and its path.
    The file gets ``0o666`` less the umask, like any file the user creates.
    """
    for _ in range(100):
        path = os.path.join(directory, temp_name(target_name))
        try:
            fd = os.open(path, _CREATE_FLAGS, 0o666)
        except FileExistsError:
            continue
        _lock(fd, wait=True)
        if os.fstat(fd).st_nlink == 0:
            # A cleaner took it for stale in the instant between creation
            # and locking, and removed it: start again under a new name.
            os.close(fd)
            continue
        return fd, path
    raise FileExistsError(f"cannot create a temporary file in {directory}")


def remove_stale_temp_files(directory: Path, target_name: str) -> list[str]:
    """Remove the temporary files of ``target_name`` that no writer holds.

    Returns the names removed, in sorted order. Problems (an unreadable
    folder, a file that vanished meanwhile) are skipped silently: cleaning
    up is a courtesy and never makes a write fail.
    """
    pattern = _pattern(target_name)
    try:
        with os.scandir(directory) as entries:
            names = sorted(e.name for e in entries if pattern.match(e.name))
    except OSError:
        return []
    return [name for name in names if _remove_if_stale(Path(directory, name))]


def _remove_if_stale(path: Path) -> bool:
    if fcntl is None:  # pragma: no cover - Windows refuses to delete open files
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return False
            os.unlink(path)
        except OSError:
            return False
        return True
    try:
        fd = os.open(path, _PROBE_FLAGS)
    except OSError:  # gone already, a link (O_NOFOLLOW), not ours to read
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _lock(fd, wait=False):
            return False
        # The name must still be this file: never remove what replaced it.
        current = os.lstat(path)
        if (current.st_dev, current.st_ino) != (info.st_dev, info.st_ino):
            return False
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _lock(fd: int, *, wait: bool) -> bool:
    """Take the exclusive lock on ``fd``; False if it cannot be had.

    A file system without locks also answers False, so that a cleaner
    there never removes a file that a live writer may hold.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _pattern(target_name: str) -> re.Pattern[str]:
    hex_digits = f"[0-9a-f]{{{_HEX_DIGITS}}}"
    return re.compile(rf"\.{re.escape(target_name)}\.{hex_digits}\.tmp\Z")
