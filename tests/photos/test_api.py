"""PUT /api/v1/photos/{id} and GET its metadata: every record kind, idempotency,
conflicts, every refusal as problem details, never a 500."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gemba.accounts import services as accounts
from gemba.api import openapi
from gemba.extensions import db
from gemba.models import User
from tests.conftest import login, uid
from tests.photos.conftest import (
    KINDS,
    bad_file,
    needs_heif_encoder,
    phone_photo,
    photo_bytes,
)
from tests.unit.photo_factories import encode, exif_bytes, png_declaring

DOC = "urn:gemba:openapi"


def assert_conforms(response, method: str, status: int | None = None) -> None:
    """The answer is what the OpenAPI document promises for this operation and status."""
    document = openapi.document()
    status = status or response.status_code
    spec = document["paths"]["/photos/{photo_id}"][method]["responses"][str(status)]
    ((media_type, content),) = spec["content"].items()
    assert response.mimetype == media_type
    pointer = f"/paths/~1photos~1{{photo_id}}/{method}/responses/{status}/content/"
    pointer += media_type.replace("/", "~1") + "/schema"
    registry = Registry().with_resource(DOC, Resource(document, DRAFT202012))
    validator = Draft202012Validator(
        {"$ref": f"{DOC}#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [e.message for e in validator.iter_errors(response.get_json())]
    assert not errors, errors


def problem(response, status: int, field: str | None = None) -> dict[str, Any]:
    """Check a problem-details answer and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["detail"]
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field]
    assert_conforms(response, "put")
    return body


# -- created, unchanged, read back -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_photo_of_each_record_kind_is_stored(world, kind):
    photo_id = uid()
    response = world.put(photo_bytes(), world.ids[kind], photo_id)

    assert response.status_code == 201
    assert_conforms(response, "put")
    body = response.get_json()
    assert body["status"] == "created"
    assert body["record"] == world.ids[kind]
    assert body["record_type"] == kind
    assert body["walk"] == world.walk
    assert response.headers["Location"] == f"/api/v1/photos/{photo_id}"
    assert body["display"]["url"] == f"/api/v1/photos/{photo_id}/display"  # for the token
    assert body["thumb"]["url"] == f"/api/v1/photos/{photo_id}/thumb"
    stored = world.photo(photo_id)
    assert str(stored.record_id) == world.ids[kind]
    assert getattr(stored, f"{kind}_id") is not None


@pytest.mark.parametrize(
    ("data", "source_format"),
    [
        pytest.param(photo_bytes(), "JPEG", id="jpeg"),
        pytest.param(photo_bytes(progressive=True), "JPEG", id="jpeg-progressive"),
        pytest.param(photo_bytes(fmt="PNG"), "PNG", id="png"),
        pytest.param(photo_bytes(fmt="WEBP"), "WEBP", id="webp"),
        pytest.param(lambda: photo_bytes(fmt="HEIF"), "HEIF", id="heic", marks=needs_heif_encoder),
    ],
)
def test_every_accepted_format_goes_through_the_api(world, data, source_format):
    data = data() if callable(data) else data
    response = world.put(data, world.ids["thing"])

    assert response.status_code == 201
    assert response.get_json()["source_format"] == source_format


def test_metadata_reads_back_with_sizes_hash_and_capture_time(world):
    data = phone_photo()
    photo_id = uid()
    world.put(data, world.ids["fact"], photo_id)

    response = world.api.get(f"/api/v1/photos/{photo_id}", headers=world.auth)

    assert response.status_code == 200
    assert_conforms(response, "get")
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size_bytes"] == len(data)
    assert body["taken_at"] == "2026-11-20T07:12:00+00:00"
    assert (body["display"]["width"], body["display"]["height"]) == (96, 64)
    assert "gps" not in body
    assert "lat" not in str(body)
    assert "status" not in body


def test_a_bare_local_capture_time_is_not_turned_into_a_made_up_utc_time(world):
    data = photo_bytes(exif=exif_bytes(taken="2026:11:20 08:12:00"))
    photo_id = uid()
    assert world.put(data, world.ids["fact"], photo_id).status_code == 201

    assert world.photo(photo_id).taken_at is None


