"""The whole route table: login, CSRF and roles, for routes that exist now and later.

Every rule in `app.url_map` is requested with dummy arguments (a random UUID, 1,
"x"), so a route someone adds tomorrow is checked without editing this file.
Only the public list below is allowed to answer an anonymous visitor.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import Role, User
from tests.conftest import login

# Endpoints anyone may open: logging in, first-run setup, static files, the API's
# description, and the offline app's shell, its scripts, service worker and manifest (the
# same for everyone and free of user data, so a phone can start them with no network).
PUBLIC = {
    "auth.login",
    "notices.unsubscribe",  # from an e-mail, by its signed token: no login by design
    "auth.setup",
    "static",
    "api.openapi_document",
    "api.reference",  # the same document as a page for people
    "offline.shell",
    "offline.asset",
    "offline.service_worker",
    "offline.manifest",
}
SAFE = {"GET", "HEAD", "OPTIONS"}
# Endpoints whose role rule this test must discover (proof that discovery works).
KNOWN_ADMIN = {"manage.users", "manage.edit_user"}
KNOWN_ANALYST = {"manage.delete_persona"}

_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>\w+)>")


def _dummy(match: re.Match) -> str:
    converter, options = match["converter"] or "default", match["options"]
    if converter == "uuid":
        return str(uuid.uuid4())
    if converter in ("int", "float"):
        return "1"
    if converter == "any" and options:
        return options.split(",")[0].strip().strip("'\"")
    return "x"


def routes(app) -> Iterator[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule and every method but HEAD and OPTIONS."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        url = _ARGUMENT.sub(_dummy, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def is_api(url: str) -> bool:
    return url.startswith("/api/")


def required_role(view: Callable) -> Role | None:
    """The role a `role_required` view asks for, found in the decorators' closures."""
    seen: set[int] = set()
    stack = [view]
    while stack:
        func = stack.pop()
        if id(func) in seen or not callable(func):
            continue
        seen.add(id(func))
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, Role):
                return value
            if callable(value):
                stack.append(value)
        wrapped = getattr(func, "__wrapped__", None)
        if wrapped is not None:
            stack.append(wrapped)
    return None


def _send(client, method: str, url: str, **kwargs):
    response = client.open(url, method=method, **kwargs)
    response.close()
    return response


def test_the_route_table_is_not_empty(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    assert {"capture.index", "manage.users", "auth.profile", "api.sync"} <= endpoints
    assert {"auth.login", "auth.setup", "static"} <= endpoints


def test_every_route_but_the_public_ones_needs_a_login(app, make_user):
    make_user("admin")  # past first-run setup, which would send everyone to /setup
    client = app.test_client()
    wrong = []
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC:
            continue
        response = _send(client, method, url)
        to_login = response.status_code == 302 and response.location.split("?")[0] == "/login"
        problem = response.status_code == 401 and response.mimetype == "application/problem+json"
        # Pages send people to the login page; the API and JSON endpoints answer 401.
        ok = problem if is_api(url) else to_login or problem
        if not ok:
            wrong.append((method, url, response.status_code, response.location))
    assert wrong == []


def test_the_public_routes_answer_anonymous_visitors(app, make_user):
    make_user("admin")
    client = app.test_client()
    assert _send(client, "GET", "/login").status_code == 200
    assert _send(client, "GET", "/static/css/gemba.css").status_code == 200
    assert _send(client, "GET", "/setup").status_code == 302  # gone once a user exists


def test_every_state_changing_route_rejects_a_session_without_csrf_token(csrf_app, make_user):
    admin = make_user("admin")
    client = login(csrf_app.test_client(), admin)
    wrong = []
    checked = 0
    for _endpoint, method, url in routes(csrf_app):
        if method in SAFE:
            continue
        checked += 1
        response = client.open(url, method=method, data={"action": "password"})
        body = response.get_data(as_text=True)
        response.close()
        if response.status_code != 400 or "CSRF" not in body and "form expired" not in body:
            wrong.append((method, url, response.status_code))
    assert checked >= 10
    assert wrong == []


def test_a_valid_csrf_token_gets_through(csrf_app, make_user):
    """The control for the test above: with the token, the same request is not refused."""
    admin = make_user("admin")
    client = login(csrf_app.test_client(), admin)
    page = client.get("/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post("/logout", data={"csrf_token": token[1]})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # really logged out


def test_bearer_token_api_writes_need_no_csrf_token(csrf_app, make_user):
    """Scripts send a token header a cross-site page cannot forge, so no CSRF token."""
    admin = make_user("admin")
    with csrf_app.app_context():
        token = accounts.create_token(db.session.get(User, admin.id))
    client = csrf_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    checked = 0
    for _endpoint, method, url in routes(csrf_app):
        if method in SAFE or not is_api(url):
            continue
        checked += 1
        response = client.open(url, method=method, headers=headers, json={})
        body = response.get_data(as_text=True)
        response.close()
        assert "CSRF" not in body, (method, url)
        assert response.status_code not in (401, 403), (method, url)
    assert checked >= 1


def test_observers_are_refused_on_analyst_and_admin_routes(app, login_as):
    client, _ = login_as("observer")
    gated = {}
    for endpoint, view in app.view_functions.items():
        role = required_role(view)
        if role is not None and role != Role.observer:
            gated[endpoint] = role
    assert {e for e, r in gated.items() if r == Role.admin} >= KNOWN_ADMIN
    assert {e for e, r in gated.items() if r == Role.analyst} >= KNOWN_ANALYST
    wrong = []
    for endpoint, method, url in routes(app):
        if endpoint in gated:
            status = _send(client, method, url, data={}).status_code
            if status != 403:
                wrong.append((method, url, status))
    assert wrong == []


def test_analysts_are_refused_on_admin_routes(app, login_as):
    client, _ = login_as("analyst")
    wrong = []
    for endpoint, method, url in routes(app):
        if required_role(app.view_functions[endpoint]) == Role.admin:
            status = _send(client, method, url, data={}).status_code
            if status != 403:
                wrong.append((method, url, status))
    assert wrong == []


def test_no_route_fails_on_unexpected_input(app, login_as):
    """Dummy ids and empty bodies are refused or not found, never a server error."""
    observer, _ = login_as("observer")
    admin, _ = login_as("admin")
    wrong = []
    for _endpoint, method, url in routes(app):
        for client in (observer, admin):
            status = _send(client, method, url, data={}).status_code
            if status >= 500:
                wrong.append((method, url, status))
    assert wrong == []
