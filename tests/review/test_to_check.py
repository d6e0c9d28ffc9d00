"""What the analysts asked for at a site comes first on every walk there: gaps that need
observation (with the note), actions waiting for the evidence that verifies them, and
claims too thin to judge, each saying what would decide it and ticked by a fact on its
topic logged on the walk; the walk page, its hide button, and the API the phone reads."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gemba.domain.phrases import english
from gemba.extensions import db
from gemba.gaps import to_check, triage
from gemba.models import Gap, Site, User, Walk
from gemba.review import actions
from tests.conftest import login, uid
from tests.review.conftest import count_queries

GLOVES = "Gloves at the press"
GUARD = "Guard closed"


class Plant:
    """A site where an observer said things and saw things, and an analyst decides."""

    def __init__(self, app, make_user, make_site, make_walk, write) -> None:
        self.app = app
        self.write_as = write
        self.make_walk = make_walk
        self.observer = make_user("observer")
        self.analyst = make_user("analyst")
        self.site = make_site("Plant 2")
        self.first_walk = make_walk(self.observer, self.site, "Monday round")

    def said(self, topic: str, frequency: str, text: str | None = None, walk: str | None = None):
        statement = uid()
        self.write(
            {"type": "statement", "id": statement, "walk": walk or self.first_walk,
             "topic": topic, "text": text or f"We {frequency} check {topic.lower()}.",
             "speaker": "Shift lead", "claim": {"frequency": frequency}}
        )  # fmt: skip
        return statement

    def seen(self, topic: str, performed: bool | None, times: int = 1, walk=None, **extra):
        ids = [uid() for _ in range(times)]
        self.write(
            *[
                {"type": "fact", "id": i, "walk": walk or self.first_walk, "topic": topic,
                 "text": f"{topic}: seen", "performed": performed, **extra}
                for i in ids
            ]
        )  # fmt: skip
        return ids

    def write(self, *records: dict) -> None:
        result = self.write_as(self.observer, *records)
        assert not result.rejected, [r.errors for r in result.rejected]

    def gap_of(self, statement: str) -> uuid.UUID:
        with self.app.app_context():
            gap = db.session.scalar(select(Gap).where(Gap.statement_id == uuid.UUID(statement)))
            return gap.id

    def ask(self, statement: str, note: str) -> None:
        with self.app.app_context():
            actor = db.session.get(User, self.analyst.id)
            triage.decide(self.gap_of(statement), "needs_observation", actor, note)

    def action(self, statement: str, title: str = "New gloves rack", status: str = "done"):
        with self.app.app_context():
            actor = db.session.get(User, self.analyst.id)
            data = actions.ActionData(title, "Rack hung by the press", actor.id, None, "open")
            action = actions.create_action(actor, data, [self.gap_of(statement)])
            actions.move_action(actor, action.id, status)
            return action.id

    def walk(self, title: str = "Tuesday round") -> str:
        return self.make_walk(self.observer, self.site, title)

    def items(self, walk: str | None = None) -> list[to_check.CheckItem]:
        with self.app.app_context():
            site = db.session.get(Site, uuid.UUID(self.site))
            on = db.session.get(Walk, uuid.UUID(walk)) if walk else None
            return to_check.to_check(site, on)

    def item(self, topic: str, walk: str | None = None) -> to_check.CheckItem:
        (found,) = [i for i in self.items(walk) if i.topic == topic]
        return found


@pytest.fixture
def plant(app, make_user, make_site, make_walk, write) -> Plant:
    return Plant(app, make_user, make_site, make_walk, write)


def asked_about_gloves(plant: Plant) -> str:
    """'We usually wear gloves', seen 1 of 3, one miss marked as contradicting by hand, and the
    analyst's "needs observation": one more miss at that rate decides it."""
    statement = plant.said(GLOVES, "usually", "We usually wear gloves at the press.")
    plant.seen(GLOVES, True)
    misses = plant.seen(GLOVES, False, 2)
    plant.write(
        {"type": "contradiction", "id": uid(), "fact": misses[0], "statement": statement,
         "note": "Took them off to load"}
    )  # fmt: skip
    plant.ask(statement, "One observer's word so far: watch the next loads.")
    return statement


# -- the list ------------------------------------------------------------------------------


