"""Face detectors compared: MediaPipe BlazeFace settings against OpenCV's Haar cascades.

    .venv/bin/python benchmarks/face_detectors.py [--quick] [--no-haar]

Every picture is built here from scikit-image's bundled sample photographs
(tests/faces_pictures.py), so the run needs no network and gives the same
figures every time:

- sizes: 2016×1512 plant scenes with 4 people whose faces are 40 to 250 px
  wide (2 scenes per size), and 1 person at 400 and 700 px;
- tilted: heads turned by ±15° and by 90° (150 and 200 px faces);
- EXIF: the same 4-face scene stored as a JPEG with orientation 1, 3, 6 and 8,
  detected on the upright picture as the pipeline does (and, to show why it
  turns first, on the stored pixels);
- portraits: the astronaut and the cameraman (a three-quarter profile, grey);
- LFW: scikit-image's lfw_subset, 100 faces and 100 non-faces of 25×25 grey
  pixels, each enlarged ×4 and centred on a 200×200 grey canvas;
- empty: 5 plant backgrounds and 15 sample photographs without people
  (coffee, a cat, a rocket, coins, ...), fitted into 2016×1512.

A face counts as found when a detector box, padded as `blur_boxes` pads it
(25% a side), covers at least 80% of the true face box and is at most 6 times
its area: what matters is whether the blur would hide the face. Any other box
is a false positive. Time is the median per 2016×1512 picture over the size
scenes, after a warm-up.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from gemba.domain.faces import PASSES, Box, detect_faces, warm_up  # noqa: E402
from tests.faces_pictures import (  # noqa: E402
    jpeg_bytes,
    plant_background,
    scene_with_faces,
)

SIZE = (2016, 1512)
PixelBox = tuple[int, int, int, int]
Detector = Callable[[Image.Image], list[PixelBox]]
Case = tuple[Image.Image, list[PixelBox]]


# --- detectors ------------------------------------------------------------------------------


def mediapipe(passes, min_confidence: float = 0.5) -> Detector:
    """Gemba's detect_faces with the given passes, boxes in pixels."""

    def detect(picture: Image.Image) -> list[PixelBox]:
        boxes = detect_faces(picture, passes=passes, min_confidence=min_confidence)
        return [_pixels(box, picture.size) for box in boxes]

    return detect


def haar(*names: str) -> Detector:
    """OpenCV cascades (profile ones run on the mirrored picture too), boxes in pixels."""
    import cv2

    cascades = [
        (cv2.CascadeClassifier(cv2.data.haarcascades + f"haarcascade_{name}.xml"), name)
        for name in names
    ]

    def detect(picture: Image.Image) -> list[PixelBox]:
        grey = cv2.equalizeHist(np.asarray(picture.convert("L")))
        found: list[PixelBox] = []
        for cascade, name in cascades:
            for flipped in (False, True) if name == "profileface" else (False,):
                image = grey[:, ::-1].copy() if flipped else grey
                hits = cascade.detectMultiScale(image, 1.1, 5, minSize=(20, 20))
                for x, y, w, h in hits:
                    left = grey.shape[1] - x - w if flipped else x
                    found.append((int(left), int(y), int(left + w), int(y + h)))
        return _dedupe(found)

    return detect


def detectors(with_haar: bool) -> dict[str, Detector]:
    """Every contender, by the name the table shows."""
    chosen = mediapipe(PASSES)
    found = {
        "MediaPipe short range, whole picture": mediapipe((("short", 1, 1),)),
        "MediaPipe full range, whole picture": mediapipe((("full", 1, 1),)),
        "MediaPipe both models, whole picture": mediapipe((("short", 1, 1), ("full", 1, 1))),
        "MediaPipe short whole + 3x2 tiles, confidence 0.6": mediapipe(PASSES, 0.6),
        "MediaPipe short whole + 4x3 tiles (over budget)": mediapipe(
            (("short", 1, 1), ("short", 4, 3))
        ),
        "MediaPipe chosen (Gemba): short whole + 3x2 tiles, 0.5": chosen,
    }
    if with_haar:
        found |= {
            "Haar frontalface_default": haar("frontalface_default"),
            "Haar frontalface_alt2": haar("frontalface_alt2"),
            "Haar profileface (both ways)": haar("profileface"),
            "Haar all three": haar("frontalface_default", "frontalface_alt2", "profileface"),
        }
    return found


