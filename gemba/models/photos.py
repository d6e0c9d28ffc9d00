"""Photos as evidence: re-encoded derivatives attached to one record of a walk."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
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
    # The areas blurred in the stored copies: [{"x", "y", "w", "h", "source"}] as
    # fractions of the upright picture, source "detector" or "observer". NULL: stored
    # before faces were blurred, not looked at yet (`flask photos blur` does).
    blurred: Mapped[list | None] = mapped_column(JSON(none_as_null=True), default=list)

    @property
    def record_id(self) -> uuid.UUID | None:
        """The record this photo shows, whichever kind it is."""
        return self.place_id or self.thing_id or self.fact_id or self.statement_id


class PhotoView(Base):
    """One look at a photo of a site that logs them (works council) or at an original:
    who, when, which copy. Kept when the photo goes, so the log outlives retention."""

    __tablename__ = "photo_views"
    __table_args__ = (Index("ix_photo_views_site_time", "site_id", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    photo_id: Mapped[uuid.UUID]  # no foreign key: the photo may be deleted, the log stays
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    variant: Mapped[str] = mapped_column(String(16))  # display, thumb or original
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
