"""The write path's rules for a plan record, and for the walks and facts tied to a plan.

A plan record is the plan's whole state: its fields, its assignees and its checklist in
order. An item the record no longer lists is retired from the plan, never deleted, so
the facts that answered it keep their history; `"retired": true` says the same
explicitly (an export lists retired items that way). An item's written standard is kept
as a statement with source `sop` and no walk (its id derived from the item's), which
the say-vs-do engine judges against every fact on the item's topic at the site.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from gemba.capture.outcomes import Reject, WriteContext
from gemba.capture.upserts import claim_values, note_touched, optional, topic_id_of, upsert
from gemba.domain import schedules
from gemba.domain.gemba_json import parse_uuid
from gemba.extensions import db
from gemba.models import (
    Plan,
    PlanEntry,
    PlanItem,
    PlanSchedule,
    Role,
    Site,
    Statement,
    User,
    Walk,
    utcnow,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STANDARD_NAMESPACE = uuid.UUID("5b0e3c1d-7a2f-4e8b-9c61-2d4f8a7e3b90")


def standard_id_for(item_id: uuid.UUID) -> uuid.UUID:
    """An item has at most one standard; its statement id is derived, stable on re-import."""
    return uuid.uuid5(STANDARD_NAMESPACE, str(item_id))


def apply_plan(ctx: WriteContext, record: dict) -> str:
    site = db.session.get(Site, parse_uuid(record["site"]))
    if site is None:
        raise Reject("site", "Unknown site.", 404)
    plan_id = parse_uuid(record["id"])
    existing = db.session.get(Plan, plan_id)
    if existing is not None and existing.site_id != site.id:
        raise Reject("site", "A plan cannot move to another site.", 409)
    values: dict[str, Any] = {"site_id": site.id, "title": record["title"].strip()}
    optional(
        record,
        values,
        {"purpose": "purpose", "assignee_role": "assignee_role", "announced": "announced"},
    )
    if "schedule" in record:
        values["schedule"] = (record["schedule"] or "").strip() or None
    if "route" in record:
        values["route"] = [" ".join(name.split()) for name in record["route"] or [] if name.strip()]
    plan, status = upsert(ctx, Plan, plan_id, values, existing)
    changed = status != "unchanged"
    if "assignees" in record:
        changed |= _set_assignees(plan, record["assignees"] or [])
    if "schedule" in record:
        changed |= _keep_schedule(plan, existing is None)
    if "items" in record:
        changed |= _set_items(ctx, plan, site, record["items"] or [])
    if changed and not ctx.actor.has_role(Role.analyst):
        raise Reject("type", "Only analysts and admins can add or change walk plans.", 403)
    return "updated" if changed and status == "unchanged" else status


def _set_assignees(plan: Plan, emails: list[str]) -> bool:
    wanted: list[User] = []
    for position, email in enumerate(emails):
        user = db.session.scalar(
            select(User).where(func.lower(User.email) == email.strip().lower())
        )
        if user is None:
            raise Reject(f"assignees.{position}", "No user with this e-mail address.", 422)
        if user not in wanted:
            wanted.append(user)
    if {u.id for u in plan.assignees} == {u.id for u in wanted}:
        return False
    plan.assignees = wanted
    return True


def _keep_schedule(plan: Plan, new: bool) -> bool:
    """Close the schedule in force and start the new one: occurrences already due under
    the old schedule stay as they were. A new plan's schedule starts at its DTSTART, so
    an imported plan brings its history."""
    current = db.session.scalar(
        select(PlanSchedule).where(PlanSchedule.plan_id == plan.id, PlanSchedule.ends_at.is_(None))
    )
    if (current.rule if current else None) == plan.schedule:
        return False
    now = utcnow()
    if current is not None:
        current.ends_at = now
    if plan.schedule:
        starts_at = now
        if new:
            first = next(iter(schedules.occurrences(plan.schedule, _EPOCH, now)), None)
            starts_at = first or now
        db.session.add(PlanSchedule(plan_id=plan.id, rule=plan.schedule, starts_at=starts_at))
    return True


def _set_items(ctx: WriteContext, plan: Plan, site: Site, items: list[dict]) -> bool:
    changed = False
    entries = {entry.item_id: entry for entry in plan.entries}
    listed: set[uuid.UUID] = set()
    now = utcnow()
    for position, record in enumerate(items):
        item, item_changed = _apply_item(ctx, site, position, record)
        changed |= item_changed
        listed.add(item.id)
        retired_at = (entries[item.id].retired_at if item.id in entries else None) or now
        retired_at = retired_at if record.get("retired") else None
        entry = entries.get(item.id)
        if entry is None:
            plan.entries.append(
                PlanEntry(item_id=item.id, position=position, retired_at=retired_at)
            )
            changed = True
        elif (entry.position, entry.retired_at) != (position, retired_at):
            entry.position, entry.retired_at = position, retired_at
            changed = True
    for item_id, entry in entries.items():
        if item_id not in listed and entry.retired_at is None:
            entry.retired_at = now
            changed = True
    return changed


def _apply_item(
    ctx: WriteContext, site: Site, position: int, record: dict
) -> tuple[PlanItem, bool]:
    item_id = parse_uuid(record["id"])
    existing = db.session.get(PlanItem, item_id)
    if existing is not None and existing.site_id != site.id:
        raise Reject(f"items.{position}.id", "This item belongs to another site's plan.", 409)
    topic_id = topic_id_of(ctx, site.id, record["topic"])
    if topic_id is None:
        raise Reject(f"items.{position}.topic", "This field cannot be empty.")
    values: dict[str, Any] = {
        "site_id": site.id,
        "topic_id": topic_id,
        "question": " ".join(record["question"].split()),
        "kind": record["kind"],
        "unit": (record.get("unit") or "").strip() or None,
        "reference": (record.get("reference") or "").strip() or None,
    }
    if existing is not None and existing.topic_id != topic_id:
        ctx.topics.add(existing.topic_id)
    item, status = upsert(ctx, PlanItem, item_id, values, existing)
    db.session.flush()
    standard_changed = _set_standard(ctx, item, record.get("standard"))
    return item, status != "unchanged" or standard_changed


def _set_standard(ctx: WriteContext, item: PlanItem, claim: dict | None) -> bool:
    """The item's standard as a statement (source sop, no walk), or none."""
    statement_id = standard_id_for(item.id)
    existing = db.session.get(Statement, statement_id)
    if not claim:
        if existing is None:
            return False
        ctx.topics.add(existing.topic_id)
        db.session.delete(existing)
        return True
    values: dict[str, Any] = {
        "walk_id": None,
        "plan_item_id": item.id,
        "topic_id": item.topic_id,
        "text": item.question,
        "source": "sop",
        "speaker": None,
        **claim_values(claim),
    }
    if existing is not None:
        note_touched(ctx, "statement", existing)
    obj, status = upsert(ctx, Statement, statement_id, values, existing)
    note_touched(ctx, "statement", obj)
    return status != "unchanged"


def plan_of_walk(record: dict, site: Site) -> uuid.UUID | None:
    """The walk's plan, which must be a plan of the walk's site."""
    if record.get("plan") is None:
        return None
    plan = db.session.get(Plan, parse_uuid(record["plan"]))
    if plan is None:
        raise Reject("plan", "Unknown walk plan.", 404)
    if plan.site_id != site.id:
        raise Reject("plan", "The plan is for another site.", 422)
    return plan.id


def item_of_fact(ctx: WriteContext, record: dict, walk: Walk, values: dict[str, Any]) -> None:
    """A check: the fact answers an item of a plan of its walk's site; without a topic of
    its own it takes the item's."""
    if "plan_item" not in record:
        return
    if record["plan_item"] is None:
        values["plan_item_id"] = None
        return
    item = db.session.get(PlanItem, parse_uuid(record["plan_item"]))
    if item is None or item.site_id != walk.site_id:
        raise Reject("plan_item", "Unknown checklist item at this site.", 404)
    values["plan_item_id"] = item.id
    if values.get("topic_id") is None:
        values["topic_id"] = item.topic_id
