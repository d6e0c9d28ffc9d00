"""Phone-grade pages: on a 390 x 844 phone, an analyst with the demo plant goes through
every page the menus lead to, and the pages one step in (a walk of theirs and one of
someone else's, a gap, a topic, a persona, an experience map, a report, an action, the
action form, the inbox with its filters open, the capture forms). Each page must:

- fit the width: `document.documentElement.scrollWidth` <= 390;
- offer tap targets of 44 x 44 px at least: every visible link, button, input, select,
  textarea and summary; a check box or radio button counts as the label around it (the
  label is what a thumb hits, and what the page draws as the control);
- print no text under 16 px: every visible text node, and the text of every form
  control (under 16 px a phone also zooms into the field when it is tapped).
  Exempt: the text inside SVG charts, drawn to the chart's scale
  (tests/review/test_chart_labels.py holds those labels inside the chart and apart).

Keyboard hints show where there is a keyboard and a mouse, not on a phone; and a save
that flags a contradiction tells it once. The server's capture pages are also what a
phone without JavaScript uses (the offline app at /app needs it): they are audited with
JavaScript off as well, and with it on wherever a phone is not sent to /app.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import Role, Topic, gap_id_for
from gemba.ops import demo as demo_data
from tests.browser.conftest import PHONE
from tests.conftest import make_test_app
from tests.review.conftest import copy_demo, demo_rows  # noqa: F401 - the demo plant, once

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "ana@example.com", "look at the real place"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
STATEMENT = "We always wear safety glasses in the press hall."

AUDIT = r"""() => {
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0 || r.bottom <= 0) return false;
    return el.checkVisibility({ visibilityProperty: true });
  };
  const name = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const what = String(el.innerText || el.value || el.getAttribute('name') || '');
    return `${el.tagName.toLowerCase()}${cls} "${what.trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
  };
  const targets = new Set();
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const unseen = getComputedStyle(el).opacity === '0' || el.getBoundingClientRect().width < 4;
    const boxed = el.matches('input[type=checkbox], input[type=radio]')
      || (el.matches('input[type=file]') && unseen);
    const label = boxed && (el.closest('label') || (el.labels && el.labels[0]));
    targets.add(label || el);
  }
  const small = [];
  for (const t of targets) {
    if (!shown(t)) continue;
    const r = t.getBoundingClientRect();
    if (r.width < 43.5 || r.height < 43.5) {
      small.push(`${name(t)} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  const tiny = [];
  const size = (el) => parseFloat(getComputedStyle(el).fontSize);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.data.trim() || el.closest('svg, script, style, template, option')) continue;
    if (shown(el) && size(el) < 15.95) tiny.push(`${name(el)} ${size(el)}px`);
  }
  const typed = 'input:not([type=hidden], [type=checkbox], [type=radio]), select, textarea';
  for (const el of document.querySelectorAll(typed)) {
    if (shown(el) && size(el) < 15.95) tiny.push(`${name(el)} ${size(el)}px`);
  }
  return {width: document.documentElement.scrollWidth, small, tiny};
}"""


@pytest.fixture
def plant(live_server, database_uri, tmp_path, demo_rows) -> dict[str, str]:  # noqa: F811
    """The demo plant and an analyst in the live server's database: ids of its pages."""
    app = make_test_app(database_uri, tmp_path)
    copy_demo(app, demo_rows)
    changeover = demo_data._id("walk", "changeover")
    statement = demo_data._id("statement", changeover, "ten")
    with app.app_context():
        accounts.create_user(EMAIL, PASSWORD, Role.analyst)
        topic = db.session.scalar(select(Topic.id).where(Topic.key == "changeover time"))
        db.session.remove()
        db.engine.dispose()
    return {
        "walk": f"/walks/{changeover}",
        "gap": f"/review/gaps/{gap_id_for(uuid.UUID(statement))}",
        "topic": f"/review/topics/{topic}",
        "persona": f"/review/personas/{demo_data._id('persona', 'fork')}",
        "experience": f"/review/walks/{changeover}/experience",
        "report": f"/review/walks/{changeover}/report",
    }


def _log_in(context, base: str):
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _walk_with_a_gap(page, base: str) -> str:
    """Start a walk, log a statement and a fact against it, as an observer does on the
    floor; the walk's path."""
    page.goto(base + "/walks/new")
    page.fill("input[name=title]", "Press hall round")
    page.click("text=Start walking")
    walk = urlparse(page.url).path
    page.click(".actionbar >> text=Said")
    page.fill("textarea[name=text]", STATEMENT)
    page.fill("input[name=speaker]", "Shift lead")
    page.fill("input[name=topic]", "Glasses in the press hall")
    page.click("label:has-text('Always')")
    page.click("text=Save statement")
    page.click(".actionbar >> text=Fact")
    page.fill("textarea[name=text]", "Operator at press 2 without glasses")
    page.fill("input[name=topic]", "glasses in the press hall")
    page.click("label:has-text('Not done')")
    page.click("text=Save fact")
    return walk