def test_a_gap_the_analyst_wants_observed_comes_first_with_the_note_and_what_decides_it(plant):
    plant.said(GUARD, "always")  # nothing seen yet: one miss would decide it
    asked_about_gloves(plant)

    first, second = plant.items()

    assert (first.kind, first.topic, first.label) == ("needs_observation", GLOVES, "Analyst asks")
    assert first.note == "One observer's word so far: watch the next loads."
    assert english(first.decide) == "Observe about 1 more to decide"
    assert first.what == "We usually wear gloves at the press."
    assert (second.kind, second.topic) == ("thin_claim", GUARD)
    assert english(second.decide) == "Observe about 1 more to decide"
    assert english(second.why) == "if all go the same way"


def test_a_gap_decided_by_its_numbers_still_asks_to_be_observed_again(plant):
    statement = plant.said(GUARD, "always")
    plant.seen(GUARD, False, 3)
    plant.ask(statement, "Was the guard broken that day?")

    item = plant.item(GUARD)

    assert english(item.decide) == "Observe it again, as asked"
    assert english(item.why) == "the numbers so far decide it already"


@pytest.mark.parametrize(
    ("frequency", "performed", "missed", "decide"),
    [
        ("usually", 4, 4, "Observe about 7 more to decide"),  # docs/saydo.md's worked example
        ("usually", 0, 0, "Observe about 2 more to decide"),
        ("sometimes", 0, 0, "Observe about 16 more to decide"),
        ("always", 0, 0, "Observe about 1 more to decide"),
    ],
)
def test_a_thin_claim_says_how_many_more_observations_could_decide_it(
    plant, frequency, performed, missed, decide
):
    plant.said(GUARD, frequency)
    plant.seen(GUARD, True, performed)
    plant.seen(GUARD, False, missed)

    assert english(plant.item(GUARD).decide) == decide


@pytest.mark.parametrize(
    ("frequency", "performed", "missed"),
    [
        ("always", 0, 1),  # decided: a gap the inbox shows
        ("always", 5, 0),  # no run of performed ones proves "always"
        ("usually", 2, 1),  # about 685 more: no job for one walk
    ],
)
def test_a_claim_no_walk_could_settle_is_not_listed(plant, frequency, performed, missed):
    plant.said(GUARD, frequency)
    plant.seen(GUARD, True, performed)
    plant.seen(GUARD, False, missed)

    assert plant.items() == []


def test_the_same_claim_said_twice_on_a_topic_is_one_item(plant):
    plant.said(GUARD, "always", "The guard is always closed.")
    plant.said(GUARD, "always", "Nobody opens the guard while it runs.")

    assert [i.what for i in plant.items()] == ["The guard is always closed."]


def test_a_fact_on_the_topic_logged_on_the_walk_ticks_the_item_on_that_walk_only(plant):
    asked_about_gloves(plant)
    tuesday, wednesday = plant.walk("Tuesday round"), plant.walk("Wednesday round")
    assert not plant.item(GLOVES, tuesday).ticked

    plant.seen(GLOVES, None, walk=tuesday)  # a note ticks it too: the observer looked

    assert plant.item(GLOVES, tuesday).ticked
    assert not plant.item(GLOVES, wednesday).ticked
    assert not plant.item(GLOVES).ticked


def test_a_claim_settled_on_a_walk_stays_there_ticked_and_decided(plant):
    plant.said(GUARD, "always")
    tuesday = plant.walk()

    plant.seen(GUARD, False, walk=tuesday)  # one miss contradicts "always"

    item = plant.item(GUARD, tuesday)
    assert item.ticked
    assert english(item.decide) == "Decided"
    assert english(item.why) == "the 95% interval lies wholly outside the band"
    assert plant.items(plant.walk("Wednesday round")) == []  # the inbox has it now


def test_facts_at_another_site_neither_count_nor_tick(plant, make_site, make_walk):
    plant.said(GUARD, "usually")
    elsewhere = make_walk(plant.observer, make_site("Plant 9"), "Plant 9 round")
    plant.seen(GUARD, False, 5, walk=elsewhere)

    item = plant.item(GUARD, elsewhere)

    assert english(item.decide) == "Observe about 2 more to decide"  # still nothing seen at Plant 2
    assert not item.ticked


