"""What the trends page keeps between requests: per topic its first and latest sightings,
and each site's figures of finished periods, valid while the site's history version holds.

All three are derived from the facts, statements and audit trail, and rebuilt from them
when missing (gemba/trends/watch.py, gemba/trends/snapshots.py); losing them costs time,
never a figure.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gemba.models.base import Base, UTCDateTime


class TopicSighting(Base):
    """When a topic was first observed and spoken of, and last observed (facts of walks
    that shadow no other walk), kept by every write to its facts and statements."""

    __tablename__ = "topic_sightings"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    first_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_said_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrendVersion(Base):
    """A site's history version: raised by every write that could change the figures of a
    period already over (a late fact, a deleted walk, a merge), so older snapshots lapse."""

    __tablename__ = "trend_versions"

    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)


class TrendSnapshot(Base):
    """One site's gap and topic figures for one finished week or month, as counted under
    the site's history version `version`."""

    __tablename__ = "trend_snapshots"
    __table_args__ = (
        UniqueConstraint("site_id", "unit", "zone", "persona_key", "stale_weeks", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(8))
    zone: Mapped[str] = mapped_column(String(64))
    persona_key: Mapped[str] = mapped_column(String(36), default="")  # "" for everyone
    stale_weeks: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict] = mapped_column(JSON)
