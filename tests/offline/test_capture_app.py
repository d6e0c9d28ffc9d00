"""The capture app as the observer meets it on a phone (390 x 844): a network that drops as
Save is tapped, screens reloaded with no network, edits and deletes of synced records, taps
counted, drafts, what the next form starts with, how fast a save shows, and a page that
fits the phone with targets a thumb can hit."""

from __future__ import annotations

import re
import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gemba.extensions import db
from gemba.models import Fact, Place, Statement, Thing, Walk
from gemba.models.trash import DeletedRecord
from tests.offline.conftest import log_in, wait_for_worker
from tests.offline.test_offline_capture import queue, stored_ids, wait_until

pytestmark = pytest.mark.browser

WIDTH = 390  # the phone's viewport, CSS pixels
TARGET = 44  # the smallest tap target, CSS pixels
SPEED_BUDGET_MS = 50  # Save tapped offline -> the new card on the timeline (median)
LABELS = {"place": "Place", "thing": "Thing", "fact": "Fact", "statement": "Said"}


# -- the floor: a site, a walk on the server, what was said and seen on it -----------------


@dataclass
class Floor:
    user: object
    site: str
    walk: str
    fact: str  # "Door propped open", not done, on "Fire door"
    statement: str  # "We always close the fire door.", on "Fire door"
    glove_statement: str  # "Gloves are always worn at the press.", on "Gloves at press"

    @property
    def path(self) -> str:
        return f"/app/walks/{self.walk}"


def ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def floor(server, make_user, make_site, make_walk, write) -> Floor:
    """An observer's walk at Plant 2, on the server, with two statements and one fact."""
    user = make_user("observer", email="walker@example.com")
    site = make_site("Plant 2")
    walk = make_walk(user, site, "Line 3 changeover")
    fact, statement, gloves = (str(uuid.uuid4()) for _ in range(3))
    said = {"type": "statement", "walk": walk, "speaker": "Shift lead", "source": "interview"}
    result = write(
        user,
        {
            **said,
            "id": statement,
            "text": "We always close the fire door.",
            "topic": "Fire door",
            "claim": {"frequency": "always"},
            "observed_at": ago(30),
        },
        {
            **said,
            "id": gloves,
            "text": "Gloves are always worn at the press.",
            "topic": "Gloves at press",
            "claim": {"frequency": "always"},
            "observed_at": ago(25),
        },
        {
            "type": "fact",
            "id": fact,
            "walk": walk,
            "text": "Door propped open",
            "topic": "Fire door",
            "performed": False,
            "observed_at": ago(20),
        },
    )
    assert not result.rejected, result.rejected
    return Floor(user, site, walk, fact, statement, gloves)


@pytest.fixture
def phone(server, floor, phone_context):
    """The observer logged in on a phone whose service worker controls the app, which has
    read the walk's page once with a network (as on the way to the floor)."""
    page = phone_context.new_page()
    log_in(page, server.url, floor.user.email)
    wait_for_worker(page)
    page.reload()  # under the worker now: the lists the floor needs are read and kept
    page.wait_for_selector("main[data-ready='/app']")
    open_screen(page, server, floor.path)
    return page


# -- what the observer does ------------------------------------------------------------------


class Finger:
    """The observer's taps on the screen, counted (typing on the keyboard is not a tap)."""

    def __init__(self, page) -> None:
        self.page = page
        self.taps = 0

    def tap(self, selector: str) -> None:
        self.taps += 1
        self.page.tap(selector)


def open_screen(page, server, path: str) -> None:
    page.goto(server.url + path)
    page.wait_for_selector(f"main[data-ready='{path}']")


def reload(page, path: str) -> None:
    page.reload()
    page.wait_for_selector(f"main[data-ready='{path}']")


def card(page, record_id: str):
    return page.locator(f"#r-{record_id}")


def open_form(page, kind: str) -> None:
    page.click(f".actionbar >> text={LABELS[kind]}")
    page.wait_for_selector(f"form[data-kind={kind}]")


