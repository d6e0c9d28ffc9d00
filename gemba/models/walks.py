"""A walk and the records logged on it: places, things, facts, statements, manual links."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba.models.accounts import User
from gemba.models.base import Base, UTCDateTime, new_uuid, utcnow
from gemba.models.plans import Plan, PlanItem
from gemba.models.sites import Persona, Site, Topic


class WalkStatus(enum.StrEnum):
    in_progress = "in_progress"
    finished = "finished"


class ThingKind(enum.StrEnum):
    equipment = "equipment"
    tool = "tool"
    material = "material"
    document = "document"
    screen = "screen"
    product = "product"
    other = "other"


class Sentiment(enum.StrEnum):
    pain = "pain"
    neutral = "neutral"
    delight = "delight"


class Source(enum.StrEnum):
    interview = "interview"
    sop = "sop"
    signage = "signage"
    survey = "survey"
    meeting = "meeting"
    other = "other"


def standard_label(reference: str | None) -> str:
    """How a plan item's standard is named where a speaker's role would be."""
    return f"Standard ({reference})" if reference else "Standard of a walk plan"


class Walk(Base):
    __tablename__ = "walks"
    __table_args__ = (
        # A plan's walks in a window (the programme, the due list): bounded by the window.
        Index("ix_walks_plan_started", "plan_id", "started_at"),
        # The engine joins facts to their walk's site (and leaves calibration walks out):
        # an index-only lookup per walk, where PostgreSQL would otherwise hash the whole
        # table for one topic's facts.
        Index("ix_walks_id_site_shadow", "id", "site_id", "calibrates_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    observer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=WalkStatus.in_progress.value)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The plan this walk walks: it counts as the plan's occurrence for its day.
    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    # Whether the team knew the walk was coming (None: not recorded), and whether the
    # observer could be seen: the observer effect is read off the split between walks.
    announced: Mapped[bool | None]
    observer_visible: Mapped[bool | None]
    # A calibration walk: this observer logged the same walk as another, independently;
    # their behaviour facts on the same topic and place measure how well they agree.
    calibrates_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("walks.id", ondelete="SET NULL"), index=True
    )

    site: Mapped[Site] = relationship()
    observer: Mapped[User] = relationship()
    plan: Mapped[Plan | None] = relationship()
    calibrates: Mapped[Walk | None] = relationship(remote_side=[id])


class _WalkRecord:
    """Columns every record on a walk has."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the site's retention took this record's words (a quote's text, a note) and its
    # photos (`flask retention`): what it counts for stays, the evidence itself is gone.
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Place(_WalkRecord, Base):
    """Gemba: where on the site something was observed."""

    __tablename__ = "places"
    # A walk's timeline, newest first, a page at a time (gemba/timeline.py).
    __table_args__ = (Index("ix_places_walk_time", "walk_id", "observed_at", "id"),)

    walk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("walks.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)

    walk: Mapped[Walk] = relationship()


fact_things = Table(
    "fact_things",
    Base.metadata,
    Column("fact_id", ForeignKey("facts.id", ondelete="CASCADE"), primary_key=True),
    Column("thing_id", ForeignKey("things.id", ondelete="CASCADE"), primary_key=True),
)


class Thing(_WalkRecord, Base):
    """Gembutsu: an object observed."""

    __tablename__ = "things"
    # A walk's timeline, newest first, a page at a time (gemba/timeline.py).
    __table_args__ = (Index("ix_things_walk_time", "walk_id", "observed_at", "id"),)

    walk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("walks.id", ondelete="CASCADE"), index=True
    )
    place_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=ThingKind.other.value)
    note: Mapped[str | None] = mapped_column(Text)

    walk: Mapped[Walk] = relationship()
    place: Mapped[Place | None] = relationship()