def _pixels(box: Box, size: tuple[int, int]) -> PixelBox:
    width, height = size
    return (
        round(box.x * width),
        round(box.y * height),
        round((box.x + box.w) * width),
        round((box.y + box.h) * height),
    )


def _dedupe(boxes: list[PixelBox]) -> list[PixelBox]:
    """Drop boxes mostly inside a bigger one, as several cascades find the same face."""
    kept: list[PixelBox] = []
    for box in sorted(boxes, key=_area, reverse=True):
        if all(_overlap(box, other) < 0.5 * _area(box) for other in kept):
            kept.append(box)
    return kept


def _area(box: PixelBox) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _overlap(a: PixelBox, b: PixelBox) -> int:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


# --- test sets ------------------------------------------------------------------------------


def _upright(data: bytes) -> Image.Image:
    """A JPEG decoded and turned upright by its EXIF orientation, as the pipeline does."""
    with Image.open(io.BytesIO(data)) as stored:
        return ImageOps.exif_transpose(stored).convert("RGB")


def _stored(data: bytes) -> Image.Image:
    """A JPEG decoded as stored, its orientation ignored."""
    with Image.open(io.BytesIO(data)) as stored:
        return stored.convert("RGB")


def _fitted(pixels: np.ndarray, seed: int) -> Image.Image:
    """A sample photograph fitted into a 2016×1512 plant background."""
    picture = Image.fromarray(pixels).convert("RGB")
    picture.thumbnail((SIZE[0], SIZE[1]), Image.Resampling.LANCZOS)
    scale = min(SIZE[0] / picture.width, SIZE[1] / picture.height)
    picture = picture.resize((round(picture.width * scale), round(picture.height * scale)))
    canvas = plant_background(SIZE, seed)
    canvas.paste(picture, ((SIZE[0] - picture.width) // 2, (SIZE[1] - picture.height) // 2))
    return canvas


def portraits() -> list[Case]:
    """The astronaut and the cameraman, each filling the picture's height."""
    from skimage import data

    scale = SIZE[1] / 512
    offset = (SIZE[0] - SIZE[1]) // 2
    faces = [(data.astronaut(), (180, 65, 270, 185)), (data.camera(), (185, 95, 255, 205))]
    return [(_fitted(pixels, 40), [_scaled(face, scale, offset)]) for pixels, face in faces]


def _scaled(box: PixelBox, scale: float, offset: int) -> PixelBox:
    return (
        round(box[0] * scale) + offset,
        round(box[1] * scale),
        round(box[2] * scale) + offset,
        round(box[3] * scale),
    )


def lfw(faces: bool) -> list[Case]:
    """LFW crops, ×4 on a 200×200 grey canvas; the face box is the enlarged crop."""
    from skimage import data

    crops = data.lfw_subset()[:100] if faces else data.lfw_subset()[100:]
    cases = []
    for crop in crops:
        face = Image.fromarray((crop * 255).astype(np.uint8)).resize((100, 100), Image.LANCZOS)
        canvas = Image.new("RGB", (200, 200), (128, 128, 128))
        canvas.paste(face.convert("RGB"), (50, 50))
        cases.append((canvas, [(50, 50, 150, 150)] if faces else []))
    return cases


def empty_pictures() -> list[Case]:
    """Plant backgrounds and sample photographs with no person in them."""
    from skimage import data

    names = [
        "coffee", "chelsea", "rocket", "coins", "page", "clock", "horse", "hubble_deep_field",
        "immunohistochemistry", "brick", "grass", "gravel", "retina", "moon", "colorwheel",
    ]  # fmt: skip
    samples = [(_fitted(getattr(data, name)(), i), []) for i, name in enumerate(names)]
    return [(plant_background(SIZE, 100 + seed), []) for seed in range(5)] + samples


def test_sets(quick: bool) -> dict[str, list[Case]]:
    """Every test set by name; --quick keeps one scene per size."""
    seeds = range(1) if quick else range(2)
    sets: dict[str, list[Case]] = {}
    for edge in (40, 60, 80, 100, 150, 250):
        sets[f"{edge} px"] = [scene_with_faces(SIZE, 4, edge, seed) for seed in seeds]
    sets["400-700 px"] = [scene_with_faces(SIZE, 1, edge, 7) for edge in (400, 700)]
    sets["tilt ±15°"] = [scene_with_faces(SIZE, 4, 150, 3, angle) for angle in (15, -15)]
    sets["tilt 90°"] = [scene_with_faces(SIZE, 3, 200, 4, 90)]
    scene, truth = scene_with_faces(SIZE, 4, 150, 5)
    sets["EXIF 1/3/6/8 upright"] = [
        (_upright(jpeg_bytes(scene, orientation)), truth) for orientation in (1, 3, 6, 8)
    ]
    # Orientation 6 stores the picture turned a quarter counter-clockwise.
    turned = [(top, SIZE[0] - right, bottom, SIZE[0] - left) for left, top, right, bottom in truth]
    sets["EXIF 6 stored pixels"] = [(_stored(jpeg_bytes(scene, 6)), turned)]
    sets["portraits"] = portraits()
    sets["LFW faces"] = lfw(faces=True)
    sets["LFW non-faces"] = lfw(faces=False)
    sets["no faces"] = empty_pictures()
    return sets


# --- scoring --------------------------------------------------------------------------------


@dataclass
class Score:
    """What one detector did on one test set."""

    found: int = 0
    faces: int = 0
    false: int = 0
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)

    def recall(self) -> str:
        return f"{self.found}/{self.faces}" if self.faces else "-"


def covers(box: PixelBox, face: PixelBox) -> bool:
    """Would blurring this box (padded 25% a side) hide the face, without being huge?"""
    w, h = box[2] - box[0], box[3] - box[1]
    padded = (box[0] - w / 4, box[1] - h / 4, box[2] + w / 4, box[3] + h / 4)
    rounded = (round(padded[0]), round(padded[1]), round(padded[2]), round(padded[3]))
    return _overlap(rounded, face) >= 0.8 * _area(face) and w * h <= 6 * _area(face)


def score(detector: Detector, cases: list[Case]) -> Score:
    """Run a detector over a test set, counting faces found and boxes that hide no face."""
    result = Score()
    for picture, truth in cases:
        start, cpu_start = time.perf_counter(), time.process_time()
        boxes = detector(picture)
        result.seconds.append(time.perf_counter() - start)
        result.cpu_seconds.append(time.process_time() - cpu_start)
        result.faces += len(truth)
        result.found += sum(any(covers(box, face) for box in boxes) for face in truth)
        result.false += sum(not any(covers(box, face) for face in truth) for box in boxes)
    return result


def print_table(scores: dict[str, dict[str, Score]], sets: list[str]) -> None:
    """Recall per set (false positives in brackets where any), then ms per 2016×1512 picture."""
    print(f"\nfound/faces per set, [false positives]; ms: median per {SIZE[0]}x{SIZE[1]} picture\n")
    for name, row in scores.items():
        print(name)
        cells = []
        for label in sets:
            cell = row[label].recall()
            if row[label].false:
                cell += f" [{row[label].false}]"
            cells.append(f"{label}: {cell}")
        sized = [s for label in sets if label.endswith(" px") for s in row[label].seconds]
        cpu = [s for label in sets if label.endswith(" px") for s in row[label].cpu_seconds]
        found = sum(row[label].found for label in sets if label.endswith(" px"))
        faces = sum(row[label].faces for label in sets if label.endswith(" px"))
        print(f"{'':4}" + "; ".join(cells))
        print(
            f"{'':4}scenes 40-250 px: {found}/{faces} = {found / faces:.0%}; "
            f"{statistics.median(sized) * 1000:.1f} ms, CPU {statistics.median(cpu) * 1000:.1f} ms"
        )


def main() -> None:
    """Build the test sets, run every detector on each, print the table."""
    parser = argparse.ArgumentParser(description="Compare face detectors.")
    parser.add_argument("--quick", action="store_true", help="one scene per face size")
    parser.add_argument("--no-haar", action="store_true", help="MediaPipe settings only")
    args = parser.parse_args()
    sets = test_sets(args.quick)
    print(f"{sum(len(c) for c in sets.values())} pictures in {len(sets)} sets", flush=True)
    warm_up()
    scores: dict[str, dict[str, Score]] = {}
    for name, detector in detectors(not args.no_haar).items():
        detector(sets["100 px"][0][0])  # warm-up: first calls build buffers
        scores[name] = {label: score(detector, cases) for label, cases in sets.items()}
        print(f"done: {name}", file=sys.stderr, flush=True)
    print_table(scores, list(sets))


if __name__ == "__main__":
    main()
