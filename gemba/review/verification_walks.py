"""Verification walks: an action asks someone to walk its topics on a given day.

A verification walk is a walk plan like any other, due once (an RRULE with COUNT=1 at
09:00 on the site's clock), assigned to one person, whose checklist is a check per topic
of the statements the action answers. So it shows on that person's home as a walk due,
on the programme as done, late or missed, and its checks are facts on the topics: the
evidence since the action took effect, which verifies it (gaps.verification).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from gemba.capture import records
from gemba.domain.schedules import Occurrence
from gemba.extensions import db
from gemba.models import Action, AuditEvent, Plan, Site, Statement, User, utcnow
from gemba.plans import programme
from gemba.platform.database import transaction

VERB = "asked for a verification walk"
HOUR = "090000"  # due at 09:00 on the site's clock


@dataclass(frozen=True)
class VerificationWalk:
    plan: Plan
    walker: str
    occurrence: Occurrence | None  # None once its day is beyond the programme's window


def checklist(statements: list[Statement]) -> list[dict]:
    """One check per topic of the statements: done as said, or how much was measured."""
    items: dict[int, dict] = {}
    for statement in statements:
        topic = statement.topic
        if topic is None or topic.id in items:
            continue
        if statement.claim_frequency:
            item = {"question": f"{topic.name}: done as said (“{statement.text}”)?"}
            item["kind"] = "behaviour"
        else:
            unit = statement.claim_unit
            item = {"question": f"{topic.name}: how much (said “{statement.text}”)?"}
            item.update({"kind": "measure", "unit": unit} if unit else {"kind": "measure"})
        item["question"] = item["question"][:500]
        items[topic.id] = {"id": str(uuid.uuid4()), "topic": topic.name, **item}
    return list(items.values())


def plan_record(action: Action, site: Site, walker: User, day: date) -> dict:
    """The plan of one verification walk, as Gemba JSON."""
    statements = [gap.statement for gap in action.gaps]
    return {
        "type": "plan",
        "id": str(uuid.uuid4()),
        "site": str(site.id),
        "title": f"Verify: {action.title}"[:200],
        "purpose": f"Verification walk for the action “{action.title}”: does the fix hold?",
        "schedule": f"DTSTART;TZID={site.time_zone}:{day:%Y%m%d}T{HOUR}\nRRULE:FREQ=DAILY;COUNT=1",
        "assignees": [walker.email],
        "items": checklist(statements),
    }


def ask(actor: User, action_id: uuid.UUID, walker_id: int, day: date) -> uuid.UUID:
    """Plan the walk and note it on the action (audited); the new plan's id."""
    with transaction():
        action = db.session.get(Action, action_id)
        walker = db.session.get(User, walker_id)
        if action is None or walker is None:
            raise LookupError(action_id if action is None else walker_id)
        site = db.session.get(Site, action.site_id)
        record = plan_record(action, site, walker, day)
        if not record["items"]:
            raise ValueError("The action's statements have no topic to check.")
        records.save(actor, record)
        db.session.add(
            AuditEvent(
                user_id=actor.id,
                object_type="action",
                object_id=str(action.id),
                site_id=action.site_id,
                verb=VERB,
                detail={"plan": record["id"], "walker": walker.email, "day": day.isoformat()},
            )
        )
        return uuid.UUID(record["id"])


def walks_of(action: Action, now: datetime | None = None) -> list[VerificationWalk]:
    """The verification walks asked for, oldest first, each with its occurrence's status."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "action", AuditEvent.object_id == str(action.id))
        .where(AuditEvent.verb == VERB)
        .order_by(AuditEvent.id)
    ).all()
    walkers = {uuid.UUID(e.detail["plan"]): e.detail.get("walker", "") for e in events}
    if not walkers:
        return []
    plans = db.session.scalars(select(Plan).where(Plan.id.in_(list(walkers)))).all()
    site = db.session.get(Site, action.site_id)
    now = now or utcnow()
    found = programme.expand(plans, now - timedelta(days=400), now, site.time_zone)
    out = []
    for plan in sorted(plans, key=lambda p: list(walkers).index(p.id)):
        occurrences, next_due = found[plan.id]
        shown = occurrences[-1] if occurrences else None
        if shown is None and next_due is not None:
            shown = Occurrence(next_due, "upcoming", None, None)
        out.append(VerificationWalk(plan, walkers[plan.id], shown))
    return out