class Fact(_WalkRecord, Base):
    """Genjitsu: what actually happened (behaviour, measurement or note)."""

    __tablename__ = "facts"
    __table_args__ = (
        # A walk's timeline, newest first, a page at a time (gemba/timeline.py).
        Index("ix_facts_walk_time", "walk_id", "observed_at", "id"),
        # A walk's topics, and its facts on given topics, without reading the rows.
        Index("ix_facts_walk_topic", "walk_id", "topic_id"),
        # A topic's facts, and its first and latest observation on walks that shadow no
        # other walk (trends), from the index alone.
        Index("ix_facts_topic_time", "topic_id", "observed_at", "walk_id"),
        # Pain and delight per place of a walk or a site (experience maps), from the index.
        Index("ix_facts_walk_feeling", "walk_id", "sentiment", "place_id"),
    )

    walk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"))
    place_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("personas.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    performed: Mapped[bool | None]
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    # The checklist item this fact answers (a check of a walk plan).
    plan_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("plan_items.id", ondelete="SET NULL"), index=True
    )

    walk: Mapped[Walk] = relationship()
    place: Mapped[Place | None] = relationship()
    topic: Mapped[Topic | None] = relationship()
    persona: Mapped[Persona | None] = relationship()
    plan_item: Mapped[PlanItem | None] = relationship()
    things: Mapped[list[Thing]] = relationship(secondary=fact_things, order_by="Thing.name")

    @property
    def kind(self) -> str:
        """behaviour, measurement or note, read off which fields are filled."""
        if self.performed is not None:
            return "behaviour"
        if self.value is not None:
            return "measurement"
        return "note"


class Statement(_WalkRecord, Base):
    """What someone said, or what a document claims, by role.

    A plan item's written standard is a statement too (source `sop`), made by the plan
    rather than logged on a walk: it has a `plan_item` and no walk, and the engine judges
    it like any other claim."""

    __tablename__ = "statements"
    __table_args__ = (
        # A walk's timeline, newest first, a page at a time (gemba/timeline.py).
        Index("ix_statements_walk_time", "walk_id", "observed_at", "id"),
        # A topic's statements, and when it was first spoken of (trends).
        Index("ix_statements_topic_time", "topic_id", "observed_at"),
    )

    walk_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("walks.id", ondelete="CASCADE"), index=True
    )
    plan_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("plan_items.id", ondelete="CASCADE"), unique=True
    )
    place_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("personas.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str | None] = mapped_column(String(16))
    claim_frequency: Mapped[str | None] = mapped_column(String(16))
    claim_value: Mapped[float | None] = mapped_column(Float)
    claim_unit: Mapped[str | None] = mapped_column(String(32))
    claim_tolerance: Mapped[float | None] = mapped_column(Float)
    claim_comparator: Mapped[str | None] = mapped_column(String(2))

    walk: Mapped[Walk | None] = relationship()
    place: Mapped[Place | None] = relationship()
    topic: Mapped[Topic | None] = relationship()
    persona: Mapped[Persona | None] = relationship()
    plan_item: Mapped[PlanItem | None] = relationship()

    @property
    def site(self) -> Site:
        """The site the claim is about: its walk's, or its plan item's for a standard."""
        return self.walk.site if self.walk is not None else self.plan_item.site

    @property
    def is_standard(self) -> bool:
        return self.plan_item_id is not None

    @property
    def said_in(self) -> str:
        """Where it was said: the walk's title, or the standard's document."""
        if self.walk is not None:
            return self.walk.title
        return standard_label(self.plan_item.reference)

    @property
    def said_on(self) -> datetime:
        """When: the walk's start, or when the standard was written into a plan."""
        return self.walk.started_at if self.walk is not None else self.created_at

    @property
    def claim(self) -> dict | None:
        """The claim in Gemba JSON shape, or None for a statement without one."""
        if self.claim_frequency:
            return {"frequency": self.claim_frequency}
        if self.claim_value is None:
            return None
        claim: dict = {"value": self.claim_value, "unit": self.claim_unit}
        if self.claim_comparator:
            claim["comparator"] = self.claim_comparator
        if self.claim_tolerance is not None:
            claim["tolerance"] = self.claim_tolerance
        return claim


class Contradiction(Base):
    """An observer's manual link: this fact contradicts that statement."""

    __tablename__ = "contradictions"
    __table_args__ = (UniqueConstraint("fact_id", "statement_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    fact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("facts.id", ondelete="CASCADE"))
    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    fact: Mapped[Fact] = relationship()
    statement: Mapped[Statement] = relationship()
