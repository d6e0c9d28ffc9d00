"""The programme of a site's walk plans: every occurrence due, done, late or missed, per
plan and per observer, and the walks due to one observer today.

Occurrences are not stored: each plan's schedules (one row per time a schedule was in
force) are expanded in the site's zone and matched with the plan's walks by
`domain.schedules.classify`, so the programme can never drift from the walks logged.
A schedule changed today leaves yesterday's occurrences as they were: a missed walk
stays missed.

Per observer, an occurrence counts for everyone the plan is assigned to (by name or by
role): it is theirs done or late when they walked it, missed when nobody did; one
walked by a colleague counts for neither side of that observer's rate.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from gemba.domain import clock, schedules
from gemba.domain.schedules import Occurrence
from gemba.extensions import db
from gemba.models import Plan, PlanSchedule, Site, User, Walk, plan_assignees, utcnow

WINDOW_WEEKS = 12
RATE_WEEKS = (4, 12)
# How far back an unwalked occurrence can still be overdue: a monthly plan's last one.
DUE_LOOKBACK = timedelta(days=40)
FINAL = ("done", "late", "missed", "overdue")


@dataclass
class Tally:
    """Occurrences by status, and completion rates over the last 4 and 12 weeks."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(schedules.STATUSES, 0))
    rates: dict[int, tuple[int, int]] = field(default_factory=dict)  # weeks -> (walked, counted)

    def rate(self, weeks: int) -> float | None:
        walked, counted = self.rates.get(weeks, (0, 0))
        return walked / counted if counted else None


@dataclass
class PlanRow:
    plan: Plan
    occurrences: list[Occurrence]  # in the window, oldest first
    tally: Tally
    next_due: datetime | None


@dataclass
class ObserverRow:
    user: User
    tally: Tally


@dataclass
class Programme:
    site: Site
    since: datetime
    now: datetime
    plans: list[PlanRow]
    observers: list[ObserverRow]


@dataclass(frozen=True)
class DueWalk:
    """A walk due to an observer: today's, or an earlier one not yet walked (overdue)."""

    plan: Plan
    due_at: datetime
    status: str  # "due" or "overdue"


def programme(site: Site, now: datetime | None = None, weeks: int = WINDOW_WEEKS) -> Programme:
    """Every plan of the site over the last `weeks` weeks, and everyone it is assigned to."""
    now = now or utcnow()
    since = now - timedelta(weeks=weeks)
    plans = list(
        db.session.scalars(
            select(Plan)
            .where(Plan.site_id == site.id)
            .options(selectinload(Plan.assignees))
            .order_by(Plan.title, Plan.id)
        )
    )
    by_plan = expand(plans, since, now, site.time_zone)
    rows = []
    for plan in plans:
        occurrences, next_due = by_plan[plan.id]
        rows.append(PlanRow(plan, occurrences, _tally(occurrences, now), next_due))
    return Programme(site, since, now, rows, _observers(plans, by_plan, now))


def load_schedules_and_walks(plan_ids: Sequence[uuid.UUID], since: datetime) -> tuple[dict, dict]:
    """What `expand` reads for these plans from `since` on: their schedule versions in force
    then or later, and their walks (from a day before: one may count for the first
    occurrence), oldest first. Two statements, however many plans."""
    versions: dict[uuid.UUID, list[PlanSchedule]] = defaultdict(list)
    walks: dict[uuid.UUID, list[tuple[tuple, datetime]]] = defaultdict(list)
    if plan_ids:
        for version in db.session.scalars(
            select(PlanSchedule)
            .where(PlanSchedule.plan_id.in_(plan_ids))
            .where(or_(PlanSchedule.ends_at.is_(None), PlanSchedule.ends_at > since))
        ):
            versions[version.plan_id].append(version)
        for plan_id, walk_id, observer_id, started_at in db.session.execute(
            select(Walk.plan_id, Walk.id, Walk.observer_id, Walk.started_at)
            .where(Walk.plan_id.in_(plan_ids), Walk.started_at >= since - timedelta(days=1))
            .order_by(Walk.started_at)
        ):
            walks[plan_id].append(((walk_id, observer_id), started_at))
    return versions, walks


def expand(
    plans: Sequence[Plan],
    since: datetime,
    now: datetime,
    zone: str,
    loaded: tuple[dict, dict] | None = None,
) -> dict[uuid.UUID, tuple[list[Occurrence], datetime | None]]:
    """Each plan's occurrences from `since` to the end of today, classified against its
    walks, and the next occurrence after today. `loaded` is what
    `load_schedules_and_walks` read for these plans from `since` or earlier."""
    end = _end_of_day(now, zone)
    if loaded is None:
        loaded = load_schedules_and_walks([p.id for p in plans], since)
    versions, walks = loaded
    earliest = since - timedelta(days=1)
    out = {}
    for plan in plans:
        done = [walk for walk in walks.get(plan.id, ()) if walk[1] >= earliest]
        due = _due(_in_force(versions.get(plan.id, ()), since), since, end)
        next_due = _next_due(_in_force(versions.get(plan.id, ()), since), end)
        occurrences = schedules.classify(due, done, now, zone, next_due=next_due)
        out[plan.id] = (sorted(occurrences, key=lambda o: o.due_at), next_due)
    return out