def test_an_action_marked_done_says_how_many_more_since_it_took_effect_verify_it(app, plant):
    app.config["GEMBA_VERIFY_MIN_OBSERVATIONS"] = 4
    statement = plant.said(GLOVES, "always")
    week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    plant.seen(GLOVES, False, 3, observed_at=week_ago)
    action = plant.action(statement)
    today = datetime.now(UTC)
    day = f"{today.day} {today:%b}"
    tuesday = plant.walk()

    plant.seen(GLOVES, True, 1, walk=tuesday)

    item = plant.item(GLOVES, tuesday)
    assert (item.kind, item.what, item.action_id) == ("verify_action", "New gloves rack", action)
    assert english(item.decide) == f"Observe 3 more since {day} to verify"
    assert item.note == "Rack hung by the press"
    assert item.ticked

    plant.seen(GLOVES, True, 3, walk=tuesday)

    assert english(plant.item(GLOVES, tuesday).decide) == f"Verified by the evidence since {day}"
    assert plant.items(plant.walk("Later round")) == []


def test_an_action_still_contradicted_since_it_took_effect_says_so(plant):
    statement = plant.said(GLOVES, "always")
    plant.seen(GLOVES, False)
    plant.action(statement)

    plant.seen(GLOVES, False)

    assert english(plant.item(GLOVES).decide).startswith("Still contradicted since ")
    assert plant.item(GLOVES).more is None


def test_an_action_not_done_yet_is_not_listed(plant):
    statement = plant.said(GLOVES, "always")
    plant.seen(GLOVES, False)
    plant.action(statement, status="in_progress")

    assert plant.items() == []


def test_the_strongest_come_first_and_a_walk_shows_eight(plant):
    for n in range(10):
        plant.said(f"Rule {n}", "sometimes" if n % 2 else "always")
    asked_about_gloves(plant)

    shown = to_check.shown(plant.items(), frozenset())

    assert len(shown.items) == to_check.LIMIT == 8
    assert shown.more == 3
    assert shown.items[0].kind == "needs_observation"
    assert [i.more for i in shown.items[1:]] == [1] * 5 + [16] * 2


def test_the_list_costs_the_same_queries_for_three_claims_as_for_thirty(app, plant):
    plant.said(GUARD, "always")
    plant.seen(GUARD, True)
    with count_queries(app) as few:
        plant.items()
    for n in range(30):
        plant.said(f"Rule {n}", "usually")
        plant.seen(f"Rule {n}", n % 2 == 0, 3)
    with count_queries(app) as many:
        assert len(plant.items()) > 3

    assert len(many) == len(few)


# -- hiding an item on a walk ----------------------------------------------------------------


def test_hiding_keeps_to_that_walk_and_refuses_keys_no_item_has():
    session: dict = {}
    monday, tuesday = uuid.uuid4(), uuid.uuid4()
    key = f"gap-{uuid.uuid4()}"

    assert to_check.hide(session, monday, key)
    assert not to_check.hide(session, monday, "gap-<script>")

    assert to_check.hidden_keys(session, monday) == {key}
    assert to_check.hidden_keys(session, tuesday) == set()


def test_the_session_keeps_the_hidden_items_of_the_last_ten_walks_only():
    session: dict = {}
    walks = [uuid.uuid4() for _ in range(12)]
    for walk in walks:
        to_check.hide(session, walk, f"claim-{uuid.uuid4()}")

    assert not to_check.hidden_keys(session, walks[1])
    assert to_check.hidden_keys(session, walks[-1])


# -- the walk page (no JavaScript) ------------------------------------------------------------


def test_the_walk_page_shows_what_to_check_before_the_walk_itself(app, plant):
    asked_about_gloves(plant)
    tuesday = plant.walk()
    client = login(app.test_client(), plant.observer)

    page = client.get(f"/walks/{tuesday}").get_data(as_text=True)

    assert page.index('id="to-check"') < page.index('class="walk-head"')
    assert "One observer&#39;s word so far: watch the next loads." in page
    assert "Observe about 1 more to decide" in page
    assert "0 of 1 logged" in page


