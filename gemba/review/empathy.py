"""Read side of the persona pages: the personas of a site and each one's empathy map.

An empathy map sets what a persona says (statements) beside what they do (facts),
what they feel (pain and delight facts) and what the analysts think (persona notes),
so a say-vs-do gap shows up as two quadrants that disagree. Each quadrant is one
query, newest first; says, does and feels stop at MAP_LIMIT items.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gemba.extensions import db
from gemba.models import Fact, Gap, Persona, PersonaNote, Site, Statement

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
