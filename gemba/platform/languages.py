"""The languages Gemba speaks, which one a request gets, and the compiled catalogs.

A request is answered in the user's own choice (profile), else the best match of the
browser's Accept-Language, else the site's language where a page is about one site
(`g.site_language`), else English. Catalogs are kept as .po files in gemba/translations,
one or more per language (each part of the app has its own file, merged here); they are
compiled into the instance folder when the app starts, only where a .po is newer than
its .mo, so no compiled file is committed and a changed catalog takes effect on restart.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, request
from flask_babel import get_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from gemba.extensions import babel

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "de": "Deutsch", "pl": "Polski"}
DEFAULT = "en"
SOURCE = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    """The language of this request (see the module's docstring)."""
    if not has_request_context():
        return DEFAULT
    chosen = getattr(current_user, "language", None) if current_user else None
    if chosen in LANGUAGES:
        return chosen
    matched = request.accept_languages.best_match(list(LANGUAGES))
    if matched:
        return matched
    site_language = g.get("site_language")
    return site_language if site_language in LANGUAGES else DEFAULT


def use_site_language(site) -> None:
    """A page about one site: its language is the fallback of this request (after the
    user's own choice and the browser's); forgets a language already settled."""
    g.site_language = getattr(site, "language", None)
    refresh()


# A role as the pages name it (the stored value is the English word).
ROLE_NAMES = {"observer": _l("observer"), "analyst": _l("analyst"), "admin": _l("admin")}


def role_name(role: object) -> str:
    """The role's name in the reader's language; an unknown value as it is."""
    key = getattr(role, "value", role)
    return str(ROLE_NAMES.get(key, key))


def catalog_sources(language: str) -> list[Path]:
    """The .po files of one language, in a stable order."""
    folder = SOURCE / language
    return sorted(folder.rglob("*.po")) if folder.is_dir() else []


def merged_catalog(language: str) -> Catalog:
    """Every part's catalog of one language as one (a later file wins a repeated msgid)."""
    merged = Catalog(locale=language)
    for path in catalog_sources(language):
        with path.open("rb") as handle:
            part = read_po(handle, locale=language)
        for message in part:
            if message.id and message.string:
                merged.add(message.id, message.string, context=message.context)
    return merged


def compile_catalogs(target: Path) -> list[str]:
    """Write each language's merged .mo under target where a .po is newer; the languages
    compiled."""
    done = []
    for language in LANGUAGES:
        sources = catalog_sources(language)
        if not sources:
            continue
        mo = target / language / "LC_MESSAGES" / "messages.mo"
        newest = max(p.stat().st_mtime for p in sources)
        if mo.exists() and mo.stat().st_mtime >= newest:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        temporary = mo.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            write_mo(handle, merged_catalog(language))
        os.replace(temporary, mo)
        done.append(language)
    return done


def init_app(app: Flask) -> None:
    """Compile the catalogs into the instance folder and let Flask-Babel read them there."""
    target = Path(app.instance_path) / "translations"
    compile_catalogs(target)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = lambda: str(get_locale())
    app.jinja_env.globals["role_name"] = role_name
