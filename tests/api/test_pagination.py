"""Cursor pages: every list walks to its end, each item once, whatever is added meanwhile."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import assert_conforms
from tests.api.loop_helpers import make_gaps
from tests.conftest import uid


def _walk(api, path: str, limit: int, between=None, **query) -> list[dict]:
    """Every page by cursor, calling `between()` after each page; the items seen."""
    seen = []
    response = api.get(path, query_string={"limit": limit, **query})
    while True:
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen += body["items"]
        if body["next_cursor"] is None:
            assert "Link" not in response.headers
            return seen
        assert len(body["items"]) == limit
        if between:
            between()
        link = response.headers["Link"]
        assert link.endswith('>; rel="next"')
        url = urlsplit(link[1 : link.index(">")])
        assert url.path == "/api/v1" + path
        response = api.client.get(f"{url.path}?{url.query}", headers=api.headers)


def test_walking_the_gaps_by_cursor_sees_each_once_while_gaps_are_added(api):
    made = make_gaps(api, 7)
    seen = _walk(api, "/gaps", 2, between=lambda: make_gaps(api, 1, site=made["site"]))
    ids = [g["id"] for g in seen]
    assert len(ids) == len(set(ids))
    assert set(made["gaps"]) <= set(ids)


def test_walking_the_walks_by_cursor_sees_each_once_while_walks_are_added(api):
    site = uid()
    api.sync({"type": "site", "id": site, "name": "Plant 2"})
    walks = [uid() for _ in range(5)]
    api.sync(
        *(
            {
                "type": "walk",
                "id": w,
                "site": site,
                "title": f"Walk {n}",
                "started_at": f"2026-11-2{n}T08:00:00+00:00",
            }
            for n, w in enumerate(walks)
        )
    )

    def add_one():
        api.sync({"type": "walk", "id": uid(), "site": site, "title": "Later"})
        api.sync(
            {
                "type": "walk",
                "id": uid(),
                "site": site,
                "title": "Earlier",
                "started_at": "2020-01-01T08:00:00+00:00",
            }
        )

    seen = [w["id"] for w in _walk(api, "/walks", 2, between=add_one, site=site)]
    assert len(seen) == len(set(seen))
    assert [w for w in seen if w in walks] == list(reversed(walks))


@pytest.mark.parametrize("path", ["/sites", "/actions", "/plans", "/walks/due"])
def test_every_list_pages_by_cursor(api, path):
    made = make_gaps(api, 3)
    for n in range(3):
        api.sync({"type": "site", "id": uid(), "name": f"Site {n}"})
        api.post("/actions", json={"title": f"Fix {n}", "gaps": [made["gaps"][n]]})
    response = api.get(path, query_string={"limit": 1})
    body = response.get_json()
    assert "next_cursor" in body
    if path in ("/sites", "/actions"):  # more than one: a next page, and its link
        assert body["next_cursor"] is not None
        assert 'rel="next"' in response.headers["Link"]


def test_a_sites_topics_page_by_cursor(api):
    made = make_gaps(api, 5)
    seen = _walk(api, f"/sites/{made['site']}/topics", 2)
    names = [t["name"] for t in seen]
    assert len(names) == 5
    assert names == sorted(names, key=str.casefold)


def test_a_page_by_cursor_matches_the_document(api):
    make_gaps(api, 3)
    first = api.get("/gaps", query_string={"limit": 2})
    assert_conforms(first, "/gaps")
    second = api.get("/gaps", query_string={"cursor": first.get_json()["next_cursor"]})
    assert_conforms(second, "/gaps")
    body = second.get_json()
    assert (body["offset"], body["next_offset"], body["next_cursor"]) == (None, None, None)
    assert body["total"] == 3


def test_offset_pages_still_work_and_offer_a_cursor(api):
    make_gaps(api, 3)
    body = api.get("/gaps", query_string={"limit": 2, "offset": 1}).get_json()
    assert (body["offset"], body["next_offset"], body["next_cursor"]) == (1, None, None)
    first = api.get("/gaps", query_string={"limit": 1}).get_json()
    assert first["next_offset"] == 1
    assert first["next_cursor"] is not None


def _cursor(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",
        _cursor("walks", ["2026-11-20T08:00:00+00:00", "00000000-0000-0000-0000-000000000000"]),
        _cursor("gaps", [0.5]),
        _cursor("gaps", ["high", "00000000-0000-0000-0000-000000000000"]),
        _cursor("gaps", [float("nan"), "00000000-0000-0000-0000-000000000000"]),
        _cursor("gaps", [0.5, "not-a-uuid"]),
        "A" * 1001,
    ],
)
def test_a_malformed_or_foreign_cursor_is_a_400_problem(api, cursor):
    response = api.get("/gaps", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.get_json()["errors"]] == ["cursor"]


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("/walks", ["2026-11-20T08:00:00", "00000000-0000-0000-0000-000000000000"]),
        ("/sites", ["bad\u0000name", "00000000-0000-0000-0000-000000000000"]),
        ("/sites", ["\ud800", "00000000-0000-0000-0000-000000000000"]),
    ],
)
def test_a_cursor_the_database_could_not_take_is_a_400(api, path, values):
    cursor = _cursor(path.strip("/"), values)
    assert api.get(path, query_string={"cursor": cursor}).status_code == 400
