"""The trends page's figures, counted once per finished period and kept.

A finished week or month keeps its gap and topic figures for as long as the site's history
version holds (gemba/trends/watch.py raises it on any write that could change them), so a
request counts afresh only what can still move:

- the period not over yet: its gap events and medians from the gaps touched since it
  began, its open gaps as the previous period's plus the change of those touched gaps,
  and its topics from each topic's first and latest sightings (`topic_sightings`);
- the walks of every period (a due walk turns from pending to missed as time passes,
  without any write), from the plans, as before.

A site with a finished period missing, or counted under an older version, is counted in
full by `queries.trends_for` (the definition) and its finished periods are stored. The
figures are the ones `queries.trends_for` gives; tests/trends/test_trend_snapshots.py
holds the two together through late syncs, merges, deletions and re-flags.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from gemba.domain.trend_coverage import DEFAULT_STALE_WEEKS, tally_walks
from gemba.domain.trend_gaps import FLAGGED, tally_gaps
from gemba.domain.trend_periods import Period, as_utc, median
from gemba.domain.trends import PeriodTrend
from gemba.extensions import db
from gemba.models import Fact, Statement, Topic, TopicSighting, TrendSnapshot, TrendVersion
from gemba.platform.allocation import no_cycle_collection
from gemba.trends import gap_history, queries
from gemba.trends.queries import SiteInfo
from gemba.trends.sightings import SHADOW_WALKS

# The figures a snapshot keeps: every measure but the walks'.
KEPT = (
    "gaps_flagged",
    "gaps_confirmed",
    "gaps_dismissed",
    "gaps_actioned",
    "gaps_verified",
    "gaps_closed_by_evidence",
    "gaps_reopened",
    "gaps_open_at_end",
    "gaps_untriaged_at_end",
    "median_hours_to_triage",
    "gaps_first_triaged",
    "median_days_to_verified",
    "gaps_timed_to_verified",
    "topics_observed",
    "topics_stale",
)
_EVENTS = {
    "gaps_flagged": FLAGGED,
    "gaps_confirmed": "confirmed",
    "gaps_dismissed": "dismissed",
    "gaps_actioned": "actioned",
    "gaps_verified": "verified",
    "gaps_closed_by_evidence": "closed",
    "gaps_reopened": "reopened",
}


def trends_for(
    sites: Sequence[SiteInfo],
    unit: str,
    count: int,
    as_of: datetime,
    persona_id: uuid.UUID | None = None,
    stale_weeks: int = DEFAULT_STALE_WEEKS,
) -> dict[uuid.UUID, list[PeriodTrend]]:
    """`queries.trends_for`, from the kept figures of finished periods where they hold."""
    if not sites:
        return {}
    as_of = as_utc(as_of)
    persona_key = str(persona_id) if persona_id else ""
    # One period more than shown: the current period's open gaps follow from its predecessor.
    spans = {site.id: queries.spans_for(site.zone, unit, count + 1, as_of) for site in sites}
    versions = _versions([site.id for site in sites])  # before any figure is read
    kept = _kept(sites, unit, persona_key, stale_weeks, versions)
    fresh, counted = [], []
    for site in sites:
        finished = [p for p in spans[site.id] if p.end <= as_of]
        ready = finished and len(finished) >= len(spans[site.id]) - 1
        if ready and all((site.id, as_utc(p.start)) in kept for p in finished):
            fresh.append(site)
        else:
            counted.append(site)
    found: dict[uuid.UUID, list[PeriodTrend]] = {}
    with no_cycle_collection():
        if counted:
            found.update(queries.trends_for(counted, unit, count + 1, as_of, persona_id))
        if fresh:
            found.update(_from_kept(fresh, spans, kept, as_of, persona_id, stale_weeks))
    if counted:
        _keep(counted, found, unit, persona_key, stale_weeks, versions, as_of)
    return {site.id: found[site.id][-count:] for site in sites}


def _versions(site_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    query = select(TrendVersion.site_id, TrendVersion.version).where(
        TrendVersion.site_id.in_(site_ids)
    )
    return {site_id: version for site_id, version in db.session.execute(query)}


def _kept(sites, unit, persona_key, stale_weeks, versions) -> dict[tuple, dict]:
    """The figures kept for the sites' finished periods under their current versions."""
    zones = {site.id: site.zone for site in sites}
    query = select(
        TrendSnapshot.site_id,
        TrendSnapshot.zone,
        TrendSnapshot.period_start,
        TrendSnapshot.version,
        TrendSnapshot.figures,
    ).where(
        TrendSnapshot.site_id.in_(list(zones)),
        TrendSnapshot.unit == unit,
        TrendSnapshot.persona_key == persona_key,
        TrendSnapshot.stale_weeks == stale_weeks,
    )
    return {
        (site_id, start): figures
        for site_id, zone, start, version, figures in db.session.execute(query)
        if zone == zones[site_id] and version == versions.get(site_id, 0)
    }


