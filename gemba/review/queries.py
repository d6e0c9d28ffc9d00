"""Read side of the analyst workspace: each page's data in a fixed number of queries.

Every function here loads what one page shows with explicit joins and eager loads, so
the number of SQL statements per page does not grow with the rows on it (the review
tests count them). This module holds the inbox and the reads the other pages share
(eager loads, audit history, photos); the gap page reads through `gap_queries`, the
actions through `action_queries`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func, literal_column, or_, select
from sqlalchemy.orm import joinedload

from gemba.extensions import db
from gemba.gaps.updates import ENGINE_VERBS
from gemba.models import (
    AuditEvent,
    Fact,
    Gap,
    GapStatus,
    Persona,
    Photo,
    PlanItem,
    Site,
    Statement,
    Topic,
    Walk,
    topic_key,
)
from gemba.photos import queries as photo_queries
from gemba.platform.time_zones import local_date

STATUS_ORDER = (
    GapStatus.open,
    GapStatus.needs_observation,
    GapStatus.confirmed,
    GapStatus.actioned,
    GapStatus.dismissed,
)
SORTS = {
    "score": _l("Strongest first (severity × confidence)"),
    "severity": _l("Most severe first"),
    "confidence": _l("Most certain first"),
    "changed": _l("Evidence changed most recently"),
    "said": _l("Said most recently"),
}
PER_PAGE = 25


@dataclass
class InboxFilters:
    """What the inbox is narrowed to; None means no filter."""

    site: uuid.UUID | None = None
    walk: uuid.UUID | None = None
    topic: str | None = None  # part of a topic name, matched case- and space-insensitively
    topic_id: int | None = None
    persona: uuid.UUID | None = None
    status: str = GapStatus.open.value  # a GapStatus value or "all"
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "score"
    origin: str | None = None  # "said" (by people on walks) or "standard" (a plan's)

    @property
    def narrowed(self) -> int:
        """How many filters narrow the inbox beyond its status and order."""
        values = (self.site, self.walk, self.topic, self.topic_id, self.persona, self.origin)
        return sum(1 for value in (*values, self.date_from, self.date_to) if value)

    def args(self, **override: Any) -> dict[str, Any]:
        """The filters as query-string arguments (for links that keep them)."""
        values = {
            "site": self.site,
            "walk": self.walk,
            "topic": self.topic,
            "topic_id": self.topic_id,
            "persona": self.persona,
            "status": self.status,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.sort if self.sort != "score" else None,
            "origin": self.origin,
        } | override
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered_gaps(filters: InboxFilters, *, with_status: bool = True) -> Select:
    """Gaps narrowed by the filters (status optional); joined to their statement if needed.

    Without a persona or date filter (or the "said" order) the query reads the gaps
    table alone, so the inbox walks the (status, score) index and counts per status
    without touching statements.
    """
    query = select(Gap)
    if filters.persona or filters.date_from or filters.date_to or filters.sort == "said":
        query = query.join(Statement, Statement.id == Gap.statement_id)
    if filters.site:
        query = query.where(Gap.site_id == filters.site)
    if filters.walk:
        query = query.where(Gap.walk_id == filters.walk)
    if filters.origin == "standard":  # a standard's gap has no walk: no one said it on one
        query = query.where(Gap.walk_id.is_(None))
    elif filters.origin == "said":
        query = query.where(Gap.walk_id.is_not(None))
    if filters.topic_id:
        query = query.where(Gap.topic_id == filters.topic_id)
    if filters.topic:
        key = topic_key(filters.topic)
        query = query.where(
            Gap.topic_id.in_(select(Topic.id).where(Topic.key.contains(key, autoescape=True)))
        )
    if filters.persona:
        query = query.where(Statement.persona_id == filters.persona)
    if filters.date_from:
        query = query.where(Statement.observed_at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(Statement.observed_at < _start_of(filters.date_to + timedelta(days=1)))
    if with_status and filters.status != "all":
        query = query.where(Gap.status == filters.status)
    return query


def _ordered(query: Select, sort: str) -> Select:
    order = {
        "score": (Gap.score.desc(),),
        "severity": (Gap.severity.desc(), Gap.score.desc()),
        "confidence": (Gap.confidence.desc(), Gap.score.desc()),
        "changed": (Gap.evidence_changed_at.desc(),),
        "said": (Statement.observed_at.desc(),),
    }.get(sort, (Gap.score.desc(),))
    return query.order_by(*order, Gap.id)


def gap_options():
    """Eager loads for showing a gap with its statement, topic, walk, site and persona."""
    return (
        joinedload(Gap.statement, innerjoin=True).options(
            joinedload(Statement.topic),
            joinedload(Statement.persona),
            joinedload(Statement.place),
            joinedload(Statement.walk).joinedload(Walk.site),
            joinedload(Statement.plan_item).joinedload(PlanItem.site),
        ),
    )


@dataclass
class Inbox:
    page: Any  # flask_sqlalchemy Pagination of Gap
    counts: dict[str, int]
    total: int
    samples: dict[str, str]  # fact id -> text, the first piece of evidence shown per row


def inbox(filters: InboxFilters, page: int) -> Inbox:
    """One page of gaps, the counts per status, and one evidence quote per row."""
    counted = filtered_gaps(filters, with_status=False).with_only_columns(Gap.status, func.count())
    counts = dict.fromkeys((s.value for s in STATUS_ORDER), 0)
    for status, n in db.session.execute(counted.group_by(Gap.status)):
        counts[status] = n
    query = _ordered(filtered_gaps(filters), filters.sort).options(*gap_options())
    # The counts per status already hold the total: no second count of the same rows.
    pagination = PlannedPagination(
        select=query,
        session=db.session(),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
        count=False,
    )
    pagination.total = (
        sum(counts.values()) if filters.status == "all" else counts.get(filters.status, 0)
    )
    first_ids = [gap.evidence[0] for gap in pagination.items if gap.evidence]
    return Inbox(pagination, counts, sum(counts.values()), fact_texts(first_ids))


class PlannedPagination(SelectPagination):
    """A page of a select with LIMIT and OFFSET written into the SQL, not bound.

    PostgreSQL plans a prepared statement afresh on each run while a parameter could
    change the plan, and an unknown LIMIT always could: the inbox's seven-table join
    cost 4 ms of planning per page against 1 ms of running. With the numbers in the SQL
    the statement of each page keeps one plan.
    """

    def _query_items(self) -> list[Any]:
        select_ = self._query_args["select"]
        select_ = select_.limit(literal_column(str(int(self.per_page)))).offset(
            literal_column(str(int(self._query_offset)))
        )
        return list(self._query_args["session"].execute(select_).unique().scalars())


def evidence_summary(gap: Gap) -> str:
    """How much evidence stands behind a gap, in a few words."""
    manual = int(gap.stats.get("manual", 0) or 0)
    if gap.kind == "manual":
        return ngettext(
            "%(num)d fact marked by an observer", "%(num)d facts marked by an observer", manual
        )
    if not gap.contradicted:
        return _("No longer contradicted (%(n)s observed)", n=gap.observed)
    text = _("%(k)s of %(n)s observations contradict", k=len(gap.evidence), n=gap.observed)
    if manual:
        text += _(", %(n)s marked by an observer", n=manual)
    return text


def fact_texts(fact_ids: list[str]) -> dict[str, str]:
    """Fact id -> text for a short list of ids (one query)."""
    ids = [uuid.UUID(fid) for fid in dict.fromkeys(fact_ids)]
    if not ids:
        return {}
    rows = db.session.execute(select(Fact.id, Fact.text).where(Fact.id.in_(ids)))
    return {str(fid): text for fid, text in rows}


def filter_choices(site_id: uuid.UUID | None) -> dict[str, list[tuple[str, str]]]:
    """Sites, walks and personas to narrow the inbox by (walks of the chosen site)."""
    sites = db.session.execute(select(Site.id, Site.name).order_by(Site.name)).all()
    walks = select(Walk.id, Walk.title, Walk.started_at).order_by(Walk.started_at.desc())
    personas = select(Persona.id, Persona.name).order_by(Persona.name)
    if site_id:
        walks = walks.where(Walk.site_id == site_id)
        personas = personas.where(Persona.site_id == site_id)
    return {
        "site": [(str(i), name) for i, name in sites],
        "walk": [
            (str(i), f"{title} ({local_date(started)})")
            for i, title, started in db.session.execute(walks.limit(300))
        ],
        "persona": [(str(i), name) for i, name in db.session.execute(personas.limit(300))],
    }


# -- shared by the gap, action and report pages --------------------------------------------


def history(object_type: str, object_ids: list[Any]) -> list[AuditEvent]:
    """Audit events of these objects, oldest first, with who did them."""
    if not object_ids:
        return []
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == object_type,
                AuditEvent.object_id.in_([str(i) for i in object_ids]),
            )
            .options(joinedload(AuditEvent.user))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def photos_for(
    fact_ids: list[uuid.UUID], statement_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Photo]]:
    """Photos of these facts and statements, keyed by the record they show (one query)."""
    conditions = []
    if fact_ids:
        conditions.append(Photo.fact_id.in_(list(dict.fromkeys(fact_ids))))
    if statement_ids:
        conditions.append(Photo.statement_id.in_(list(dict.fromkeys(statement_ids))))
    if not conditions:
        return {}
    out: dict[uuid.UUID, list[Photo]] = {}
    found = db.session.scalars(select(Photo).where(or_(*conditions)).order_by(Photo.created_at))
    for photo in photo_queries.visible(list(found)):
        out.setdefault(photo.fact_id or photo.statement_id, []).append(photo)
    return out


# -- the audit trail -----------------------------------------------------------------------


def audit_page(object_type: str | None, page: int):
    """The audit trail, newest first."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    # The engine's verdict events are each gap's own history (its page shows them), not
    # decisions people made: they would bury those here.
    query = query.where(AuditEvent.verb.not_in(ENGINE_VERBS))
    return db.paginate(query, page=page, per_page=50, error_out=False)
