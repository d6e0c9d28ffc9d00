"""The offline app in a phone-sized Chromium: capture with no network, reload, sync once."""

from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Fact, Photo, Place, Statement, Thing, Walk
from tests.offline.conftest import log_in, wait_for_worker

pytestmark = pytest.mark.browser

MODELS = {"walk": Walk, "place": Place, "thing": Thing, "statement": Statement, "fact": Fact}

QUEUE_JS = """async (uid) => {
  const open = indexedDB.open(`gemba-offline-user-${uid}`);
  const idb = await new Promise((ok, fail) => {
    open.onsuccess = () => ok(open.result);
    open.onerror = fail;
  });
  const get = idb.transaction("queue").objectStore("queue").getAll();
  const all = await new Promise((ok) => { get.onsuccess = () => ok(get.result); });
  idb.close();
  return all.map((i) => ({ id: i.id, kind: i.kind, type: i.type, state: i.state,
    width: i.width || null, height: i.height || null,
    record: i.kind === "photo" ? i.record : null }));
}"""


@pytest.fixture
def observer(server, make_user, make_site):
    """An observer and a site, logged in on a phone with the app's worker in control."""
    user = make_user("observer", email="walker@example.com")
    site_id = make_site("Plant 2")
    return user, site_id


def camera_photo(tmp_path, name: str, size=(3000, 2000)) -> str:
    """A large JPEG like a phone camera's, with EXIF a phone would add."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    path = tmp_path / name
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    path.write_bytes(buffer.getvalue())
    return str(path)


def open_app(page, server, user) -> None:
    log_in(page, server.url, user.email)
    wait_for_worker(page)
    # Under the worker now: the lists the floor needs are read again and kept.
    page.reload()
    page.wait_for_selector("main[data-ready='/app']")


def start_walk(page, title: str) -> str:
    page.click("text=+ Start a walk")
    page.wait_for_selector("form[data-kind=walk]")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=purpose]", "Why is changeover slow?")
    page.click("text=Save walk")
    page.wait_for_url(re.compile(r"/app/walks/[0-9a-f-]{36}$"))
    path = "/app/walks/" + page.url.rsplit("/", 1)[1]
    page.wait_for_selector(f"main[data-ready='{path}']")
    return path


def add(page, walk_path: str, kind: str, fields: dict, clicks=(), photo: str | None = None):
    """Open a form from the walk's action bar, fill it in and save it."""
    label = {"place": "Place", "thing": "Thing", "fact": "Fact", "statement": "Said"}[kind]
    page.click(f".actionbar >> text={label}")
    page.wait_for_selector(f"form[data-kind={kind}]")
    if kind == "fact":  # words, sentiment, people and photos are behind "More details"
        page.click("form details.more > summary")
    for text in clicks:  # first: a chip may show the fields that follow
        page.click(f"form label.choice:has-text('{text}')")
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    if photo:
        page.set_input_files("input[name=photo]", photo)
        page.wait_for_selector(".photo-list li")
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{walk_path}']")


def log_twenty_records(page, walk_path: str, photos: list[str]) -> None:
    """4 places, 4 things, 4 statements and 8 facts; 3 of them with a photo."""
    for name in ("Gate 2", "Press 2", "Line 3", "Warehouse door"):
        add(page, walk_path, "place", {"name": name})
    add(page, walk_path, "thing", {"name": "Badge scanner"}, ["Equipment"], photo=photos[0])
    for name in ("Torque wrench", "Changeover cart", "SOP binder"):
        add(page, walk_path, "thing", {"name": name}, ["Tool"])
    badge = {"speaker": "Shift lead", "topic": "Badge scan at entry"}
    add(page, walk_path, "statement", {"text": "We always scan our badges.", **badge}, ["Always"])
    changeover = {"text": "A changeover takes ten minutes.", "topic": "Changeover time"}
    add(
        page,
        walk_path,
        "statement",
        {**changeover, "claim_value": "10", "claim_unit": "min"},
        ["A number"],
    )
    for text in ("Carts are parked by the press.", "Nobody waits for the crane."):
        add(page, walk_path, "statement", {"text": text, "speaker": "Operator"})
    missed = {"text": "Walked in without scanning", "topic": "badge  scan at ENTRY"}
    add(page, walk_path, "fact", missed, ["Not done", "Pain"])
    # The hint comes from the phone's own copy of the rules, with no network.
    # Said once: in the status line, and the panel opens on the new gap.
    assert "Contradicts “We always scan our badges.”" in page.inner_text("#status")
    new_gap = page.locator(".gaps-panel[open] .gap-item.is-new").inner_text()
    assert "Contradicts: “We always scan our badges.” — Shift lead" in new_gap
    assert "on this phone" in new_gap
    assert page.locator(".flash-gap").count() == 0
    for _ in range(2):
        add(page, walk_path, "fact", missed, ["Not done"])
    for _ in range(2):
        add(
            page,
            walk_path,
            "fact",
            {"text": "Scanned the badge", "topic": badge["topic"]},
            ["Done"],
        )
    timed = {"text": "Timed the changeover", "topic": "Changeover time", "unit": "min"}
    for minutes, photo in (("24", photos[1]), ("26", photos[2]), ("25", None)):
        add(page, walk_path, "fact", {**timed, "value": minutes}, ["Measured"], photo=photo)


