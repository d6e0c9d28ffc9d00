"""A plan's checklist, changed one item at a time: add, edit, move, retire, bring back,
and share an item of another plan of the site.

Each change reads the plan's record as it is now, changes the one item and saves the
whole record, so a change someone made meanwhile to another item or field is kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gemba.accounts.forms import EmptyForm
from gemba.accounts.security import role_required
from gemba.capture import records
from gemba.domain.gemba_json import RecordInvalid
from gemba.models import Plan, Role
from gemba.plans import bp, editing, queries, saving
from gemba.plans.forms import ITEM_UNITS, ItemForm, MoveForm, ShareForm

Change = Callable[[dict[str, Any]], dict[str, Any]]


@bp.route("/<uuid:plan_id>/items/new", methods=["GET", "POST"])
@role_required(Role.analyst)
def add_item(plan_id: uuid.UUID):
    """A new item at the end of the checklist."""
    plan = saving.plan_or_404(plan_id)
    form = ItemForm()
    if form.validate_on_submit():
        item = form.to_item(str(uuid.uuid4()))
        updated = editing.with_item(queries.current_record(plan), item)
        position = editing.position_of(updated, item["id"])
        if saving.save(form, updated, form.error_fields(position)):
            flash(_("Item added to the checklist."), "success")
            return redirect(_checklist(plan))
    return _item_page(plan, form, None)


@bp.route("/<uuid:plan_id>/items/<uuid:item_id>/edit", methods=["GET", "POST"])
@role_required(Role.analyst)
def edit_item(plan_id: uuid.UUID, item_id: uuid.UUID):
    """Change an item's question, topic, kind or standard (on every plan that shares it)."""
    plan = saving.plan_or_404(plan_id)
    record = queries.current_record(plan)
    item = _item_or_404(record, item_id)
    form = ItemForm()
    if not form.is_submitted():
        form.load(item)
    if form.validate_on_submit():
        updated = editing.with_item(record, form.to_item(item["id"]))
        position = editing.position_of(updated, item["id"])
        if saving.save(form, updated, form.error_fields(position)):
            flash(_("Item saved."), "success")
            return redirect(_checklist(plan))
    return _item_page(plan, form, item)


def _item_page(plan: Plan, form: ItemForm, item: dict[str, Any] | None):
    shared_with = queries.checklist(plan, {"items": [item]})[0].shared_with if item else []
    return render_template(
        "plans/item_form.html",
        plan=plan,
        form=form,
        item=item,
        shared_with=shared_with,
        topics=queries.topics(plan.site),
        units=ITEM_UNITS,
    )


@bp.route("/<uuid:plan_id>/items/<uuid:item_id>/move", methods=["POST"])
@role_required(Role.analyst)
def move_item(plan_id: uuid.UUID, item_id: uuid.UUID):
    """One place up or down the checklist."""
    plan = saving.plan_or_404(plan_id)
    form = MoveForm()
    if form.validate_on_submit():
        step = -1 if form.direction.data == "up" else 1
        _change(plan, partial(editing.moved, item_id=str(item_id), step=step))
    return redirect(_checklist(plan, item_id))


@bp.route("/<uuid:plan_id>/items/<uuid:item_id>/retire", methods=["POST"])
@role_required(Role.analyst)
def retire_item(plan_id: uuid.UUID, item_id: uuid.UUID):
    """Off the checklist; the checks made keep their history and it can come back."""
    plan = saving.plan_or_404(plan_id)
    retire = partial(editing.retired, item_id=str(item_id))
    if EmptyForm().validate_on_submit() and _change(plan, retire):
        flash(_("Item retired. Its checks so far keep their history."), "success")
    return redirect(_checklist(plan))


@bp.route("/<uuid:plan_id>/items/<uuid:item_id>/restore", methods=["POST"])
@role_required(Role.analyst)
def restore_item(plan_id: uuid.UUID, item_id: uuid.UUID):
    """A retired item back at the end of the checklist."""
    plan = saving.plan_or_404(plan_id)
    restore = partial(editing.restored, item_id=str(item_id))
    if EmptyForm().validate_on_submit() and _change(plan, restore):
        flash(_("Item back on the checklist."), "success")
    return redirect(_checklist(plan, item_id))


@bp.route("/<uuid:plan_id>/items/share", methods=["POST"])
@role_required(Role.analyst)
def share_item(plan_id: uuid.UUID):
    """An item of another plan of the site on this checklist too: one item, one history,
    one standard, whichever plan's walk checks it."""
    plan = saving.plan_or_404(plan_id)
    form = ShareForm()
    form.item.choices = queries.shareable(plan)
    if not form.validate_on_submit():
        flash(_("Choose an item of another plan of this site."), "error")
        return redirect(_checklist(plan))
    item = queries.item_elsewhere(plan, uuid.UUID(form.item.data))
    if item is None:
        abort(404)
    if _change(plan, partial(editing.shared, item=item)):
        flash(_("Item added from another plan. A change to it shows on both."), "success")
    return redirect(_checklist(plan, item["id"]))


def _change(plan: Plan, change: Change) -> bool:
    """Apply the change to the plan's record as it is now and save it; a 404 for an item
    not on the plan, a message for a refusal."""
    try:
        updated = change(queries.current_record(plan))
    except editing.ItemMissing:
        abort(404)
    try:
        records.save(current_user, updated)
    except RecordInvalid as exc:
        reasons = " ".join(e.message for e in exc.errors)
        flash(_("Not saved: %(reasons)s", reasons=reasons), "error")
        return False
    return True


def _item_or_404(record: dict[str, Any], item_id: uuid.UUID) -> dict[str, Any]:
    try:
        return editing.item_of(record, str(item_id))
    except editing.ItemMissing:
        abort(404)


def _checklist(plan: Plan, item_id: object = None) -> str:
    anchor = f"item-{item_id}" if item_id else "checklist"
    return url_for("plans.show_plan", plan_id=plan.id, _anchor=anchor)
