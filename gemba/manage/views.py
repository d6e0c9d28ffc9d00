"""Admins manage users; analysts and admins manage sites and personas."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from gemba.accounts import services as accounts
from gemba.accounts.forms import EmptyForm
from gemba.accounts.security import role_required
from gemba.capture import records, restore, trash
from gemba.domain.gemba_json import RecordInvalid
from gemba.extensions import db
from gemba.interchange import archives, imports
from gemba.manage import bp, site_settings
from gemba.manage import photo_views as photo_views  # attaches the log's routes to `bp`
from gemba.manage.forms import (
    PRIVACY_FIELDS,
    EditUserForm,
    ImportForm,
    NewUserForm,
    PersonaForm,
    ResetPasswordForm,
    SiteForm,
)
from gemba.models import Persona, Role, Site, User
from gemba.platform import languages, time_zones
from gemba.platform.errors import localized
from gemba.platform.forms import copy_errors


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.admin)
def users():
    """List users and add one."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            accounts.create_user(
                form.email.data, form.password.data, form.role.data, by=current_user
            )
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash(_("User %(email)s added.", email=form.email.data), "success")
            return redirect(url_for("manage.users"))
    people = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("manage/users.html", form=form, users=people)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_user(user_id: int):
    """Change a user's role, deactivate them, or set a new password."""
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user, prefix="user")
    reset = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit() and "user-role" in _posted():
        try:
            accounts.update_user(
                user, role=form.role.data, active=form.active.data, by=current_user
            )
        except accounts.AccountError as exc:
            form.role.errors.append(exc.message)
        else:
            flash(_("User updated."), "success")
            return redirect(url_for("manage.users"))
    elif reset.validate_on_submit() and "reset-password" in _posted():
        try:
            accounts.set_password(user, reset.password.data, by=current_user)
        except accounts.AccountError as exc:
            reset.password.errors.append(exc.message)
        else:
            flash(_("Password set. That user's sessions are logged out."), "success")
            return redirect(url_for("manage.users"))
    return render_template("manage/edit_user.html", user=user, form=form, reset=reset)


@bp.route("/sites", methods=["GET", "POST"])
@role_required(Role.observer)
def sites():
    """All sites; analysts and admins add new ones here."""
    form = _without_privacy(SiteForm(time_zone=time_zones.default_zone()))
    if form.validate_on_submit():
        if not current_user.has_role(Role.analyst):
            abort(403)
        record = {"type": "site", "id": str(uuid.uuid4()), **_site_fields(form)}
        if _save_site(form, record):
            flash(_("Site %(name)s added.", name=form.name.data), "success")
            return redirect(url_for("manage.site", site_id=record["id"]))
    all_sites = db.session.scalars(select(Site).order_by(Site.name)).all()
    return render_template("manage/sites.html", form=form, sites=all_sites)


@bp.route("/sites/<uuid:site_id>", methods=["GET", "POST"])
@role_required(Role.observer)
def site(site_id: uuid.UUID):
    """A site with its personas; analysts edit both."""
    site = db.get_or_404(Site, site_id)
    languages.use_site_language(site)
    form = _site_form(site)
    persona_form = PersonaForm(prefix="persona")
    if current_user.has_role(Role.analyst):
        if "site-name" in _posted() and form.validate_on_submit():
            record = {"type": "site", "id": str(site.id), **_site_fields(form)}
            if _save_site(form, record, _privacy(form)):
                flash(_("Site saved."), "success")
                return redirect(url_for("manage.site", site_id=site.id))
        elif "persona-name" in _posted() and persona_form.validate_on_submit():
            record = {
                "type": "persona",
                "id": str(uuid.uuid4()),
                "site": str(site.id),
                "name": persona_form.name.data,
                "description": persona_form.description.data or None,
            }
            if _save(persona_form, record):
                flash(_("Persona %(name)s added.", name=persona_form.name.data), "success")
                return redirect(url_for("manage.site", site_id=site.id))
    elif _posted():
        abort(403)
    return render_template(
        "manage/site.html", site=site, form=form, persona_form=persona_form, delete_form=EmptyForm()
    )


