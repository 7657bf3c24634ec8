"""Where attachment bytes are kept. `Storage` is the small interface every backend
implements (`put`, `get`, `delete`, by an opaque key); `LocalStorage` keeps each file
under a directory on the local disk. Another backend (S3-compatible object storage …)
implements the same three methods and is returned by `storage_for`.

Keys are made by the engine (`new_key`: random hex), never from a user's file name, so
a name cannot reach outside the directory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Protocol

from guanxi.spec import AttachmentsSpec

ENV_DIRECTORY = "GUANXI_ATTACHMENTS_DIR"


class Storage(Protocol):
    """Bytes by key."""

    def put(self, key: str, content: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...


def new_key() -> str:
    """A fresh key: 32 random hex digits."""
    return secrets.token_hex(16)


class LocalStorage:
    """Files in `directory`, two levels of sub-directories by the key's first digits."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        if not key.isascii() or not key.isalnum():
            raise ValueError(f"not a storage key: {key!r}")
        return self.directory / key[:2] / key

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with open(partial, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def storage_for(root: str, spec: AttachmentsSpec) -> Storage:
    """The storage of a project at `root`: the directory named by GUANXI_ATTACHMENTS_DIR,
    else `attachments: directory:` (relative to the project)."""
    directory = os.environ.get(ENV_DIRECTORY) or spec.directory
    path = Path(directory)
    if not path.is_absolute():
        path = Path(root or ".") / path
    return LocalStorage(path)