def test_sending_the_same_photo_again_is_unchanged_and_stores_nothing_new(world):
    data, photo_id = photo_bytes(), uid()
    first = world.put(data, world.ids["fact"], photo_id)
    files = world.stored_files()

    again = world.put(data, world.ids["fact"], photo_id)

    assert (first.status_code, again.status_code) == (201, 200)
    assert_conforms(again, "put")
    assert again.get_json()["status"] == "unchanged"
    assert "Location" not in again.headers
    assert world.photo_count() == 1
    assert world.stored_files() == files


def test_the_same_id_with_other_bytes_is_a_conflict(world):
    photo_id = uid()
    world.put(photo_bytes((10, 10, 10)), world.ids["fact"], photo_id)

    response = world.put(photo_bytes((250, 250, 250)), world.ids["fact"], photo_id)

    assert "different picture" in problem(response, 409, "id")["detail"]
    assert world.photo_count() == 1


def test_the_same_id_for_another_record_is_a_conflict(world):
    data, photo_id = photo_bytes(), uid()
    world.put(data, world.ids["fact"], photo_id)

    response = world.put(data, world.ids["statement"], photo_id)

    assert "another record" in problem(response, 409, "id")["detail"]
    assert str(world.photo(photo_id).record_id) == world.ids["fact"]


def test_the_same_picture_under_two_ids_shares_its_files(world):
    data = photo_bytes()
    world.put(data, world.ids["fact"])
    files = world.stored_files()

    assert world.put(data, world.ids["thing"]).status_code == 201

    assert world.photo_count() == 2
    assert world.stored_files() == files


# -- who may send ------------------------------------------------------------------------------


def test_another_observer_may_not_add_photos_to_my_walk(world, app, make_user):
    other = make_user("observer")
    with app.app_context():
        token = accounts.create_token(db.session.get(User, other.id))

    response = world.put(
        photo_bytes(), world.ids["fact"], headers={"Authorization": f"Bearer {token}"}
    )

    problem(response, 403, "record")
    assert world.photo_count() == 0
    assert world.stored_files() == set()


def test_an_admin_may_add_photos_to_any_walk(world, app, make_user):
    admin = make_user("admin")
    with app.app_context():
        token = accounts.create_token(db.session.get(User, admin.id))

    response = world.put(
        photo_bytes(), world.ids["fact"], headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 201


def test_without_credentials_the_answer_is_401(world):
    response = world.put(photo_bytes(), world.ids["fact"], headers={})

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert world.photo_count() == 0


def test_a_session_caller_needs_the_csrf_header(csrf_app, make_user, make_walk, write):
    owner = make_user("observer")
    walk = make_walk(owner)
    fact = uid()
    write(owner, {"type": "fact", "id": fact, "walk": walk, "text": "Seen"})
    client = login(csrf_app.test_client(), owner)
    form = {"record": fact}

    def send(**headers):
        data = {**form, "file": (io.BytesIO(photo_bytes()), "p.jpg")}
        return client.put(f"/api/v1/photos/{uid()}", data=data, headers=headers)

    assert send().status_code == 400
    page = client.get(f"/walks/{walk}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
    assert send(**{"X-CSRFToken": token}).status_code == 201


# -- refusals ----------------------------------------------------------------------------------


def test_unknown_record_is_404(world):
    problem(world.put(photo_bytes(), uid()), 404, "record")
    assert world.stored_files() == set()


def test_a_walk_is_not_a_record_a_photo_can_show(world):
    problem(world.put(photo_bytes(), world.walk), 404, "record")


def test_without_a_record_the_photo_is_refused_and_says_why(world):
    body = problem(world.put(photo_bytes(), None), 422, "record")

    assert "record" in body["detail"]
    assert "UUID" in body["detail"]
    assert world.photo_count() == 0


@pytest.mark.parametrize("record", ["", "   ", "not-a-uuid", "1234"])
def test_a_record_that_is_not_a_uuid_is_422(world, record):
    problem(world.put(photo_bytes(), record), 422, "record")


def test_without_a_file_field_the_request_is_malformed(world):
    body = problem(world.put(None, world.ids["fact"]), 400, "file")

    assert "file" in body["detail"]


def test_a_json_body_is_not_a_photo_upload(world):
    response = world.api.put(
        f"/api/v1/photos/{uid()}", json={"record": world.ids["fact"]}, headers=world.auth
    )

    problem(response, 415, "file")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("empty.jpg", 422),
        ("truncated.jpg", 422),
        ("truncated.png", 422),
        ("magic-then-garbage.jpg", 422),
        ("page-named-photo.jpg", 415),
        ("drawing.svg", 415),
        ("drawing-named-photo.jpg", 415),
        ("animation.gif", 415),
        ("bomb-20000x20000.png", 413),
        ("bomb-65000x65000.jpg", 413),
    ],
)
def test_bad_files_are_refused_with_a_clear_4xx(world, name, status):
    response = world.put(bad_file(name), world.ids["fact"], filename=name)

    body = problem(response, status, "file")
    assert body["detail"].endswith(".")
    assert world.photo_count() == 0
    assert world.stored_files() == set()


