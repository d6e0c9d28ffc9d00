"""The longest labels fit a phone: German and Polish say most of the words at length. On a
390 x 844 phone in either language, an observer and an admin go through the capture screens
(the server's: the start page, a new walk, a walk, each add-record form, the walk's edit
form, the profile; the offline app's: the walk list, a new walk, a walk, each add-record
form, the sync ledger). Each screen must:

- fit the width: `document.documentElement.scrollWidth` <= 390;
- show every visible button, `a.button`, label, `nav a` and submit button whole: none whose
  text is cut (overflow hidden or clip, with `scrollWidth` > `clientWidth` + 1) and none
  whose right edge is past the phone's;
- break no word of those inside a syllable: a long word may go over two lines only where
  its translation marks a break (a soft hyphen, shown as a hyphen), never "Gegenst / and".

Exempt: what sits in a container scrolled sideways on purpose (`overflow-x: auto` or
`scroll` on an ancestor, as the top nav bar is): its overflow is reached by a swipe.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from gemba.accounts import services as accounts
from gemba.models import Role
from gemba.ops import demo as demo_data
from tests.browser.conftest import PHONE
from tests.conftest import make_test_app
from tests.review.conftest import copy_demo, demo_rows  # noqa: F401 - the demo plant, once

pytestmark = pytest.mark.browser

PASSWORD = "look at the real place"
LOCALES = {"de": "de-DE", "pl": "pl-PL"}
WIDTH = 390
KINDS = ("place", "thing", "fact", "statement")

CLIPPED = r"""(width) => {
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    return el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  };
  const swiped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const name = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const what = String(el.innerText || el.value || '').trim().replace(/\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${cls} "${what.slice(0, 60)}"`;
  };
  // Each piece of a word between its soft hyphens must sit on one line: its first and last
  // letters on the same one. (A range's last box is its letter's: one that starts just after
  // a break also has a box at the end of the line before.)
  const lineOf = (node, at) => {
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    const boxes = [...range.getClientRects()].filter((r) => r.width > 0);
    return boxes.length ? Math.round(boxes[boxes.length - 1].top) : null;
  };
  const splitWords = (el) => {
    const found = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\S+/g)) {
        let start = word.index;
        for (const piece of word[0].split("\u00ad")) {
          if (piece.length > 1 && lineOf(node, start) !== lineOf(node, start + piece.length - 1)) {
            found.push(word[0].replaceAll("\u00ad", ""));
          }
          start += piece.length + 1;
        }
      }
    }
    return found;
  };
  const found = [];
  const selector = 'button, a.button, label, nav a, input[type=submit]';
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el) || swiped(el)) continue;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const hides = ['hidden', 'clip'].includes(style.overflowX);
    if (hides && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${name(el)} cut: text ${el.scrollWidth} px in ${el.clientWidth} px`);
    } else if (r.right > width + 0.5) {
      found.push(`${name(el)} right edge at ${Math.round(r.right)} px`);
    }
    for (const word of splitWords(el)) found.push(`${name(el)} breaks "${word}" inside a syllable`);
  }
  return {width: document.documentElement.scrollWidth, found};
}"""


@pytest.fixture
def people(live_server, database_uri, tmp_path, demo_rows) -> dict[str, str]:  # noqa: F811
    """The demo plant in the live server's database, an observer and an admin: emails."""
    app = make_test_app(database_uri, tmp_path)
    copy_demo(app, demo_rows)
    emails = {"observer": "lena@example.com", "admin": "marek@example.com"}
    with app.app_context():
        for role, email in emails.items():
            accounts.create_user(email, PASSWORD, Role(role))
    return emails


def _log_in(context, base: str, email: str):
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _check(page, where: str) -> list[str]:
    found = page.evaluate(CLIPPED, WIDTH)
    problems = [f"{where}: {what}" for what in found["found"]]
    if found["width"] > WIDTH:
        problems.append(f"{where}: the page is {found['width']} px wide")
    return problems


def _server_screens(context, base: str, email: str, who: str) -> list[str]:
    """The server's capture pages (what a phone chose over the app, or one without JS)."""
    page = _log_in(context, base, email)
    page.goto(base + "/walks/new")
    problems = _check(page, f"{who} /walks/new")
    page.fill("input[name=title]", "Linia 3 Umrüstung")
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: not url.endswith("/walks/new"))
    walk = urlparse(page.url).path
    paths = ["/", walk, f"{walk}/edit", "/profile"]
    paths += [f"{walk}/{kind}s/new" for kind in KINDS]
    if who.startswith("admin"):
        paths.append(f"/walks/{demo_data._id('walk', 'changeover')}")  # with a contradiction
    for path in paths:
        page.goto(base + path)
        problems += _check(page, f"{who} {path}")
    return problems


def _app_screens(context, base: str, email: str, who: str) -> list[str]:
    """The offline app's screens."""
    page = _log_in(context, base, email)
    page.goto(base + "/app")
    page.wait_for_selector("main[data-ready='/app']")
    problems = _check(page, f"{who} /app")
    page.goto(base + "/app/walks/new")
    page.wait_for_selector("form[data-kind=walk]")
    problems += _check(page, f"{who} /app/walks/new")
    page.fill("form [name=title]", "Linia 3 Umrüstung")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready^='/app/walks/'] .actionbar")
    walk = urlparse(page.url).path
    problems += _check(page, f"{who} {walk}")
    walks = [walk]
    if who.startswith("admin"):
        walks.append(f"/app/walks/{demo_data._id('walk', 'changeover')}")
        page.goto(base + walks[-1])
        page.wait_for_selector(".timeline")
        problems += _check(page, f"{who} {walks[-1]}")
    for kind in KINDS:
        path = f"{walk}/new/{kind}"
        page.goto(base + path)
        page.wait_for_selector(f"form[data-kind={kind}]")
        problems += _check(page, f"{who} {path}")
    page.goto(base + "/app/ledger")
    page.wait_for_selector("main[data-ready='/app/ledger']")
    problems += _check(page, f"{who} /app/ledger")
    return problems


@pytest.mark.parametrize("language", LOCALES)
def test_the_longest_labels_fit_a_phone(browser, live_server, people, language):
    problems: list[str] = []
    for role, email in people.items():
        who = f"{role} ({language})"
        server = browser.new_context(**PHONE, locale=LOCALES[language])
        server.add_init_script("localStorage.setItem('gemba.basic', '1')")
        app = browser.new_context(**PHONE, locale=LOCALES[language])
        try:
            problems += _server_screens(server, live_server, email, who)
            problems += _app_screens(app, live_server, email, who)
        finally:
            server.close()
            app.close()
    assert not problems, "\n".join(problems)
