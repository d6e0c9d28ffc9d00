"""Plans through the API: the plans a phone keeps, the walks due to the caller, gaps of
standards, and the inbox and pages that show a standard rather than something said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.conftest import Api, token_for
from tests.conftest import login, uid
from tests.plans.conftest import behaviour, measure

# Due every day at the end of the day (UTC): today's is due whenever the test runs.
LATE_EVERY_DAY = (
    "DTSTART;TZID=UTC:20260101T000000\nRRULE:FREQ=DAILY;BYHOUR=23;BYMINUTE=59;BYSECOND=59"
)


def _api(app, user) -> Api:
    return Api(app.test_client(), user, token_for(app, user))


def test_a_phone_gets_every_plan_with_its_checklist(app, plant):
    gloves = behaviour(standard={"frequency": "always"}, reference="SOP-12 rev C")
    plan = plant.plan([gloves, measure()], route=["Press 1"])
    body = _api(app, plant.observer).get(f"/plans?site={plant.site}").get_json()
    assert body["format"] == "gemba/v1"
    (record,) = body["records"]
    assert record["id"] == plan["id"]
    assert record["route"] == ["Press 1"]
    assert [i["question"] for i in record["items"]] == ["Gloves at the press?", "Changeover time?"]
    assert record["items"][0]["standard"] == {"frequency": "always"}
    assert _api(app, plant.observer).get("/plans?site=nope").status_code == 400


def test_the_walks_due_are_the_callers_by_name_or_by_role(app, plant, make_user):
    plant.plan([behaviour()], schedule=LATE_EVERY_DAY, title="Mine by name",
               assignees=[plant.observer.email])  # fmt: skip
    plant.plan([behaviour()], schedule=LATE_EVERY_DAY, title="Every analyst's",
               assignee_role="analyst")  # fmt: skip
    plant.plan([behaviour()], title="No schedule", assignees=[plant.observer.email])
    mine = _api(app, plant.observer).get("/plans/due").get_json()["due"]
    assert [(d["title"], d["status"]) for d in mine] == [("Mine by name", "due")]
    theirs = _api(app, plant.analyst).get("/plans/due").get_json()["due"]
    assert [d["title"] for d in theirs] == ["Every analyst's"]
    assert _api(app, make_user("observer")).get("/plans/due").get_json() == {"due": []}


def test_a_walk_of_the_plan_today_takes_it_off_the_due_list(app, plant):
    plan = plant.plan([behaviour()], schedule=LATE_EVERY_DAY, assignees=[plant.observer.email])
    api = _api(app, plant.observer)
    assert len(api.get("/plans/due").get_json()["due"]) == 1
    now = datetime.now(UTC)
    if now.hour == 23 and now.minute >= 58:  # too close to the next day's occurrence
        now -= timedelta(minutes=5)
    plant.walk(plan, started_at=now.isoformat())
    assert api.get("/plans/due").get_json()["due"] == []


def test_a_standards_gap_has_no_walk_in_the_api(app, plant):
    gloves = behaviour(standard={"frequency": "always"})
    plan = plant.plan([gloves])
    plant.check(plant.walk(plan), gloves, performed=False)
    (gap,) = _api(app, plant.analyst).get(f"/gaps?site={plant.site}").get_json()["items"]
    assert gap["walk"] is None
    assert gap["explanation"].startswith('The standard says "always"; observed 0 of 1')


def test_the_inbox_tells_standards_from_what_people_said(app, plant):
    gloves = behaviour(standard={"frequency": "always"}, reference="SOP-12 rev C")
    plan = plant.plan([gloves])
    walk = plant.walk(plan)
    plant.write(
        plant.observer,
        {"type": "statement", "id": uid(), "walk": walk, "topic": gloves["topic"],
         "text": "We always wear gloves.", "speaker": "Operator", "claim": {"frequency": "always"}},
    )  # fmt: skip
    plant.check(walk, gloves, performed=False)
    client = login(app.test_client(), plant.analyst)
    both = client.get("/review/").get_data(as_text=True)
    assert "We always wear gloves." in both
    assert "Gloves at the press?" in both
    standards = client.get("/review/?origin=standard").get_data(as_text=True)
    assert "Gloves at the press?" in standards
    assert "We always wear gloves." not in standards
    assert "Standard (SOP-12 rev C)" in standards
    said = client.get("/review/?origin=said").get_data(as_text=True)
    assert "We always wear gloves." in said
    assert "Gloves at the press?" not in said
    csv = client.get("/review/gaps.csv?origin=standard").get_data(as_text=True)
    assert "Standard (SOP-12 rev C)" in csv


def test_a_standards_gap_page_names_the_document_and_the_plan(app, plant):
    gloves = behaviour(standard={"frequency": "always"}, reference="SOP-12 rev C")
    plan = plant.plan([gloves], title="Press line, every shift")
    walk = plant.walk(plan)
    plant.check(walk, gloves, performed=False)
    client = login(app.test_client(), plant.analyst)
    gap_id = _api(app, plant.analyst).get("/gaps").get_json()["items"][0]["id"]
    page = client.get(f"/review/gaps/{gap_id}").get_data(as_text=True)
    assert "The standard (SOP-12 rev C) says" in page
    assert "What would decide it" in page
    assert "Decided" in page  # one miss decides "always"
    assert "Press line, every shift" in page
    topic = client.get(f"/review/topics?site={plant.site}")
    assert topic.status_code == 200
    walk_page = login(app.test_client(), plant.observer).get(f"/walks/{walk}?basic=1")
    assert "Contradicts the standard" in walk_page.get_data(as_text=True)
