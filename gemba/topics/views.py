"""The analyst's topic pages: possible duplicates per site, merging a topic into another
and undoing it, a topic's synonyms and its names in other languages. Analysts and admins
only; the services in `merging` and `translations` decide and write (each in one
transaction), the views only ask and answer. Also the templates' `shown_name` and
`shown_names`: a topic's name in the reader's language, with the typed one beside it."""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from gemba.accounts.security import role_required
from gemba.extensions import db
from gemba.models import Role, Topic, TopicMerge, TopicSynonym
from gemba.platform import params
from gemba.platform.languages import LANGUAGES
from gemba.review import crosswalk, observer_effect, topic_charts
from gemba.topics import bp, merging, names, queries, translations
from gemba.topics.forms import (
    ConfirmForm,
    MergeForm,
    SynonymForm,
    TranslationForm,
    names_context,
)


@bp.context_processor
def _review_helpers() -> dict:
    """A refused form shows the topic page again, a review template: it needs the review
    blueprint's helpers (status labels, numbers), which Flask gives only its own views."""
    found: dict = {}
    for processor in current_app.template_context_processors.get("review", []):
        found.update(processor())
    return found


@bp.app_template_global("shown_name")
def shown_name(topic: Topic) -> names.ShownName:
    """The topic's name as the reader sees it: in their language when it has one there."""
    return names.shown_name(topic, str(get_locale()))


@bp.app_template_global("shown_names")
def shown_names(rows) -> dict[int, names.ShownName]:
    """The shown names of a topic list's rows (each starting with id and typed name)."""
    return names.shown_names(rows, str(get_locale()))


