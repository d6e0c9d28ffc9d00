"""Faces blurred before storing: what the server keeps of a photo with people in it.

Every test uploads through the API, as the phone does, and then reads what the store
holds (the display copy and the thumbnail). Detail is measured as the variance of the
Laplacian: a sharp face scores well over a hundred, a blurred one a few.

The blur is applied before any store sees a byte, so where the faces are, what is
blurred and what is refused is tested on the local store alone; the tests of what lands
in the store (and what never does) run on both stores (`both_stores`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import uuid

import numpy as np
import pytest
from PIL import Image

from gemba.domain.photos import process_photo
from gemba.extensions import db
from gemba.models import Photo, Walk
from tests.conftest import uid
from tests.faces_pictures import jpeg_bytes, laplacian_variance, scene_with_faces
from tests.photos.conftest import STORES

SIZE = (1600, 1200)  # under the display edge: the stored copy is the same size
SHARP = 60.0  # every face of the scene scores above this unblurred
BLURRED = 15.0  # and below this once blurred
# Decoded JPEG pixels near an edited area may change (chroma upsampling crosses blocks).
MARGIN = 32
BADGE = {"x": 0.05, "y": 0.85, "w": 0.1, "h": 0.08, "source": "observer"}

# The tests of what the store holds run on both stores; the others on the local one.
both_stores = pytest.mark.parametrize("photo_store", STORES)


@pytest.fixture
def photo_store() -> str:
    """The local store, unless a test asks for both (`both_stores`)."""
    return "local"


@functools.cache
def scene() -> tuple[bytes, tuple[tuple[int, int, int, int], ...]]:
    """A plant scene with three people, as a phone JPEG, and their faces' pixel boxes."""
    picture, truth = scene_with_faces(SIZE, faces=3, face_edge=140, seed=3)
    return jpeg_bytes(picture), tuple(truth)


def stored_picture(world, key: str) -> Image.Image:
    with world.store().open(key) as handle:
        return Image.open(io.BytesIO(handle.read())).convert("RGB")


def copies(world, photo_id: str) -> tuple[Photo, Image.Image, Image.Image]:
    photo = world.photo(photo_id)
    assert photo is not None
    return photo, stored_picture(world, photo.display_key), stored_picture(world, photo.thumb_key)


def set_site(world, **settings) -> None:
    with world.app.app_context():
        site = db.session.get(Walk, uuid.UUID(world.walk)).site
        for name, value in settings.items():
            setattr(site, name, value)
        db.session.commit()


def send(world, blur: dict | None = None, data: bytes | None = None):
    photo_id = uid()
    fields = {"blur": json.dumps(blur)} if blur is not None else {}
    response = world.put(data or scene()[0], world.ids["fact"], photo_id, **fields)
    return photo_id, response


def box_px(box: dict, size: tuple[int, int], pad: float = 0.0) -> tuple[int, int, int, int]:
    width, height = size
    dx, dy = box["w"] * pad, box["h"] * pad
    return (
        round((box["x"] - dx) * width),
        round((box["y"] - dy) * height),
        round((box["x"] + box["w"] + dx) * width),
        round((box["y"] + box["h"] + dy) * height),
    )