def _in_force(versions: Iterable[PlanSchedule], since: datetime) -> list[PlanSchedule]:
    """The schedule versions still in force at or after `since`."""
    return [v for v in versions if v.ends_at is None or v.ends_at > since]


def _due(versions: Iterable[PlanSchedule], start: datetime, end: datetime) -> list[datetime]:
    """Occurrences of every schedule while it was in force, within [start, end)."""
    due: list[datetime] = []
    for version in versions:
        low = max(start, version.starts_at)
        high = min(end, version.ends_at) if version.ends_at else end
        if low < high:
            due.extend(schedules.occurrences(version.rule, low, high))
    return sorted(set(due))


def _next_due(versions: Iterable[PlanSchedule], moment: datetime) -> datetime | None:
    """The first occurrence at or after the moment under the schedule then in force."""
    found = [
        due
        for version in versions
        if version.starts_at <= moment and (version.ends_at is None or version.ends_at > moment)
        if (due := schedules.next_occurrence(version.rule, moment)) is not None
    ]
    return min(found, default=None)


def _end_of_day(now: datetime, zone: str) -> datetime:
    local = clock.local(now, zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return midnight.replace(tzinfo=local.tzinfo).astimezone(now.tzinfo)


def _tally(occurrences: Iterable[Occurrence], now: datetime) -> Tally:
    tally = Tally()
    occurrences = list(occurrences)
    for occurrence in occurrences:
        tally.counts[occurrence.status] += 1
    for weeks in RATE_WEEKS:
        tally.rates[weeks] = schedules.completion(occurrences, now - timedelta(weeks=weeks), now)
    return tally


def assigned_users(plans: Sequence[Plan]) -> dict[uuid.UUID, list[User]]:
    """Who each plan is assigned to: the users named, and everyone of its role."""
    roles = {p.assignee_role for p in plans if p.assignee_role}
    by_role: dict[str, list[User]] = defaultdict(list)
    if roles:
        for user in db.session.scalars(
            select(User).where(User.role.in_(sorted(roles))).order_by(User.email)
        ):
            by_role[user.role].append(user)
    out = {}
    for plan in plans:
        users = {u.id: u for u in plan.assignees}
        users.update((u.id, u) for u in by_role.get(plan.assignee_role or "", []))
        out[plan.id] = sorted(users.values(), key=lambda u: u.email)
    return out


def _observers(
    plans: Sequence[Plan],
    by_plan: dict[uuid.UUID, tuple[list[Occurrence], datetime | None]],
    now: datetime,
) -> list[ObserverRow]:
    """Per assignee: their done and late walks, and the occurrences nobody walked."""
    mine: dict[int, list[Occurrence]] = defaultdict(list)
    users: dict[int, User] = {}
    for plan_id, people in assigned_users(plans).items():
        for occurrence in by_plan[plan_id][0]:
            walker = occurrence.walk[1] if occurrence.walk else None
            for user in people:
                users[user.id] = user
                if walker is None or walker == user.id:
                    mine[user.id].append(occurrence)
    rows = [ObserverRow(users[uid], _tally(mine[uid], now)) for uid in users]
    return sorted(rows, key=lambda r: r.user.email)


def due_for(user: User, now: datetime | None = None) -> list[DueWalk]:
    """The walks due to the user today and those overdue, earliest first, across sites."""
    now = now or utcnow()
    plans = list(
        db.session.scalars(
            select(Plan)
            .where(
                or_(
                    Plan.id.in_(
                        select(plan_assignees.c.plan_id).where(plan_assignees.c.user_id == user.id)
                    ),
                    Plan.assignee_role == user.role,
                ),
                Plan.schedule.is_not(None),
            )
            .options(selectinload(Plan.site))
        )
    )
    due: list[DueWalk] = []
    by_zone: dict[str, list[Plan]] = defaultdict(list)
    for plan in plans:
        by_zone[plan.site.time_zone].append(plan)
    for zone, zone_plans in by_zone.items():
        expanded = expand(zone_plans, now - DUE_LOOKBACK, now, zone)
        for plan in zone_plans:
            due.extend(
                DueWalk(plan, o.due_at, o.status)
                for o in expanded[plan.id][0]
                if o.status in ("due", "overdue")
            )
    return sorted(due, key=lambda d: (d.due_at, d.plan.title))
