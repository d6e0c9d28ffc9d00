"""The site record's `time_zone` in Gemba JSON: sync, reads, OpenAPI, export and import."""

from __future__ import annotations

import io
import json
import uuid

from sqlalchemy import select

from gemba.api import openapi
from gemba.domain.clock import ZONE_MESSAGE
from gemba.extensions import db
from gemba.interchange import exports, imports
from gemba.models import Site, User
from tests.api.conftest import assert_conforms
from tests.conftest import make_test_app, uid

WARSAW = "Europe/Warsaw"


def site(site_id: str, **fields) -> dict:
    return {"type": "site", "id": site_id, "name": "Plant 2", **fields}


def stored_zone(app, site_id: str) -> str:
    with app.app_context():
        return db.session.get(Site, uuid.UUID(site_id)).time_zone


def test_the_api_lists_sites_with_their_zone(api):
    warsaw, chicago = uid(), uid()
    api.sync(site(warsaw, time_zone=WARSAW), site(chicago, name="Depot", time_zone="US/Central"))
    response = api.get("/sites")
    assert_conforms(response, "/sites")
    zones = {item["id"]: item["time_zone"] for item in response.get_json()["items"]}
    # Spelt as the zone database spells it; a link name is kept as given.
    assert zones == {warsaw: WARSAW, chicago: "US/Central"}


def test_the_openapi_document_describes_the_zone():
    schema = openapi.document()["components"]["schemas"]["SiteRecord"]
    assert "time_zone" in schema["properties"]
    assert "time_zone" not in schema["required"]


def test_a_bad_zone_is_rejected_by_its_field(api, app):
    site_id = uid()
    response = api.sync(site(site_id, time_zone="Europe/Atlantis"))
    (result,) = response.get_json()["results"]
    assert result["status"] == "rejected"
    assert result["errors"] == [{"field": "time_zone", "message": ZONE_MESSAGE}]
    with app.app_context():
        assert db.session.get(Site, uuid.UUID(site_id)) is None


def test_a_zone_is_stored_as_the_database_spells_it(api, app):
    site_id = uid()
    api.sync(site(site_id, time_zone="europe/WARSAW"))
    assert stored_zone(app, site_id) == WARSAW
    (again,) = api.sync(site(site_id, time_zone=WARSAW)).get_json()["results"]
    assert again["status"] == "unchanged"


def test_a_site_sent_without_a_zone_keeps_its_own(api, api_as, app):
    site_id = uid()
    api.sync(site(site_id, time_zone=WARSAW))
    # An observer's phone resends the site with its walk, without the newer field.
    observer = api_as("observer")
    (result,) = observer.sync(site(site_id)).get_json()["results"]
    assert result["status"] == "unchanged"
    (result,) = api.sync(site(site_id, time_zone=None)).get_json()["results"]
    assert result["status"] == "unchanged"
    assert stored_zone(app, site_id) == WARSAW


def test_a_new_site_without_a_zone_gets_the_servers(database_uri, tmp_path, make_user):
    chicago = make_test_app(database_uri, tmp_path, GEMBA_DEFAULT_TIME_ZONE="America/Chicago")
    admin = make_user("admin")
    site_id = uid()
    with chicago.app_context():
        document = {"format": "gemba/v1", "records": [site(site_id)]}
        result = imports.import_document(db.session.get(User, admin.id), document)
    assert not result.rejected
    assert stored_zone(chicago, site_id) == "America/Chicago"
    with chicago.app_context():  # no connection outlives the test
        db.session.remove()
        db.engine.dispose()


def test_an_export_carries_the_zone_and_an_import_restores_it(app, make_user, write):
    admin = make_user("admin")
    site_id = uid()
    write(admin, site(site_id, time_zone=WARSAW))
    with app.app_context():
        text = exports.site_export(db.session.get(Site, uuid.UUID(site_id))).dumps()
    assert json.loads(text)["records"][0]["time_zone"] == WARSAW
    with app.app_context():
        db.session.delete(db.session.get(Site, uuid.UUID(site_id)))
        db.session.commit()
        result = imports.import_document(db.session.get(User, admin.id), imports.parse_json(text))
        assert imports.summary(result)["created"] == 1
        again = exports.site_export(db.session.get(Site, uuid.UUID(site_id))).dumps()
    assert again == text
    assert stored_zone(app, site_id) == WARSAW


def test_an_import_with_a_bad_zone_says_which_field(app, make_user, login_as):
    client, _ = login_as("admin")
    document = {"format": "gemba/v1", "records": [site(uid(), time_zone="Mars/Olympus_Mons")]}
    upload = (io.BytesIO(json.dumps(document).encode()), "plant.json")
    response = client.post(
        "/manage/import", data={"file": upload}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "nothing was imported" in html
    assert f"time_zone: {ZONE_MESSAGE}" in html
    with app.app_context():
        assert db.session.scalars(select(Site)).all() == []
