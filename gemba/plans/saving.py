"""What every plan page does to save: the whole plan record through the one write path,
its refusals put by the form's fields; and the plan or site a URL names, or a 404."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import abort
from flask_login import current_user

from gemba.capture import records
from gemba.domain import clock
from gemba.domain.gemba_json import RecordInvalid
from gemba.extensions import db
from gemba.models import Plan, Site, utcnow
from gemba.plans import queries
from gemba.platform.forms import BaseForm, copy_errors


def save(form: BaseForm, record: dict[str, Any], fields: Mapping[str, str] | None = None) -> bool:
    """Save the plan's record; False with the refusals by their fields (the write path's
    `items.2.topic` named as `fields` says, the others at the top of the form)."""
    try:
        records.save(current_user, record)
    except RecordInvalid as exc:
        copy_errors(form, exc, dict(fields or {}))
        return False
    return True


def plan_fields(record: dict[str, Any]) -> dict[str, str]:
    """The write path's names for the plan form's fields: `route.3` is the route box."""
    fields = {"schedule": "frequency"}
    fields |= {f"route.{i}": "route" for i in range(len(record.get("route") or []))}
    fields |= {f"assignees.{i}": "assignees" for i in range(len(record.get("assignees") or []))}
    return fields


def plan_or_404(plan_id: uuid.UUID) -> Plan:
    return db.get_or_404(Plan, plan_id)


def site_or_404(args: Mapping[str, str]) -> Site:
    site = queries.site_of(args)
    if site is None:
        abort(404)
    return site


def site_today(site: Site) -> date:
    """Today on the site's calendar: a schedule made now starts on it."""
    return clock.local(utcnow(), site.time_zone).date()
