"""What the capture pages say after a save or a delete, one whole sentence per kind of
record, so each language can word it (and its plurals) its own way."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext


def deleted(kind: str) -> str:
    return {
        "place": _("Place deleted."),
        "thing": _("Thing deleted."),
        "fact": _("Fact deleted."),
        "statement": _("Statement deleted."),
    }[kind]


def saved(kind: str, photos: int) -> str:
    """The record saved, with how many photos were added (none: not mentioned)."""
    if not photos:
        return {
            "place": _("Place saved."),
            "thing": _("Thing saved."),
            "fact": _("Fact saved."),
            "statement": _("Statement saved."),
        }[kind]
    return {
        "place": ngettext(
            "Place saved with %(num)s photo.", "Place saved with %(num)s photos.", photos
        ),
        "thing": ngettext(
            "Thing saved with %(num)s photo.", "Thing saved with %(num)s photos.", photos
        ),
        "fact": ngettext(
            "Fact saved with %(num)s photo.", "Fact saved with %(num)s photos.", photos
        ),
        "statement": ngettext(
            "Statement saved with %(num)s photo.", "Statement saved with %(num)s photos.", photos
        ),
    }[kind]


def photos_refused(kind: str, refused: int) -> str:
    """The record saved, but some of its photos not."""
    after = " " + _("See below; choose another or go back to the walk.")
    return {
        "place": ngettext(
            "Place saved, but %(num)s photo could not be added.",
            "Place saved, but %(num)s photos could not be added.",
            refused,
        ),
        "thing": ngettext(
            "Thing saved, but %(num)s photo could not be added.",
            "Thing saved, but %(num)s photos could not be added.",
            refused,
        ),
        "fact": ngettext(
            "Fact saved, but %(num)s photo could not be added.",
            "Fact saved, but %(num)s photos could not be added.",
            refused,
        ),
        "statement": ngettext(
            "Statement saved, but %(num)s photo could not be added.",
            "Statement saved, but %(num)s photos could not be added.",
            refused,
        ),
    }[kind] + after


def contradicts(text: str, speaker: str | None) -> str:
    """The flash naming the statement a record just saved contradicts."""
    words = _("Contradicts: “%(text)s”", text=text)
    return f"{words} — {speaker}" if speaker else words