def test_a_bomb_under_the_configured_pixel_cap_is_refused_too(world):
    world.app.config["GEMBA_PHOTO_MAX_PIXELS"] = 1_000_000
    problem(world.put(png_declaring(2000, 1000), world.ids["fact"]), 413, "file")


def test_an_upload_over_the_request_limit_is_413_problem_json(world):
    world.app.config["MAX_CONTENT_LENGTH"] = 200_000
    response = world.put(b"\xff\xd8\xff" + b"\0" * 300_000, world.ids["fact"])

    assert "limit" in problem(response, 413)["detail"]
    assert world.photo_count() == 0


def test_the_default_limit_is_25_mb_from_the_app(world):
    assert world.app.config["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024
    response = world.put(b"\xff\xd8\xff" + bytes(25 * 1024 * 1024), world.ids["fact"])

    assert "25 MB" in problem(response, 413)["detail"]


def test_a_photo_under_the_request_limit_but_over_the_photo_limit_is_413(world):
    world.app.config["GEMBA_PHOTO_MAX_BYTES"] = 1000
    data = encode(Image.effect_noise((64, 64), 50), "PNG")

    problem(world.put(data, world.ids["fact"]), 413, "file")


def test_the_photo_route_never_answers_500_to_odd_input(world):
    odd = [
        {"data": {"file": "just text", "record": world.ids["fact"]}},
        {"data": {"record": world.ids["fact"], "use_gps": "maybe"}},
        {"data": b"\x00\x01garbage", "content_type": "multipart/form-data; boundary=x"},
        {"data": b"", "content_type": "multipart/form-data"},
        {"data": "plain", "content_type": "text/plain"},
    ]
    for kwargs in odd:
        response = world.api.put(f"/api/v1/photos/{uid()}", headers=world.auth, **kwargs)
        assert 400 <= response.status_code < 500, (kwargs, response.status_code)
        assert response.mimetype == "application/problem+json"
    assert world.api.get("/api/v1/photos/not-a-uuid", headers=world.auth).status_code == 404


def test_metadata_of_a_missing_photo_is_404_problem(world):
    response = world.api.get(f"/api/v1/photos/{uid()}", headers=world.auth)

    assert response.status_code == 404
    assert_conforms(response, "get")


def test_both_operations_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    item = document["paths"]["/photos/{photo_id}"]

    assert item["put"]["operationId"] == "putPhoto"
    assert item["get"]["operationId"] == "getPhoto"
    body = item["put"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["required"]) == {"file", "record"}
    assert "422" in item["put"]["description"]
    assert {"200", "201", "400", "401", "403", "404", "409", "413", "415", "422"} <= set(
        item["put"]["responses"]
    )
    assert "Photo" in document["components"]["schemas"]
