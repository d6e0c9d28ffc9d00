"""A topic's names in other languages: set, replace and clear them, each on the audit trail.

The data stays in its words: a topic keeps the name it was typed with, and a translation
is only shown beside it to an analyst reading in that language (`names.shown_name`), so
sites that speak different languages can be compared. A translation never leads a typed
name to a topic (that is what synonyms do). A merge moves the source's translations to
the target where the target has none in that language (`move`), and the merge's record
keeps which, so an undo moves exactly those back.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from gemba.domain import text
from gemba.extensions import db
from gemba.models import AuditEvent, Site, Topic, TopicTranslation, User
from gemba.platform.database import transaction
from gemba.platform.languages import LANGUAGES

NAME_MAX = 120


class TranslationRefused(ValueError):
    """A translation the data does not allow; `field` is the form field the message
    belongs by."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def offered_languages(topic: Topic) -> list[str]:
    """The shipped languages a topic can be given a name in: all but its site's own."""
    site = db.session.get(Site, topic.site_id)  # the page has it loaded: no query
    own = site.language if site is not None else None
    return [code for code in LANGUAGES if code != own]


def clean_name(name: str | None) -> str:
    """The name as it is stored: one line, runs of spaces as one; refused with the reason
    (by the `name` field) when it is empty, too long or holds a control character."""
    problem = text.problem(name or "")
    if problem:
        raise TranslationRefused("name", problem)
    clean = " ".join((name or "").split())
    if not clean:
        raise TranslationRefused("name", _l("Type the name, or clear it."))
    if len(clean) > NAME_MAX:
        raise TranslationRefused(
            "name", _l("Keep the name to %(n)s characters or fewer.", n=NAME_MAX)
        )
    return clean


def set_translation(actor: User, topic_id: int, language: str, name: str) -> TopicTranslation:
    """Give the topic its name in a language, or replace the one it had."""
    with transaction():
        topic = _topic(topic_id, language)
        clean = clean_name(name)
        found = _find(topic.id, language)
        before = found.name if found else None
        if found is None:
            found = TopicTranslation(topic_id=topic.id, language=language, name=clean)
            db.session.add(found)
        found.name, found.updated_by_id = clean, actor.id
        db.session.flush()
        detail = {"language": language, "name": clean}
        if before is not None:
            detail["before"] = before
        _audit(actor, topic, "translation set", detail)
        return found


def clear_translation(actor: User, topic_id: int, language: str) -> str | None:
    """Forget the topic's name in a language; the name it had, or None if it had none."""
    with transaction():
        topic = _topic(topic_id, language)
        found = _find(topic.id, language)
        if found is None:
            return None
        name = found.name
        _audit(actor, topic, "translation cleared", {"language": language, "name": name})
        db.session.delete(found)
        return name


def move(source_id: int, target_id: int) -> list[str]:
    """A merge's part: point the source's translations at the target, in the languages the
    target has none; the ids that moved, as text (the others stay on the source, which a
    merge keeps, and come back with it on undo)."""
    taken = select(TopicTranslation.language).where(TopicTranslation.topic_id == target_id)
    movable = (TopicTranslation.topic_id == source_id) & TopicTranslation.language.not_in(taken)
    ids = sorted(str(i) for i in db.session.scalars(select(TopicTranslation.id).where(movable)))
    if ids:
        db.session.execute(
            update(TopicTranslation)
            .where(TopicTranslation.id.in_([int(i) for i in ids]))
            .values(topic_id=target_id),
            execution_options={"synchronize_session": False},
        )
    return ids


def _topic(topic_id: int, language: str) -> Topic:
    """The live topic, once the language is one it can be given a name in."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise LookupError(topic_id)
    if topic.merged_into_id is not None:
        raise TranslationRefused(
            "topic", _l("“%(name)s” was merged into another topic.", name=topic.name)
        )
    if language not in LANGUAGES:
        raise TranslationRefused("language", _l("Choose one of the languages offered."))
    if language not in offered_languages(topic):
        raise TranslationRefused(
            "language", _l("The topic was typed in this language: its own name is shown.")
        )
    return topic


def _find(topic_id: int, language: str) -> TopicTranslation | None:
    return db.session.scalar(
        select(TopicTranslation).where(
            TopicTranslation.topic_id == topic_id, TopicTranslation.language == language
        )
    )


def _audit(actor: User, topic: Topic, verb: str, detail: dict) -> None:
    db.session.add(
        AuditEvent(
            user_id=actor.id,
            object_type="topic",
            object_id=str(topic.id),
            verb=verb,
            detail=detail,
        )
    )
