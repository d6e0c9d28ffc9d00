"""Admins' webhook pages: the list with the form to add one, and each hook's page with
its settings, secret and latest deliveries."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from gemba.accounts.security import role_required
from gemba.extensions import db
from gemba.models import Role, Site, Webhook, WebhookDelivery
from gemba.webhooks import EVENTS, bp, services
from gemba.webhooks.forms import HookActionForm, WebhookForm

RECENT_DELIVERIES = 50


def _site_choices(form: WebhookForm) -> None:
    sites = db.session.execute(select(Site.id, Site.name).order_by(Site.name)).all()
    form.site.choices = [
        SelectChoice("", _("Every site")),
        *(SelectChoice(str(i), name) for i, name in sites),
    ]


def _data(form: WebhookForm) -> services.HookData:
    site = uuid.UUID(form.site.data) if form.site.data else None
    return services.HookData(form.url.data, list(form.events.data), site, form.active.data)


def _refused(form: WebhookForm, exc: services.WebhookError) -> None:
    field = getattr(form, exc.field, None)
    (field.errors if field is not None else form.form_errors).append(exc.message)


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.admin)
def hooks():
    """List the hooks and add one."""
    form = WebhookForm()
    _site_choices(form)
    if form.validate_on_submit():
        try:
            hook = services.create_hook(current_user, _data(form))
        except services.WebhookError as exc:
            _refused(form, exc)
        else:
            flash(_("Webhook added. Its secret is on its page."), "success")
            return redirect(url_for("webhooks.hook", hook_id=hook.id))
    listed = db.session.scalars(select(Webhook).order_by(Webhook.id)).all()
    counts = dict(
        db.session.execute(
            select(WebhookDelivery.webhook_id, func.count())
            .where(WebhookDelivery.status == "failed")
            .group_by(WebhookDelivery.webhook_id)
        ).all()
    )
    sites = dict(db.session.execute(select(Site.id, Site.name)).all())
    return render_template(
        "webhooks/hooks.html", form=form, hooks=listed, failed=counts, sites=sites, events=EVENTS
    )


@bp.route("/<int:hook_id>", methods=["GET", "POST"])
@role_required(Role.admin)
def hook(hook_id: int):
    """A hook's settings, its secret and its latest deliveries."""
    found = db.get_or_404(Webhook, hook_id)
    form = WebhookForm(obj=found, site=str(found.site_id) if found.site_id else "")
    _site_choices(form)
    if form.validate_on_submit():
        try:
            services.update_hook(hook_id, _data(form))
        except services.WebhookError as exc:
            _refused(form, exc)
        else:
            flash(_("Webhook saved."), "success")
            return redirect(url_for("webhooks.hook", hook_id=hook_id))
    deliveries = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .limit(RECENT_DELIVERIES)
    ).all()
    return render_template(
        "webhooks/hook.html",
        hook=found,
        form=form,
        action=HookActionForm(),
        deliveries=deliveries,
        events=EVENTS,
    )


@bp.route("/<int:hook_id>/test", methods=["POST"])
@role_required(Role.admin)
def send_test(hook_id: int):
    """Queue a test event for the hook."""
    if not HookActionForm().validate_on_submit():
        abort(400)
    if not services.send_test(hook_id):
        abort(404)
    flash(_("A test event is queued: the next delivery run sends it."), "success")
    return redirect(url_for("webhooks.hook", hook_id=hook_id))


@bp.route("/<int:hook_id>/secret", methods=["POST"])
@role_required(Role.admin)
def new_secret(hook_id: int):
    """Give the hook a new secret."""
    if not HookActionForm().validate_on_submit():
        abort(400)
    if services.new_secret(hook_id) is None:
        abort(404)
    flash(_("New secret set: give it to the receiver, the old one no longer verifies."), "success")
    return redirect(url_for("webhooks.hook", hook_id=hook_id))


@bp.route("/<int:hook_id>/delete", methods=["POST"])
@role_required(Role.admin)
def delete(hook_id: int):
    """Remove the hook and its deliveries."""
    if not HookActionForm().validate_on_submit():
        abort(400)
    if not services.delete_hook(hook_id):
        abort(404)
    flash(_("Webhook deleted."), "success")
    return redirect(url_for("webhooks.hooks"))


@bp.route("/<int:hook_id>/deliveries/<uuid:delivery_id>/again", methods=["POST"])
@role_required(Role.admin)
def send_again(hook_id: int, delivery_id: uuid.UUID):
    """Queue a failed delivery again."""
    if not HookActionForm().validate_on_submit():
        abort(400)
    if services.send_again(hook_id, delivery_id):
        flash(_("The delivery is queued again."), "success")
    return redirect(url_for("webhooks.hook", hook_id=hook_id))
