"""Pictures with real faces for the face tests and benchmarks, composed on the fly.

The faces are scikit-image's bundled sample photographs (no network, no binaries in
git): the astronaut's portrait (Eileen Collins, NASA, public domain) pasted onto a
plant-like background of machines, racks, pipes and hazard stripes, at a chosen size,
tilt and tint. Every builder is reproducible from its seed.
"""

from __future__ import annotations

import functools
import io
import random

import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageFilter

Size = tuple[int, int]
PixelBox = tuple[int, int, int, int]  # left, top, right, bottom

# In skimage.data.astronaut() (512 × 512): the face from brow to chin and cheek to
# cheek, and the head and shoulders around it that each pasted person brings along.
ASTRONAUT_FACE: PixelBox = (180, 65, 270, 185)
ASTRONAUT_PERSON: PixelBox = (105, 0, 345, 300)

# How a camera stores an upright picture under each EXIF orientation: the inverse
# of the turn a viewer (and the pipeline) applies.
STORED_AS = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}


@functools.cache
def _astronaut_pixels() -> np.ndarray:
    """The astronaut's pixels, loaded once."""
    from skimage import data

    return data.astronaut()


def astronaut() -> Image.Image:
    """The astronaut's portrait, 512 × 512 RGB."""
    return Image.fromarray(_astronaut_pixels())


