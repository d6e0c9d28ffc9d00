"""In a real browser: an analyst goes from the inbox to a confirmed gap with an action,
and prints the walk report, using only the UI (keyboard included).

The review pages' screenshots are taken by docs/screenshots/take_review.py.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import Gap, Role, gap_id_for
from gemba.ops import demo as demo_data
from tests.conftest import make_test_app
from tests.review.conftest import copy_demo

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "ana@example.com", "look at the real place"


@pytest.fixture
def server(database_uri, tmp_path, demo_rows) -> Iterator[tuple[str, object]]:
    """The demo plant and an analyst, served on a random loopback port with CSRF on."""
    app = make_test_app(database_uri, tmp_path, WTF_CSRF_ENABLED=True, TESTING=False)
    copy_demo(app, demo_rows)
    with app.app_context():
        accounts.create_user(EMAIL, PASSWORD, Role.analyst)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", app
    httpd.shutdown()
    thread.join(5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _log_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_analyst_confirms_a_gap_decides_an_action_and_prints_the_report(browser, server, tmp_path):
    base, app = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _log_in(page, base)
    page.click("nav.nav >> text=Gaps")
    # The click only starts the navigation: wait for the inbox's rows to arrive.
    expect(page.locator(".gap-row")).to_have_count(5)
    first_claim = page.locator(".gap-row .claim").first.inner_text()

    # Keyboard: j focuses the first row, j/k move, Enter opens. The rows can arrive before
    # review.js (a module) runs: wait for the page's load, and for j to have taken effect.
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    page.wait_for_function("document.activeElement?.matches('[data-row]')")
    page.keyboard.press("j")
    page.keyboard.press("k")
    focused = page.evaluate("document.activeElement.querySelector('.claim').textContent")
    assert focused.split() == first_claim.split()
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/gaps/**")
    assert "A changeover takes ten minutes." in page.locator("h1").inner_text()
    assert page.locator("text=How the verdict was computed").is_visible()

    # Confirm: "c" takes the keyboard to the confirm button.
    page.fill("textarea[name=confirm-note]", "Seen on three changeovers")
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash-success")
    assert "Gap confirmed." in page.locator(".flash-success").inner_text()
    assert page.locator(".gap-head .badge.status").inner_text() == "Confirmed"
    assert "Open → Confirmed" in page.locator(".history").inner_text()

    # Decide an action for it (and the other changeover statement).
    page.click("text=Create action")
    page.fill("input[name=title]", "SMED workshop: die cart staged before the changeover")
    page.fill("input[name=due_date]", (date.today() + timedelta(days=14)).isoformat())
    page.locator("input[name=gaps]").nth(1).check()
    page.click("button:has-text('Create action')")
    page.wait_for_selector("text=Action created.")
    assert page.locator(".linked-gap").count() == 2
    assert "Waiting for evidence" in page.locator(".linked-gap").first.inner_text()

    # The board shows it; from the gap, the walk report.
    page.click(".review-nav >> text=Actions")
    assert "SMED workshop" in page.locator(".column-open").inner_text()
    page.click("text=SMED workshop: die cart staged before the changeover")
    page.click(".linked-gap >> text=“A changeover takes ten minutes.”")
    page.click("text=Walk report")
    page.wait_for_url("**/report")
    assert "Line 3 changeover" in page.locator(".report h1").inner_text()
    report = page.locator(".report").inner_text()
    assert "SMED workshop" in report
    assert "1. “A changeover takes ten minutes.”" in report

    # Printing hides the app's chrome and keeps the report; Chromium saves it as PDF.
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator("[data-print]").is_visible()
    assert page.locator(".report-gap").first.is_visible()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
    with app.app_context():
        gap = db.session.get(Gap, gap_id_for(_statement("changeover", "ten")))
        assert gap.status == "actioned"
        assert gap.triaged_by.email == EMAIL
    context.close()


def _statement(walk: str, key: str) -> uuid.UUID:
    return uuid.UUID(demo_data._id("statement", demo_data._id("walk", walk), key))