def fill(page, fields: dict, chips=()) -> None:
    for text in chips:  # first: a chip may show the fields that follow
        page.click(f"form label.choice:has-text('{text}')")
    for name, value in fields.items():
        page.fill(f"form [name={name}]", value)


def save(page, walk_path: str) -> str:
    """Tap Save; back on the walk, the id of the card the save made."""
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{walk_path}'] .record.is-new")
    return page.locator(".record.is-new").get_attribute("id").removeprefix("r-")


def delete_from_edit(page, record_id: str, floor: Floor, cut_network=None) -> None:
    """Edit -> "Delete …" -> confirm; `cut_network` is called just before the confirming tap."""
    card(page, record_id).locator("text=Edit").click()
    page.wait_for_selector(f"main[data-ready='{floor.path}/edit/{record_id}']")
    page.click(".danger-zone button")
    page.wait_for_selector("dialog[open]")
    if cut_network:
        cut_network()
    page.click("dialog[open] >> button:has-text('Delete')")
    page.wait_for_selector(f"main[data-ready='{floor.path}']")


def synced(page, user, timeout: float = 30) -> None:
    """Until the phone's queue is empty: everything is on the server."""
    assert wait_until(lambda: queue(page, user) == [], timeout=timeout), queue(page, user)


def rows(app, model, **where) -> list:
    with app.app_context():
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        db.session.remove()
        return found


def trashed(app, record_id: str) -> int:
    with app.app_context():
        n = db.session.scalar(
            select(func.count())
            .select_from(DeletedRecord)
            .where(DeletedRecord.object_id == uuid.UUID(record_id))
        )
        db.session.remove()
        return n


# -- 1. the network drops as Save is tapped, on every form -----------------------------------

NEW_RECORDS = {
    # kind: (the fields typed, chips tapped, what the card or list then shows, model, column)
    "walk": (
        {"title": "Dock check", "purpose": "Why do trucks wait?"},
        (),
        "Dock check",
        Walk,
        "title",
    ),
    "place": ({"name": "Press 2", "note": "By the crane"}, (), "Press 2", Place, "name"),
    "thing": ({"name": "Torque wrench"}, ("Tool",), "Torque wrench", Thing, "name"),
    "fact": (
        {"topic": "Changeover time", "value": "24", "unit": "min"},
        ("Measured",),
        "Changeover time — measured",
        Fact,
        "text",
    ),
    "statement": (
        {"text": "A changeover takes ten minutes.", "speaker": "Operator"},
        (),
        "A changeover takes ten minutes.",
        Statement,
        "text",
    ),
}


@pytest.mark.parametrize("kind", list(NEW_RECORDS))
def test_a_new_record_saved_as_the_network_drops_stays_and_is_sent_once(
    kind, server, floor, phone, phone_context
):
    page = phone
    fields, chips, shown, model, column = NEW_RECORDS[kind]
    if kind == "walk":
        open_screen(page, server, "/app")
        page.click("text=+ Start a walk")
        page.wait_for_selector("form[data-kind=walk]")
    else:
        open_form(page, kind)
    fill(page, fields, chips)

    phone_context.set_offline(True)  # the network drops just before the thumb lands
    if kind == "walk":
        page.click("form button[type=submit]")
        page.wait_for_url(re.compile(r"/app/walks/[0-9a-f-]{36}$"))
        path = "/app/walks/" + page.url.rsplit("/", 1)[1]
        reload(page, path)  # no network: the worker serves the shell, IndexedDB the walk
        assert "Dock check" in page.inner_text(".walk-head h1")
        assert "not yet synced" in page.inner_text(".walk-head h1")
        assert "Plant 2" in page.inner_text(".walk-head")
        open_screen(page, server, "/app")
        assert page.locator(".cards li", has_text="Dock check").count() == 1
    else:
        record_id = save(page, floor.path)
        reload(page, floor.path)
        new = card(page, record_id)
        assert shown in new.inner_text()
        assert new.locator(".badge-unsynced").count() == 1

    phone_context.set_offline(False)  # the app sends the queue when the network is back
    synced(page, floor.user)
    stored = rows(server.app, model, **{column: shown})
    assert len(stored) == 1, [getattr(r, column) for r in rows(server.app, model)]
    if kind == "fact":
        assert (float(stored[0].value), stored[0].unit) == (24.0, "min")