def plant_background(size: Size = (2016, 1512), seed: int = 0) -> Image.Image:
    """A factory floor, more or less: grey walls and floor, machines, racks, pipes, stripes."""
    rng = random.Random(seed)
    width, height = size
    floor = height * 2 // 3
    picture = Image.linear_gradient("L").resize(size).point(lambda v: 150 - v // 4)
    picture = Image.merge("RGB", [picture, picture, picture.point(lambda v: v + 12)])
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, floor, width, height), fill=(96, 104, 92))
    for _ in range(14):  # machines and racks standing on the floor
        left, w = rng.randrange(width), rng.randrange(width // 12, width // 4)
        top = rng.randrange(height // 6, floor - 40)
        colour = rng.choice([(70, 110, 150), (200, 200, 190), (60, 140, 80), (120, 120, 125)])
        draw.rectangle((left, top, left + w, floor + rng.randrange(0, 60)), fill=colour)
        for shelf in range(top + 30, floor, rng.randrange(40, 120)):
            draw.line((left, shelf, left + w, shelf), fill=(40, 40, 40), width=4)
    for _ in range(8):  # pipes and cables
        y = rng.randrange(height // 2)
        draw.line((0, y, width, y + rng.randrange(-80, 80)), fill=(150, 80, 40), width=10)
    for x in range(0, width, 60):  # hazard stripes along the walkway
        draw.polygon(
            [(x, floor), (x + 30, floor), (x + 60, floor + 24), (x + 30, floor + 24)],
            fill=(230, 190, 20),
        )
    grain = np.random.default_rng(seed).normal(0, 6, (height, width, 1))
    pixels = np.clip(np.asarray(picture, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels).filter(ImageFilter.GaussianBlur(0.7))


def person(
    face_edge: int, angle: float = 0.0, tint: tuple[float, float, float] = (1, 1, 1)
) -> tuple[Image.Image, Image.Image, PixelBox]:
    """The astronaut's head and shoulders scaled so the face is `face_edge` px wide.

    Returns the patch, its mask (what is person, after turning) and the face's box
    inside the patch.
    """
    scale = face_edge / (ASTRONAUT_FACE[2] - ASTRONAUT_FACE[0])
    patch = astronaut().crop(ASTRONAUT_PERSON)
    size = (max(1, round(patch.width * scale)), max(1, round(patch.height * scale)))
    patch = patch.resize(size, Image.Resampling.LANCZOS)
    pixels = np.asarray(patch, dtype=np.float32) * np.asarray(tint, dtype=np.float32)
    patch = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    face = [
        (ASTRONAUT_FACE[0] - ASTRONAUT_PERSON[0]) * scale,
        (ASTRONAUT_FACE[1] - ASTRONAUT_PERSON[1]) * scale,
        (ASTRONAUT_FACE[2] - ASTRONAUT_PERSON[0]) * scale,
        (ASTRONAUT_FACE[3] - ASTRONAUT_PERSON[1]) * scale,
    ]
    mask = Image.new("L", patch.size, 255)
    if angle:
        centre = ((face[0] + face[2]) / 2, (face[1] + face[3]) / 2)
        patch, mask = (
            im.rotate(angle, Image.Resampling.BICUBIC, expand=True, center=centre)
            for im in (patch, mask)
        )
        face = _turned_box(face, angle, centre, size, patch.size)
    left, top, right, bottom = (round(v) for v in face)
    return patch, mask, (left, top, right, bottom)


def _turned_box(
    face: list[float], angle: float, centre: tuple[float, float], before: Size, after: Size
) -> list[float]:
    """Where a box ends up (its bounding box) after Image.rotate(angle, expand=True)."""
    theta = np.deg2rad(angle)
    corners = np.array([(face[0], face[1]), (face[2], face[1]), (face[0], face[3]), face[2:]])
    cx, cy = centre
    # Image.rotate turns counter-clockwise on screen (y down), then the canvas grows
    # equally on each side around the original's centre.
    dx, dy = corners[:, 0] - cx, corners[:, 1] - cy
    x = cx + dx * np.cos(theta) + dy * np.sin(theta)
    y = cy - dx * np.sin(theta) + dy * np.cos(theta)
    x += (after[0] - before[0]) / 2
    y += (after[1] - before[1]) / 2
    return [x.min(), y.min(), x.max(), y.max()]


def scene_with_faces(
    size: Size = (2016, 1512),
    faces: int = 3,
    face_edge: int = 120,
    seed: int = 0,
    angle: float = 0.0,
) -> tuple[Image.Image, list[PixelBox]]:
    """A plant scene with `faces` people standing in it, and each face's box in pixels.

    The people stand in separate columns, never overlapping; each has its own tint
    (0.75 to 1.1 per channel) and, every other one, is mirrored, so the detector does
    not see the same pixels twice. `angle` tilts every head (degrees, counter-clockwise).
    """
    rng = random.Random(seed)
    picture = plant_background(size, seed)
    truth: list[PixelBox] = []
    column = size[0] // max(faces, 1)
    for i in range(faces):
        tint = tuple(rng.uniform(0.75, 1.1) for _ in range(3))
        patch, mask, face = person(face_edge, angle, tint)
        if i % 2:
            patch, mask = (
                patch.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                mask.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
            )
            face = (patch.width - face[2], face[1], patch.width - face[0], face[3])
        room_x = max(0, column - patch.width)
        room_y = max(0, size[1] - patch.height)
        left = i * column + rng.randrange(room_x + 1)
        top = rng.randrange(room_y // 4, room_y // 2 + 1) if room_y else 0
        picture.paste(patch, (left, top), mask)
        truth.append(_clip((face[0] + left, face[1] + top, face[2] + left, face[3] + top), size))
    return picture, truth


def _clip(box: PixelBox, size: Size) -> PixelBox:
    """A pixel box cut to the picture."""
    return max(0, box[0]), max(0, box[1]), min(size[0], box[2]), min(size[1], box[3])


def jpeg_bytes(picture: Image.Image, orientation: int | None = None, quality: int = 90) -> bytes:
    """The picture as a camera would store it under an EXIF orientation (3, 6 or 8), as JPEG.

    The stored pixels are turned so that a viewer applying the orientation sees
    `picture` upright, exactly as a phone held sideways writes its photos.
    """
    exif = Image.Exif()
    stored = picture
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
        if orientation in STORED_AS:
            stored = picture.transpose(STORED_AS[orientation])
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def laplacian_variance(picture: Image.Image, box_px: PixelBox) -> float:
    """Variance of the 4-neighbour Laplacian of the grey region: sharp detail scores high."""
    grey = np.asarray(picture.convert("L").crop(box_px), dtype=np.float64)
    laplacian = (
        grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4 * grey[1:-1, 1:-1]
    )
    return float(laplacian.var())
