"""Photos as evidence: re-encoded derivatives attached to one record of a walk."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gemba.models.base import Base, UTCDateTime, utcnow

PHOTO_TARGETS = ("place", "thing", "fact", "statement")


class Photo(Base):
    __tablename__ = "photos"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    walk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("walks.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    place_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("places.id", ondelete="CASCADE"), index=True
    )
    thing_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("things.id", ondelete="CASCADE"), index=True
    )
    fact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("facts.id", ondelete="CASCADE"), index=True
    )
    statement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    source_format: Mapped[str] = mapped_column(String(8))
    mime: Mapped[str] = mapped_column(String(32), default="image/jpeg")
    display_key: Mapped[str] = mapped_column(String(64))
    display_width: Mapped[int]
    display_height: Mapped[int]
    thumb_key: Mapped[str] = mapped_column(String(64))
    thumb_width: Mapped[int]
    thumb_height: Mapped[int]
    original_key: Mapped[str | None] = mapped_column(String(64))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def record_id(self) -> uuid.UUID | None:
        """The record this photo shows, whichever kind it is."""
        return self.place_id or self.thing_id or self.fact_id or self.statement_id
