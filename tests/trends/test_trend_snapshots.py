"""Kept figures of finished periods give exactly what counting everything afresh gives,
after every kind of write that can change the past (a late fact, a triage, a merge, a
deleted walk, a re-flag, a write outside the ORM) and after writes that cannot (today's
fact), which must leave the kept figures in use."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from gemba.domain.trend_periods import MONTH, WEEK
from gemba.extensions import db
from gemba.gaps.triage import decide
from gemba.models import (
    AuditEvent,
    Fact,
    Gap,
    Persona,
    Topic,
    TopicSighting,
    TrendSnapshot,
    TrendVersion,
    User,
    Walk,
    utcnow,
)
from gemba.topics import merging
from gemba.trends import queries, snapshots, watch
from tests.conftest import uid


def _rows(found: dict) -> dict:
    return {site: [trend.to_row() for trend in rows] for site, rows in found.items()}


def same_as_counted(app, site: uuid.UUID, unit: str = WEEK, count: int = 8, persona=None):
    """The kept path twice (the first stores, the second reads what it stored) against the
    full count, as of one moment; returns how many periods were kept."""
    with app.app_context():
        sites = queries.load_sites(site)
        as_of = utcnow()
        counted = _rows(queries.trends_for(sites, unit, count, as_of, persona))
        first = _rows(snapshots.trends_for(sites, unit, count, as_of, persona))
        second = _rows(snapshots.trends_for(sites, unit, count, as_of, persona))
        kept = db.session.scalar(select(func.count()).select_from(TrendSnapshot))
        db.session.remove()
    assert first == counted
    assert second == counted
    return kept


def _version(app, site) -> int:
    with app.app_context():
        found = db.session.scalar(select(TrendVersion.version).where(TrendVersion.site_id == site))
        db.session.remove()
    return found or 0


def _old_walk(app, site) -> Walk:
    with app.app_context():
        walk = db.session.scalars(
            select(Walk).where(Walk.site_id == site).order_by(Walk.started_at)
        ).first()
        db.session.expunge(walk)
    # The demo's two weeks begin before the current week: its first walk is in the past.
    assert walk.started_at < watch.finished_until("Europe/Warsaw", utcnow())
    return walk


def _topic(app, site) -> Topic:
    with app.app_context():
        topic = db.session.scalars(
            select(Topic).where(Topic.site_id == site).order_by(Topic.id)
        ).first()
        db.session.expunge(topic)
    return topic


def _fact(walk_id, topic: str, at) -> dict:
    return {
        "type": "fact",
        "id": uid(),
        "walk": str(walk_id),
        "topic": topic,
        "text": "Seen again",
        "performed": True,
        "observed_at": at.isoformat(),
    }


@pytest.mark.parametrize("unit", [WEEK, MONTH])
def test_kept_figures_are_the_counted_ones(app, plant, unit):
    kept = same_as_counted(app, plant["site"], unit, 6)
    assert kept >= 5  # every finished period shown, and the one before


def test_a_fact_of_today_keeps_the_kept_figures_and_still_counts(app, plant, write):
    site, admin = plant["site"], plant["admin"]
    same_as_counted(app, site)
    before = _version(app, site)
    with app.app_context():
        walk = db.session.scalars(
            select(Walk).where(Walk.site_id == site).order_by(Walk.started_at.desc())
        ).first()
        walk_id = walk.id
    topic = "A topic first seen today"  # counts now as observed: its sightings must say so
    now = utcnow()
    result = write(admin, _fact(walk_id, topic, now - timedelta(minutes=1)))
    if result.results[0].status != "created":  # the newest walk may be closed: a new one
        fresh = uid()
        result = write(
            admin,
            {"type": "walk", "id": fresh, "site": str(site), "title": "Today"},
            _fact(fresh, topic, now - timedelta(minutes=1)),
        )
    assert all(r.status == "created" for r in result.results)
    calls = []
    original = queries.trends_for

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    assert _version(app, site) == before or now.weekday() == 0 and now.hour < 1
    snapshots.queries.trends_for = counting
    try:
        with app.app_context():
            sites = queries.load_sites(site)
            snapshots.trends_for(sites, WEEK, 8, utcnow())
            db.session.remove()
    finally:
        snapshots.queries.trends_for = original
    if _version(app, site) == before:
        assert calls == []  # nothing counted afresh but the current period
    same_as_counted(app, site)


def test_a_late_fact_raises_the_version_and_the_figures_follow(app, plant, write):
    site, admin = plant["site"], plant["admin"]
    same_as_counted(app, site)
    before = _version(app, site)
    walk, topic = _old_walk(app, site), _topic(app, site)
    result = write(admin, _fact(walk.id, topic.name, walk.started_at + timedelta(minutes=5)))
    assert [r.status for r in result.results] == ["created"]
    assert _version(app, site) == before + 1
    with app.app_context():
        sighting = db.session.get(TopicSighting, topic.id)
        first = db.session.scalar(
            select(func.min(Fact.observed_at)).where(Fact.topic_id == topic.id)
        )
        assert sighting.first_seen_at == first
        db.session.remove()
    same_as_counted(app, site)


def test_a_triage_merge_and_deleted_walk_keep_the_figures_true(app, plant):
    site, admin = plant["site"], plant["admin"]
    same_as_counted(app, site)
    with app.app_context():
        gap_id = db.session.scalars(select(Gap.id).where(Gap.site_id == site)).first()
        actor = db.session.get(User, admin.id)
        decide(gap_id, "confirmed", actor)
        db.session.remove()
    same_as_counted(app, site)
    with app.app_context():
        topics = db.session.scalars(
            select(Topic.id)
            .join(Fact, Fact.topic_id == Topic.id)
            .where(Topic.site_id == site)
            .group_by(Topic.id)
            .order_by(Topic.id)
        ).all()
        merging.merge(db.session.get(User, admin.id), topics[0], topics[1])
        db.session.remove()
    same_as_counted(app, site)
    walk = _old_walk(app, site)
    with app.app_context():
        db.session.delete(db.session.get(Walk, walk.id))
        db.session.commit()
    same_as_counted(app, site)


def test_a_write_outside_the_orm_and_a_back_dated_event_keep_the_figures_true(app, plant):
    site = plant["site"]
    same_as_counted(app, site)
    with app.app_context():
        fact = db.session.scalars(
            select(Fact.id).join(Walk, Walk.id == Fact.walk_id).where(Walk.site_id == site)
        ).first()
        db.session.execute(
            update(Fact).where(Fact.id == fact).values(observed_at=utcnow() - timedelta(days=40))
        )
        db.session.commit()
    same_as_counted(app, site)
    with app.app_context():
        gap = db.session.scalars(select(Gap).where(Gap.site_id == site)).first()
        db.session.add(
            AuditEvent(
                at=utcnow() - timedelta(days=20),
                object_type="gap",
                object_id=str(gap.id),
                site_id=site,
                verb="closed",
                detail={"site": str(site), "topic": gap.topic_id, "by": "evidence"},
            )
        )
        db.session.commit()
    same_as_counted(app, site)


def test_one_persona_is_kept_apart(app, plant):
    site = plant["site"]
    with app.app_context():
        persona = db.session.scalars(select(Persona.id).where(Persona.site_id == site)).first()
        db.session.remove()
    same_as_counted(app, site, persona=persona)
    same_as_counted(app, site)


def test_the_current_week_starts_where_the_site_clock_says(app):
    with app.app_context():
        now = utcnow()
        warsaw = watch.finished_until("Europe/Warsaw", now)
        assert warsaw <= now
        assert warsaw.astimezone(warsaw.tzinfo).hour == 0
        assert now - warsaw < timedelta(days=7)
