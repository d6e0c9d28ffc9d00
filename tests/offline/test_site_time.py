"""The plant's clock on the phone: the capture app shows times in the site's time zone,
whatever zone the phone is set to, and the server's pages show the same clock time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from gemba.capture import records
from gemba.extensions import db
from gemba.models import Site, User
from tests.browser.conftest import PHONE
from tests.offline.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def chicago_walk(app, make_user, make_site):
    """A walk at a Chicago site with a fact at 13:48 UTC, which was 07:48 CST on the floor."""
    user = make_user("observer", email="chicago@example.com")
    site_id = make_site("Plant 9")
    walk, fact = str(uuid.uuid4()), str(uuid.uuid4())
    with app.app_context():
        db.session.get(Site, uuid.UUID(site_id)).time_zone = "America/Chicago"
        db.session.commit()
        records.write(
            db.session.get(User, user.id),
            [
                {
                    "type": "walk",
                    "id": walk,
                    "site": site_id,
                    "title": "Night shift",
                    "started_at": "2026-12-03T05:30:00Z",
                },
                {
                    "type": "fact",
                    "id": fact,
                    "walk": walk,
                    "text": "Guard open",
                    "observed_at": datetime(2026, 12, 3, 13, 48, tzinfo=UTC).isoformat(),
                },
            ],
        )
        db.session.remove()
    return user, walk, fact


def test_times_show_on_the_sites_clock_not_the_phones(server, chicago_walk, browser):
    user, walk, fact = chicago_walk
    # A phone set to Tokyo (22:48 there) must still show the plant's 07:48.
    context = browser.new_context(**PHONE, timezone_id="Asia/Tokyo")
    page = context.new_page()
    try:
        log_in(page, server.url, user.email)
        page.goto(f"{server.url}/app/walks/{walk}")
        page.wait_for_selector(f"main[data-ready='/app/walks/{walk}']")
        assert page.inner_text(f"#r-{fact} time") == "07:48"
        # 05:30 UTC on 3 December was 23:30 on 2 December in Chicago.
        assert "02 Dec 2026" in page.inner_text(".walk-head")
        page.goto(f"{server.url}/app")
        page.wait_for_selector("main[data-ready='/app']")
        assert "02 Dec 2026" in page.inner_text(".cards")
        # The server's page (the fallback without JavaScript) reads the same clock.
        page.evaluate("localStorage.setItem('gemba.basic', '1')")
        page.goto(f"{server.url}/walks/{walk}")
        assert "07:48" in page.inner_text(f"#r-{fact}")
        assert "02 Dec 2026, 23:30" in page.inner_text("main")
    finally:
        context.close()
