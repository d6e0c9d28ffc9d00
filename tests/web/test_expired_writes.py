"""Retention's mark holds in the one write path itself: a phone that sends its old copy of an
expired record again changes nothing (no words back, not even for a moment, no edit in the
audit trail, no new data revision), and a record that arrives marked expired is stored
without its words."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from gemba.extensions import db
from gemba.models import AuditEvent, DataRevision, Fact, Place, Statement
from tests.conftest import uid

EXPIRED = datetime(2026, 11, 1, tzinfo=UTC)


def _expire(app, model, record_id: str, column: str, empty) -> None:
    """What a retention run leaves: the mark, and the words gone."""
    with app.app_context():
        db.session.execute(
            update(model)
            .where(model.id == uuid.UUID(record_id))
            .values({"expired_at": EXPIRED, column: empty})
        )
        db.session.commit()


def _revision(app) -> str | None:
    with app.app_context():
        return db.session.scalar(select(DataRevision.token).where(DataRevision.scope == "*"))


def _edits(app, record_id: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_id == record_id, AuditEvent.verb == "updated")
        )


def test_a_resent_old_copy_of_an_expired_quote_changes_nothing(app, make_user, make_walk, write):
    observer = make_user("observer")
    walk = make_walk(observer)
    said = {"type": "statement", "id": uid(), "walk": walk, "topic": "Badge scan",
            "text": "We always scan our badges.", "claim": {"frequency": "always"}}  # fmt: skip
    fact = {"type": "fact", "id": uid(), "walk": walk, "topic": "Badge scan",
            "text": "Walked past the reader", "performed": False}  # fmt: skip
    place = {"type": "place", "id": uid(), "walk": walk, "name": "Gate 2", "note": "Lena's gate"}
    assert not write(observer, said, fact, place).rejected
    _expire(app, Statement, said["id"], "text", "")
    _expire(app, Fact, fact["id"], "text", "")
    _expire(app, Place, place["id"], "note", None)
    before = _revision(app)

    result = write(observer, said, fact, place)

    assert [r.status for r in result.results] == ["unchanged"] * 3
    assert _revision(app) == before  # nothing was written, so no page is rebuilt
    assert [_edits(app, r["id"]) for r in (said, fact, place)] == [0, 0, 0]
    with app.app_context():
        stored = db.session.get(Statement, uuid.UUID(said["id"]))
        assert (stored.text, stored.expired_at, stored.claim_frequency) == ("", EXPIRED, "always")
        assert db.session.get(Fact, uuid.UUID(fact["id"])).text == ""
        assert db.session.get(Place, uuid.UUID(place["id"])).note is None


def test_a_changed_claim_on_an_expired_quote_is_kept_without_its_words(
    app, make_user, make_walk, write
):
    observer = make_user("observer")
    walk = make_walk(observer)
    said = {"type": "statement", "id": uid(), "walk": walk, "topic": "Badge scan",
            "text": "We always scan our badges.", "claim": {"frequency": "always"}}  # fmt: skip
    assert not write(observer, said).rejected
    _expire(app, Statement, said["id"], "text", "")

    result = write(observer, {**said, "claim": {"frequency": "usually"}})

    assert [r.status for r in result.results] == ["updated"]
    with app.app_context():
        stored = db.session.get(Statement, uuid.UUID(said["id"]))
        assert (stored.text, stored.claim_frequency) == ("", "usually")
        [edit] = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == said["id"], AuditEvent.verb == "updated"
            )
        )
        assert "text" not in edit.detail["before"]  # the words were never back to change


def test_a_record_that_arrives_expired_is_stored_without_its_words(
    app, make_user, make_walk, write
):
    observer = make_user("observer")
    walk = make_walk(observer)
    mark = "2026-10-01T08:00:00+00:00"
    said = {"type": "statement", "id": uid(), "walk": walk, "text": "", "expired_at": mark}
    fact = {"type": "fact", "id": uid(), "walk": walk, "text": "Words an export kept",
            "expired_at": mark}  # fmt: skip
    fresh = {"type": "fact", "id": uid(), "walk": walk, "text": "Seen today"}

    assert not write(observer, said, fact, fresh).rejected

    with app.app_context():
        moment = datetime(2026, 10, 1, 8, tzinfo=UTC)
        stored = db.session.get(Statement, uuid.UUID(said["id"]))
        assert (stored.text, stored.expired_at) == ("", moment)
        stored = db.session.get(Fact, uuid.UUID(fact["id"]))
        assert (stored.text, stored.expired_at) == ("", moment)
        stored = db.session.get(Fact, uuid.UUID(fresh["id"]))
        assert (stored.text, stored.expired_at) == ("Seen today", None)


@pytest.fixture
def removed_quote(app, make_user, make_walk, write):
    """A walk whose quote "always" eight facts contradict; retention then removed the
    quote's words and the first fact's note. (observer, walk id, statement id, fact ids)"""
    observer = make_user("observer")
    walk = make_walk(observer)
    said = {"type": "statement", "id": uid(), "walk": walk, "topic": "Badge scan",
            "text": "We always scan our badges.", "claim": {"frequency": "always"}}  # fmt: skip
    facts = [{"type": "fact", "id": uid(), "walk": walk, "topic": "Badge scan",
              "text": f"Walked past the reader ({n})", "performed": False}
             for n in range(8)]  # fmt: skip
    assert not write(observer, said, *facts).rejected
    _expire(app, Statement, said["id"], "text", "")
    _expire(app, Fact, facts[0]["id"], "text", "")
    return observer, walk, said["id"], [fact["id"] for fact in facts]


def test_the_walk_page_and_the_api_say_when_a_quotes_words_were_removed(removed_quote, login_as):
    observer, walk, _said, _facts = removed_quote
    client, _ = login_as("observer", observer)

    [gap] = client.get(f"/api/v1/gaps?walk={walk}").get_json()["items"]

    assert gap["statement_text"] == ""
    assert gap["statement_expired_at"] == "2026-11-01T00:00:00+00:00"
    page = client.get(f"/walks/{walk}?basic=1").get_data(as_text=True)
    assert "Words removed on 01 Nov 2026 (site retention)" in page
    assert "“”" not in page


def test_the_action_form_and_the_delete_question_name_a_removed_quote(removed_quote, login_as):
    observer, walk, said, facts = removed_quote
    analyst, _ = login_as("analyst")
    [gap] = analyst.get(f"/api/v1/gaps?walk={walk}").get_json()["items"]

    form = analyst.get(f"/review/gaps/{gap['id']}/actions/new").get_data(as_text=True)

    assert "Words removed on 01 Nov 2026 (site retention) — " in form  # the gap's choice
    assert "“”" not in form
    client, _ = login_as("observer", observer)
    question = client.get(f"/walks/{walk}/statements/{said}/delete")
    assert "Words removed on 01 Nov 2026 (site retention)" in question.get_data(as_text=True)
    question = client.get(f"/walks/{walk}/facts/{facts[0]}/delete")
    assert "Note removed on 01 Nov 2026 (site retention)" in question.get_data(as_text=True)
