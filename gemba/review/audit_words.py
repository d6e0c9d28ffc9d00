"""The audit log's stored words (object types and verbs, kept in English in the database)
as the history page says them in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

OBJECTS = {
    "gap": _l("gap"),
    "action": _l("action"),
    "persona": _l("persona"),
    "topic": _l("topic"),
    "site": _l("site"),
    "user": _l("user"),
}
VERBS = {
    "created": _l("created"),
    "updated": _l("updated"),
    "noted": _l("noted"),
    "flagged": _l("flagged by the evidence"),
    "closed": _l("no longer contradicted by the evidence"),
    "merged": _l("merged"),
    "merge undone": _l("merge undone"),
    "synonym added": _l("synonym added"),
    "synonym removed": _l("synonym removed"),
    "translation set": _l("name in another language set"),
    "translation cleared": _l("name in another language cleared"),
    "verified by evidence": _l("verified by evidence"),
    "asked for a verification walk": _l("asked for a verification walk"),
    "restored": _l("restored"),
    "deleted": _l("deleted"),
    "language_set": _l("language set"),
    "password_changed": _l("password changed"),
    "tokens_revoked": _l("tokens revoked"),
    "privacy_set": _l("photo and privacy settings changed"),
    "retention_applied": _l("retention applied: old photos, quotes' words and notes removed"),
}


def object_word(kind: str | None) -> str:
    return str(OBJECTS.get(kind or "", kind or ""))


def verb_word(verb: str | None) -> str:
    return str(VERBS.get(verb or "", (verb or "").replace("_", " ")))
