"""Starting a walk on the server pages: "Announced" comes preselected as the site or the
plan has it, an unannounced walk is stored as such, and a walk to shadow that cannot be
shadowed is refused next to its field."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from gemba.extensions import db
from gemba.models import Plan, Site, Walk
from tests.conftest import login


def _checked(html: str, name: str) -> str:
    """The value of the checked radio button of a field."""
    found = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return next(re.search(r'value="([^"]*)"', i).group(1) for i in found if "checked" in i)


@pytest.fixture
def sites(app):
    """Two sites: Plant 2 walks announced (the default), Plant 9 walks unannounced."""
    with app.app_context():
        announced, unannounced = Site(name="Plant 2"), Site(name="Plant 9", walks_announced=False)
        db.session.add_all([announced, unannounced])
        db.session.commit()
        return str(announced.id), str(unannounced.id)


def _walk(app, user, site: str, calibrates: str | None = None) -> str:
    with app.app_context():
        walk = Walk(
            site_id=uuid.UUID(site),
            observer_id=user.id,
            title=f"Round at {site[:4]}",
            started_at=datetime.now(UTC),
            calibrates_id=uuid.UUID(calibrates) if calibrates else None,
        )
        db.session.add(walk)
        db.session.commit()
        return str(walk.id)


def test_announced_is_preselected_from_the_site(app, make_user, sites):
    plant2, plant9 = sites
    client = login(app.test_client(), make_user())
    assert _checked(client.get(f"/walks/new?site={plant2}").text, "announced") == "yes"
    page = client.get(f"/walks/new?site={plant9}").text
    assert _checked(page, "announced") == "no"
    assert _checked(page, "observer_visible") == "yes"
    assert "No, unannounced" in page
    assert "Yes, the team knows" in page


def test_announced_is_preselected_from_the_plan(app, make_user, sites):
    plant2, _ = sites
    with app.app_context():
        plan = Plan(site_id=uuid.UUID(plant2), title="Surprise 5S audit", announced=False)
        db.session.add(plan)
        db.session.commit()
        plan_id = str(plan.id)
    client = login(app.test_client(), make_user())
    page = client.get(f"/walks/new?plan={plan_id}").text
    assert _checked(page, "announced") == "no"  # the site says yes; the plan wins
    assert 'value="Surprise 5S audit"' in page
    response = client.post(
        "/walks/new",
        data={"site": plant2, "title": "Surprise 5S audit", "announced": "no",
              "observer_visible": "yes", "plan": plan_id},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        walk = db.session.scalar(db.select(Walk).where(Walk.title == "Surprise 5S audit"))
        assert str(walk.plan_id) == plan_id
        assert walk.announced is False


def test_an_unannounced_walk_is_stored_unannounced(app, make_user, sites):
    plant2, _ = sites
    client = login(app.test_client(), make_user())
    response = client.post(
        "/walks/new",
        data={"site": plant2, "title": "Night shift", "announced": "no", "observer_visible": "no"},
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Unannounced walk" in page
    with app.app_context():
        walk = db.session.scalar(db.select(Walk).where(Walk.title == "Night shift"))
        assert walk.announced is False
        assert walk.observer_visible is False


def test_shadowing_a_walk_shows_it_on_the_walk_page(app, make_user, sites):
    plant2, _ = sites
    other = make_user(email="ana@example.com")
    shadowed = _walk(app, other, plant2)
    client = login(app.test_client(), make_user())
    page = client.get(f"/walks/new?site={plant2}").text
    assert f'<option value="{shadowed}">' in page  # another observer's walk of today
    response = client.post(
        "/walks/new",
        data={"site": plant2, "title": "Second pair of eyes", "announced": "yes",
              "observer_visible": "yes", "calibrates": shadowed},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.location).text
    assert f"Calibration walk: shadowing Round at {plant2[:4]} (ana)" in page


def test_shadowing_a_walk_at_another_site_is_refused_by_the_field(app, make_user, sites):
    plant2, plant9 = sites
    elsewhere = _walk(app, make_user(), plant9)
    client = login(app.test_client(), make_user())
    response = client.post(
        "/walks/new",
        data={"site": plant2, "title": "Wrong site", "announced": "yes",
              "observer_visible": "yes", "calibrates": elsewhere},
    )  # fmt: skip
    assert response.status_code == 200
    field = re.search(r'data-field="calibrates".*?</div>', response.text, re.S).group(0)
    assert "The walk to shadow is at another site." in field
    assert 'value="Wrong site"' in response.text  # what was typed is kept


def test_a_shadow_of_a_shadow_is_refused(app, make_user, sites):
    plant2, _ = sites
    first = _walk(app, make_user(), plant2)
    shadow = _walk(app, make_user(), plant2, calibrates=first)
    client = login(app.test_client(), make_user())
    response = client.post(
        "/walks/new",
        data={"site": plant2, "title": "Third", "announced": "yes",
              "observer_visible": "yes", "calibrates": shadow},
    )  # fmt: skip
    assert response.status_code == 200
    field = re.search(r'data-field="calibrates".*?</div>', response.text, re.S).group(0)
    assert "Shadow the original walk, not another shadow." in field
    with app.app_context():
        assert db.session.scalar(db.select(Walk).where(Walk.title == "Third")) is None
