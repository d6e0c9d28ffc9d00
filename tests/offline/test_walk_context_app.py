"""Starting a walk and logging what was said on the phone app, with how the walk is run:
the usual (announced) walk costs no extra tap, an unannounced one one tap, and a claim read
from the quote is proposed under it but set only when the observer taps Use."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Site, Statement, Walk
from tests.browser.conftest import PHONE
from tests.offline.conftest import log_in, wait_for_worker
from tests.offline.test_offline_capture import queue, wait_until

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("GEMBA_SHOTS")  # a folder: screenshots of the forms go there
QUOTE = "We never leave the guard open for more than 5 minutes"


class Finger:
    """The observer's taps, counted (typing on the keyboard is not a tap)."""

    def __init__(self, page) -> None:
        self.page = page
        self.taps = 0

    def tap(self, selector: str) -> None:
        self.taps += 1
        self.page.tap(selector)


def _one(app, model, **where):
    with app.app_context():
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        found = db.session.scalars(query).first()
        db.session.expunge_all()
        db.session.remove()
        return found


def _synced(page, user) -> None:
    assert wait_until(lambda: queue(page, user) == [], timeout=30), queue(page, user)


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _start_walk(page, title: str, taps: list[str] = ()) -> tuple[int, str]:
    """From the walks list: Start, title, any choices, Save. The taps and the new walk's id."""
    finger = Finger(page)
    finger.tap("text=+ Start a walk")
    page.wait_for_selector("form[data-kind=walk]")
    finger.tap("form [name=title]")
    page.keyboard.type(title)
    for text in taps:
        finger.tap(f"form label.choice:has-text('{text}')")
    finger.tap("form button[type=submit]")
    page.wait_for_selector("main[data-ready^='/app/walks/'] .walk-head")
    return finger.taps, page.url.rsplit("/", 1)[1]


@pytest.fixture
def observer(server, make_user, make_site):
    user = make_user("observer", email="walker@example.com")
    make_site("Plant 2")  # walks announced, the default
    return user


def test_walks_start_announced_or_not_and_the_walk_says_so(server, observer, phone_context):
    page = phone_context.new_page()
    log_in(page, server.url, observer.email)
    wait_for_worker(page)
    page.goto(server.url + "/app/walks/new")
    page.wait_for_selector("form[data-kind=walk]")
    assert page.is_checked("input[name=announced][value=yes]")  # the site's default
    assert page.is_checked("input[name=observer_visible][value=yes]")
    _shot(page, "start-walk-390")
    page.goto(server.url + "/app")
    page.wait_for_selector("main[data-ready='/app']")

    taps, walk = _start_walk(page, "Press line round")
    assert taps == 3  # Start, the title, Save: as before the walk said how it was run
    assert "Announced walk" in page.inner_text(".walk-head")
    _synced(page, observer)
    assert _one(server.app, Walk, id=uuid.UUID(walk)).announced is True

    page.goto(server.url + "/app")
    page.wait_for_selector("main[data-ready='/app']")
    taps, walk = _start_walk(page, "Night shift, unannounced", taps=["No, unannounced"])
    assert taps == 4
    assert "Unannounced walk" in page.inner_text(".walk-head")
    _synced(page, observer)
    stored = _one(server.app, Walk, id=uuid.UUID(walk))
    assert stored.announced is False
    assert stored.observer_visible is True


def _statement(page, walk: str, use: bool) -> str:
    page.goto(f"{page.url.split('/app')[0]}/app/walks/{walk}/new/statement")
    page.wait_for_selector("form[data-kind=statement]")
    page.fill("form [name=text]", "")
    page.type("form [name=text]", QUOTE)
    chip = page.wait_for_selector(".proposal-chip")
    assert "Proposed: ≤ 5 min" in chip.inner_text()
    assert not page.is_checked("input[name=claim][value=measure]")  # nothing set by itself
    if use:
        _shot(page, "statement-proposal-390")
        page.tap(".proposal-use")
        assert page.is_checked("input[name=claim][value=measure]")
        assert page.input_value("form [name=claim_value]") == "5"
        assert page.input_value("form [name=claim_unit]") == "min"
        assert page.input_value("form [name=claim_comparator]") == "<="
    page.tap("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='/app/walks/{walk}'] .record.is-new")
    return page.locator(".record.is-new").get_attribute("id").removeprefix("r-")


