"""A live server for the offline app, whose test-only middleware can lose a sync's answer,
and a logged-in phone-sized Chromium page."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from werkzeug.serving import make_server

from gemba.extensions import db
from tests.browser.conftest import PHONE, browser  # noqa: F401 - the shared Chromium fixture
from tests.conftest import PASSWORD, make_test_app


class LoseSyncAnswers:
    """WSGI middleware: the next `lose` syncs are committed, then the connection is cut
    before the answer reaches the phone, as when the network drops mid-response; while
    `busy`, syncs are refused with 503. `lose_deletes` does the same to the next queued
    deletes (DELETE /api/v1/records/...)."""

    def __init__(self, app) -> None:
        self.app = app
        self.lose = 0
        self.lost = 0
        self.busy = False  # answer every sync with 503, writing nothing
        self.syncs = 0
        self.lose_deletes = 0
        self.deletes = 0

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "DELETE" and environ["PATH_INFO"].startswith(
            "/api/v1/records/"
        ):
            self.deletes += 1
            if self.lose_deletes > 0:
                self.lose_deletes -= 1
                return self._commit_then_hang_up(environ, start_response)
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/api/v1/sync":
            self.syncs += 1
            if self.busy:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"busy"]
            if self.lose > 0:
                self.lose -= 1
                return self._commit_then_hang_up(environ, start_response)
        return self.app(environ, start_response)

    def _commit_then_hang_up(self, environ, start_response):
        status: list[str] = []
        result = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            b"".join(result)  # the view has run and committed
        finally:
            if hasattr(result, "close"):
                result.close()
        self.lost += 1
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]


@dataclass
class Server:
    url: str
    app: Flask
    middleware: LoseSyncAnswers
    users: dict = field(default_factory=dict)


@pytest.fixture
def server(database_uri, tmp_path) -> Iterator[Server]:
    """The app on a random loopback port, CSRF on, as in production."""
    app = make_test_app(database_uri, tmp_path, WTF_CSRF_ENABLED=True, TESTING=False)
    middleware = LoseSyncAnswers(app.wsgi_app)
    app.wsgi_app = middleware  # type: ignore[method-assign]
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{httpd.server_port}", app, middleware)
    httpd.shutdown()
    thread.join(5)
    httpd.server_close()
    # A request the page still had in flight runs on in its own thread (the server's are
    # daemons, never joined): let it finish and give its connection back before the pool
    # is closed, or the connection is left for the collector in a later test.
    for request in threading.enumerate():
        if "process_request_thread" in request.name:
            request.join(5)
    with app.app_context():  # no connection outlives the test (PostgreSQL would keep it)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def phone_context(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def log_in(page, base: str, email: str) -> None:
    """Log in through the form, then open the offline app and wait until it has drawn."""
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(base + "/app")
    page.wait_for_selector("main[data-ready='/app']")


def wait_for_worker(page) -> None:
    """Until the service worker has precached the shell and controls the page."""
    page.evaluate("navigator.serviceWorker.ready")
    # Polled from here: wait_for_function would evaluate a string, which the CSP forbids.
    # Up to 30 s: two test workers, each with a Chromium, share two cores.
    for _ in range(300):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never took control of the page")
