"""What the plan pages read: a site's plans with their completion, a plan's checklist
and recent walks, the items another plan could share, the people who can walk it.

Each page costs a fixed number of queries whatever the number of plans or items; the
programme's occurrences come from `plans.programme`, which expands every plan at once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from gemba.domain import clock
from gemba.domain.schedules import Occurrence
from gemba.extensions import db
from gemba.interchange import exports
from gemba.models import Plan, PlanEntry, PlanItem, Site, Topic, User, utcnow
from gemba.plans import programme
from gemba.plans.programme import PlanRow
from gemba.platform import params

RECENT_WEEKS = 4


@dataclass
class PlanSummary:
    """A row of the site's plan list."""

    row: PlanRow  # the plan and its last 4 weeks
    items: int  # active checklist items


@dataclass
class ChecklistItem:
    """An item as the plan's record has it, with when it was retired and the other plans
    that share it."""

    item: dict[str, Any]
    retired_at: datetime | None
    shared_with: list[str]


@dataclass
class Recent:
    """A plan's occurrences over the last weeks, newest first, and who walked them."""

    occurrences: list[Occurrence]
    next_due: datetime | None
    walkers: dict[int, str]  # user id -> e-mail
    zone: str

    def days(self) -> list[tuple[date, list[Occurrence]]]:
        """The occurrences by day on the site's calendar, newest day first, each day's in
        the order of the clock: a plan due three times a day is one line a day."""
        by_day: dict[date, list[Occurrence]] = defaultdict(list)
        for occurrence in self.occurrences:
            by_day[clock.local(occurrence.due_at, self.zone).date()].append(occurrence)
        return [(day, sorted(found, key=lambda o: o.due_at)) for day, found in by_day.items()]

    def walk_id(self, occurrence: Occurrence) -> uuid.UUID | None:
        return occurrence.walk[0] if occurrence.walk else None

    def walker(self, occurrence: Occurrence) -> str:
        return self.walkers.get(occurrence.walk[1], "") if occurrence.walk else ""


def site_of(args: Mapping[str, str]) -> Site | None:
    """The site named by `?site=`, or None when absent or unknown."""
    site_id = params.uuid_or_none(args, "site")
    return db.session.get(Site, site_id) if site_id is not None else None


def all_sites() -> list[Site]:
    return list(db.session.scalars(select(Site).order_by(Site.name)))


def plan_list(site: Site, now: datetime | None = None) -> list[PlanSummary]:
    """The site's plans by title, each with its active items and its last 4 weeks."""
    shown = programme.programme(site, now, weeks=RECENT_WEEKS)
    ids = [row.plan.id for row in shown.plans]
    counts: dict[uuid.UUID, int] = {}
    if ids:
        counts = dict(
            db.session.execute(
                select(PlanEntry.plan_id, func.count())
                .where(PlanEntry.plan_id.in_(ids), PlanEntry.retired_at.is_(None))
                .group_by(PlanEntry.plan_id)
            ).all()
        )
    return [PlanSummary(row, counts.get(row.plan.id, 0)) for row in shown.plans]


def current_record(plan: Plan) -> dict[str, Any]:
    """The plan's whole record as it is now: what every edit starts from."""
    return exports.plan_records(plan.site, {plan.id})[0]


def checklist(plan: Plan, record: dict[str, Any]) -> list[ChecklistItem]:
    """The record's items in order (retired ones last), with when each was retired and
    the other plans that list it."""
    retired_at = {str(e.item_id): e.retired_at for e in plan.entries}
    others: dict[str, list[str]] = defaultdict(list)
    item_ids = [uuid.UUID(item["id"]) for item in record.get("items") or []]
    if item_ids:
        for item_id, title in db.session.execute(
            select(PlanEntry.item_id, Plan.title)
            .join(Plan, Plan.id == PlanEntry.plan_id)
            .where(
                PlanEntry.item_id.in_(item_ids),
                PlanEntry.plan_id != plan.id,
                PlanEntry.retired_at.is_(None),
            )
            .order_by(Plan.title)
        ):
            others[str(item_id)].append(title)
    return [
        ChecklistItem(item, retired_at.get(item["id"]), others.get(item["id"], []))
        for item in record.get("items") or []
    ]


def shareable(plan: Plan) -> list[tuple[str, str]]:
    """(item id, label) of the items on the site's other plans that this plan does not
    list as active: "Question (topic) · Plan A, Plan B"."""
    active_here = select(PlanEntry.item_id).where(
        PlanEntry.plan_id == plan.id, PlanEntry.retired_at.is_(None)
    )
    rows = db.session.execute(
        select(PlanItem.id, PlanItem.question, Topic.name, Plan.title)
        .join(PlanEntry, PlanEntry.item_id == PlanItem.id)
        .join(Plan, Plan.id == PlanEntry.plan_id)
        .join(Topic, Topic.id == PlanItem.topic_id)
        .where(
            Plan.site_id == plan.site_id,
            Plan.id != plan.id,
            PlanEntry.retired_at.is_(None),
            PlanItem.id.not_in(active_here),
        )
        .order_by(PlanItem.question, Plan.title)
    )
    labels: dict[uuid.UUID, tuple[str, list[str]]] = {}
    for item_id, question, topic, title in rows:
        labels.setdefault(item_id, (f"{question} ({topic})", []))[1].append(title)
    return [(str(i), f"{text} · {', '.join(titles)}") for i, (text, titles) in labels.items()]


def item_elsewhere(plan: Plan, item_id: uuid.UUID) -> dict[str, Any] | None:
    """The item's record as another plan of the site has it, or None."""
    source = db.session.scalar(
        select(Plan)
        .join(PlanEntry, PlanEntry.plan_id == Plan.id)
        .where(Plan.site_id == plan.site_id, Plan.id != plan.id, PlanEntry.item_id == item_id)
        .order_by(PlanEntry.retired_at.is_not(None), Plan.title)
        .limit(1)
    )
    if source is None:
        return None
    items = exports.plan_records(plan.site, {source.id})[0].get("items") or []
    return next((i for i in items if i["id"] == str(item_id)), None)


def recent(plan: Plan, now: datetime | None = None, weeks: int = RECENT_WEEKS) -> Recent:
    """The plan's occurrences over the last `weeks` weeks and today, newest first."""
    now = now or utcnow()
    expanded = programme.expand([plan], now - timedelta(weeks=weeks), now, plan.site.time_zone)
    occurrences, next_due = expanded[plan.id]
    walker_ids = {o.walk[1] for o in occurrences if o.walk}
    walkers = {}
    if walker_ids:
        walkers = dict(
            db.session.execute(select(User.id, User.email).where(User.id.in_(walker_ids))).all()
        )
    return Recent(list(reversed(occurrences)), next_due, walkers, plan.site.time_zone)


def people(keep: list[str]) -> list[str]:
    """E-mails of the active users, and of those named in `keep` (a plan's assignees)."""
    active = db.session.scalars(select(User.email).where(User.active.is_(True)))
    return sorted(set(active) | set(keep), key=str.lower)


def topics(site: Site) -> list[str]:
    """The site's topic names, for the item form's suggestions."""
    return list(
        db.session.scalars(
            select(Topic.name)
            .where(Topic.site_id == site.id, Topic.merged_into_id.is_(None))
            .order_by(Topic.name)
        )
    )
