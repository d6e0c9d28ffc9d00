"""Read side of the cross-walk views: topics across walks, and walk reports.

Like `gemba.review.queries`, each page's data comes in a fixed number of queries.
A topic's page lists every statement and fact on it at its site (its charts are drawn
by `topic_charts`); a walk's report gathers its gaps, the evidence for them and the
actions decided from them. Personas and their empathy maps read through `empathy`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from gemba.extensions import db
from gemba.gaps import evidence as evidence_mod
from gemba.models import (
    Action,
    Fact,
    Gap,
    Photo,
    Place,
    Site,
    Statement,
    Thing,
    Topic,
    Walk,
    action_gaps,
    gap_evidence,
    topic_key,
)
from gemba.review.queries import PER_PAGE, STATUS_ORDER, photos_for

FACT_LIMIT = 500  # facts listed on a topic page; the chart uses them all
CHUNK = 500  # ids per IN (...) list


# -- topics -------------------------------------------------------------------------------


def topics_page(site_id: uuid.UUID | None, search: str | None, sort: str, page: int):
    """Topics with their numbers of statements, facts and open gaps, paginated."""
    statements = (
        select(func.count())
        .where(Statement.topic_id == Topic.id)
        .correlate(Topic)
        .scalar_subquery()
    )
    facts = select(func.count()).where(Fact.topic_id == Topic.id).correlate(Topic).scalar_subquery()
    gaps = (
        select(func.count())
        .where(Gap.topic_id == Topic.id, Gap.contradicted.is_(True))
        .correlate(Topic)
        .scalar_subquery()
    )
    query = select(
        Topic.id, Topic.name, Site.name, statements.label("statements"), facts.label("facts"),
        gaps.label("gaps"),
    ).join(Site, Site.id == Topic.site_id).where(Topic.merged_into_id.is_(None))  # fmt: skip
    if site_id:
        query = query.where(Topic.site_id == site_id)
    if search:
        query = query.where(Topic.key.contains(topic_key(search), autoescape=True))
    order = (gaps.desc(), Topic.key) if sort == "gaps" else (Topic.key, Topic.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return rows, total


@dataclass
class TopicDetail:
    topic: Topic
    site: Site
    statements: list[Statement]
    gaps: dict[uuid.UUID, Gap]  # by statement id
    facts: list[Fact]  # oldest first, all of them (the chart reads these)
    fact_total: int
    photos: dict[uuid.UUID, list[Photo]] = field(default_factory=dict)

    @property
    def listed_facts(self) -> list[Fact]:
        """The newest facts, as many as the page lists."""
        return list(reversed(self.facts[-FACT_LIMIT:]))


def topic_detail(topic: Topic) -> TopicDetail:
    """Every statement and fact on a topic across the walks at its site."""
    statements = list(
        db.session.scalars(
            select(Statement)
            .outerjoin(Walk, Walk.id == Statement.walk_id)
            .where(Statement.topic_id == topic.id)
            .options(
                contains_eager(Statement.walk),
                joinedload(Statement.persona),
                joinedload(Statement.place),
            )
            .order_by(Statement.observed_at, Statement.id)
        )
    )
    gaps = {
        gap.statement_id: gap
        for gap in db.session.scalars(select(Gap).where(Gap.topic_id == topic.id))
    }
    facts = list(
        db.session.scalars(
            select(Fact)
            .join(Walk, Walk.id == Fact.walk_id)
            .where(Fact.topic_id == topic.id, Walk.site_id == topic.site_id)
            .options(contains_eager(Fact.walk), joinedload(Fact.place), joinedload(Fact.persona))
            .order_by(Fact.observed_at, Fact.id)
        )
    )
    return TopicDetail(
        topic=topic,
        site=db.session.get(Site, topic.site_id),
        statements=statements,
        gaps=gaps,
        facts=facts,
        fact_total=len(facts),
    )


# -- walks, reports ------------------------------------------------------------------------


def walks_page(site_id: uuid.UUID | None, page: int):
    """Walks, newest first, with their number of contradicted gaps."""
    gaps = (
        select(func.count())
        .where(Gap.walk_id == Walk.id, Gap.contradicted.is_(True))
        .correlate(Walk)
        .scalar_subquery()
    )
    query = (
        select(Walk, gaps.label("gaps"))
        .options(joinedload(Walk.site), joinedload(Walk.observer))
        .order_by(Walk.started_at.desc(), Walk.id)
    )
    if site_id:
        query = query.where(Walk.site_id == site_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return rows, total


@dataclass
class WalkReport:
    walk: Walk
    counts: dict[str, int]
    sentiment: Counter
    gaps: list[Gap]
    evidence: dict[uuid.UUID, evidence_mod.GapEvidence]  # by gap id
    actions: list[Action]
    photos: dict[uuid.UUID, list[Photo]]
    status_counts: Counter

    @cached_property
    def numbers(self) -> dict[uuid.UUID, int]:
        """Gap id -> its number in the report (1 = strongest)."""
        return {gap.id: i for i, gap in enumerate(self.gaps, start=1)}


def walk_gaps(walk: Walk) -> tuple[list[Gap], set[str]]:
    """Gaps of the walk's statements, and contradicted gaps its facts are evidence for.

    Returns the gaps, strongest first, and the ids of the walk's facts. The gaps a walk
    adds evidence to are found in SQL through `gap_evidence` (the rows of each gap's
    evidence list), so no evidence list is read to choose them.
    """
    own_topics = select(Fact.topic_id).where(Fact.walk_id == walk.id, Fact.topic_id.is_not(None))
    cited = select(gap_evidence.c.gap_id).where(gap_evidence.c.walk_id == walk.id)
    gaps = list(
        db.session.scalars(
            select(Gap)
            .where(
                Gap.site_id == walk.site_id,
                or_(
                    Gap.walk_id == walk.id,
                    Gap.contradicted.is_(True) & Gap.topic_id.in_(own_topics) & Gap.id.in_(cited),
                ),
            )
            .options(
                joinedload(Gap.statement, innerjoin=True).joinedload(Statement.topic),
                joinedload(Gap.triaged_by),
            )
        ).unique()
    )
    gaps.sort(key=lambda g: (-g.score, str(g.id)))
    fact_ids = {str(i) for i in db.session.scalars(select(Fact.id).where(Fact.walk_id == walk.id))}
    return gaps, fact_ids


def _in_status_order(counts: Counter) -> Counter:
    """The same counts, iterating in the inbox's status order."""
    return Counter({s.value: counts[s.value] for s in STATUS_ORDER if counts[s.value]})


