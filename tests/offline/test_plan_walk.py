"""Walking a plan on a phone (390 x 844): a walk due today is on the home, one tap starts it
with no network, each behaviour check is one tap, the checklist survives an offline reload,
a changed answer stays one fact, unanswered items are skipped with one reason, and the
server ends up with exactly one fact per item."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Fact, Place, PlanSchedule, Walk
from tests.offline.conftest import log_in, wait_for_worker
from tests.offline.test_capture_app import LAYOUT_JS, TARGET, WIDTH, Finger, rows, synced
from tests.offline.test_offline_capture import wait_until

QUEUED_RECORD_JS = """async ([uid, id]) => {
  const open = indexedDB.open(`gemba-offline-user-${uid}`);
  const idb = await new Promise((ok) => { open.onsuccess = () => ok(open.result); });
  const get = idb.transaction("queue").objectStore("queue").get(id);
  const item = await new Promise((ok) => { get.onsuccess = () => ok(get.result); });
  idb.close();
  return item ? item.record : null;
}"""

pytestmark = pytest.mark.browser

# Due every day at 23:59:59 on the site's clock (UTC): whenever the test runs, today's walk is
# due and not yet past, however the server dates a new plan's first occurrence.
DAILY = "DTSTART;TZID=UTC:20260101T000000\nRRULE:FREQ=DAILY;BYHOUR=23;BYMINUTE=59;BYSECOND=59"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass
class Plan:
    id: str
    title: str
    items: list[dict] = field(default_factory=list)

    def item(self, topic: str) -> dict:
        return next(i for i in self.items if i["topic"] == topic)


def item(topic: str, question: str, kind: str = "behaviour", **extra) -> dict:
    return {"id": str(uuid.uuid4()), "topic": topic, "question": question, "kind": kind, **extra}


@dataclass
class Floor:
    user: object
    site: str
    plan: Plan
    overdue: Plan


@pytest.fixture
def floor(server, make_user, make_site, write) -> Floor:
    """An analyst's plan for Plant 2, assigned to the observer and due today (three
    behaviour checks, a measure and a retired check), and a weekly plan missed yesterday."""
    user = make_user("observer", email="walker@example.com")
    analyst = make_user("analyst", email="analyst@example.com")
    site = make_site("Plant 2")
    plan = Plan(
        str(uuid.uuid4()),
        "Press line round",
        [
            item(
                "Gloves at the press",
                "Are gloves worn at the press?",
                standard={"frequency": "always"},
                reference="SOP-12 rev C",
            ),
            item("Guard closed", "Is the guard closed while the press runs?"),
            item("Floor markings", "Are the walkways clear of material?"),
            item(
                "Changeover time", "How long did the last changeover take?", "measure", unit="min"
            ),
            item("Old badge check", "Is the badge board up to date?", retired=True),
        ],
    )
    yesterday = datetime.now(UTC) - timedelta(days=1)
    overdue = Plan(
        str(uuid.uuid4()), "Weekly 5S audit", [item("5S board", "Is the 5S board current?")]
    )
    result = write(
        analyst,
        {
            "type": "plan",
            "id": plan.id,
            "site": site,
            "title": plan.title,
            "route": ["Press 1", "Press 2", "Packing"],
            "schedule": DAILY,
            "assignees": [user.email],
            "items": plan.items,
        },
        {
            "type": "plan",
            "id": overdue.id,
            "site": site,
            "title": overdue.title,
            "schedule": "DTSTART;TZID=UTC:20260105T000000\nRRULE:FREQ=WEEKLY;"
            f"BYDAY={WEEKDAYS[yesterday.weekday()]};BYHOUR=6;BYMINUTE=0;BYSECOND=0",
            "assignees": [user.email],
            "items": overdue.items,
        },
    )
    assert not result.rejected, [r.errors for r in result.results]
    with server.app.app_context():  # the weekly plan is older than yesterday's walk
        schedule = db.session.scalar(
            select(PlanSchedule).where(PlanSchedule.plan_id == uuid.UUID(overdue.id))
        )
        schedule.starts_at = datetime.now(UTC) - timedelta(days=8)
        db.session.commit()
        db.session.remove()
    return Floor(user, site, plan, overdue)


@pytest.fixture
def phone(server, floor, phone_context):
    """The observer on a phone whose worker controls the app, which has read the home once
    with a network (as on the way to the floor): the due walks and the plans are kept."""
    page = phone_context.new_page()
    log_in(page, server.url, floor.user.email)
    wait_for_worker(page)
    page.reload()
    page.wait_for_selector("main[data-ready='/app']")
    page.wait_for_selector(".due-today .due-card")
    return page


def open_screen(page, server, path: str) -> None:
    page.goto(server.url + path)
    page.wait_for_selector(f"main[data-ready='{path}']")


def reload(page, path: str) -> None:
    page.reload()
    page.wait_for_selector(f"main[data-ready='{path}']")


def start(page, finger: Finger, title: str) -> str:
    """Tap Start on the due walk; the checklist's path once it is drawn."""
    finger.tap(f".due-card:has-text('{title}') .due-start")
    page.wait_for_url(re.compile(r"/app/walks/[0-9a-f-]{36}/checklist$"))
    path = urlparse(page.url).path
    page.wait_for_selector(f"main[data-ready='{path}'] .checklist")
    return path