@bp.route("/personas/<uuid:persona_id>/delete", methods=["POST"])
@role_required(Role.analyst)
def delete_persona(persona_id: uuid.UUID):
    """Remove a persona; records tagged with it keep their content."""
    persona = db.get_or_404(Persona, persona_id)
    site_id = persona.site_id
    if EmptyForm().validate_on_submit():
        records.delete(current_user, "persona", persona_id)
        flash(_("Persona removed."), "success")
    return redirect(url_for("manage.site", site_id=site_id))


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.admin)
def import_records():
    """Import an export (JSON, or zip with photos) through the write path; show what failed."""
    form = ImportForm()
    imported = None
    if form.validate_on_submit():
        try:
            imported = archives.import_file(current_user, form.file.data.read())
        except imports.DocumentInvalid as exc:
            form.file.errors.append(exc.detail)
            form.file.errors.extend(f"{e.field}: {e.message}" for e in exc.errors)
        else:
            flash(_("Imported %(what)s", what=imported.describe()), "success")
    summary = imports.summary(imported.result) if imported is not None else {}
    return render_template("manage/import.html", form=form, imported=imported, summary=summary)


@bp.route("/deleted")
@role_required(Role.admin)
def deleted():
    """Records deleted within the restore period, newest first, each one restorable."""
    return render_template(
        "manage/deleted.html",
        entries=trash.restorable(),
        days=trash.keep_days(),
        form=EmptyForm(),
    )


@bp.route("/deleted/<int:entry_id>/restore", methods=["POST"])
@role_required(Role.admin)
def restore_deleted(entry_id: int):
    """Bring a deleted record back, with what went with it and its photos."""
    if EmptyForm().validate_on_submit():
        try:
            result = restore.restore(current_user, entry_id)
        except restore.RestoreRefused as exc:
            flash(str(exc), "error")
        except RecordInvalid as exc:
            flash(
                _(
                    "Not restored: %(reasons)s",
                    reasons="; ".join(localized(e.message) for e in exc.errors),
                ),
                "error",
            )
        else:
            count = len(result.results)
            flash(
                ngettext("Restored %(num)d record.", "Restored %(num)d records.", count), "success"
            )
    return redirect(url_for("manage.deleted"))


def _site_fields(form: SiteForm) -> dict:
    return {
        "name": form.name.data,
        "description": form.description.data or None,
        "time_zone": form.time_zone.data or None,
        "walks_announced": bool(form.walks_announced.data),
    }


def _site_form(site: Site) -> SiteForm:
    """The site's form; its privacy fields for admins only, filled from the site."""
    form = SiteForm(obj=site, prefix="site")
    if not current_user.has_role(Role.admin):
        return _without_privacy(form)
    if request.method != "POST":  # the stored text, as the checkboxes it stands for
        form.photo_roles.data = (site.photo_roles or ",".join(Role)).split(",")
    return form


def _without_privacy(form: SiteForm) -> SiteForm:
    """The form without the admins' fields: what another role posts for them is ignored."""
    for name in PRIVACY_FIELDS:
        delattr(form, name)
    return form


def _privacy(form: SiteForm) -> site_settings.Privacy | None:
    """The privacy settings posted by an admin; None for anyone else (left unchanged)."""
    if getattr(form, "works_council", None) is None:
        return None
    return site_settings.Privacy(
        works_council=bool(form.works_council.data),
        keep_originals=bool(form.keep_originals.data),
        photo_roles=site_settings.photo_roles_text(form.photo_roles.data),
        retention_days=form.retention_days.data,
    )


def _save_site(form: SiteForm, record: dict, privacy: site_settings.Privacy | None = None) -> bool:
    """The site record through the write path, its language and privacy with it."""
    try:
        site_settings.save_site(current_user, record, form.language.data or None, privacy)
    except RecordInvalid as exc:
        copy_errors(form, exc)
        return False
    return True


def _save(form, record: dict) -> bool:
    try:
        records.save(current_user, record)
    except RecordInvalid as exc:
        copy_errors(form, exc)
        return False
    return True


def _posted() -> set[str]:
    return set(request.form) if request.method == "POST" else set()