def summary(moved: dict[str, int], gaps_changed: int, back: bool = False) -> str:
    """What a merge or undo moved, in words: "3 statements and 12 facts moved; 2 gaps
    changed", so the analyst sees at once whether the verdicts changed."""
    parts = [ngettext("%(num)d statement", "%(num)d statements", moved.get("statements", 0))]
    parts.append(ngettext("%(num)d fact", "%(num)d facts", moved.get("facts", 0)))
    if moved.get("plan_items"):
        parts.append(ngettext("%(num)d plan check", "%(num)d plan checks", moved["plan_items"]))
    things = _("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])
    gaps = ngettext("%(num)d gap changed", "%(num)d gaps changed", gaps_changed)
    if back:
        return _("%(things)s moved back; %(gaps)s", things=things, gaps=gaps)
    return _("%(things)s moved; %(gaps)s", things=things, gaps=gaps)


def _topic_page(topic: Topic, status: int = 422, **forms) -> tuple[str, int]:
    """The topic page again, with the form that was refused showing why by its field."""
    detail = crosswalk.topic_detail(topic)
    return render_template(
        "review/topic.html",
        detail=detail,
        charts=topic_charts.topic_charts(detail),
        effect=observer_effect.for_topic(topic.id, topic.site_id),
        **names_context(topic, editable=True, **forms),
    ), status


def _to_topic(topic_id: int) -> Response:
    """Back to the topic page, whose top shows the flash, the names and the merges."""
    return redirect(url_for("review.show_topic", topic_id=topic_id))


@bp.route("/duplicates")
@role_required(Role.analyst)
def duplicates():
    """Pairs of a site's topics that are probably one, best first, each with a merge."""
    sites = queries.sites()
    site_id = params.uuid_or_none(request.args, "site")
    if site_id not in {sid for sid, _ in sites}:
        site_id = sites[0][0] if sites else None
    return render_template(
        "topics/duplicates.html",
        sites=sites,
        site_id=site_id,
        pairs=queries.duplicates(site_id) if site_id else [],
        form=ConfirmForm(formdata=None),
    )


@bp.route("/<int:topic_id>/merge", methods=["POST"])
@role_required(Role.analyst)
def merge(topic_id: int):
    """Fold this topic into the chosen one; every statement and fact moves, gaps re-judged."""
    topic = db.get_or_404(Topic, topic_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return _topic_page(topic, merge_form=form)
    target_id = form.target_id()
    try:
        result = merging.merge(
            current_user, topic_id, target_id, queries.similarity_between(topic_id, target_id)
        )
    except merging.MergeRefused as refused:
        if refused.field != "target":  # the topic itself was merged meanwhile
            flash(refused.message, "error")
            return _to_topic(topic_id)
        form.target.errors = [refused.message]
        return _topic_page(topic, merge_form=form)
    source, target = result.merge.source.name, result.merge.target.name
    flash(
        _(
            "Merged “%(source)s” into “%(target)s”: %(summary)s.",
            source=source,
            target=target,
            summary=summary(result.moved, result.gaps_changed),
        ),
        "success",
    )
    return _to_topic(result.merge.target_id)


@bp.route("/merges/<uuid:merge_id>/undo", methods=["POST"])
@role_required(Role.analyst)
def undo(merge_id: uuid.UUID):
    """Move back exactly what a merge moved; the source's name leads to it again."""
    record = db.get_or_404(TopicMerge, merge_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = merging.undo(current_user, merge_id)
    except LookupError:
        abort(404)
    except merging.MergeRefused as refused:
        flash(refused.message, "error")
        return _to_topic(record.target_id)
    source, target = result.merge.source.name, result.merge.target.name
    flash(
        _(
            "Undid the merge of “%(source)s” into “%(target)s”: %(summary)s.",
            source=source,
            target=target,
            summary=summary(result.moved, result.gaps_changed, back=True),
        ),
        "success",
    )
    return _to_topic(result.merge.source_id)


@bp.route("/<int:topic_id>/synonyms", methods=["POST"])
@role_required(Role.analyst)
def add_synonym(topic_id: int):
    """Another name for the topic: typing it on the floor lands on this topic from now on."""
    topic = db.get_or_404(Topic, topic_id)
    form = SynonymForm()
    if not form.validate_on_submit():
        return _topic_page(topic, synonym_form=form)
    try:
        synonym = merging.add_synonym(current_user, topic_id, form.name.data)
    except merging.MergeRefused as refused:
        if refused.field != "name":
            flash(refused.message, "error")
            return _to_topic(topic_id)
        form.name.errors = [refused.message]
        return _topic_page(topic, synonym_form=form)
    flash(_("“%(name)s” now leads to “%(topic)s”.", name=synonym.name, topic=topic.name), "success")
    return _to_topic(topic_id)


@bp.route("/synonyms/<int:synonym_id>/delete", methods=["POST"])
@role_required(Role.analyst)
def remove_synonym(synonym_id: int):
    """Forget a synonym; what was already written under it stays on the topic."""
    synonym = db.get_or_404(TopicSynonym, synonym_id)
    name, topic_id, topic_name = synonym.name, synonym.topic_id, synonym.topic.name
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        merging.remove_synonym(current_user, synonym_id)
    except LookupError:
        abort(404)
    flash(_("“%(name)s” no longer leads to “%(topic)s”.", name=name, topic=topic_name), "success")
    return _to_topic(topic_id)


@bp.route("/<int:topic_id>/translations", methods=["POST"])
@role_required(Role.analyst)
def translate(topic_id: int):
    """Name the topic in one language (or replace that name), or clear it; the typed
    name stays the topic's."""
    topic = db.get_or_404(Topic, topic_id)
    form = TranslationForm()
    language = form.language.data
    if language not in LANGUAGES:
        abort(400)
    label = LANGUAGES[language]
    try:
        if form.clear.data:
            if not ConfirmForm().validate_on_submit():
                abort(400)
            cleared = translations.clear_translation(current_user, topic_id, language)
            if cleared is not None:
                flash(_("Cleared the name in %(language)s.", language=label), "success")
            return _to_topic(topic_id)
        if not form.validate_on_submit():
            return _topic_page(topic, translation_form=form)
        saved = translations.set_translation(current_user, topic_id, language, form.name.data)
    except LookupError:
        abort(404)
    except translations.TranslationRefused as refused:
        if refused.field != "name":
            flash(str(refused.message), "error")
            return _to_topic(topic_id)
        form.name.errors = [str(refused.message)]
        return _topic_page(topic, translation_form=form)
    flash(_("In %(language)s: “%(name)s”.", language=label, name=saved.name), "success")
    return _to_topic(topic_id)
