"""The offline capture app in the observer's language: every word the app writes (its
JavaScript, the capture vocabulary, the shell) has a translation in Spanish, German and
Polish with the same placeholders; the shell comes in the browser's language; and on a
phone set to German, Spanish or Polish the observer starts a walk, logs a fact and sees it
synced, logs another with the network gone and sees it wait and then go, all in that
language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from gemba.offline import views
from gemba.offline.catalog import app_catalog
from tests.browser.conftest import browser  # noqa: F401 - the shared Chromium fixture
from tests.offline.conftest import log_in, server  # noqa: F401 - the live server fixture

PACKAGE = Path(__file__).resolve().parents[2] / "gemba"
LANGUAGES = ("es", "de", "pl")
PLURAL_FORMS = {"es": 2, "de": 2, "pl": 3}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
SHOTS = Path("/tmp/shots_i18n")  # noqa: S108 - where the screenshots are looked at


def app_msgids() -> dict[str | tuple[str, str], tuple[str, str | None]]:
    """Every msgid of the app, with the file it is in and its context (pt()'s first)."""
    found: dict = {}
    sources = [
        ("javascript", p, {"t": None, "ngettext": (1, 2), "pt": ((1, "c"), 2)})
        for p in sorted((PACKAGE / "static/offline").rglob("*.js"))
    ]
    sources.append(("python", PACKAGE / "capture/vocabulary.py", {"_l": None}))
    sources.append(
        ("jinja2.ext.babel_extract", PACKAGE / "templates/offline/shell.html", {"_": None})
    )
    for method, path, keywords in sources:
        for _line, message, _comments, context in extract_from_file(
            method, str(path), keywords=keywords
        ):
            where = str(path.relative_to(PACKAGE))
            found.setdefault((context, message) if context else message, (where, context))
    return found


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_the_app_calls_t_with_words_only():
    """A call the extractor cannot read (t(variable)) would be a word never translated."""
    for path in (PACKAGE / "static/offline").rglob("*.js"):
        if path.name == "i18n.js":  # where t and ngettext are defined
            continue
        source = path.read_text(encoding="utf-8")
        calls = re.findall(r"\b(?:t|pt|ngettext)\((?!\")[^)]", source)
        assert not calls, (path.name, calls)


def test_the_app_has_some_three_hundred_words():
    assert len(app_msgids()) > 300


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_of_the_app_is_translated_with_its_placeholders(language):
    with (PACKAGE / "translations" / language / "offline.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    assert catalog.num_plurals == PLURAL_FORMS[language]
    missing, wrong = [], []
    for found, (where, context) in app_msgids().items():
        msgid = found[1] if context else found
        message = catalog.get(msgid if isinstance(msgid, str) else msgid[0], context=context)
        if message is None or not all(message.string if message.pluralizable else [message.string]):
            missing.append((where, msgid))
            continue
        ids = [msgid] if isinstance(msgid, str) else list(msgid)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if isinstance(msgid, tuple):
            assert len(strings) == PLURAL_FORMS[language], msgid
        expected = placeholders(ids[-1])
        for text in strings:
            # A plural's "one" form may say the number in words ("tried once").
            if placeholders(text) != expected and not (
                isinstance(msgid, tuple) and placeholders(text) <= expected
            ):
                wrong.append((msgid, text))
            if "%" in text.replace("%%", "").replace("%(", "") and "%%" in "".join(ids):
                wrong.append((msgid, text))  # a lone % where the English writes %%
    assert not missing, missing
    assert not wrong, wrong


def test_the_shell_speaks_german_to_a_german_browser(client, make_user):
    make_user("admin")  # an instance with a user serves the app, not the setup
    page = client.get("/app", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert page.headers["Content-Language"] == "de"
    assert {"Accept-Language", "Cookie"} <= set(page.headers["Vary"].replace(" ", "").split(","))
    assert '<html lang="de">' in html
    assert ">Rundgänge</a>" in html
    assert "Abmelden" in html
    assert '"label": "Thema"' in html  # the vocabulary, in German too
    assert '"language": "de"' in html
    assert '"Sync now": "Jetzt senden"' in html
    english = client.get("/app", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert ">Walks</a>" in english
    assert '"label": "Topic"' in english
    assert '"messages": {}' in english


def test_a_shell_is_made_per_language_and_version():
    keys = {k[2] for k in views._shells}
    assert keys <= {"en", "es", "de", "pl"}
    assert app_catalog("en") == {}
    polish = app_catalog("pl")
    assert polish["%(num)s fact"] == [
        "%(num)s obserwacja",
        "%(num)s obserwacje",
        "%(num)s obserwacji",
    ]


# -- on the phone ------------------------------------------------------------------------------


def _walk_and_fact(page, base: str, site: str) -> None:
    page.goto(base + "/app/walks/new")
    page.wait_for_selector("form[data-kind=walk]")
    page.fill("form [name=title]", "Linie 3")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready^='/app/walks/'] .actionbar")
    page.click(".actionbar a.add-fact")
    page.wait_for_selector("form[data-kind=fact]")
    page.fill("form [name=topic]", "Handschuhe")
    page.click("form button[type=submit]")
    page.wait_for_selector(".record.is-new")


def _synced(page, words: str) -> None:
    for _ in range(300):
        if words in page.locator("#status").inner_text():
            return
        page.wait_for_timeout(100)
    raise AssertionError(page.locator("#status").inner_text())


def _open_fact_form(page) -> None:
    """Tap "Fact" in the add bar. A tap that lands while the walk screen draws itself again
    (a sync just answered) meets the bar being replaced: tap the new one."""
    form = page.locator("form[data-kind=fact]")
    for _ in range(3):
        if form.is_visible():
            return
        page.click(".actionbar a.add-fact")
        try:
            form.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the fact form never opened")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("locale", "language", "words"),
    [
        (
            "de-DE",
            "de",
            {
                "walks": "Rundgänge",
                "add": "Beobachtung",
                "save": "Beobachtung speichern",
                "synced": "alles synchronisiert",
                "topic": "Thema",
                "offline": "Offline · 1 Eintrag nicht synchronisiert",
            },
        ),
        (
            "es-MX",
            "es",
            {
                "walks": "Recorridos",
                "add": "Hecho",
                "save": "Guardar hecho",
                "synced": "todo sincronizado",
                "topic": "Tema",
                "offline": "Sin conexión · 1 elemento sin sincronizar",
            },
        ),
        (
            "pl-PL",
            "pl",
            {
                "walks": "Obchody",
                "add": "Obserwacja",
                "save": "Zapisz obserwację",
                "synced": "wszystko zsynchronizowane",
                "topic": "Temat",
                "offline": "Offline · 1 wpis niezsynchronizowany",
            },
        ),
    ],
)
def test_on_a_phone_in_the_plants_language(
    server,  # noqa: F811 - the fixture imported above
    make_user,
    make_site,
    browser,  # noqa: F811 - the fixture imported above
    locale,
    language,
    words,
):
    user = make_user("observer", email=f"walker-{language}@example.com")
    make_site("Werk 2")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale=locale
    )
    try:
        page = context.new_page()
        log_in(page, server.url, user.email)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("main h1").inner_text() == words["walks"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"app-{language}-walks.png"))
        page.goto(server.url + "/app/walks/new")
        page.wait_for_selector("form[data-kind=walk]")
        page.screenshot(path=str(SHOTS / f"app-{language}-start.png"), full_page=True)
        page.fill("form [name=title]", "Linie 3")
        page.click("form button[type=submit]")
        page.wait_for_selector("main[data-ready^='/app/walks/'] .actionbar")
        # The add bar's words carry soft hyphens where they may break: read without them.
        assert words["add"] in page.locator(".actionbar").inner_text().replace("\u00ad", "")
        _open_fact_form(page)
        assert page.locator("form button[type=submit]").inner_text() == words["save"]
        assert words["topic"] in page.locator("form [data-field=topic] label").inner_text()
        page.screenshot(path=str(SHOTS / f"app-{language}-fact.png"), full_page=True)
        page.fill("form [name=topic]", "Handschuhe")
        page.click("form button[type=submit]")
        page.wait_for_selector(".record.is-new")
        _synced(page, words["synced"])
        page.screenshot(path=str(SHOTS / f"app-{language}-walk.png"), full_page=True)
        # The network drops: the next fact waits on the phone, said in the language, and
        # goes when the network is back.
        context.set_offline(True)
        _open_fact_form(page)
        page.fill("form [name=topic]", "Schutzbrille")
        page.click("form button[type=submit]")
        page.wait_for_selector(".record.is-unsynced")
        _synced(page, words["offline"])
        context.set_offline(False)
        _synced(page, words["synced"])
        # Nothing on the phone is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
