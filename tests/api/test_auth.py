"""Who may call the API: bearer tokens for scripts, the session plus CSRF header for pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import ApiToken, User, utcnow
from gemba.platform import revision
from tests.api.conftest import V1, assert_conforms, token_for
from tests.conftest import login, uid

DOC = {"format": "gemba/v1", "records": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/walks"), ("get", "/gaps"), ("get", "/sites"), ("post", "/sync")],
)
def test_no_credentials_is_a_401_problem_not_a_redirect(client, method, path):
    response = getattr(client, method)(V1 + path, json=DOC)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_conforms(response, path, method)


@pytest.mark.parametrize(
    "header",
    ["Bearer gmb_not-a-token", "Bearer", "Basic dXNlcjpwYXNz", "bearer " + "x" * 500],
)
def test_a_bad_authorization_header_is_401(client, header):
    response = client.get(V1 + "/walks", headers={"Authorization": header})
    assert response.status_code == 401
    assert "token" in response.get_json()["detail"]


def test_the_openapi_document_needs_no_login(client):
    response = client.get(V1 + "/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")


def test_a_token_works_and_its_use_is_noted(app, api):
    assert api.get("/walks").status_code == 200
    with app.app_context():
        row = db.session.scalar(db.select(ApiToken))
        assert row.last_used_at is not None


def test_a_revoked_token_is_refused(app, api):
    with app.app_context():
        accounts.revoke_token(db.session.scalar(db.select(ApiToken)))
    assert api.get("/walks").status_code == 401


def test_a_deactivated_users_token_is_refused(app, api):
    with app.app_context():
        db.session.get(User, api.user.id).active = False
        db.session.commit()
    assert api.get("/walks").status_code == 401


def test_a_bearer_token_does_not_open_the_html_pages(app, api):
    response = api.client.get("/", headers=api.headers)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_bearer_request_needs_no_csrf_token(csrf_app, make_user):
    user = make_user("analyst")
    token = token_for(csrf_app, user)
    response = csrf_app.test_client().post(
        V1 + "/sync",
        json={"format": "gemba/v1", "records": [{"type": "site", "id": uid(), "name": "P"}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.get_json()["results"][0]["status"] == "created"
    assert "Set-Cookie" not in response.headers


def _csrf_token(client) -> str:
    page = client.get("/profile").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_session_needs_the_csrf_header_to_write(csrf_app, make_user):
    client = login(csrf_app.test_client(), make_user("analyst"))
    site = {"type": "site", "id": uid(), "name": "P"}
    doc = {"format": "gemba/v1", "records": [site]}
    refused = client.post(V1 + "/sync", json=doc)
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    assert "CSRF" in refused.get_json()["detail"]

    accepted = client.post(V1 + "/sync", json=doc, headers={"X-CSRFToken": _csrf_token(client)})
    assert accepted.status_code == 200
    assert accepted.get_json()["results"][0]["status"] == "created"


def test_a_session_reads_without_a_csrf_header(csrf_app, make_user):
    client = login(csrf_app.test_client(), make_user("observer"))
    assert client.get(V1 + "/walks").status_code == 200


def test_a_session_with_a_stray_bearer_header_still_needs_csrf(csrf_app, make_user):
    user = make_user("analyst")
    client = login(csrf_app.test_client(), user)
    token = token_for(csrf_app, user)
    response = client.post(V1 + "/sync", json=DOC, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400


def test_an_observer_cannot_add_a_site_through_the_api(api_as):
    observer = api_as("observer")
    result = observer.sync({"type": "site", "id": uid(), "name": "P"}).get_json()["results"][0]
    assert (result["status"], result["http_status"]) == ("rejected", 403)


def test_a_token_used_again_within_a_minute_writes_nothing(app, api):
    """Noting the use once a minute is enough; the calls between write nothing, so the
    pages cached under the data revision stay cached."""
    assert api.get("/walks").status_code == 200
    with app.app_context():
        first = db.session.scalar(db.select(ApiToken.last_used_at))
        before = revision.current()
        engine = db.engine
    ends: list[str] = []
    event.listen(engine, "rollback", lambda conn: ends.append("rollback"))
    assert api.get("/walks").status_code == 200
    assert ends == []  # (a rollback would drop PostgreSQL's prepared statements)
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken.last_used_at)) == first
        assert revision.current() == before


def test_a_token_last_used_over_a_minute_ago_is_noted_again(app, api):
    assert api.get("/walks").status_code == 200
    with app.app_context():
        row = db.session.scalar(db.select(ApiToken))
        row.last_used_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
        stale = row.last_used_at
    assert api.get("/walks").status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken.last_used_at)) > stale
