"""Read side of the cross-walk views: topics, personas, experience maps and walk reports.

Like `gemba.review.queries`, each page's data comes in a fixed number of queries.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from gemba.domain.saydo import DEFAULT_TOLERANCE, FREQUENCY_BANDS, FREQUENCY_WORDS, wilson_interval
from gemba.domain.units import (
    IncompatibleUnits,
    canonical_unit,
    convert,
    format_number,
    format_quantity,
)
from gemba.extensions import db
from gemba.gaps import evidence as evidence_mod
from gemba.models import (
    Action,
    Fact,
    Gap,
    Persona,
    PersonaNote,
    Photo,
    Place,
    Site,
    Statement,
    Thing,
    Topic,
    Walk,
    action_gaps,
    topic_key,
)
from gemba.review import charts
from gemba.review.queries import PER_PAGE, STATUS_ORDER, gap_options, photos_for

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
    ).join(Site, Site.id == Topic.site_id)  # fmt: skip
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
            .join(Walk, Walk.id == Statement.walk_id)
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


# -- personas -----------------------------------------------------------------------------

MAP_LIMIT = 200  # items per quadrant of an empathy map


@dataclass
class EmpathyMap:
    persona: Persona
    says: list[Statement]
    does: list[Fact]
    feels: list[Fact]
    thinks: list[PersonaNote]
    gaps: dict[uuid.UUID, Gap]  # by statement id
    feel_counts: Counter


def personas(site_id: uuid.UUID | None) -> list[tuple[Persona, str, int, int]]:
    """Personas with their site's name and how many statements and facts name them."""
    said = (
        select(func.count())
        .where(Statement.persona_id == Persona.id)
        .correlate(Persona)
        .scalar_subquery()
    )
    done = select(func.count()).where(Fact.persona_id == Persona.id).correlate(Persona)
    query = (
        select(Persona, Site.name, said, done.scalar_subquery())
        .join(Site, Site.id == Persona.site_id)
        .order_by(Site.name, Persona.name)
    )
    if site_id:
        query = query.where(Persona.site_id == site_id)
    return [tuple(row) for row in db.session.execute(query)]


def empathy_map(persona: Persona) -> EmpathyMap:
    """Says, Does, Feels and Thinks for one persona, newest first."""
    says = list(
        db.session.scalars(
            select(Statement)
            .where(Statement.persona_id == persona.id)
            .options(joinedload(Statement.topic), joinedload(Statement.walk))
            .order_by(Statement.observed_at.desc())
            .limit(MAP_LIMIT)
        )
    )
    facts = select(Fact).where(Fact.persona_id == persona.id)
    options = (joinedload(Fact.topic), joinedload(Fact.walk), joinedload(Fact.place))
    does = list(
        db.session.scalars(
            facts.options(*options).order_by(Fact.observed_at.desc()).limit(MAP_LIMIT)
        )
    )
    feeling = Fact.sentiment.in_(["pain", "delight"])
    feels = list(
        db.session.scalars(
            facts.where(feeling)
            .options(*options)
            .order_by(Fact.observed_at.desc())
            .limit(MAP_LIMIT)
        )
    )
    counts = Counter(
        dict(
            db.session.execute(
                select(Fact.sentiment, func.count())
                .where(Fact.persona_id == persona.id, feeling)
                .group_by(Fact.sentiment)
            ).all()
        )
    )
    thinks = list(
        db.session.scalars(
            select(PersonaNote)
            .where(PersonaNote.persona_id == persona.id)
            .options(joinedload(PersonaNote.author))
            .order_by(PersonaNote.created_at.desc())
        )
    )
    gaps = {}
    if says:
        gaps = {
            gap.statement_id: gap
            for gap in db.session.scalars(
                select(Gap).where(Gap.statement_id.in_([s.id for s in says]))
            )
        }
    return EmpathyMap(persona, says, does, feels, thinks, gaps, counts)


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

    @property
    def numbers(self) -> dict[uuid.UUID, int]:
        """Gap id -> its number in the report (1 = strongest)."""
        return {gap.id: i for i, gap in enumerate(self.gaps, start=1)}


def walk_gaps(walk: Walk) -> tuple[list[Gap], set[str]]:
    """Gaps of the walk's statements, and contradicted gaps its facts are evidence for.

    Returns the gaps, strongest first, and the ids of the walk's facts. Candidates are
    read as plain rows first; only the gaps kept are loaded with their statements.
    """
    own_topics = select(Fact.topic_id).where(Fact.walk_id == walk.id, Fact.topic_id.is_not(None))
    candidates = db.session.execute(
        select(Gap.id, Gap.walk_id, Gap.evidence).where(
            Gap.site_id == walk.site_id,
            or_(
                Gap.walk_id == walk.id,
                Gap.contradicted.is_(True) & Gap.topic_id.in_(own_topics),
            ),
        )
    ).all()
    fact_ids = {str(i) for i in db.session.scalars(select(Fact.id).where(Fact.walk_id == walk.id))}
    keep = [
        gap_id
        for gap_id, walk_id, evidence in candidates
        if walk_id == walk.id or fact_ids.intersection(evidence)
    ]
    gaps: list[Gap] = []
    for start in range(0, len(keep), CHUNK):
        gaps += db.session.scalars(
            select(Gap)
            .where(Gap.id.in_(keep[start : start + CHUNK]))
            .options(*gap_options(), joinedload(Gap.triaged_by))
        ).unique()
    gaps.sort(key=lambda g: (-g.score, str(g.id)))
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


