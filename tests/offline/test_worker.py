"""The service worker: a new version takes over after the prompt; the shell is light and
a repeat load comes from the worker's cache."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from gemba.offline import assets
from tests.browser.conftest import PHONE
from tests.offline.conftest import log_in, wait_for_worker

pytestmark = pytest.mark.browser

FIRST_LOAD_BUDGET = 100 * 1024  # bytes over the wire, headers included

WORKER_VERSION_JS = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data.version);
  navigator.serviceWorker.controller.postMessage({ type: "version" }, [channel.port2]);
})"""


@pytest.fixture
def observer(make_user, make_site):
    make_site("Plant 2")
    return make_user("observer", email="walker@example.com")


def test_a_new_version_takes_over_after_the_reload_prompt(
    server, observer, phone_context, monkeypatch
):
    page = phone_context.new_page()
    log_in(page, server.url, observer.email)
    wait_for_worker(page)
    first = assets.shell_version()
    assert page.evaluate(WORKER_VERSION_JS) == first
    assert page.locator("#update").is_hidden()

    monkeypatch.setattr(assets, "shell_version", lambda: "feedfacecafe0001")  # a deploy
    page.reload()  # the browser checks /sw.js on navigation and installs the new worker
    page.wait_for_selector("#update:not([hidden])")
    assert page.evaluate(WORKER_VERSION_JS) == first  # the old one serves until asked
    with page.expect_event("load"):
        page.click("#update button")
    page.wait_for_selector("main[data-ready='/app']")
    assert page.evaluate(WORKER_VERSION_JS) == "feedfacecafe0001"
    caches = page.evaluate("caches.keys()")
    assert "gemba-shell-feedfacecafe0001" in caches
    assert f"gemba-shell-{first}" not in caches


def test_first_load_is_light_and_a_repeat_load_comes_from_the_worker(server, observer, browser):
    login_context = browser.new_context(**PHONE)
    login_page = login_context.new_page()
    log_in(login_page, server.url, observer.email)
    cookies = login_context.cookies()
    login_context.close()

    context = browser.new_context(**PHONE)  # an empty HTTP cache, only the session cookie
    context.add_cookies(cookies)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(server.url + "/app")
    page.wait_for_selector("main[data-ready='/app']")
    wait_for_worker(page)
    page.wait_for_load_state("networkidle")
    sizes = {r.url: r.sizes() for r in finished}
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
    print(f"first load: {total} bytes in {len(sizes)} requests")
    assert total < FIRST_LOAD_BUDGET, sorted(sizes.items())
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0

    responses = []
    page.on("response", lambda response: responses.append(response))
    page.reload()
    page.wait_for_selector("main[data-ready='/app']")
    shell = [
        r
        for r in responses
        if urlparse(r.url).path == "/app" or urlparse(r.url).path.startswith("/app/assets/")
    ]
    assert len(shell) >= 1 + len(assets.EAGER_MODULES) + 1  # page, modules, stylesheets
    assert all(r.from_service_worker for r in shell), [
        (r.url, r.from_service_worker) for r in shell
    ]
    context.close()
