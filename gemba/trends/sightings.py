"""When each topic was seen, in as few rows as the topic measures need: per topic its first
observation and first statement, and its latest observation before each period's end
(docs/trends.md, "Topics"). One statement for the firsts, and one per distinct clock of the
sites shown, however many facts there are.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import case, func, select

from gemba.domain.trend_coverage import DEFAULT_STALE_WEEKS, TopicSeen
from gemba.domain.trend_periods import Period
from gemba.extensions import db
from gemba.models import Fact, Statement, Topic, Walk


class SiteInfo(Protocol):
    """A site as the trends pass it (gemba.trends.queries.SiteInfo): its id is enough here."""

    id: uuid.UUID


def topic_sightings(
    sites: Sequence[SiteInfo],
    spans: dict[uuid.UUID, list[Period]],
    as_of: datetime,
    persona_id: uuid.UUID | None = None,
    stale_weeks: int = DEFAULT_STALE_WEEKS,
) -> list[TopicSeen]:
    """Per topic of the sites: when it was first spoken of and first observed (facts of walks
    that shadow no other walk), and its latest observation before each period's end within
    reach of the stale window. With a persona, only what that persona said and was seen
    doing.

    Those moments decide the topic measures exactly as every observation would (the first
    says since when it exists; the latest before a period's end says whether it is stale
    then; an older one never changes that), and they come from the topic-and-time indexes:
    one row per topic, however many facts, and only the facts of the periods shown are read.
    """
    ids = [site.id for site in sites]
    if not ids:
        return []
    firsts = _first_moments(ids, as_of, persona_id)
    latest: dict[int, list[datetime]] = defaultdict(list)
    by_clock: dict[tuple, list[uuid.UUID]] = defaultdict(list)
    for site in sites:  # sites on one clock share their periods: one statement for them all
        if spans.get(site.id):
            by_clock[tuple((p.start, p.end) for p in spans[site.id])].append(site.id)
    for bounds, site_ids in by_clock.items():
        reach = bounds[0][0] - timedelta(weeks=stale_weeks, days=1)
        latest.update(_latest_before_ends(site_ids, bounds, reach, as_of, persona_id))
    return [
        TopicSeen(site_id, topic_id, sorted({*([seen] if seen else []), *latest[topic_id]}), said)
        for topic_id, (site_id, seen, said) in sorted(firsts.items())
    ]


# Calibration walks are few: leaving out their facts by a short list keeps the fact queries
# on the topic-and-time index (topic, moment, walk) without reading the rows.
SHADOW_WALKS = select(Walk.id).where(Walk.calibrates_id.is_not(None)).scalar_subquery()


def _first_moments(
    site_ids: list[uuid.UUID], as_of: datetime, persona_id: uuid.UUID | None
) -> dict[int, tuple[uuid.UUID, datetime | None, datetime | None]]:
    """Per topic of the sites that was observed or spoken of by the moment: its site, its
    first observation and its first statement (one index lookup each per topic)."""
    first_seen = (
        select(Fact.observed_at)
        .where(
            Fact.topic_id == Topic.id, Fact.walk_id.not_in(SHADOW_WALKS), Fact.observed_at <= as_of
        )
        .order_by(Fact.observed_at)
        .limit(1)
    )
    first_said = select(func.min(Statement.observed_at)).where(
        Statement.topic_id == Topic.id, Statement.observed_at <= as_of
    )
    if persona_id is not None:
        first_seen = first_seen.where(Fact.persona_id == persona_id)
        first_said = first_said.where(Statement.persona_id == persona_id)
    query = select(
        Topic.id, Topic.site_id, first_seen.scalar_subquery(), first_said.scalar_subquery()
    ).where(Topic.site_id.in_(site_ids))
    return {
        topic_id: (site_id, seen, said)
        for topic_id, site_id, seen, said in db.session.execute(query)
        if seen is not None or said is not None
    }


def _latest_before_ends(
    site_ids: list[uuid.UUID],
    bounds: tuple,
    reach: datetime,
    as_of: datetime,
    persona_id: uuid.UUID | None,
) -> dict[int, list[datetime]]:
    """Per topic of sites on one clock: its latest observation before each period's end
    (and by the moment), looking back no further than `reach`."""
    columns = [func.max(case((Fact.observed_at < end, Fact.observed_at))) for _start, end in bounds]
    topics = select(Topic.id).where(Topic.site_id.in_(site_ids)).scalar_subquery()
    query = (
        select(Fact.topic_id, *columns)
        .where(
            Fact.topic_id.in_(topics),
            Fact.walk_id.not_in(SHADOW_WALKS),
            Fact.observed_at >= reach,
            Fact.observed_at <= as_of,
        )
        .group_by(Fact.topic_id)
    )
    if persona_id is not None:
        query = query.where(Fact.persona_id == persona_id)
    return {
        topic_id: [m for m in moments if m is not None]
        for topic_id, *moments in db.session.execute(query)
    }
