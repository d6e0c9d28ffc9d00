"""Photos from the capture forms: saved with the record in one action, refused photos
reported by name without losing the record or the text typed, GPS only on opt-in."""

from __future__ import annotations

import io
import re
import uuid

import pytest

from gemba.extensions import db
from gemba.models import Photo, Place
from tests.conftest import login, uid
from tests.photos.conftest import (
    KINDS,
    LONDON,
    bad_file,
    close_body,
    phone_photo,
    photo_bytes,
)

FIELDS = {
    "place": {"name": "Press 2"},
    "thing": {"name": "Torque wrench", "kind": "tool"},
    "fact": {"text": "Guard left open", "outcome": "note"},
    "statement": {"text": "Guards stay shut", "source": "interview", "claim": ""},
}


def post_form(client, walk: str, kind: str, files=(), camera=(), record_id=None, **extra):
    """Submit the add form of a kind with photos in the two file inputs."""
    record_id = record_id or uid()
    data = {**FIELDS[kind], "record_id": record_id, **extra}
    data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    data["camera"] = [(io.BytesIO(content), name) for name, content in camera]
    response = client.post(
        f"/walks/{walk}/{kind}s/new", data=data, content_type="multipart/form-data"
    )
    close_body(response)
    return response, record_id


def photos_of(app, record_id: str) -> list[Photo]:
    with app.app_context():
        rows = db.session.scalars(db.select(Photo).order_by(Photo.created_at)).all()
        found = [p for p in rows if str(p.record_id) == record_id]
        for photo in found:
            db.session.expunge(photo)
        return found


@pytest.mark.parametrize("kind", KINDS)
def test_each_record_form_saves_its_photos_in_the_same_action(world, kind):
    files = [("a.jpg", photo_bytes((200, 0, 0))), ("b.png", photo_bytes((0, 200, 0), fmt="PNG"))]
    camera = [("image.jpg", photo_bytes((0, 0, 200)))]

    response, record_id = post_form(world.client, world.walk, kind, files, camera)

    assert response.status_code == 302
    assert response.location.endswith(f"/walks/{world.walk}#r-{record_id}")
    stored = photos_of(world.app, record_id)
    assert len(stored) == 3
    assert {p.source_format for p in stored} == {"JPEG", "PNG"}
    page = world.client.get(f"/walks/{world.walk}").get_data(as_text=True)
    assert f"{kind.capitalize()} saved with 3 photos." in page
    for photo in stored:
        assert f"/photos/{photo.id}/thumb" in page


def test_the_form_is_multipart_with_both_photo_inputs(world):
    for kind in KINDS:
        page = world.client.get(f"/walks/{world.walk}/{kind}s/new").get_data(as_text=True)
        assert 'enctype="multipart/form-data"' in page
        camera = re.search(r"<input[^>]*name=\"camera\"[^>]*>", page)[0]
        chooser = re.search(r"<input[^>]*name=\"photos\"[^>]*>", page)[0]
        assert 'capture="environment"' in camera
        assert 'accept="image/*"' in camera
        assert 'accept="image/*"' in chooser
        assert "multiple" in chooser
        assert ("Use photo GPS for this place" in page) == (kind == "place")
        assert "style=" not in page
        assert "<script>" not in page


def test_a_form_without_photos_still_saves(world):
    response, record_id = post_form(world.client, world.walk, "fact")

    assert response.status_code == 302
    assert photos_of(world.app, record_id) == []


