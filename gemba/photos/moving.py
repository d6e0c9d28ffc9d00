"""Moving the photos from one store to the other (`flask photos migrate --to s3|local`).

Resumable: a photo the target already holds at the right length is not sent again, so a
run cut short is simply run again. Verified: the bytes read from the source must hash to
their key, and what the target then returns must hash to it too; a copy that does not is
removed from the target and reported. The source is left as it was: switch
GEMBA_PHOTO_STORE once the run reports nothing missing or failed, and run it once more
afterwards to take the photos uploaded in between.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gemba.photos.store import PhotoStore


@dataclass
class Moved:
    """What a run did, key by key."""

    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # named by a row, not in the source
    failed: list[str] = field(default_factory=list)  # bytes that did not match their key

    @property
    def complete(self) -> bool:
        return not self.missing and not self.failed


def move_photos(
    source: PhotoStore,
    target: PhotoStore,
    keys: Iterable[str],
    progress: Callable[[str, str], None] = lambda key, outcome: None,
) -> Moved:
    """Copy each key from `source` to `target`, checked on both sides by its SHA-256."""
    moved = Moved()
    for key in sorted(set(keys)):
        outcome = _move_one(source, target, key)
        getattr(moved, outcome).append(key)
        progress(key, outcome)
    return moved


def _move_one(source: PhotoStore, target: PhotoStore, key: str) -> str:
    try:
        size = source.size(key)
    except KeyError:
        return "missing"
    try:
        if target.size(key) == size:
            return "present"
    except KeyError:
        pass
    with source.open(key) as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != key:
        return "failed"  # the source's own copy is damaged: never spread it
    target.put(data)
    with target.open(key) as handle:
        if hashlib.sha256(handle.read()).hexdigest() != key:
            target.delete(key)
            return "failed"
    return "copied"