def walk_of(path: str) -> str:
    return path.split("/")[3]


def answered(page, item: dict) -> str:
    """The item's answer once it shows (drawn at once, before any write)."""
    page.wait_for_selector(f"#item-{item['id']}.is-answered")
    return page.inner_text(f"#item-{item['id']} .answer-line")


QUEUED_VALUE_JS = """async ([uid, id]) => {
  const open = indexedDB.open(`gemba-offline-user-${uid}`);
  const idb = await new Promise((ok, fail) => {
    open.onsuccess = () => ok(open.result);
    open.onerror = fail;
  });
  const get = idb.transaction("queue").objectStore("queue").get(id);
  const item = await new Promise((ok) => { get.onsuccess = () => ok(get.result); });
  idb.close();
  return item ? item.record.value ?? null : null;
}"""


def queued_value(page, user, record_id: str):
    """The measured value the phone's queue holds for a record: the write has landed."""
    return page.evaluate(QUEUED_VALUE_JS, [user.id, record_id])


def progress(page) -> str:
    return page.inner_text(".checklist-bar .progress-text")


def measure(page, item: dict, value: str) -> None:
    """Type the number and press Enter: the keyboard, no tap."""
    field_ = f"#item-{item['id']} input[name=value]"
    page.fill(field_, value)
    page.press(field_, "Enter")


def facts(server, walk: str) -> list[Fact]:
    return rows(server.app, Fact, walk_id=uuid.UUID(walk))


COUNT_DIALOGS_JS = """() => {
  const dialog = document.getElementById("dialog");
  window.dialogs = 0;
  new MutationObserver(() => { if (dialog.open) window.dialogs++; })
    .observe(dialog, { attributes: true, attributeFilter: ["open"] });
  return dialog.open;
}"""

BEHAVIOURS = {  # topic: (the button, what the server then holds in `performed`)
    "Gloves at the press": ("done", True),
    "Guard closed": ("not_done", False),
    "Floor markings": ("done", True),
}


# -- the walk the issue asks for -------------------------------------------------------------


