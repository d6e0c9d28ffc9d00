"""What is due: one function per kind of notice, each returning the notices its events
call for right now, whether or not they were sent before (the sender decides that by
each notice's key, so these functions can stay plain reads).

A key names the event, not the moment of the run: the same action assigned gives the same
key on every run, a due date moved gives a new one.

Each notice's subject and text are written in its reader's language (the user's choice,
else the site's, see `gemba.notices.reader_language`) when it is decided: the e-mail and
the app's "For you" list show the same words. Dates are numeric (2026-03-02 06:00), read
alike in every language; times are on the site's clock.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from gemba.domain import clock
from gemba.extensions import db
from gemba.gaps import verification
from gemba.models import (
    Action,
    ActionStatus,
    AuditEvent,
    Gap,
    GapStatus,
    Plan,
    Site,
    User,
    Walk,
    plan_assignees,
)
from gemba.notices import reader_language
from gemba.plans import programme
from gemba.platform.time_zones import local_time

OPEN = (ActionStatus.open.value, ActionStatus.in_progress.value)
# Events older than this are not announced: a first run on an old database sends no history.
RECENT = timedelta(days=7)
# "Who walks a site": assigned to one of its plans, or walked there this recently.
WALKED_WITHIN = timedelta(days=90)
VERIFIED_VERB = verification.VERB  # the audit entry gaps.verification writes


@dataclass(frozen=True)
class Notice:
    """One e-mail's worth of news for one user; `link` is a path in the app."""

    user: User
    kind: str
    key: str
    subject: str
    text: str
    link: str | None = None
    language: str = "en"


def _notice(user: User, site_language, kind: str, key: str, subject, text, link) -> Notice:
    """A notice with its (lazy) subject and text written in the reader's language."""
    language = reader_language(user, site_language)
    with force_locale(language):
        return Notice(user, kind, key, str(subject), str(text), link, language)


def all_due(now: datetime) -> Iterator[Notice]:
    """Every notice every kind calls for now, to active users only."""
    for finder in (
        action_assigned,
        action_due,
        action_overdue,
        walk_assigned,
        walks_due_and_missed,
        needs_observation,
        action_verified,
    ):
        for notice in finder(now):
            if notice.user.active:
                yield notice


def _local_today(now: datetime, zone: str | None) -> date:
    return clock.local(now, zone).date()


def _open_actions():
    return (
        select(Action)
        .where(Action.status.in_(OPEN), Action.owner_id.is_not(None))
        .options(selectinload(Action.owner))
    )


def _site_zones() -> dict[uuid.UUID, str]:
    return dict(db.session.execute(select(Site.id, Site.time_zone)).all())


def _site_languages() -> dict[uuid.UUID, str | None]:
    return dict(db.session.execute(select(Site.id, Site.language)).all())


def _day(day: date) -> str:
    return f"{day:%Y-%m-%d}"


def action_assigned(now: datetime) -> Iterator[Notice]:
    """Open actions whose owner did not create them: tell the owner once."""
    languages = _site_languages()
    for action in db.session.scalars(_open_actions()):
        if action.owner_id == action.created_by_id:
            continue
        title = action.title
        if action.due_date:
            text = _l(
                "The action \u201c%(title)s\u201d is assigned to you, due %(date)s.",
                title=title,
                date=_day(action.due_date),
            )
        else:
            text = _l("The action \u201c%(title)s\u201d is assigned to you.", title=title)
        yield _notice(
            action.owner,
            languages.get(action.site_id),
            "action_assigned",
            f"{action.id}:assigned",
            _l("Action assigned to you: %(title)s", title=title),
            text,
            f"/review/actions/{action.id}",
        )


