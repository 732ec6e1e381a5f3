"""Reading a spec's bytes and decoding them to text.

Only a regular file is opened, and no more than the size limit is read.
Text must be UTF-8 (a leading BOM is dropped); any other encoding, or
bytes that are not text, is a located diagnostic rather than mojibake.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from gubernator_gen.diagnostics import Diagnostic, SourcePos, error
from gubernator_gen.frontend import codes, limits
from gubernator_gen.frontend.positions import LineIndex

# What a file that is not a regular file is, for "cannot read the spec: ...".
_FILE_KINDS = (
    (stat.S_ISFIFO, "it is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "it is a character device, not a regular file"),
    (stat.S_ISBLK, "it is a block device, not a regular file"),
    (stat.S_ISSOCK, "it is a socket, not a regular file"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
# Opening without blocking matters only for a file that turned into a named
# pipe after it was checked; elsewhere these flags change nothing.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def start_of(path: str) -> SourcePos:
    """The first line and column of ``path``, where whole-file problems point."""
    return SourcePos(path, 1, 1)


def read_bytes(path: Path) -> bytes | str:
    """The file's first ``MAX_FILE_BYTES + 1`` bytes, or why it cannot be read.

    Only regular files are opened: opening a named pipe for reading waits
    for a writer (forever, for a spec), and opening a device can have
    effects of its own. A symbolic link loop, like any other failure of the
    file system, is a reason, not an exception.
    """
    try:
        problem = _not_regular(os.stat(path).st_mode)
        if problem is not None:
            return problem
        with open(os.open(path, _OPEN_FLAGS), "rb") as stream:
            problem = _not_regular(os.fstat(stream.fileno()).st_mode)
            if problem is not None:
                return problem  # replaced between the check and the opening
            return stream.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        return exc.strerror or exc.__class__.__name__


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode cannot be a spec, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return os.strerror(errno.EISDIR)
    for is_kind, problem in _FILE_KINDS:
        if is_kind(mode):
            return problem
    return "it is not a regular file"


def too_large(text: str | bytes, path: str) -> Diagnostic | None:
    """The diagnostic for text over the size limit, else ``None``."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size <= limits.MAX_FILE_BYTES:
        return None
    return error(
        codes.FILE_TOO_LARGE,
        f"the spec is larger than {limits.MAX_FILE_BYTES // (1024 * 1024)} MiB",
        start_of(path),
    )


def decode(text: str | bytes, path: str) -> str | Diagnostic:
    """UTF-8 text without a BOM, or the diagnostic saying why not."""
    if isinstance(text, str):
        text = text.removeprefix("\ufeff")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return error(
                codes.NOT_UTF8,
                "the text contains a lone surrogate, which is not valid UTF-8",
                LineIndex(text, path).at(exc.start),
            )
        return text
    for bom, encoding in _OTHER_BOMS.items():
        if text.startswith(bom):
            return error(
                codes.NOT_UTF8,
                f"the spec is {encoding} text; save it as UTF-8",
                start_of(path),
            )
    data = text.removeprefix(_UTF8_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        valid = data[: exc.start].decode("utf-8")
        byte = data[exc.start]
        return error(
            codes.NOT_UTF8,
            f"the spec is not valid UTF-8 (byte 0x{byte:02x}); save it as UTF-8",
            LineIndex(valid, path).at(len(valid)),
        )
