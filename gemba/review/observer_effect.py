"""Announced against unannounced walks on a topic: the answer to "they only did it because
you were watching". Reads the topic's behaviour facts at its site with their walk's
`announced`, and leaves the statistics to gemba.domain.observer_effect."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import String, select, type_coerce

from gemba.domain import observer_effect
from gemba.domain.phrases import Phrase
from gemba.domain.saydo import Claim, FrequencyClaim, Observation
from gemba.extensions import db
from gemba.gaps.evidence import claim_of
from gemba.models import Fact, Statement, Walk


@dataclass(frozen=True)
class EffectView:
    """The split as a page shows it: the numbers, the readable lines, and how many facts
    sit on walks that did not record whether they were announced."""

    effect: observer_effect.ObserverEffect
    lines: list[Phrase]
    unrecorded: int

    @property
    def warns(self) -> bool:
        return self.effect.effect or self.effect.only_announced or self.effect.only_unannounced


def for_topic(topic_id: int, site_id: uuid.UUID, claim: Claim | None = None) -> EffectView | None:
    """The split of the topic's behaviour facts at the site (None when it has none)."""
    rows = db.session.execute(
        select(type_coerce(Fact.id, String), Fact.performed, Walk.announced)
        .join(Walk, Walk.id == Fact.walk_id)
        .where(
            Fact.topic_id == topic_id,
            Walk.site_id == site_id,
            Walk.calibrates_id.is_(None),  # a shadow logs the same events again
            Fact.performed.is_not(None),
        )
    ).all()
    if not rows:
        return None
    groups: dict[bool | None, list[Observation]] = {True: [], False: [], None: []}
    for fact_id, performed, announced in rows:
        groups[announced].append(Observation(fact_id, performed=performed))
    effect = observer_effect.split(claim, groups[True], groups[False])
    return EffectView(effect, observer_effect.phrased(effect), len(groups[None]))


def for_statement(statement: Statement) -> EffectView | None:
    """The split for a frequency claim's gap page; measures and plain notes have none."""
    claim = claim_of(statement)
    if not isinstance(claim, FrequencyClaim) or statement.topic_id is None:
        return None
    return for_topic(statement.topic_id, statement.site.id, claim)
