"""Accounts, administration, error pages and the frame of every page in es, de and pl:
every message of those files translated, the language chosen on the profile, a site's
language, and dates with the reader's month names."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from gemba.extensions import db
from gemba.models import AuditEvent, Site, User
from gemba.platform import languages, time_zones
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    "gemba/templates/base.html",
    "gemba/templates/error.html",
    "gemba/platform/errors.py",
    "gemba/platform/languages.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gemba/templates/auth").glob("*.html")),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gemba/templates/manage").glob("*.html")),
    "gemba/accounts/forms.py",
    "gemba/accounts/views.py",
    "gemba/accounts/services.py",
    "gemba/manage/forms.py",
    "gemba/manage/views.py",
]
KEYWORDS = {"_": None, "_l": None, "lazy_gettext": None, "gettext": None, "t": None}
KEYWORDS["ngettext"] = (1, 2)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def _messages() -> list[str | tuple[str, ...]]:
    found = []
    for name in FILES:
        method = "jinja2" if name.endswith(".html") else "python"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _line, message, _comments, _context in extract_from_file(
            method, str(ROOT / name), keywords=KEYWORDS, options=options
        ):
            if message not in found:
                found.append(message)
    return found


def test_the_files_have_messages_to_translate():
    messages = _messages()
    assert len(messages) > 150
    assert "Log in" in messages
    assert "Language of the site" in messages


@pytest.mark.parametrize("language", ["es", "de", "pl"])
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = languages.merged_catalog(language)
    missing, wrong = [], []
    for message in _messages():
        entry = catalog.get(message)
        if entry is None or not entry.string:
            missing.append(message)
            continue
        source = message if isinstance(message, tuple) else (message,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(PLACEHOLDER.findall(source[-1]))
        wrong += [s for s in strings if not s or set(PLACEHOLDER.findall(s)) != expected]
    assert missing == []
    assert wrong == []


def test_polish_plurals_have_three_forms():
    entry = languages.merged_catalog("pl").get(("%(num)d record", "%(num)d records"))
    assert len(entry.string) == 3


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", ["Anmelden", "Passwort", "Auf diesem Gerät angemeldet bleiben"]),
     ("pl", ["Zaloguj", "Hasło", "Nie wylogowuj na tym urządzeniu"])],
)  # fmt: skip
def test_the_login_page_in_german_and_polish(client, make_user, language, words):
    make_user("admin")
    page = client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    for word in words:
        assert word in page
    assert ">Log in<" not in page


def test_the_profile_in_german_and_polish(client, make_user):
    login(client, make_user("observer"))
    german = client.get("/profile", headers=GERMAN).get_data(as_text=True)
    assert "Ihr Konto" in german
    assert "Passwort ändern" in german
    assert "Beobachter" in german
    assert "Abmelden" in german
    assert ">Rundgänge<" in german
    polish = client.get("/profile", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "Twoje konto" in polish
    assert "Zmień hasło" in polish
    assert "obserwator" in polish
    for name in ("English", "Español", "Deutsch", "Polski"):
        assert f">{name}</option>" in polish


def test_choosing_polish_beats_the_browser_and_automatic_goes_back(app, client, make_user):
    user = make_user("observer")
    login(client, user)
    sent = client.post(
        "/profile", data={"action": "language", "language-language": "pl"}, headers=GERMAN
    )
    assert sent.status_code == 302
    page = client.get("/", headers=GERMAN).get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Język zapisany." in page
    with app.app_context():
        assert db.session.get(User, user.id).language == "pl"
    client.post("/profile", data={"action": "language", "language-language": ""}, headers=GERMAN)
    assert '<html lang="de">' in client.get("/", headers=GERMAN).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).language is None


def test_a_language_gemba_does_not_speak_is_refused(app, client, make_user):
    user = make_user("observer")
    login(client, user)
    page = client.post("/profile", data={"action": "language", "language-language": "fr"})
    assert page.status_code == 200
    with app.app_context():
        assert db.session.get(User, user.id).language is None


def test_english_dates_are_as_they_were(app):
    moment = datetime(2026, 12, 3, 7, 48, tzinfo=UTC)
    with app.test_request_context("/"):
        assert time_zones.local_time(moment, "Europe/Warsaw") == "03 Dec 2026 08:48 CET"
        assert time_zones.local_date(moment, "Europe/Warsaw") == "03 Dec 2026"


def test_a_date_in_german_has_a_german_month(app):
    moment = datetime(2026, 12, 3, 7, 48, tzinfo=UTC)
    with app.test_request_context("/", headers=GERMAN):
        shown = time_zones.local_time(moment, "Europe/Warsaw")
        assert "Dez." in shown or "Dezember" in shown
        assert shown.endswith("08:48 CET")
        assert "Dez." in time_zones.local_date(moment, "Europe/Warsaw")
        assert "Do." in time_zones.local_date(moment, "Europe/Warsaw", "%a %d %b")
        numeric = time_zones.local_date(moment, None, "%Y-%m-%d")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", numeric)  # no names: as strftime writes it
    with app.test_request_context("/", headers={"Accept-Language": "pl"}):
        assert "gru" in time_zones.local_time(moment, "Europe/Warsaw")


def test_a_german_page_shows_a_german_month(app, client, make_user, make_walk):
    user = make_user("observer")
    make_walk(user)
    login(client, user)
    page = client.get("/", headers=GERMAN).get_data(as_text=True)
    months = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt."]
    assert any(month in page for month in [*months, "Nov.", "Dez."])


def test_the_site_language_is_saved_audited_and_shown(app, client, make_user, make_site):
    site_id = make_site()
    user = make_user("analyst")
    login(client, user)
    sent = client.post(
        f"/manage/sites/{site_id}",
        data={"site-name": "Plant 2", "site-time_zone": "Europe/Warsaw", "site-language": "pl"},
    )
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.get(Site, uuid.UUID(site_id)).language == "pl"
        verbs = db.session.query(AuditEvent.verb).filter_by(object_type="site").all()
        assert ("language_set",) in verbs
    # No language from the browser: the site's language is the page's.
    page = client.get(f"/manage/sites/{site_id}", headers={"Accept-Language": "ja"})
    text = page.get_data(as_text=True)
    assert '<html lang="pl">' in text
    assert "Język zakładu: Polski." in text
    assert '<option selected value="pl">' in text or 'value="pl" selected' in text


def test_a_new_site_gets_its_language(app, client, make_user):
    login(client, make_user("analyst"))
    sent = client.post("/manage/sites", data={"name": "Planta 9", "language": "es"})
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.query(Site).filter_by(name="Planta 9").one().language == "es"


def test_an_error_page_and_the_api_in_polish(client, make_user):
    login(client, make_user("observer"))
    page = client.get("/no-such-page", headers={"Accept-Language": "pl"})
    assert page.status_code == 404
    assert "Nic tu nie ma." in page.get_data(as_text=True)
    problem = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "pl"})
    assert problem.get_json()["title"] == "Nic tu nie ma."
    assert problem.headers["Content-Language"] == "pl"
    english = client.get("/api/v1/no-such-thing")  # a script that names no language
    assert english.get_json()["title"] == "There is nothing here."
