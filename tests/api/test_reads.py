"""Read endpoints: sites, walks, a walk's records, topics, gaps; filters and pages."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import assert_conforms
from tests.conftest import uid


@pytest.fixture
def plant(api):
    """Two sites; the first with two walks, a contradicted claim and a kept one."""
    site, other = uid(), uid()
    early, late, elsewhere = uid(), uid(), uid()
    said, kept = uid(), uid()
    miss = uid()
    api.sync(
        {"type": "site", "id": site, "name": "Plant 2"},
        {"type": "site", "id": other, "name": "Depot"},
        {
            "type": "walk",
            "id": early,
            "site": site,
            "title": "Early",
            "started_at": "2026-11-20T08:00:00+01:00",
        },
        {
            "type": "walk",
            "id": late,
            "site": site,
            "title": "Late",
            "started_at": "2026-11-21T08:00:00+01:00",
        },
        {"type": "walk", "id": elsewhere, "site": other, "title": "Depot walk"},
        {
            "type": "statement",
            "id": said,
            "walk": early,
            "topic": "Badge scan",
            "text": "We always scan.",
            "claim": {"frequency": "always"},
        },
        {
            "type": "statement",
            "id": kept,
            "walk": early,
            "topic": "Gloves",
            "text": "We usually wear gloves.",
            "claim": {"frequency": "usually"},
        },
        {
            "type": "fact",
            "id": miss,
            "walk": late,
            "topic": "badge scan",
            "text": "No scan",
            "performed": False,
        },
    )
    return {
        "site": site,
        "other": other,
        "early": early,
        "late": late,
        "elsewhere": elsewhere,
        "said": said,
        "miss": miss,
    }


def test_walks_come_newest_first_and_filter_by_site(api, plant):
    response = api.get("/walks", query_string={"site": plant["site"]})
    assert_conforms(response, "/walks")
    body = response.get_json()
    assert [w["id"] for w in body["items"]] == [plant["late"], plant["early"]]
    assert body["items"][0]["site_name"] == "Plant 2"
    assert body["items"][0]["observer"] == api.user.email.split("@")[0]
    assert body["total"] == 2
    assert body["next_offset"] is None


def test_walks_page_with_limit_and_offset(api, plant):
    first = api.get("/walks", query_string={"limit": 2}).get_json()
    assert (len(first["items"]), first["total"], first["next_offset"]) == (2, 3, 2)
    second = api.get("/walks", query_string={"limit": 2, "offset": 2}).get_json()
    assert len(second["items"]) == 1
    assert second["next_offset"] is None
    seen = [w["id"] for w in first["items"] + second["items"]]
    assert len(set(seen)) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "99999999999999999999"}, "offset"),
        ({"site": "not-a-uuid"}, "site"),
    ],
)
def test_a_bad_query_parameter_is_a_400_with_its_name(api, query, field):
    response = api.get("/walks", query_string=query)
    assert response.status_code == 400
    assert_conforms(response, "/walks")
    assert response.get_json()["errors"][0]["field"] == field


def test_a_walk_reads_back_as_a_gemba_json_document(api, plant):
    response = api.get(f"/walks/{plant['early']}")
    assert_conforms(response, "/walks/{walk_id}")
    records = response.get_json()["records"]
    assert [r["type"] for r in records] == ["site", "walk", "statement", "statement"]
    assert records[1]["started_at"] == "2026-11-20T07:00:00+00:00"


def test_an_unknown_walk_is_a_404_problem(api):
    response = api.get(f"/walks/{uuid.uuid4()}")
    assert response.status_code == 404
    assert_conforms(response, "/walks/{walk_id}")


def test_a_sites_topics_have_counts(api, plant):
    response = api.get(f"/sites/{plant['site']}/topics")
    assert_conforms(response, "/sites/{site_id}/topics")
    topics = response.get_json()["items"]
    assert topics == [
        {"name": "Badge scan", "statements": 1, "facts": 1, "gaps": 1},
        {"name": "Gloves", "statements": 1, "facts": 0, "gaps": 0},
    ]
    assert api.get(f"/sites/{uuid.uuid4()}/topics").status_code == 404


def test_sites_are_listed_as_site_records(api, plant):
    response = api.get("/sites")
    assert_conforms(response, "/sites")
    assert [s["name"] for s in response.get_json()["items"]] == ["Depot", "Plant 2"]


def test_gaps_carry_statement_evidence_and_strength(api, plant):
    response = api.get("/gaps", query_string={"site": plant["site"]})
    assert_conforms(response, "/gaps")
    (gap,) = response.get_json()["items"]
    assert gap["statement"] == plant["said"]
    assert gap["evidence"] == [plant["miss"]]
    assert gap["status"] == "open"
    assert 0 < gap["confidence"] <= 1
    assert gap["severity"] == 1
    assert gap["explanation"].startswith('Said "always"; observed 0 of 1')


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({}, 1),
        ({"topic": "  BADGE   scan "}, 1),
        ({"topic": "Gloves"}, 0),
        ({"status": "open"}, 1),
        ({"status": "dismissed"}, 0),
        ({"walk": "early"}, 1),
        ({"walk": "late"}, 0),
        ({"site": "other"}, 0),
    ],
)
def test_gap_filters(api, plant, filters, found):
    query = {k: plant.get(v, v) for k, v in filters.items()}
    assert api.get("/gaps", query_string=query).get_json()["total"] == found


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"walk": "x"}, "walk"),
        ({"topic": "x" * 201}, "topic"),
        # PostgreSQL refuses a NUL even in a comparison; other control characters are no topic.
        ({"topic": "Badge\x00scan"}, "topic"),
        ({"topic": "Badge\nscan"}, "topic"),
    ],
)
def test_bad_gap_filters_are_400(api, query, field):
    response = api.get("/gaps", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == field


def test_exports_are_downloads(api, plant):
    for path, kind in (
        (f"/walks/{plant['late']}/export", "walk"),
        (f"/sites/{plant['site']}/export", "site"),
    ):
        response = api.get(path)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"gemba-{kind}-" in disposition
        assert_conforms(
            response, path.replace(plant["late"], "{walk_id}").replace(plant["site"], "{site_id}")
        )


def test_a_site_export_holds_every_walk_and_only_that_site(api, plant):
    records = api.get(f"/sites/{plant['site']}/export").get_json()["records"]
    walks = [r["id"] for r in records if r["type"] == "walk"]
    assert walks == [plant["early"], plant["late"]]
    assert plant["elsewhere"] not in {r["id"] for r in records}
