"""Sessions: a fresh one at login, cookies locked down, and ways to end other sessions.

Password change and deactivation by the user end other sessions: see
tests/web/test_app_setup.py. Here: the same through the admin's user page.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from gemba.extensions import db
from gemba.models import User
from tests.conftest import PASSWORD, login, make_test_app


def _cookies(response) -> dict[str, dict]:
    """Set-Cookie headers as {name: {attribute: value}} (flags map to True)."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            found[name] = {
                key: value
                for key, value in morsel.items()
                if value or key in ("secure", "httponly")
            }
            found[name]["secure"] = "secure" in header.lower().split("; ")
            found[name]["httponly"] = "httponly" in header.lower().split("; ")
    return found


def _log_in(client, user, remember: bool = False, **kwargs):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, **kwargs)


def test_login_starts_a_fresh_session(app, make_user):
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["csrf_token"] = "fixed-by-an-attacker"
    assert _log_in(client, user).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != "fixed-by-an-attacker"
        assert session["_user_id"] == user.get_id()


def test_first_run_setup_starts_a_fresh_session(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "x"
    response = client.post(
        "/setup", data={"email": "boss@example.com", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_session_cookie_is_httponly_and_lax_and_not_secure_over_plain_http(app, make_user):
    user = make_user()
    cookie = _cookies(_log_in(app.test_client(), user))["session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is False  # a laptop pilot over http://127.0.0.1 still works


def test_cookies_are_secure_over_https(app, make_user):
    user = make_user()
    response = _log_in(app.test_client(), user, remember=True, base_url="https://gemba.example")
    cookies = _cookies(response)
    for name in ("session", "remember_token"):
        assert cookies[name]["secure"] is True, name
        assert cookies[name]["httponly"] is True, name
        assert cookies[name]["samesite"] == "Lax", name


def test_secure_cookies_can_be_forced_by_setting(database_uri, tmp_path, make_user):
    app = make_test_app(database_uri, tmp_path, SESSION_COOKIE_SECURE=True)
    user = make_user()
    assert _cookies(_log_in(app.test_client(), user))["session"]["secure"] is True
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("proxies", "secure"), [(0, False), (1, True)])
def test_forwarded_proto_counts_only_behind_a_configured_proxy(
    database_uri, tmp_path, make_user, proxies, secure
):
    """X-Forwarded-Proto from a client is ignored unless GEMBA_BEHIND_PROXY trusts a proxy."""
    app = make_test_app(database_uri, tmp_path, GEMBA_BEHIND_PROXY=proxies)
    user = make_user()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    response = _log_in(app.test_client(), user, headers=headers)
    assert _cookies(response)["session"]["secure"] is secure
    assert ("Strict-Transport-Security" in response.headers) is secure
    with app.app_context():
        db.engine.dispose()


def test_behind_a_proxy_the_rate_limit_counts_the_forwarded_address(
    database_uri, tmp_path, make_user
):
    app = make_test_app(database_uri, tmp_path, GEMBA_BEHIND_PROXY=1)
    user = make_user()
    for n in range(10):
        app.test_client().post(
            "/login",
            data={"email": f"guess{n}@example.com", "password": "wrong password"},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
    blocked = _log_in(app.test_client(), user, headers={"X-Forwarded-For": "203.0.113.7"})
    assert blocked.status_code == 429
    # The proxy's own address is shared by everyone; another client behind it is not blocked.
    other = _log_in(app.test_client(), user, headers={"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_plain_logout_ends_only_this_session(app, make_user):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    _log_in(phone, user)
    _log_in(laptop, user)
    assert phone.post("/logout").status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200


def test_logout_everywhere_ends_every_session(app, make_user):
    user = make_user()
    phone, laptop, old_cookie = app.test_client(), app.test_client(), app.test_client()
    _log_in(phone, user)
    _log_in(laptop, user)
    login(old_cookie, user)
    assert phone.post("/logout", data={"everywhere": "1"}).status_code == 302
    for client in (phone, laptop, old_cookie):
        assert client.get("/").status_code == 302
    fresh = app.test_client()
    assert _log_in(fresh, user).status_code == 302  # a new login works as usual
    assert fresh.get("/").status_code == 200


def test_logout_drops_the_remember_cookie(app, make_user):
    user = make_user()
    client = app.test_client()
    _log_in(client, user, remember=True)
    assert client.get_cookie("remember_token") is not None
    client.post("/logout")
    assert client.get_cookie("remember_token") is None
    assert client.get("/").status_code == 302


def test_a_stolen_remember_cookie_stops_working_after_a_password_reset(app, make_user, login_as):
    user = make_user()
    victim = app.test_client()
    _log_in(victim, user, remember=True)
    stolen = app.test_client()
    stolen.set_cookie("remember_token", victim.get_cookie("remember_token").value)
    assert stolen.get("/").status_code == 200
    admin, _ = login_as("admin")
    response = admin.post(f"/manage/users/{user.id}", data={"reset-password": "a new long secret"})
    assert response.status_code == 302
    assert stolen.get("/").status_code == 302
    assert victim.get("/").status_code == 302


def test_deactivation_by_an_admin_ends_the_users_sessions(app, make_user, login_as):
    user = make_user()
    phone = app.test_client()
    _log_in(phone, user)
    admin, _ = login_as("admin")
    response = admin.post(f"/manage/users/{user.id}", data={"user-role": "observer"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).active is False
    assert phone.get("/").status_code == 302
