"""A pseudo-locale: every message of the code, extracted as `pybabel extract` does, with
its translation wrapped in markers. A page rendered in it shows which text went through
the catalog (inside the markers) and which did not (everything else that is not data).

The pseudo-locale borrows Icelandic's code, a locale Gemba does not ship, so dates and
numbers are formatted by Babel (and the browser) as for any other language, with month
names that are not English (Esperanto's CLDR data falls back to "Dec").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parents[2]
CODE = "is"
OPEN, CLOSE = "⟦", "⟧"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "t": None,
    "tn": (1, 2),
    "pt": ((1, "c"), 2),
    "N_": None,
    "Nn_": (1, 2),
    "Np_": ((1, "c"), 2),
}


@functools.cache
def extracted() -> Catalog:
    """Every message of the code (Python, templates, the capture app's JavaScript)."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(locale=None)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        strip_comment_tags=True,
        directory_filter=_searched,  # Babel's default skips "_partials"
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _searched(path: str) -> bool:
    """Folders to read: the package's, "_partials" included (Babel's default skips it)."""
    name = Path(path).name
    return not name.startswith(".") and name not in _NOT_SEARCHED


_NOT_SEARCHED = {"__pycache__", "node_modules", "tests", "build", "instance", "docs", "benchmarks"}


def wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def pseudo_catalog() -> Catalog:
    """The extracted messages, each translated as itself between markers."""
    catalog = Catalog(locale=CODE)
    for message in extracted():
        if not message.id:
            continue
        if message.pluralizable:
            string = tuple(wrap(form) for form in (message.id[0], message.id[1]))
        else:
            string = wrap(message.id)
        catalog.add(message.id, string, context=message.context)
    return catalog


def install(instance_path: str) -> None:
    """Compile the pseudo catalog where the app reads its catalogs."""
    target = Path(instance_path) / "translations" / CODE / "LC_MESSAGES" / "messages.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_mo(handle, pseudo_catalog())


# -- what a page shows --------------------------------------------------------------------------

SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
HIDDEN = {"script", "style", "template", "title"}  # <title> is checked as an attribute-ish


class _Visible(HTMLParser):
    """The text a reader sees (or hears) on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name in SHOWN_ATTRIBUTES:
            if a.get(name):
                self.texts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.texts.append(a["value"])
        if tag == "meta" and a.get("name") == "description":
            self.texts.append(a.get("content", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return [" ".join(t.split()) for t in parser.texts]


_SEPARATOR = "\x1f"
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_CUT = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*…")
_WORD = re.compile(r"[A-Za-z]{2,}")


@functools.cache
def _locale_words() -> frozenset[str]:
    """Words Babel itself writes in the pseudo-locale (month and day names, eras...)."""
    locale = Locale.parse(CODE)
    words: set[str] = set()
    for table in (locale.months, locale.days, locale.quarters, locale.eras, locale.periods):
        for value in _leaves(table):
            words.update(_WORD.findall(value))
    english = Locale.parse("en")
    for table in (english.months, english.days):
        for value in _leaves(table):  # an English month name is English, even if eo agrees
            words.difference_update({w for w in words if w.lower() == value.lower()})
            words.difference_update({w for w in words if value.lower().startswith(w.lower())})
    return frozenset(w.lower() for w in words if len(w) > 2)  # "do", "me" are English too


def _leaves(table) -> Iterator[str]:
    if isinstance(table, str):
        yield table
        return
    for value in getattr(table, "values", lambda: table)():
        yield from _leaves(value)


def unmarked(texts: Iterable[str], data: Iterable[str], allowed: Iterable[str] = ()) -> list[str]:
    """The pieces of a page's text with words outside every marker once the data (what
    users typed, longest first), the locale's own words and the allowed words are taken
    out. A translated message may hold markup, so markers are matched across pieces."""
    data = sorted({d for d in data if d and len(d.strip()) > 2}, key=len, reverse=True)
    allowed = {a.lower() for a in allowed} | _locale_words()
    rest = _SEPARATOR.join(texts)
    while True:  # markers may nest (a translated string inside another)
        shorter = _MARKED.sub(" ", rest)
        if shorter == rest:
            break
        rest = shorter
    rest = _CUT.sub(" ", rest)  # a translated label cut short to fit ("…") lost its end marker
    found = []
    for piece in rest.split(_SEPARATOR):
        for value in data:
            piece = piece.replace(value, " ")
        if [w for w in _WORD.findall(piece) if w.lower() not in allowed]:
            found.append(piece.strip())
    return found