def test_a_due_walk_is_started_and_checked_offline_with_one_tap_per_item(
    server, floor, phone, phone_context, capsys
):
    page = phone
    due = page.locator(".due-today .due-card", has_text=floor.plan.title)
    assert due.count() == 1
    assert "Plant 2" in due.inner_text()
    assert "Due 23:59" in due.inner_text()  # the site's clock

    phone_context.set_offline(True)
    finger = Finger(page)
    path = start(page, finger, floor.plan.title)
    start_taps = finger.taps
    walk = walk_of(path)
    assert progress(page) == "0 of 4 answered"
    assert "Old badge check" not in page.inner_text(".checklist")  # retired
    finger.tap(".stop:has-text('Press 1')")  # "I'm here"
    assert "You are at Press 1" in page.inner_text(".where")

    taps = {}
    for topic, (button, _) in BEHAVIOURS.items():
        check = floor.plan.item(topic)
        before = finger.taps
        finger.tap(f"#item-{check['id']} .answer-{button}")
        shown = answered(page, check)
        taps[topic] = finger.taps - before
        assert page.get_attribute(f"#item-{check['id']} .answer-{button}", "aria-pressed") == "true"
        assert {"done": "Done", "not_done": "Not done"}[button] in shown
        assert "at Press 1" in shown
    changeover = floor.plan.item("Changeover time")
    before = finger.taps
    measure(page, changeover, "24")
    assert "24 min" in answered(page, changeover)
    taps["Changeover time"] = finger.taps - before
    assert progress(page) == "4 of 4 answered"

    finger.tap(".finish")  # everything answered: no question
    page.wait_for_selector(f"main[data-ready='/app/walks/{walk}/summary']")
    assert page.locator("dialog[open]").count() == 0
    with capsys.disabled():
        print(f"\ntaps: start {start_taps}, per check {taps}, whole walk {finger.taps}")
    assert start_taps == 1
    assert all(n == 1 for topic, n in taps.items() if topic in BEHAVIOURS), taps
    assert taps["Changeover time"] == 0  # typed, then Enter
    assert rows(server.app, Walk, id=uuid.UUID(walk)) == []  # nothing left the phone
    # Announced as the site's walks are, set on the phone with no tap for it.
    assert page.evaluate(QUEUED_RECORD_JS, [floor.user.id, walk])["announced"] is True

    phone_context.set_offline(False)
    synced(page, floor.user)
    (stored,) = rows(server.app, Walk, id=uuid.UUID(walk))
    assert str(stored.plan_id) == floor.plan.id
    assert (stored.title, stored.status) == (floor.plan.title, "finished")
    assert stored.ended_at is not None
    (press,) = rows(server.app, Place, walk_id=uuid.UUID(walk))
    assert press.name == "Press 1"
    checks = facts(server, walk)
    assert len(checks) == 4, [f.text for f in checks]  # one per item, nothing twice
    by_item = {str(f.plan_item_id): f for f in checks}
    for topic, (_, performed) in BEHAVIOURS.items():
        fact = by_item[floor.plan.item(topic)["id"]]
        assert fact.performed is performed, topic
        assert fact.value is None
        assert fact.place_id == press.id
    timed = by_item[changeover["id"]]
    assert (timed.value, timed.unit, timed.performed) == (24.0, "min", None)
    assert by_item[floor.plan.item("Guard closed")["id"]].text == "Guard closed — not done"


# -- offline reload, changed answers, skipped items, the home list -------------------------


def test_the_checklist_survives_an_offline_reload_and_the_started_walk_leaves_the_home(
    server, floor, phone, phone_context
):
    page = phone
    phone_context.set_offline(True)
    reload(page, "/app")  # no network: the due walks as the phone last saw them
    assert page.locator(".due-today .due-card", has_text=floor.plan.title).count() == 1
    assert page.locator(".due-overdue .due-card", has_text=floor.overdue.title).count() == 1
    path = start(page, Finger(page), floor.plan.title)
    gloves = floor.plan.item("Gloves at the press")
    page.tap(f"#item-{gloves['id']} .answer-not_seen")
    assert "Not seen today" in answered(page, gloves)

    reload(page, path)  # with no network: the plan from the phone's database
    assert page.locator(".checklist > li").count() == 4
    assert "Not seen today" in answered(page, gloves)
    assert progress(page) == "1 of 4 answered"
    assert "Standard: always · SOP-12 rev C" in page.inner_text(f"#item-{gloves['id']}")

    open_screen(page, server, "/app")
    assert page.locator(".due-card", has_text=floor.plan.title).count() == 0  # started here
    assert page.locator(".due-overdue .due-card", has_text=floor.overdue.title).count() == 1
    assert page.locator(".cards li a", has_text=floor.plan.title).count() == 1  # in the list
    reload(page, "/app")
    assert page.locator(".due-card", has_text=floor.plan.title).count() == 0

    walk = walk_of(path)
    open_screen(page, server, f"/app/walks/{walk}")  # the walk screen leads back
    page.click(".to-checklist a")
    page.wait_for_selector(f"main[data-ready='{path}']")

    phone_context.set_offline(False)
    synced(page, floor.user)
    open_screen(page, server, "/app")  # the server's list now agrees
    assert page.locator(".due-card", has_text=floor.plan.title).count() == 0
    (fact,) = facts(server, walk)
    assert fact.text == "Gloves at the press — not seen today"
    assert (fact.performed, fact.value) == (None, None)


