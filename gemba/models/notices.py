"""E-mail notices: what each user wants per kind, and every notice decided, so none is
sent twice.

A `SentNotice` row is written in the same transaction as the decision to send it: the
row of an immediate notice commits only after the SMTP server accepted the message, a
digest's rows wait as `pending` until the daily digest carries them, and a kind the user
turned off is recorded as `skipped`, so turning it back on later sends nothing stale.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gemba.models.base import Base, UTCDateTime, utcnow


class NoticeMode(enum.StrEnum):
    """How a user gets one kind of notice."""

    immediate = "immediate"
    digest = "digest"
    none = "none"


class NoticeState(enum.StrEnum):
    """Where a decided notice is: waiting for the digest, sent, not wanted, or refused for
    good by the mail server (an address it does not know: retrying would block the rest)."""

    pending = "pending"
    sent = "sent"
    skipped = "skipped"
    refused = "refused"


class NoticePreference(Base):
    """One user's choice for one kind; no row means immediate."""

    __tablename__ = "notice_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default=NoticeMode.immediate.value)


class SentNotice(Base):
    """A notice decided for a user: the key names the event, so it is decided once."""

    __tablename__ = "sent_notices"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key", name="uq_sent_notices_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=NoticeState.sent.value, index=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # the plain text line a digest shows
    link: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Opened in the app's "For you" list; independent of the e-mail's state.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
