"""The evidence behind a statement, judged again for the analyst: how, and whether it still holds.

The gaps table stores the verdict the engine reached; the analyst pages load the same
facts the engine counts (its topic at its site, and the facts observers linked by hand)
and call the same pure `saydo.judge`, so the numbers shown are the numbers used. The
loop-closing check judges only the evidence observed since an action was decided.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from gemba.domain.saydo import (
    FrequencyClaim,
    ManualLink,
    MeasureClaim,
    Observation,
    Verdict,
    judge,
    voiced,
)
from gemba.extensions import db
from gemba.models import Contradiction, Fact, Place, Statement, Topic, Walk

_CHUNK = 500  # ids per IN (...) list


@dataclass
class StatementEvidence:
    """Every fact on the statement's topic at its site, the manual links, and the verdict."""

    statement: Statement
    facts: list[Fact]  # oldest first; notes included (they say nothing to the claim)
    links: list[Contradiction]
    verdict: Verdict | None
    contradicting: set[str] = field(default_factory=set)  # fact ids that contradict now

    @property
    def contradicting_facts(self) -> list[Fact]:
        """Facts on the topic that contradict the claim, except those linked by hand."""
        linked = {link.fact_id for link in self.links}
        return [f for f in self.facts if str(f.id) in self.contradicting and f.id not in linked]

    @property
    def counted(self) -> list[Fact]:
        """The facts the claim can speak to: behaviours for frequency, values for measures."""
        claim = claim_of(self.statement)
        if isinstance(claim, FrequencyClaim):
            return [f for f in self.facts if f.performed is not None]
        if isinstance(claim, MeasureClaim):
            return [f for f in self.facts if f.value is not None]
        return []


@dataclass(frozen=True)
class LoopStatus:
    """What the evidence since an action says about one statement."""

    state: str  # "closed" (no longer contradicted), "open" (still contradicted), "waiting"
    since: datetime
    verdict: Verdict | None
    observed: int
    facts: list[str] = field(default_factory=list)  # the facts judged, oldest first


def claim_of(statement: Statement) -> FrequencyClaim | MeasureClaim | None:
    """The statement's claim as the domain type judge() takes."""
    if statement.claim_frequency:
        return FrequencyClaim(statement.claim_frequency)
    if statement.claim_value is not None:
        return MeasureClaim(
            statement.claim_value,
            statement.claim_unit,
            statement.claim_tolerance,
            statement.claim_comparator,
        )
    return None


def load_for_statements(statements: Sequence[Statement]) -> dict[uuid.UUID, StatementEvidence]:
    """Evidence and current verdict for each statement, in two queries whatever the count."""
    facts_by_topic = _facts_on_topics(_evidence_topics(statements))
    links = _links(statements)
    out = {}
    for statement in statements:
        topic_facts = facts_by_topic.get(_evidence_topic(statement), [])
        statement_links = links.get(statement.id, [])
        verdict = judge_facts(statement, topic_facts, statement_links)
        out[statement.id] = StatementEvidence(
            statement=statement,
            facts=topic_facts,
            links=statement_links,
            verdict=verdict,
            contradicting=set(verdict.evidence) if verdict and verdict.contradicted else set(),
        )
    return out


@dataclass
class GapEvidence:
    """The contradicting facts a report shows for one gap, with observers' notes."""

    facts: list[tuple[EvidenceFact, str | None]]  # (fact, note of its manual link or None)
    total: int  # contradicting facts in all
    on_walk: int  # of those, how many were seen on the walk the report is about


@dataclass(frozen=True, slots=True)
class Named:
    """The one attribute of a place (its name) or a walk (its title) that a fact line shows."""

    name: str | None = None
    title: str | None = None


@dataclass(slots=True)
class EvidenceFact:
    """A contradicting fact as a report lists it: the columns `_fact.html` reads."""

    id: uuid.UUID
    walk_id: uuid.UUID
    text: str
    performed: bool | None
    value: float | None
    unit: str | None
    sentiment: str | None
    observed_at: datetime
    place: Named | None
    walk: Named


