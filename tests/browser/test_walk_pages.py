"""A link to an old record of a long walk opens the timeline page that holds it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from gemba.capture import records
from gemba.capture.timeline import PER_PAGE
from gemba.extensions import db
from gemba.models import User, Walk
from tests.conftest import make_test_app, uid

pytestmark = pytest.mark.browser


def test_a_link_to_a_record_past_the_first_page_opens_its_page(
    live_server, phone, database_uri, tmp_path
):
    page = phone
    page.goto(live_server + "/setup")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", "walk the floor")
    page.fill("input[name=confirm]", "walk the floor")
    page.click("text=Create admin and continue")
    page.fill("input[name=name]", "Plant 2")
    page.click("text=Add site")
    page.goto(live_server + "/walks/new")
    page.fill("input[name=title]", "A long walk")
    page.click("text=Start walking")
    walk_id = page.url.rsplit("/", 1)[1]
    facts = [uid() for _ in range(PER_PAGE + 5)]
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    app = make_test_app(database_uri, tmp_path)
    with app.app_context():
        walk = db.session.get(Walk, uuid.UUID(walk_id))
        actor = db.session.get(User, walk.observer_id)
        records.write(
            actor,
            [
                {"type": "fact", "id": fact, "walk": walk_id, "text": f"Fact {n}",
                 "observed_at": (start + timedelta(minutes=n)).isoformat()}
                for n, fact in enumerate(facts)
            ],
        )  # fmt: skip
        db.session.remove()
        db.engine.dispose()

    page.goto(live_server + "/")  # come from another page, as a link from a gap does
    page.goto(f"{live_server}/walks/{walk_id}#r-{facts[0]}")

    page.wait_for_url(lambda url: url.endswith(f"/walks/{walk_id}?record={facts[0]}#r-{facts[0]}"))
    assert page.locator(f"#r-{facts[0]}").is_visible()
    assert "Page 2 of 2" in page.content()