def action_due(now: datetime) -> Iterator[Notice]:
    """Open actions due tomorrow on their site's clock."""
    zones, languages = _site_zones(), _site_languages()
    for action in db.session.scalars(_open_actions().where(Action.due_date.is_not(None))):
        tomorrow = _local_today(now, zones.get(action.site_id)) + timedelta(days=1)
        if action.due_date != tomorrow:
            continue
        yield _notice(
            action.owner,
            languages.get(action.site_id),
            "action_due",
            f"{action.id}:{action.due_date.isoformat()}:due_tomorrow",
            _l("Due tomorrow: %(title)s", title=action.title),
            _l(
                "Your action \u201c%(title)s\u201d is due tomorrow, %(date)s.",
                title=action.title,
                date=_day(action.due_date),
            ),
            f"/review/actions/{action.id}",
        )


def action_overdue(now: datetime) -> Iterator[Notice]:
    """Open actions past their due date: once per due date, not every day."""
    zones, languages = _site_zones(), _site_languages()
    for action in db.session.scalars(_open_actions().where(Action.due_date.is_not(None))):
        if action.due_date >= _local_today(now, zones.get(action.site_id)):
            continue
        yield _notice(
            action.owner,
            languages.get(action.site_id),
            "action_overdue",
            f"{action.id}:{action.due_date.isoformat()}:overdue",
            _l("Overdue: %(title)s", title=action.title),
            _l(
                "Your action \u201c%(title)s\u201d was due %(date)s and is not done yet.",
                title=action.title,
                date=_day(action.due_date),
            ),
            f"/review/actions/{action.id}",
        )


def walk_assigned(now: datetime) -> Iterator[Notice]:
    """Plans that name the user as an assignee."""
    rows = db.session.execute(
        select(Plan, User)
        .join(plan_assignees, plan_assignees.c.plan_id == Plan.id)
        .join(User, User.id == plan_assignees.c.user_id)
        .options(selectinload(Plan.site))
    )
    for plan, user in rows:
        yield _notice(
            user,
            plan.site.language,
            "walk_assigned",
            f"{plan.id}:assigned",
            _l("Walk plan assigned to you: %(title)s", title=plan.title),
            _l(
                "You walk the plan \u201c%(title)s\u201d at %(site)s.",
                title=plan.title,
                site=plan.site.name,
            ),
            f"/plans/{plan.id}",
        )


def walks_due_and_missed(now: datetime) -> Iterator[Notice]:
    """Each assignee's occurrences due today, and those nobody walked before the next."""
    plans = list(
        db.session.scalars(
            select(Plan)
            .where(Plan.schedule.is_not(None))
            .options(selectinload(Plan.site), selectinload(Plan.assignees))
        )
    )
    people = programme.assigned_users(plans)
    by_zone: dict[str, list[Plan]] = defaultdict(list)
    for plan in plans:
        by_zone[plan.site.time_zone].append(plan)
    for zone, zone_plans in by_zone.items():
        expanded = programme.expand(zone_plans, now - programme.DUE_LOOKBACK, now, zone)
        for plan in zone_plans:
            occurrences = expanded[plan.id][0]
            today = _local_today(now, zone)
            for occurrence in occurrences:
                if (
                    occurrence.status == "due"
                    and clock.local(occurrence.due_at, zone).date() == today
                ):
                    yield from _occurrence_notices(plan, occurrence, people[plan.id], zone)
            # Only the latest miss: a first run, or a plan missed for weeks, sends no backlog.
            missed = [o for o in occurrences if o.status == "missed"]
            if missed:
                yield from _occurrence_notices(plan, missed[-1], people[plan.id], zone)


def _occurrence_notices(plan, occurrence, users, zone) -> Iterator[Notice]:
    when = local_time(occurrence.due_at, zone, "%Y-%m-%d %H:%M", label=False)
    named = {"title": plan.title, "site": plan.site.name, "when": when}
    if occurrence.status == "due":
        kind, key = "walk_due", f"{plan.id}:{occurrence.due_at.isoformat()}:due"
        subject = _l("Walk due today: %(title)s", title=plan.title)
        text = _l("The walk \u201c%(title)s\u201d at %(site)s is due today, %(when)s.", **named)
    else:
        kind, key = "walk_missed", f"{plan.id}:{occurrence.due_at.isoformat()}:missed"
        subject = _l("Walk missed: %(title)s", title=plan.title)
        text = _l(
            "The walk \u201c%(title)s\u201d at %(site)s due %(when)s was not walked.", **named
        )
    for user in users:
        yield _notice(user, plan.site.language, kind, key, subject, text, f"/plans/{plan.id}")