def _keep(sites, found, unit, persona_key, stale_weeks, versions, as_of) -> None:
    """Store the finished periods' figures of the sites just counted, under the versions
    read before counting (a write since then has raised them: these lapse at once)."""
    rows = [
        {
            "site_id": site.id,
            "unit": unit,
            "zone": site.zone,
            "persona_key": persona_key,
            "stale_weeks": stale_weeks,
            "period_start": as_utc(trend.period.start),
            "version": versions.get(site.id, 0),
            "figures": {name: getattr(trend, name) for name in KEPT},
        }
        for site in sites
        for trend in found[site.id]
        if trend.period.end <= as_of
    ]
    if not rows:
        return
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    try:
        db.session.execute(
            delete(TrendSnapshot).where(
                TrendSnapshot.site_id.in_([site.id for site in sites]),
                TrendSnapshot.unit == unit,
                TrendSnapshot.persona_key == persona_key,
                TrendSnapshot.stale_weeks == stale_weeks,
            )
        )
        db.session.execute(
            module.insert(TrendVersion)
            .values([{"site_id": site.id, "version": 0} for site in sites])
            .on_conflict_do_nothing(index_elements=["site_id"])
        )
        db.session.execute(module.insert(TrendSnapshot).values(rows).on_conflict_do_nothing())
        db.session.commit()
    except SQLAlchemyError:  # another request stored them first, or the database is busy
        db.session.rollback()


def _from_kept(sites, spans, kept, as_of, persona_id, stale_weeks):
    """Each site's trends from its kept periods, the current period counted afresh."""
    walks = defaultdict(list)
    for walk in queries.walk_dues(sites, spans, as_of):
        walks[walk.site_id].append(walk)
    current = [site for site in sites if spans[site.id][-1].end > as_of]
    gaps = _current_gaps(current, spans, as_of, persona_id)
    topics = _current_topics(current, spans, as_of, persona_id, stale_weeks)
    found = {}
    for site in sites:
        site_spans = spans[site.id]
        counts = tally_walks(walks[site.id], site_spans, as_of)
        rows = []
        for span, walk in zip(site_spans, counts, strict=True):
            figures = kept.get((site.id, as_utc(span.start)))
            if figures is None:  # the current period
                previous = kept[(site.id, as_utc(site_spans[-2].start))]
                figures = gaps[site.id](previous) | topics[site.id]
            rows.append(_trend(site.id, span, as_of, figures, walk, stale_weeks))
        found[site.id] = rows
    return found


def _trend(site_id, span: Period, as_of, figures: dict, walk: dict, stale_weeks: int):
    return PeriodTrend(
        site_id=site_id,
        period=span,
        as_of=as_of,
        complete=span.end <= as_of,
        **{name: figures[name] for name in KEPT},
        walks_due=walk["due"],
        walks_on_time=walk["on_time"],
        walks_late=walk["late"],
        walks_missed=walk["missed"],
        walks_pending=walk["pending"],
        stale_weeks=stale_weeks,
    )


