"""The histories the trend measures read, filled from the database in a bounded number of
statements: a handful per page, however many gaps, walks and topics (one more per distinct
clock for the walk plans and for the topics), never one per row. Gap and action events are
read by their site (`audit_events.site_id`).

- Gaps: the union of the sites' current gaps and the gap ids seen in "flagged" audit
  events (a gap the engine removed keeps its events, and its site and topic are in the
  event's detail), read by gemba/trends/gap_history.py.
- Walks: each plan's occurrences from `plans.programme.expand`, due days on the site's
  calendar, plus the plan's first occurrence after the range.
- Topics: per topic its first observation and statement, and its latest observation before
  each period's end (gemba/trends/sightings.py): rows grow with topics, not facts.

Only rows at or before the as-of moment are read, so a finished period's figures do not
change when history is added later (docs/trends.md).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from gemba.domain import clock
from gemba.domain.trend_coverage import WalkDue
from gemba.domain.trend_periods import WEEK, Period, as_utc, local_day, periods
from gemba.domain.trends import PeriodTrend, compare_sites, site_trends
from gemba.extensions import db
from gemba.models import Persona, Plan, Site
from gemba.plans.programme import expand, load_schedules_and_walks
from gemba.platform.allocation import no_cycle_collection
from gemba.trends.gap_history import gap_histories
from gemba.trends.sightings import topic_sightings


@dataclass(frozen=True)
class SiteInfo:
    """A site as the trends need it: its id, name and the clock its periods are drawn on."""

    id: uuid.UUID
    name: str
    zone: str


def load_sites(site_id: uuid.UUID | None = None) -> list[SiteInfo]:
    """Every site by name (or the one asked for); an unknown zone name reads as UTC."""
    query = select(Site.id, Site.name, Site.time_zone).order_by(Site.name, Site.id)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    return [
        SiteInfo(sid, name, clock.canonical_zone(zone or "UTC") or "UTC")
        for sid, name, zone in db.session.execute(query)
    ]


@dataclass(frozen=True)
class PersonaInfo:
    """A persona as the filter offers it: under its site's name."""

    id: uuid.UUID
    name: str
    site_id: uuid.UUID


def load_personas() -> list[PersonaInfo]:
    """Every persona, by site name and then its own name."""
    query = (
        select(Persona.id, Persona.name, Persona.site_id)
        .join(Site, Site.id == Persona.site_id)
        .order_by(Site.name, Site.id, Persona.name, Persona.id)
    )
    return [PersonaInfo(*row) for row in db.session.execute(query)]


def spans_for(zone: str, unit: str, count: int, as_of: datetime) -> list[Period]:
    """The last `count` weeks or months on the zone's clock, the last one holding the
    moment just before `as_of` (so as of a month's end, that month is the last)."""
    back = timedelta(weeks=count + 1) if unit == WEEK else timedelta(days=31 * (count + 1))
    return periods(as_of - back, as_of, unit, zone)[-count:]


def walk_dues(sites: Sequence[SiteInfo], spans: dict, as_of: datetime) -> list[WalkDue]:
    """Each plan's due walks over the sites' periods (and the first one after), with when
    the walk that counts for each was done; plans are expanded once per time zone."""
    by_site = {site.id: site for site in sites if spans.get(site.id)}
    if not by_site:
        return []
    plans = list(db.session.scalars(select(Plan).where(Plan.site_id.in_(list(by_site)))))
    by_zone: dict[str, list[Plan]] = defaultdict(list)
    for plan in plans:
        by_zone[by_site[plan.site_id].zone].append(plan)
    found: list[WalkDue] = []
    # Schedules and walks read once for every zone, from the earliest period's start.
    earliest = min(as_utc(spans[site_id][0].start) for site_id in by_site)
    loaded = load_schedules_and_walks([plan.id for plan in plans], earliest)
    for zone, zone_plans in by_zone.items():
        chosen = [spans[plan.site_id] for plan in zone_plans]
        since = min(span[0].start for span in chosen)
        until = max([as_utc(as_of), *(as_utc(span[-1].end) for span in chosen)])
        expanded = expand(zone_plans, as_utc(since), until, zone, loaded)
        place = clock.zone(zone)
        for plan in zone_plans:
            occurrences, next_due = expanded[plan.id]
            for occurrence in occurrences:
                due = local_day(occurrence.due_at, place)
                found.append(WalkDue(plan.site_id, plan.id, due, occurrence.walked_at))
            if next_due is not None:
                found.append(WalkDue(plan.site_id, plan.id, local_day(next_due, place)))
    return found


def trends_for(
    sites: Sequence[SiteInfo],
    unit: str,
    count: int,
    as_of: datetime,
    persona_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[PeriodTrend]]:
    """Each site's measures for its last `count` weeks or months, as of the moment: the
    histories of every site read once, then counted per site on its own clock. With a
    persona, the gaps and topics are that persona's; planned walks stay the site's (a walk
    is not one persona's)."""
    if not sites:
        return {}
    with no_cycle_collection():
        return _trends_for(sites, unit, count, as_utc(as_of), persona_id)


def _trends_for(
    sites: Sequence[SiteInfo],
    unit: str,
    count: int,
    as_of: datetime,
    persona_id: uuid.UUID | None,
) -> dict[uuid.UUID, list[PeriodTrend]]:
    ids = [site.id for site in sites]
    spans = {site.id: spans_for(site.zone, unit, count, as_of) for site in sites}
    gaps = gap_histories(ids, as_of, persona_id)
    walks = walk_dues(sites, spans, as_of)
    topics = topic_sightings(sites, spans, as_of, persona_id)
    gaps_by, walks_by, topics_by = defaultdict(list), defaultdict(list), defaultdict(list)
    for items, into in ((gaps, gaps_by), (walks, walks_by), (topics, topics_by)):
        for item in items:
            into[item.site_id].append(item)
    return {
        site.id: site_trends(
            site.id, spans[site.id], as_of, gaps_by[site.id], walks_by[site.id], topics_by[site.id]
        )
        for site in sites
    }


def latest_comparison(trends: dict[uuid.UUID, list[PeriodTrend]]) -> list[dict[str, object]]:
    """The sites side by side for the latest period they all have (each on its own clock:
    as of a moment, Warsaw may be in a month Mexico City has not begun); columns are the
    site ids as text, rows the measures."""
    labels = [{trend.period.label for trend in found} for found in trends.values() if found]
    if not labels or len(labels) < len(trends):
        return []
    common = set.intersection(*labels)
    if not common:
        return []
    label = max(common)
    chosen = [next(t for t in found if t.period.label == label) for found in trends.values()]
    return compare_sites(chosen)
