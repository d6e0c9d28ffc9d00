"""Actions: create one from a gap, the board, an action's page, edits and moves, CSV."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from gemba.accounts.security import role_required
from gemba.capture.vocabulary import choices
from gemba.extensions import db
from gemba.models import Action, Role, Site, User
from gemba.platform.phrasing import explained, said_words
from gemba.review import action_queries, actions, bp, exports, gap_queries, verification_walks
from gemba.review.forms import ActionForm, ActionStatusForm, VerificationWalkForm
from gemba.review.views import uuid_arg


def _action_or_404(action_id: uuid.UUID) -> Action:
    action = action_queries.load_action(action_id)
    if action is None:
        abort(404)
    return action


def _fill(form: ActionForm, site_id: uuid.UUID, topics: set[int], keep: set[uuid.UUID]) -> None:
    """Owner and gap choices: active users; the linked gaps and others on their topics."""
    form.owner.choices = choices([("", _("Nobody yet")), *action_queries.owner_choices()])
    options = action_queries.gap_choices(site_id, topics, keep)
    form.gaps.choices = [
        (str(g.id), f"{said_words(g.statement)} — {explained(g)}") for g in options
    ]


def _data(form: ActionForm) -> actions.ActionData:
    return actions.ActionData(
        title=form.title.data,
        description=form.description.data,
        owner_id=int(form.owner.data) if form.owner.data else None,
        due_date=form.due_date.data,
        status=form.status.data,
    )


def _chosen_gap_ids(form: ActionForm) -> list[uuid.UUID]:
    return [uuid.UUID(value) for value in form.gaps.data]


@bp.route("/gaps/<uuid:gap_id>/actions/new", methods=["GET", "POST"])
@role_required(Role.analyst)
def new_action(gap_id: uuid.UUID):
    """Decide a countermeasure for a gap (and others on its topic)."""
    gap = gap_queries.load_gap(gap_id)
    if gap is None:
        abort(404)
    form = ActionForm()
    _fill(form, gap.site_id, {gap.topic_id} if gap.topic_id else set(), {gap.id})
    if request.method == "GET":
        form.gaps.data = [str(gap.id)]
        form.owner.data = str(current_user.id)
    if form.validate_on_submit():
        try:
            action = actions.create_action(current_user, _data(form), _chosen_gap_ids(form))
        except ValueError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Action created."), "success")
            return redirect(url_for("review.show_action", action_id=action.id))
    return render_template("review/action_form.html", form=form, gap=gap, action=None)


@bp.route("/actions")
@login_required
def actions_board():
    """Actions by status; overdue ones stand out."""
    site_id = uuid_arg("site")
    owner_id = current_user.id if request.args.get("mine") else None
    board = action_queries.action_board(site_id, owner_id)
    sites = db.session.execute(select(Site.id, Site.name).order_by(Site.name)).all()
    return render_template(
        "review/actions.html",
        board=board,
        sites=sites,
        site_id=site_id,
        mine=bool(owner_id),
        move_form=ActionStatusForm(formdata=None),
    )


@bp.route("/actions.csv")
@login_required
def export_actions():
    """Every action (of a site, if given) as CSV."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    body = exports.actions_csv(
        uuid_arg("site"),
        action_queries.today(),
        lambda action: url_for("review.show_action", action_id=action.id, _external=True),
    )
    return Response(
        "".join(body),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="gemba-actions-{stamp}.csv"'},
    )


@bp.route("/actions/<uuid:action_id>")
@login_required
def show_action(action_id: uuid.UUID):
    """An action, its gaps, and whether evidence since it still contradicts them."""
    action = _action_or_404(action_id)
    return _action_page(action, _walk_form(action, formdata=None))


def _action_page(action: Action, walk_form: VerificationWalkForm, status: int = 200):
    form = ActionStatusForm(formdata=None, status=action.status)
    detail = action_queries.action_detail(action)
    page = render_template("review/action.html", detail=detail, move_form=form, walk_form=walk_form)
    return page, status


def _walk_form(action: Action, **kwargs) -> VerificationWalkForm:
    """Who can be asked (active users, by e-mail) and the day, tomorrow by default."""
    form = VerificationWalkForm(**kwargs)
    people = db.session.scalars(select(User).where(User.active).order_by(User.email))
    form.walker.choices = choices([("", _("Choose…")), *((str(u.id), u.email) for u in people)])
    if form.day.data is None and kwargs.get("formdata", True) is None:
        form.day.data = action_queries.today() + timedelta(days=1)
    return form


@bp.route("/actions/<uuid:action_id>/verification-walk", methods=["POST"])
@role_required(Role.analyst)
def ask_verification_walk(action_id: uuid.UUID):
    """Ask someone to walk the action's topics on a day: a walk plan due once."""
    action = _action_or_404(action_id)
    form = _walk_form(action)
    if form.validate_on_submit():
        try:
            verification_walks.ask(current_user, action_id, int(form.walker.data), form.day.data)
        except (LookupError, ValueError) as exc:
            form.walker.errors = [str(exc) if isinstance(exc, ValueError) else _("Not found.")]
        else:
            flash(_("Verification walk planned: it is on their list of walks due."), "success")
            return redirect(url_for("review.show_action", action_id=action_id))
    return _action_page(action, form, 422)


@bp.route("/actions/<uuid:action_id>/edit", methods=["GET", "POST"])
@role_required(Role.analyst)
def edit_action(action_id: uuid.UUID):
    """Change an action's title, owner, due date, status or gaps."""
    action = _action_or_404(action_id)
    form = ActionForm(obj=action if request.method == "GET" else None)
    linked = {g.id for g in action.gaps}
    topics = {g.topic_id for g in action.gaps if g.topic_id}
    _fill(form, action.site_id, topics, linked)
    if request.method == "GET":
        form.owner.data = str(action.owner_id) if action.owner_id else ""
        form.gaps.data = [str(i) for i in linked]
        form.seen.data = actions.fingerprint(action)
    if form.validate_on_submit():
        data, chosen = _data(form), _chosen_gap_ids(form)
        try:
            changes = actions.update_action(current_user, action_id, data, chosen, form.seen.data)
        except LookupError:
            abort(404)
        except ValueError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Action saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("review.show_action", action_id=action_id))
        action = _action_or_404(action_id)
        form.seen.data = actions.fingerprint(action)  # the next save is against what is now
    return render_template("review/action_form.html", form=form, gap=None, action=action)


@bp.route("/actions/<uuid:action_id>/status", methods=["POST"])
@role_required(Role.analyst)
def move_action(action_id: uuid.UUID):
    """Move an action to another status (from the board or its page)."""
    db.get_or_404(Action, action_id)
    form = ActionStatusForm()
    if form.validate_on_submit():
        try:
            moved = actions.move_action(current_user, action_id, form.status.data)
        except LookupError:
            abort(404)
        if moved is not None:
            flash(_("“%(title)s” moved.", title=moved.title), "success")
    else:
        flash(_("Choose a status."), "error")
    target = request.form.get("next", "")
    if target not in ("board",):
        return redirect(url_for("review.show_action", action_id=action_id))
    return redirect(url_for("review.actions_board") + f"#a-{action_id}")
