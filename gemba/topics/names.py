"""Which topic a typed name means: the topic of that name, the topic it was merged into,
or the topic it is a synonym of. The write path resolves every topic through here, so a
name an analyst folded into another topic keeps landing there. And how a topic is named
to an analyst reading in another language: its translation, with the typed name beside it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import func, select, union_all

from gemba.extensions import db
from gemba.models import Topic, TopicSynonym, TopicTranslation

# A merge re-points the topics merged earlier into its source, so one hop always suffices.
_LEADS_TO = func.coalesce(Topic.merged_into_id, Topic.id)


def resolve_keys(keys: Iterable[str]) -> Iterator[tuple[uuid.UUID, str, int]]:
    """(site, key, topic id) for every site's topic or synonym with one of these keys."""
    keys = sorted(set(keys))
    if not keys:
        return iter(())
    query = union_all(
        select(Topic.site_id, Topic.key, _LEADS_TO).where(Topic.key.in_(keys)),
        select(TopicSynonym.site_id, TopicSynonym.key, TopicSynonym.topic_id).where(
            TopicSynonym.key.in_(keys)
        ),
    )
    return iter(db.session.execute(query).all())


def resolve(site_id: uuid.UUID, key: str) -> int | None:
    """The live topic a key means at a site, or None when it names no topic yet."""
    found = db.session.scalar(select(_LEADS_TO).where(Topic.site_id == site_id, Topic.key == key))
    if found is not None:
        return found
    return db.session.scalar(
        select(TopicSynonym.topic_id).where(
            TopicSynonym.site_id == site_id, TopicSynonym.key == key
        )
    )


def live_topics(site_id: uuid.UUID) -> list[tuple[int, str]]:
    """The site's topics that records can be on (not merged away), by name."""
    return [
        (row[0], row[1])
        for row in db.session.execute(
            select(Topic.id, Topic.name)
            .where(Topic.site_id == site_id, Topic.merged_into_id.is_(None))
            .order_by(Topic.key, Topic.id)
        )
    ]


def names_by_topic(site_id: uuid.UUID) -> dict[int, list[str]]:
    """Every name that leads to each live topic: its own first, then its synonyms and the
    names of the topics merged into it (what suggestions match a typed name against)."""
    names: dict[int, list[str]] = {tid: [name] for tid, name in live_topics(site_id)}
    merged = (
        select(Topic.merged_into_id, Topic.name)
        .where(Topic.site_id == site_id, Topic.merged_into_id.is_not(None))
        .order_by(Topic.key)
    )
    synonyms = (
        select(TopicSynonym.topic_id, TopicSynonym.name)
        .where(TopicSynonym.site_id == site_id)
        .order_by(TopicSynonym.key)
    )
    for query in (synonyms, merged):
        for topic_id, name in db.session.execute(query):
            if topic_id in names:
                names[topic_id].append(name)
    return names


@dataclass(frozen=True)
class ShownName:
    """A topic's name as an analyst reading in some language sees it: the translation in
    that language first when there is one, with the typed name after it in smaller text
    ("Escaneo de tarjeta (Badge scan)"); otherwise just the typed name."""

    typed: str
    translated: str | None = None

    def __str__(self) -> str:
        return f"{self.translated} ({self.typed})" if self.translated else self.typed

    def __html__(self) -> str:
        if not self.translated:
            return str(escape(self.typed))
        return str(
            Markup('{} <small class="typed-name">({})</small>').format(self.translated, self.typed)
        )


def translated_names(topic_ids: Iterable[int], language: str) -> dict[int, str]:
    """Each topic's name in a language, for the topics that have one (one query)."""
    ids = sorted(set(topic_ids))
    if not ids:
        return {}
    query = select(TopicTranslation.topic_id, TopicTranslation.name).where(
        TopicTranslation.topic_id.in_(ids), TopicTranslation.language == language
    )
    return {topic_id: name for topic_id, name in db.session.execute(query)}


def translated_by_language(topic_id: int) -> dict[str, str]:
    """A topic's names in other languages, by language code."""
    query = select(TopicTranslation.language, TopicTranslation.name).where(
        TopicTranslation.topic_id == topic_id
    )
    return {language: name for language, name in db.session.execute(query)}


def shown_name(topic: Topic, language: str) -> ShownName:
    """How a topic is named to a reader of that language (see ShownName)."""
    return ShownName(topic.name, translated_names([topic.id], language).get(topic.id))


def shown_names(rows: Iterable[Sequence], language: str) -> dict[int, ShownName]:
    """ShownName by topic id for rows that start with a topic's id and typed name (a
    topic list's rows), with one query for all of them."""
    rows = list(rows)
    found = translated_names((row[0] for row in rows), language)
    return {row[0]: ShownName(row[1], found.get(row[0])) for row in rows}
