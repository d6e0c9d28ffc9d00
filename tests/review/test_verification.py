"""An action is judged on the evidence before and since it took effect, and verified by
the evidence since: the old facts that contradict a statement for ever do not count."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gemba.capture import records
from gemba.domain import schedules
from gemba.extensions import db
from gemba.models import Action, AuditEvent, Gap, Plan, User
from gemba.plans import programme
from gemba.review import actions
from gemba.review.actions import ActionData
from tests.conftest import login, uid

TOPIC = "Badge scan at entry"


class Line:
    """A walk with a claim ("always") contradicted by three misses a week ago, an action
    decided from its gap, and a shortcut that logs new observations."""

    def __init__(self, app, make_user, make_walk) -> None:
        self.app = app
        self.analyst = make_user("analyst")
        self.observer = make_user("observer")
        self.walk = make_walk(self.observer)
        week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
        self.write(
            {"type": "statement", "id": uid(), "walk": self.walk, "topic": TOPIC,
             "text": "We always scan.", "claim": {"frequency": "always"}},
            *[self.fact(False, observed_at=week_ago) for _ in range(3)],
        )  # fmt: skip
        with app.app_context():
            gap = db.session.scalar(select(Gap))
            actor = db.session.get(User, self.analyst.id)
            data = ActionData("Fix the scanner", None, self.analyst.id, None, "open")
            self.action = actions.create_action(actor, data, [gap.id]).id

    def fact(self, performed: bool, **extra) -> dict:
        return {"type": "fact", "id": uid(), "walk": self.walk, "topic": TOPIC,
                "text": "Scanned" if performed else "Walked in", "performed": performed,
                **extra}  # fmt: skip

    def write(self, *batch: dict) -> None:
        with self.app.app_context():
            result = records.write(db.session.get(User, self.observer.id), list(batch))
            assert not result.rejected

    def observe(self, performed: bool, times: int) -> None:
        self.write(*[self.fact(performed) for _ in range(times)])

    def move(self, status: str) -> None:
        with self.app.app_context():
            actions.move_action(db.session.get(User, self.analyst.id), self.action, status)

    def get(self) -> Action:
        with self.app.app_context():
            action = db.session.get(Action, self.action)
            db.session.expunge(action)
            return action

    def events(self) -> list[AuditEvent]:
        with self.app.app_context():
            found = db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_id == str(self.action))
                .order_by(AuditEvent.id)
            ).all()
            for event in found:
                db.session.expunge(event)
            return list(found)


@pytest.fixture
def line(app, make_user, make_walk) -> Line:
    return Line(app, make_user, make_walk)


def test_marking_done_sets_when_it_took_effect_and_reopening_clears_it(line):
    assert line.get().done_at is None
    line.move("done")
    took_effect = line.get().done_at
    assert took_effect is not None
    line.move("in_progress")
    assert line.get().done_at is None


def test_ten_observations_since_it_took_effect_verify_it_with_the_evidence(line):
    line.move("done")
    line.observe(True, 9)
    assert line.get().status == "done"  # nine of the ten the rule asks for
    line.observe(True, 1)
    assert line.get().status == "verified"
    event = line.events()[-1]
    assert event.verb == "verified by evidence"
    assert event.user_id is None
    (judged,) = event.detail["statements"].values()
    assert judged["explanation"].startswith('Said "always"; observed 10 of 10')
    assert len(judged["evidence"]) == 10  # the facts since, not the three misses before


def test_a_miss_since_it_took_effect_keeps_it_waiting(line):
    line.move("done")
    line.observe(True, 12)
    assert line.get().status == "verified"
    line.move("open")  # an analyst reopens it
    line.move("done")
    line.observe(False, 1)
    line.observe(True, 12)
    assert line.get().status == "done"  # one miss since contradicts "always"


def test_an_action_not_done_is_never_verified(line):
    line.observe(True, 15)
    assert line.get().status == "open"


def test_the_number_needed_is_a_setting(app, line):
    app.config["GEMBA_VERIFY_MIN_OBSERVATIONS"] = 3
    line.move("done")
    line.observe(True, 3)
    assert line.get().status == "verified"


def test_the_action_page_judges_before_and_since(app, line):
    line.move("done")
    line.observe(True, 4)
    page = login(app.test_client(), line.analyst).get(f"/review/actions/{line.action}")
    text = page.get_data(as_text=True)
    assert "Before " in text
    assert "Said &#34;always&#34;; observed 0 of 3" in text
    assert "Said &#34;always&#34;; observed 4 of 4" in text
    assert "consistent with the claim" in text


def test_a_gap_whose_action_is_verified_is_not_in_the_open_inbox(app, line):
    line.move("done")
    line.observe(True, 10)
    client = login(app.test_client(), line.analyst)
    assert "We always scan." not in client.get("/review/").get_data(as_text=True)
    with app.app_context():
        gap = db.session.scalar(select(Gap))
        assert gap.contradicted  # its full history stays: the old misses still count
        assert uuid.UUID(str(gap.id))


def _ask(app, line, walker, day: str):
    client = login(app.test_client(), line.analyst)
    return client.post(
        f"/review/actions/{line.action}/verification-walk",
        data={"walker": str(walker.id), "day": day},
    )


def test_a_verification_walk_is_a_walk_due_to_that_person_with_the_actions_topics(
    app, line, make_user
):
    walker = make_user("observer")
    day = datetime.now(UTC).date() + timedelta(days=1)
    response = _ask(app, line, walker, day.isoformat())
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalar(select(Plan))
        assert plan.title == "Verify: Fix the scanner"
        assert [u.email for u in plan.assignees] == [walker.email]
        assert [e.item.topic.name for e in plan.entries] == [TOPIC]
        (occurrence,) = schedules.occurrences(
            plan.schedule, datetime.now(UTC), datetime.now(UTC) + timedelta(days=5)
        )
        assert occurrence.date() == day  # 09:00 UTC on that day, once
        person = db.session.get(User, walker.id)
        the_day = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        assert [d.plan.id for d in programme.due_for(person, the_day)] == [plan.id]
        # Once, with no next occurrence to make it missed: owed (overdue) until walked.
        later = programme.due_for(person, the_day + timedelta(days=3))
        assert [(d.plan.id, d.status) for d in later] == [(plan.id, "overdue")]
    page = login(app.test_client(), line.analyst).get(f"/review/actions/{line.action}")
    text = page.get_data(as_text=True)
    assert walker.email in text
    assert "upcoming" in text
    assert line.events()[-1].verb == "asked for a verification walk"


def test_a_verification_walk_needs_someone_and_a_day(app, line):
    response = _ask(app, line, line.observer, "")
    assert response.status_code == 422
    assert "Choose the day of the walk." in response.get_data(as_text=True)
    client = login(app.test_client(), line.analyst)
    response = client.post(
        f"/review/actions/{line.action}/verification-walk", data={"walker": "", "day": "2027-01-01"}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Plan)) is None


def test_observers_cannot_ask_for_verification_walks(app, line):
    client = login(app.test_client(), line.observer)
    response = client.post(
        f"/review/actions/{line.action}/verification-walk",
        data={"walker": str(line.observer.id), "day": "2027-01-01"},
    )
    assert response.status_code == 403
