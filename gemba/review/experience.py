"""Experience maps: the places of a walk (or a site) in visit order, with what hurt there.

A station is a place; for a site, places of the same name on different walks are one
station, ordered by where in their walks they usually come (the mean of each walk's
visit position, 0 = first, 1 = last). Each station counts the pain and delight facts
logged there and keeps the worst gaps whose statement or contradicting facts are there.
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from gemba.extensions import db
from gemba.models import Fact, Gap, Place, Site, Statement, Walk, topic_key
from gemba.review.crosswalk import walk_gaps

WORST = 3  # gaps shown per station
SITE_GAPS = 300  # strongest gaps placed on a site's map
EVIDENCE_PER_GAP = 20  # contradicting facts looked up per gap to find where they happened
NOTES = 3  # pain and delight notes shown per station on a walk's map
ELSEWHERE = ""  # the station of facts logged without a place


@dataclass
class Station:
    key: str
    name: str
    position: float = 0.0
    pain: int = 0
    delight: int = 0
    neutral: int = 0
    gaps: list[Gap] = field(default_factory=list)
    gap_count: int = 0
    gap_ids: set = field(default_factory=set, repr=False)
    notes: list[Fact] = field(default_factory=list)

    @property
    def net(self) -> int:
        """Delight minus pain: the height of the experience curve here."""
        return self.delight - self.pain


@dataclass
class ExperienceMap:
    title: str
    site: Site
    walk: Walk | None
    stations: list[Station]  # in visit order; "elsewhere" last, when it has anything

    @property
    def totals(self) -> dict[str, int]:
        return {
            "pain": sum(s.pain for s in self.stations),
            "delight": sum(s.delight for s in self.stations),
            "gaps": len({g.id for s in self.stations for g in s.gaps}),
        }


def for_walk(walk: Walk) -> ExperienceMap:
    """The walk's places in the order they were logged."""
    places = db.session.execute(
        select(Place.id, Place.name).where(Place.walk_id == walk.id).order_by(Place.observed_at)
    ).all()
    stations = {pid: Station(str(pid), name, float(i)) for i, (pid, name) in enumerate(places)}
    elsewhere = Station(ELSEWHERE, "Not at a logged place", float(len(places)))
    rows = db.session.execute(
        select(Fact.place_id, Fact.sentiment, func.count())
        .where(Fact.walk_id == walk.id, Fact.sentiment.is_not(None))
        .group_by(Fact.place_id, Fact.sentiment)
    )
    for place_id, sentiment, n in rows:
        _count(stations.get(place_id, elsewhere), sentiment, n)
    notes = db.session.scalars(
        select(Fact)
        .where(Fact.walk_id == walk.id, Fact.sentiment.in_(["pain", "delight"]))
        .order_by(Fact.observed_at)
    )
    for fact in notes:
        station = stations.get(fact.place_id, elsewhere)
        if len(station.notes) < 2 * NOTES:
            station.notes.append(fact)
    fact_places = {
        str(fid): pid
        for fid, pid in db.session.execute(
            select(Fact.id, Fact.place_id).where(
                Fact.walk_id == walk.id, Fact.place_id.is_not(None)
            )
        )
    }
    for gap in walk_gaps(walk)[0]:
        if not gap.contradicted:
            continue
        where = {fact_places[f] for f in gap.evidence if f in fact_places}
        if gap.walk_id == walk.id and gap.statement.place_id:
            where.add(gap.statement.place_id)
        for place_id in where:
            if place_id in stations:
                _add_gap(stations[place_id], gap)
    ordered = list(stations.values())
    if elsewhere.pain or elsewhere.delight or elsewhere.neutral:
        ordered.append(elsewhere)
    return ExperienceMap(walk.title, walk.site, walk, _finish(ordered))


