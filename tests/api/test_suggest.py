"""Proposals while typing: the claim a quote makes and the site's topics it probably means."""

from __future__ import annotations

import pytest

from tests.conftest import login, uid


@pytest.fixture
def site(app, write, make_user):
    """A site whose observers have logged gloves, goggles and a guard."""
    admin = make_user("admin")
    site_id, walk = uid(), uid()
    batch = [
        {"type": "site", "id": site_id, "name": "Plant 2"},
        {"type": "walk", "id": walk, "site": site_id, "title": "Press line"},
    ]
    for topic in ("gloves", "safety goggles", "guard open", "badge scan at entry"):
        batch.append(
            {
                "type": "fact",
                "id": uid(),
                "walk": walk,
                "topic": topic,
                "text": "x",
                "performed": True,
            }
        )
    assert not write(admin, *batch).rejected
    return site_id


def test_a_quote_proposes_its_claim_topic_and_the_topics_it_means(client, make_user, site):
    login(client, make_user("observer"))
    quote = "We never leave the guard open for more than 5 minutes"
    body = client.get("/api/v1/claims/suggest", query_string={"site": site, "text": quote}).json
    assert body["claim"] == {"value": 5, "unit": "min", "comparator": "<="}
    assert body["topic"] == "guard open"
    assert body["topics"][0]["name"] == "guard open"
    assert body["topics"][0]["similarity"] == 100


def test_glove_use_offers_gloves_first(client, make_user, site):
    login(client, make_user("observer"))
    body = client.get("/api/v1/topics/suggest", query_string={"site": site, "q": "glove use"}).json
    names = [t["name"] for t in body["topics"]]
    assert names[0] == "gloves"
    assert "badge scan at entry" not in names


def test_a_quote_without_a_claim_proposes_none(client, make_user, site):
    login(client, make_user("observer"))
    body = client.get(
        "/api/v1/claims/suggest", query_string={"site": site, "text": "The guard is annoying"}
    ).json
    assert body["claim"] is None


def test_bad_queries_get_problems_not_errors(client, make_user, site):
    login(client, make_user("observer"))
    assert client.get("/api/v1/claims/suggest?text=x").status_code == 400  # no site
    assert client.get("/api/v1/claims/suggest?site=nope&text=x").status_code == 400
    assert client.get(f"/api/v1/claims/suggest?site={uid()}&text=x").status_code == 404
    long = client.get("/api/v1/topics/suggest", query_string={"site": site, "q": "x" * 1001})
    assert long.status_code == 400
    assert long.json["errors"][0]["field"] == "q"


def test_suggestions_need_a_login(client, site):
    assert client.get(f"/api/v1/topics/suggest?site={site}&q=gloves").status_code == 401