def queue(page, user) -> list[dict]:
    return page.evaluate(QUEUE_JS, user.id)


def stored_ids(app, model) -> set[str]:
    with app.app_context():
        ids = {str(i) for i in db.session.scalars(select(model.id))}
        db.session.remove()
        return ids


def wait_until(predicate, timeout: float = 20.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def test_offline_walk_survives_a_reload_and_syncs_exactly_once(
    server, observer, phone_context, tmp_path
):
    user, _ = observer
    page = phone_context.new_page()
    open_app(page, server, user)
    photos = [camera_photo(tmp_path, f"p{i}.jpg") for i in range(3)]

    phone_context.set_offline(True)
    walk_path = start_walk(page, "Line 3 changeover")
    log_twenty_records(page, walk_path, photos)
    assert page.locator(".timeline > li").count() == 20
    assert page.locator(".gaps-panel .badge-phone").count() >= 1

    page.reload()  # with no network: the worker serves the shell, IndexedDB the queue
    page.wait_for_selector(f"main[data-ready='{walk_path}']")
    assert page.locator(".timeline > li").count() == 20
    assert page.locator(".timeline .badge-unsynced").count() >= 20
    queued = queue(page, user)
    records = [q for q in queued if q["kind"] == "record"]
    photo_items = [q for q in queued if q["kind"] == "photo"]
    assert len(records) == 21
    assert len(photo_items) == 3
    # Shrunk on the phone: a 3000 x 2000 camera photo is queued at 2048 x 1365.
    assert {(p["width"], p["height"]) for p in photo_items} == {(2048, 1365)}
    assert stored_ids(server.app, Walk) == set()

    phone_context.set_offline(False)
    page.goto(server.url + "/app/ledger")
    page.wait_for_selector("main[data-ready='/app/ledger']")
    page.click("#sync-now")

    for type_, model in MODELS.items():
        want = {q["id"] for q in records if q["type"] == type_}
        assert wait_until(lambda m=model, w=want: stored_ids(server.app, m) == w), type_
    want_photos = {p["id"] for p in photo_items}
    assert wait_until(lambda: stored_ids(server.app, Photo) == want_photos), (
        "photos were not stored: is PUT /api/v1/photos/{id} there?"
    )
    assert wait_until(lambda: queue(page, user) == [])
    with server.app.app_context():
        by_record = dict(
            db.session.execute(
                select(Photo.id, Photo.thing_id).where(Photo.thing_id.is_not(None))
            ).all()
        )
        db.session.remove()
    assert len(by_record) == 1
    page.goto(server.url + walk_path)
    page.wait_for_selector(f"main[data-ready='{walk_path}']")
    assert page.locator(".timeline > li").count() == 20
    assert page.locator(".timeline .badge-unsynced").count() == 0
    assert page.locator(".gaps-panel .badge-done").count() >= 1  # confirmed by the server


def test_a_lost_answer_is_sent_again_without_duplicates(server, observer, phone_context):
    user, _ = observer
    page = phone_context.new_page()
    open_app(page, server, user)
    phone_context.set_offline(True)
    walk_path = start_walk(page, "Night shift")
    for name in ("Dock 1", "Dock 2", "Dock 3"):
        add(page, walk_path, "place", {"name": name})
    add(page, walk_path, "fact", {"text": "Forklift left running"}, ["Not done"])
    ids = {q["id"] for q in queue(page, user)}
    assert len(ids) == 5

    server.middleware.lose = 1  # the first batch is committed, then its answer is lost
    phone_context.set_offline(False)
    assert wait_until(lambda: queue(page, user) == [], timeout=30)
    assert server.middleware.lost == 1
    assert server.middleware.syncs >= 2
    stored = set().union(*(stored_ids(server.app, m) for m in MODELS.values()))
    assert stored == ids
    with server.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Place)) == 3
        db.session.remove()


def test_records_of_one_user_are_never_sent_by_the_next(server, make_user, make_site, browser):
    """Logging out with items waiting warns; the next user on the phone never sees them."""
    from tests.browser.conftest import PHONE

    first = make_user("observer", email="first@example.com")
    second = make_user("observer", email="second@example.com")
    make_site("Plant 2")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    open_app(page, server, first)
    context.set_offline(True)
    start_walk(page, "First's walk")
    assert len(queue(page, first)) == 1
    server.middleware.busy = True  # the walk stays on the phone
    context.set_offline(False)
    page.click("#logout")
    page.wait_for_selector("dialog[open]")
    assert "not on the server yet" in page.locator("dialog").inner_text()
    page.click("dialog >> text=Log out anyway")
    page.wait_for_url("**/login")
    server.middleware.busy = False
    log_in(page, server.url, second.email)
    page.wait_for_selector("main[data-ready='/app']")
    assert "First's walk" not in page.locator("main").inner_text()
    assert queue(page, second) == []
    assert len(queue(page, first)) == 1  # kept for its owner, on the phone
    context.close()