def _links(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "links => links.map(a => a.pathname + a.search)")


def _audit(page, base: str, path: str, open_filters: bool = False) -> list[str]:
    """What on the page falls short of phone grade, each problem named with the page."""
    page.goto(base + path)
    if urlparse(page.url).path.startswith("/app"):
        # A phone with JavaScript captures in the offline app (its own tests); only the
        # capture pages may send it there, and they are audited without JavaScript too.
        assert path == "/" or path.startswith("/walks/"), f"{path} went to {page.url}"
        return []
    if open_filters:
        page.click("details.filters > summary")
    found = page.evaluate(AUDIT)
    problems = [f"{path}: {what}" for what in found["small"] + found["tiny"]]
    if found["width"] > 390:
        problems.append(f"{path}: {found['width']} px wide")
    return problems


def _capture_pages(walk: str) -> list[str]:
    forms = [f"{walk}/{kinds}/new" for kinds in ("places", "things", "facts", "statements")]
    return ["/", "/walks/new", walk, f"{walk}/edit", *forms]


def test_every_page_an_analyst_reaches_is_phone_grade(browser, live_server, plant):
    without_js = browser.new_context(**PHONE, java_script_enabled=False)
    with_js = browser.new_context(**PHONE)
    try:
        plain, phone = _log_in(without_js, live_server), _log_in(with_js, live_server)
        walk = _walk_with_a_gap(plain, live_server)
        phone.goto(live_server + "/review/")
        menus = _links(phone, "nav.nav a, .review-nav a")
        phone.goto(f"{live_server}{plant['gap']}/actions/new")
        phone.fill("input[name=title]", "Stage the die cart before the changeover")
        phone.fill("input[name=due_date]", "2026-12-24")
        phone.click("button:has-text('Create action')")
        phone.wait_for_selector("text=Action created.")
        action = urlparse(phone.url).path
        pages = [*menus, *plant.values(), f"{plant['gap']}/actions/new", action, f"{action}/edit"]
        phone.goto(live_server + "/manage/sites")
        pages += _links(phone, ".link-card a")  # a site, with its personas
        problems = _audit(phone, live_server, "/review/?status=all", open_filters=True)
        for path in dict.fromkeys(pages + _capture_pages(walk)):
            problems += _audit(phone, live_server, path)
        for path in _capture_pages(walk):  # the same pages, as a phone without JavaScript
            problems += [f"(no JavaScript) {p}" for p in _audit(plain, live_server, path)]
    finally:
        without_js.close()
        with_js.close()
    assert len(pages) > 12
    assert not problems, "\n".join(problems)


def test_date_boxes_take_the_width_of_a_phone(browser, live_server, plant):
    context = browser.new_context(**PHONE)
    try:
        page = _log_in(context, live_server)
        page.goto(f"{live_server}{plant['gap']}/actions/new")
        due = page.locator("input[name=due_date]").bounding_box()
        page.goto(live_server + "/review/?status=all")
        page.click("details.filters > summary")
        since = page.locator("input[name=date_from]").bounding_box()
    finally:
        context.close()
    for box in (due, since):
        assert box["width"] >= 300  # the form's width, not a 131 px native box
        assert box["height"] >= 44


def test_keyboard_hints_show_only_where_there_is_a_keyboard(browser, live_server, plant):
    seen = {}
    for name, device in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(**device)
        try:
            page = _log_in(context, live_server)
            page.goto(live_server + "/review/")
            inbox = [page.locator(s).first.is_visible() for s in (".key-help", ".key-hint")]
            page.goto(live_server + plant["gap"])
            seen[name] = inbox + [page.locator("kbd").first.is_visible()]
        finally:
            context.close()
    assert seen == {"phone": [False, False, False], "desktop": [True, True, True]}


def test_a_contradiction_found_by_a_save_is_told_once(browser, live_server, plant):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    try:
        page = _log_in(context, live_server)
        walk = _walk_with_a_gap(page, live_server)
        told = page.locator("main").inner_text()
        newest = page.locator(".timeline > li").first.bounding_box()
        page.goto(live_server + walk)  # later: the panel lists it, no notice
        later = page.locator("main").inner_text()
    finally:
        context.close()
    headline = f"Contradicts: “{STATEMENT}”"
    assert told.count(headline) == 1
    assert "Fact saved." in told
    assert newest["y"] < 844  # the record just saved shows without scrolling
    assert later.count(headline) == 1
    assert "Fact saved." not in later
