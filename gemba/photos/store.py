"""Where photo bytes live: a content-addressed store, on local disk or in an object store.

Keys are the SHA-256 of the bytes, so the same photo sent twice (a phone
retrying over a bad network) is stored once, and a key can never point at
different bytes. `PhotoStore` is the small interface the app codes against;
`LocalPhotoStore` (here) and `S3PhotoStore` (s3_store.py) implement it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol, runtime_checkable

__all__ = ["KEY_PATTERN", "LocalPhotoStore", "PhotoStore", "StoredObject"]

KEY_PATTERN = re.compile(r"[0-9a-f]{64}")
_KEY = KEY_PATTERN


class StoredObject(NamedTuple):
    """One stored photo file: its key, length, last change (Unix time) and where it is
    (a path under the folder, or the object's name in the bucket), for the sweep's list."""

    key: str
    size: int
    modified: float
    name: str


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

    def objects(self) -> Iterator[StoredObject]:
        """Every stored photo, in key order: what backups copy and the sweep weighs."""
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

    def objects(self) -> Iterator[StoredObject]:
        """Every stored file named by a key, in key order (temporary files are not photos)."""
        for path in self._files():
            if _KEY.fullmatch(path.name) is None:
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # removed meanwhile
            shown = path.relative_to(self.root).as_posix()
            yield StoredObject(path.name, stat.st_size, stat.st_mtime, shown)

    def leftovers(self) -> Iterator[Path]:
        """Temporary files a crash left behind mid-put (no row can name them)."""
        return (path for path in self._files() if path.name.endswith(".tmp"))

    def _files(self) -> Iterator[Path]:
        """Every file two levels down (root/ab/cd/…), sorted."""
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if second.is_dir():
                    yield from sorted(p for p in second.iterdir() if p.is_file())

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
