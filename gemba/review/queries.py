"""Read side of the analyst workspace: each page's data in a fixed number of queries.

Every function here loads what one page shows with explicit joins and eager loads, so
the number of SQL statements per page does not grow with the rows on it (the review
tests count them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func, literal_column, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from gemba.extensions import db
from gemba.gaps import evidence as evidence_mod
from gemba.models import (
    Action,
    ActionStatus,
    AuditEvent,
    Fact,
    Gap,
    GapStatus,
    Persona,
    Photo,
    Site,
    Statement,
    Topic,
    User,
    Walk,
    action_gaps,
    topic_key,
)

STATUS_ORDER = (
    GapStatus.open,
    GapStatus.needs_observation,
    GapStatus.confirmed,
    GapStatus.actioned,
    GapStatus.dismissed,
)
SORTS = {
    "score": "Strongest first (severity × confidence)",
    "severity": "Most severe first",
    "confidence": "Most certain first",
    "changed": "Evidence changed most recently",
    "said": "Said most recently",
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

    @property
    def narrowed(self) -> int:
        """How many filters narrow the inbox beyond its status and order."""
        values = (self.site, self.walk, self.topic, self.topic_id, self.persona)
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
        return f"{manual} fact{'' if manual == 1 else 's'} marked by an observer"
    if not gap.contradicted:
        return f"No longer contradicted ({gap.observed} observed)"
    text = f"{len(gap.evidence)} of {gap.observed} observations contradict"
    if manual:
        text += f", {manual} marked by an observer"
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
            (str(i), f"{title} ({started:%d %b %Y})")
            for i, title, started in db.session.execute(walks.limit(300))
        ],
        "persona": [(str(i), name) for i, name in db.session.execute(personas.limit(300))],
    }


# -- one gap ------------------------------------------------------------------------------


@dataclass
class GapDetail:
    gap: Gap
    evidence: evidence_mod.StatementEvidence
    history: list[AuditEvent]
    actions: list[Action]
    photos: dict[uuid.UUID, list[Photo]]
    loops: dict[uuid.UUID, evidence_mod.LoopStatus]  # action id -> loop status


def load_gap(gap_id: uuid.UUID) -> Gap | None:
    """A gap with its statement, topic, walk, site, persona and place loaded."""
    query = select(Gap).where(Gap.id == gap_id).options(*gap_options(), joinedload(Gap.triaged_by))
    return db.session.scalars(query).unique().one_or_none()


def gap_detail(gap: Gap) -> GapDetail:
    """Everything the gap page shows: evidence, verdict, history, actions, photos."""
    found = evidence_mod.load_for_statements([gap.statement])[gap.statement_id]
    actions = list(
        db.session.scalars(
            select(Action)
            .join(action_gaps, action_gaps.c.action_id == Action.id)
            .where(action_gaps.c.gap_id == gap.id)
            .options(joinedload(Action.owner))
            .order_by(Action.created_at)
        )
    )
    fact_ids = [f.id for f in found.facts] + [link.fact_id for link in found.links]
    return GapDetail(
        gap=gap,
        evidence=found,
        history=history("gap", [gap.id]),
        actions=actions,
        photos=photos_for(fact_ids, [gap.statement_id]),
        loops={a.id: evidence_mod.loop_status(found, a.created_at) for a in actions},
    )


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
    for photo in db.session.scalars(
        select(Photo).where(or_(*conditions)).order_by(Photo.created_at)
    ):
        out.setdefault(photo.fact_id or photo.statement_id, []).append(photo)
    return out


def neighbours(gap: Gap) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The previous and next open gap in inbox order (strongest first), for j/k paging."""
    base = select(Gap.id).where(Gap.status == GapStatus.open.value, Gap.id != gap.id)
    # The plain range on score lets the (status, score) index find the neighbour at once;
    # the OR only settles ties.
    stronger = db.session.scalar(
        base.where(Gap.score >= gap.score)
        .where(or_(Gap.score > gap.score, Gap.id < gap.id))
        .order_by(Gap.score.asc(), Gap.id.desc())
        .limit(1)
    )
    weaker = db.session.scalar(
        base.where(Gap.score <= gap.score)
        .where(or_(Gap.score < gap.score, Gap.id > gap.id))
        .order_by(Gap.score.desc(), Gap.id)
        .limit(1)
    )
    return stronger, weaker


