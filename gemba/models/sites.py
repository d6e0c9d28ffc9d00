"""Sites, the personas seen there, and the topics that tie statements to facts."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba.models.base import Base, UTCDateTime, new_uuid, utcnow

_SPACES = re.compile(r"\s+")


def topic_key(name: str) -> str:
    """Topics match case- and whitespace-insensitively: this is the matching key."""
    return _SPACES.sub(" ", name).strip().casefold()


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    # The IANA zone its clocks show (Europe/Warsaw): times are stored in UTC and shown in
    # this zone. The write path gives a new site the server's default zone; "UTC" is only
    # for rows made outside it (tests, benchmarks).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Whether the team knows a walk is coming, unless its plan or its observer says
    # otherwise: announced walks risk the observer effect, and the verdicts show the split.
    walks_announced: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # The plant's language: pages about the site speak it to a user whose own choice and
    # browser name none Gemba has (None: English).
    language: Mapped[str | None] = mapped_column(String(8))
    # Respect for the people in the photos (docs/privacy.md). Faces are always blurred
    # before a photo is stored; a works-council site also forbids keeping originals and
    # taking boxes off, shows only `photo_roles` its photos and logs every view.
    works_council: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Keep the unblurred upload beside the blurred copies, readable by admins only, every
    # view logged; never on a works-council site.
    keep_originals: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # The roles that may see this site's photos, comma-separated (None: every role).
    photo_roles: Mapped[str | None] = mapped_column(String(64))
    # Photos, quotes and notes older than this many days are removed or anonymised by
    # `flask retention` (None: kept).
    retention_days: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    personas: Mapped[list[Persona]] = relationship(
        back_populates="site", order_by="Persona.name", cascade="all, delete-orphan"
    )


class Persona(Base):
    """A customer or worker type, never a named person."""

    __tablename__ = "personas"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship(back_populates="personas")


class Topic(Base):
    """The shared subject of statements and facts at one site, so evidence accumulates."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Merged into another topic (gemba.topics.merging): its records moved there and its
    # name now leads there; kept, not deleted, so the merge can be undone.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), index=True
    )
