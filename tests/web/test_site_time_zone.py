"""A site's time zone: chosen in the site form, and every page shows the site's clock.

A walk at 07:48 UTC at a Warsaw plant happened at 08:48 there: the walk page, the
report, the gap page, the inbox and the CSV all say 08:48 (CET), while `<time>` keeps
the UTC instant.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime

import pytest
from flask import render_template_string
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from gemba.domain.clock import ZONE_MESSAGE
from gemba.extensions import db
from gemba.models import Gap, Site, Walk
from gemba.platform.database import MIGRATIONS_DIR
from tests.conftest import login, make_test_app, uid

WARSAW = "Europe/Warsaw"


@pytest.fixture
def plant(make_user, write):
    """A Warsaw site with a walk at 07:48 UTC, a claim said then and a fact against it."""
    admin = make_user("admin")
    site, walk, said, fact = uid(), uid(), uid(), uid()
    result = write(
        admin,
        {"type": "site", "id": site, "name": "Plant Warsaw", "time_zone": WARSAW},
        {
            "type": "walk",
            "id": walk,
            "site": site,
            "title": "Morning round",
            "started_at": "2026-12-03T07:48:00Z",
            "ended_at": "2026-12-03T09:05:00Z",
        },
        {
            "type": "statement",
            "id": said,
            "walk": walk,
            "topic": "Badge scan",
            "text": "We always scan our badges.",
            "claim": {"frequency": "always"},
            "observed_at": "2026-12-03T07:48:00Z",
        },
        {
            "type": "fact",
            "id": fact,
            "walk": walk,
            "topic": "Badge scan",
            "text": "Walked in without scanning",
            "performed": False,
            "observed_at": "2026-12-03T07:52:00Z",
        },
    )
    assert not result.rejected
    return {"admin": admin, "site": site, "walk": walk, "statement": said}


def gap_of(app, statement: str) -> uuid.UUID:
    with app.app_context():
        return db.session.scalar(select(Gap.id).where(Gap.statement_id == uuid.UUID(statement)))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_walk_page_shows_the_walk_on_the_sites_clock(app, plant, login_as):
    client, _ = login_as("admin", plant["admin"])
    html = page(client, f"/walks/{plant['walk']}")
    assert "03 Dec 2026, 08:48 CET" in html
    assert "07:48 UTC" not in html
    assert re.search(r'<time datetime="2026-12-03T07:52:00\+00:00">08:52</time>', html)


def test_the_report_and_the_gap_page_show_the_sites_clock(app, plant, login_as):
    client, _ = login_as("analyst")
    report = page(client, f"/review/walks/{plant['walk']}/report")
    assert "03 Dec 2026, 08:48 CET – 10:05 CET" in report
    gap = page(client, f"/review/gaps/{gap_of(app, plant['statement'])}")
    assert re.search(r'datetime="2026-12-03T07:48:00\+00:00">03 Dec 2026 08:48 CET<', gap)
    assert re.search(r'datetime="2026-12-03T07:52:00\+00:00">03 Dec 2026 08:52 CET<', gap)
    assert " UTC" not in gap


def test_the_gaps_csv_gives_plant_time_with_its_offset(app, plant, login_as):
    client, _ = login_as("analyst")
    rows = list(csv.DictReader(io.StringIO(page(client, "/review/gaps.csv?status=all"))))
    assert [row["said_at"] for row in rows] == ["2026-12-03T08:48:00+01:00"]
    assert rows[0]["flagged_at"].endswith("+01:00")


def test_a_summer_walk_shows_summer_time(app, make_user, write, login_as):
    admin = make_user("admin")
    site, walk = uid(), uid()
    write(
        admin,
        {"type": "site", "id": site, "name": "Plant Warsaw", "time_zone": WARSAW},
        # The last Sunday of March 2026: clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC.
        {"type": "walk", "id": walk, "site": site, "title": "Night shift",
         "started_at": "2026-03-29T01:00:00Z"},
    )  # fmt: skip
    client, _ = login_as("admin", admin)
    assert "29 Mar 2026, 03:00 CEST" in page(client, f"/walks/{walk}")


@pytest.fixture
def chicago_app(database_uri, tmp_path):
    """The app on a server whose default zone is Chicago's."""
    app = make_test_app(database_uri, tmp_path, GEMBA_DEFAULT_TIME_ZONE="America/Chicago")
    yield app
    with app.app_context():  # no connection outlives the test (PostgreSQL would keep it)
        db.session.remove()
        db.engine.dispose()


