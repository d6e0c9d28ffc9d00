"""The API's read side: lists with filters and pages, and the JSON shape of each item."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from gemba.api import wording
from gemba.api.pagination import Key, Page, QueryInvalid, keyset_page
from gemba.capture.outcomes import WriteResult
from gemba.domain.gemba_json import FORMAT, MAX_NAME, FieldError, format_timestamp
from gemba.domain.schema_errors import Message
from gemba.domain.text import problem as text_problem
from gemba.extensions import db
from gemba.interchange.exports import site_record
from gemba.models import Fact, Gap, GapStatus, Site, Statement, Topic, User, Walk, topic_key

MAX_TOPIC = MAX_NAME


def uuid_param(args: Mapping[str, str], name: str) -> uuid.UUID | None:
    """An optional UUID filter; a malformed one is an error, not an empty result."""
    raw = args.get(name)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise QueryInvalid([FieldError(name, Message("Must be a UUID."))]) from None


# -- lists ----------------------------------------------------------------------------------


def list_sites(page: Page) -> dict[str, Any]:
    """Every site, by name, as Gemba JSON site records."""
    keys = [Key(Site.name, "str"), Key(Site.id, "uuid")]
    return keyset_page("sites", select(Site), keys, page, site_record, lambda s: (s.name, s.id))


def list_walks(page: Page, site_id: uuid.UUID | None) -> dict[str, Any]:
    """Walks, newest first, optionally at one site."""
    query = (
        select(Walk, Site.name, User.email)
        .join(Site, Site.id == Walk.site_id)
        .join(User, User.id == Walk.observer_id)
    )
    if site_id is not None:
        query = query.where(Walk.site_id == site_id)
    keys = [Key(Walk.started_at, "time", descending=True), Key(Walk.id, "uuid")]
    return keyset_page("walks", query, keys, page, walk_summary, lambda w, *_: (w.started_at, w.id))


def walk_summary(walk: Walk, site_name: str, observer_email: str) -> dict[str, Any]:
    """A walk for a list: enough to choose one without loading its records."""
    return {
        "id": str(walk.id),
        "site": str(walk.site_id),
        "site_name": site_name,
        "title": walk.title,
        "purpose": walk.purpose,
        "status": walk.status,
        "announced": walk.announced,
        "calibrates": str(walk.calibrates_id) if walk.calibrates_id else None,
        "observer": observer_email.split("@", 1)[0],
        "started_at": format_timestamp(walk.started_at),
        "ended_at": format_timestamp(walk.ended_at),
        "updated_at": format_timestamp(walk.updated_at),
    }


def list_topics(site: Site, page: Page) -> dict[str, Any]:
    """A site's topics by name, with how much was said and seen on each."""
    statements = (
        select(func.count(Statement.id)).where(Statement.topic_id == Topic.id).scalar_subquery()
    )
    facts = select(func.count(Fact.id)).where(Fact.topic_id == Topic.id).scalar_subquery()
    gaps = (
        select(func.count(Gap.id))
        .where(Gap.topic_id == Topic.id, Gap.contradicted.is_(True))
        .scalar_subquery()
    )
    query = select(Topic, statements, facts, gaps).where(
        Topic.site_id == site.id, Topic.merged_into_id.is_(None)
    )
    keys = [Key(Topic.key, "str"), Key(Topic.id, "int")]
    return keyset_page("topics", query, keys, page, _topic_json, lambda t, *_: (t.key, t.id))


def _topic_json(topic: Topic, statements: int, facts: int, gaps: int) -> dict[str, Any]:
    """A topic with how much evidence it has."""
    return {"name": topic.name, "statements": statements, "facts": facts, "gaps": gaps}


def gap_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """site, walk, topic and status filters from the query string, checked."""
    status = args.get("status")
    if status is not None and status not in GapStatus.__members__:
        allowed = ", ".join(GapStatus.__members__)
        raise QueryInvalid(
            [FieldError("status", Message("Must be one of: %(values)s.", values=allowed))]
        )
    topic = args.get("topic")
    if topic is not None and len(topic) > MAX_TOPIC:
        raise QueryInvalid(
            [
                FieldError(
                    "topic",
                    Message(
                        "Must be a topic name of at most %(limit)s characters.", limit=MAX_TOPIC
                    ),
                )
            ]
        )
    refused = text_problem(topic) if topic is not None else None
    if refused is not None:
        raise QueryInvalid([FieldError("topic", refused)])
    return {
        "site_id": uuid_param(args, "site"),
        "walk_id": uuid_param(args, "walk"),
        "topic": topic,
        "status": status,
    }


