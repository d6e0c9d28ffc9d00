"""The plan pages as an analyst and an observer use them: making a plan, its checklist,
the programme, and starting a plan's walk from the home page."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Plan, PlanSchedule, Walk
from gemba.plans import schedule_builder
from gemba.plans.schedule_builder import Builder
from tests.conftest import login
from tests.plans.conftest import behaviour, measure
from tests.plans.helpers import DAILY_6, TUESDAYS, csrf_token, plan_id, walk

PLAN_FORM = {
    "title": "Press line safety round",
    "purpose": "Are the press rules kept on every shift?",
    "route": "Press 1\nPress 2\n\nTool crib",
    "frequency": "daily",
    "times": "06:00, 14:00",
    "assignee_role": "",
}


@pytest.fixture
def analyst(app, plant):
    return login(app.test_client(), plant.analyst)


@pytest.fixture
def observer(app, plant):
    return login(app.test_client(), plant.observer)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _field(page: str, name: str) -> str:
    """The HTML of one form field: its label, control and error."""
    return page.split(f'data-field="{name}"')[1].split("data-field=")[0]


def _checked(page: str, name: str) -> list[str]:
    """The values of the checked radios and checkboxes of that name."""
    tags = re.findall(r"<input[^>]*>", page)
    return [
        re.search(r'value="([^"]*)"', tag)[1]
        for tag in tags
        if f'name="{name}"' in tag and " checked" in tag
    ]


def _number(cells: str, label: str) -> int:
    return int(re.search(f'data-label="{label}">(\\d+)<', cells)[1])


def _title_and_schedule(app, plan: str) -> tuple[str, str | None]:
    with app.app_context():
        found = db.session.get(Plan, uuid.UUID(plan))
        return found.title, found.schedule


def _questions(app, plan: str) -> list[str]:
    with app.app_context():
        found = db.session.get(Plan, uuid.UUID(plan))
        return [e.item.question for e in found.entries if e.retired_at is None]


def test_an_analyst_makes_a_plan_with_a_schedule_and_people(csrf_app, plant):
    client = login(csrf_app.test_client(), plant.analyst)
    url = f"/plans/new?site={plant.site}"
    form = {**PLAN_FORM, "assignees": [plant.observer.email], "csrf_token": csrf_token(client, url)}
    response = client.post(url, data=form)
    assert response.status_code == 302
    page = _page(client, response.location)
    assert "Press line safety round" in page
    assert "Daily at 06:00, 14:00" in page
    assert plant.observer.email in page
    with csrf_app.app_context():
        plan = db.session.scalar(select(Plan))
        assert plan.route == ["Press 1", "Press 2", "Tool crib"]
        assert "TZID=Europe/Warsaw" in plan.schedule
        assert [u.email for u in plan.assignees] == [plant.observer.email]


def test_a_plan_without_title_comes_back_with_the_error_and_the_input(analyst, plant):
    response = analyst.post(f"/plans/new?site={plant.site}", data={**PLAN_FORM, "title": " "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-field="title"' in page
    assert "This field is required." in page
    assert "Tool crib" in page
    assert "06:00, 14:00" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"times": "25:00"}, "times", "24-hour clock"),
        ({"frequency": "weekly"}, "weekdays", "Choose at least one day"),
        ({"frequency": "monthly", "month_day": "40"}, "month_day", "1 to 31"),
    ],
)
def test_a_schedule_it_cannot_make_is_refused_by_its_field(
    app, analyst, plant, fields, field, message
):
    response = analyst.post(f"/plans/new?site={plant.site}", data={**PLAN_FORM, **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in _field(page, field)
    assert 'value="Press line safety round"' in page
    with app.app_context():
        assert db.session.scalar(select(Plan)) is None


def test_a_weekly_schedule_reads_back_into_the_form(app, analyst, plant):
    data = {**PLAN_FORM, "frequency": "weekly", "weekdays": ["1", "3"], "times": "7:30"}
    analyst.post(f"/plans/new?site={plant.site}", data=data)
    plan = plan_id(plant, PLAN_FORM["title"])
    assert "Weekly on Tue, Thu at 07:30" in _page(analyst, f"/plans/{plan}")
    page = _page(analyst, f"/plans/{plan}/edit")
    assert _checked(page, "frequency") == ["weekly"]
    assert _checked(page, "weekdays") == ["1", "3"]
    assert 'value="07:30"' in _field(page, "times")


def test_editing_a_plan_keeps_its_checklist_and_an_unchanged_schedule(app, analyst, plant):
    record = plant.plan([behaviour(), measure()], title="Press line", schedule=DAILY_6)
    page = _page(analyst, f"/plans/{record['id']}/edit")
    assert 'value="06:00"' in page
    data = {**PLAN_FORM, "title": "Press line, night", "times": "06:00", "route": ""}
    response = analyst.post(f"/plans/{record['id']}/edit", data=data)
    assert response.status_code == 302
    # The same schedule: its text kept, no new version.
    assert _title_and_schedule(app, record["id"]) == ("Press line, night", DAILY_6)
    assert _questions(app, record["id"]) == ["Gloves at the press?", "Changeover time?"]
    with app.app_context():
        assert len(db.session.scalars(select(PlanSchedule)).all()) == 1


def test_a_changed_schedule_starts_a_new_version(app, analyst, plant):
    record = plant.plan([], title="Press line", schedule=DAILY_6)
    data = {**PLAN_FORM, "title": "Press line", "times": "07:00"}
    assert analyst.post(f"/plans/{record['id']}/edit", data=data).status_code == 302
    assert "Daily at 07:00" in _page(analyst, f"/plans/{record['id']}")
    with app.app_context():
        assert len(db.session.scalars(select(PlanSchedule)).all()) == 2


def test_adding_items_with_standards_shows_them_on_the_checklist(app, analyst, plant):
    record = plant.plan([], title="Press line")
    url = f"/plans/{record['id']}/items/new"
    gloves = {
        "topic": "Gloves at the press",
        "question": "Are gloves worn at the press?",
        "kind": "behaviour",
        "frequency": "always",
        "reference": "SOP-12 rev C",
    }
    assert analyst.post(url, data=gloves).status_code == 302
    changeover = {
        "topic": "Changeover time",
        "question": "How long does the changeover take?",
        "kind": "measure",
        "unit": "min",
        "comparator": "<=",
        "value": "10",
        "frequency": "always",  # hidden for a measurement: not its standard
    }
    assert analyst.post(url, data=changeover).status_code == 302
    page = _page(analyst, f"/plans/{record['id']}")
    assert page.index("Are gloves worn") < page.index("How long does the changeover")
    assert "Standard: always" in page
    assert "SOP-12 rev C" in page
    assert "Standard: ≤ 10 min" in page


def test_an_item_without_question_comes_back_with_the_error(analyst, plant):
    record = plant.plan([], title="Press line")
    data = {"topic": "Gloves", "question": "", "kind": "behaviour", "reference": "SOP-12"}
    response = analyst.post(f"/plans/{record['id']}/items/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This field is required." in _field(page, "question")
    assert 'value="SOP-12"' in _field(page, "reference")


def test_editing_an_item_changes_it(app, analyst, plant):
    gloves = behaviour(standard={"frequency": "always"})
    record = plant.plan([gloves], title="Press line")
    url = f"/plans/{record['id']}/items/{gloves['id']}/edit"
    assert 'value="Gloves at the press"' in _page(analyst, url)
    data = {
        "topic": "Gloves",
        "question": "Gloves on?",
        "kind": "behaviour",
        "frequency": "usually",
    }
    assert analyst.post(url, data=data).status_code == 302
    page = _page(analyst, f"/plans/{record['id']}")
    assert "Gloves on?" in page
    assert "Standard: usually" in page


def test_items_move_up_and_down_and_stay_at_the_ends(app, analyst, plant):
    a, b, c = behaviour("A"), behaviour("B"), behaviour("C")
    record = plant.plan([a, b, c], title="Press line")
    move = f"/plans/{record['id']}/items/{{}}/move"
    analyst.post(move.format(c["id"]), data={"direction": "up"})
    assert _questions(app, record["id"]) == ["A?", "C?", "B?"]
    analyst.post(move.format(a["id"]), data={"direction": "up"})
    assert _questions(app, record["id"]) == ["A?", "C?", "B?"]
    analyst.post(move.format(a["id"]), data={"direction": "down"})
    assert _questions(app, record["id"]) == ["C?", "A?", "B?"]


def test_a_retired_item_keeps_its_place_in_history_and_can_come_back(app, analyst, plant):
    a, b = behaviour("A"), behaviour("B")
    record = plant.plan([a, b], title="Press line")
    analyst.post(f"/plans/{record['id']}/items/{a['id']}/retire")
    assert _questions(app, record["id"]) == ["B?"]
    page = _page(analyst, f"/plans/{record['id']}")
    retired = page.split('id="retired"')[1]
    assert "A?" in retired
    assert "retired " in retired
    analyst.post(f"/plans/{record['id']}/items/{a['id']}/restore")
    assert _questions(app, record["id"]) == ["B?", "A?"]


def test_an_item_of_another_plan_is_shared_not_copied(app, analyst, plant):
    gloves = behaviour(standard={"frequency": "always"})
    plant.plan([gloves], title="Press line")
    monthly = plant.plan([], title="Plant manager's monthly")
    page = _page(analyst, f"/plans/{monthly['id']}")
    assert gloves["id"] in page.split('id="checklist"')[1]  # offered
    response = analyst.post(f"/plans/{monthly['id']}/items/share", data={"item": gloves["id"]})
    assert response.status_code == 302
    assert _questions(app, monthly["id"]) == ["Gloves at the press?"]
    page = _page(analyst, f"/plans/{monthly['id']}")
    assert "Also on Press line" in page
    assert "Standard: always" in page
    data = {"topic": "Gloves at the press", "question": "Gloves worn?", "kind": "behaviour"}
    analyst.post(f"/plans/{monthly['id']}/items/{gloves['id']}/edit", data=data)
    assert _questions(app, plan_id(plant, "Press line")) == ["Gloves worn?"]


def test_an_item_of_another_sites_plan_is_not_found(app, analyst, plant, make_user, make_site):
    record = plant.plan([behaviour()], title="Press line")
    other = plant.__class__(app, make_user, make_site)
    theirs = behaviour("Theirs")
    other.plan([theirs], title="Elsewhere")
    assert analyst.get(f"/plans/{record['id']}/items/{theirs['id']}/edit").status_code == 404
    assert analyst.post(f"/plans/{record['id']}/items/{theirs['id']}/retire").status_code == 404
    analyst.post(f"/plans/{record['id']}/items/share", data={"item": theirs["id"]})
    assert _questions(app, record["id"]) == ["Gloves at the press?"]
    assert analyst.get(f"/plans/{uuid.uuid4()}").status_code == 404
    assert analyst.get(f"/plans/new?site={uuid.uuid4()}").status_code == 404
    assert analyst.get(f"/plans/programme?site={uuid.uuid4()}").status_code == 404


def test_observers_read_plans_but_cannot_change_them(app, observer, plant):
    gloves = behaviour()
    record = plant.plan([gloves], title="Press line")
    page = _page(observer, f"/plans/{record['id']}")
    assert "Gloves at the press?" in page
    assert "Edit plan" not in page
    assert "Retire" not in page
    assert "Press line" in _page(observer, f"/plans/?site={plant.site}")
    forbidden = [
        ("get", f"/plans/new?site={plant.site}"),
        ("get", f"/plans/{record['id']}/edit"),
        ("get", f"/plans/{record['id']}/items/new"),
        ("post", f"/plans/{record['id']}/items/{gloves['id']}/retire"),
        ("get", f"/plans/programme?site={plant.site}"),
    ]
    for method, url in forbidden:
        assert getattr(observer, method)(url).status_code == 403, url
    assert _questions(app, record["id"]) == ["Gloves at the press?"]


def test_the_plan_list_shows_schedule_people_items_and_completion(analyst, plant):
    plant.plan(
        [behaviour(), measure()],
        title="Press line",
        schedule=DAILY_6,
        assignee_role="observer",
        assignees=[plant.observer.email],
    )
    page = _page(analyst, f"/plans/?site={plant.site}")
    assert "Daily at 06:00" in page
    assert f"{plant.observer.email} and every observer" in page
    assert "2 items" in page
    assert "0%" in page  # nothing walked in 4 weeks
    assert f"/plans/new?site={plant.site}" in page


def test_the_programme_counts_per_plan_and_per_observer(analyst, plant):
    daily = plant.plan(
        [behaviour()], title="Press line", schedule=DAILY_6, assignees=[plant.observer.email]
    )
    plant.plan([], title="Whenever")
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    walked = walk(plant, daily, f"{two_days_ago:%Y-%m-%d} 07:00")
    recent = _page(analyst, f"/plans/{daily['id']}").split('id="recent"')[1]
    assert f'href="/walks/{walked}"' in recent
    assert two_days_ago.strftime("%a %d %b") in recent
    assert len(re.findall(r"06:00 Done<", recent)) == 1
    assert "06:00 Missed<" in recent
    page = _page(analyst, f"/plans/programme?site={plant.site}")
    plans, observers = page.split("<h2>Observers")
    for cells in (plans.split("Press line")[1], observers.split(plant.observer.email)[1]):
        cells = cells.split("</tr>")[0]
        assert _number(cells, "Done") == 1
        assert _number(cells, "Due today") == 1
        assert _number(cells, "Missed") >= 80  # 12 weeks of mornings, one walked
        assert _number(cells, "Late") == _number(cells, "Overdue") == 0
    assert "Whenever" in plans
    assert "No schedule" in plans


def test_the_home_page_lists_a_due_walk_and_starting_it_ties_the_walk_to_the_plan(
    app, observer, plant
):
    plan = plant.plan(
        [behaviour()], title="Press line", schedule=DAILY_6, assignees=[plant.observer.email]
    )
    page = _page(observer, "/?basic=1")
    today = page.split("Your walks today")[1].split("Your walks<")[0]
    assert "Press line" in today
    walk_id = today.split('name="walk" value="')[1].split('"')[0]
    response = observer.post(f"/plans/{plan['id']}/start", data={"walk": walk_id})
    assert response.status_code == 302
    assert walk_id in response.location
    again = observer.post(f"/plans/{plan['id']}/start", data={"walk": walk_id})
    assert again.location == response.location  # a second tap opens the same walk
    with app.app_context():
        walks = db.session.scalars(select(Walk)).all()
        assert [(str(w.id), str(w.plan_id)) for w in walks] == [(walk_id, plan["id"])]
    assert "Your walks today" not in _page(observer, "/?basic=1")


def test_a_walk_started_without_its_id_is_not_started(app, observer, plant):
    plan = plant.plan([], title="Press line", schedule=DAILY_6)
    response = observer.post(f"/plans/{plan['id']}/start", data={"walk": "not-an-id"})
    assert response.status_code == 302
    assert response.location.endswith("/")
    with app.app_context():
        assert db.session.scalars(select(Walk)).all() == []


@pytest.mark.parametrize(
    "builder",
    [
        Builder("daily", (time(6), time(14, 30), time(22))),
        Builder("weekly", (time(7, 30),), (1, 3)),
        Builder("monthly", (time(9), time(17, 15)), (), 31),
    ],
)
def test_the_schedule_builder_reads_back_what_it_makes(builder):
    text = schedule_builder.compose(builder, date(2026, 12, 3), "Europe/Warsaw")
    assert schedule_builder.read(text) == builder


def test_a_schedule_the_builder_cannot_show_is_kept_as_it_is(app, analyst, plant):
    fortnightly = TUESDAYS.replace("FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2")
    record = plant.plan([], title="Press line", schedule=fortnightly)
    page = _page(analyst, f"/plans/{record['id']}/edit")
    assert "As it is: Every 2 weeks on Tue at 07:30" in page
    assert _checked(page, "frequency") == ["keep"]
    data = {**PLAN_FORM, "title": "Press line, fortnightly", "frequency": "keep"}
    assert analyst.post(f"/plans/{record['id']}/edit", data=data).status_code == 302
    assert _title_and_schedule(app, record["id"]) == ("Press line, fortnightly", fortnightly)


def test_without_a_site_the_only_one_opens_and_of_several_one_is_chosen(analyst, plant, make_site):
    response = analyst.get("/plans/")
    assert response.status_code == 302
    assert response.location.endswith(f"/plans/?site={plant.site}")
    make_site("Plant 9")
    page = _page(analyst, "/plans/programme")
    assert f"/plans/programme?site={plant.site}" in page
    assert "Plant 9" in page
    switch = _page(analyst, f"/plans/?site={plant.site}").split('name="site"')[1]
    assert "Plant 2" in switch
    assert "Plant 9" in switch