def test_an_edit_saved_as_the_network_drops_stays_and_reaches_the_server(
    server, floor, phone, phone_context
):
    page = phone
    card(page, floor.fact).locator("text=Edit").click()
    page.wait_for_selector("form[data-kind=fact]")
    page.click("form details.more > summary")
    page.fill("form [name=text]", "Door propped open with a wedge")

    phone_context.set_offline(True)
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{floor.path}']")
    reload(page, floor.path)
    edited = card(page, floor.fact)
    assert "Door propped open with a wedge" in edited.inner_text()
    assert edited.locator(".badge-unsynced").count() == 1
    assert page.locator(".timeline > li").count() == 3

    phone_context.set_offline(False)
    synced(page, floor.user)
    (fact,) = rows(server.app, Fact)
    assert str(fact.id) == floor.fact
    assert fact.text == "Door propped open with a wedge"
    assert fact.performed is False


def test_a_delete_confirmed_as_the_network_drops_stays_done_and_reaches_the_server(
    server, floor, phone, phone_context
):
    page = phone
    delete_from_edit(page, floor.statement, floor, lambda: phone_context.set_offline(True))
    reload(page, floor.path)
    assert card(page, floor.statement).count() == 0
    assert page.locator(".timeline > li").count() == 2

    phone_context.set_offline(False)
    synced(page, floor.user)
    assert floor.statement not in stored_ids(server.app, Statement)
    assert trashed(server.app, floor.statement) == 1
    assert stored_ids(server.app, Fact) == {floor.fact}


# -- 3. an edit and a delete made offline; the delete's answer is lost ----------------------


def test_offline_edit_and_delete_survive_a_lost_delete_answer(server, floor, phone, phone_context):
    page = phone
    phone_context.set_offline(True)
    card(page, floor.fact).locator("text=Edit").click()
    page.wait_for_selector("form[data-kind=fact]")
    page.click("form label.choice:has-text('Done')")
    page.click("form details.more > summary")
    page.fill("form [name=text]", "Door closed behind the forklift")
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{floor.path}']")
    delete_from_edit(page, floor.statement, floor)
    reload(page, floor.path)
    assert "Door closed behind the forklift" in card(page, floor.fact).inner_text()
    assert card(page, floor.statement).count() == 0
    kinds = sorted(q["kind"] for q in queue(page, floor.user))
    assert kinds == ["delete", "record"]

    server.middleware.lose_deletes = 1  # deleted on the server, the answer never arrives
    phone_context.set_offline(False)
    synced(page, floor.user)
    assert server.middleware.lost == 1
    assert server.middleware.deletes >= 2  # sent again; the server answered "deleted"
    assert floor.statement not in stored_ids(server.app, Statement)
    assert trashed(server.app, floor.statement) == 1
    assert stored_ids(server.app, Statement) == {floor.glove_statement}
    (fact,) = rows(server.app, Fact)
    assert (fact.text, fact.performed) == ("Door closed behind the forklift", True)
    assert len(stored_ids(server.app, Walk)) == 1
    reload(page, floor.path)
    assert page.locator(".timeline > li").count() == 2
    assert page.locator(".timeline .badge-unsynced").count() == 0


# -- 2. every screen reloads with no network -------------------------------------------------