def _current_gaps(sites, spans, as_of, persona_id):
    """Per site, a function of the previous period's figures giving the current period's
    gap figures: only gaps touched since the period began can differ from before it."""
    if not sites:
        return {}
    since = min(as_utc(spans[site.id][-1].start) for site in sites)
    by_site = defaultdict(list)
    for gap in gap_history.gap_histories([s.id for s in sites], as_of, persona_id, since=since):
        by_site[gap.site_id].append(gap)
    found = {}
    for site in sites:
        before, now = tally_gaps(by_site[site.id], spans[site.id][-2:], as_of)

        def figures(previous: dict, before=before, now=now) -> dict:
            result = {name: now.events[event] for name, event in _EVENTS.items()}
            result["gaps_open_at_end"] = (
                previous["gaps_open_at_end"] - before.open_at_end + now.open_at_end
            )
            result["gaps_untriaged_at_end"] = (
                previous["gaps_untriaged_at_end"] - before.untriaged_at_end + now.untriaged_at_end
            )
            result["median_hours_to_triage"] = median(now.hours_to_triage)
            result["gaps_first_triaged"] = len(now.hours_to_triage)
            result["median_days_to_verified"] = median(now.days_to_verified)
            result["gaps_timed_to_verified"] = len(now.days_to_verified)
            return result

        found[site.id] = figures
    return found


def _current_topics(sites, spans, as_of, persona_id, stale_weeks) -> dict[uuid.UUID, dict]:
    """Per site, its topics observed in the stale window before the moment, and stale: from
    each topic's sightings, or with a persona from that persona's records."""
    by_cutoff = defaultdict(list)
    for site in sites:
        zone = spans[site.id][-1].start.tzinfo
        cutoff = as_utc(as_of.astimezone(zone) - timedelta(weeks=stale_weeks))
        by_cutoff[cutoff].append(site.id)
    found = {}
    for cutoff, site_ids in by_cutoff.items():
        query = _persona_counts if persona_id else _sighting_counts
        counts = {site_id: (0, 0) for site_id in site_ids}
        counts.update(
            (site_id, (existing or 0, observed or 0))
            for site_id, existing, observed in db.session.execute(
                query(site_ids, cutoff, as_of, persona_id)
            )
        )
        for site_id, (existing, observed) in counts.items():
            found[site_id] = {"topics_observed": observed, "topics_stale": existing - observed}
    return found


def _seen_between(start, end, persona_id):
    query = select(Fact.id).where(
        Fact.topic_id == Topic.id,
        Fact.walk_id.not_in(SHADOW_WALKS),
        Fact.observed_at <= end,
    )
    if start is not None:
        query = query.where(Fact.observed_at >= start)
    if persona_id is not None:
        query = query.where(Fact.persona_id == persona_id)
    return exists(query)


def _sighting_counts(site_ids, cutoff, as_of, _persona_id):
    """Per site: topics that existed by the moment, and those observed since the cutoff.
    A latest sighting after the moment (a phone's clock ahead) is asked of the facts."""
    existing = or_(TopicSighting.first_seen_at <= as_of, TopicSighting.first_said_at <= as_of)
    observed = case(
        (TopicSighting.last_seen_at <= as_of, TopicSighting.last_seen_at >= cutoff),
        else_=exists(
            select(Fact.id).where(
                Fact.topic_id == TopicSighting.topic_id,
                Fact.walk_id.not_in(SHADOW_WALKS),
                Fact.observed_at >= cutoff,
                Fact.observed_at <= as_of,
            )
        ),
    )
    return (
        select(
            TopicSighting.site_id,
            func.sum(case((existing, 1), else_=0)),
            func.sum(case((and_(existing, observed), 1), else_=0)),
        )
        .where(TopicSighting.site_id.in_(site_ids))
        .group_by(TopicSighting.site_id)
    )


def _persona_counts(site_ids, cutoff, as_of, persona_id):
    """The same for one persona's records: its facts and statements on each topic."""
    said = exists(
        select(Statement.id).where(
            Statement.topic_id == Topic.id,
            Statement.persona_id == persona_id,
            Statement.observed_at <= as_of,
        )
    )
    existing = or_(_seen_between(None, as_of, persona_id), said)
    observed = _seen_between(cutoff, as_of, persona_id)
    return (
        select(
            Topic.site_id,
            func.sum(case((existing, 1), else_=0)),
            func.sum(case((observed, 1), else_=0)),
        )
        .where(Topic.site_id.in_(site_ids))
        .group_by(Topic.site_id)
    )
