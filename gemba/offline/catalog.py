"""The offline app's words in one language, for its shell to embed: `{msgid: msgstr}` from
translations/<language>/offline.po (a plural's forms as a list; a message with a context under
"context\x04msgid", as GNU gettext keys it). English is the source text, so English needs
none; a msgid without a translation is left out and shows in English."""

from __future__ import annotations

from functools import lru_cache

from babel.messages.pofile import read_po

from gemba.platform.languages import SOURCE

PART = "offline.po"
CONTEXT_GLUE = "\x04"  # between a context and its msgid (pt() in static/offline/i18n.js)


def key(msgid: str, context: str | None = None) -> str:
    """Where the app looks a message up: the msgid, after its context when it has one."""
    return msgid if context is None else f"{context}{CONTEXT_GLUE}{msgid}"


def app_catalog(language: str) -> dict[str, str | list[str]]:
    """The app's catalog in `language` (read again when its file changes)."""
    path = SOURCE / language / PART
    if not path.is_file():
        return {}
    return _read(str(path), path.stat().st_mtime_ns, language)


@lru_cache(maxsize=8)
def _read(path: str, _mtime: int, language: str) -> dict[str, str | list[str]]:
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=language)
    out: dict[str, str | list[str]] = {}
    for message in catalog:
        if not message.id or not message.string:
            continue
        if message.pluralizable:
            forms = list(message.string)
            if all(forms):
                out[key(message.id[0], message.context)] = forms
        else:
            out[key(message.id, message.context)] = message.string
    return out