def test_every_screen_draws_after_an_offline_reload(server, floor, phone, phone_context):
    page = phone
    walk = floor.path
    screens = {
        "/app": "Line 3 changeover",
        "/app/walks/new": "Start a walk",
        walk: "Door propped open",
        f"{walk}/new/place": "Add place",
        f"{walk}/new/thing": "Add thing",
        f"{walk}/new/fact": "Add fact",
        f"{walk}/new/statement": "Add statement",
        f"{walk}/edit/{floor.fact}": "Edit fact",
        f"{walk}/edit/{floor.walk}": "Edit walk",
        f"{walk}/summary": "Walk summary",
        "/app/ledger": "Sync ledger",
    }
    phone_context.set_offline(True)
    for path, text in screens.items():
        open_screen(page, server, path)  # a navigation: the worker answers with the shell
        reload(page, path)
        assert text in page.inner_text("main"), path
        if path.startswith(walk + "/") and "/edit/" + floor.walk not in path:
            assert "← Line 3 changeover" in page.inner_text("main"), path  # the way back
    open_screen(page, server, walk)
    reload(page, walk)
    head = page.inner_text(".walk-head")
    assert "Plant 2" in head
    assert "Line 3 changeover" in head
    assert page.locator(".timeline > li").count() == 3
    open_screen(page, server, "/app/walks/new")
    assert page.locator("select[name=site] option", has_text="Plant 2").count() == 1
    open_screen(page, server, f"{walk}/edit/{floor.walk}")
    assert page.input_value("form [name=title]") == "Line 3 changeover"
    assert page.locator("select[name=site] option:checked").inner_text() == "Plant 2"
    open_screen(page, server, f"{walk}/edit/{floor.fact}")
    page.click("form details.more > summary")
    assert page.input_value("form [name=text]") == "Door propped open"
    assert page.locator(".danger-zone button", has_text="Delete fact").count() == 1
    open_screen(page, server, f"{walk}/summary")
    assert "Plant 2" in page.inner_text("main")
    assert "1 fact" in page.inner_text(".summary-counts")


# -- 4. taps ---------------------------------------------------------------------------------


def test_a_fact_on_a_known_topic_and_the_same_again_take_few_taps(server, floor, phone, capsys):
    page = phone
    # Not the visit's first form: the observer opened a fact, went back to log the place
    # first (the browser's own autofocus works only on a page's first form).
    open_form(page, "fact")
    page.click(".back a")
    page.wait_for_selector(f"main[data-ready='{floor.path}']")
    open_form(page, "place")
    fill(page, {"name": "Press 2"})
    save(page, floor.path)
    finger = Finger(page)
    before = page.locator(".timeline > li").count()

    finger.tap(".actionbar >> text=Fact")
    page.wait_for_selector("form[data-kind=fact]")
    focused = page.evaluate("document.activeElement.name")
    assert focused == "topic", f"the keyboard is in {focused!r}, not Topic: one more tap"
    page.keyboard.type("Glo")  # typing, not a tap
    finger.tap("form .suggestion:has-text('Gloves at press')")
    finger.tap("form label.choice:has-text('Not done')")
    finger.tap("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{floor.path}'] .record.is-new")
    fact_taps = finger.taps
    new = page.locator(".record.is-new")
    assert "Gloves at press — not done" in new.locator(".record-main").inner_text()
    assert "Gloves at press" in new.locator(".topic").inner_text()
    assert new.locator(".badge-notdone").inner_text() == "not done"
    assert page.locator(".timeline > li").count() == before + 1

    finger.taps = 0
    finger.tap(".same-again button:has-text('Same again: Gloves at press — not done')")
    page.wait_for_selector(".same-again button:has-text('Undo')")
    again_taps = finger.taps
    assert page.locator(".timeline > li").count() == before + 2
    assert "Logged again" in page.inner_text("#status")

    with capsys.disabled():
        print(f"\ntaps: known-topic fact {fact_taps} (+ typing 'Glo'), same again {again_taps}")
    assert fact_taps <= 4
    assert again_taps <= 2

    synced(page, floor.user)
    said = "Gloves at press — not done"
    assert wait_until(lambda: len(rows(server.app, Fact, text=said)) == 2)
    finger.tap(".same-again button:has-text('Undo')")
    page.wait_for_selector(".same-again button:has-text('Undo')", state="detached")
    assert page.locator(".timeline > li").count() == before + 1
    synced(page, floor.user)  # the copy was on the server already: a queued delete took it
    assert len(rows(server.app, Fact, text=said)) == 1
    assert len(rows(server.app, Fact)) == 2


# -- 5. drafts -------------------------------------------------------------------------------


