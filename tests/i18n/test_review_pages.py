"""The analyst workspace in the plant's language: every message of the converted pages is
translated into es, de and pl with the same placeholders, and the inbox, a gap page and
the printable report speak German and Polish, triage included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract

from gemba.platform import languages
from gemba.platform.languages import merged_catalog
from tests.review import conftest as review
from tests.review.conftest import gap_row

# The analyst workspace's fixtures: the demo plant and an analyst's client.
_quick_password_hashes = review._quick_password_hashes
demo_rows = review.demo_rows
demo = review.demo
analyst = review.analyst

ROOT = Path(__file__).resolve().parents[2] / "gemba"
CONVERTED = [
    *sorted((ROOT / "templates" / "review").glob("*.html")),
    ROOT / "review" / "forms.py",
    ROOT / "review" / "queries.py",
    ROOT / "review" / "views.py",
    ROOT / "review" / "action_views.py",
    ROOT / "review" / "map_views.py",
    ROOT / "review" / "topic_charts.py",
    ROOT / "review" / "verdict_chart.py",
    ROOT / "review" / "experience_chart.py",
    *sorted((ROOT / "templates" / "topics").glob("*.html")),
    ROOT / "topics" / "forms.py",
    ROOT / "topics" / "views.py",
]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
JINJA = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TRANSLATED = [lang for lang in languages.LANGUAGES if lang != languages.DEFAULT]


def _messages() -> dict[str | tuple[str, ...], str]:
    """Every msgid of the converted files, and where it was found."""
    found: dict = {}
    for path in CONVERTED:
        method, options = ("jinja2", JINJA) if path.suffix == ".html" else ("python", {})
        with path.open("rb") as handle:
            for lineno, message, _comments, _context in extract(
                method, handle, keywords=KEYWORDS, options=options
            ):
                found.setdefault(message, f"{path.relative_to(ROOT)}:{lineno}")
    return found


def test_the_converted_files_have_messages():
    assert len(_messages()) > 150


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = merged_catalog(language)
    missing, mismatched = [], []
    for message, where in _messages().items():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        if entry is None or not entry.string:
            missing.append(f"{where}: {key}")
            continue
        sources = message if isinstance(message, tuple) else (message,)
        wanted = set(PLACEHOLDER.findall(" ".join(sources)))
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            # a plural's singular may spell the number out instead of %(num)d
            if set(PLACEHOLDER.findall(string)) - wanted or not (
                wanted - {"num"} <= set(PLACEHOLDER.findall(string))
            ):
                mismatched.append(f"{where}: {key} -> {string}")
            formatted = "%(" in key or "%%" in key  # a message without either is not formatted
            if formatted and string.count("%") - 2 * string.count("%%") != len(
                PLACEHOLDER.findall(string)
            ):
                mismatched.append(f"{where}: stray % in {string}")
    assert not missing, "\n".join(missing)
    assert not mismatched, "\n".join(mismatched)


@pytest.mark.parametrize("language", TRANSLATED)
def test_plurals_have_every_form_of_the_language(language):
    catalog = merged_catalog(language)
    for message in _messages():
        if isinstance(message, tuple):
            strings = catalog.get(message[0]).string
            assert len(strings) == catalog.num_plurals, message


PAGES = {
    "de": {
        "inbox": (
            ["Abweichungen", "Filter", "Anwenden", "Eingang", "Maßnahmen"],
            ["Apply", ">Clear<"],
        ),
        "gap": (
            ["Bewerten", "Bestätigen", "Verwerfen", "Wie das Urteil berechnet wurde"],
            ["Confirm gap", "How the verdict was computed", "Status history"],
        ),
        "report": (
            ["Zusammenfassung", "Drucken oder als PDF", "Abweichungen mit Belegen"],
            ["Print or save as PDF", "Summary", "Gaps with their evidence"],
        ),
    },
    "pl": {
        "inbox": (["Rozbieżności", "Filtry", "Zastosuj", "Skrzynka"], ["Apply", ">Clear<"]),
        "gap": (
            ["Ocena", "Potwierdź", "Odrzuć", "Jak obliczono werdykt"],
            ["Confirm gap", "How the verdict was computed", "Status history"],
        ),
        "report": (
            ["Podsumowanie", "Drukuj lub zapisz PDF", "Rozbieżności z dowodami"],
            ["Print or save as PDF", "Summary", "Gaps with their evidence"],
        ),
    },
}


def _url(page: str, demo) -> str:
    if page == "inbox":
        return "/review/"
    if page == "gap":
        return f"/review/gaps/{demo.gap('ten')}"
    return f"/review/walks/{demo.walks['changeover']}/report"


@pytest.mark.parametrize("language", sorted(PAGES))
@pytest.mark.parametrize("page", ["inbox", "gap", "report"])
def test_pages_speak_the_browsers_language(demo, analyst, language, page):
    client, _user = analyst
    response = client.get(_url(page, demo), headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    shown, gone = PAGES[language][page]
    for text in shown:
        assert text in html, text
    for text in gone:
        assert text not in html, text


def test_a_gap_is_confirmed_through_the_german_page(app, demo, analyst):
    client, _user = analyst
    gap_id = demo.gap("ten")
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    html = client.get(f"/review/gaps/{gap_id}", headers=german).get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*data-triage="confirm">(.*?)</form>', html, re.S
    )
    assert form
    assert "Bestätigen" in form.group(2)
    assert "Notiz (optional)" in form.group(2)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    fields["confirm-note"] = "Geprüft an Linie 3"
    response = client.post(form.group(1), data=fields, headers=german, follow_redirects=True)
    assert "Abweichung bestätigt." in response.get_data(as_text=True)
    assert gap_row(app, gap_id).status == "confirmed"
