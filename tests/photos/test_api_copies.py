"""A script with a token reads the photo copies through the API: the addresses in the
metadata it gets point there, the bytes and cache headers are the pages' own, and nobody
without credentials gets a byte."""

from __future__ import annotations

import pytest

VARIANTS = ("thumb", "display")


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_token_reads_each_copy_where_the_metadata_says(world, upload, variant):
    photo_id = upload()
    client = world.app.test_client()
    body = client.get(f"/api/v1/photos/{photo_id}", headers=world.auth).get_json()
    url = body[variant]["url"]
    assert url == f"/api/v1/photos/{photo_id}/{variant}"

    response = client.get(url, headers=world.auth)

    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data[:2] == b"\xff\xd8"
    assert "private" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(url, headers={**world.auth, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_the_pages_copy_and_the_apis_are_the_same_bytes(world, upload, login_as):
    photo_id = upload()
    page_client, _ = login_as("analyst")
    from_pages = page_client.get(f"/photos/{photo_id}/display")
    from_api = world.app.test_client().get(f"/api/v1/photos/{photo_id}/display", headers=world.auth)
    assert from_pages.data == from_api.data
    assert from_pages.headers["ETag"] == from_api.headers["ETag"]


def test_a_session_keeps_the_pages_addresses(world, upload, login_as):
    photo_id = upload()
    client, _ = login_as("observer")
    body = client.get(f"/api/v1/photos/{photo_id}").get_json()
    assert body["thumb"]["url"] == f"/photos/{photo_id}/thumb"
    assert client.get(f"/api/v1/photos/{photo_id}/thumb").status_code == 200


@pytest.mark.parametrize("variant", VARIANTS)
def test_without_credentials_the_answer_is_a_401_problem(world, upload, variant):
    photo_id = upload()
    response = world.app.test_client().get(f"/api/v1/photos/{photo_id}/{variant}")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/photos/8d0c2a9e-5b1d-4c3e-9a7f-6d2e1b0c9a88/thumb",
        "/api/v1/photos/{photo}/original",
        "/api/v1/photos/not-a-uuid/display",
    ],
)
def test_what_is_not_a_copy_is_404(world, upload, path):
    photo_id = upload()
    response = world.app.test_client().get(path.format(photo=photo_id), headers=world.auth)
    assert response.status_code == 404