def test_a_changed_answer_updates_the_same_fact(server, floor, phone, phone_context):
    page = phone
    path = start(page, Finger(page), floor.plan.title)
    walk = walk_of(path)
    guard = floor.plan.item("Guard closed")
    changeover = floor.plan.item("Changeover time")
    page.tap(f"#item-{guard['id']} .answer-done")
    page.tap(f"#item-{guard['id']} .answer-not_done")  # a slip, corrected at once
    assert "Not done" in answered(page, guard)
    measure(page, changeover, "24")
    answered(page, changeover)
    synced(page, floor.user)
    first = {str(f.plan_item_id): (f.id, f.performed, f.value) for f in facts(server, walk)}
    assert first[guard["id"]][1] is False
    assert first[changeover["id"]][2] == 24.0

    phone_context.set_offline(True)  # changed again, offline, after the first was sent
    page.tap(f"#item-{guard['id']} .answer-done")
    measure(page, changeover, "26,5")
    assert "26.5 min" in answered(page, changeover)
    fact = str(first[changeover["id"]][0])
    assert wait_until(lambda: queued_value(page, floor.user, fact) == 26.5)  # on the phone
    reload(page, path)
    assert page.get_attribute(f"#item-{guard['id']} .answer-done", "aria-pressed") == "true"
    assert page.input_value(f"#item-{changeover['id']} input[name=value]") == "26.5"
    assert progress(page) == "2 of 4 answered"
    phone_context.set_offline(False)
    synced(page, floor.user)
    now = {str(f.plan_item_id): (f.id, f.performed, f.value) for f in facts(server, walk)}
    assert len(facts(server, walk)) == len(now) == 2
    assert now[guard["id"]] == (first[guard["id"]][0], True, None)
    assert now[changeover["id"]] == (first[changeover["id"]][0], None, 26.5)


def test_finishing_with_unanswered_items_asks_once_and_skips_them_with_the_reason(
    server, floor, phone, phone_context
):
    page = phone
    path = start(page, Finger(page), floor.plan.title)
    walk = walk_of(path)
    page.tap(".stop:has-text('Press 2')")
    gloves = floor.plan.item("Gloves at the press")
    page.tap(f"#item-{gloves['id']} .answer-done")
    answered(page, gloves)
    phone_context.set_offline(True)

    page.tap(".finish")
    page.wait_for_selector("dialog[open]")
    assert "3 items not answered" in page.inner_text("dialog[open]")
    page.click("dialog[open] >> text=Keep walking")  # not yet
    assert page.locator("dialog[open]").count() == 0
    assert page.locator(f"main[data-ready='{path}']").count() == 1
    page.tap(".finish")
    page.wait_for_selector("dialog[open]")
    opened = page.evaluate(COUNT_DIALOGS_JS)
    assert opened
    page.fill("dialog[open] input[name=reason]", "Line stopped")
    page.click("dialog[open] >> text=Skip and finish")
    page.wait_for_selector(f"main[data-ready='/app/walks/{walk}/summary']")
    assert page.evaluate("window.dialogs") == 0  # asked once, not once per item
    assert "recorded as skipped" in page.inner_text("#status")

    phone_context.set_offline(False)
    synced(page, floor.user)
    (stored,) = rows(server.app, Walk, id=uuid.UUID(walk))
    assert (stored.status, str(stored.plan_id)) == ("finished", floor.plan.id)
    by_item = {str(f.plan_item_id): f for f in facts(server, walk)}
    assert len(by_item) == 4 == len(facts(server, walk))
    (press2,) = rows(server.app, Place, walk_id=uuid.UUID(walk))
    for check in floor.plan.items[1:4]:
        fact = by_item[check["id"]]
        assert fact.text == f"{check['topic']} — skipped: Line stopped"
        assert (fact.performed, fact.value) == (None, None)
        assert fact.place_id == press2.id
    assert by_item[gloves["id"]].performed is True


