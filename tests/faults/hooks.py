"""A photo store that stops in the middle of writing a file, for the kill tests.

Installed only through the app config the tests give a server they start:
GEMBA_PHOTO_STORE = "tests.faults.hooks:pausing_store", which the app calls with itself
to make its store. Without that setting nothing here is ever imported by the app.

On its Nth put (GEMBA_FAULT_PAUSE_AT_PUT, default 2: the thumbnail, after the display
copy is stored), the store writes half the bytes to a temporary file the way
LocalPhotoStore does, flushes them to disk, touches GEMBA_FAULT_PAUSE_FILE so the test
knows, and sleeps until the test kills the process.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from flask import Flask

from gemba.photos.store import LocalPhotoStore


class PausingStore(LocalPhotoStore):
    """LocalPhotoStore that freezes halfway through one put."""

    def __init__(self, root: Path, marker: Path, pause_at: int) -> None:
        super().__init__(root)
        self.marker = marker
        self.pause_at = pause_at
        self.puts = 0

    def put(self, data: bytes) -> str:
        """Store the bytes, except on the chosen put: half a temporary file, then wait."""
        self.puts += 1
        if self.puts != self.pause_at:
            return super().put(data)
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, _ = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as temp:
            temp.write(data[: len(data) // 2])
            temp.flush()
            os.fsync(temp.fileno())
        self.marker.write_text(key)
        time.sleep(600)  # the test kills the server long before this returns
        raise AssertionError("the server should have been killed")


def pausing_store(app: Flask) -> PausingStore:
    """The GEMBA_PHOTO_STORE factory: the app's photo folder, paused at one put."""
    root = Path(app.config["GEMBA_PHOTO_DIR"])
    if not root.is_absolute():
        root = Path(app.instance_path, root)
    return PausingStore(
        root,
        Path(app.config["GEMBA_FAULT_PAUSE_FILE"]),
        int(app.config.get("GEMBA_FAULT_PAUSE_AT_PUT", 2)),
    )