def test_a_fact_logged_on_the_walk_shows_the_item_ticked_on_the_cached_page(app, plant):
    asked_about_gloves(plant)
    tuesday = plant.walk()
    client = login(app.test_client(), plant.observer)
    assert "✓ Logged on this walk" not in client.get(f"/walks/{tuesday}").get_data(as_text=True)

    plant.seen(GLOVES, False, walk=tuesday)

    page = client.get(f"/walks/{tuesday}").get_data(as_text=True)
    assert "✓ Logged on this walk" in page
    assert "1 of 1 logged" in page


def test_a_second_read_of_the_walk_page_reads_no_facts_for_the_list(app, plant):
    asked_about_gloves(plant)
    tuesday = plant.walk()
    client = login(app.test_client(), plant.observer)
    client.get(f"/walks/{tuesday}")

    with count_queries(app) as queries:
        page = client.get(f"/walks/{tuesday}").get_data(as_text=True)

    assert "Observe about 1 more to decide" in page
    assert not any("FROM facts" in statement for statement in queries)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)[1]


def test_an_observer_hides_an_item_on_this_walk_and_sees_it_on_the_next(
    csrf_app, make_user, make_site, make_walk, write
):
    plant = Plant(csrf_app, make_user, make_site, make_walk, write)
    statement = asked_about_gloves(plant)
    tuesday, wednesday = plant.walk(), plant.walk("Wednesday round")
    client = login(csrf_app.test_client(), plant.observer)
    page = client.get(f"/walks/{tuesday}").get_data(as_text=True)
    hide = f"/walks/{tuesday}/to-check/gap-{plant.gap_of(statement)}/hide"

    refused = client.post(hide)  # no CSRF token
    answer = client.post(hide, data={"csrf_token": _token(page)})

    assert refused.status_code == 400
    assert answer.status_code == 302
    assert answer.location.endswith(f"/walks/{tuesday}#to-check")
    after = client.get(f"/walks/{tuesday}").get_data(as_text=True)
    assert "Observe about 1 more to decide" not in after
    assert "1 hidden on this walk." in after
    assert "Observe about 1 more to decide" in client.get(f"/walks/{wednesday}").get_data(
        as_text=True
    )
    colleague = login(csrf_app.test_client(), plant.analyst)
    assert "Observe about 1 more to decide" in colleague.get(f"/walks/{tuesday}").get_data(
        as_text=True
    )


def test_hiding_on_a_walk_that_does_not_exist_is_not_found(app, plant):
    client = login(app.test_client(), plant.observer)

    answer = client.post(f"/walks/{uuid.uuid4()}/to-check/gap-{uuid.uuid4()}/hide")

    assert answer.status_code == 404


# -- the API the phone reads -----------------------------------------------------------------


def test_the_api_gives_the_list_with_what_decides_each_item_and_ticks_for_the_walk(app, plant):
    asked_about_gloves(plant)
    plant.said(GUARD, "always")
    tuesday = plant.walk()
    plant.seen(GUARD, True, walk=tuesday)
    client = login(app.test_client(), plant.observer)

    body = client.get(f"/api/v1/sites/{plant.site}/to-check?walk={tuesday}").get_json()

    assert body["site"] == plant.site
    assert body["walk"] == tuesday
    assert body["limit"] == 8
    gloves, guard = body["items"]
    assert gloves["kind"] == "needs_observation"
    assert gloves["note"] == "One observer's word so far: watch the next loads."
    assert gloves["decide"] == "Observe about 1 more to decide"
    assert gloves["claim"] == {"frequency": "usually"}
    assert gloves["ticked"] is False
    assert guard["ticked"] is True
    assert guard["decide"] == "More observations at this rate will not decide it"


def test_the_api_answers_a_walk_it_has_not_seen_and_refuses_a_bad_one(app, plant):
    plant.said(GUARD, "always")
    client = login(app.test_client(), plant.observer)
    url = f"/api/v1/sites/{plant.site}/to-check"

    unseen = client.get(f"{url}?walk={uuid.uuid4()}")  # queued on a phone, not synced yet

    assert unseen.status_code == 200
    assert [i["ticked"] for i in unseen.get_json()["items"]] == [False]
    assert client.get(f"{url}?walk=Tuesday").status_code == 400
    assert client.get(f"/api/v1/sites/{uuid.uuid4()}/to-check").status_code == 404
    assert app.test_client().get(url).status_code == 401
