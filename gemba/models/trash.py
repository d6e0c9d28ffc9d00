"""Deleted records, kept for a while so an admin can bring them back.

A delete on the write path keeps here what went: the record and what went with it, as
the Gemba JSON records that write it back, the rows of its photos (whose files stay on
disk until `flask photos sweep` finds them neither in use nor kept here), and the walk's
observer (a walk written back by an admin would otherwise become the admin's).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba.models.accounts import User
from gemba.models.base import Base, UTCDateTime, utcnow


class DeletedRecord(Base):
    """One delete of one record (with what cascaded), restorable until it expires."""

    __tablename__ = "deleted_records"
    __table_args__ = (Index("ix_deleted_records_deleted_at", "deleted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(24))
    object_id: Mapped[uuid.UUID]
    site_id: Mapped[uuid.UUID | None]
    label: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Gemba JSON v1 records, parents first, that write the deleted data back.
    records: Mapped[list] = mapped_column(JSON, default=list)
    # The photo rows that went with it, column by column.
    photos: Mapped[list] = mapped_column(JSON, default=list)
    # Walk id -> observer's user id, for the walks among the records.
    observers: Mapped[dict] = mapped_column(JSON, default=dict)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])
