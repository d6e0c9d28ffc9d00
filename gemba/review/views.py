"""The analyst workspace: gap inbox, gap page and triage, CSV of gaps.

Everyone logged in may read these pages (observers are often the same people later,
at a desk); triage, actions and persona notes need an analyst or admin. Actions live
in `action_views`, the cross-walk views in `map_views`; both register on this `bp`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from gemba.accounts.security import role_required
from gemba.capture.vocabulary import choices
from gemba.domain import deciding
from gemba.domain.units import format_number
from gemba.gaps import triage
from gemba.models import Gap, GapStatus, Role
from gemba.platform import page_cache, params
from gemba.platform.errors import problem, wants_json
from gemba.platform.redirects import local_path
from gemba.review import (
    action_queries,
    audit_words,
    bp,
    charts,
    experience_chart,
    exports,
    gap_queries,
    observer_effect,
    queries,
    verdict_chart,
)
from gemba.review.forms import (
    ACTION_LABELS,
    STATUS_LABELS,
    DismissForm,
    FilterForm,
    NoteForm,
)

# Every table the inbox's cached part reads (tests/review/test_inbox_cache.py checks it):
# the inbox is rebuilt when one of them is written, not after a photo upload.
INBOX_READS = frozenset(
    (
        "facts",
        "gaps",
        "personas",
        "places",
        "plan_items",
        "sites",
        "statements",
        "topics",
        "users",
        "walks",
    )
)

# The filter form's options (sites, walks, personas) change far less often than gaps: the
# form is cached apart under these tables, and a rebuilt inbox reuses it.
FILTER_READS = frozenset(("personas", "sites", "walks"))

TRIAGE = {
    "confirm": (GapStatus.confirmed, _l("Gap confirmed.")),
    "dismiss": (GapStatus.dismissed, _l("Gap dismissed.")),
    "observe": (GapStatus.needs_observation, _l("Marked: needs more observation.")),
    "reopen": (GapStatus.open, _l("Gap re-opened.")),
}


@bp.context_processor
def _helpers() -> dict:
    """Small formatting helpers every review template uses."""
    return {
        "status_label": lambda s: str(STATUS_LABELS.get(s, s)),
        "action_label": lambda s: str(ACTION_LABELS.get(s, s)),
        "object_word": audit_words.object_word,
        "verb_word": audit_words.verb_word,
        "claim_text": exports.claim_text,
        "pct": charts.pct,
        "verdict_chart": verdict_chart.verdict_chart,
        "experience_chart": experience_chart.experience_chart,
        "evidence_summary": queries.evidence_summary,
        "num": format_number,
        "decide_note": deciding.note_for,
        "is_overdue": action_queries.is_overdue,
        "today": action_queries.today(),
        "can_triage": current_user.is_authenticated and current_user.has_role(Role.analyst),
    }


def page_arg() -> int:
    """The page asked for, from 1 to params.MAX_PAGE."""
    return params.page(request.args)


@bp.errorhandler(params.ParamInvalid)
def query_invalid(error: params.ParamInvalid):
    """A query parameter the text rules refuse: a 400 that says which and why."""
    if wants_json():
        errors = [{"field": error.field, "message": error.message}]
        return problem(400, error.description, errors=errors)
    return render_template("error.html", status=400, message=error.description), 400


def _back() -> str:
    """Where "back to the inbox" goes: the inbox page the analyst came from, if given."""
    back = local_path(request.values.get("back")) or ""
    inbox = url_for("review.inbox")
    return back if back.startswith(inbox) else inbox


def _filter_form(options: bool = True) -> tuple[FilterForm, queries.InboxFilters]:
    """The filter form and the filters the query string asks for. The filters do not
    depend on the form's options, so callers that only filter skip reading them."""
    params.check_text(request.args)  # before any of it reaches a query
    form = FilterForm(request.args)
    if options:
        found = queries.filter_choices(uuid_arg("site"))
        form.site.choices = choices([("", _("All sites")), *found["site"]])
        form.walk.choices = choices([("", _("All walks")), *found["walk"]])
        form.persona.choices = choices([("", _("All personas")), *found["persona"]])
    else:
        form.site.choices = form.walk.choices = form.persona.choices = []
    if not request.args.get("status"):
        form.status.data = GapStatus.open.value
    return form, form.filters(params.whole_number(request.args, "topic_id"))


