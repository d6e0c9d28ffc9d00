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

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageFilter

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DETECTOR", "PASSES", "Box", "Pass", "blur_boxes", "detect_faces", "warm_up"]

DETECTOR = "mediapipe-blazeface-short-range (whole picture + 3x2 tiles)"

# Recall over precision: a false box blurs a patch of machine, a missed one
# publishes a face. At 0.6 the tiles missed 5 more faces of 50 (of 60 to 100 px);
# 0.5 put 13 false boxes on 20 pictures without people (coins, galaxies, a cat; none
# on the plant backgrounds) against 2 (benchmarks/face_detectors.py, docs/faces.md).
MIN_CONFIDENCE = 0.5
# The detectors keep everything above this, so settings below it can be measured.
FLOOR_CONFIDENCE = 0.2
# Boxes overlapping more than this (intersection over union) are one face.
SAME_FACE_IOU = 0.3
# One pass runs one model ("short" or "full" range) on a grid of columns × rows tiles.
Pass = tuple[str, int, int]
# Chosen by benchmarks/face_detectors.py (docs/faces.md): the whole picture finds the
# faces over ~250 px, 3 × 2 tiles (2 × 3 upright) those down to ~100 px, in 7 calls of
# about 2 ms: 1.24 × the pipeline's time without faces, within its 1.30 budget. 4 × 3
# tiles reach ~70 px, but their 13 calls made it about 1.45 ×.
PASSES: tuple[Pass, ...] = (("short", 1, 1), ("short", 3, 2))
TILE_OVERLAP = 0.2
# The square each model resizes its input to (letterboxed).
INPUT_EDGE = {"short": 128, "full": 192}
MODEL_SELECTION = {"short": 0, "full": 1}
# Mosaic cells across a box's longer side: few enough that no feature survives.
MOSAIC_CELLS = 8
# Pixels per mosaic cell where the Gaussian blur is applied, before enlarging.
BLUR_SCALE = 8

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
    """Load MediaPipe and the models now, so the first photo does not pay ~1 s for them."""
    for name in {model for model, _, _ in PASSES}:
        _model(name)


def detect_faces(
    picture: Image.Image,
    *,
    passes: Sequence[Pass] = PASSES,
    min_confidence: float = MIN_CONFIDENCE,
) -> list[Box]:
    """Boxes around the faces of an upright RGB picture, as the detector proposes them.

    `passes` and `min_confidence` are for benchmarks/face_detectors.py, which
    compares settings; the defaults are the chosen ones.
    """
    import numpy as np

    picture = picture if picture.mode == "RGB" else picture.convert("RGB")
    runs = _plan(picture.size, passes)
    # The models see 128 px (192 for full range) whatever they are given, so the
    # picture is shrunk once, by box averaging, as far as the finest pass allows:
    # less to copy into MediaPipe, and averaged pixels make better small faces than
    # its own resizing (3 × 3 tiles found 19 faces of 26 instead of 16).
    factor = min(_reduction(picture.size, *run[1:], INPUT_EDGE[run[0]]) for run in runs)
    small = picture.reduce(factor) if factor > 1 else picture
    pixels = np.asarray(small)
    found: list[tuple[float, Box]] = []
    for model, columns, rows in runs:
        detector = _model(model)
        with _lock:  # a MediaPipe graph is not safe to run from two threads at once
            for tile in _tiles(small.size, columns, rows):
                found += _run(detector, pixels, tile, small.size)
    return _merge([(score, box) for score, box in found if score >= min_confidence])


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
        mosaic = patch.resize(cells, Image.Resampling.BOX)  # the step nothing undoes
        # The Gaussian of half a cell, applied at 8 px a cell and enlarged smoothly:
        # the same look as blurring the full-size mosaic at a tenth of the cost for a
        # 400 px face (15 ms there).
        fine = (cells[0] * BLUR_SCALE, cells[1] * BLUR_SCALE)
        soft = mosaic.resize(fine, Image.Resampling.NEAREST).filter(
            ImageFilter.GaussianBlur(BLUR_SCALE / 2)
        )
        picture.paste(soft.resize(patch.size, Image.Resampling.BILINEAR), region[:2])
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


def _plan(size: tuple[int, int], passes: Sequence[Pass]) -> list[Pass]:
    """The passes to run on a picture of this size: grids turned to keep tiles near square
    in a portrait picture, and dropped where a tile would be smaller than the model's input
    (enlarging adds nothing); a whole-picture pass always runs."""
    portrait = size[1] > size[0]
    turned = [
        (model, rows, columns) if portrait else (model, columns, rows)
        for model, columns, rows in passes
    ]
    return [
        (model, columns, rows)
        for model, columns, rows in turned
        if columns * rows == 1 or max(_tile_size(size, columns, rows)) >= INPUT_EDGE[model]
    ] or [("short", 1, 1)]


def _reduction(size: tuple[int, int], columns: int, rows: int, edge: int) -> int:
    """The largest whole shrink that leaves a tile at least the model's input edge."""
    return max(1, int(max(_tile_size(size, columns, rows)) // edge))


def _tiles(size: tuple[int, int], columns: int, rows: int) -> list[tuple[int, int, int, int]]:
    """A grid of tiles overlapping by a fifth, so a face cut by one edge is whole in the next."""
    width, height = size
    tile_w, tile_h = _tile_size(size, columns, rows)
    lefts = [round(i * (width - tile_w) / max(columns - 1, 1)) for i in range(columns)]
    tops = [round(j * (height - tile_h) / max(rows - 1, 1)) for j in range(rows)]
    return [(left, top, left + tile_w, top + tile_h) for top in tops for left in lefts]


def _tile_size(size: tuple[int, int], columns: int, rows: int) -> tuple[int, int]:
    """Width and height of one tile of the grid."""
    return (
        round(size[0] / (columns - (columns - 1) * TILE_OVERLAP)),
        round(size[1] / (rows - (rows - 1) * TILE_OVERLAP)),
    )


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
    """One box per face: the most confident box of a face stands for every box that
    overlaps it, lies mostly inside it or holds it mostly inside (a tile cut through a
    face, or the whole picture's loose box around a face a tile found precisely).
    """
    kept: list[Box] = []
    for _, box in sorted(found, key=lambda item: -item[0]):
        if not any(_same_face(box, other) for other in kept):
            kept.append(box)
    return kept


def _same_face(a: Box, b: Box) -> bool:
    """Overlapping enough, or one mostly inside the other."""
    return _iou(a, b) > SAME_FACE_IOU or max(_inside(a, b), _inside(b, a)) > 0.5


def _intersection(a: Box, b: Box) -> float:
    """Area two boxes share."""
    across = max(0.0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    down = max(0.0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    return across * down


def _iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    both = _intersection(a, b)
    return both / (a.w * a.h + b.w * b.h - both) if both else 0.0


def _inside(a: Box, b: Box) -> float:
    """The share of box a that lies inside box b."""
    return _intersection(a, b) / (a.w * a.h)


def _model(name: str) -> Any:
    """The MediaPipe detector for "short" or "full" range, built on first use in the process."""
    with _lock:
        if name not in _models:
            # MediaPipe's C++ side writes three lines to stderr here, once per model
            # and process, before its logging is set up (no GLOG_* or TF_* variable
            # silences them); only redirecting the process's stderr would, which
            # could swallow another thread's log, so they stay.
            from mediapipe.python.solutions import face_detection

            _models[name] = face_detection.FaceDetection(
                model_selection=MODEL_SELECTION[name], min_detection_confidence=FLOOR_CONFIDENCE
            )
        return _models[name]