def draft_keys(page, floor: Floor) -> list[str]:
    return page.evaluate(
        "(prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix))",
        f"gemba.draft.{floor.user.id}.",
    )


def test_what_was_typed_comes_back_after_a_reload_until_saved_or_discarded(
    server, floor, phone, phone_context
):
    page = phone
    fact_form = f"{floor.path}/new/fact"
    open_form(page, "fact")
    page.keyboard.type("Changeover time")
    page.click("form label.choice:has-text('Measured')")
    page.fill("form [name=value]", "24")
    page.fill("form [name=unit]", "min")

    reload(page, fact_form)
    assert page.input_value("form [name=topic]") == "Changeover time"
    assert page.is_checked("form input[name=outcome][value=measurement]")
    assert page.input_value("form [name=value]") == "24"
    assert "restored" in page.inner_text(".draft-notice")

    phone_context.set_offline(True)
    reload(page, fact_form)
    assert page.input_value("form [name=topic]") == "Changeover time"
    assert page.input_value("form [name=unit]") == "min"
    fact = save(page, floor.path)
    assert "Changeover time" in card(page, fact).inner_text()
    assert draft_keys(page, floor) == []
    open_form(page, "fact")
    assert page.locator(".draft-notice").count() == 0
    assert page.input_value("form [name=value]") == ""

    # Saved with the keyboard still up (iOS keeps the field focused when Save is tapped):
    # the field's late "change" must not bring the saved fact back as a draft.
    fill(page, {"value": "31"}, ["Measured"])
    page.focus("form [name=value]")
    page.evaluate("document.querySelector('form button[type=submit]').click()")
    page.wait_for_selector(f"main[data-ready='{floor.path}'] .record.is-new")
    second = page.locator(".record.is-new").get_attribute("id").removeprefix("r-")
    assert second != fact
    assert draft_keys(page, floor) == []
    open_form(page, "fact")
    assert page.locator(".draft-notice").count() == 0
    assert page.input_value("form [name=value]") == ""

    statement_form = f"{floor.path}/new/statement"
    open_screen(page, server, statement_form)
    page.fill("form [name=text]", "We never skip the checklist.")
    page.fill("form [name=speaker]", "Team leader")
    reload(page, statement_form)  # still offline
    assert page.input_value("form [name=text]") == "We never skip the checklist."
    assert page.input_value("form [name=speaker]") == "Team leader"
    page.click(".draft-notice button:has-text('Discard draft')")
    page.wait_for_selector(f"main[data-ready='{statement_form}']:not(:has(.draft-notice))")
    assert page.input_value("form [name=text]") == ""
    assert page.input_value("form [name=speaker]") == ""
    assert draft_keys(page, floor) == []


# -- 6. the next form starts where the last record was --------------------------------------


def test_the_next_fact_starts_at_the_last_place_and_on_the_last_topic(server, floor, phone):
    page = phone
    open_form(page, "place")
    fill(page, {"name": "Press 2"})
    place = save(page, floor.path)

    open_form(page, "fact")
    page.click("form details.more > summary")
    assert page.locator("form select[name=place]").input_value() == place
    assert page.locator("form select[name=place] option:checked").inner_text() == "Press 2"
    fill(page, {"topic": "Changeover time", "value": "24", "unit": "min"}, ["Measured"])
    save(page, floor.path)

    open_form(page, "fact")
    assert page.input_value("form [name=topic]") == "Changeover time"
    page.click("form details.more > summary")
    assert page.locator("form select[name=place]").input_value() == place


# -- 7. a save shows at once -----------------------------------------------------------------

SAVE_TO_TIMELINE_JS = """() => new Promise((resolve, reject) => {
  const main = document.getElementById("main");
  const button = main.querySelector("form button[type=submit]");
  const started = performance.now();
  const seen = new MutationObserver(() => {
    const shown = main.querySelector(".record.is-new");
    if (!shown) return;
    seen.disconnect();
    const dom = performance.now() - started;
    requestAnimationFrame(() => resolve({ id: shown.id, dom, frame: performance.now() - started }));
  });
  seen.observe(main, { childList: true, subtree: true });
  setTimeout(() => { seen.disconnect(); reject(new Error("no new card in 5 s")); }, 5000);
  button.click();
})"""


