"""API tokens die with their account's password change or deactivation, expire, and may
be read-only: whoever took an account over loses its API access when it is taken back."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import ApiToken, Site, User, utcnow
from gemba.platform.database import MIGRATIONS_DIR
from tests.api.conftest import V1, Api, assert_conforms, token_for
from tests.conftest import PASSWORD, login, uid

NEW_PASSWORD = "Kaizen-on-line-3-today"


def _row(app, token: str) -> ApiToken:
    """The token's row as it is in the database now (detached)."""
    with app.app_context():
        row = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == accounts.hash_token(token))
        )
        db.session.expunge(row)
        return row


def _set(app, token: str, **values) -> None:
    with app.app_context():
        row = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == accounts.hash_token(token))
        )
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def _sites(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Site))


def test_every_token_dies_when_its_user_changes_their_password(app, api_as):
    api = api_as("observer")
    second = Api(api.client, api.user, token_for(app, api.user))
    bystander = api_as("observer")
    assert api.get("/walks").status_code == second.get("/walks").status_code == 200

    page = login(app.test_client(), api.user).post(
        "/profile",
        data={
            "action": "password",
            "current": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert page.status_code == 302

    for dead in (api, second):
        response = dead.get("/walks")
        assert response.status_code == 401
        assert_conforms(response, "/walks")
        assert _row(app, dead.token).revoked_at is not None
    assert bystander.get("/walks").status_code == 200  # only that user's tokens


def test_an_admins_password_reset_kills_the_users_tokens(app, api_as, login_as):
    victim = api_as("analyst")
    admin, _ = login_as("admin")
    assert victim.get("/walks").status_code == 200

    response = admin.post(f"/manage/users/{victim.user.id}", data={"reset-password": NEW_PASSWORD})
    assert response.status_code == 302

    assert victim.get("/walks").status_code == 401
    assert victim.sync({"type": "site", "id": uid(), "name": "P"}).status_code == 401
    assert _sites(app) == 0


def test_deactivation_revokes_the_tokens_for_good(app, api_as, login_as):
    """Turning the user back on does not bring the old tokens back."""
    api = api_as("observer")
    admin, _ = login_as("admin")
    url = f"/manage/users/{api.user.id}"

    assert admin.post(url, data={"user-role": "observer"}).status_code == 302  # inactive
    assert api.get("/walks").status_code == 401
    assert _row(app, api.token).revoked_at is not None

    assert admin.post(url, data={"user-role": "observer", "user-active": "y"}).status_code == 302
    assert api.get("/walks").status_code == 401


def test_an_expired_token_is_refused_and_told_so(app, api):
    assert api.get("/walks").status_code == 200
    _set(app, api.token, expires_at=utcnow() - timedelta(seconds=1))

    response = api.get("/walks")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "expired" in response.get_json()["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert_conforms(response, "/walks")


def test_a_token_without_an_expiry_lives_the_default_days_from_creation(app, api):
    _set(app, api.token, expires_at=None, created_at=utcnow() - timedelta(days=89))
    assert api.get("/walks").status_code == 200
    _set(app, api.token, created_at=utcnow() - timedelta(days=91))
    assert api.get("/walks").status_code == 401


def test_a_new_token_expires_after_the_configured_days(app, make_user):
    app.config["GEMBA_TOKEN_DAYS"] = 7
    before = utcnow()
    row = _row(app, token_for(app, make_user()))
    assert before + timedelta(days=7) <= row.expires_at <= utcnow() + timedelta(days=7)
    assert row.scope == "write"


def test_a_read_only_token_reads_but_cannot_write(app, make_user):
    user = make_user("analyst")
    with app.app_context():
        token = accounts.create_token(db.session.get(User, user.id), scope="read")
    api = Api(app.test_client(), user, token)
    assert api.get("/walks").status_code == 200
    assert api.client.head(V1 + "/walks", headers=api.headers).status_code == 200

    response = api.sync({"type": "site", "id": uid(), "name": "Plant 2"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "This token is read-only."
    assert _sites(app) == 0

    photo = api.client.put(
        f"{V1}/photos/{uid()}",
        data={"file": (io.BytesIO(b"\xff\xd8\xff"), "p.jpg")},
        headers=api.headers,
    )
    assert photo.status_code == 403


def test_cli_token_create_read_only_with_days(app, runner, make_user):
    user = make_user("analyst")
    result = runner.invoke(args=["token", "create", user.email, "--read-only", "--days", "7"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("gmb_")
    row = _row(app, token)
    assert row.scope == "read"
    assert row.expires_at - row.created_at == timedelta(days=7)
    assert row.expires_at.strftime("%Y-%m-%d") in result.output

    api = Api(app.test_client(), user, token)
    assert api.get("/walks").status_code == 200
    assert api.sync({"type": "site", "id": uid(), "name": "P"}).status_code == 403


def test_cli_token_create_defaults_to_write_for_the_configured_days(app, runner, make_user):
    user = make_user()
    result = runner.invoke(args=["token", "create", user.email])
    assert result.exit_code == 0, result.output
    row = _row(app, result.output.strip().splitlines()[-1])
    assert (row.scope, row.expires_at - row.created_at) == ("write", timedelta(days=90))


@pytest.mark.parametrize("days", ["0", "-1", "3651", "soon"])
def test_cli_token_create_refuses_a_bad_lifetime(app, runner, make_user, days):
    result = runner.invoke(args=["token", "create", make_user().email, "--days", days])
    assert result.exit_code == 2
    assert "Invalid value for '--days'" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_the_profile_page_shows_scope_last_use_and_expiry(app, make_user):
    user = make_user("observer")
    client = login(app.test_client(), user)
    page = client.post("/profile", data={"action": "token", "token-name": "nightly export"})
    new = page.get_data(as_text=True)
    token = new.split('<code class="token">')[1].split("</code>")[0]
    assert "never used" in new
    created = client.post(
        "/profile", data={"action": "token", "token-name": "dashboard", "token-read_only": "y"}
    )
    assert created.status_code == 200
    _set(
        app,
        token,
        last_used_at=datetime(2026, 11, 20, 8, 12, tzinfo=UTC),
        expires_at=datetime(2027, 2, 18, 8, 0, tzinfo=UTC),
    )

    text = client.get("/profile").get_data(as_text=True)
    nightly = text.split("nightly export")[1].split("</li>")[0]
    assert "read and write" in nightly
    assert "last used 2026-11-20 08:12 UTC" in nightly
    assert "expires 2027-02-18" in nightly
    dashboard = text.split("dashboard")[1].split("</li>")[0]
    assert "read-only" in dashboard
    assert "never used" in dashboard

    _set(app, token, expires_at=utcnow() - timedelta(days=1))
    assert "expired" in client.get("/profile").get_data(as_text=True).split("nightly export")[1]


def test_the_migration_gives_old_tokens_90_days_from_creation_and_write_scope(app, api):
    created = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)
    _set(app, api.token, created_at=created, expires_at=None, scope="read")
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="d7e3f9a1b2c4")  # before expiry, scope
        upgrade(directory=MIGRATIONS_DIR)
    row = _row(app, api.token)
    assert row.expires_at == created + timedelta(days=90)
    assert row.scope == "write"
