"""Plans and walks due through the API: one plan, pages when asked, the same list at
/walks/due as at /plans/due."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import Api, assert_conforms, token_for
from tests.plans.conftest import Plant, behaviour

EVERY_DAY = "DTSTART;TZID=UTC:20260101T000000\nRRULE:FREQ=DAILY;BYHOUR=23;BYMINUTE=59;BYSECOND=59"


@pytest.fixture
def plant(app, make_user, make_site) -> Plant:
    return Plant(app, make_user, make_site)


def _api(app, user) -> Api:
    return Api(app.test_client(), user, token_for(app, user))


def test_one_plan_is_read_by_its_id(app, plant):
    plan = plant.plan([behaviour()], title="Press line")
    response = _api(app, plant.observer).get(f"/plans/{plan['id']}")
    assert_conforms(response, "/plans/{plan_id}")
    (record,) = response.get_json()["records"]
    assert (record["id"], record["title"]) == (plan["id"], "Press line")
    missing = _api(app, plant.observer).get(f"/plans/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_plans_are_whole_unless_a_page_is_asked_for(app, plant):
    titles = [f"Plan {n}" for n in range(5)]
    for title in titles:
        plant.plan([behaviour()], title=title)
    api = _api(app, plant.observer)
    whole = api.get("/plans").get_json()
    assert set(whole) == {"format", "records"}
    assert [r["title"] for r in whole["records"]] == titles
    seen, query = [], {"limit": 2}
    while True:
        response = api.get("/plans", query_string=query)
        assert_conforms(response, "/plans")
        body = response.get_json()
        seen += [r["title"] for r in body["records"]]
        if body["next_cursor"] is None:
            break
        plant.plan([behaviour()], title="Plan 0 bis")  # sorts before the cursor: not seen
        query = {"limit": 2, "cursor": body["next_cursor"]}
    assert seen == titles


@pytest.mark.parametrize("path", ["/plans/due", "/walks/due"])
def test_the_walks_due_page_when_asked(app, plant, path):
    for n in range(3):
        plant.plan(
            [behaviour()], title=f"Daily {n}", schedule=EVERY_DAY, assignees=[plant.observer.email]
        )
    api = _api(app, plant.observer)
    whole = api.get(path).get_json()
    assert set(whole) == {"due"}
    assert [d["title"] for d in whole["due"]] == ["Daily 0", "Daily 1", "Daily 2"]
    first = api.get(path, query_string={"limit": 2})
    assert_conforms(first, path)
    assert [d["title"] for d in first.get_json()["due"]] == ["Daily 0", "Daily 1"]
    assert 'rel="next"' in first.headers["Link"]
    cursor = first.get_json()["next_cursor"]
    rest = api.get(path, query_string={"limit": 2, "cursor": cursor}).get_json()
    assert [d["title"] for d in rest["due"]] == ["Daily 2"]
    assert rest["next_cursor"] is None
    assert api.get(path, query_string={"cursor": "x"}).status_code == 400
