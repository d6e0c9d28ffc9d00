"""The engine's phrases (gemba.domain.phrases) in the reader's language: the templates
through the catalog, numbers with the language's decimal sign. A gap stored before its
phrase was kept shows the English it was written in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import get_decimal_symbol
from flask import Flask
from flask_babel import get_locale, get_translations
from markupsafe import Markup, escape

from gemba.domain import clock, phrases
from gemba.domain.saydo import FREQUENCY_WORDS
from gemba.domain.units import format_number
from gemba.platform.time_zones import local_date


def _number(value: float) -> str:
    """Three significant digits as the engine writes them, with the reader's decimal sign."""
    text = format_number(value)
    locale = get_locale()
    if locale is None or locale.language == "en" or "." not in text:
        return text
    return text.replace(".", get_decimal_symbol(locale))


def reader() -> phrases.Reader:
    """This request's reader."""
    catalog = get_translations()  # not flask_babel's gettext: it fills %(num)s itself
    return phrases.Reader(catalog.gettext, catalog.ngettext, _number, catalog.pgettext)


def explained(subject: Any) -> str:
    """Jinja `|explained`: a phrase, or a gap's or a verdict's one line, in the reader's
    language."""
    if subject is None:
        return ""
    if isinstance(subject, phrases.Phrase):
        return phrases.render(subject, reader())
    phrase = getattr(subject, "phrase", None)
    if phrase is None:
        stats = getattr(subject, "stats", None)
        phrase = phrases.from_json(stats.get("phrase")) if isinstance(stats, dict) else None
    if phrase is None:
        return getattr(subject, "explanation", "")
    return phrases.render(phrase, reader())


def short_day(moment: datetime, zone: str) -> str:
    """A day as a short date on the zone's calendar: "3 Dec" in English, "3. Dez." in
    German."""
    local = clock.local(moment, zone)
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{local.day} {local:%b}"
    return format_skeleton("MMMd", local, locale=locale)


def claim_word(word: str | None) -> str:
    """Jinja `|claim_word`: a frequency word of a claim ("always") in the reader's words."""
    if word in FREQUENCY_WORDS:
        return get_translations().gettext(word)
    return word or ""


QUOTED = phrases.N_("“%(text)s”")  # the quotation marks of the reader's language


def quoted(text: object) -> Markup:
    """Jinja `|quoted`: typed words between the reader's quotation marks: “…” in English,
    „…“ in German, «…» in Spanish."""
    return escape(get_translations().gettext(QUOTED)) % {"text": text}  # the text escaped


REMOVED = phrases.N_("Words removed on %(date)s (site retention)")


def said_words(statement: Any, zone: str | None = None) -> str:
    """A statement's words between the reader's quotation marks, or, where the site's
    retention removed them, when that was (docs/retention.md): never an empty quote. Plain
    text, for a form's choice label (which escapes it) or a Jinja page (which does too)."""
    catalog = get_translations()
    if getattr(statement, "expired_at", None) is not None:
        return catalog.gettext(REMOVED) % {"date": local_date(statement.expired_at, zone)}
    return catalog.gettext(QUOTED) % {"text": statement.text}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["explained"] = explained
    app.jinja_env.filters["quoted"] = quoted
    app.jinja_env.filters["claim_word"] = claim_word
