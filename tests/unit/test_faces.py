"""Faces are found in composed plant scenes and made unrecoverable, touching nothing else."""

from __future__ import annotations

import io
import math
import subprocess
import sys
import threading

import numpy as np
import pytest
from PIL import Image, ImageOps

from gemba.domain.faces import Box, blur_boxes, detect_faces
from tests.faces_pictures import (
    jpeg_bytes,
    laplacian_variance,
    plant_background,
    scene_with_faces,
)

# 8-bit rounding alone (uniform noise of variance 1/12 per pixel) gives a 4-neighbour
# Laplacian a variance of 20/12 ≈ 1.7, and the smooth ramps left between 8 mosaic cells
# add well under 1 (measured: 1.0 to 1.9 for faces of 60 to 400 px); the faces
# themselves score 130 (150 px, enlarged from the 90 px original) to 1,200 (60 px).
BLURRED_LAPLACIAN = 3.0


@pytest.fixture(scope="module")
def scene():
    return scene_with_faces(faces=3, face_edge=150, seed=11)


def found(face: tuple[int, int, int, int], boxes: list[Box], size: tuple[int, int]) -> bool:
    """A box whose centre lies in the face and whose area is within a factor 3 of it."""
    width, height = size
    face_area = (face[2] - face[0]) * (face[3] - face[1])
    for box in boxes:
        cx, cy = (box.x + box.w / 2) * width, (box.y + box.h / 2) * height
        area = box.w * width * box.h * height
        if face[0] <= cx <= face[2] and face[1] <= cy <= face[3] and face_area / 3 < area:
            return area < face_area * 3
    return False


def padded_region(box: Box, size: tuple[int, int], pad: float = 0.25) -> tuple[int, ...]:
    """The pixels blur_boxes may touch: the padded box, rounded outwards, clipped."""
    width, height = size
    left, top = box.x - box.w * pad, box.y - box.h * pad
    right, bottom = box.x + box.w * (1 + pad), box.y + box.h * (1 + pad)
    return (
        max(0, math.floor(left * width)),
        max(0, math.floor(top * height)),
        min(width, math.ceil(right * width)),
        min(height, math.ceil(bottom * height)),
    )


def outside(picture: Image.Image, regions: list[tuple[int, ...]]) -> np.ndarray:
    """The picture's pixels outside the regions, as one flat array."""
    pixels = np.asarray(picture)
    mask = np.ones(pixels.shape[:2], dtype=bool)
    for left, top, right, bottom in regions:
        mask[top:bottom, left:right] = False
    return pixels[mask]


def test_each_face_in_a_plant_scene_is_found(scene):
    picture, truth = scene
    boxes = detect_faces(picture)
    assert all(found(face, boxes, picture.size) for face in truth)
    assert len(boxes) == len(truth)
    assert {box.source for box in boxes} == {"detector"}


def test_a_plant_without_people_has_no_faces():
    assert detect_faces(plant_background(seed=5)) == []


def test_blurred_faces_keep_no_detail_and_nothing_else_changes(scene):
    picture, truth = scene
    boxes = detect_faces(picture)
    blurred = blur_boxes(picture.copy(), boxes)
    for face in truth:
        before, after = laplacian_variance(picture, face), laplacian_variance(blurred, face)
        assert after < BLURRED_LAPLACIAN
        assert after < before / 40
    regions = [padded_region(box, picture.size) for box in boxes]
    assert np.array_equal(outside(blurred, regions), outside(picture, regions))


def test_faces_are_found_upright_whatever_the_stored_orientation(scene):
    picture, truth = scene
    for orientation in (3, 6, 8):
        with Image.open(io.BytesIO(jpeg_bytes(picture, orientation))) as stored:
            assert stored.size != picture.size or orientation == 3
            upright = ImageOps.exif_transpose(stored).convert("RGB")
        boxes = detect_faces(upright)
        assert all(found(face, boxes, upright.size) for face in truth), orientation


def test_small_faces_are_found_by_the_tiles():
    picture, truth = scene_with_faces(faces=4, face_edge=120, seed=1)
    whole_only = detect_faces(picture, passes=[("short", 1, 1)])
    assert not any(found(face, whole_only, picture.size) for face in truth)
    boxes = detect_faces(picture)
    assert all(found(face, boxes, picture.size) for face in truth)