def test_times_tied_to_no_site_use_the_default_zone(chicago_app):
    moment = datetime(2026, 12, 3, 7, 48, tzinfo=UTC)
    with chicago_app.test_request_context():
        shown = render_template_string(
            "{{ moment|local_time }} / {{ moment|local_time(zone) }} / {{ moment|local_date }}",
            moment=moment,
            zone=WARSAW,
        )
    assert shown == "03 Dec 2026 01:48 CST / 03 Dec 2026 08:48 CET / 03 Dec 2026"


def test_a_new_site_starts_with_the_servers_zone(chicago_app, make_user):
    client = login(chicago_app.test_client(), make_user("analyst"))
    form = page(client, "/manage/sites")
    assert re.search(r'<input[^>]*id="time_zone"[^>]*value="America/Chicago"', form)
    assert '<option value="Europe/Warsaw">' in form
    response = client.post("/manage/sites", data={"name": "Plant Chicago"})
    assert response.status_code == 302
    assert stored_zones(chicago_app) == {"Plant Chicago": "America/Chicago"}


def test_an_analyst_chooses_the_zone_when_making_a_site_and_changes_it(app, login_as):
    client, _ = login_as("analyst")
    response = client.post("/manage/sites", data={"name": "Plant 2", "time_zone": "europe/warsaw"})
    assert response.status_code == 302
    assert stored_zones(app) == {"Plant 2": WARSAW}
    assert "Times here are shown in Europe/Warsaw." in page(client, response.location)
    edit = {"site-name": "Plant 2", "site-time_zone": "America/Chicago"}
    assert client.post(response.location, data=edit).status_code == 302
    assert stored_zones(app) == {"Plant 2": "America/Chicago"}


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "CET+1", "../../etc/passwd", "x" * 65])
def test_a_bad_zone_is_refused_by_its_field_and_the_input_kept(app, login_as, zone):
    client, _ = login_as("analyst")
    response = client.post("/manage/sites", data={"name": "Plant 2", "time_zone": zone})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'id="time_zone-error">[^<]*(IANA name|longer than 64)', html)
    assert stored_zones(app) == {}


def test_a_bad_zone_on_the_edit_form_keeps_the_stored_one(app, login_as, make_site):
    client, _ = login_as("analyst")
    site = make_site("Plant 2")
    edit = {"site-name": "Plant 2", "site-time_zone": "Europe/Atlantis"}
    response = client.post(f"/manage/sites/{site}", data=edit)
    assert response.status_code == 200
    assert ZONE_MESSAGE in response.get_data(as_text=True).replace("&#39;", "'")
    assert stored_zones(app) == {"Plant 2": "UTC"}


def stored_zones(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Site.name, Site.time_zone)).all())


def test_the_migration_gives_existing_sites_the_servers_zone_and_keeps_their_walks(
    app, make_user, make_walk
):
    walk = make_walk(make_user())
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="f1a2b3c4d5e6")  # before time zones
        app.config["GEMBA_DEFAULT_TIME_ZONE"] = WARSAW
        upgrade(directory=MIGRATIONS_DIR)
        assert db.session.scalars(select(Site.time_zone)).all() == [WARSAW]
        # Sites are altered in place: no rebuild of the table cascading to its walks.
        assert db.session.get(Walk, uuid.UUID(walk)) is not None
