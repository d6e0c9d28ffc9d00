"""Analyst notes on a persona (the "Thinks" quadrant of its empathy map), and the
indexes the analyst pages read gaps by."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba.models.accounts import User
from gemba.models.base import Base, UTCDateTime, new_uuid, utcnow
from gemba.models.gaps import Gap


class PersonaNote(Base):
    """What an analyst thinks this persona thinks, written at the desk, not on the floor."""

    __tablename__ = "persona_notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    persona_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("personas.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


# The gap inbox lists gaps of one status strongest first (or all of them), a page at a
# time: with these the first page is an index walk, not a sort of every gap
# (benchmarks/review_pages.py). They live beside the review's own table, which is
# where the review's schema change is.
Index("ix_gaps_status_score", Gap.status, Gap.score)
Index("ix_gaps_score", Gap.score)
