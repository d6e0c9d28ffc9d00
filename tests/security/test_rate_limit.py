"""Login rate limits: per account across addresses, per address across accounts.

The same checks run with the in-memory store and with Redis (the xdist worker's own
database, 15 for the first; skipped with a reason when Redis is not there).
"""

from __future__ import annotations

import pytest

from gemba.platform.errors import MESSAGES
from tests.conftest import PASSWORD, make_test_app, redis_url

REDIS_URL = redis_url()
LIMIT = 10


def _redis_client():
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return client


def _our_keys(client) -> list:
    return list(client.scan_iter(match="LIMITS:*auth.login*"))


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, database_uri, tmp_path):
    """The app with login limits counted in memory, or in Redis."""
    extra = {}
    redis_client = None
    if request.param == "redis":
        redis_client = _redis_client()
        for key in _our_keys(redis_client):
            redis_client.delete(key)
        extra["RATELIMIT_STORAGE_URI"] = REDIS_URL
    app = make_test_app(database_uri, tmp_path, **extra)
    app.redis = redis_client  # type: ignore[attr-defined]
    yield app
    if redis_client is not None:
        for key in _our_keys(redis_client):
            redis_client.delete(key)
        redis_client.close()
    from gemba.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


WRONG = "not the password"


def _attempt(app, email: str, password: str = WRONG, address: str = "10.0.0.1"):
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    response.close()
    return response


def _make_user(app, email: str) -> None:
    from gemba.accounts import services as accounts
    from gemba.models import Role

    with app.app_context():
        accounts.create_user(email, PASSWORD, Role.observer)


def _is_limited(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 429 and str(MESSAGES[429]) in body


def test_ten_bad_logins_for_one_account_lock_it_from_every_address(limited_app):
    _make_user(limited_app, "target@example.com")
    for n in range(LIMIT):
        response = _attempt(limited_app, "target@example.com", address=f"10.0.1.{n}")
        assert response.status_code == 200, n
        assert b"E-mail or password is wrong." in response.data
    blocked = _attempt(limited_app, "Target@Example.com ", PASSWORD, address="10.0.2.1")
    assert _is_limited(blocked)  # even the right password, even from a new address
    assert b"target@example.com" not in blocked.data
    assert int(blocked.headers["Retry-After"]) > 0
    # Another account from a fresh address is not affected.
    _make_user(limited_app, "other@example.com")
    assert _attempt(limited_app, "other@example.com", PASSWORD, "10.0.3.1").status_code == 302
    if limited_app.redis is not None:
        assert _our_keys(limited_app.redis), "the counters should live in Redis"


def test_ten_bad_logins_from_one_address_lock_that_address(limited_app):
    _make_user(limited_app, "victim@example.com")
    for n in range(LIMIT):
        response = _attempt(limited_app, f"guess{n}@example.com", address="10.9.9.9")
        assert response.status_code == 200, n
    blocked = _attempt(limited_app, "victim@example.com", PASSWORD, address="10.9.9.9")
    assert _is_limited(blocked)
    # The same account from another address logs in: the address was limited, not the user.
    assert _attempt(limited_app, "victim@example.com", PASSWORD, "10.9.9.10").status_code == 302


def test_unknown_and_known_accounts_are_limited_alike(limited_app):
    _make_user(limited_app, "someone@example.com")
    for n in range(LIMIT):
        _attempt(limited_app, "nobody@example.com", address=f"10.4.0.{n}")
    assert _is_limited(_attempt(limited_app, "nobody@example.com", address="10.4.1.1"))


def test_successful_logins_do_not_count(limited_app):
    _make_user(limited_app, "shift@example.com")
    for _ in range(LIMIT + 1):
        assert _attempt(limited_app, "shift@example.com", PASSWORD).status_code == 302


def test_an_incomplete_form_tests_no_password_and_is_not_counted(limited_app):
    _make_user(limited_app, "someone@example.com")
    for _ in range(LIMIT + 2):
        assert _attempt(limited_app, "", address="10.5.0.1").status_code == 200
    assert _attempt(limited_app, "someone@example.com", PASSWORD, "10.5.0.1").status_code == 302


def test_page_views_of_the_login_form_are_never_limited(limited_app):
    _make_user(limited_app, "someone@example.com")
    client = limited_app.test_client()
    for _ in range(LIMIT + 5):
        assert client.get("/login").status_code == 200
