"""Walk plans (leader standard work): a site's recurring walks and the checks they make.

An item is the site's, not one plan's, so two plans can share it and its history; a
plan lists items through `plan_entries`, in order, and retires an entry instead of
deleting it (the facts that answered it stay tied to it). A schedule is kept with the
time it took effect, so a changed schedule leaves the walks already due under the old one
as they were: a missed walk stays missed.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba.models.accounts import User
from gemba.models.base import Base, UTCDateTime, new_uuid, utcnow
from gemba.models.sites import Site, Topic


class ItemKind(enum.StrEnum):
    behaviour = "behaviour"  # done / not done
    measure = "measure"  # a value with its unit


plan_assignees = Table(
    "plan_assignees",
    Base.metadata,
    Column("plan_id", ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Plan(Base):
    """A recurring walk: what it is for, where it goes, when it is due and who walks it."""

    __tablename__ = "plans"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(Text)
    route: Mapped[list[str]] = mapped_column(JSON, default=list)  # place names, in order
    # iCalendar text (DTSTART;TZID=… and RRULE:…), see gemba.domain.schedules.
    schedule: Mapped[str | None] = mapped_column(Text)
    # Everyone of this role walks it too, besides the assignees named.
    assignee_role: Mapped[str | None] = mapped_column(String(16))
    # Whether its walks are announced to the team (None: as the site's walks are).
    announced: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship()
    assignees: Mapped[list[User]] = relationship(secondary=plan_assignees, order_by="User.email")
    entries: Mapped[list[PlanEntry]] = relationship(
        back_populates="plan", order_by="PlanEntry.position", cascade="all, delete-orphan"
    )

    @property
    def active_entries(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.retired_at is None]


class PlanItem(Base):
    """One check: the question an observer answers, on a topic of the site."""

    __tablename__ = "plan_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default=ItemKind.behaviour.value)
    unit: Mapped[str | None] = mapped_column(String(32))
    # The document the standard comes from ("SOP-12 rev C").
    reference: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship()
    topic: Mapped[Topic] = relationship()


class PlanEntry(Base):
    """An item's place on a plan's checklist; retired entries keep their history."""

    __tablename__ = "plan_entries"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[Plan] = relationship(back_populates="entries")
    item: Mapped[PlanItem] = relationship(lazy="joined")


class PlanSchedule(Base):
    """A schedule as it was from `starts_at` until `ends_at` (None: still in force)."""

    __tablename__ = "plan_schedules"
    __table_args__ = (Index("ix_plan_schedules_plan_start", "plan_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