def list_gaps(
    page: Page,
    *,
    site_id: uuid.UUID | None = None,
    walk_id: uuid.UUID | None = None,
    topic: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Gaps, strongest first (severity x confidence), with the filters that are given."""
    query = (
        select(Gap, Topic.name, Statement.text, Statement.expired_at)
        .join(Statement, Statement.id == Gap.statement_id)
        .outerjoin(Topic, Topic.id == Gap.topic_id)
    )
    if site_id is not None:
        query = query.where(Gap.site_id == site_id)
    if walk_id is not None:
        query = query.where(Gap.walk_id == walk_id)
    if topic is not None:
        query = query.where(Topic.key == topic_key(topic))
    if status is not None:
        query = query.where(Gap.status == status)
    keys = [Key(Gap.score, "float", descending=True), Key(Gap.id, "uuid")]
    return keyset_page("gaps", query, keys, page, gap_json, lambda g, *_: (g.score, g.id))


def gap_json(
    gap: Gap,
    topic_name: str | None,
    statement_text: str,
    statement_expired_at: datetime | None = None,
) -> dict[str, Any]:
    """One gap as the API shows it: the statement, the evidence and how strong it is. A
    statement whose words a site's retention removed has an empty text and says when."""
    return {
        "id": str(gap.id),
        "site": str(gap.site_id),
        "walk": str(gap.walk_id) if gap.walk_id is not None else None,
        "statement": str(gap.statement_id),
        "statement_text": statement_text,
        "statement_expired_at": format_timestamp(statement_expired_at),
        "topic": topic_name,
        "kind": gap.kind,
        "status": gap.status,
        "contradicted": gap.contradicted,
        "severity": gap.severity,
        "confidence": gap.confidence,
        "explanation": gap.explanation,
        "evidence": list(gap.evidence or []),
        "observed": gap.observed,
        "flagged_at": format_timestamp(gap.flagged_at),
        "updated_at": format_timestamp(gap.evidence_changed_at),
        "triaged_at": format_timestamp(gap.triaged_at),
    }


# -- sync ------------------------------------------------------------------------------------


def sync_response(result: WriteResult) -> dict[str, Any]:
    """A result per record, and the gaps the batch created, changed or cleared."""
    gaps = result.gaps
    # Each gap's statement text and topic name in one round trip (a sync is on the path
    # of every check an observer logs).
    found = (
        db.session.execute(
            select(Statement.id, Statement.text, Topic.name, Statement.expired_at)
            .outerjoin(Topic, Topic.id == Statement.topic_id)
            .where(Statement.id.in_({g.statement_id for g in gaps}))
        ).all()
        if gaps
        else []
    )
    texts = {sid: text for sid, text, _, _ in found}
    names = {sid: name for sid, _, name, _ in found}
    expired = {sid: when for sid, _, _, when in found}
    results = []
    for item in result.results:
        out = wording.record_errors(item.as_json(), item.errors)
        if item.status == "rejected":
            out["http_status"] = item.http_status
        results.append(out)
    return {
        "format": FORMAT,
        "results": results,
        "gaps": [
            gap_json(
                g,
                names.get(g.statement_id),
                texts.get(g.statement_id, ""),
                expired.get(g.statement_id),
            )
            for g in gaps
        ],
        "cleared_gaps": [str(g) for g in result.cleared_gaps],
    }


def one_gap(gap_id: uuid.UUID) -> dict[str, Any] | None:
    """One gap as the list shows it, or None."""
    row = db.session.execute(
        select(Gap, Topic.name, Statement.text, Statement.expired_at)
        .join(Statement, Statement.id == Gap.statement_id)
        .outerjoin(Topic, Topic.id == Gap.topic_id)
        .where(Gap.id == gap_id)
    ).one_or_none()
    return gap_json(*row) if row is not None else None