def test_a_refused_photo_keeps_the_record_the_text_and_the_good_photos(world):
    files = [
        ("good.jpg", photo_bytes()),
        ("notes.jpg", bad_file("page-named-photo.jpg")),
        ("IMG_0001.jpg", bad_file("truncated.jpg")),
    ]

    response, record_id = post_form(
        world.client, world.walk, "fact", files, text="Forklift parked in the walkway"
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Fact saved, but 2 photos could not be added." in page
    assert "notes.jpg: This file is not a photo (JPEG, PNG, WebP or HEIC)." in page
    assert "IMG_0001.jpg: This photo is damaged or incomplete." in page
    assert "Forklift parked in the walkway" in page  # the text typed is still in the form
    assert f'name="record_id" value="{record_id}"' in page
    assert len(photos_of(world.app, record_id)) == 1
    assert f"/photos/{photos_of(world.app, record_id)[0].id}/thumb" in page
    walk = world.client.get(f"/walks/{world.walk}").get_data(as_text=True)
    assert "Forklift parked in the walkway" in walk


def test_sending_the_form_again_does_not_duplicate_its_records_or_photos(world):
    files = [("a.jpg", photo_bytes())]
    first, record_id = post_form(world.client, world.walk, "thing", files)

    again, _ = post_form(world.client, world.walk, "thing", files, record_id=record_id)

    assert first.status_code == again.status_code == 302
    assert len(photos_of(world.app, record_id)) == 1


def test_the_same_picture_twice_in_one_form_is_stored_once(world):
    data = photo_bytes()

    _, record_id = post_form(world.client, world.walk, "fact", [("a.jpg", data)], [("b.jpg", data)])

    assert len(photos_of(world.app, record_id)) == 1


def test_the_edit_form_shows_the_photos_and_adds_more(world, upload):
    photo_id = upload("thing")
    url = f"/walks/{world.walk}/things/{world.ids['thing']}/edit"

    page = world.client.get(url).get_data(as_text=True)
    assert f"/photos/{photo_id}/thumb" in page

    response = world.client.post(
        url,
        data={**FIELDS["thing"], "photos": [(io.BytesIO(photo_bytes((9, 9, 9))), "more.jpg")]},
        content_type="multipart/form-data",
    )
    close_body(response)
    assert response.status_code == 302
    assert len(photos_of(world.app, world.ids["thing"])) == 2


def test_an_observer_cannot_attach_photos_to_another_walk_through_the_form(world, login_as):
    client, _ = login_as("observer")
    response, record_id = post_form(client, world.walk, "fact", [("a.jpg", photo_bytes())])

    assert response.status_code == 403
    assert world.photo_count() == 0


# -- GPS ---------------------------------------------------------------------------------------


def place_position(app, place_id: str) -> tuple[float | None, float | None]:
    with app.app_context():
        place = db.session.get(Place, uuid.UUID(place_id))
        return place.lat, place.lon


def test_photo_gps_fills_a_new_place_when_asked(world):
    response, place_id = post_form(
        world.client, world.walk, "place", [("a.jpg", phone_photo())], photo_gps="y"
    )

    assert response.status_code == 302
    assert place_position(world.app, place_id) == pytest.approx(LONDON)


def test_photo_gps_is_discarded_without_the_opt_in(world):
    _, place_id = post_form(world.client, world.walk, "place", [("a.jpg", phone_photo())])

    assert place_position(world.app, place_id) == (None, None)


def test_photo_gps_never_overwrites_a_position_the_place_has(world):
    _, place_id = post_form(
        world.client,
        world.walk,
        "place",
        [("a.jpg", phone_photo())],
        photo_gps="y",
        lat="48.85",
        lon="2.35",
    )

    assert place_position(world.app, place_id) == (48.85, 2.35)


def test_api_use_gps_fills_the_place_of_a_fact(world, write):
    write(
        world.owner,
        {
            "type": "fact",
            "id": world.ids["fact"],
            "walk": world.walk,
            "text": "Guard left open",
            "place": world.ids["place"],
        },
    )
    response = world.put(phone_photo(), world.ids["fact"], use_gps="true")

    assert response.status_code == 201
    assert place_position(world.app, world.ids["place"]) == pytest.approx(LONDON)


def test_api_without_use_gps_leaves_the_place_alone(world):
    assert world.put(phone_photo(), world.ids["place"]).status_code == 201

    assert place_position(world.app, world.ids["place"]) == (None, None)


# -- too large ---------------------------------------------------------------------------------


def test_photos_over_the_request_limit_get_a_page_that_says_what_to_do(world):
    world.app.config["MAX_CONTENT_LENGTH"] = 100_000
    response, record_id = post_form(
        world.client, world.walk, "fact", [("big.jpg", b"\xff\xd8\xff" + bytes(150_000))]
    )

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Those photos are too large together" in page
    assert "Back button" in page
    assert world.photo_count() == 0


def test_a_single_photo_over_the_photo_limit_is_refused_by_name(world):
    world.app.config["GEMBA_PHOTO_MAX_BYTES"] = 500
    response, record_id = post_form(
        world.client, world.walk, "fact", [("huge.png", photo_bytes(size=(200, 200), fmt="PNG"))]
    )

    assert response.status_code == 200
    assert "huge.png: This photo is too large" in response.get_data(as_text=True)


# -- with CSRF on, as in production ------------------------------------------------------------


def test_photos_go_through_a_form_with_csrf_protection(csrf_app, make_user, make_walk):
    owner = make_user("observer")
    walk = make_walk(owner)
    client = login(csrf_app.test_client(), owner)
    form = client.get(f"/walks/{walk}/facts/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
    record_id = re.search(r'name="record_id" value="([^"]+)"', form)[1]

    without, _ = post_form(client, walk, "fact", [("a.jpg", photo_bytes())], record_id=record_id)
    assert without.status_code == 400
    assert photos_of(csrf_app, record_id) == []

    response, _ = post_form(
        client, walk, "fact", [("a.jpg", photo_bytes())], record_id=record_id, csrf_token=token
    )
    assert response.status_code == 302
    assert len(photos_of(csrf_app, record_id)) == 1
