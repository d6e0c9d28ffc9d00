"""The API's reads of actions: the list with its filters, one action, and their JSON.

An action's JSON lists the gaps it answers (as the gap list shows them), so a script
following up a countermeasure sees whether its gaps are still contradicted. Its ETag
starts with the fingerprint the action form carries (`review.actions.fingerprint`), so
an edit sent with `If-Match` is checked by the same rule, inside the edit's transaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gemba.api.pagination import Key, Page, keyset_page
from gemba.api.reads import gap_json
from gemba.domain.gemba_json import format_timestamp
from gemba.extensions import db
from gemba.models import Action, Gap, Statement, User, action_gaps
from gemba.review.actions import fingerprint

_LOAD = (
    selectinload(Action.owner),
    selectinload(Action.gaps).selectinload(Gap.statement).selectinload(Statement.topic),
)


def load(action_id: uuid.UUID) -> Action | None:
    """One action with its owner and gaps (and their statements), or None."""
    return db.session.scalars(
        select(Action).where(Action.id == action_id).options(*_LOAD)
    ).one_or_none()


def action_json(action: Action) -> dict[str, Any]:
    """An action as the API shows it, with the gaps it answers."""
    gaps = sorted(action.gaps, key=lambda g: (-g.score, str(g.id)))
    return {
        "id": str(action.id),
        "site": str(action.site_id),
        "title": action.title,
        "description": action.description,
        "owner": action.owner.email if action.owner is not None else None,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status,
        "created_at": format_timestamp(action.created_at),
        "updated_at": format_timestamp(action.updated_at),
        "done_at": format_timestamp(action.done_at),
        "gaps": [
            gap_json(
                g,
                g.statement.topic.name if g.statement.topic else None,
                g.statement.text,
                g.statement.expired_at,
            )
            for g in gaps
        ],
    }


def etag(action: Action, body: dict[str, Any]) -> str:
    """`W/"<fingerprint>.<digest of the JSON>"`: the first part is what an edit checks,
    the whole changes with anything the JSON shows (a linked gap's status, say)."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return f'W/"{fingerprint(action)}.{digest}"'


def fingerprint_in(if_match: str) -> list[str]:
    """The fingerprints an If-Match header names (any tag that is not one of ours names
    none, so the edit is refused as stale)."""
    found = []
    for part in if_match.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        found.append(tag.split(".", 1)[0])
    return found


def list_actions(
    page: Page,
    *,
    site_id: uuid.UUID | None = None,
    gap_id: uuid.UUID | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Actions, newest first, with the filters that are given."""
    query = select(Action).options(*_LOAD)
    if site_id is not None:
        query = query.where(Action.site_id == site_id)
    if status is not None:
        query = query.where(Action.status == status)
    if gap_id is not None:
        answering = select(action_gaps.c.action_id).where(action_gaps.c.gap_id == gap_id)
        query = query.where(Action.id.in_(answering))
    keys = [Key(Action.created_at, "time", descending=True), Key(Action.id, "uuid")]
    return keyset_page("actions", query, keys, page, action_json, lambda a: (a.created_at, a.id))


def active_user(email: str) -> User | None:
    """The active user with this e-mail (case as stored, compared without case)."""
    return db.session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True))
    ).one_or_none()
