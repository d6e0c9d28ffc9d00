"""A site's photo and privacy settings on its page: admins set them, another role's
POST leaves them as they were, and bad input comes back by its field, never a 500."""

from __future__ import annotations

import re
import uuid

import pytest

from gemba.extensions import db
from gemba.models import AuditEvent, Site


@pytest.fixture
def site_id(make_site) -> str:
    return make_site("Plant 7")


def settings(app, site_id: str) -> dict:
    with app.app_context():
        site = db.session.get(Site, uuid.UUID(site_id))
        return {
            "name": site.name,
            "works_council": site.works_council,
            "keep_originals": site.keep_originals,
            "photo_roles": site.photo_roles,
            "retention_days": site.retention_days,
        }


def post(client, site_id: str, **fields):
    """The site form as a browser sends it: checked boxes only, every text field."""
    data = {"site-name": "Plant 7", "site-description": "", "site-time_zone": "UTC"}
    data |= {f"site-{name}": value for name, value in fields.items()}
    return client.post(f"/manage/sites/{site_id}", data=data)


def error_of(html: str, field: str) -> str:
    """The error shown by a field of the site form ('' when there is none): what lies
    between the field's own mark and the next field's (or the save button)."""
    start = html.index(f'data-field="site-{field}"')
    ends = [i for i in (html.find("data-field=", start + 1), html.find("<button", start)) if i > 0]
    found = re.search(r'<p class="error"[^>]*>(.*?)</p>', html[start : min(ends)], re.S)
    return found[1].strip() if found else ""


def test_an_admin_saves_the_privacy_settings(app, login_as, site_id):
    client, _ = login_as("admin")

    response = post(
        client,
        site_id,
        works_council="y",
        photo_roles=["analyst"],
        retention_days="30",
    )

    assert response.status_code == 302
    assert settings(app, site_id) == {
        "name": "Plant 7",
        "works_council": True,
        "keep_originals": False,
        "photo_roles": "analyst,admin",
        "retention_days": 30,
    }
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "privacy_set"))
        assert event.detail["to"]["works_council"] is True


def test_every_role_chosen_means_no_limit_and_blank_retention_keeps(app, login_as, site_id):
    client, _ = login_as("admin")
    post(client, site_id, photo_roles=["observer"], retention_days="10")

    post(
        client,
        site_id,
        photo_roles=["observer", "analyst", "admin"],
        retention_days="",
        keep_originals="y",
    )

    assert settings(app, site_id) | {"name": None} == {
        "name": None,
        "works_council": False,
        "keep_originals": True,
        "photo_roles": None,
        "retention_days": None,
    }


def test_an_admin_sees_the_fieldset_filled_from_the_site(app, login_as, site_id):
    with app.app_context():
        site = db.session.get(Site, uuid.UUID(site_id))
        site.photo_roles, site.retention_days = "analyst,admin", 90
        db.session.commit()
    client, _ = login_as("admin")

    html = client.get(f"/manage/sites/{site_id}").get_data(as_text=True)

    assert "Photos and privacy" in html
    assert re.search(
        r'name="site-photo_roles" type="checkbox" value="analyst" checked', html
    ) or re.search(r'checked[^>]*name="site-photo_roles"[^>]*value="analyst"', html)
    assert not re.search(
        r'<input[^>]*checked[^>]*name="site-photo_roles"[^>]*value="observer"', html
    )
    assert 'name="site-retention_days"' in html
    assert 'value="90"' in html


def test_an_analyst_sees_the_settings_but_cannot_change_them(app, login_as, site_id):
    client, _ = login_as("analyst")

    html = client.get(f"/manage/sites/{site_id}").get_data(as_text=True)
    response = post(
        client,
        site_id,
        name="Plant 7b",
        works_council="y",
        keep_originals="y",
        photo_roles=["admin"],
        retention_days="0",
    )

    assert "Works-council site: no" in html
    assert 'name="site-works_council"' not in html
    assert response.status_code == 302  # the rest of the form is saved
    assert settings(app, site_id) == {
        "name": "Plant 7b",
        "works_council": False,
        "keep_originals": False,
        "photo_roles": None,
        "retention_days": None,
    }


def test_originals_are_refused_on_a_works_council_site_by_their_field(app, login_as, site_id):
    client, _ = login_as("admin")

    response = post(client, site_id, name="Renamed", works_council="y", keep_originals="y")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, "keep_originals") == "Originals are never kept on a works-council site."
    assert settings(app, site_id)["works_council"] is False
    assert settings(app, site_id)["name"] == "Plant 7"


@pytest.mark.parametrize("days", ["0", "-1", "abc", "2.5", "99999999999999999999"])
def test_a_retention_that_is_not_a_number_of_days_is_refused_by_its_field(
    app, login_as, site_id, days
):
    client, _ = login_as("admin")

    response = post(client, site_id, retention_days=days)

    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "retention_days") != ""
    assert settings(app, site_id)["retention_days"] is None


def test_an_unknown_role_is_refused_not_a_500(app, login_as, site_id):
    client, _ = login_as("admin")

    response = post(client, site_id, photo_roles=["owner"])

    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "photo_roles") != ""
    assert settings(app, site_id)["photo_roles"] is None


def test_a_new_site_is_made_without_privacy_settings(app, login_as):
    client, _ = login_as("admin")

    response = client.post(
        "/manage/sites",
        data={"name": "Plant 9", "time_zone": "UTC", "works_council": "y", "retention_days": "abc"},
    )

    assert response.status_code == 302
    new_id = response.location.rsplit("/", 1)[1]
    assert settings(app, new_id)["works_council"] is False
