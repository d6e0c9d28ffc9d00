"""Retention's marks on the phone: where a site's retention removed a quote's words or a
fact's note, the capture app says so (as the server's pages do) instead of showing an empty
quote, on the walk's timeline, in its say-vs-do panel and in the fact form's choice of what
a fact contradicts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from gemba.capture import records
from gemba.extensions import db
from gemba.models import Fact, Statement, User
from tests.browser.conftest import PHONE
from tests.offline.conftest import log_in

pytestmark = pytest.mark.browser

EXPIRED = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def expired_walk(app, make_user, make_site):
    """A walk whose quote "always" is contradicted by eight facts; retention then removed
    the quote's words and the first fact's note."""
    user = make_user("observer", email="expired@example.com")
    site_id = make_site("Plant 4")
    walk, said = str(uuid.uuid4()), str(uuid.uuid4())
    facts = [str(uuid.uuid4()) for _ in range(8)]
    batch = [
        {"type": "walk", "id": walk, "site": site_id, "title": "Gate check"},
        {"type": "statement", "id": said, "walk": walk, "topic": "Badge scan",
         "text": "We always scan our badges.", "speaker": "Operator",
         "claim": {"frequency": "always"}},
        *({"type": "fact", "id": fact, "walk": walk, "topic": "Badge scan",
           "text": f"Walked past the reader ({n})", "performed": False}
          for n, fact in enumerate(facts)),
    ]  # fmt: skip
    with app.app_context():
        result = records.write(db.session.get(User, user.id), batch)
        assert not result.rejected
        db.session.execute(
            update(Statement)
            .where(Statement.id == uuid.UUID(said))
            .values(expired_at=EXPIRED, text="")
        )
        db.session.execute(
            update(Fact).where(Fact.id == uuid.UUID(facts[0])).values(expired_at=EXPIRED, text="")
        )
        db.session.commit()
        db.session.remove()
    return user, walk, said, facts[0]


def test_the_app_marks_words_removed_by_retention(server, expired_walk, browser):
    user, walk, said, fact = expired_walk
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        log_in(page, server.url, user.email)
        page.goto(f"{server.url}/app/walks/{walk}")
        page.wait_for_selector(f"main[data-ready='/app/walks/{walk}'] .timeline")

        quote = page.locator(f"#r-{said} .record-main").inner_text()
        assert quote.startswith("Words removed on ")
        assert quote.endswith("(site retention)")
        assert "“”" not in page.locator("main").inner_text()  # no empty quote anywhere
        note = page.locator(f"#r-{fact} .record-main").inner_text()
        assert note.startswith("Note removed on ")

        panel = page.locator("details.gaps-panel")
        panel.locator("summary").click()
        hint = panel.locator(".gap-item strong").first.inner_text()
        assert hint.startswith("Contradicts a quote whose words were removed"), hint
        assert hint.endswith("— Operator")

        page.goto(f"{server.url}/app/walks/{walk}/new/fact")
        page.wait_for_selector("form[data-kind=fact]")
        choices = page.locator("select[name=contradicts] option").all_text_contents()
        assert any(c.startswith("Words removed on ") for c in choices), choices
    finally:
        context.close()
