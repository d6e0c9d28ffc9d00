"""The languages Gemba speaks, which one a request gets, and the compiled catalogs.

A request is answered in the user's own choice (profile), else the best match of the
browser's Accept-Language, else the site's language where a page is about one site
(`g.site_language`), else English. Catalogs are kept as .po files in gemba/translations,
one or more per language (each part of the app has its own file, merged here); they are
compiled into the instance folder when the app starts, only where a .po is newer than
its .mo, so no compiled file is committed and a changed catalog takes effect on restart.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
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


# Where two parts translate the same English text, the part earlier here wins (gettext has
# one catalog per language): the capture pages' words, which follow the glossary in
# gemba/translations/README.md, before the other parts'.
PART_ORDER = (
    "capture",
    "plans",
    "review",
    "engine",
    "topics",
    "trends",
    "accounts",
    "manage",
    "notices",
    "api",
    "offline",
    "cli",
)


def catalog_sources(language: str) -> list[Path]:
    """The .po files of one language, in the order their translations take precedence."""
    folder = SOURCE / language
    if not folder.is_dir():
        return []

    def rank(path: Path) -> tuple[int, str]:
        stem = path.stem
        return (PART_ORDER.index(stem) if stem in PART_ORDER else len(PART_ORDER), stem)

    return sorted(folder.rglob("*.po"), key=rank)


def merged_catalog(language: str) -> Catalog:
    """Every part's catalog of one language as one: the first part (PART_ORDER) to
    translate a message wins, and plural forms are fitted to the language's count."""
    merged = Catalog(locale=language)
    for path in catalog_sources(language):
        with path.open("rb") as handle, contextlib.redirect_stdout(io.StringIO()):
            part = read_po(handle)  # Babel prints its complaints; the tests check the parts
        for message in part:
            if not message.id or not message.string:
                continue
            if merged.get(message.id, context=message.context) is not None:
                continue
            merged.add(message.id, _fitted(message.string, merged), context=message.context)
    return merged


def _fitted(string: str | tuple[str, ...], catalog: Catalog) -> str | tuple[str, ...]:
    """A plural translation with as many forms as the language has (the last one repeated
    where a part gave fewer)."""
    if isinstance(string, str):
        return string
    count = catalog.num_plurals
    forms = tuple(string[:count])
    return forms + (forms[-1],) * (count - len(forms))


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
        # Several workers may start at once: each writes its own file, and the atomic
        # rename makes the last complete one the catalog.
        with tempfile.NamedTemporaryFile(dir=mo.parent, suffix=".tmp", delete=False) as handle:
            handle.write(_compiled(language, sources))
        os.replace(handle.name, mo)
        done.append(language)
    return done


# The .mo bytes this process compiled, by language and the sources' names and times: an app
# made again in the same process (a test, an instance folder elsewhere) writes them without
# parsing every .po again (half a second a language).
_COMPILED: dict[str, tuple[tuple[tuple[str, float], ...], bytes]] = {}


def _compiled(language: str, sources: list[Path]) -> bytes:
    stamp = tuple((str(path), path.stat().st_mtime) for path in sources)
    known = _COMPILED.get(language)
    if known is not None and known[0] == stamp:
        return known[1]
    buffer = io.BytesIO()
    write_mo(buffer, merged_catalog(language))
    _COMPILED[language] = (stamp, buffer.getvalue())
    return buffer.getvalue()


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
