"""Say-vs-do gaps, the actions decided from them, and the audit trail of both."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, Float, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba.models.accounts import User
from gemba.models.base import Base, UTCDateTime, new_uuid, utcnow
from gemba.models.walks import Statement

GAP_NAMESPACE = uuid.UUID("9a4f3f52-8d0c-4c59-9a43-6b0c2f1e7d11")


def gap_id_for(statement_id: uuid.UUID) -> uuid.UUID:
    """A statement has at most one gap; its id is derived so it is stable across recomputes."""
    return uuid.uuid5(GAP_NAMESPACE, str(statement_id))


class GapStatus(enum.StrEnum):
    open = "open"
    confirmed = "confirmed"
    dismissed = "dismissed"
    needs_observation = "needs_observation"
    actioned = "actioned"


class ActionStatus(enum.StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    verified = "verified"


class Gap(Base):
    """A statement whose claim the evidence contradicts, kept current by the engine."""

    __tablename__ = "gaps"
    __table_args__ = (Index("ix_gaps_site_score", "site_id", "score"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), unique=True
    )
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), index=True)
    # The statement's walk; None for a plan's standard, which no walk logged.
    walk_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("walks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), default=GapStatus.open.value, index=True)
    # False once the evidence no longer contradicts the claim (kept only when triaged).
    contradicted: Mapped[bool] = mapped_column(default=True)
    severity: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)  # severity x confidence, the inbox order
    explanation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    observed: Mapped[int] = mapped_column(default=0)
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    evidence_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    triage_reason: Mapped[str | None] = mapped_column(Text)
    # The verdict's strength when triaged, to tell "the evidence changed since" and re-open.
    triage_severity: Mapped[float | None] = mapped_column(Float)
    triage_confidence: Mapped[float | None] = mapped_column(Float)
    triage_evidence_count: Mapped[int | None]

    statement: Mapped[Statement] = relationship()
    triaged_by: Mapped[User | None] = relationship()

    @property
    def evidence_changed_since_triage(self) -> bool:
        """True when new evidence arrived after an analyst triaged this gap."""
        return self.triaged_at is not None and self.evidence_changed_at > self.triaged_at


# The facts each gap cites, one row per fact, with the fact's walk: `Gap.evidence` as
# rows, so a walk page asks an index which gaps cite its facts instead of reading
# evidence lists. Written with the gaps, in the same transaction (gemba/gap_updates.py);
# a fact never moves to another walk, so its walk here cannot go stale.
gap_evidence = Table(
    "gap_evidence",
    Base.metadata,
    Column("gap_id", ForeignKey("gaps.id", ondelete="CASCADE"), primary_key=True),
    Column("fact_id", ForeignKey("facts.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("walk_id", ForeignKey("walks.id", ondelete="CASCADE"), nullable=False),
    Index("ix_gap_evidence_walk_gap", "walk_id", "gap_id"),
)


action_gaps = Table(
    "action_gaps",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("gap_id", ForeignKey("gaps.id", ondelete="CASCADE"), primary_key=True),
)


class Action(Base):
    """A countermeasure decided from one or more gaps."""

    __tablename__ = "actions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.open.value, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When it took effect (marked done): the evidence is judged before and since this
    # moment, and the facts since can verify it. Cleared when it is taken back to open.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    gaps: Mapped[list[Gap]] = relationship(secondary=action_gaps)


class AuditEvent(Base):
    """Who changed what and when: triage, actions, accounts."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        # One site's gap and action history in time order (trends).
        Index("ix_audit_events_site", "site_id", "object_type", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    object_type: Mapped[str] = mapped_column(String(24))
    object_id: Mapped[str] = mapped_column(String(64))
    verb: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    # The site a gap's or an action's event belongs to (kept when the gap is gone; not a
    # foreign key: the history outlives what it describes).
    site_id: Mapped[uuid.UUID | None] = mapped_column()

    user: Mapped[User | None] = relationship()
