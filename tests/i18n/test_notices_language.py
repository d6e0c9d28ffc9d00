"""E-mail notices, their unsubscribe page, the "For you" list and the CSV exports speak
their reader's language: the user's choice, else the language of the site the notice is
about, else English; and every message of these parts is translated."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from flask_babel import force_locale
from jinja2.ext import babel_extract

from gemba.extensions import db
from gemba.models import Site, User
from gemba.notices import KINDS, preferences, sender
from gemba.notices.forms import CHOICES
from gemba.platform import languages
from tests.conftest import login
from tests.notices import conftest as notices
from tests.notices.conftest import NOW, PUBLIC_URL

# The notices tests' fixtures: a real SMTP server per test, and an app that sends to it.
smtp = notices.smtp
mailbox = notices.mailbox
app = notices.app
site_id = notices.site_id
make_action = notices.make_action

ROOT = Path(__file__).resolve().parents[2]
# The files whose messages these parts translate (gemba/translations/*/notices.po, cli.po).
SOURCES = [
    *sorted((ROOT / "gemba/notices").glob("*.py")),
    *sorted((ROOT / "gemba/templates/notices").glob("*")),
    ROOT / "gemba/review/exports.py",
    ROOT / "gemba/cli.py",
    ROOT / "gemba/photos/views.py",
]
KEYWORDS = DEFAULT_KEYWORDS | {"_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}


def choose(app, user: User, language: str | None) -> None:
    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()


def site_speaks(app, site, language: str | None) -> None:
    with app.app_context():
        db.session.get(Site, site).language = language
        db.session.commit()


def notify(app) -> None:
    with app.app_context():
        sender.run(NOW)


def bodies(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_an_e_mail_to_a_german_user_is_german(app, make_user, make_action, mailbox, site_id):
    owner, analyst = make_user("observer"), make_user("analyst")
    choose(app, owner, "de")
    site_speaks(app, site_id, "pl")  # the user's own choice wins over the site's
    make_action(owner, analyst, title="Fix the badge reader")
    notify(app)
    (message,) = mailbox.to(owner.email)
    assert message["Subject"] == "Ihnen zugewiesene Maßnahme: Fix the badge reader"
    text, html = bodies(message)
    assert "Ihnen wird die Maßnahme „Fix the badge reader“ zugewiesen." in text
    assert "Diese E-Mails mit einem Klick abbestellen:" in text
    assert "(Ihnen wird eine Maßnahme zugewiesen)" in text
    assert '<html lang="de">' in html
    assert "In Gemba öffnen" in html
    assert "Mit einem Klick abbestellen" in html
    assert "Hello" not in text + html

    link = message["List-Unsubscribe"].strip("<>").removeprefix(PUBLIC_URL)
    client = app.test_client()
    page = client.get(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Diese E-Mails abbestellen?" in page
    assert "Ihnen wird eine Maßnahme zugewiesen" in page
    assert '<button type="submit" class="button">Abbestellen</button>' in page
    done = client.post(link, data={}).get_data(as_text=True)
    assert "Abbestellt" in done
    assert "erhält keine E-Mails mehr für:" in done


def test_an_e_mail_to_a_user_without_a_choice_speaks_the_site_language(
    app, make_user, make_action, mailbox, site_id
):
    owner, analyst = make_user("observer"), make_user("analyst")
    site_speaks(app, site_id, "pl")
    make_action(owner, analyst, title="Napraw czytnik")
    notify(app)
    (message,) = mailbox.to(owner.email)
    assert message["Subject"] == "Przypisane ci działanie: Napraw czytnik"
    text, html = bodies(message)
    assert "Dzień dobry" in text
    assert "Przypisano ci działanie „Napraw czytnik”." in text
    assert "Otwórz w Gemba" in html
    # The app's "For you" list shows the same words.
    client = login(app.test_client(), owner)
    (notice,) = client.get("/api/v1/notices").get_json()["notices"]
    assert notice["subject"] == "Przypisane ci działanie: Napraw czytnik"


def test_a_digest_speaks_the_site_language_with_its_plural(
    app, make_user, make_action, mailbox, site_id
):
    owner, analyst = make_user("observer"), make_user("analyst")
    site_speaks(app, site_id, "pl")
    with app.app_context():
        preferences.set_modes(db.session.get(User, owner.id), {"action_assigned": "digest"})
    make_action(owner, analyst, title="Pierwsze")
    make_action(owner, analyst, title="Drugie")
    notify(app)
    with app.app_context():
        sender.send_digests(NOW)
    (digest,) = mailbox.to(owner.email)
    assert digest["Subject"] == "Gemba: 2 powiadomienia"
    text, _ = bodies(digest)
    assert "Twoje powiadomienia Gemba od ostatniego zestawienia:" in text
    assert "(twoje dzienne zestawienie)" in text


def test_without_any_choice_the_e_mail_stays_english(app, make_user, make_action, mailbox):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="Fix the badge reader")
    notify(app)
    (message,) = mailbox.to(owner.email)
    text, html = bodies(message)
    assert message["Subject"] == "Action assigned to you: Fix the badge reader"
    assert text.startswith("Hello ")
    assert "Open in Gemba" in html
    assert '<html lang="en">' in html


def test_the_profile_choices_and_kinds_follow_the_language(app):
    with app.app_context(), force_locale("es"):
        assert [str(choice.label) for choice in CHOICES] == [
            "Al momento",
            "En el resumen diario",
            "Nunca",
        ]
        assert str(KINDS["walk_missed"]) == "Uno de tus recorridos no se hizo"


def test_the_csv_headers_are_in_the_reader_language(app, make_user):
    analyst = make_user("analyst")
    choose(app, analyst, "es")
    client = login(app.test_client(), analyst)
    gaps = next(csv.reader(io.StringIO(client.get("/review/gaps.csv?status=all").text)))
    assert gaps[:4] == ["ID de brecha", "estado", "puntuación", "gravedad"]
    assert "motivo de la clasificación" in gaps
    actions = next(csv.reader(io.StringIO(client.get("/review/actions.csv").text)))
    assert actions[:3] == ["ID de acción", "título", "estado"]
    choose(app, analyst, None)
    english = client.get("/review/gaps.csv?status=all", headers={"Accept-Language": "en"})
    assert english.text.startswith("gap_id,status,score,severity,")


def extracted(path: Path) -> list[tuple[str | tuple, str | None]]:
    method = "python" if path.suffix == ".py" else babel_extract
    found = extract_from_file(method, str(path), keywords=KEYWORDS)
    return [(message, context) for _, message, _, context in found]


@pytest.mark.parametrize("language", ["es", "de", "pl"])
def test_every_message_of_these_parts_is_translated(language):
    catalog = languages.merged_catalog(language)
    messages = [found for path in SOURCES for found in extracted(path)]
    assert len(messages) > 100
    missing = []
    for message, context in messages:
        key = message[0] if isinstance(message, tuple) else message
        translated = catalog.get(key, context=context)
        strings = translated.string if translated else ""
        if isinstance(message, tuple):
            complete = isinstance(strings, tuple) and len(strings) == catalog.num_plurals
            complete = complete and all(strings)
        else:
            complete = bool(strings)
        if not complete:
            missing.append(key)
    assert missing == []
