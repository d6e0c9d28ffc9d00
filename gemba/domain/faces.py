"""Faces found and made unrecoverable before a photo is stored.

Workers on a factory floor did not choose to be photographed, so every face in
a photo is blurred before any pixel reaches a store (docs/architecture.md,
"Privacy of the people in the photos"). The detector only proposes: the
observer's own boxes are blurred the same way, and the union of both is what
`process_photo` applies. Detection is MediaPipe's BlazeFace, whose models ship
inside the wheel (no download, no network); docs/faces.md has the comparison
with OpenCV's cascades and the figures behind the settings below.

Pure Python on Pillow, with NumPy and MediaPipe imported on the first photo
only: no Flask, no database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageFilter

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DETECTOR", "Box", "blur_boxes", "detect_faces", "warm_up"]

DETECTOR = "mediapipe-blazeface (full range + short range on tiles)"

# Recall over precision: a false box blurs a patch of machine, a missed one
# publishes a face. The cut-off is the lowest that stayed free of false boxes on
# the scenes of benchmarks/face_detectors.py.
MIN_CONFIDENCE = 0.5
# Boxes overlapping more than this (intersection over union) are one face.
SAME_FACE_IOU = 0.3
# Mosaic cells across a box's longer side: few enough that no feature survives.
MOSAIC_CELLS = 8

_lock = threading.Lock()
_models: dict[str, Any] = {}


@dataclass(frozen=True)
class Box:
    """A region to blur, as fractions (0..1) of the upright picture: left, top, width, height."""

    x: float
    y: float
    w: float
    h: float
    source: str = "detector"

    def to_json(self) -> dict[str, float | str]:
        """The box as stored with the photo: four decimals place it within 0.5 px of 2048."""
        return {
            "x": round(self.x, 4),
            "y": round(self.y, 4),
            "w": round(self.w, 4),
            "h": round(self.h, 4),
            "source": self.source,
        }

    def clipped(self) -> Box:
        """The part of the box inside the picture (width or height 0 when it lies outside)."""
        left, top = min(max(self.x, 0.0), 1.0), min(max(self.y, 0.0), 1.0)
        right = min(max(self.x + self.w, 0.0), 1.0)
        bottom = min(max(self.y + self.h, 0.0), 1.0)
        return Box(left, top, right - left, bottom - top, self.source)


def warm_up() -> None:
    """Load MediaPipe and both models now, so the first photo does not pay ~1 s for them."""
    _load()


def detect_faces(picture: Image.Image) -> list[Box]:
    """Boxes around the faces of an upright RGB picture, as the detector proposes them."""
    import numpy as np

    pixels = np.asarray(picture if picture.mode == "RGB" else picture.convert("RGB"))
    width, height = picture.size
    models = _load()
    found: list[tuple[float, Box]] = []
    with _lock:  # a MediaPipe graph is not safe to run from two threads at once
        found += _run(models["full"], pixels, (0, 0, width, height), picture.size)
        for tile in _tiles(picture.size):
            found += _run(models["short"], pixels, tile, picture.size)
    return _merge(found)


def blur_boxes(picture: Image.Image, boxes: Iterable[Box], *, pad: float = 0.25) -> Image.Image:
    """Pixelate, then Gaussian-blur, each padded box, in place; pixels outside stay as they were.

    Averaging a cell to one colour throws its detail away for good, which no
    deblurring brings back; the Gaussian blur then hides the cells' edges so
    the result reads as "blurred" rather than as a mosaic to squint at.
    """
    for box in boxes:
        region = _pixel_region(box, picture.size, pad)
        if region is None:
            continue
        patch = picture.crop(region)
        cell = max(patch.size) / MOSAIC_CELLS
        cells = (max(1, round(patch.width / cell)), max(1, round(patch.height / cell)))
        mosaic = patch.resize(cells, Image.Resampling.BOX).resize(
            patch.size, Image.Resampling.NEAREST
        )
        picture.paste(mosaic.filter(ImageFilter.GaussianBlur(cell / 2)), region[:2])
    return picture


def _pixel_region(box: Box, size: tuple[int, int], pad: float) -> tuple[int, int, int, int] | None:
    """The padded box in whole pixels, clipped to the picture; None when nothing is left."""
    width, height = size
    padded = Box(
        box.x - box.w * pad, box.y - box.h * pad, box.w * (1 + 2 * pad), box.h * (1 + 2 * pad)
    ).clipped()
    # Outward rounding: a face cut by a rounded-in edge would keep a strip of itself.
    left, top = int(padded.x * width), int(padded.y * height)
    right = min(width, -int(-(padded.x + padded.w) * width // 1))
    bottom = min(height, -int(-(padded.y + padded.h) * height // 1))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def _tiles(size: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """Overlapping tiles (2 × 2, each 60% of a side) where small faces are big enough to find."""
    width, height = size
    tile_w, tile_h = round(width * 0.6), round(height * 0.6)
    return [
        (left, top, left + tile_w, top + tile_h)
        for top in (0, height - tile_h)
        for left in (0, width - tile_w)
    ]


def _run(
    model: Any, pixels: np.ndarray, tile: tuple[int, int, int, int], size: tuple[int, int]
) -> list[tuple[float, Box]]:
    """One detector on one tile of the picture; boxes as fractions of the whole picture."""
    import numpy as np

    left, top, right, bottom = tile
    crop = np.ascontiguousarray(pixels[top:bottom, left:right])
    result = model.process(crop)
    found = []
    for detection in result.detections or ():
        rel = detection.location_data.relative_bounding_box
        box = Box(
            (left + rel.xmin * (right - left)) / size[0],
            (top + rel.ymin * (bottom - top)) / size[1],
            rel.width * (right - left) / size[0],
            rel.height * (bottom - top) / size[1],
        ).clipped()
        if box.w > 0 and box.h > 0:
            found.append((detection.score[0], box))
    return found


def _merge(found: Sequence[tuple[float, Box]]) -> list[Box]:
    """One box per face: where boxes overlap, the most confident one stands for the rest."""
    kept: list[Box] = []
    for _, box in sorted(found, key=lambda item: -item[0]):
        if all(_iou(box, other) <= SAME_FACE_IOU for other in kept):
            kept.append(box)
    return kept


def _iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    across = max(0.0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    down = max(0.0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    both = across * down
    return both / (a.w * a.h + b.w * b.h - both) if both else 0.0


def _load() -> dict[str, Any]:
    """Import MediaPipe and build both detectors, once per process."""
    with _lock:
        if not _models:
            # MediaPipe's C++ side logs every graph it starts; keep its warnings
            # out of the server's log unless the operator asked for them.
            os.environ.setdefault("GLOG_minloglevel", "2")
            from mediapipe.python.solutions import face_detection

            _models["full"] = face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=MIN_CONFIDENCE
            )
            _models["short"] = face_detection.FaceDetection(
                model_selection=0, min_detection_confidence=MIN_CONFIDENCE
            )
    return _models