def contradicting_facts(
    gaps: Sequence, walk_id: uuid.UUID, walk_fact_ids: set[str], per_gap: int = 10
) -> dict[uuid.UUID, GapEvidence]:
    """Up to `per_gap` contradicting facts per gap, read as the few columns a report shows
    (two queries per 500 facts) rather than as mapped facts.

    For a gap of the walk's own statement any contradicting fact is shown; for a gap
    the walk only adds evidence to, the walk's own facts are.
    """
    wanted: dict[uuid.UUID, list[str]] = {}
    for gap in gaps:
        ids = gap.evidence or []
        if gap.walk_id != walk_id:
            ids = [i for i in ids if i in walk_fact_ids]
        wanted[gap.id] = ids[: per_gap * 3]  # some may be deleted meanwhile; keep spares
    all_ids = [uuid.UUID(i) for i in {i for ids in wanted.values() for i in ids}]
    facts: dict[str, EvidenceFact] = {}
    places: dict[str, Named] = {}
    walks: dict[uuid.UUID, Named] = {}
    query = (
        select(
            Fact.id, Fact.walk_id, Fact.text, Fact.performed, Fact.value, Fact.unit,
            Fact.sentiment, Fact.observed_at, Place.name, Walk.title,
        )
        .join(Walk, Walk.id == Fact.walk_id)
        .outerjoin(Place, Place.id == Fact.place_id)
    )  # fmt: skip
    for start in range(0, len(all_ids), _CHUNK):
        rows = db.session.execute(query.where(Fact.id.in_(all_ids[start : start + _CHUNK])))
        for fid, fwalk, text, performed, value, unit, sentiment, at, place, title in rows:
            named_place = None
            if place is not None:
                named_place = places.get(place) or places.setdefault(place, Named(name=place))
            named_walk = walks.get(fwalk) or walks.setdefault(fwalk, Named(title=title))
            facts[str(fid)] = EvidenceFact(
                fid, fwalk, text, performed, value, unit, sentiment, at, named_place, named_walk
            )
    notes: dict[tuple[uuid.UUID, str], str | None] = {}
    statement_ids = sorted({gap.statement_id for gap in gaps})
    for start in range(0, len(statement_ids), _CHUNK):
        rows = db.session.execute(
            select(Contradiction.statement_id, Contradiction.fact_id, Contradiction.note).where(
                Contradiction.statement_id.in_(statement_ids[start : start + _CHUNK])
            )
        )
        notes.update({(sid, str(fid)): note or "" for sid, fid, note in rows})
    out = {}
    for gap in gaps:
        found = [facts[i] for i in wanted[gap.id] if i in facts]
        found.sort(key=lambda f: (f.observed_at, str(f.id)))
        shown = [(f, notes.get((gap.statement_id, str(f.id)))) for f in found[:per_gap]]
        evidence = gap.evidence or []
        out[gap.id] = GapEvidence(
            facts=shown,
            total=len(evidence),
            on_walk=sum(1 for i in evidence if i in walk_fact_ids),
        )
    return out


def judge_facts(
    statement: Statement, facts: Iterable[Fact], links: Iterable[Contradiction] = ()
) -> Verdict | None:
    """Judge the statement's claim against these facts and links, as the engine does."""
    observations = [
        Observation(str(f.id), f.performed, f.value, f.unit)
        for f in facts
        if f.performed is not None or f.value is not None
    ]
    manual = [ManualLink(str(link.fact_id), link.note) for link in links]
    verdict = judge(claim_of(statement), observations, manual)
    if verdict is None or statement.plan_item_id is None:
        return verdict
    return voiced(statement.plan_item.reference or "", verdict)


def loop_status(evidence: StatementEvidence, since: datetime) -> LoopStatus:
    """Judge only what was observed since `since`: does the statement still fail?"""
    return _judged(evidence, since, lambda moment: moment >= since)


def before_status(evidence: StatementEvidence, until: datetime) -> LoopStatus:
    """Judge only what was observed before `until` (an action took effect then)."""
    return _judged(evidence, until, lambda moment: moment < until)


def _judged(evidence: StatementEvidence, at: datetime, keep) -> LoopStatus:
    facts = [f for f in evidence.facts if keep(f.observed_at)]
    links = [link for link in evidence.links if keep(link.fact.observed_at)]
    verdict = judge_facts(evidence.statement, facts, links)
    if verdict is None:
        return LoopStatus("waiting", at, None, 0)
    state = "open" if verdict.contradicted else "closed"
    return LoopStatus(state, at, verdict, verdict.observed, [str(f.id) for f in facts])


def _evidence_topic(statement: Statement) -> int | None:
    """The topic whose facts count: the statement's own, if it belongs to the same site."""
    topic = statement.topic
    if topic is None or topic.site_id != statement.site.id:
        return None
    return topic.id


def _evidence_topics(statements: Iterable[Statement]) -> set[int]:
    return {t for s in statements if (t := _evidence_topic(s)) is not None}


def _facts_on_topics(topic_ids: set[int]) -> dict[int, list[Fact]]:
    """Facts on the topics whose walk is at the topic's site (another site never counts)."""
    if not topic_ids:
        return {}
    rows = db.session.scalars(
        select(Fact)
        .join(Walk, Walk.id == Fact.walk_id)
        .join(Topic, Topic.id == Fact.topic_id)
        .where(
            Fact.topic_id.in_(sorted(topic_ids)),
            Topic.site_id == Walk.site_id,
            Walk.calibrates_id.is_(None),  # a shadow's facts count for agreement only
        )
        .options(joinedload(Fact.walk), joinedload(Fact.place), joinedload(Fact.persona))
        .order_by(Fact.observed_at, Fact.id)
    )
    out: dict[int, list[Fact]] = {}
    for fact in rows:
        out.setdefault(fact.topic_id, []).append(fact)
    return out


def _links(statements: Sequence[Statement]) -> dict[uuid.UUID, list[Contradiction]]:
    """Manual links to the statements from facts of walks at the same site."""
    if not statements:
        return {}
    site_of = {s.id: s.site.id for s in statements}
    rows = db.session.scalars(
        select(Contradiction)
        .join(Fact, Fact.id == Contradiction.fact_id)
        .where(Contradiction.statement_id.in_(list(site_of)))
        .options(
            joinedload(Contradiction.fact).options(
                joinedload(Fact.walk), joinedload(Fact.place), joinedload(Fact.persona)
            )
        )
        .order_by(Contradiction.created_at)
    )
    out: dict[uuid.UUID, list[Contradiction]] = {}
    for link in rows:
        if link.fact.walk.site_id == site_of[link.statement_id]:
            out.setdefault(link.statement_id, []).append(link)
    return out