def test_a_claim_read_from_the_quote_is_set_only_by_a_tap(server, observer, phone_context):
    page = phone_context.new_page()
    log_in(page, server.url, observer.email)
    wait_for_worker(page)
    _, walk = _start_walk(page, "Guard round")

    used = _statement(page, walk, use=True)
    _synced(page, observer)
    stored = _one(server.app, Statement, id=uuid.UUID(used))
    assert stored.claim == {"value": 5, "unit": "min", "comparator": "<="}

    # Offline the quote is read the same way: the rules are a file the phone keeps.
    phone_context.set_offline(True)
    ignored = _statement(page, walk, use=False)
    assert queue(page, observer)  # waits on the phone
    phone_context.set_offline(False)
    _synced(page, observer)
    assert _one(server.app, Statement, id=uuid.UUID(ignored)).claim is None


def _topics(*names: str) -> str:
    ranked = [{"id": n, "name": name, "similarity": 0.9 - n / 10} for n, name in enumerate(names)]
    return json.dumps({"topics": ranked})


def test_topics_like_the_typed_one_come_first_when_online(server, observer, browser):
    """The server's ranked topics (stubbed here: the answer's shape is the API's) show first
    in the topic field's chips and under a proposed claim; one tap puts one in the field."""
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    asked = []

    def topics(route):
        asked.append(route.request.url)
        route.fulfill(content_type="application/json", body=_topics("Gloves", "Hand protection"))

    def claims(route):
        body = json.loads(_topics("Gloves"))
        route.fulfill(
            content_type="application/json",
            body=json.dumps({"claim": {"frequency": "always"}, "topic": "wear gloves", **body}),
        )

    page.route("**/api/v1/topics/suggest?*", topics)
    page.route("**/api/v1/claims/suggest?*", claims)
    try:
        log_in(page, server.url, observer.email)
        _, walk = _start_walk(page, "Glove round")
        page.goto(f"{server.url}/app/walks/{walk}/new/fact")
        page.wait_for_selector("form[data-kind=fact]")
        page.type("form [name=topic]", "glove use")
        page.wait_for_selector("[data-field=topic] .suggestion:has-text('Hand protection')")
        shown = page.locator("[data-field=topic] .suggestion").all_inner_texts()
        assert shown == ["Gloves", "Hand protection"]
        assert "q=glove%20use" in asked[-1]

        page.goto(f"{server.url}/app/walks/{walk}/new/statement")
        page.wait_for_selector("form[data-kind=statement]")
        page.type("form [name=text]", "We always wear gloves")
        chip = page.wait_for_selector(".proposal-chip")
        assert "Proposed: always · topic “wear gloves”" in chip.inner_text()
        page.tap(".proposal-topics .suggestion:has-text('Gloves')")
        assert page.input_value("form [name=topic]") == "Gloves"
        assert page.is_checked("input[name=claim][value='']")  # the claim waits for Use
        _shot(page, "statement-topics-390")
    finally:
        context.close()


def test_the_servers_similar_topics_are_offered_end_to_end(
    server, observer, phone_context, make_user, write
):
    """With the real API: the site knows "Gloves"; typing "glove use" offers it (no local
    match would), and so does a quote about wearing gloves."""
    other = make_user("observer", email="ana@example.com")
    with server.app.app_context():
        site = str(db.session.scalars(select(Site)).first().id)
        db.session.remove()
    earlier = str(uuid.uuid4())
    result = write(
        other,
        {"type": "walk", "id": earlier, "site": site, "title": "Yesterday"},
        {"type": "statement", "id": str(uuid.uuid4()), "walk": earlier,
         "text": "Gloves are worn.", "topic": "Gloves"},
    )  # fmt: skip
    assert not result.rejected
    page = phone_context.new_page()
    log_in(page, server.url, observer.email)
    _, walk = _start_walk(page, "Glove round")
    page.goto(f"{server.url}/app/walks/{walk}/new/fact")
    page.wait_for_selector("form[data-kind=fact]")
    page.type("form [name=topic]", "glove use")
    page.wait_for_selector("[data-field=topic] .suggestion:has-text('Gloves')")

    page.goto(f"{server.url}/app/walks/{walk}/new/statement")
    page.wait_for_selector("form[data-kind=statement]")
    page.type("form [name=text]", "We always wear gloves")
    page.wait_for_selector(".proposal-topics .suggestion:has-text('Gloves')")
