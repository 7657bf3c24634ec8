"""Reading project files within bounds: only regular files, never more than a limit (and
one byte), never through a link that leaves the project's directory, and never blocking
on a FIFO or a device.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from guanxi.errors import GuanxiError

MAX_FILE_BYTES = 1024 * 1024


class FileRefused(GuanxiError):
    """A file `read_bounded` will not read: `kind` is a YamlProblem kind."""

    code = "file_refused"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


def read_bounded(path: Path | str, limit: int = MAX_FILE_BYTES,
                 root: Path | str | None = None) -> bytes:
    """The bytes of the regular file at `path`, refused (FileRefused) when it is anything
    else, holds more than `limit` bytes, or is reached through a link that leaves the
    directory `root`. Opening never blocks (a FIFO without a writer is refused, not
    waited on) and no more than `limit` + 1 bytes are read, whatever `stat` said."""
    if root is not None:
        real, base = os.path.realpath(path), os.path.realpath(root)
        if os.path.commonpath([real, base]) != base:
            raise FileRefused("outside", f"the file leads to {real}, outside the project "
                              f"directory {base}; copy the file into the project instead")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) |
                     getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise FileRefused("unreadable",
                          f"the file cannot be read: {error.strerror or error}") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(status.st_mode)),
                        "not a file")
            raise FileRefused("not_regular", f"the file is {kind}, not a regular file")
        size = status.st_size
        data = b""
        if size <= limit:
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if size > limit or len(data) > limit:
        raise FileRefused("too_big", f"the file is {max(size, len(data))} bytes, more than "
                          f"the {limit // 1024} KiB allowed; split it into several files")
    return data
