"""Merging topics, undoing a merge, and naming a topic's synonyms.

A merge moves every statement, fact and plan item of one topic (the source) to another
(the target) and re-judges both topics' claims in the same transaction, so the gaps an
analyst sees after the merge are the gaps of the merged evidence. The source is kept, led
to its target (`Topic.merged_into_id`), so a phone that still types its name lands on the
target; what moved is written down (`TopicMerge.moved`) and an undo moves exactly that
back. Both are on the audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.gaps import verification
from gemba.models import (
    AuditEvent,
    Fact,
    PlanItem,
    Statement,
    Topic,
    TopicMerge,
    TopicSynonym,
    TopicTranslation,
    User,
    topic_key,
    utcnow,
)
from gemba.platform.database import transaction
from gemba.topics import names, translations

# What moves with a topic: (key in TopicMerge.moved, model, its topic column's name).
_MOVING = (
    ("statements", Statement, "topic_id"),
    ("facts", Fact, "topic_id"),
    ("plan_items", PlanItem, "topic_id"),
    ("synonyms", TopicSynonym, "topic_id"),
    ("topics", Topic, "merged_into_id"),
)
# Translations move only where the target has none in their language (translations.move);
# an undo moves back those that moved, like the rest.
_MOVED_BACK = (*_MOVING, ("translations", TopicTranslation, "topic_id"))


class MergeRefused(ValueError):
    """A merge, undo or synonym the data does not allow; the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MergeResult:
    merge: TopicMerge
    moved: dict[str, int]  # how many of each kind moved
    gaps_changed: int


def merge(
    actor: User, source_id: int, target_id: int, similarity: float | None = None
) -> MergeResult:
    """Fold the source topic into the target, in one transaction."""
    with transaction():
        source, target = _live(source_id, "source"), _live(target_id, "target")
        if source.id == target.id:
            raise MergeRefused("target", "Choose another topic to merge into.")
        if source.site_id != target.site_id:
            raise MergeRefused("target", "Topics of different sites cannot be merged.")
        moved = {
            kind: _move(model, column, source.id, target.id) for kind, model, column in _MOVING
        }
        moved["translations"] = translations.move(source.id, target.id)
        source.merged_into_id = target.id
        record = TopicMerge(
            site_id=source.site_id,
            source_id=source.id,
            target_id=target.id,
            moved=moved,
            similarity=similarity,
            merged_by_id=actor.id,
        )
        db.session.add(record)
        db.session.flush()
        changed = _rejudge({source.id, target.id}, moved["statements"])
        _audit(actor, "merged", record, source, target, moved)
        return MergeResult(record, {k: len(v) for k, v in moved.items()}, changed)


def undo(actor: User, merge_id: uuid.UUID) -> MergeResult:
    """Move back what the merge moved, and let the source's name lead to it again."""
    with transaction():
        record = db.session.get(TopicMerge, merge_id)
        if record is None:
            raise LookupError(merge_id)
        if record.undone_at is not None:
            raise MergeRefused("merge", "This merge was already undone.")
        source, target = record.source, record.target
        if target.merged_into_id is not None:
            raise MergeRefused(
                "merge", f"“{target.name}” was merged again since: undo that merge first."
            )
        back: dict[str, list[str]] = {}
        for kind, model, column in _MOVED_BACK:
            ids = record.moved.get(kind, [])
            back[kind] = _move_back(model, column, ids, target.id, source.id)
        source.merged_into_id = None
        record.undone_at = utcnow()
        record.undone_by_id = actor.id
        db.session.flush()
        changed = _rejudge({source.id, target.id}, back["statements"])
        _audit(actor, "merge undone", record, source, target, back)
        return MergeResult(record, {k: len(v) for k, v in back.items()}, changed)


def add_synonym(actor: User, topic_id: int, name: str) -> TopicSynonym:
    """Another name for a topic: the write path resolves it to the topic from now on."""
    with transaction():
        topic = _live(topic_id, "topic")
        clean = " ".join((name or "").split())
        key = topic_key(clean)
        if not key:
            raise MergeRefused("name", "Type the other name.")
        if len(clean) > 200:
            raise MergeRefused("name", "Keep the name under 200 characters.")
        meant = names.resolve(topic.site_id, key)
        if meant == topic.id:
            raise MergeRefused("name", f"“{clean}” already leads to this topic.")
        if meant is not None:
            raise MergeRefused("name", f"“{clean}” is a topic of its own here: merge it instead.")
        synonym = TopicSynonym(
            site_id=topic.site_id, topic_id=topic.id, name=clean, key=key, created_by_id=actor.id
        )
        db.session.add(synonym)
        db.session.flush()
        db.session.add(
            AuditEvent(
                user_id=actor.id,
                object_type="topic",
                object_id=str(topic.id),
                verb="synonym added",
                detail={"name": clean},
            )
        )
        return synonym


def remove_synonym(actor: User, synonym_id: int) -> None:
    """Forget a synonym: records already written stay on the topic."""
    with transaction():
        synonym = db.session.get(TopicSynonym, synonym_id)
        if synonym is None:
            raise LookupError(synonym_id)
        db.session.add(
            AuditEvent(
                user_id=actor.id,
                object_type="topic",
                object_id=str(synonym.topic_id),
                verb="synonym removed",
                detail={"name": synonym.name},
            )
        )
        db.session.delete(synonym)


def _live(topic_id: int, field: str) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise MergeRefused(field, "Unknown topic.")
    if topic.merged_into_id is not None:
        raise MergeRefused(field, f"“{topic.name}” was merged into another topic.")
    return topic


def _move(model: type, column: str, source_id: int, target_id: int) -> list[str]:
    """Point every row of the source at the target; the ids that moved, as text."""
    col = getattr(model, column)
    ids = [str(i) for i in db.session.scalars(select(model.id).where(col == source_id))]
    if ids:
        db.session.execute(
            update(model).where(col == source_id).values({column: target_id}),
            execution_options={"synchronize_session": False},
        )
    return sorted(ids)


def _move_back(
    model: type, column: str, ids: list[str], target_id: int, source_id: int
) -> list[str]:
    """Point back the rows that moved and are still on the target (a row edited onto another
    topic since stays where its author put it)."""
    if not ids:
        return []
    pk = model.id
    typed = [uuid.UUID(i) if pk.type.python_type is uuid.UUID else int(i) for i in ids]
    col = getattr(model, column)
    still = [str(i) for i in db.session.scalars(select(pk).where(pk.in_(typed), col == target_id))]
    if still:
        db.session.execute(
            update(model).where(pk.in_(typed), col == target_id).values({column: source_id}),
            execution_options={"synchronize_session": False},
        )
    return sorted(still)


def _rejudge(topic_ids: set[int], statement_ids: list[str]) -> int:
    """Re-judge the claims on both topics with the evidence as it now lies."""
    db.session.expire_all()
    statements = {uuid.UUID(i) for i in statement_ids}
    changed, cleared = gap_updates.refresh(topic_ids, statements)
    verification.verify(topic_ids, statements)
    return len(changed) + len(cleared)


def _audit(
    actor: User, verb: str, record: TopicMerge, source: Topic, target: Topic, moved: dict
) -> None:
    db.session.add(
        AuditEvent(
            user_id=actor.id,
            object_type="topic",
            object_id=str(source.id),
            verb=verb,
            detail={
                "merge": str(record.id),
                "source": source.name,
                "target": target.name,
                "target_id": target.id,
                "counts": {k: len(v) for k, v in moved.items()},
            },
        )
    )