# -- actions ------------------------------------------------------------------------------


def today() -> date:
    """The date actions fall due against (UTC, like every stored timestamp)."""
    return datetime.now(UTC).date()


def is_overdue(action: Action, on: date) -> bool:
    """Past its due date and not done yet."""
    return (
        action.due_date is not None
        and action.due_date < on
        and action.status in (ActionStatus.open.value, ActionStatus.in_progress.value)
    )


def action_board(site_id: uuid.UUID | None, owner_id: int | None) -> dict[str, list[Action]]:
    """Actions by status, overdue first within a column, with owner and gaps loaded."""
    query = (
        select(Action)
        .options(
            joinedload(Action.owner),
            selectinload(Action.gaps).joinedload(Gap.statement),
        )
        .order_by(Action.due_date.is_(None), Action.due_date, Action.created_at)
    )
    if site_id:
        query = query.where(Action.site_id == site_id)
    if owner_id:
        query = query.where(Action.owner_id == owner_id)
    board: dict[str, list[Action]] = {s.value: [] for s in ActionStatus}
    for action in db.session.scalars(query):
        board.setdefault(action.status, []).append(action)
    return board


def load_action(action_id: uuid.UUID) -> Action | None:
    return db.session.scalars(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.owner),
            selectinload(Action.gaps)
            .joinedload(Gap.statement)
            .options(
                joinedload(Statement.topic),
                joinedload(Statement.walk).joinedload(Walk.site),
                joinedload(Statement.persona),
            ),
        )
    ).one_or_none()


@dataclass
class ActionDetail:
    action: Action
    site: Site
    evidence: dict[uuid.UUID, evidence_mod.StatementEvidence]  # by statement id
    loops: dict[uuid.UUID, evidence_mod.LoopStatus]  # by gap id
    history: list[AuditEvent]
    created_by: User | None

    @property
    def loop_closed(self) -> bool:
        """Every linked statement holds on the evidence observed since the action."""
        return bool(self.loops) and all(s.state == "closed" for s in self.loops.values())


def action_detail(action: Action) -> ActionDetail:
    """The action with, per linked gap, whether later evidence still contradicts."""
    statements = [gap.statement for gap in action.gaps]
    found = evidence_mod.load_for_statements(statements)
    loops = {
        gap.id: evidence_mod.loop_status(found[gap.statement_id], action.created_at)
        for gap in action.gaps
    }
    created_by = db.session.get(User, action.created_by_id) if action.created_by_id else None
    return ActionDetail(
        action=action,
        site=db.session.get(Site, action.site_id),
        evidence=found,
        loops=loops,
        history=history("action", [action.id]),
        created_by=created_by,
    )


def gap_choices(site_id: uuid.UUID, topic_ids: set[int], keep: set[uuid.UUID]) -> list[Gap]:
    """Gaps an action may link: the ones linked already and gaps on the same topics."""
    query = (
        select(Gap)
        .join(Statement, Statement.id == Gap.statement_id)
        .options(contains_eager(Gap.statement))
        .where(Gap.site_id == site_id)
    )
    conditions = []
    if keep:
        conditions.append(Gap.id.in_(keep))
    if topic_ids:
        conditions.append(
            Gap.topic_id.in_(topic_ids) & Gap.status.not_in([GapStatus.dismissed.value])
        )
    if not conditions:
        return []
    return list(
        db.session.scalars(query.where(or_(*conditions)).order_by(Gap.score.desc()).limit(50))
    )


def owner_choices() -> list[tuple[str, str]]:
    """Active users an action can be given to."""
    rows = db.session.execute(
        select(User.id, User.email).where(User.active.is_(True)).order_by(User.email)
    )
    return [(str(i), email.split("@", 1)[0] + f" ({email})") for i, email in rows]


def audit_page(object_type: str | None, page: int):
    """The audit trail, newest first."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return db.paginate(query, page=page, per_page=50, error_out=False)
