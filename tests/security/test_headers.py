"""Security headers on every kind of response, and pages that a strict CSP cannot break."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from gemba.extensions import db
from gemba.models import Site
from tests.conftest import login

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
CSP_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "worker-src 'self'",
    "manifest-src 'self'",
]


def assert_security_headers(response, *, https: bool = False) -> None:
    headers = response.headers
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (name, response.request.path)
    csp = headers["Content-Security-Policy"]
    directives = [part.strip() for part in csp.split(";")]
    for directive in CSP_DIRECTIVES:
        assert directive in directives
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    policy = headers["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "geolocation=(self)" in policy
    assert ("Strict-Transport-Security" in headers) is https


def test_every_kind_of_response_carries_the_headers(app, login_as):
    anonymous = app.test_client()
    client, _ = login_as("admin")
    responses = [
        anonymous.get("/login"),  # a page
        anonymous.get("/"),  # a redirect
        anonymous.get("/static/css/gemba.css"),  # a static file
        anonymous.get("/static/nothing-here.css"),  # a static 404
        client.get("/no-such-page"),  # an error page
        anonymous.get("/api/v1/walks"),  # an API problem (401)
        client.get("/api/v1/no-such-thing"),  # an API problem (404)
        anonymous.post("/api/v1/sync", json={}),  # an API problem on a write
        client.get("/"),  # a logged-in page
    ]
    statuses = {r.status_code for r in responses}
    assert {200, 302, 401, 404} <= statuses
    for response in responses:
        assert_security_headers(response)
    assert responses[2].headers.get("Cache-Control") != "no-store"  # static files may be cached
    assert responses[-1].headers["Cache-Control"] == "no-store"  # a user's page is not
    for response in responses:
        response.close()


def test_an_unexpected_error_page_carries_the_headers(app, login_as):
    @app.route("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    client, _ = login_as("admin")
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert_security_headers(response)


def test_hsts_only_over_https(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    response = client.get("/login", base_url="https://gemba.example")
    assert_security_headers(response, https=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


class InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        # A JSON data block is never run (the CSP does not govern it); code must be a file.
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}> at line {self.getpos()[0]}")
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}> at line {self.getpos()[0]}")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def test_the_inline_finder_sees_what_the_csp_would_block():
    html = '<script>x()</script><p style="color:red" onclick="y()"><style>p{}</style>'
    assert len(inline_problems(html)) == 4
    assert inline_problems('<script type="module" src="/static/js/a.js"></script>') == []
    assert inline_problems('<script type="application/json" id="v">{}</script>') == []
    assert len(inline_problems('<script type="text/javascript">x()</script>')) == 1


def _pages(app, furnished) -> list[str]:
    """Every GET page without URL arguments, plus the pages of a real walk, site and user."""
    walk, ids = furnished["walk"], furnished["ids"]
    with app.app_context():
        site = db.session.scalar(db.select(Site))
        site_id = site.id
    urls = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint != "static"
        and not rule.rule.startswith("/api/")
    }
    urls |= {
        f"/walks/{walk}",
        f"/walks/{walk}/edit",
        f"/manage/sites/{site_id}",
        f"/manage/users/{furnished['observer'].id}",
    }
    for kind in ("place", "thing", "fact", "statement"):
        urls |= {
            f"/walks/{walk}/{kind}s/new",
            f"/walks/{walk}/{kind}s/{ids[kind]}/edit",
            f"/walks/{walk}/{kind}s/{ids[kind]}/delete",
        }
    return sorted(urls)


def test_pages_have_no_inline_script_or_style(app, furnished):
    client = login(app.test_client(), furnished["admin"])
    found = {}
    pages = _pages(app, furnished)
    for url in pages:
        response = client.get(url)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code < 500, url
        if response.mimetype == "text/html":
            problems = inline_problems(body)
            if problems:
                found[url] = problems
    anonymous = app.test_client()
    for url in ("/login", "/no-such-page"):
        problems = inline_problems(anonymous.get(url).get_data(as_text=True))
        if problems:
            found[url] = problems
    assert len(pages) >= 15
    assert found == {}


@pytest.mark.parametrize("url", ["/setup"])
def test_first_run_page_has_no_inline_script_or_style(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert inline_problems(response.get_data(as_text=True)) == []


def test_scripts_served_by_a_view_may_be_cached_and_views_may_choose(app, make_user):
    make_user()  # past first-run setup

    @app.route("/script-for-test.js")
    def script():
        return app.response_class("export {};", mimetype="text/javascript")

    @app.route("/cached-for-test")
    def cached():
        response = app.response_class("{}", mimetype="application/json")
        response.headers["Cache-Control"] = "private, max-age=60"
        return response

    client = app.test_client()
    assert "Cache-Control" not in client.get("/script-for-test.js").headers
    assert client.get("/cached-for-test").headers["Cache-Control"] == "private, max-age=60"