def test_a_note_or_photo_opens_the_fact_form_and_comes_back_to_the_checklist(server, floor, phone):
    page = phone
    path = start(page, Finger(page), floor.plan.title)
    guard = floor.plan.item("Guard closed")
    page.tap(f"#item-{guard['id']} .answer-not_done")
    answered(page, guard)
    page.click(f"#item-{guard['id']} .note-link")
    page.wait_for_selector("form[data-kind=fact]")
    page.click("form details.more > summary")
    page.fill("form [name=text]", "Guard propped open with a wedge")
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{path}']")
    assert "Not done" in answered(page, guard)
    assert progress(page) == "1 of 4 answered"
    synced(page, floor.user)
    (fact,) = facts(server, walk_of(path))
    assert (fact.text, fact.performed, str(fact.plan_item_id)) == (
        "Guard propped open with a wedge",
        False,
        guard["id"],
    )


def test_the_home_and_the_checklist_fit_the_phone_and_every_target_takes_a_thumb(
    server, floor, phone
):
    page = phone
    found = [page.evaluate(LAYOUT_JS, TARGET)]
    path = start(page, Finger(page), floor.plan.title)
    page.tap(".stop:has-text('Press 1')")
    found.append(page.evaluate(LAYOUT_JS, TARGET))
    page.tap(".finish")
    page.wait_for_selector("dialog[open]")
    found.append(page.evaluate(LAYOUT_JS, TARGET))
    page.click("dialog[open] >> text=Keep walking")
    assert all(f["wide"] <= WIDTH for f in found), [f["wide"] for f in found]
    assert not [s for f in found for s in f["small"]], "targets under 44x44 px"
    # The answer buttons: big, and far enough apart not to hit the neighbour.
    boxes = page.evaluate(
        """(id) => [...document.querySelectorAll(`#item-${id} .answer`)]
             .map((b) => b.getBoundingClientRect().toJSON())""",
        floor.plan.items[0]["id"],
    )
    assert all(b["height"] >= 56 and b["width"] >= 88 for b in boxes), boxes
    gaps = [b["left"] - a["right"] for a, b in zip(boxes, boxes[1:], strict=False)]
    assert all(g >= 10 for g in gaps), gaps
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.question, .answer, .progress-text, .stop')]
             .map((e) => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert min(sizes) >= 16, sizes
    assert page.locator(f"main[data-ready='{path}']").count() == 1


def test_a_check_against_the_standard_shows_on_the_walk_at_once_offline(
    server, floor, phone, phone_context
):
    """The standard is a claim like a spoken one: a miss contradicts "always" on the phone,
    before anything is sent, in the plant's words: the standard, not a person, said it."""
    page = phone
    path = start(page, Finger(page), floor.plan.title)
    phone_context.set_offline(True)
    gloves = floor.plan.item("Gloves at the press")
    page.tap(f"#item-{gloves['id']} .answer-not_done")
    answered(page, gloves)
    walk_path = f"/app/walks/{walk_of(path)}"
    Finger(page).tap(".checklist-bar .free-capture")  # in the app, as an observer goes
    page.wait_for_selector(f"main[data-ready='{walk_path}'] .timeline .badge-unsynced")
    page.tap(f"main[data-ready='{walk_path}'] .gaps-panel summary")
    panel = page.inner_text(f"main[data-ready='{walk_path}'] .gaps-panel")
    assert "Contradicts the standard: “Are gloves worn at the press?”" in panel
    assert 'The standard (SOP-12 rev C) says "always"; observed 0 of 1' in panel
