"""The phone app in the pseudo-locale: an observer starts a walk, logs a fact and a
statement, and opens the summary and the sync ledger; every word on each screen went
through the catalog (its JavaScript's `t()`, the shell's `_()`), apart from what they
typed. A word someone adds to the app tomorrow without `t()` fails here."""

from __future__ import annotations

import pytest

from gemba.offline import views
from gemba.offline.catalog import key
from gemba.platform import languages
from tests.browser.conftest import browser  # noqa: F401 - the shared Chromium fixture
from tests.i18n import pseudo
from tests.i18n.test_pseudo_locale import ALLOWED
from tests.offline.conftest import log_in, server  # noqa: F401 - the live server fixture

TYPED = ("Werk 2", "Linie 3", "Handschuhe", "Wir tragen immer Handschuhe")
# Everything the screen shows or reads out: its text and the labels of its controls.
SHOWN = """() => [document.body.innerText,
  ...[...document.querySelectorAll('[placeholder],[title],[aria-label],img[alt]')].flatMap(
    (e) => ['placeholder', 'title', 'aria-label', 'alt'].map((a) => e.getAttribute(a) || ''))]"""


def _app_catalog(language: str) -> dict[str, str | list[str]]:
    """The pseudo-locale's words for the app: every message wrapped in markers."""
    if language != pseudo.CODE:
        return {}
    words: dict[str, str | list[str]] = {}
    for message in pseudo.pseudo_catalog():
        if not message.id:
            continue
        if message.pluralizable:
            words[key(message.id[0], message.context)] = list(message.string)
        else:
            words[key(message.id, message.context)] = message.string
    return words


def _check(page, where: str, data: tuple[str, ...], problems: dict[str, list[str]]) -> None:
    texts = [line for text in page.evaluate(SHOWN) for line in text.splitlines()]
    assert sum(pseudo.OPEN in text for text in texts) > 5, (where, texts)  # the pseudo words
    found = pseudo.unmarked(texts, data, ALLOWED)
    if found:
        problems[where] = found


@pytest.mark.browser
def test_every_screen_of_the_app_speaks_through_the_catalog(
    server,  # noqa: F811 - the fixture imported above
    make_user,
    make_site,
    browser,  # noqa: F811 - the fixture imported above
    monkeypatch,
):
    monkeypatch.setitem(languages.LANGUAGES, pseudo.CODE, "Pseudo")
    monkeypatch.setattr(views, "app_catalog", _app_catalog)
    views._shells.clear()
    pseudo.install(server.app.instance_path)
    user = make_user("observer", email="pseudo-walker@example.com")
    make_site(TYPED[0])
    data = (*TYPED, user.email, user.email.split("@")[0], "Pseudo")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale=pseudo.CODE
    )
    problems: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        log_in(page, server.url, user.email)
        assert page.locator("html").get_attribute("lang") == pseudo.CODE
        _check(page, "walks", data, problems)
        page.goto(server.url + "/app/walks/new")
        page.wait_for_selector("form[data-kind=walk]")
        _check(page, "new walk", data, problems)
        page.fill("form [name=title]", TYPED[1])
        page.click("form button[type=submit]")
        page.wait_for_selector("main[data-ready^='/app/walks/'] .actionbar")
        _check(page, "walk", data, problems)
        for kind, field, value in (
            ("fact", "topic", TYPED[2]),
            ("statement", "text", TYPED[3]),
        ):
            page.click(f".actionbar a.add-{kind}")
            page.wait_for_selector(f"form[data-kind={kind}]")
            page.fill(f"form [name={field}]", value)
            if kind == "statement":
                page.fill("form [name=topic]", TYPED[2])
            _check(page, f"new {kind}", data, problems)
            page.click("form button[type=submit]")
            page.wait_for_selector(".record.is-new")
        _check(page, "walk with records", data, problems)
        page.goto(server.url + "/app/ledger")
        page.wait_for_selector("main[data-ready='/app/ledger']")
        _check(page, "ledger", data, problems)
    finally:
        context.close()
        views._shells.clear()
    assert not problems, problems
