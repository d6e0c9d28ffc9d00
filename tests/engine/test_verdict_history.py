"""The engine writes down each verdict that turns: a gap flagged, a gap the evidence no
longer contradicts (removed, or kept once triaged), and flagged again. Trends count from
these rows, so a past month keeps its numbers after the gap is gone; the history page of
people's decisions leaves them out, the gap's own page shows them."""

from __future__ import annotations

import uuid

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import AuditEvent, Gap, User, gap_id_for
from gemba.platform.database import MIGRATIONS_DIR
from tests.conftest import login

ALWAYS = {"frequency": "always"}


def _verbs(floor, statement: str) -> list[str]:
    gap_id = str(gap_id_for(uuid.UUID(statement)))
    with floor.app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.verb)
                .where(AuditEvent.object_type == "gap", AuditEvent.object_id == gap_id)
                .order_by(AuditEvent.id)
            )
        )


def test_an_untriaged_gap_that_goes_away_and_comes_back(floor):
    statement = floor.say("Badge scan", ALWAYS)
    miss = floor.see("Badge scan", False)
    floor.delete("fact", miss)
    assert floor.gap(statement) is None
    assert _verbs(floor, statement) == ["flagged", "closed"]
    (closed,) = floor.audit("closed")
    assert closed.detail["by"] == "evidence"
    assert closed.detail["site"]  # the gap's row is gone: its site is in the event
    floor.see("Badge scan", False)
    assert _verbs(floor, statement) == ["flagged", "closed", "flagged"]


def test_a_triaged_gap_kept_when_its_verdict_turns(floor):
    statement = floor.say("Badge scan", ALWAYS)
    miss = floor.see("Badge scan", False)
    floor.triage(statement, "confirmed", "Seen it myself")
    floor.delete("fact", miss)
    gap = floor.gap(statement)
    assert gap is not None  # kept: it was triaged
    assert gap.contradicted is False
    assert _verbs(floor, statement) == ["flagged", "triaged", "closed"]
    floor.see("Badge scan", False)
    assert _verbs(floor, statement) == ["flagged", "triaged", "closed", "flagged"]


def test_nothing_changes_nothing_is_written(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.see("Badge scan", False)  # the same verdict, stronger: no new event
    assert _verbs(floor, statement) == ["flagged"]


def test_the_history_page_shows_decisions_the_gap_page_its_whole_story(app, client, floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.triage(statement, "confirmed", "Seen it myself")
    with app.app_context():
        analyst = db.session.get(User, floor.analyst_id)
        gap_id = db.session.scalar(select(Gap.id))
    login(client, analyst)
    history = client.get("/review/history").get_data(as_text=True)
    assert "flagged by the evidence" not in history
    assert "Seen it myself" in history
    page = client.get(f"/review/gaps/{gap_id}").get_data(as_text=True)
    assert "flagged by the evidence" in page


def test_the_migration_records_the_gaps_there_are(app, floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    kept = floor.say("Guard closed", ALWAYS)
    miss = floor.see("Guard closed", False)
    floor.triage(kept, "confirmed", "Seen")
    floor.delete("fact", miss)  # kept, no longer contradicted
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="b9e2d4f6a8c1")
        engine_rows = select(AuditEvent.id).where(AuditEvent.verb.in_(("flagged", "closed")))
        assert db.session.scalar(engine_rows) is None  # as before the engine recorded them
        db.session.remove()  # no open transaction may hold the tables the upgrade alters
        upgrade(directory=MIGRATIONS_DIR)
        db.session.remove()
    assert _verbs(floor, statement) == ["flagged"]
    assert _verbs(floor, kept) == ["triaged", "flagged", "closed"]


def _sites_of_gap_events(floor) -> list[tuple[str, str | None]]:
    with floor.app.app_context():
        rows = db.session.execute(
            select(AuditEvent.verb, AuditEvent.site_id)
            .where(AuditEvent.object_type == "gap")
            .order_by(AuditEvent.id)
        ).all()
        db.session.remove()
    return [(verb, str(site) if site else None) for verb, site in rows]


def test_every_gap_event_carries_its_site_and_the_migration_fills_older_ones(app, floor):
    """Trends read one site's history by the events' site: the engine and triage write it,
    and the migration finds it for rows written before (a removed gap's triage included,
    from its "flagged" event)."""
    site = floor.sites["A"]
    kept = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.triage(kept, "confirmed", "Seen it myself")
    gone = floor.say("Guard closed", ALWAYS)
    miss = floor.see("Guard closed", False)
    floor.triage(gone, "needs_observation", "Look again")
    with app.app_context():
        gap = db.session.get(Gap, gap_id_for(uuid.UUID(gone)))
        gap.status, gap.triaged_at = "open", None  # untriaged again: the engine may drop it
        db.session.commit()
    floor.delete("fact", miss)
    assert floor.gap(gone) is None
    written = _sites_of_gap_events(floor)
    assert {verb for verb, _ in written} == {"flagged", "triaged", "closed"}
    assert all(found == site for _, found in written), written
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="c5d7e9f1a3b6")  # no site column
        upgrade(directory=MIGRATIONS_DIR)
        db.session.remove()
    assert _sites_of_gap_events(floor) == written