def _filter_form_html() -> str:
    """The inbox's filter form, with its errors, cached under the tables of its options."""

    def build() -> str:
        form, filters = _filter_form()
        return render_template("review/_inbox_filters.html", form=form, filters=filters)

    return page_cache.cached("inbox-filters", (request.full_path,), build, FILTER_READS)


def uuid_arg(name: str) -> uuid.UUID | None:
    """A UUID filter from the query string; None when absent or malformed."""
    return params.uuid_or_none(request.args, name)


@bp.route("/")
@login_required
def inbox():
    """All gaps, strongest first, with filters, counts per status and pages."""

    def build() -> str:
        _, filters = _filter_form(options=False)
        found = queries.inbox(filters, page_arg())
        return render_template(
            "review/_inbox_body.html",
            filter_form=Markup(_filter_form_html()),  # noqa: S704  (rendered by Jinja)
            filters=filters,
            inbox=found,
            here=request.full_path,
        )

    body = page_cache.cached("inbox", (request.full_path,), build, INBOX_READS)
    # Rendered by Jinja with autoescape, then cached as a string.
    return render_template("review/inbox.html", body=Markup(body))  # noqa: S704


@bp.route("/gaps.csv")
@login_required
def export_gaps():
    """The gaps the inbox filters select, as CSV."""
    _, filters = _filter_form(options=False)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    body = exports.gaps_csv(
        filters, lambda gap: url_for("review.show_gap", gap_id=gap.id, _external=True)
    )
    return Response(
        "".join(body),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="gemba-gaps-{stamp}.csv"'},
    )


def _load_gap(gap_id: uuid.UUID) -> Gap:
    gap = gap_queries.load_gap(gap_id)
    if gap is None:
        abort(404)
    return gap


def _render_gap(gap: Gap, **forms):
    """The gap page, with any submitted form (and its errors) in place of a blank one."""
    forms = {
        "confirm": forms.get("confirm") or NoteForm(prefix="confirm", formdata=None),
        "dismiss": forms.get("dismiss") or DismissForm(prefix="dismiss", formdata=None),
        "observe": forms.get("observe") or NoteForm(prefix="observe", formdata=None),
        "reopen": forms.get("reopen") or NoteForm(prefix="reopen", formdata=None),
    }
    previous, following = gap_queries.neighbours(gap)
    return render_template(
        "review/gap.html",
        gap=gap,
        detail=gap_queries.gap_detail(gap),
        effect=observer_effect.for_statement(gap.statement),
        forms=forms,
        previous=previous,
        following=following,
        back=_back(),
    )


@bp.route("/gaps/<uuid:gap_id>")
@login_required
def show_gap(gap_id: uuid.UUID):
    """A gap: the statement beside its evidence, how it was judged, and its history."""
    return _render_gap(_load_gap(gap_id))


@bp.post("/gaps/<uuid:gap_id>/confirm")
@role_required(Role.analyst)
def confirm_gap(gap_id: uuid.UUID):
    """Confirm a gap: what was said and what was done really differ."""
    return _decide(gap_id, "confirm")


@bp.post("/gaps/<uuid:gap_id>/dismiss")
@role_required(Role.analyst)
def dismiss_gap(gap_id: uuid.UUID):
    """Dismiss a gap, with the reason."""
    return _decide(gap_id, "dismiss")


@bp.post("/gaps/<uuid:gap_id>/observe")
@role_required(Role.analyst)
def ask_observation(gap_id: uuid.UUID):
    """Ask observers to look again before deciding."""
    return _decide(gap_id, "observe")


@bp.post("/gaps/<uuid:gap_id>/reopen")
@role_required(Role.analyst)
def reopen_gap(gap_id: uuid.UUID):
    """Open a triaged gap again."""
    return _decide(gap_id, "reopen")


def _decide(gap_id: uuid.UUID, decision: str):
    """Triage a gap: confirm, dismiss (with a reason), ask for observation, or re-open."""
    _load_gap(gap_id)  # 404 before anything else
    status, message = TRIAGE[decision]
    form = (DismissForm if decision == "dismiss" else NoteForm)(prefix=decision)
    field = form.reason if decision == "dismiss" else form.note
    if form.validate_on_submit():
        try:
            triage.decide(gap_id, status, current_user, field.data)
        except LookupError:
            abort(404)
        except ValueError as exc:
            field.errors = [*field.errors, str(exc)]
        else:
            flash(str(message), "success")
            return redirect(url_for("review.show_gap", gap_id=gap_id, back=_back()))
    return _render_gap(_load_gap(gap_id), **{decision: form})
