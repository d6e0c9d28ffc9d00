"""Triage over the API: the gap page's rules, roles and audit trail, for a script."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import AuditEvent
from tests.api.conftest import assert_conforms
from tests.api.loop_helpers import make_gaps, post


def _events(app, gap_id: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == gap_id, AuditEvent.verb == "triaged")
            .order_by(AuditEvent.id)
        )
        return [(e.verb, e.detail, e.note, e.user_id, e.site_id) for e in rows]


def test_an_analyst_confirms_a_gap(api):
    gap = make_gaps(api, 1)["gaps"][0]
    response = api.post(f"/gaps/{gap}/triage", json={"status": "confirmed"})
    assert_conforms(response, "/gaps/{gap_id}/triage", "post")
    assert response.get_json()["status"] == "confirmed"
    assert response.get_json()["triaged_at"] is not None


def test_the_api_writes_the_audit_event_the_page_writes(app, api, login_as):
    made = make_gaps(api, 2)
    by_api, by_page = made["gaps"]
    reason = "The SOP changed last week."
    api.post(f"/gaps/{by_api}/triage", json={"status": "dismissed", "reason": reason})
    client, _ = login_as("analyst", api.user)
    page = client.post(f"/review/gaps/{by_page}/dismiss", data={"dismiss-reason": reason})
    assert page.status_code == 302
    (api_event,) = _events(app, by_api)
    (page_event,) = _events(app, by_page)
    assert api_event == page_event
    assert api_event[0] == "triaged"
    assert api_event[2] == reason


def test_an_observer_token_cannot_triage(api, api_as):
    gap = make_gaps(api, 1)["gaps"][0]
    observer = api_as("observer")
    response = observer.post(f"/gaps/{gap}/triage", json={"status": "confirmed"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert api.get("/gaps").get_json()["items"][0]["status"] == "open"


def test_an_analyst_triages_a_gap_of_another_users_walk(api, api_as):
    gap = make_gaps(api, 1)["gaps"][0]
    other = api_as("admin")
    response = other.post(f"/gaps/{gap}/triage", json={"status": "needs_observation"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "needs_observation"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"status": "dismissed"}, 422, "reason"),
        ({"status": "dismissed", "reason": "   "}, 422, "reason"),
        ({"status": "actioned"}, 422, "status"),
        ({"status": "confirmed", "reason": "x" * 2001}, 422, "reason"),
        ({"status": "confirmed", "reason": "bad \ud800 text"}, 422, "reason"),
        ({"reason": "why"}, 422, "status"),
        (["confirmed"], 422, None),
    ],
)
def test_bad_triage_is_refused_with_a_problem(api, body, status, field):
    gap = make_gaps(api, 1)["gaps"][0]
    response = api.post(f"/gaps/{gap}/triage", json=body)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in [e["field"] for e in response.get_json()["errors"]]
    assert api.get("/gaps").get_json()["items"][0]["status"] == "open"


def test_a_body_that_is_not_json_is_a_400(api):
    gap = make_gaps(api, 1)["gaps"][0]
    response = post(
        api, f"/gaps/{gap}/triage", data="{status", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_an_unknown_gap_is_not_found(api):
    response = api.post(f"/gaps/{uuid.uuid4()}/triage", json={"status": "confirmed"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_refusal_speaks_the_readers_language(api):
    gap = make_gaps(api, 1)["gaps"][0]
    response = post(
        api, f"/gaps/{gap}/triage", json={"status": "dismissed"}, headers={"Accept-Language": "de"}
    )
    assert response.headers["Content-Language"] == "de"
    (error,) = response.get_json()["errors"]
    assert error["message"] != "Say why the gap is dismissed."