def walkers_of(site_id: uuid.UUID, now: datetime) -> list[User]:
    """Who walks a site: assigned to one of its plans (by name or role), or walked there
    in the last 90 days."""
    plans = list(
        db.session.scalars(
            select(Plan).where(Plan.site_id == site_id).options(selectinload(Plan.assignees))
        )
    )
    users = {u.id: u for people in programme.assigned_users(plans).values() for u in people}
    recent = select(Walk.observer_id).where(
        Walk.site_id == site_id, Walk.started_at >= now - WALKED_WITHIN
    )
    users.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(recent))))
    return sorted(users.values(), key=lambda u: u.email)


def needs_observation(now: datetime) -> Iterator[Notice]:
    """Gaps an analyst asked more observation for lately: to everyone who walks the site
    but the analyst who asked."""
    gaps = db.session.scalars(
        select(Gap)
        .where(Gap.status == GapStatus.needs_observation.value)
        .where(Gap.triaged_at.is_not(None), Gap.triaged_at >= now - RECENT)
        .options(selectinload(Gap.statement))
    )
    walkers: dict[uuid.UUID, list[User]] = {}
    names = dict(db.session.execute(select(Site.id, Site.name)).all())
    languages = _site_languages()
    for gap in gaps:
        if gap.site_id not in walkers:
            walkers[gap.site_id] = walkers_of(gap.site_id, now)
        site = names.get(gap.site_id) or _l("a site")
        named = {"site": site, "explanation": gap.explanation, "reason": gap.triage_reason}
        if gap.triage_reason:
            text = _l(
                "An analyst asks for more observation of a gap at %(site)s: "
                "%(explanation)s. Why: %(reason)s",
                **named,
            )
        else:
            text = _l(
                "An analyst asks for more observation of a gap at %(site)s: %(explanation)s.",
                **named,
            )
        for user in walkers[gap.site_id]:
            if user.id == gap.triaged_by_id:
                continue
            yield _notice(
                user,
                languages.get(gap.site_id),
                "needs_observation",
                f"{gap.id}:{gap.triaged_at.isoformat()}",
                _l("More observation needed at %(site)s", site=site),
                text,
                f"/review/gaps/{gap.id}",
            )


def action_verified(now: datetime) -> Iterator[Notice]:
    """Actions the evidence verified lately: to the owner and the analyst who created it."""
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "action",
            AuditEvent.verb == VERIFIED_VERB,
            AuditEvent.at >= now - RECENT,
        )
    )
    languages = _site_languages()
    for event in events:
        action = db.session.get(Action, uuid.UUID(event.object_id))
        if action is None:
            continue
        ids = {i for i in (action.owner_id, action.created_by_id) if i is not None}
        for user in db.session.scalars(select(User).where(or_(User.id.in_(ids)))):
            yield _notice(
                user,
                languages.get(action.site_id),
                "action_verified",
                f"{action.id}:verified:{event.id}",
                _l("Verified by evidence: %(title)s", title=action.title),
                _l(
                    "The action \u201c%(title)s\u201d was verified: the observations "
                    "since it took effect no longer contradict what was said.",
                    title=action.title,
                ),
                f"/review/actions/{action.id}",
            )


# What a notice's link is about, by its path: the record whose site the notice concerns.
LINKED = (("/review/actions/", Action), ("/review/gaps/", Gap), ("/plans/", Plan))


def site_language_of(link: str | None) -> str | None:
    """The language of the site a stored notice's link is about (None when unknown): a
    digest, made of stored notices, speaks it to a user without a choice of their own."""
    for prefix, model in LINKED:
        if not link or not link.startswith(prefix):
            continue
        try:
            record = db.session.get(model, uuid.UUID(link.removeprefix(prefix).split("/")[0]))
        except ValueError:
            return None
        site = db.session.get(Site, record.site_id) if record is not None else None
        return site.language if site is not None else None
    return None