# -- topic charts ----------------------------------------------------------------------------


@dataclass
class TopicChart:
    """One chart of a topic and the same numbers as table rows."""

    kind: str  # "rate" or "values"
    svg: Markup  # drawn for a laptop screen
    narrow: Markup  # the same, drawn for a phone
    rows: list[dict]
    unit: str | None = None
    excluded: int = 0


def topic_charts(detail: TopicDetail) -> list[TopicChart]:
    """Observed rate per walk for behaviours, measured values for measurements."""
    charts = []
    behaviours = [f for f in detail.facts if f.performed is not None]
    words = sorted(
        {s.claim_frequency for s in detail.statements if s.claim_frequency},
        key=FREQUENCY_WORDS.index,
    )
    if behaviours or words:
        charts.append(_rate_chart(detail.topic.name, behaviours, words))
    measured = [f for f in detail.facts if f.value is not None]
    claims = [s for s in detail.statements if s.claim_value is not None and not s.claim_frequency]
    if measured or claims:
        charts.append(_value_chart(detail.topic.name, measured, claims))
    return charts


def _rate_chart(topic: str, facts: list[Fact], words: list[str]) -> TopicChart:
    per_walk: dict[uuid.UUID, list[Fact]] = {}
    for fact in facts:
        per_walk.setdefault(fact.walk_id, []).append(fact)
    points = []
    for walk_facts in sorted(
        per_walk.values(), key=lambda fs: (fs[0].walk.started_at, fs[0].walk_id)
    ):
        k, n = sum(1 for f in walk_facts if f.performed), len(walk_facts)
        low, high = wilson_interval(k, n)
        walk = walk_facts[0].walk
        points.append(charts.RatePoint(walk.title, walk.started_at, k, n, low, high))
    bands = []
    for word in words:
        low, high = FREQUENCY_BANDS[word]
        span = charts.pct(low) if low == high else f"{charts.pct(low)}–{charts.pct(high)}"
        bands.append(charts.Band(f"said “{word}”", low, high, detail=span))
    rows = [
        {
            "walk": p.label,
            "date": p.at,
            "k": p.k,
            "n": p.n,
            "rate": charts.pct(p.rate),
            "ci": f"{charts.pct(p.low)}–{charts.pct(p.high)}",
        }
        for p in points
    ]
    return TopicChart(
        "rate",
        charts.rate_chart("chart-rate", points, bands, topic),
        charts.rate_chart("chart-rate-narrow", points, bands, topic, narrow=True),
        rows,
    )


def _value_chart(topic: str, facts: list[Fact], claims: list[Statement]) -> TopicChart:
    if claims:
        unit = canonical_unit(claims[0].claim_unit) or "count"
    else:
        unit = Counter(canonical_unit(f.unit) or "count" for f in facts).most_common(1)[0][0]
    points, rows, excluded = [], [], 0
    for fact in facts:
        try:
            value = float(convert(fact.value, fact.unit, unit))
        except IncompatibleUnits:
            excluded += 1
            continue
        points.append(charts.ValuePoint(fact.text, fact.observed_at, value))
        rows.append(
            {
                "date": fact.observed_at,
                "text": fact.text,
                "as_logged": format_quantity(fact.value, fact.unit),
                "value": format_number(value),
                "walk": fact.walk.title,
            }
        )
    bands, seen = [], set()
    for claim in claims:
        band = _claim_band(claim, unit)
        if band is not None and band.label not in seen:
            seen.add(band.label)
            bands.append(band)
    svg = charts.value_chart("chart-values", points, bands, unit, topic)
    narrow = charts.value_chart("chart-values-narrow", points, bands, unit, topic, narrow=True)
    return TopicChart("values", svg, narrow, rows, unit, excluded)


def _claim_band(statement: Statement, unit: str) -> charts.Band | None:
    """A measure claim as a band (value ± tolerance) or a limit, in the chart's unit."""
    try:
        value = float(convert(statement.claim_value, statement.claim_unit, unit))
    except IncompatibleUnits:
        return None
    said = format_quantity(statement.claim_value, statement.claim_unit)
    if statement.claim_comparator:
        tolerance = statement.claim_tolerance or 0.0
        symbol = "≤" if statement.claim_comparator == "<=" else "≥"
        sign = 1 if statement.claim_comparator == "<=" else -1
        limit = value + sign * abs(value) * tolerance
        return charts.Band(
            f"said {symbol} {said}",
            limit,
            limit,
            bound=statement.claim_comparator,
            detail=f"limit {format_number(limit)} {unit}",
        )
    tolerance = (
        DEFAULT_TOLERANCE if statement.claim_tolerance is None else statement.claim_tolerance
    )
    half = abs(value) * tolerance
    return charts.Band(
        f"said {said} ±{format_number(tolerance * 100)}%",
        value - half,
        value + half,
        detail=f"{format_number(value - half)}–{format_number(value + half)} {unit}",
    )
