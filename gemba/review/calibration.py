"""The calibration page's reads: the calibration walks (a walk and the walks that shadow
it), their behaviour facts, and the agreement gemba.domain.calibration computes from them,
with the names a page shows."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select

from gemba.domain import agreement as agreement_text
from gemba.domain.agreement import Agreement
from gemba.domain.calibration import Calibration, CheckedFact, compare
from gemba.extensions import db
from gemba.models import Fact, Place, Topic, User, Walk, topic_key


@dataclass
class CalibrationPage:
    calibration: Calibration
    walks: dict[uuid.UUID, Walk]
    groups: list[list[Walk]]  # the shadowed walk first, then its shadows by start
    observers: dict[int, str]
    topics: dict[int, str]
    places: dict[str, str]  # a place's name as most of its facts spell it, by matching key

    def describe(self, agreement: Agreement) -> str:
        return agreement_text.describe(agreement)

    def pair_rows(self) -> list[tuple[str, None, Agreement]]:
        """Each observer pair's agreement, named by their user names."""
        return [
            (f"{self.observers.get(a, '?')} & {self.observers.get(b, '?')}", None, agreement)
            for (a, b), agreement in self.calibration.by_pair.items()
        ]

    def topic_rows(self) -> list[tuple[str, int, Agreement]]:
        """Each topic's agreement, with the topic's id for its link."""
        return [
            (self.topics.get(topic, "?"), topic, agreement)
            for topic, agreement in self.calibration.by_topic.items()
        ]


def calibration_page(site_id: uuid.UUID | None) -> CalibrationPage:
    """Every calibration group (at one site, if given) and the agreement within them."""
    shadowed = select(Walk.calibrates_id).where(Walk.calibrates_id.is_not(None))
    query = select(Walk).where(or_(Walk.id.in_(shadowed), Walk.calibrates_id.is_not(None)))
    if site_id is not None:
        query = query.where(Walk.site_id == site_id)
    walks = {w.id: w for w in db.session.scalars(query.order_by(Walk.started_at, Walk.id))}
    groups: dict[uuid.UUID, list[Walk]] = {}
    for walk in walks.values():
        root = walk.calibrates_id or walk.id
        if root in walks:
            groups.setdefault(root, []).append(walk)
    ordered = [
        sorted(g, key=lambda w: (w.calibrates_id is not None, w.started_at))
        for g in groups.values()
    ]
    ordered = [g for g in ordered if len(g) > 1]
    facts, places = _facts([w.id for g in ordered for w in g])
    by_walk: dict[uuid.UUID, list[CheckedFact]] = {}
    for fact in facts:
        by_walk.setdefault(fact.walk, []).append(fact)
    calibration = compare([f for w in g for f in by_walk.get(w.id, [])] for g in ordered)
    return CalibrationPage(
        calibration=calibration,
        walks=walks,
        groups=sorted(ordered, key=lambda g: g[0].started_at, reverse=True),
        observers=_observers({w.observer_id for g in ordered for w in g}),
        topics=_topics({f.topic for f in facts}),
        places=places,
    )


def _facts(walk_ids: list[uuid.UUID]) -> tuple[list[CheckedFact], dict[str, str]]:
    """The behaviour facts of these walks, and the places' names by matching key."""
    if not walk_ids:
        return [], {}
    rows = db.session.execute(
        select(
            Fact.walk_id,
            Walk.observer_id,
            Fact.topic_id,
            Place.name,
            Fact.observed_at,
            Fact.performed,
        )
        .join(Walk, Walk.id == Fact.walk_id)
        .outerjoin(Place, Place.id == Fact.place_id)
        .where(Fact.walk_id.in_(walk_ids), Fact.performed.is_not(None), Fact.topic_id.is_not(None))
    )
    facts, spellings = [], defaultdict(Counter)
    for walk, observer, topic, place, at, performed in rows:
        key = topic_key(place or "")
        spellings[key][" ".join((place or "").split())] += 1
        facts.append(CheckedFact(walk, observer, topic, key, at, performed))
    # A place is shown as most of its facts spell it (ties: the first in sort order).
    places = {key: min(c, key=lambda name: (-c[name], name)) for key, c in spellings.items()}
    return facts, places


def _observers(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.email).where(User.id.in_(sorted(ids))))
    return {uid: email.split("@", 1)[0] for uid, email in rows}


def _topics(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Topic.id, Topic.name).where(Topic.id.in_(sorted(ids)))).all()
    )
