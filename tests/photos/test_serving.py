"""Serving photos: logged-in users only, re-encoded copies only, nothing of the camera's
metadata left, cache headers for immutable files."""

from __future__ import annotations

import uuid

import pytest

from gemba.extensions import db
from gemba.models import Walk
from tests.conftest import uid
from tests.photos.conftest import (
    needs_heif_encoder,
    phone_photo,
    photo_bytes,
    served_image,
)
from tests.unit.photo_factories import MAKE, SERIAL, oriented_jpeg

VARIANTS = ("thumb", "display")


@pytest.mark.parametrize("variant", VARIANTS)
def test_anonymous_visitors_are_sent_to_log_in(world, upload, variant):
    photo_id = upload()

    response = world.app.test_client().get(f"/photos/{photo_id}/{variant}")

    assert response.status_code == 302
    assert response.location.split("?")[0] == "/login"


def test_a_bearer_token_does_not_open_photo_files(world, upload):
    """Files are for the app's pages; scripts read metadata through the API."""
    photo_id = upload()

    response = world.app.test_client().get(f"/photos/{photo_id}/display", headers=world.auth)

    assert response.status_code == 302


@pytest.mark.parametrize("role", ["observer", "analyst", "admin"])
def test_every_logged_in_role_may_see_the_photos_of_any_walk(world, upload, login_as, role):
    photo_id = upload()
    client, _ = login_as(role)

    assert client.get(f"/photos/{photo_id}/thumb").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/photos/{random}/thumb",
        "/photos/{random}/display",
        "/photos/{photo}/../../etc/passwd",
        "/photos/not-a-uuid/thumb",
        "/photos/{photo}",
    ],
)
def test_what_is_not_a_served_copy_is_404(world, upload, path):
    photo_id = upload()

    response = world.client.get(path.format(random=uid(), photo=photo_id))

    assert response.status_code == 404


def test_a_row_whose_file_is_gone_is_404_not_500(world, upload):
    photo_id = upload()
    world.lose_all_files()

    assert world.client.get(f"/photos/{photo_id}/display").status_code == 404


@pytest.mark.parametrize("variant", VARIANTS)
def test_copies_are_served_as_jpeg_with_private_immutable_caching(world, upload, variant):
    photo_id = upload()
    photo = world.photo(photo_id)
    key = photo.thumb_key if variant == "thumb" else photo.display_key

    response = world.client.get(f"/photos/{photo_id}/{variant}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["ETag"] == f'"{key}"'
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    assert served_image(response).format == "JPEG"


def test_a_known_etag_gets_304_without_the_body(world, upload):
    photo_id = upload()
    first = world.client.get(f"/photos/{photo_id}/thumb")

    again = world.client.get(
        f"/photos/{photo_id}/thumb", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    other = world.client.get(f"/photos/{photo_id}/thumb", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_thumbnail_and_display_sizes_are_what_the_metadata_says(world, upload):
    photo_id = upload(data=photo_bytes(size=(3000, 2000)))
    photo = world.photo(photo_id)

    display = served_image(world.client.get(f"/photos/{photo_id}/display"))
    thumb = served_image(world.client.get(f"/photos/{photo_id}/thumb"))

    assert display.size == (photo.display_width, photo.display_height) == (2048, 1365)
    assert thumb.size == (photo.thumb_width, photo.thumb_height) == (400, 267)


@pytest.mark.parametrize(
    "fmt", ["JPEG", "PNG", "WEBP", pytest.param("HEIF", marks=needs_heif_encoder)]
)
def test_no_metadata_survives_in_any_served_file(world, upload, fmt):
    original = phone_photo(fmt)
    photo_id = upload(data=original)

    for variant in VARIANTS:
        response = world.client.get(f"/photos/{photo_id}/{variant}")
        body = response.get_data()
        assert body != original
        im = served_image(response)
        assert not im.getexif()
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "photoshop"):
            assert key not in im.info, (variant, key)
        assert [marker for marker, _ in im.applist] in ([], ["APP0"])
        for secret in (b"Exif", b"GPS", b"xmp", SERIAL.encode(), MAKE.encode()):
            assert secret not in body, (variant, secret)


def test_the_uploaded_bytes_are_never_served_even_when_kept(world):
    with world.app.app_context():  # an admin keeps originals at this walk's site
        walk = db.session.get(Walk, uuid.UUID(world.walk))
        walk.site.keep_originals = True
        db.session.commit()
    original = phone_photo()
    photo_id = uid()
    assert world.put(original, world.ids["fact"], photo_id).status_code == 201
    photo = world.photo(photo_id)
    assert photo.original_key == photo.sha256
    assert photo.sha256 in world.stored_files()

    for variant in VARIANTS:
        assert world.client.get(f"/photos/{photo_id}/{variant}").get_data() != original
    # Only admins download an original, logged (tests/privacy); the observer is refused.
    assert world.client.get(f"/photos/{photo_id}/original").status_code == 403


def test_originals_are_not_kept_by_default(world, upload):
    photo = world.photo(upload(data=phone_photo()))

    assert photo.original_key is None
    assert world.stored_files() == {photo.display_key, photo.thumb_key}


def test_photos_live_in_no_static_folder(world, upload):
    photo_id = upload()
    photo = world.photo(photo_id)
    static = world.app.static_folder

    assert not str(world.photo_dir()).startswith(static)
    for key in (photo.thumb_key, photo.display_key):
        assert world.client.get(f"/static/{key}").status_code == 404
        assert world.client.get(f"/static/photos/{key}").status_code == 404


def test_the_served_picture_is_upright(world, upload):
    photo_id = upload(data=oriented_jpeg(6))
    im = served_image(world.client.get(f"/photos/{photo_id}/display")).convert("RGB")

    assert im.size == (120, 80)
    red, green, _ = im.getpixel((10, 10))
    assert red > 200  # the red marker ends up top-left
    assert green < 60
