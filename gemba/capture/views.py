"""Capture on the floor: start a walk, log places, things, facts and statements."""

from __future__ import annotations

import hashlib
import uuid

from flask import (
    abort,
    current_app,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from gemba.accounts.forms import EmptyForm
from gemba.capture import bp, messages, records, timeline, walk_form
from gemba.capture.forms import (
    ERROR_FIELDS,
    FactForm,
    PlaceForm,
    StatementForm,
    ThingForm,
    WalkForm,
    choices,
)
from gemba.capture.permissions import can_edit_walk
from gemba.domain.gemba_json import RecordInvalid
from gemba.domain.photos import PhotoRejected
from gemba.extensions import db
from gemba.gaps import to_check
from gemba.models import Fact, Photo, Place, Statement, Thing, Walk
from gemba.photos import service as photos
from gemba.plans.forms import StartForm
from gemba.plans.programme import due_for
from gemba.platform import page_cache, params
from gemba.platform.errors import localized
from gemba.platform.forms import copy_errors
from gemba.platform.phrasing import explained

KINDS = {
    "place": (Place, PlaceForm),
    "thing": (Thing, ThingForm),
    "fact": (Fact, FactForm),
    "statement": (Statement, StatementForm),
}
# The URL names a kind in the plural: /walks/<id>/facts/new.
RECORD_KINDS = "any(" + ", ".join(f"{kind}s" for kind in KINDS) + ")"


@bp.route("/")
@login_required
def index():
    """The plans' walks due to you today and overdue, your walks, then everyone's latest."""
    mine, others = timeline.walk_lists(current_user)
    # Each Start button carries a walk id of its own: a second tap opens the same walk.
    due = [(d, str(uuid.uuid4())) for d in due_for(current_user)]
    return render_template(
        "capture/index.html",
        mine=mine,
        others=others,
        due_today=[(d, walk_id) for d, walk_id in due if d.status == "due"],
        overdue=[(d, walk_id) for d, walk_id in due if d.status == "overdue"],
        start_form=StartForm(),
    )


@bp.route("/walks/new", methods=["GET", "POST"])
@login_required
def start_walk():
    """Start a walk at a site, with the question it should answer."""
    form = WalkForm()
    form.site.choices = timeline.site_choices()
    form.calibrates.choices = walk_form.shadow_choices(current_user.id)
    if not form.site.choices:
        flash(_("There is no site yet. An analyst or admin adds sites first."), "info")
    elif request.method == "GET":
        walk_form.preselect(form, request.args)
    if form.validate_on_submit():
        walk_id = str(uuid.uuid4())
        try:
            records.save(current_user, form.to_record(walk_id))
        except RecordInvalid as exc:
            copy_errors(form, exc)
        else:
            return redirect(url_for("capture.show_walk", walk_id=walk_id))
    return render_template("capture/start_walk.html", form=form)


@bp.route("/walks/<uuid:walk_id>")
@login_required
def show_walk(walk_id: uuid.UUID):
    """The walk's timeline, newest first, a page at a time, with the contradictions found so
    far; `?record=<id>` opens the page that holds that record."""
    page = params.page(request.args)
    record = params.uuid_or_none(request.args, "record")
    announced = _announced_gaps()

    def build() -> timeline.WalkPage | None:
        walk = timeline.walk_with_head(walk_id)
        if walk is None:
            return None
        editable = can_edit_walk(current_user, walk)
        view = timeline.walk_timeline(walk, page, record)
        body = render_template(
            "capture/_walk_body.html",
            **{"walk": walk, "view": view, "editable": editable, "announced": announced},
            how_run=walk_form.banner(walk),
        )
        return timeline.WalkPage(timeline.WalkHead.of(walk), view.counts, editable, body)

    # Per user: what one may edit on a walk, another may only read. A cached page costs
    # no query beyond the session's user (which reads the data revision with it).
    key = (walk_id, page, record, current_user.id, announced)
    shown = page_cache.cached("walk", key, build)
    if shown is None:
        abort(404)
    # The same for everyone on the walk, so cached too; what this session hid is not.
    checks = page_cache.cached("to_check", (walk_id,), lambda: to_check.for_walk(walk_id))
    return render_template(
        "capture/walk.html",
        walk=shown.head,
        counts=shown.counts,
        body=Markup(shown.body),  # noqa: S704  (rendered by Jinja with autoescape, then cached)
        editable=shown.editable,
        finish_form=EmptyForm(),
        to_check=to_check.shown(checks or [], to_check.hidden_keys(session, walk_id)),
    )


@bp.route("/walks/<uuid:walk_id>/to-check/<key>/hide", methods=["POST"])
@login_required
def hide_check(walk_id: uuid.UUID, key: str):
    """Hide an item of "To check here" on this walk only, for this session only."""
    db.get_or_404(Walk, walk_id)
    if EmptyForm().validate_on_submit():
        to_check.hide(session, walk_id, key)
    return redirect(url_for("capture.show_walk", walk_id=walk_id) + "#to-check")


@bp.route("/walks/<uuid:walk_id>/edit", methods=["GET", "POST"])
@login_required
def edit_walk(walk_id: uuid.UUID):
    """Rename a walk, change its purpose or how it was run."""
    walk = _editable(walk_id)
    form = WalkForm()
    form.site.choices = choices([(str(walk.site_id), walk.site.name)])
    form.calibrates.choices = walk_form.shadow_choices(current_user.id, walk.calibrates_id)
    if request.method == "GET":
        form.load(walk)
    if form.validate_on_submit():
        try:
            records.save(current_user, form.to_record(str(walk.id)))
        except RecordInvalid as exc:
            copy_errors(form, exc)
        else:
            flash(_("Walk saved."), "success")
            return redirect(url_for("capture.show_walk", walk_id=walk.id))
    return render_template("capture/edit_walk.html", form=form, walk=walk)


@bp.route("/walks/<uuid:walk_id>/finish", methods=["POST"])
@login_required
def finish_walk(walk_id: uuid.UUID):
    """Mark the walk finished (or open it again)."""
    walk = _editable(walk_id)
    if EmptyForm().validate_on_submit():
        reopen = walk.status == "finished"
        record = {
            "type": "walk",
            "id": str(walk.id),
            "site": str(walk.site_id),
            "title": walk.title,
            "status": "in_progress" if reopen else "finished",
            "ended_at": None if reopen else timeline.now_iso(),
        }
        records.save(current_user, record)
        flash(_("Walk reopened.") if reopen else _("Walk finished. Thank you!"), "success")
    return redirect(url_for("capture.show_walk", walk_id=walk.id))


@bp.route(f"/walks/<uuid:walk_id>/<{RECORD_KINDS}:kinds>/new", methods=["GET", "POST"])
@login_required
def add_record(walk_id: uuid.UUID, kinds: str):
    """Log a place, thing, fact or statement on your walk."""
    kind = kinds.removesuffix("s")
    walk = _editable(walk_id)
    form_class = KINDS[kind][1]
    form = form_class()
    timeline.fill_choices(form, walk)
    record_id = _form_record_id()
    if form.validate_on_submit() and _save(form, kind, walk, record_id):
        return _back_to_walk(walk, record_id)
    return render_template(
        "capture/record_form.html",
        form=form,
        walk=walk,
        kind=kind,
        record_id=record_id,
        choices=timeline.datalists(walk),
        photos=_photos_of(kind, record_id),
    )


@bp.route(
    f"/walks/<uuid:walk_id>/<{RECORD_KINDS}:kinds>/<uuid:record_id>/edit", methods=["GET", "POST"]
)
@login_required
def edit_record(walk_id: uuid.UUID, kinds: str, record_id: uuid.UUID):
    """Change a record of your walk."""
    kind = kinds.removesuffix("s")
    walk = _editable(walk_id)
    model, form_class = KINDS[kind]
    obj = db.session.get(model, record_id)
    if obj is None or obj.walk_id != walk.id:
        abort(404)
    form = form_class()
    timeline.fill_choices(form, walk, exclude_fact=obj.id if kind == "fact" else None)
    if request.method == "GET":
        form.load(obj)
    if form.validate_on_submit() and _save(form, kind, walk, str(obj.id)):
        return _back_to_walk(walk, str(obj.id))
    return render_template(
        "capture/record_form.html",
        form=form,
        walk=walk,
        kind=kind,
        record=obj,
        record_id=str(obj.id),
        choices=timeline.datalists(walk),
        photos=_photos_of(kind, str(obj.id)),
    )


@bp.route(
    f"/walks/<uuid:walk_id>/<{RECORD_KINDS}:kinds>/<uuid:record_id>/delete",
    methods=["GET", "POST"],
)
@login_required
def delete_record(walk_id: uuid.UUID, kinds: str, record_id: uuid.UUID):
    """Confirm, then delete a record of your walk."""
    kind = kinds.removesuffix("s")
    walk = _editable(walk_id)
    model = KINDS[kind][0]
    obj = db.session.get(model, record_id)
    if obj is None or obj.walk_id != walk.id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        records.delete(current_user, kind, obj.id)
        flash(messages.deleted(kind), "success")
        return redirect(url_for("capture.show_walk", walk_id=walk.id))
    return render_template("capture/confirm_delete.html", walk=walk, kind=kind, obj=obj, form=form)


def _editable(walk_id: uuid.UUID) -> Walk:
    walk = db.get_or_404(Walk, walk_id)
    if not can_edit_walk(current_user, walk):
        abort(403)
    return walk


def _save(form, kind: str, walk: Walk, record_id: str) -> bool:
    """Turn the form into records, write them in one go, and report new contradictions."""
    batch = [form.to_record(str(walk.id), record_id)]
    link_to = getattr(form, "contradicts", None)
    if link_to is not None and link_to.data:
        batch.append(
            {
                "type": "contradiction",
                "id": str(uuid.uuid5(uuid.UUID(record_id), link_to.data)),
                "fact": record_id,
                "statement": link_to.data,
                "note": form.contradiction_note.data or None,
            }
        )
    try:
        result = records.write_all_or_nothing(current_user, batch)
    except RecordInvalid as exc:
        copy_errors(form, exc, {**ERROR_FIELDS, "statement": "contradicts", "fact": "contradicts"})
        return False
    # The record is saved first, so a refused photo never costs the text typed for it.
    added, refused = _attach_photos(form, record_id)
    if refused:
        form.photos.errors = [f"{name}: {message}" for name, message in refused]
        flash(messages.photos_refused(kind, len(refused)), "error")
        _flash_gaps(result, record_id)
        return False
    flash(messages.saved(kind, added), "success")
    _flash_gaps(result, record_id)
    return True


def _form_record_id() -> str:
    """The record's client-made id, kept in the form so a resend updates instead of adding."""
    raw = request.form.get("record_id") or ""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return str(uuid.uuid4())


def _attach_photos(form, record_id: str) -> tuple[int, list[tuple[str, str]]]:
    """Save the chosen photos for the record: how many were added, and (file, reason) refusals."""
    uploads = form.uploads() if hasattr(form, "uploads") else []
    use_gps = bool(getattr(form, "photo_gps", None) and form.photo_gps.data)
    record_uuid = uuid.UUID(record_id)
    added, refused = 0, []
    for upload in uploads:
        data = upload.read()
        # Derived from the record and the bytes: sending the form again after a dropped
        # connection finds the photo already there instead of adding it twice.
        photo_id = uuid.uuid5(record_uuid, hashlib.sha256(data).hexdigest())
        try:
            photos.save_photo(current_user, photo_id, data, record_uuid, gps_opt_in=use_gps)
        except PhotoRejected as exc:
            refused.append((_file_name(upload.filename), localized(exc.message)))
        else:
            added += 1
    return added, refused


def _photos_of(kind: str, record_id: str) -> list[Photo]:
    """The photos already attached to a record, oldest first."""
    column = photos.KINDS[kind][1]
    return list(
        db.session.scalars(
            select(Photo).where(column == uuid.UUID(record_id)).order_by(Photo.created_at)
        )
    )


def _file_name(name: str | None) -> str:
    """A file name short enough to show beside its error."""
    name = (name or "photo").rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or "photo"
    return name if len(name) <= 60 else name[:57] + "…"


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """Photos over the request limit: say so in words, and how to keep what was typed."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1_048_576
    return render_template("capture/too_large.html", limit=f"{limit:g}"), 413


def _back_to_walk(walk: Walk, record_id: str):
    """Back to the timeline at the saved record, or at the top where a contradiction shows."""
    anchor = "" if g.get("gap_flashed") else f"#r-{record_id}"
    return redirect(url_for("capture.show_walk", walk_id=walk.id) + anchor)


def _announced_gaps() -> tuple[uuid.UUID, ...]:
    """The statements whose contradiction a flash on this page announces: the walk's gaps
    panel leaves them out, so the observer reads each new contradiction once."""
    return tuple(
        sorted(
            uuid.UUID(message["statement"])
            for category, message in get_flashed_messages(with_categories=True)
            if category == "gap" and isinstance(message, dict) and "statement" in message
        )
    )


def _flash_gaps(result: records.WriteResult, record_id: str) -> None:
    """Tell the observer at once when what they just saved contradicts a statement."""
    for gap in result.gaps:
        if gap.contradicted and (record_id in gap.evidence or str(gap.statement_id) == record_id):
            g.gap_flashed = True
            statement = gap.statement
            flash(
                {
                    "text": messages.contradicts(statement.text, statement.speaker),
                    "detail": explained(gap),
                    "statement": str(statement.id),
                    "href": url_for("capture.show_walk", walk_id=statement.walk_id)
                    + f"#r-{statement.id}",
                },
                "gap",
            )
