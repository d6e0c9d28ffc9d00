"""The observer's server pages and the walk plans pages in Spanish, German and Polish:
every text they wrap has a translation with the same placeholders, the pages read in the
browser's language, and a number typed with the language's decimal comma is read right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from gemba.extensions import db
from gemba.models import Fact
from gemba.platform import languages

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ["capture", "plans", "_macros", "_partials"]
PYTHON = [
    "gemba/capture/forms.py",
    "gemba/capture/walk_form.py",
    "gemba/capture/views.py",
    "gemba/capture/messages.py",
    "gemba/capture/numbers.py",
    "gemba/capture/timeline.py",
    "gemba/plans/forms.py",
    "gemba/plans/views.py",
    "gemba/plans/checklist_views.py",
]
# As in babel.cfg, with ngettext's two arguments, and a context where one English word has
# two meanings ("At" a time of day, "At" a place).
KEYWORDS = {
    "_": None,
    "_l": None,
    "lazy_gettext": None,
    "t": None,
    "ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def msgids() -> list[tuple[str | tuple[str, str], str | None]]:
    """Every text the capture and plans pages, forms and flashes pass to gettext, with its
    context."""
    found: dict = {}
    for folder in TEMPLATES:
        for path in sorted((ROOT / "gemba/templates" / folder).rglob("*.html")):
            options = {"extensions": "jinja2.ext.i18n"}
            for _line, message, _c, context in extract_from_file(
                "jinja2", path, keywords=KEYWORDS, options=options
            ):
                found.setdefault((message, context), path)
    for name in PYTHON:
        for _line, message, _c, context in extract_from_file(
            "python", ROOT / name, keywords=KEYWORDS
        ):
            found.setdefault((message, context), name)
    return list(found)


def test_the_pages_wrap_their_texts():
    texts = [message for message, _context in msgids()]
    assert len(texts) > 250
    assert "Start a walk" in texts
    assert ("%(num)s fact", "%(num)s facts") in texts


@pytest.mark.parametrize("language", ["es", "de", "pl"])
def test_every_text_is_translated_with_its_placeholders(language):
    catalog = languages.merged_catalog(language)
    problems = []
    for msgid, context in msgids():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(key, context=context)
        strings = [] if message is None else message.string
        strings = list(strings) if isinstance(strings, tuple) else [strings]
        wanted = set(PLACEHOLDER.findall(" ".join(msgid if isinstance(msgid, tuple) else [msgid])))
        if not strings or not all(s.strip() for s in strings):
            problems.append(("untranslated", msgid))
        elif any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
            problems.append(("placeholders", msgid, strings))
    assert problems == []


PAGES = {
    # language: (texts that must show, their English that must not)
    "de": (
        ["Ihre Rundgänge", "Rundgang beginnen", "Rundgang beenden", "Beobachtung speichern"],
        ["Your walks", "Start walking", "Finish walk", "Save fact"],
    ),
    "pl": (
        ["Twoje obchody", "Zacznij obchód", "Zakończ obchód", "Zapisz obserwację"],
        ["Your walks", "Start walking", "Finish walk", "Save fact"],
    ),
}


@pytest.mark.parametrize("language", sorted(PAGES))
def test_the_observers_pages_read_in_the_browsers_language(language, login_as, make_walk):
    client, user = login_as("observer")
    walk_id = make_walk(user)
    headers = {"Accept-Language": language}
    pages = {
        "list": client.get("/", headers=headers),
        "start": client.get("/walks/new", headers=headers),
        "walk": client.get(f"/walks/{walk_id}", headers=headers),
        "fact": client.get(f"/walks/{walk_id}/facts/new", headers=headers),
    }
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    html = {name: page.get_data(as_text=True) for name, page in pages.items()}
    shown, english = PAGES[language]
    # Each page has its own of the texts: list, start, walk, fact form.
    for name, text, source in zip(["list", "start", "walk", "fact"], shown, english, strict=True):
        assert text in html[name], (name, text)
        assert f">{source}<" not in html[name], (name, source)
    assert f'<html lang="{language}">' in html["walk"]


def test_english_pages_stay_as_they_were(login_as, make_walk):
    client, user = login_as("observer")
    walk_id = make_walk(user)
    page = client.get(f"/walks/{walk_id}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert "Finish walk" in html
    assert "Nothing logged yet. Start with the place" in html
    assert "<span>0 places</span> · <span>0 things</span> · <span>0 facts</span>" in html


def _post_measurement(client, walk_id: str, value: str, language: str):
    return client.post(
        f"/walks/{walk_id}/facts/new",
        data={"topic": "Changeover time", "outcome": "measurement", "value": value, "unit": "min"},
        headers={"Accept-Language": language},
    )


@pytest.mark.parametrize(
    ("language", "typed"), [("de", "1,5"), ("de", "1.5"), ("pl", "1,5"), ("en", "1.5")]
)
def test_a_measurement_is_read_the_way_the_language_writes_it(
    app, login_as, make_walk, language, typed
):
    client, user = login_as("observer")
    walk_id = make_walk(user)
    response = _post_measurement(client, walk_id, typed, language)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Fact.value)).all() == [1.5]


def test_a_comma_is_not_a_decimal_point_in_english(login_as, make_walk):
    client, user = login_as("observer")
    walk_id = make_walk(user)
    response = _post_measurement(client, walk_id, "1,5", "en")
    assert response.status_code == 200
    assert "Not a valid float value." in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "label"), [("en", "At"), ("de", "Um"), ("pl", "O godz.")])
def test_the_plan_forms_time_of_day_is_not_a_place(login_as, make_site, language, label):
    """ "At" is a time on the plan form and a place on a thing: each has its own word."""
    client, _user = login_as("analyst")
    site_id = make_site()
    page = client.get(f"/plans/new?site={site_id}", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<label for="times">{label}</label>' in page.get_data(as_text=True)
