"""Photo fixtures: a walk with one record of each kind, callers for the API and the pages,
and photos made on the fly (no binaries in git beyond tests/resources/photos)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, PngImagePlugin
from werkzeug.test import TestResponse

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import Photo, User
from gemba.photos import service as photos_service
from tests import s3_server
from tests.conftest import login, make_test_app, uid
from tests.unit.photo_factories import (
    RESOURCES,
    SERIAL,
    XMP,
    encode,
    exif_bytes,
    heif_encoding_error,
)

KINDS = ("place", "thing", "fact", "statement")
GPS_LONDON = ("N", (51.0, 30.0, 36.0), "W", (0.0, 7.0, 12.0))  # 51.51, -0.12
LONDON = (51.51, -0.12)

needs_heif_encoder = pytest.mark.skipif(
    heif_encoding_error() is not None, reason=str(heif_encoding_error())
)


def photo_bytes(
    colour: tuple[int, int, int] = (200, 120, 40),
    size: tuple[int, int] = (64, 48),
    fmt: str = "JPEG",
    **params: Any,
) -> bytes:
    """A small photo of one colour; different colours give different bytes."""
    return encode(Image.new("RGB", size, colour), fmt, **params)


def phone_photo(fmt: str = "JPEG", colour: tuple[int, int, int] = (200, 180, 40)) -> bytes:
    """A photo carrying what a phone writes: GPS, make, serial, capture time, XMP, a comment."""
    im = Image.new("RGB", (96, 64), colour)
    exif = exif_bytes(gps=GPS_LONDON, taken="2026:11:20 08:12:00", offset="+01:00", camera=True)
    if fmt == "JPEG":
        return encode(im, fmt, exif=exif, xmp=XMP, comment=b"owned by " + SERIAL.encode())
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        info.add_text("Comment", "owned by " + SERIAL)
        return encode(im, fmt, exif=exif, pnginfo=info)
    return encode(im, fmt, exif=exif, xmp=XMP)


def bad_file(name: str) -> bytes:
    """One of the bad files kept as test resources."""
    return (RESOURCES / name).read_bytes()


@dataclass
class World:
    """An observer's walk with a place, a thing, a fact and a statement."""

    app: Flask
    owner: User
    walk: str
    ids: dict[str, str]
    token: str
    client: FlaskClient  # the owner's browser session
    api: FlaskClient = field(init=False)

    def __post_init__(self) -> None:
        self.api = self.app.test_client()

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def put(
        self,
        data: bytes | None,
        record: str | None,
        photo_id: str | None = None,
        filename: str = "photo.jpg",
        headers: dict[str, str] | None = None,
        **fields: str,
    ) -> TestResponse:
        """PUT /api/v1/photos/{id} as the owner's script (bearer token)."""
        form: dict[str, Any] = dict(fields)
        if data is not None:
            form["file"] = (io.BytesIO(data), filename)
        if record is not None:
            form["record"] = record
        response = self.api.put(
            f"/api/v1/photos/{photo_id or uid()}",
            data=form,
            headers=headers if headers is not None else self.auth,
            content_type="multipart/form-data",
        )
        close_body(response)
        return response

    def photo(self, photo_id: str) -> Photo | None:
        with self.app.app_context():
            photo = db.session.get(Photo, uuid.UUID(photo_id))
            if photo is not None:
                db.session.expunge(photo)
            return photo

    def photo_count(self) -> int:
        with self.app.app_context():
            return db.session.scalar(db.select(db.func.count()).select_from(Photo))

    @property
    def on_s3(self) -> bool:
        return self.app.config.get("GEMBA_PHOTO_STORE") == "s3"

    def photo_dir(self) -> Path:
        """The local store's folder (a test of the folder's own layout needs `local_only`)."""
        return Path(self.app.config["GEMBA_PHOTO_DIR"])

    def stored_files(self) -> set[str]:
        """Names of everything in the store: the photo folder's files (temporary ones
        included), or the bucket's objects without the prefix."""
        if self.on_s3:
            prefix = self.app.config["GEMBA_S3_PREFIX"]
            bucket = self.app.config["GEMBA_S3_BUCKET"]
            return {key.removeprefix(prefix) for key in s3_server.object_keys(bucket)}
        root = self.photo_dir()
        return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()

    def store(self):
        with self.app.app_context():
            return photos_service.store()

    def lose_all_files(self) -> None:
        """Every stored photo file gone (a lost disk, an emptied bucket)."""
        store = self.store()
        for item in list(store.objects()):
            store.delete(item.key)


STORES = ("local", "s3")


@pytest.fixture(params=STORES)
def photo_store(request) -> str:
    """Every photo test runs on both stores: files on disk, and a bucket on a real S3 API."""
    return request.param


@pytest.fixture
def local_only(photo_store) -> None:
    """For tests of the local folder itself (its layout, its file modes)."""
    if photo_store != "local":
        pytest.skip("a test of the local photo folder")


@pytest.fixture
def app(database_uri, tmp_path, photo_store) -> Iterator[Flask]:
    """The suite's app, its photos in the store this run of the test is for."""
    extra = s3_server.settings(s3_server.new_bucket()) if photo_store == "s3" else {}
    app = make_test_app(database_uri, tmp_path, **extra)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(app, make_user, make_walk, write) -> World:
    owner = make_user("observer")
    walk = make_walk(owner)
    ids = {kind: uid() for kind in KINDS}
    result = write(
        owner,
        {"type": "place", "id": ids["place"], "walk": walk, "name": "Press 2"},
        {"type": "thing", "id": ids["thing"], "walk": walk, "name": "Torque wrench"},
        {"type": "fact", "id": ids["fact"], "walk": walk, "text": "Guard left open"},
        {"type": "statement", "id": ids["statement"], "walk": walk, "text": "Guards stay shut"},
    )
    assert not result.rejected
    with app.app_context():
        token = accounts.create_token(db.session.get(User, owner.id))
    return World(app, owner, walk, ids, token, login(app.test_client(), owner))


@pytest.fixture
def upload(world) -> Callable[..., str]:
    """Attach a photo to a record through the API; return the new photo's id."""

    def send(kind: str = "fact", data: bytes | None = None, **fields: str) -> str:
        photo_id = uid()
        response = world.put(data or photo_bytes(), world.ids[kind], photo_id, **fields)
        assert response.status_code == 201, response.get_json()
        return photo_id

    return send


def close_body(response: TestResponse) -> None:
    """Close the request body the test client spooled to a temporary file for a big upload."""
    stream = response.request.environ.get("wsgi.input")
    if stream is not None:
        stream.close()


def served_image(response: TestResponse) -> Image.Image:
    """Open a served photo with Pillow, fully loaded."""
    assert response.status_code == 200
    im = Image.open(io.BytesIO(response.get_data()))
    im.load()
    return im
