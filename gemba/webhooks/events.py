"""Which events happened, turned into outbox rows: one per event and subscribed hook.

Nothing on the app's write paths knows about webhooks. The events come from what is
already stored, read by the `flask webhooks deliver` run before it sends:

- the audit trail (gap flagged, gap triaged, action created / changed / verified): each
  hook keeps a cursor, the newest audit id it has looked at. Ids are handed out when a
  row is inserted, not when its transaction commits, so a lower id can appear after a
  higher one. The cursor therefore never passes an event younger than SETTLE: events
  younger than that are read again on the next run, and the unique (hook, event id)
  key turns the second look into nothing. A write transaction open longer than SETTLE
  (none of Gemba's is) is the one way to miss an event.
- time, as the e-mail notices read it (gemba.notices.due): open actions past their due
  date on their site's clock, planned walks missed (gemba.plans.programme, the same
  occurrences the programme and the notices classify), walks marked finished.

A new hook hears only of events after it was created: no history replayed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from gemba.domain import clock
from gemba.extensions import db
from gemba.gaps import verification
from gemba.models import (
    Action,
    ActionStatus,
    AuditEvent,
    Plan,
    Site,
    Walk,
    WalkStatus,
    Webhook,
    WebhookDelivery,
)
from gemba.plans import programme
from gemba.platform.database import transaction
from gemba.webhooks import payloads

SETTLE = timedelta(minutes=10)
BATCH = 1000  # audit events read per run
RECENT = timedelta(days=7)  # how far back a run looks for finished walks
OPEN = (ActionStatus.open.value, ActionStatus.in_progress.value)


def audit_events(audit: AuditEvent) -> list[str]:
    """The webhook events one audit entry stands for (none for most)."""
    kind, verb = audit.object_type, audit.verb
    if kind == "gap":
        return {"flagged": ["gap.flagged"], "triaged": ["gap.triaged"]}.get(verb, [])
    if kind != "action":
        return []
    if verb == "created":
        return ["action.created"]
    if verb == verification.VERB:
        return ["action.verified"]
    if verb == "status":
        moved_to = (audit.detail or {}).get("status", [None, None])[-1]
        verified = ["action.verified"] if moved_to == ActionStatus.verified.value else []
        return ["action.changed", *verified]
    return ["action.changed"] if verb == "updated" else []


def _active_hooks() -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).where(Webhook.active.is_(True))))


def collect(now: datetime) -> int:
    """Queue every event that happened since the last run for the hooks subscribed to it;
    the number of rows queued. The time-based events are read before the write
    transaction begins, so the write lock (SQLite's) is held only to queue."""
    hooks = _active_hooks()
    if not hooks:
        return 0
    timed = _timed(hooks, now)
    with transaction():
        hooks = _active_hooks()  # again: one may have been turned off meanwhile
        if not hooks:
            return 0
        queued = _from_audit(hooks, now)
        for hook in hooks:
            mine = [b for b in timed if _wants(hook, b) and _since_created(hook, b)]
            queued += queue(hook, mine, now)
        return queued


def _timed(hooks: Sequence[Webhook], now: datetime) -> list[dict[str, Any]]:
    """The bodies of the time-based events some hook wants."""
    bodies: list[dict[str, Any]] = []
    wanted = {event for hook in hooks for event in hook.events}
    if "action.overdue" in wanted:
        bodies.extend(_overdue(now))
    if "walk.missed" in wanted:
        bodies.extend(_missed(now))
    if "walk.finished" in wanted:
        since = max(now - RECENT, min(h.created_at for h in hooks))
        bodies.extend(_finished(since))
    return bodies


def _wants(hook: Webhook, body: dict[str, Any]) -> bool:
    return body["type"] in hook.events and (
        hook.site_id is None or body["site_id"] == str(hook.site_id)
    )


def _since_created(hook: Webhook, body: dict[str, Any]) -> bool:
    return datetime.fromisoformat(body["occurred_at"]) >= hook.created_at


def _from_audit(hooks: Sequence[Webhook], now: datetime) -> int:
    low = min(hook.audit_cursor for hook in hooks)
    rows = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.id > low, AuditEvent.object_type.in_(("gap", "action")))
            .order_by(AuditEvent.id)
            .limit(BATCH)
        )
    )
    bodies = [(row, event) for row in rows for event in audit_events(row)]
    settled = _settled_up_to(rows, now)
    queued = 0
    for hook in hooks:
        mine = [
            payloads.from_audit(event, row)
            for row, event in bodies
            if row.id > hook.audit_cursor and event in hook.events
        ]
        queued += queue(hook, [b for b in mine if _wants(hook, b)], now)
        hook.audit_cursor = max(hook.audit_cursor, settled)
    return queued


def _settled_up_to(rows: Sequence[AuditEvent], now: datetime) -> int:
    """The highest id before the first event younger than SETTLE (0 when none)."""
    settled = 0
    for row in rows:
        if row.at > now - SETTLE:
            break
        settled = row.id
    return settled


def start_cursor() -> int:
    """Where a new hook's cursor starts: after every audit event stored so far."""
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0


def queue(hook: Webhook, bodies: Iterable[dict[str, Any]], now: datetime) -> int:
    """Add an outbox row per body the hook has not had yet; the number added. A row
    queued meanwhile by another run is left as it is (the unique key decides)."""
    bodies = {b["id"]: b for b in bodies}
    if not bodies:
        return 0
    have = set(
        db.session.scalars(
            select(WebhookDelivery.event_id).where(
                WebhookDelivery.webhook_id == hook.id,
                WebhookDelivery.event_id.in_(list(bodies)),
            )
        )
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "webhook_id": hook.id,
            "event": body["type"],
            "event_id": event_id,
            "body": body,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for event_id, body in bodies.items()
        if event_id not in have
    ]
    if rows:
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(WebhookDelivery.__table__).on_conflict_do_nothing(
            index_elements=["webhook_id", "event_id"]
        )
        db.session.execute(insert, rows)
    return len(rows)


def _overdue(now: datetime) -> list[dict[str, Any]]:
    zones = dict(db.session.execute(select(Site.id, Site.time_zone)).all())
    found = []
    for action in db.session.scalars(
        select(Action).where(Action.status.in_(OPEN), Action.due_date.is_not(None))
    ):
        zone = zones.get(action.site_id)
        if action.due_date >= clock.local(now, zone).date():
            continue
        # It became overdue when its due day ended on the site's clock.
        day_after = datetime.combine(action.due_date + timedelta(days=1), datetime.min.time())
        became = day_after.replace(tzinfo=clock.zone(zone)).astimezone(UTC)
        found.append(payloads.overdue(action, became))
    return found


def _missed(now: datetime) -> list[dict[str, Any]]:
    plans = list(
        db.session.scalars(
            select(Plan).where(Plan.schedule.is_not(None)).options(selectinload(Plan.site))
        )
    )
    by_zone: dict[str, list[Plan]] = defaultdict(list)
    for plan in plans:
        by_zone[plan.site.time_zone].append(plan)
    found = []
    for zone, zone_plans in by_zone.items():
        expanded = programme.expand(zone_plans, now - programme.DUE_LOOKBACK, now, zone)
        for plan in zone_plans:
            for occurrence in expanded[plan.id][0]:
                if occurrence.status == "missed":
                    found.append(payloads.walk_missed(plan, occurrence.due_at))
    return found


def _finished(since: datetime) -> list[dict[str, Any]]:
    walks = db.session.scalars(
        select(Walk).where(Walk.status == WalkStatus.finished.value, Walk.updated_at >= since)
    )
    return [payloads.walk_finished(walk) for walk in walks]
