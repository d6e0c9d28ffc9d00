"""Helpers of the programme and plan page tests: schedules on a known calendar, walks
started at a given local time, and the programme read inside an app context."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Plan, PlanSchedule, Site, User
from gemba.plans import programme as programmes
from tests.conftest import uid
from tests.plans.conftest import Plant

DAILY_6 = (
    "DTSTART;TZID=Europe/Warsaw:20260105T000000\nRRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"
)
DAILY_14 = DAILY_6.replace("BYHOUR=6", "BYHOUR=14")
# Tuesdays at 07:30, from Tuesday 6 January 2026.
TUESDAYS = (
    "DTSTART;TZID=Europe/Warsaw:20260106T000000\n"
    "RRULE:FREQ=WEEKLY;BYDAY=TU;BYHOUR=7;BYMINUTE=30;BYSECOND=0"
)
# Monday 2 March 2026, 11:00 in Warsaw (CET, UTC+1).
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(local: str) -> str:
    """A Warsaw wall time in winter ("2026-02-27 07:00") as a Gemba JSON timestamp."""
    return local.replace(" ", "T") + ":00+01:00"


def utc(local: str) -> datetime:
    """The same wall time as a UTC datetime."""
    return datetime.fromisoformat(at(local)).astimezone(UTC)


def walk(plant: Plant, plan: dict, started: str, user: User | None = None) -> str:
    """A walk of the plan started at the Warsaw wall time, by the user (the observer)."""
    walk_id = uid()
    record = {
        "type": "walk",
        "id": walk_id,
        "site": plant.site,
        "title": plan["title"],
        "plan": plan["id"],
        "started_at": at(started),
    }
    result = plant.write(user or plant.observer, record)
    assert result.results[0].status == "created", result.results[0].errors
    return walk_id


def statuses(occurrences) -> dict[str, str]:
    """Occurrences as {"2026-02-27 06:00" (UTC): status}."""
    return {o.due_at.strftime("%Y-%m-%d %H:%M"): o.status for o in occurrences}


def shown(plant: Plant, now: datetime = NOW, weeks: int = 12) -> programmes.Programme:
    """The site's programme at `now`, its rows detached for reading after the context."""
    with plant.app.app_context():
        site = db.session.get(Site, uuid.UUID(plant.site))
        result = programmes.programme(site, now, weeks=weeks)
        for row in result.plans:
            row.plan.title  # noqa: B018  (loaded before the session closes)
        db.session.expunge_all()
        return result


def due_for(plant: Plant, user: User, now: datetime = NOW) -> list[tuple[str, str, str]]:
    """(plan title, due at in UTC, status) of the walks due to the user."""
    with plant.app.app_context():
        actor = db.session.get(User, user.id)
        return [
            (d.plan.title, d.due_at.strftime("%Y-%m-%d %H:%M"), d.status)
            for d in programmes.due_for(actor, now)
        ]


def schedule_changed_at(plant: Plant, plan: dict, moment: datetime) -> None:
    """Date the plan's last schedule change to `moment`, as if it was made then."""
    with plant.app.app_context():
        versions = db.session.scalars(
            select(PlanSchedule)
            .where(PlanSchedule.plan_id == uuid.UUID(plan["id"]))
            .order_by(PlanSchedule.id)
        ).all()
        assert len(versions) == 2
        versions[0].ends_at = versions[1].starts_at = moment
        db.session.commit()


def plan_id(plant: Plant, title: str) -> str:
    with plant.app.app_context():
        return str(db.session.scalar(select(Plan.id).where(Plan.title == title)))


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the page's forms."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    found = found or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, "no CSRF token on " + url
    return found[1]
