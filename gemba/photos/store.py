"""Where photo bytes live: a content-addressed store, on local disk for now.

Keys are the SHA-256 of the bytes, so the same photo sent twice (a phone
retrying over a bad network) is stored once, and a key can never point at
different bytes. `PhotoStore` is the small interface the app codes against,
so an S3-compatible store can replace `LocalPhotoStore` without touching it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = ["LocalPhotoStore", "PhotoStore"]

_KEY = re.compile(r"[0-9a-f]{64}")


@runtime_checkable
class PhotoStore(Protocol):
    """Content-addressed blob storage for photo renditions."""

    def put(self, data: bytes) -> str:
        """Store bytes and return their key (SHA-256 hex); storing them again is a no-op."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open stored bytes for reading; KeyError if there are none under the key."""
        ...

    def exists(self, key: str) -> bool:
        """Tell whether bytes are stored under the key."""
        ...

    def delete(self, key: str) -> None:
        """Forget the bytes under the key; deleting what is missing is fine."""
        ...

    def size(self, key: str) -> int:
        """Number of bytes stored under the key; KeyError if there are none."""
        ...


class LocalPhotoStore:
    """Files under `root`, at root/ab/cd/abcd…, written so no half file is ever visible.

    Files are created readable by the app's own user only (mode 0600), since
    photos are served through the app's access checks and never directly.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        """Use `root` as the store's directory; it is created on the first put."""
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalPhotoStore({str(self.root)!r})"

    def put(self, data: bytes) -> str:
        """Write atomically (temp file, fsync, rename) so a crash never leaves a torn photo."""
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size == len(data):
                return key  # already stored; the name is the content's hash
        new_dirs = [d for d in (self.root, path.parent.parent, path.parent) if not d.is_dir()]
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        # The rename is only durable once the directory entry is on disk, and
        # so are the entries of directories this put created.
        for directory in {path.parent, *(d.parent for d in new_dirs)}:
            _fsync_dir(directory)
        return key

    def open(self, key: str) -> BinaryIO:
        """Open the stored bytes for reading; the caller closes the file."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        """Tell whether bytes are stored under the key."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the bytes under the key, if any."""
        self._path(key).unlink(missing_ok=True)

    def size(self, key: str) -> int:
        """Number of bytes stored under the key."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise KeyError(key) from None

    def _path(self, key: str) -> Path:
        """Map a key to its file, refusing anything but 64 lowercase hex digits (no traversal)."""
        if not isinstance(key, str) or _KEY.fullmatch(key) is None:
            raise ValueError(f"not a photo key: {key!r}")
        return self.root / key[:2] / key[2:4] / key


def _fsync_dir(directory: Path) -> None:
    """Flush a directory's entries to disk; only POSIX can open a directory for that."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
