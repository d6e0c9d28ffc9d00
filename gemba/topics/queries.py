"""What the topic pages read: a site's likely duplicate topics, the topics one could be
merged into (most alike first), and a topic's other names and merge history.

A topic is known by every name that leads to it (its own, its synonyms, the names merged
into it), so similarity is the best score over those names: "glove use" folded into
"gloves" still makes "gloves" look like "glove usage".
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from gemba.domain import topic_similarity
from gemba.extensions import db
from gemba.models import Fact, Site, Statement, Topic, TopicMerge, TopicSynonym, User
from gemba.topics import names

PAIR_LIMIT = 100  # pairs listed on the duplicates page, best first
ALIKE = topic_similarity.RANK_THRESHOLD  # below this a target is listed without its score


@dataclass(frozen=True)
class TopicCard:
    """A live topic as the duplicates page shows it: its names and how much is on it."""

    id: int
    name: str
    other_names: list[str]
    statements: int
    facts: int

    @property
    def weight(self) -> int:
        return self.statements + self.facts


@dataclass(frozen=True)
class Pair:
    """Two topics likely the same: `source` is the one to fold into `target` by default
    (the one with less on it), so the bigger history keeps its name."""

    source: TopicCard
    target: TopicCard
    similarity: float


@dataclass(frozen=True)
class Target:
    id: int
    name: str
    similarity: float


@dataclass(frozen=True)
class MergeEntry:
    """One merge touching a topic, as its history lists it."""

    id: uuid.UUID
    source_id: int
    source: str
    target_id: int
    target: str
    counts: dict[str, int]
    similarity: float | None
    merged_by: str | None
    merged_at: datetime
    undone_by: str | None
    undone_at: datetime | None


@dataclass
class NamesPanel:
    """Everything the topic page's "Also called" part shows."""

    topic: Topic
    synonyms: list[tuple[int, str]]  # (synonym id, name)
    merged: list[tuple[int, str]]  # (topic id, name) of topics merged into this one
    history: list[MergeEntry]
    targets: list[Target] = field(default_factory=list)


def comparable(name: str) -> str:
    """The name as the similarity functions can take it: compatibility forms folded ("²"
    is "2") and any other digit that is not a decimal one dropped. topic_similarity.normalise
    reads a word of such digits as a number and int() refuses it (a ValueError), and a
    synonym or topic can be named anything."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(c for c in folded if c.isdecimal() or not c.isdigit())


def sites() -> list[tuple[uuid.UUID, str]]:
    """Every site, by name, for the site picker."""
    rows = db.session.execute(select(Site.id, Site.name).order_by(Site.name))
    return [(site_id, name) for site_id, name in rows]


def counts(topic_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(statements, facts) on each topic."""
    found = {tid: [0, 0] for tid in topic_ids}
    for index, model in enumerate((Statement, Fact)):
        rows = db.session.execute(
            select(model.topic_id, func.count())
            .where(model.topic_id.in_(topic_ids))
            .group_by(model.topic_id)
        )
        for topic_id, number in rows:
            found[topic_id][index] = number
    return {tid: (s, f) for tid, (s, f) in found.items()}


def _owners(by_topic: dict[int, list[str]]) -> dict[str, int]:
    """Each name and the topic it leads to (a name is listed once)."""
    owner: dict[str, int] = {}
    for topic_id, topic_names in by_topic.items():
        for name in topic_names:
            owner.setdefault(comparable(name), topic_id)
    return owner


def duplicates(site_id: uuid.UUID) -> list[Pair]:
    """Pairs of the site's live topics likely the same, best first, each pair once."""
    by_topic = names.names_by_topic(site_id)
    owner = _owners(by_topic)
    best: dict[tuple[int, int], float] = {}
    for a, b, score in topic_similarity.TopicIndex(list(owner)).duplicates():
        ids = tuple(sorted((owner[a], owner[b])))
        if ids[0] != ids[1]:
            best[ids] = max(best.get(ids, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: -item[1])[:PAIR_LIMIT]
    numbers = counts(sorted({tid for ids, _ in ranked for tid in ids}))
    cards = {
        tid: TopicCard(tid, by_topic[tid][0], by_topic[tid][1:], *numbers[tid]) for tid in numbers
    }
    pairs = []
    for (a, b), score in ranked:
        small, large = sorted((cards[a], cards[b]), key=lambda c: (c.weight, -c.id))
        pairs.append(Pair(small, large, score))
    pairs.sort(key=lambda p: (-p.similarity, p.target.name.casefold(), p.source.name.casefold()))
    return pairs


def _best(mine: list[str], theirs: list[str]) -> float:
    return max(
        (topic_similarity.similarity(comparable(a), comparable(b)) for a in mine for b in theirs),
        default=0.0,
    )


def targets(topic: Topic) -> list[Target]:
    """The site's other live topics, most alike to this one first, then by name."""
    by_topic = names.names_by_topic(topic.site_id)
    mine = by_topic.get(topic.id, [topic.name])
    found = [
        Target(tid, topic_names[0], _best(mine, topic_names))
        for tid, topic_names in by_topic.items()
        if tid != topic.id
    ]
    return sorted(found, key=lambda t: (-t.similarity, t.name.casefold(), t.id))


def similarity_between(source_id: int, target_id: int) -> float | None:
    """How alike two topics' names are, as a merge records it; None if either is gone."""
    source, target = db.session.get(Topic, source_id), db.session.get(Topic, target_id)
    if source is None or target is None or source.site_id != target.site_id:
        return None
    by_topic = names.names_by_topic(source.site_id)
    return _best(by_topic.get(source_id, [source.name]), by_topic.get(target_id, [target.name]))


def history(topic_id: int) -> list[MergeEntry]:
    """Every merge into or out of the topic, newest first."""
    merges = db.session.scalars(
        select(TopicMerge)
        .where(or_(TopicMerge.source_id == topic_id, TopicMerge.target_id == topic_id))
        .order_by(TopicMerge.merged_at.desc())
    ).all()
    people = {m.merged_by_id for m in merges} | {m.undone_by_id for m in merges}
    labels = {
        user.id: user.label
        for user in db.session.scalars(select(User).where(User.id.in_(people - {None})))
    }
    return [
        MergeEntry(
            id=m.id,
            source_id=m.source_id,
            source=m.source.name,
            target_id=m.target_id,
            target=m.target.name,
            counts={kind: len(ids) for kind, ids in (m.moved or {}).items()},
            similarity=m.similarity,
            merged_by=labels.get(m.merged_by_id),
            merged_at=m.merged_at,
            undone_by=labels.get(m.undone_by_id),
            undone_at=m.undone_at,
        )
        for m in merges
    ]


def names_panel(topic: Topic, with_targets: bool = True) -> NamesPanel:
    """The topic's synonyms, the topics merged into it, its merges, and (for analysts)
    the topics it could be merged into."""
    synonyms = db.session.execute(
        select(TopicSynonym.id, TopicSynonym.name)
        .where(TopicSynonym.topic_id == topic.id)
        .order_by(TopicSynonym.key)
    ).all()
    merged = db.session.execute(
        select(Topic.id, Topic.name).where(Topic.merged_into_id == topic.id).order_by(Topic.key)
    ).all()
    return NamesPanel(
        topic=topic,
        synonyms=[tuple(row) for row in synonyms],
        merged=[tuple(row) for row in merged],
        history=history(topic.id),
        targets=targets(topic) if with_targets else [],
    )
