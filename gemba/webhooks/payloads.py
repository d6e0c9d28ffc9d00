"""The JSON body of each event: an envelope (`id`, `type`, `occurred_at`, `site_id`,
`url`) and `data` about the gap, action or walk as it is when the event is queued.

Ids are strings; times are ISO 8601 in UTC; `url` is the page in Gemba (under
GEMBA_PUBLIC_URL) a person would open. A body is written once, into the outbox row, and
sent as it is on every attempt: a retry carries the same bytes' meaning as the first try.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from flask import current_app

from gemba.extensions import db
from gemba.models import Action, AuditEvent, Gap, Plan, Walk


def envelope(
    event_id: str, event: str, at: datetime, site_id: Any, path: str | None, data: dict
) -> dict[str, Any]:
    """The body every event shares."""
    base = current_app.config.get("GEMBA_PUBLIC_URL", "").rstrip("/")
    return {
        "id": event_id,
        "type": event,
        "occurred_at": at.isoformat(),
        "site_id": str(site_id) if site_id else None,
        "url": base + path if path else None,
        "data": data,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def gap_data(gap_id: str) -> dict[str, Any]:
    """A gap as it is now, or only its id when the evidence removed it since."""
    gap = db.session.get(Gap, uuid.UUID(gap_id))
    if gap is None:
        return {"id": gap_id}
    return {
        "id": gap_id,
        "status": gap.status,
        "severity": gap.severity,
        "confidence": gap.confidence,
        "explanation": gap.explanation,
        "statement_id": _plain(gap.statement_id),
    }


def action_data(action: Action | None, action_id: str) -> dict[str, Any]:
    """An action as it is now (its title, status, owner and due date)."""
    if action is None:
        return {"id": action_id}
    return {
        "id": action_id,
        "title": action.title,
        "status": action.status,
        "owner_id": action.owner_id,
        "due_date": _plain(action.due_date),
    }


def from_audit(event: str, audit: AuditEvent) -> dict[str, Any]:
    """The body of an event the audit trail recorded (gap or action)."""
    change = {
        "verb": audit.verb,
        "actor_id": audit.user_id,
        "detail": audit.detail or {},
        "note": audit.note,
    }
    if audit.object_type == "gap":
        data = {"gap": gap_data(audit.object_id), "change": change}
        path = f"/review/gaps/{audit.object_id}"
    else:
        action = db.session.get(Action, uuid.UUID(audit.object_id))
        data = {"action": action_data(action, audit.object_id), "change": change}
        path = f"/review/actions/{audit.object_id}"
    return envelope(f"audit:{audit.id}:{event}", event, audit.at, audit.site_id, path, data)


def overdue(action: Action, at: datetime) -> dict[str, Any]:
    """An open action whose due date passed on its site's clock."""
    event_id = f"action.overdue:{action.id}:{action.due_date.isoformat()}"
    data = {"action": action_data(action, str(action.id))}
    path = f"/review/actions/{action.id}"
    return envelope(event_id, "action.overdue", at, action.site_id, path, data)


def walk_finished(walk: Walk) -> dict[str, Any]:
    """A walk marked finished."""
    data = {
        "walk": {
            "id": str(walk.id),
            "title": walk.title,
            "observer_id": walk.observer_id,
            "plan_id": _plain(walk.plan_id),
            "started_at": _plain(walk.started_at),
            "ended_at": _plain(walk.ended_at),
        }
    }
    at = walk.ended_at or walk.updated_at
    path = f"/walks/{walk.id}"
    return envelope(f"walk.finished:{walk.id}", "walk.finished", at, walk.site_id, path, data)


def walk_missed(plan: Plan, due_at: datetime) -> dict[str, Any]:
    """A planned walk nobody walked before the plan's next occurrence."""
    event_id = f"walk.missed:{plan.id}:{due_at.isoformat()}"
    data = {"plan": {"id": str(plan.id), "title": plan.title}, "due_at": due_at.isoformat()}
    return envelope(event_id, "walk.missed", due_at, plan.site_id, f"/plans/{plan.id}", data)


def ping(hook_id: int, at: datetime, nonce: str) -> dict[str, Any]:
    """What the hook page's "send a test event" button queues."""
    data = {"webhook_id": hook_id, "message": "A test event from Gemba."}
    return envelope(f"test:{hook_id}:{nonce}", "webhook.test", at, None, None, data)
