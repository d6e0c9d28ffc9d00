"""The files of a snapshot: copied with their SHA-256, flushed to disk, in a stable order.

Every file a snapshot holds is fsynced before the snapshot is renamed into place,
and its digest is taken from the very bytes that were copied, so the manifest
vouches for what is on disk, not for what the source held a moment later.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from flask import Flask

if TYPE_CHECKING:
    from gemba.photos.store import PhotoStore

CHUNK = 1024 * 1024


def photo_dir(app: Flask) -> Path:
    """The photo store's folder: GEMBA_PHOTO_DIR, relative to the instance folder."""
    return Path(app.instance_path, app.config.get("GEMBA_PHOTO_DIR") or "photos")


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries, so a rename or a new file in it survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_file(source: Path, target: Path) -> str:
    """Copy one file, fsync it, and return the SHA-256 of what was copied."""
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    shutil.copymode(source, target)
    return digest.hexdigest()


def photo_files(root: Path) -> Iterator[Path]:
    """Stored photos, in a stable order; hidden files (a store's temp files) are skipped."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath, name)


def copy_photos(store: PhotoStore, target: Path) -> dict[str, str]:
    """Copy every stored photo into target/ab/cd/<key> (the local store's layout, whichever
    store they come from); {relative path: SHA-256 of the bytes written}."""
    files = {}
    target.mkdir(exist_ok=True)
    for item in store.objects():
        relative = Path(item.key[:2], item.key[2:4], item.key)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        try:
            with store.open(item.key) as source:
                files[relative.as_posix()] = write_stream(source, target / relative)
        except KeyError:
            continue  # deleted while we copied: the database snapshot no longer needs it
    return files


def write_stream(source: BinaryIO, target: Path) -> str:
    """Write a stream to a new file (owner-only, like the store's), fsync it, return its
    SHA-256."""
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as dst:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()


def key_paths(copied: dict[str, str]) -> dict[str, str]:
    """{key: relative path} of copied store files (the store names a file by its key)."""
    return {Path(name).name: name for name in copied if not Path(name).name.startswith(".")}


def missing_photos(keys: list[str], copied: dict[str, str]) -> set[str]:
    """The keys the database refers to that the copy does not hold."""
    return set(keys) - set(key_paths(copied))
