"""Which language a request gets, and catalogs compiled from their parts."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from gemba.extensions import db
from gemba.models import User
from gemba.platform import languages
from tests.conftest import login


def test_the_page_says_its_language(client, make_user):
    make_user("admin")  # an instance with a user shows the login page, not the setup
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="de">' in german.get_data(as_text=True)
    unknown = client.get("/login", headers={"Accept-Language": "ja"})
    assert '<html lang="en">' in unknown.get_data(as_text=True)


def test_a_users_own_choice_beats_the_browser(app, client, make_user):
    user = make_user("observer")
    with app.app_context():
        db.session.get(User, user.id).language = "pl"
        db.session.commit()
    login(client, user)
    page = client.get("/walks", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="pl">' in page


def _po(path: Path, language: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=language)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_parts_are_merged_and_compiled_only_when_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(languages, "SOURCE", tmp_path / "src")
    _po(tmp_path / "src" / "de" / "a.po", "de", {"Save": "Speichern"})
    _po(tmp_path / "src" / "de" / "b.po", "de", {"Walks": "Rundgänge", "Empty": ""})
    target = tmp_path / "out"
    assert languages.compile_catalogs(target) == ["de"]
    merged = languages.merged_catalog("de")
    assert (merged.get("Save").string, merged.get("Walks").string) == ("Speichern", "Rundgänge")
    assert merged.get("Empty") is None  # an untranslated message falls back to English
    assert (target / "de" / "LC_MESSAGES" / "messages.mo").exists()
    assert languages.compile_catalogs(target) == []  # nothing newer: nothing compiled


@pytest.mark.parametrize("language", sorted(languages.LANGUAGES))
def test_every_shipped_language_is_a_babel_locale(language):
    from babel import Locale

    assert Locale.parse(language).language == language
