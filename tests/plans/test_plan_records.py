"""Plans through the one write path: the checklist, its standards, checks and history."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gemba.extensions import db
from gemba.interchange import exports
from gemba.models import Fact, Gap, Plan, PlanEntry, PlanSchedule, Site, Statement
from tests.conftest import uid
from tests.plans.conftest import SCHEDULE, behaviour, measure, plan_record


def _standard(app, item: dict) -> Statement | None:
    with app.app_context():
        statement = db.session.scalar(
            select(Statement).where(Statement.plan_item_id == uuid.UUID(item["id"]))
        )
        if statement is not None:
            db.session.expunge(statement)
        return statement


def _gap(app, item: dict) -> Gap | None:
    with app.app_context():
        gap = db.session.scalar(
            select(Gap)
            .join(Statement, Statement.id == Gap.statement_id)
            .where(Statement.plan_item_id == uuid.UUID(item["id"]))
        )
        if gap is not None:
            db.session.expunge(gap)
        return gap


def test_a_plan_keeps_its_checklist_in_order_and_its_standard_as_a_statement(app, plant):
    gloves = behaviour(standard={"frequency": "always"}, reference="SOP-12 rev C")
    changeover = measure(standard={"value": 10, "unit": "min", "comparator": "<="})
    plant.plan([changeover, gloves], route=["Press 1", "Press 2"], schedule=SCHEDULE)
    with app.app_context():
        plan = db.session.scalar(select(Plan))
        assert [e.item.question for e in plan.entries] == [
            "Changeover time?",
            "Gloves at the press?",
        ]
        assert plan.route == ["Press 1", "Press 2"]
    standard = _standard(app, gloves)
    assert standard.walk_id is None
    assert standard.source == "sop"
    assert standard.speaker is None
    assert standard.claim == {"frequency": "always"}
    assert _standard(app, changeover).claim == {"value": 10, "unit": "min", "comparator": "<="}


def test_only_analysts_write_plans(plant):
    result = plant.write(plant.observer, plan_record(plant.site, [behaviour()]))
    assert result.results[0].status == "rejected"
    assert result.results[0].http_status == 403


def test_a_standard_is_flagged_by_checks_and_free_facts_together(app, plant):
    gloves = behaviour(standard={"frequency": "always"}, reference="SOP-12 rev C")
    plan = plant.plan([gloves])
    walk = plant.walk(plan)
    for _ in range(3):
        plant.check(walk, gloves, performed=True)
    assert _gap(app, gloves) is None  # 3 of 3: the standard holds
    free_walk = plant.walk()  # an ordinary walk, no plan, the same topic
    fact = uid()
    plant.write(
        plant.observer,
        {
            "type": "fact",
            "id": fact,
            "walk": free_walk,
            "topic": "gloves AT the press ",
            "text": "Bare hands at press 2",
            "performed": False,
        },
    )
    gap = _gap(app, gloves)
    assert gap is not None
    assert gap.walk_id is None
    assert gap.explanation.startswith('The standard (SOP-12 rev C) says "always"; observed 3 of 4')
    assert gap.evidence == [fact]


def test_a_check_without_a_topic_takes_its_items(app, plant):
    gloves = behaviour()
    walk = plant.walk(plant.plan([gloves]))
    result = plant.check(walk, gloves, performed=False)
    assert result.results[0].status == "created"
    with app.app_context():
        fact = db.session.scalar(select(Fact))
        assert fact.topic.name == "Gloves at the press"
        assert str(fact.plan_item_id) == gloves["id"]


def test_an_item_retired_mid_year_keeps_its_history(app, plant):
    gloves, badge = behaviour(standard={"frequency": "always"}), behaviour("Badge scan")
    plan = plant.plan([gloves, badge])
    walk = plant.walk(plan)
    plant.check(walk, gloves, performed=False)
    assert _gap(app, gloves) is not None
    plan["items"] = [badge]  # the gloves check leaves the checklist
    assert plant.write(plant.analyst, plan).results[0].status == "updated"
    with app.app_context():
        entries = {str(e.item_id): e for e in db.session.scalars(select(PlanEntry))}
        assert entries[gloves["id"]].retired_at is not None
        assert entries[badge["id"]].retired_at is None
        assert db.session.scalar(select(Fact.plan_item_id)) == uuid.UUID(gloves["id"])
        exported = exports.plan_records(db.session.get(Site, uuid.UUID(plant.site)))
    assert [i["id"] for i in exported[0]["items"]] == [badge["id"], gloves["id"]]
    assert exported[0]["items"][1]["retired"] is True
    assert _gap(app, gloves) is not None  # its evidence still judged
    assert plant.write(plant.analyst, plan).results[0].status == "unchanged"


def test_items_are_shared_between_plans_of_a_site_only(app, plant, make_site):
    gloves = behaviour()
    plant.plan([gloves])
    plant.plan([gloves], title="Plant manager's monthly")
    with app.app_context():
        assert len(db.session.scalars(select(PlanEntry)).all()) == 2
    elsewhere = plan_record(make_site("Plant 9"), [gloves])
    result = plant.write(plant.analyst, elsewhere)
    assert result.results[0].status == "rejected"
    assert result.results[0].errors[0].field == "items.0.id"


def test_a_walk_and_a_check_must_be_of_the_plans_site(app, plant, make_site):
    gloves = behaviour()
    plan = plant.plan([gloves])
    other = make_site("Plant 9")
    result = plant.write(
        plant.observer,
        {"type": "walk", "id": uid(), "site": other, "title": "x", "plan": plan["id"]},
    )
    assert result.results[0].status == "rejected"
    assert result.results[0].errors[0].field == "plan"
    walk = uid()
    plant.write(plant.observer, {"type": "walk", "id": walk, "site": other, "title": "x"})
    result = plant.check(walk, gloves, performed=True)
    assert result.results[0].status == "rejected"
    assert result.results[0].errors[0].field == "plan_item"


def test_a_standard_of_the_wrong_kind_is_refused_by_the_field(plant):
    wrong = behaviour(standard={"value": 5, "unit": "min"})
    result = plant.write(plant.analyst, plan_record(plant.site, [wrong]))
    assert result.results[0].status == "rejected"
    assert result.results[0].errors[0].field == "items.0.standard"


def test_an_unusable_schedule_is_refused(plant):
    result = plant.write(plant.analyst, plan_record(plant.site, [], schedule="RRULE:FREQ=HOURLY"))
    assert result.results[0].errors[0].field == "schedule"


def test_a_changed_schedule_leaves_the_old_one_in_force_until_the_change(app, plant):
    plan = plant.plan([behaviour()], schedule=SCHEDULE)
    plan["schedule"] = SCHEDULE.replace("BYHOUR=6", "BYHOUR=14")
    assert plant.write(plant.analyst, plan).results[0].status == "updated"
    with app.app_context():
        versions = db.session.scalars(select(PlanSchedule).order_by(PlanSchedule.id)).all()
        assert [v.rule for v in versions] == [SCHEDULE, plan["schedule"]]
        assert versions[0].ends_at == versions[1].starts_at
        assert versions[1].ends_at is None


def test_removing_a_standard_clears_its_gap(app, plant):
    gloves = behaviour(standard={"frequency": "always"})
    plan = plant.plan([gloves])
    plant.check(plant.walk(plan), gloves, performed=False)
    assert _gap(app, gloves) is not None
    del gloves["standard"]
    plant.write(plant.analyst, plan)
    assert _standard(app, gloves) is None
    assert _gap(app, gloves) is None