def test_an_offline_save_is_on_the_timeline_within_50_ms(server, floor, phone, phone_context):
    page = phone
    phone_context.set_offline(True)
    reload(page, floor.path)
    timings = []
    for n in range(5):
        open_form(page, "fact")
        fill(page, {"topic": "Changeover time", "value": str(20 + n), "unit": "min"}, ["Measured"])
        timings.append(page.evaluate(SAVE_TO_TIMELINE_JS))
        page.wait_for_selector(f"main[data-ready='{floor.path}']")
    dom = [t["dom"] for t in timings]
    frame = [t["frame"] for t in timings]
    ms = statistics.median(dom)
    print(f"offline save → timeline: {ms:.1f} ms (median of {[round(t, 1) for t in dom]})")
    print(f"offline save → next frame: {statistics.median(frame):.1f} ms median")
    assert page.locator(".timeline .badge-unsynced").count() == 5
    assert ms < SPEED_BUDGET_MS, dom


# -- 8. the screens fit the phone and every target takes a thumb ----------------------------

LAYOUT_JS = """(minimum) => {
  const wide = document.documentElement.scrollWidth;
  const small = [];
  const targets = "a[href], button, summary, label.choice, label.button, select, textarea, input";
  for (const el of document.querySelectorAll(targets)) {
    if (el.matches("input[type=hidden]") || el.closest("[hidden], dialog:not([open])")) continue;
    if (el.matches("input") && el.closest("label")) continue; // the label is what is tapped
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= 0 || box.left >= innerWidth) continue;
    if (getComputedStyle(el).visibility === "hidden" || el.matches(".visually-hidden")) continue;
    if (box.width >= minimum && box.height >= minimum) continue;
    const text = (el.innerText || el.value || el.name || "").trim().replace(/\\s+/g, " ");
    const classes = String(el.className).split(" ").filter(Boolean);
    const what = [el.tagName.toLowerCase(), ...classes].join(".");
    const where = location.pathname.replace(/[0-9a-f-]{36}/g, ":id");
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    small.push(`${where} ${what} "${text.slice(0, 40)}" ${size}`);
  }
  return { wide, small };
}"""


def test_every_screen_fits_the_phone_and_every_target_takes_a_thumb(
    server, floor, phone, phone_context
):
    page = phone
    walk = floor.path
    open_form(page, "fact")  # a draft, shown once the form opens again
    page.keyboard.type("G")
    phone_context.set_offline(True)  # so that the ledger lists what waits
    open_form_with_everything = f"{walk}/new/fact"
    screens = [
        "/app",
        "/app/walks/new",
        walk,
        f"{walk}/new/place",
        f"{walk}/new/thing",
        f"{walk}/new/statement",
        open_form_with_everything,
        f"{walk}/edit/{floor.fact}",
        f"{walk}/edit/{floor.walk}",
        f"{walk}/summary",
        "/app/ledger",
    ]
    too_wide, too_small = [], []
    for path in screens:
        open_screen(page, server, path)
        if path == open_form_with_everything:
            page.click("form details.more > summary")
            page.fill("form [name=topic]", "G")  # the known topics are offered
            page.wait_for_selector("form .suggestion")
        if path == walk:
            page.click(".same-again button")  # a new card, and its Undo
            page.wait_for_selector(".same-again button:has-text('Undo')")
        if "/edit/" in path:  # and the question before a delete
            page.click(".danger-zone button")
            page.wait_for_selector("dialog[open]")
        found = page.evaluate(LAYOUT_JS, TARGET)
        if found["wide"] > WIDTH:
            too_wide.append(f"{path}: {found['wide']} px")
        too_small.extend(found["small"])
        if "/edit/" in path:
            page.click("dialog[open] >> button:has-text('Cancel')")
    assert not too_wide, "sideways scroll: " + "; ".join(too_wide)
    assert not too_small, "targets under 44x44 px:\n" + "\n".join(too_small)
