"""Walk plans' pages: a site's plans, a plan and its recent walks, the plan form, the
programme (due, done, late, missed per plan and per observer) and starting a plan's walk.

Everyone reads plans (observers walk them); analysts and admins write them and read the
programme. Every write is the plan's whole record through the one write path."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gemba.accounts.forms import EmptyForm
from gemba.accounts.security import role_required
from gemba.capture import records
from gemba.domain import schedules
from gemba.domain.gemba_json import RecordInvalid
from gemba.extensions import db
from gemba.models import Role, Site, Walk
from gemba.plans import (
    bp,
    checklist_views,  # noqa: F401  (registers the checklist's routes)
    editing,
    queries,
    saving,
    schedule_builder,
)
from gemba.plans import programme as programmes
from gemba.plans.forms import MoveForm, PlanForm, ShareForm, StartForm
from gemba.plans.schedule_builder import BuilderInvalid

STATUS_LABELS = {
    "done": _l("Done"),
    "late": _l("Late"),
    "missed": _l("Missed"),
    "overdue": _l("Overdue"),
    "due": _l("Due"),
    "upcoming": _l("Upcoming"),
}
KIND_LABELS = {"behaviour": _l("Done / not done"), "measure": _l("Measurement")}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    """Words for schedules, standards, statuses and rates in every plan template."""
    return {
        "schedule_words": lambda text: schedules.describe(text) if text else _("No schedule"),
        "standard_words": editing.standard_words,
        "status_label": lambda status: STATUS_LABELS.get(status, status),
        "kind_label": lambda kind: KIND_LABELS.get(kind, kind),
        "percent": lambda rate: "—" if rate is None else f"{round(rate * 100)}%",
    }


def _site_or_choice(endpoint: str, *, stay: bool = False) -> Site | ResponseReturnValue:
    """The site of `?site=`; without one, the only site (`stay`: on this page, else by a
    redirect to the page with it) or a page to choose one."""
    if "site" in request.args:
        return saving.site_or_404(request.args)
    sites = queries.all_sites()
    if len(sites) == 1 and stay:
        return sites[0]
    if len(sites) == 1:
        return redirect(url_for(endpoint, site=sites[0].id))
    return render_template("plans/choose_site.html", sites=sites, endpoint=endpoint)


@bp.route("/")
@login_required
def list_plans():
    """A site's plans: schedule, who walks them, checklist size and the last 4 weeks."""
    site = _site_or_choice("plans.list_plans")
    if not isinstance(site, Site):
        return site
    return render_template(
        "plans/list.html", site=site, sites=queries.all_sites(), rows=queries.plan_list(site)
    )


@bp.route("/programme")
@role_required(Role.analyst)
def programme():
    """Every plan and every observer of a site over 12 weeks: due, done, late, missed."""
    site = _site_or_choice("plans.programme")
    if not isinstance(site, Site):
        return site
    return render_template(
        "plans/programme.html",
        site=site,
        sites=queries.all_sites(),
        shown=programmes.programme(site),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.analyst)
def new_plan():
    """A new plan for the site, its checklist empty (items are added on its page)."""
    site = _site_or_choice("plans.new_plan", stay=True)
    if not isinstance(site, Site):
        return site
    form = PlanForm()
    form.offer(queries.people([]), None, None)
    if request.method == "GET":
        today = saving.site_today(site)
        form.weekdays.data, form.month_day.data = [str(today.weekday())], today.day
    record = {"type": "plan", "id": str(uuid.uuid4()), "site": str(site.id), "items": []}
    if form.validate_on_submit() and _save_plan(form, record, site):
        flash(_("Plan %(title)s added. Now add its checklist.", title=form.title.data), "success")
        return redirect(url_for("plans.show_plan", plan_id=record["id"]))
    return render_template("plans/plan_form.html", form=form, site=site, plan=None)


@bp.route("/<uuid:plan_id>/edit", methods=["GET", "POST"])
@role_required(Role.analyst)
def edit_plan(plan_id: uuid.UUID):
    """Change a plan's title, purpose, route, schedule or people; its checklist stays."""
    plan = saving.plan_or_404(plan_id)
    record = queries.current_record(plan)
    form = PlanForm()
    form.offer(
        queries.people(record.get("assignees") or []),
        record.get("assignee_role"),
        record.get("schedule"),
    )
    if request.method == "GET":
        form.load(record)
        today = saving.site_today(plan.site)
        form.weekdays.data = form.weekdays.data or [str(today.weekday())]
        form.month_day.data = form.month_day.data or today.day
    if form.validate_on_submit() and _save_plan(form, record, plan.site):
        flash(_("Plan saved."), "success")
        return redirect(url_for("plans.show_plan", plan_id=plan.id))
    return render_template("plans/plan_form.html", form=form, site=plan.site, plan=plan)


def _save_plan(form: PlanForm, record: dict[str, Any], site: Site) -> bool:
    """The form's fields over the plan's record, the schedule composed in the site's zone
    (kept as it was when the builder is unchanged), saved through the write path."""
    fields = form.fields()
    current = record.get("schedule")
    try:
        builder = form.builder()
        if builder is not None and builder.shape() != _shape(current):
            fields["schedule"] = schedule_builder.compose(
                builder, saving.site_today(site), site.time_zone
            )
    except BuilderInvalid as exc:
        getattr(form, exc.field).errors.append(exc.message)
        return False
    updated = editing.with_fields(record, fields)
    return saving.save(form, updated, saving.plan_fields(updated))


def _shape(schedule: str | None) -> tuple | None:
    builder = schedule_builder.read(schedule)
    return builder.shape() if builder is not None else None


@bp.route("/<uuid:plan_id>")
@login_required
def show_plan(plan_id: uuid.UUID):
    """The plan, its checklist in order, the retired items and its last 4 weeks."""
    plan = saving.plan_or_404(plan_id)
    record = queries.current_record(plan)
    items = queries.checklist(plan, record)
    share_form = None
    if current_user.has_role(Role.analyst):
        share_form = ShareForm()
        share_form.item.choices = queries.shareable(plan)
    return render_template(
        "plans/show.html",
        plan=plan,
        record=record,
        active=[i for i in items if not i.item.get("retired")],
        retired=[i for i in items if i.item.get("retired")],
        recent=queries.recent(plan),
        share_form=share_form,
        move_form=MoveForm(),
        empty_form=EmptyForm(),
        start_form=StartForm(walk=str(uuid.uuid4())),
    )


@bp.route("/<uuid:plan_id>/start", methods=["POST"])
@login_required
def start_walk(plan_id: uuid.UUID):
    """Start a walk of the plan now, at its site, and open it."""
    plan = saving.plan_or_404(plan_id)
    form = StartForm()
    walk_id = _uuid(form.walk.data) if form.validate_on_submit() else None
    if walk_id is None:
        flash(_("The walk was not started: the page was out of date. Try again."), "error")
        return redirect(url_for("capture.index"))
    existing = db.session.get(Walk, walk_id)
    if existing is not None and existing.observer_id == current_user.id:
        return redirect(url_for("capture.show_walk", walk_id=walk_id))  # a second tap
    record = {
        "type": "walk",
        "id": str(walk_id),
        "site": str(plan.site_id),
        "title": plan.title,
        "purpose": plan.purpose,
        "plan": str(plan.id),
    }
    try:
        records.save(current_user, record)
    except RecordInvalid as exc:
        reasons = " ".join(e.message for e in exc.errors)
        flash(_("The walk was not started: %(reasons)s", reasons=reasons), "error")
        return redirect(url_for("capture.index"))
    return redirect(url_for("capture.show_walk", walk_id=walk_id))


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