def test_small_faces_are_found_in_a_portrait_picture_too():
    picture, truth = scene_with_faces(size=(1512, 2016), faces=3, face_edge=120, seed=3)
    boxes = detect_faces(picture)
    assert all(found(face, boxes, picture.size) for face in truth)


def test_tilted_heads_are_found():
    picture, truth = scene_with_faces(faces=3, face_edge=150, seed=2, angle=15)
    boxes = detect_faces(picture)
    assert all(found(face, boxes, picture.size) for face in truth)


def test_grey_and_transparent_pictures_are_accepted(scene):
    picture, truth = scene
    for mode in ("L", "RGBA"):
        boxes = detect_faces(picture.convert(mode))
        assert all(found(face, boxes, picture.size) for face in truth), mode


def test_observer_boxes_are_blurred_like_detector_boxes(scene):
    picture, truth = scene
    left, top, right, bottom = truth[0]
    width, height = picture.size
    spot = dict(x=left / width, y=top / height, w=(right - left) / width, h=(bottom - top) / height)
    by_detector = blur_boxes(picture.copy(), [Box(**spot)])
    by_observer = blur_boxes(picture.copy(), [Box(**spot, source="observer")])
    assert np.array_equal(np.asarray(by_detector), np.asarray(by_observer))
    assert laplacian_variance(by_observer, truth[0]) < BLURRED_LAPLACIAN


def test_an_empty_box_list_changes_nothing(scene):
    picture, _ = scene
    assert np.array_equal(np.asarray(blur_boxes(picture.copy(), [])), np.asarray(picture))


@pytest.mark.parametrize(
    ("box", "clipped"),
    [
        (Box(-0.1, -0.2, 0.3, 0.4), Box(0.0, 0.0, 0.2, 0.2)),
        (Box(0.9, 0.5, 0.3, 0.1, "observer"), Box(0.9, 0.5, 0.1, 0.1, "observer")),
        (Box(0.2, 0.3, 0.1, 0.1), Box(0.2, 0.3, 0.1, 0.1)),
        (Box(1.2, 0.3, 0.1, 0.1), Box(1.0, 0.3, 0.0, 0.1)),
    ],
)
def test_boxes_are_clipped_to_the_picture(box, clipped):
    result = box.clipped()
    assert result.source == clipped.source
    assert [result.x, result.y, result.w, result.h] == pytest.approx(
        [clipped.x, clipped.y, clipped.w, clipped.h]
    )


def test_a_box_over_the_corner_blurs_only_the_corner(scene):
    picture, _ = scene
    box = Box(-0.05, -0.05, 0.15, 0.15, "observer")
    blurred = blur_boxes(picture.copy(), [box])
    region = padded_region(box, picture.size)
    assert region[:2] == (0, 0)
    assert laplacian_variance(blurred, region) < BLURRED_LAPLACIAN
    assert np.array_equal(outside(blurred, [region]), outside(picture, [region]))


def test_a_box_outside_the_picture_changes_nothing(scene):
    picture, _ = scene
    blurred = blur_boxes(picture.copy(), [Box(1.5, 0.2, 0.1, 0.1), Box(0.2, -0.9, 0.1, 0.1)])
    assert np.array_equal(np.asarray(blurred), np.asarray(picture))


def test_a_box_is_stored_with_four_decimals():
    box = Box(0.123456, 0.5, 1 / 3, 0.25, "observer")
    assert box.to_json() == {"x": 0.1235, "y": 0.5, "w": 0.3333, "h": 0.25, "source": "observer"}


def test_two_threads_detect_what_one_does():
    scenes = [scene_with_faces(faces=n, face_edge=150, seed=20 + n)[0] for n in (2, 3)]
    expected = [detect_faces(picture) for picture in scenes]
    results: list[list[list[Box]]] = [[], []]
    errors: list[BaseException] = []

    def detect(index: int) -> None:
        try:
            for _ in range(4):
                results[index].append(detect_faces(scenes[index]))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=detect, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [[expected[0]] * 4, [expected[1]] * 4]


def test_importing_the_module_loads_neither_mediapipe_nor_numpy():
    code = (
        "import sys, gemba.domain.faces; "
        "print(sorted(m for m in ('mediapipe', 'numpy', 'cv2') if m in sys.modules))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed command
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
