"""Cross-walk views: topics with their chart, persona empathy maps, experience maps,
walk reports and the audit trail."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Persona, Role, Site, Topic, Walk
from gemba.platform import params
from gemba.platform.allocation import no_cycle_collection
from gemba.review import (
    actions,
    bp,
    crosswalk,
    empathy,
    experience,
    observer_effect,
    queries,
    topic_charts,
)
from gemba.review.forms import PersonaNoteForm
from gemba.review.views import page_arg, uuid_arg
from gemba.topics import forms as topic_forms


def _sites() -> list:
    return db.session.execute(select(Site.id, Site.name).order_by(Site.name)).all()


@bp.route("/topics")
@login_required
def topics():
    """Topics across walks, with their numbers of statements, facts and gaps."""
    site_id = uuid_arg("site")
    search = params.search_text(request.args, "q", max_length=200)
    sort = "gaps" if request.args.get("sort") == "gaps" else "name"
    rows, total = crosswalk.topics_page(site_id, search, sort, page_arg())
    return render_template(
        "review/topics.html",
        rows=rows,
        total=total,
        page=page_arg(),
        per_page=queries.PER_PAGE,
        sites=_sites(),
        site_id=site_id,
        search=search,
        sort=sort,
    )


@bp.route("/topics/<int:topic_id>")
@login_required
def show_topic(topic_id: int):
    """Every statement and fact on a topic, and observed against claimed over time."""
    topic = db.get_or_404(Topic, topic_id)
    if topic.merged_into_id is not None:  # its records and its name now lead there
        target = db.session.get(Topic, topic.merged_into_id)
        flash(
            _("“%(source)s” was merged into “%(target)s”.", source=topic.name, target=target.name),
            "info",
        )
        return redirect(url_for("review.show_topic", topic_id=target.id))
    detail = crosswalk.topic_detail(topic)
    return render_template(
        "review/topic.html",
        detail=detail,
        charts=topic_charts.topic_charts(detail),
        effect=observer_effect.for_topic(topic.id, topic.site_id),
        **topic_forms.names_context(topic, editable=current_user.has_role(Role.analyst)),
    )


@bp.route("/personas")
@login_required
def personas():
    """Personas by site, each leading to its empathy map."""
    site_id = uuid_arg("site")
    return render_template(
        "review/personas.html",
        rows=empathy.personas(site_id),
        sites=_sites(),
        site_id=site_id,
    )


@bp.route("/personas/<uuid:persona_id>", methods=["GET", "POST"])
@login_required
def show_persona(persona_id: uuid.UUID):
    """A persona's empathy map: Says, Does, Feels, and what the analysts think."""
    persona = db.get_or_404(Persona, persona_id)
    form = PersonaNoteForm()
    if request.method == "POST":
        if not current_user.has_role(Role.analyst):
            abort(403)
        if form.validate_on_submit():
            actions.add_persona_note(current_user, persona_id, form.text.data)
            flash(_("Note added to Thinks."), "success")
            return redirect(url_for("review.show_persona", persona_id=persona_id) + "#thinks")
    return render_template(
        "review/persona.html",
        persona=persona,
        site=db.session.get(Site, persona.site_id),
        map=empathy.empathy_map(persona),
        form=form,
    )


@bp.route("/walks")
@login_required
def walks():
    """Walks, newest first, leading to their report and experience map."""
    site_id = uuid_arg("site")
    rows, total = crosswalk.walks_page(site_id, page_arg())
    return render_template(
        "review/walks.html",
        rows=rows,
        total=total,
        page=page_arg(),
        per_page=queries.PER_PAGE,
        sites=_sites(),
        site_id=site_id,
    )


def _walk_or_404(walk_id: uuid.UUID) -> Walk:
    walk = experience.load_walk(walk_id)
    if walk is None:
        abort(404)
    return walk


@bp.route("/walks/<uuid:walk_id>/experience")
@login_required
def walk_experience(walk_id: uuid.UUID):
    """The walk's places in visit order with pain, delight and the worst gaps."""
    found = experience.for_walk(_walk_or_404(walk_id))
    return render_template("review/experience.html", map=found)


@bp.route("/sites/<uuid:site_id>/experience")
@login_required
def site_experience(site_id: uuid.UUID):
    """All walks at a site on one experience map, places merged by name."""
    found = experience.for_site(db.get_or_404(Site, site_id))
    return render_template("review/experience.html", map=found)


@bp.route("/walks/<uuid:walk_id>/report")
@login_required
def walk_report(walk_id: uuid.UUID):
    """A printable report of a walk: summary, gaps with evidence, actions. A dense walk
    loads and renders hundreds of gaps: the cycle collector waits until it is done."""
    with no_cycle_collection():
        report = crosswalk.walk_report(_walk_or_404(walk_id))
        return render_template("review/report.html", report=report)


@bp.route("/history")
@login_required
def history():
    """The audit trail: every triage, action change and persona note, newest first."""
    kind = request.args.get("type")
    kind = kind if kind in ("gap", "action", "persona", "user") else None
    return render_template(
        "review/history.html", pagination=queries.audit_page(kind, page_arg()), kind=kind
    )