def scaled(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    sx, sy = size[0] / SIZE[0], size[1] / SIZE[1]
    return round(box[0] * sx), round(box[1] * sy), round(box[2] * sx), round(box[3] * sy)


def inner(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The middle of a face box: eyes, nose and mouth, what identifies a person."""
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) // 6, (y1 - y0) // 6
    return x0 + dx, y0 + dy, x1 - dx, y1 - dy


def assert_faces_blurred(picture: Image.Image) -> None:
    for face in scene()[1]:
        region = inner(scaled(face, picture.size))
        assert laplacian_variance(picture, region) < BLURRED * max(1, SIZE[0] / picture.width)


def assert_each_face_boxed(blurred: list[dict], source: str = "detector") -> None:
    """Every face of the scene lies in a box the detector found."""
    for x0, y0, x1, y1 in scene()[1]:
        cx, cy = (x0 + x1) / 2 / SIZE[0], (y0 + y1) / 2 / SIZE[1]
        assert any(
            b["x"] <= cx <= b["x"] + b["w"] and b["y"] <= cy <= b["y"] + b["h"]
            for b in blurred
            if b["source"] == source
        )


def assert_faces_sharp(picture: Image.Image) -> None:
    for face in scene()[1]:
        assert laplacian_variance(picture, inner(face)) > SHARP


def test_the_scene_s_faces_are_sharp_before_the_blur():
    """The measure means something: unblurred, every face is full of detail."""
    unblurred = process_photo(scene()[0], detect_faces=False).display.data
    assert_faces_sharp(Image.open(io.BytesIO(unblurred)).convert("RGB"))


@both_stores
def test_each_face_comes_back_blurred_in_both_copies_and_the_rest_unchanged(world):
    photo_id, response = send(world)
    assert response.status_code == 201, response.get_json()
    photo, display, thumb = copies(world, photo_id)
    assert display.size == SIZE
    assert_faces_blurred(display)
    assert_faces_blurred(thumb)
    assert_each_face_boxed(photo.blurred)
    assert {box["source"] for box in photo.blurred} == {"detector"}
    assert response.get_json()["blurred"] == photo.blurred

    reference = process_photo(scene()[0], detect_faces=False).display.data
    unblurred = np.asarray(Image.open(io.BytesIO(reference)).convert("RGB"), dtype=np.int16)
    outside = np.ones(SIZE[::-1], dtype=bool)
    for box in photo.blurred:
        x0, y0, x1, y1 = box_px(box, SIZE, pad=0.25)
        outside[max(0, y0 - MARGIN) : y1 + MARGIN, max(0, x0 - MARGIN) : x1 + MARGIN] = False
    assert outside.mean() > 0.6
    difference = np.abs(np.asarray(display, dtype=np.int16) - unblurred).max(axis=2)
    assert difference[outside].max() == 0


def test_a_photo_turned_by_its_exif_orientation_is_blurred_where_the_faces_are(world):
    picture, truth = scene_with_faces(SIZE, faces=2, face_edge=150, seed=5)
    photo_id, response = send(world, data=jpeg_bytes(picture, orientation=6))
    assert response.status_code == 201
    _, display, _ = copies(world, photo_id)
    assert display.size == SIZE  # stored upright
    for face in truth:
        assert laplacian_variance(display, inner(face)) < BLURRED


def test_the_observer_s_final_boxes_are_exactly_what_is_blurred(world):
    """Reviewed on the phone: the observer took the detector's boxes off and drew a badge."""
    photo_id, response = send(world, {"boxes": [BADGE], "reviewed": True})
    assert response.status_code == 201, response.get_json()
    photo, display, _ = copies(world, photo_id)
    assert photo.blurred == [BADGE]
    assert_faces_sharp(display)
    original = Image.open(io.BytesIO(scene()[0])).convert("RGB")
    badge = inner(box_px(BADGE, SIZE))
    assert laplacian_variance(display, badge) < laplacian_variance(original, badge) / 10


def test_unreviewed_boxes_are_blurred_beside_the_faces_the_server_finds(world):
    """Queued offline, no proposals: the observer's box and the detector's faces."""
    photo_id, response = send(world, {"boxes": [BADGE], "reviewed": False})
    assert response.status_code == 201
    photo, display, _ = copies(world, photo_id)
    assert_faces_blurred(display)
    assert BADGE in photo.blurred
    assert_each_face_boxed(photo.blurred)


def test_a_works_council_site_blurs_faces_even_when_the_boxes_were_taken_off(world):
    set_site(world, works_council=True)
    photo_id, response = send(world, {"boxes": [], "reviewed": True})
    assert response.status_code == 201
    photo, display, thumb = copies(world, photo_id)
    assert_faces_blurred(display)
    assert_faces_blurred(thumb)
    assert_each_face_boxed(photo.blurred)


# Blur fields the server cannot read: each is refused, by its field, before a byte is stored.
UNREADABLE_BLUR_FIELDS = [
    "not json",
    "[]",
    '{"reviewed": "yes"}',
    '{"boxes": {}}',
    '{"boxes": [{"x": 0.1, "y": 0.1, "w": 0.2}]}',
    '{"boxes": [{"x": 0.9, "y": 0.1, "w": 0.2, "h": 0.1}]}',
    '{"boxes": [{"x": 0.1, "y": 0.1, "w": 0, "h": 0.1}]}',
    '{"boxes": [{"x": true, "y": 0.1, "w": 0.1, "h": 0.1}]}',
    '{"boxes": [{"x": 0.1, "y": 0.1, "w": 0.1, "h": 0.1, "source": "boss"}]}',
    json.dumps({"boxes": [BADGE] * 101}),
]


@both_stores
def test_a_blur_field_that_cannot_be_read_is_refused_by_name_and_nothing_is_kept(world):
    """One walk for every case: a refused upload leaves nothing behind for the next."""
    for blur in UNREADABLE_BLUR_FIELDS:
        response = world.put(scene()[0], world.ids["fact"], uid(), blur=blur)
        assert response.status_code == 422, blur
        assert response.get_json()["errors"][0]["field"] == "blur", blur
        assert world.photo_count() == 0, blur
        assert world.stored_files() == set(), blur


@both_stores
def test_a_resend_after_lost_files_makes_the_same_blurred_copies(world):
    photo_id, _ = send(world, {"boxes": [BADGE], "reviewed": False})
    before = world.photo(photo_id)
    world.lose_all_files()
    response = world.put(scene()[0], world.ids["fact"], photo_id)
    assert response.get_json()["status"] == "unchanged"
    assert world.store().exists(before.display_key)
    assert world.store().exists(before.thumb_key)
    _, display, _ = copies(world, photo_id)
    assert_faces_blurred(display)


@both_stores
@pytest.mark.parametrize("works_council", [False, True])
def test_no_unblurred_face_is_anywhere_in_the_store(world, works_council):
    """Scan every object the store holds after uploads of every kind: nothing sharp."""
    # A works-council site never keeps originals, even if the setting says so.
    set_site(world, works_council=works_council, keep_originals=works_council)
    uploads = [scene()[0], jpeg_bytes(Image.open(io.BytesIO(scene()[0])), orientation=6)]
    sent = [
        send(world, data=uploads[0]),
        send(world, {"boxes": [], "reviewed": works_council}, data=uploads[1]),
        send(world, {"boxes": [BADGE], "reviewed": False}),
    ]
    assert all(response.status_code in (200, 201) for _, response in sent)
    upload_hashes = {hashlib.sha256(data).hexdigest() for data in uploads}
    objects = list(world.store().objects())
    assert len(objects) >= 4  # display copies and thumbnails (one picture sent twice)
    for item in objects:
        with world.store().open(item.key) as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() not in upload_hashes
        picture = Image.open(io.BytesIO(data)).convert("RGB")
        assert picture.size[0] / picture.size[1] == pytest.approx(SIZE[0] / SIZE[1], rel=0.01)
        assert_faces_blurred(picture)
    for photo_id, _ in sent:
        assert world.photo(photo_id).original_key is None


@both_stores
def test_a_site_that_keeps_originals_stores_the_upload_beside_the_blurred_copies(world):
    set_site(world, keep_originals=True)
    photo_id, _ = send(world)
    photo, display, _ = copies(world, photo_id)
    assert photo.original_key == hashlib.sha256(scene()[0]).hexdigest()
    assert_faces_blurred(display)
    assert_faces_sharp(stored_picture(world, photo.original_key))


@both_stores
def test_the_faces_endpoint_proposes_a_box_around_each_face_and_keeps_nothing(world):
    small = Image.open(io.BytesIO(scene()[0])).resize((800, 600))
    response = world.api.post(
        "/api/v1/photos/faces",
        data={"file": (io.BytesIO(jpeg_bytes(small)), "small.jpg")},
        headers=world.auth,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["detector"]
    assert response.headers["Cache-Control"] == "no-store"
    assert_each_face_boxed(body["boxes"])
    assert world.photo_count() == 0
    assert world.stored_files() == set()


# What the faces endpoint cannot look at: no picture, no bytes, no file, no bearer token.
UNREADABLE_FACE_REQUESTS = [
    (b"not a picture", True, 415),
    (b"", True, 422),
    (None, True, 400),
    (b"\xff\xd8\xff", False, 401),
]


def test_the_faces_endpoint_refuses_what_it_cannot_look_at(world):
    for data, authorised, status in UNREADABLE_FACE_REQUESTS:
        form = {"file": (io.BytesIO(data), "x.jpg")} if data is not None else {"other": "1"}
        response = world.api.post(
            "/api/v1/photos/faces",
            data=form,
            headers=world.auth if authorised else {},
            content_type="multipart/form-data",
        )
        assert response.status_code == status, (data, authorised)
        assert response.mimetype == "application/problem+json", (data, authorised)
