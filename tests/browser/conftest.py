"""A live server and a phone-sized Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from gemba.extensions import db
from tests.conftest import make_test_app, missing_tool

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def live_server(database_uri, tmp_path) -> Iterator[str]:
    """The app served on a random loopback port in a thread."""
    app = make_test_app(database_uri, tmp_path, WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # PostgreSQL cannot truncate under open connections


# One Playwright and one Chromium for each test process (each xdist worker has its own):
# other test folders import the `browser` fixture, and a second sync Playwright cannot
# start in a process while one is running.
_SHARED: dict = {}


@pytest.fixture(scope="session")
def browser(request):
    """Debian's Chromium driven by Playwright; skipped where either is missing (CI fails)."""
    try:
        import playwright.sync_api as playwright_api
    except ImportError:
        missing_tool("playwright is not installed")
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        missing_tool("Chromium is not installed (apt-get install chromium)")
    if "browser" not in _SHARED:
        playwright = playwright_api.sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        request.config.add_cleanup(_stop_browser)
    return _SHARED["browser"]


def _stop_browser() -> None:
    _SHARED.pop("browser").close()
    _SHARED.pop("playwright").stop()


@pytest.fixture
def phone(browser):
    """A phone on the server's capture pages (the no-JavaScript fallback), which would
    otherwise send it to the offline app: the basic pages are chosen on this browser."""
    context = browser.new_context(**PHONE)
    context.add_init_script("localStorage.setItem('gemba.basic', '1')")
    page = context.new_page()
    yield page
    context.close()
