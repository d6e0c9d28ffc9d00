"""Topics that hold together: the other names a topic goes by, and the merges of topics.

A synonym is a name the write path resolves to its topic, so "glove use" typed on the floor
lands on "gloves" once an analyst said they are one. A merge moves every statement, fact
and plan item of one topic to another and remembers which, so it can be undone.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba.models.accounts import User
from gemba.models.base import Base, UTCDateTime, new_uuid, utcnow
from gemba.models.sites import Topic


class TopicSynonym(Base):
    """Another name of a topic at its site: writing it resolves to the topic."""

    __tablename__ = "topic_synonyms"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    topic: Mapped[Topic] = relationship()


class TopicMerge(Base):
    """One topic merged into another: what moved, so that undoing it moves exactly that back."""

    __tablename__ = "topic_merges"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    # {"statements": [ids], "facts": [ids], "plan_items": [ids], "topics": [ids of topics
    # merged earlier into the source, which now lead to the target], "synonyms": [ids],
    # "translations": [ids of the source's names in languages the target had none in]}
    moved: Mapped[dict] = mapped_column(JSON, default=dict)
    similarity: Mapped[float | None]
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    source: Mapped[Topic] = relationship(foreign_keys=[source_id])
    target: Mapped[Topic] = relationship(foreign_keys=[target_id])
    merged_by: Mapped[User | None] = relationship(foreign_keys=[merged_by_id])


class TopicTranslation(Base):
    """A topic's name in one of the shipped languages, for analysts who compare sites.

    The typed name stays the topic's name (the data keeps its words); a translation is
    only shown beside it to a reader of that language. Which languages are allowed is the
    topics service's rule (gemba.platform.languages), so adding a language needs no
    migration.
    """

    __tablename__ = "topic_translations"
    # A merge remembers the ids of the names it moved, and an undo moves those ids back:
    # SQLite would give a cleared name's id to the next one, so it must not reuse ids
    # (PostgreSQL's sequences never do).
    __table_args__ = (UniqueConstraint("topic_id", "language"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    topic: Mapped[Topic] = relationship()
