"""Running the photo pipeline inside the app: its limits, its decode slots, the blur.

A decode is the costly part of an upload (a 12-megapixel HEIC needs about 90 MB), so a
process runs only a few at once; the settings come from the app's config, and what is
blurred and kept from the record's site (`blurring`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import current_app

from gemba.domain.blur_requests import BlurRequest
from gemba.domain.faces import Box
from gemba.domain.photos import PhotoRejected, ProcessedPhoto, find_faces, process_photo
from gemba.models import Site

__all__ = ["BUSY", "PhotoRefused", "blurring", "process", "propose_boxes", "slot"]

# A 12-megapixel HEIC needs about 90 MB while it decodes (docs/photos.md), so a
# process decodes only a few at once; the others wait their turn for a while.
DEFAULT_DECODES = 2
DEFAULT_DECODE_WAIT = 30.0
BUSY = "The server is busy with other photos. Please send this one again in a moment."

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


class PhotoRefused(PhotoRejected):
    """A photo the app will not attach: `field` names the part of the request at fault."""

    def __init__(self, status: int, message: str, field: str = "file") -> None:
        super().__init__(status, message)
        self.field = field


def blurring(site: Site, blur: BlurRequest) -> dict[str, Any]:
    """The pipeline's blur and original settings for an upload to a record of `site`.

    Faces are always looked for, unless the observer reviewed the proposals on the phone
    (then their list is final); a works-council site looks anyway, so no face goes
    unblurred because a box was taken off, and never keeps the unblurred upload.
    """
    return {
        "detect_faces": site.works_council or not blur.reviewed,
        "boxes": blur.boxes,
        "keep_original": site.keep_originals and not site.works_council,
    }


def process(
    data: bytes,
    *,
    detect_faces: bool = True,
    boxes: Sequence[Box] = (),
    keep_original: bool = False,
) -> ProcessedPhoto:
    """Run the pipeline with a decode slot held, under the app's size limits."""
    config = current_app.config
    with slot():
        return process_photo(
            data,
            max_bytes=int(
                config.get("GEMBA_PHOTO_MAX_BYTES") or config.get("MAX_CONTENT_LENGTH") or 25 << 20
            ),
            max_pixels=int(config.get("GEMBA_PHOTO_MAX_PIXELS") or 50_000_000),
            keep_original=keep_original,
            detect_faces=detect_faces,
            boxes=boxes,
        )


def propose_boxes(data: bytes) -> list[Box]:
    """The detector's boxes for a picture the phone sent for review, with a decode slot
    held like any upload (the phone sends a small copy, so this is quick)."""
    config = current_app.config
    with slot():
        return find_faces(
            data,
            max_bytes=int(config.get("GEMBA_FACES_MAX_BYTES") or 8 << 20),
            max_pixels=int(config.get("GEMBA_PHOTO_MAX_PIXELS") or 50_000_000),
        )


@contextmanager
def slot() -> Iterator[None]:
    """Hold one of the process's decode slots, or refuse with 503 after the wait."""
    config = current_app.config
    slot = decode_slot(int(config.get("GEMBA_PHOTO_DECODES") or DEFAULT_DECODES))
    if not slot.acquire(timeout=float(config.get("GEMBA_PHOTO_DECODE_WAIT", DEFAULT_DECODE_WAIT))):
        raise PhotoRefused(503, BUSY)
    try:
        yield
    finally:
        slot.release()


def decode_slot(count: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore that allows `count` decodes at once."""
    with _slots_lock:
        slot = _slots.get(count)
        if slot is None:
            slot = _slots[count] = threading.BoundedSemaphore(max(1, count))
        return slot
