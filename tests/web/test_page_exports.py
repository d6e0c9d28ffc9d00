"""Exports from the pages: a walk's and a site's Gemba JSON and zip with photos, behind the
session's login, for anyone who may read them (everyone logged in, as in the API)."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

import pytest
from PIL import Image

from gemba.capture import records
from gemba.extensions import db
from gemba.interchange import imports
from gemba.models import User
from gemba.photos import service as photos
from tests.api.test_roundtrip import one_of_each, wipe, write
from tests.conftest import login
from tests.photos.conftest import photo_bytes


def _ids(batch: list[dict], kind: str) -> list[str]:
    return [r["id"] for r in batch if r["type"] == kind]


@pytest.fixture
def logged(app, make_user):
    """A walk with one record of each type (written by an admin, as an import would be),
    a photo on its place and one on its first fact; and an observer's browser."""
    admin = make_user("admin")
    batch = one_of_each()
    assert not write(app, admin, batch).rejected
    shots = {str(uuid.uuid4()): _ids(batch, "place")[0], str(uuid.uuid4()): _ids(batch, "fact")[0]}
    with app.app_context():
        actor = db.session.get(User, admin.id)
        for number, (photo_id, record) in enumerate(shots.items()):
            colour = (40 * number, 90, 200)
            photos.save_photo(actor, uuid.UUID(photo_id), photo_bytes(colour), uuid.UUID(record))
    browser = login(app.test_client(), make_user("observer"))
    return admin, batch, shots, browser


def test_the_walk_page_offers_both_downloads(logged):
    _, batch, _, browser = logged
    walk = _ids(batch, "walk")[0]
    page = browser.get(f"/walks/{walk}?basic=1").get_data(as_text=True)
    assert f'href="/walks/{walk}/export.json"' in page
    assert f'href="/walks/{walk}/export.zip"' in page
    assert "Gemba JSON" in page
    assert "Zip with photos" in page


def test_the_site_page_offers_both_downloads(logged):
    _, batch, _, browser = logged
    site = _ids(batch, "site")[0]
    page = browser.get(f"/manage/sites/{site}").get_data(as_text=True)
    assert f'href="/manage/sites/{site}/export.json"' in page
    assert f'href="/manage/sites/{site}/export.zip"' in page


def test_a_walk_downloads_as_gemba_json_that_imports_back(app, logged):
    admin, batch, _, browser = logged
    walk = _ids(batch, "walk")[0]
    response = browser.get(f"/walks/{walk}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    # The day the walk started, on the site's clock, and the start of its id.
    expected = f'attachment; filename="gemba-walk-2026-11-20-{walk[:8]}.json"'
    assert response.headers["Content-Disposition"] == expected
    first = response.get_data(as_text=True)
    document = json.loads(first)
    assert document["format"] == "gemba/v1"
    sent = {(r["type"], r["id"]) for r in batch}
    assert {(r["type"], r["id"]) for r in document["records"]} == sent

    wipe(app)
    assert browser.get(f"/walks/{walk}/export.json").status_code == 404
    with app.app_context():
        result = imports.import_document(db.session.get(User, admin.id), imports.parse_json(first))
    assert not result.rejected
    assert browser.get(f"/walks/{walk}/export.json").get_data(as_text=True) == first


def test_a_walk_zip_holds_its_document_and_photos(logged):
    _, batch, shots, browser = logged
    walk = _ids(batch, "walk")[0]
    response = browser.get(f"/walks/{walk}/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    expected = f'attachment; filename="gemba-walk-2026-11-20-{walk[:8]}.zip"'
    assert response.headers["Content-Disposition"] == expected
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as zf:
        assert zf.read("gemba.json") == browser.get(f"/walks/{walk}/export.json").get_data()
        listing = json.loads(zf.read("photos.json"))["photos"]
        assert {p["id"]: p["record"] for p in listing} == shots
        for entry in listing:
            Image.open(io.BytesIO(zf.read(entry["file"]))).verify()


def test_a_site_downloads_with_every_walk_and_photo(logged):
    _, batch, shots, browser = logged
    site = _ids(batch, "site")[0]
    response = browser.get(f"/manage/sites/{site}/export.json")
    assert response.status_code == 200
    name = response.headers["Content-Disposition"]
    assert re.fullmatch(
        rf'attachment; filename="gemba-site-\d{{4}}-\d\d-\d\d-{site[:8]}.json"', name
    )
    records = json.loads(response.get_data())["records"]
    assert {r["id"] for r in records} == {r["id"] for r in batch}
    archive = browser.get(f"/manage/sites/{site}/export.zip")
    assert archive.mimetype == "application/zip"
    assert archive.headers["Content-Disposition"] == name.replace(".json", ".zip")
    with zipfile.ZipFile(io.BytesIO(archive.get_data())) as zf:
        assert zf.read("gemba.json") == response.get_data()
        assert {p["id"] for p in json.loads(zf.read("photos.json"))["photos"]} == set(shots)


def test_a_site_with_no_walks_is_an_export_of_the_site_alone(login_as, make_site):
    site = make_site("Empty plant")
    browser, _ = login_as("observer")
    response = browser.get(f"/manage/sites/{site}/export.json")
    assert response.status_code == 200
    document = json.loads(response.get_data())
    assert document["format"] == "gemba/v1"
    assert [(r["type"], r["id"], r["name"]) for r in document["records"]] == [
        ("site", site, "Empty plant")
    ]
    archive = browser.get(f"/manage/sites/{site}/export.zip")
    with zipfile.ZipFile(io.BytesIO(archive.get_data())) as zf:
        assert sorted(zf.namelist()) == ["gemba.json", "photos.json"]
        assert json.loads(zf.read("photos.json")) == {"photos": []}


def test_logged_out_the_downloads_send_to_the_login_page(client, logged):
    _, batch, _, _ = logged
    walk, site = _ids(batch, "walk")[0], _ids(batch, "site")[0]
    for url in (
        f"/walks/{walk}/export.json",
        f"/walks/{walk}/export.zip",
        f"/manage/sites/{site}/export.json",
        f"/manage/sites/{site}/export.zip",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_an_unknown_or_deleted_walk_or_site_is_not_found(app, logged):
    admin, batch, _, browser = logged
    walk = _ids(batch, "walk")[0]
    with app.app_context():
        records.delete(db.session.get(User, admin.id), "walk", uuid.UUID(walk))
    for url in (
        f"/walks/{walk}/export.json",
        f"/walks/{walk}/export.zip",
        f"/walks/{uuid.uuid4()}/export.json",
        f"/walks/{uuid.uuid4()}/export.zip",
        f"/manage/sites/{uuid.uuid4()}/export.json",
        f"/manage/sites/{uuid.uuid4()}/export.zip",
    ):
        assert browser.get(url).status_code == 404, url


def test_another_observers_walk_downloads_for_any_reader(app, make_user, make_walk):
    owner = make_user("observer")
    walk = make_walk(owner)
    for role in ("observer", "analyst", "admin"):
        browser = login(app.test_client(), make_user(role))
        response = browser.get(f"/walks/{walk}/export.json")
        assert response.status_code == 200, role
        walks = [r for r in json.loads(response.get_data())["records"] if r["type"] == "walk"]
        assert [w["id"] for w in walks] == [walk]
