"""Which output paths may be written, and which file the bytes really go to.

An output is written by renaming a new file over its path, and read first
to compare. Both are only safe on a regular file:

* a named pipe (FIFO) blocks the read forever; a character device such as
  ``/dev/zero`` never ends; a folder, socket or device node would be
  replaced by a plain file (as root, ``-o /dev/null`` would replace the real
  ``/dev/null``);
* a symbolic link is followed so that the link stays a link, but only to a
  regular file inside the link's project: a dangling link would make us
  create folders and a file wherever it points, and a link out of the
  project would write into somebody else's tree.

The project of a link is the nearest folder at or above it that holds a
``pyproject.toml`` or a ``.git``; without one it is the link's own folder.

Refusals are :class:`UnsafeOutputError`, an ``OSError`` whose ``strerror``
says why in a phrase that follows the output's name; :attr:`code` is the
``GG5xx`` code to report. The existing file is opened without following a
link and without blocking, and checked again on the open descriptor, so a
path swapped for a pipe between the check and the read is refused rather
than hanging.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gubernator_gen.driver import codes

#: Files whose folder is the root of a project (for links out of it).
PROJECT_MARKERS = ("pyproject.toml", ".git")

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting
    | getattr(os, "O_NOFOLLOW", 0)  # the path was resolved: a link now is a swap
    | getattr(os, "O_BINARY", 0)
)


class UnsafeOutputError(OSError):
    """An existing output path that must not be read or replaced.

    ``strerror`` is the reason, phrased to follow the output's name
    ("it is a named pipe (FIFO), not a regular file"); ``code`` is the
    diagnostic code: ``NOT_REGULAR_OUTPUT`` or ``UNSAFE_OUTPUT_LINK``.
    """

    def __init__(self, code: str, reason: str, filename: str) -> None:
        super().__init__(None, reason, filename)
        self.code = code


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, as a noun phrase ("a folder", "a socket")."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def resolve_output(path: Path) -> Path:
    """The file to read and replace for the output ``path``.

    ``path`` itself when it does not exist or is a regular file; the file a
    symbolic link leads to when that is a regular file inside the link's
    project. Raises :class:`UnsafeOutputError` for anything else, and
    ``OSError`` when the path cannot be examined (a link loop, say).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    if stat.S_ISREG(info.st_mode):
        return path
    if not stat.S_ISLNK(info.st_mode):
        raise _not_regular(path, info.st_mode)
    return _follow_link(path)


def read_existing(path: Path) -> bytes | None:
    """The bytes of the regular file ``path``, or ``None`` when it does not exist.

    Anything but a regular file is an :class:`UnsafeOutputError`, found on
    the open descriptor before a single byte is read. A symbolic link at
    ``path`` is an ``OSError``: call :func:`resolve_output` first.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        return stream.read()


def project_root(folder: Path) -> Path:
    """The real path of the project holding ``folder`` (see the module docs)."""
    real = Path(os.path.realpath(folder))
    for candidate in (real, *real.parents):
        for marker in PROJECT_MARKERS:
            try:
                if os.path.lexists(candidate / marker):
                    return candidate
            except OSError:  # a folder we may not look into
                continue
    return real


def _follow_link(link: Path) -> Path:
    try:
        real = Path(os.path.realpath(link, strict=True))
    except FileNotFoundError:
        destination = os.readlink(link)
        raise UnsafeOutputError(
            codes.UNSAFE_OUTPUT_LINK,
            f"it is a symbolic link to {destination}, which does not exist",
            str(link),
        ) from None
    mode = os.stat(real).st_mode
    if not stat.S_ISREG(mode):
        raise UnsafeOutputError(
            codes.NOT_REGULAR_OUTPUT,
            f"it is a symbolic link to {real}, which is {kind_of(mode)}, "
            "not a regular file",
            str(link),
        )
    root = project_root(link.parent)
    if not _inside(real, root):
        raise UnsafeOutputError(
            codes.UNSAFE_OUTPUT_LINK,
            f"it is a symbolic link to {real}, outside its project {root} "
            "(name that file itself as the output to write it)",
            str(link),
        )
    return real


def _inside(path: Path, root: Path) -> bool:
    try:
        return os.path.commonpath([path, root]) == str(root)
    except ValueError:  # different drives on Windows
        return False


def _not_regular(path: Path, mode: int) -> UnsafeOutputError:
    return UnsafeOutputError(
        codes.NOT_REGULAR_OUTPUT,
        f"it is {kind_of(mode)}, not a regular file",
        str(path),
    )