def walk_report(walk: Walk) -> WalkReport:
    """Summary, gaps with their evidence, and the actions decided from them."""
    kinds = {
        name: db.session.scalar(select(func.count()).where(model.walk_id == walk.id)) or 0
        for model, name in (
            (Place, "place"),
            (Thing, "thing"),
            (Fact, "fact"),
            (Statement, "statement"),
        )
    }
    sentiment = Counter(
        dict(
            db.session.execute(
                select(Fact.sentiment, func.count())
                .where(Fact.walk_id == walk.id, Fact.sentiment.is_not(None))
                .group_by(Fact.sentiment)
            ).all()
        )
    )
    gaps, fact_ids = walk_gaps(walk)
    found = evidence_mod.contradicting_facts(gaps, walk.id, fact_ids)
    actions: list[Action] = []
    if gaps:
        ids = [g.id for g in gaps]
        linked = or_(
            *(
                action_gaps.c.gap_id.in_(ids[start : start + CHUNK])
                for start in range(0, len(ids), CHUNK)
            )
        )
        actions = list(
            db.session.scalars(
                select(Action)
                .where(Action.id.in_(select(action_gaps.c.action_id).where(linked)))
                .options(joinedload(Action.owner), selectinload(Action.gaps))
                .order_by(Action.due_date.is_(None), Action.due_date, Action.created_at)
            )
        )
    shown = [fact.id for e in found.values() for fact, _ in e.facts]
    return WalkReport(
        walk=walk,
        counts=kinds,
        sentiment=sentiment,
        gaps=gaps,
        evidence=found,
        actions=actions,
        photos=photos_for(shown, [g.statement_id for g in gaps]),
        status_counts=_in_status_order(Counter(g.status for g in gaps)),
    )
