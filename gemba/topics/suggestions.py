"""Which of a site's topics a typed name probably means, best first.

Every name that leads to a topic counts (its own, its synonyms, the names merged into it),
and a topic is offered once, under its own name, with the best score of its names. The
site's index of stemmed names is built per request: a site has hundreds of topics, and
stemming is cached across requests by the domain module.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gemba.domain import topic_similarity
from gemba.topics import names

LIMIT = 8


@dataclass(frozen=True)
class TopicSuggestion:
    id: int
    name: str
    similarity: float

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "similarity": round(self.similarity, 1)}


def suggest(site_id: uuid.UUID, typed: str, limit: int = LIMIT) -> list[TopicSuggestion]:
    """The site's live topics most like the typed name (none for a blank one)."""
    if not typed or not typed.strip():
        return []
    by_topic = names.names_by_topic(site_id)
    owner: dict[str, int] = {}
    for topic_id, topic_names in by_topic.items():
        for name in topic_names:
            owner.setdefault(name, topic_id)
    best: dict[int, float] = {}
    for name, score in topic_similarity.rank(typed, list(owner), limit=limit * 3):
        topic_id = owner[name]
        best[topic_id] = max(best.get(topic_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], by_topic[item[0]][0].casefold()))
    return [TopicSuggestion(tid, by_topic[tid][0], score) for tid, score in ranked[:limit]]