def for_site(site: Site) -> ExperienceMap:
    """All walks at the site: places merged by name, in their usual order."""
    places = db.session.execute(
        select(Place.id, Place.walk_id, Place.name)
        .join(Walk, Walk.id == Place.walk_id)
        .where(Walk.site_id == site.id)
        .order_by(Place.walk_id, Place.observed_at)
    ).all()
    by_walk: dict[uuid.UUID, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    place_keys: dict[uuid.UUID, str] = {}
    for place_id, walk_id, name in places:
        key = topic_key(name)
        names.setdefault(key, name)
        place_keys[place_id] = key
        if key not in by_walk[walk_id]:
            by_walk[walk_id].append(key)
    positions: dict[str, list[float]] = defaultdict(list)
    for keys in by_walk.values():
        for i, key in enumerate(keys):
            positions[key].append(i / (len(keys) - 1) if len(keys) > 1 else 0.5)
    stations = {
        key: Station(key, names[key], statistics.fmean(values)) for key, values in positions.items()
    }
    elsewhere = Station(ELSEWHERE, "Not at a logged place", 2.0)
    rows = db.session.execute(
        select(Fact.place_id, Fact.sentiment, func.count())
        .join(Walk, Walk.id == Fact.walk_id)
        .where(Walk.site_id == site.id, Fact.sentiment.is_not(None))
        .group_by(Fact.place_id, Fact.sentiment)
    )
    for place_id, sentiment, n in rows:
        key = place_keys.get(place_id) if place_id else None
        _count(stations.get(key, elsewhere), sentiment, n)
    _place_site_gaps(site, stations, place_keys)
    ordered = list(stations.values())
    if elsewhere.pain or elsewhere.delight or elsewhere.neutral:
        ordered.append(elsewhere)
    return ExperienceMap(site.name, site, None, _finish(ordered))


def _place_site_gaps(
    site: Site, stations: dict[str, Station], place_keys: dict[uuid.UUID, str]
) -> None:
    """Put the site's strongest gaps at the places of their statement and evidence.

    Places are named through `place_keys` (the site's places, already read); only a
    place the site's walks do not have is looked up, in one more query."""
    found = db.session.execute(
        select(Gap, Statement.place_id)
        .join(Statement, Statement.id == Gap.statement_id)
        .where(Gap.site_id == site.id, Gap.contradicted.is_(True))
        .options(contains_eager(Gap.statement))
        .order_by(Gap.score.desc(), Gap.id)
        .limit(SITE_GAPS)
    ).all()
    wanted = sorted({f for gap, _ in found for f in gap.evidence[:EVIDENCE_PER_GAP]})
    fact_places: dict[str, uuid.UUID] = {}
    for start in range(0, len(wanted), 500):
        chunk = [uuid.UUID(f) for f in wanted[start : start + 500]]
        rows = db.session.execute(
            select(Fact.id, Fact.place_id).where(Fact.id.in_(chunk), Fact.place_id.is_not(None))
        )
        fact_places.update({str(fid): pid for fid, pid in rows})
    statement_places = {pid for _, pid in found if pid is not None}
    missing = (set(fact_places.values()) | statement_places).difference(place_keys)
    keys = dict(place_keys)
    if missing:
        rows = db.session.execute(select(Place.id, Place.name).where(Place.id.in_(missing)))
        keys.update({pid: topic_key(name) for pid, name in rows})
    for gap, statement_place in found:
        where = {
            keys[fact_places[f]]
            for f in gap.evidence[:EVIDENCE_PER_GAP]
            if f in fact_places and fact_places[f] in keys
        }
        if statement_place is not None and statement_place in keys:
            where.add(keys[statement_place])
        for key in where:
            if key in stations:
                _add_gap(stations[key], gap)


def _count(station: Station, sentiment: str, n: int) -> None:
    if sentiment in ("pain", "delight", "neutral"):
        setattr(station, sentiment, getattr(station, sentiment) + n)


def _add_gap(station: Station, gap: Gap) -> None:
    if gap.id in station.gap_ids:
        return
    station.gap_ids.add(gap.id)
    station.gap_count += 1
    station.gaps.append(gap)


def _finish(stations: list[Station]) -> list[Station]:
    """Visit order; each station keeps its worst gaps, strongest first."""
    stations.sort(key=lambda s: (s.key == ELSEWHERE, s.position, s.name.casefold()))
    for station in stations:
        station.gaps.sort(key=lambda g: (-g.score, str(g.id)))
        del station.gaps[WORST:]
    return stations


def load_walk(walk_id: uuid.UUID) -> Walk | None:
    return db.session.scalars(
        select(Walk)
        .where(Walk.id == walk_id)
        .options(joinedload(Walk.site), joinedload(Walk.observer))
    ).one_or_none()
