"""The start-walk and edit-walk form: site, title, purpose, and how the walk is run —
announced or not (preselected from the plan's setting, else the site's), the observer
visible or not, and the walk it shadows (a calibration walk).

The choices of "Shadow a walk" are the walks in progress today by other observers; the
write path decides whether one may be shadowed (same site, not itself a shadow), and its
refusal shows next to the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from gemba.capture.vocabulary import (
    ANNOUNCED_CHOICES,
    OWN_WALK,
    VISIBLE_CHOICES,
    WALK_BANNERS,
    choices,
    hint,
    label,
)
from gemba.domain import clock
from gemba.domain.gemba_json import MAX_NAME, MAX_TEXT
from gemba.extensions import db
from gemba.models import Plan, Site, Walk
from gemba.platform.forms import BaseForm


def _blank(value):
    if isinstance(value, str):
        value = value.strip()
    return value if value not in ("", None) else None


def yes_no(value: bool | None) -> str:
    return "no" if value is False else "yes"


class WalkForm(BaseForm):
    site = SelectField(label("walk", "site"), validators=[DataRequired()])
    title = StringField(
        label("walk", "title"),
        validators=[DataRequired(), Length(max=MAX_NAME)],
        render_kw={"autofocus": True},
    )
    purpose = TextAreaField(
        label("walk", "purpose"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=hint("walk", "purpose"),
        render_kw={"rows": 2},
    )
    announced = RadioField(
        label("walk", "announced"),
        choices=choices(ANNOUNCED_CHOICES),
        default="yes",
        description=hint("walk", "announced"),
    )
    observer_visible = RadioField(
        label("walk", "observer_visible"),
        choices=choices(VISIBLE_CHOICES),
        default="yes",
        description=hint("walk", "observer_visible"),
    )
    calibrates = SelectField(
        label("walk", "calibrates"),
        choices=[],
        validate_choice=False,
        description=hint("walk", "calibrates"),
    )
    plan = HiddenField()

    def to_record(self, walk_id: str) -> dict:
        record = {
            "type": "walk",
            "id": walk_id,
            "site": self.site.data,
            "title": self.title.data,
            "purpose": _blank(self.purpose.data),
            "announced": self.announced.data == "yes",
            "observer_visible": self.observer_visible.data == "yes",
            "calibrates": _blank(self.calibrates.data),
        }
        if _blank(self.plan.data):
            record["plan"] = _blank(self.plan.data)
        return record

    def load(self, walk: Walk) -> None:
        """An existing walk's values (edit)."""
        self.site.data = str(walk.site_id)
        self.title.data, self.purpose.data = walk.title, walk.purpose
        self.announced.data = yes_no(walk.announced)
        self.observer_visible.data = yes_no(walk.observer_visible)
        self.calibrates.data = str(walk.calibrates_id) if walk.calibrates_id else ""


def _plan(raw: str | None) -> Plan | None:
    try:
        return db.session.get(Plan, uuid.UUID(raw)) if raw else None
    except ValueError:
        return None


def _site(raw: str | None) -> Site | None:
    try:
        return db.session.get(Site, uuid.UUID(raw)) if raw else None
    except ValueError:
        return None


def preselect(form: WalkForm, args: Mapping[str, str]) -> None:
    """A new walk's form: the plan (?plan=) or site (?site=) asked for, else the first
    site, and "Announced" as that plan or site has it."""
    plan = _plan(args.get("plan"))
    site = plan.site if plan is not None else _site(args.get("site"))
    if site is None and form.site.choices:
        site = db.session.get(Site, uuid.UUID(form.site.choices[0].value))
    if plan is not None:
        form.plan.data = str(plan.id)
        form.title.data = form.title.data or plan.title
        form.purpose.data = form.purpose.data or plan.purpose
    if site is not None:
        form.site.data = str(site.id)
    default = plan.announced if plan is not None else None
    if default is None and site is not None:
        default = site.walks_announced
    form.announced.data = yes_no(default)


def shadow_choices(user_id: int, keep: uuid.UUID | None = None) -> list:
    """Walks in progress today (on their site's clock) by other observers, that shadow no
    walk themselves; `keep` (the walk an edited walk shadows) stays a choice."""
    since = datetime.now(UTC) - timedelta(days=1, hours=14)
    walks = db.session.scalars(
        select(Walk)
        .where(((Walk.status == "in_progress") & (Walk.observer_id != user_id)) | (Walk.id == keep))
        .where((Walk.started_at >= since) | (Walk.id == keep))
        .options(joinedload(Walk.site), joinedload(Walk.observer))
        .order_by(Walk.started_at.desc())
        .limit(50)
    ).all()
    now = datetime.now(UTC)
    shown = [
        w
        for w in walks
        if w.id == keep
        or (
            w.calibrates_id is None
            and clock.local(w.started_at, w.site.time_zone).date()
            == clock.local(now, w.site.time_zone).date()
        )
    ]
    pairs = [("", OWN_WALK)]
    pairs += [(str(w.id), f"{w.title} ({w.observer.label}, {w.site.name})") for w in shown]
    return choices(pairs)


def banner(walk: Walk) -> list[str]:
    """The walk page's line on how the walk is run, when it is not the usual announced walk:
    unannounced, or whom it shadows (an announced walk's page has no line to spare above the
    record just saved on a phone; the app, which has, says "Announced walk" too)."""
    lines = []
    if walk.announced is False:
        lines.append(WALK_BANNERS["unannounced"])
    elif walk.calibrates_id is not None:
        lines.append(WALK_BANNERS["announced"])
    shadowed = walk.calibrates
    if shadowed is not None:
        lines.append(
            WALK_BANNERS["calibration"].format(
                title=shadowed.title, observer=shadowed.observer.label
            )
        )
    return lines
