"""Actions over the API: decide one for gaps, read it with its gaps, change it safely."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import AuditEvent
from tests.api.conftest import assert_conforms
from tests.api.loop_helpers import get, make_gaps, patch


@pytest.fixture
def gaps(api):
    return make_gaps(api, 3)


def _create(api, gap_ids, **fields):
    body = {"title": "Fix the badge reader", "gaps": gap_ids, **fields}
    response = api.post("/actions", json=body)
    assert response.status_code == 201, response.get_json()
    return response


def test_an_analyst_decides_an_action_and_its_gaps_become_actioned(api, gaps):
    response = _create(
        api, gaps["gaps"][:2], owner=api.user.email, due_date="2026-12-18", status="in_progress"
    )
    assert_conforms(response, "/actions", "post")
    action = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/actions/{action['id']}")
    assert action["owner"] == api.user.email
    assert (action["due_date"], action["status"]) == ("2026-12-18", "in_progress")
    assert sorted(g["id"] for g in action["gaps"]) == sorted(gaps["gaps"][:2])
    assert {g["status"] for g in action["gaps"]} == {"actioned"}
    read = api.get(f"/actions/{action['id']}")
    assert_conforms(read, "/actions/{action_id}")
    assert read.get_json() == action


def test_actions_list_filters_by_gap_site_and_status(api, gaps):
    first = _create(api, [gaps["gaps"][0]]).get_json()
    second = _create(api, [gaps["gaps"][1]], status="done").get_json()
    listed = api.get("/actions")
    assert_conforms(listed, "/actions")
    assert [a["id"] for a in listed.get_json()["items"]] == [second["id"], first["id"]]
    by_gap = api.get("/actions", query_string={"gap": gaps["gaps"][0]}).get_json()
    assert [a["id"] for a in by_gap["items"]] == [first["id"]]
    done = api.get("/actions", query_string={"status": "done"}).get_json()
    assert [a["id"] for a in done["items"]] == [second["id"]]
    elsewhere = api.get("/actions", query_string={"site": str(uuid.uuid4())}).get_json()
    assert elsewhere["items"] == []
    assert api.get("/actions", query_string={"status": "late"}).status_code == 400


def test_an_observer_reads_actions_but_cannot_decide_or_change_them(api, api_as, gaps):
    action = _create(api, [gaps["gaps"][0]]).get_json()
    observer = api_as("observer")
    assert observer.get(f"/actions/{action['id']}").status_code == 200
    refused = observer.post("/actions", json={"title": "Mine", "gaps": [gaps["gaps"][1]]})
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    changed = patch(observer, f"/actions/{action['id']}", json={"status": "done"})
    assert changed.status_code == 403
    assert api.get(f"/actions/{action['id']}").get_json()["status"] == "open"


def test_an_analyst_changes_another_analysts_action_and_it_is_audited(app, api, api_as, gaps):
    action = _create(api, [gaps["gaps"][0]]).get_json()
    other = api_as("analyst")
    response = patch(
        other,
        f"/actions/{action['id']}",
        json={"status": "done", "owner": other.user.email, "gaps": gaps["gaps"][:2]},
    )
    assert_conforms(response, "/actions/{action_id}", "patch")
    body = response.get_json()
    assert (body["status"], body["owner"]) == ("done", other.user.email)
    assert body["done_at"] is not None
    assert len(body["gaps"]) == 2
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == action["id"], AuditEvent.verb == "updated"
            )
        )
        assert event.user_id == other.user.id
        assert set(event.detail) == {"status", "owner", "gaps"}


def test_an_edit_with_a_stale_if_match_is_refused_with_412(api, gaps):
    action = _create(api, [gaps["gaps"][0]]).get_json()
    seen = api.get(f"/actions/{action['id']}").headers["ETag"]
    first = patch(
        api, f"/actions/{action['id']}", json={"title": "New"}, headers={"If-Match": seen}
    )
    assert first.status_code == 200
    assert first.headers["ETag"] != seen
    late = patch(
        api, f"/actions/{action['id']}", json={"status": "done"}, headers={"If-Match": seen}
    )
    assert late.status_code == 412
    assert late.mimetype == "application/problem+json"
    assert api.get(f"/actions/{action['id']}").get_json()["status"] == "open"
    fresh = patch(
        api,
        f"/actions/{action['id']}",
        json={"status": "done"},
        headers={"If-Match": first.headers["ETag"]},
    )
    assert fresh.status_code == 200
    assert (
        patch(api, f"/actions/{action['id']}", json={}, headers={"If-Match": '"x"'}).status_code
        == 412
    )


def test_a_read_of_an_unchanged_action_is_a_304(api, gaps):
    action = _create(api, [gaps["gaps"][0]]).get_json()
    tag = api.get(f"/actions/{action['id']}").headers["ETag"]
    again = get(api, f"/actions/{action['id']}", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    patch(api, f"/actions/{action['id']}", json={"due_date": "2027-01-05"})
    assert get(api, f"/actions/{action['id']}", headers={"If-None-Match": tag}).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"gaps": []}, 422, "gaps"),
        ({"title": "", "gaps": None}, 422, None),
        ({"title": "x" * 201}, 422, "title"),
        ({"title": "Two\nlines"}, 422, "title"),
        ({"due_date": "18/12/2026"}, 422, "due_date"),
        ({"status": "closed"}, 422, "status"),
        ({"owner": "nobody@example.com"}, 404, "owner"),
        ({"gaps": [str(uuid.uuid4())]}, 404, "gaps.0"),
        ({"gaps": ["not-a-uuid"]}, 422, "gaps.0"),
    ],
)
def test_bad_action_bodies_are_refused_with_a_problem(api, gaps, body, status, field):
    response = api.post("/actions", json={"title": "Fix it", "gaps": gaps["gaps"][:1], **body})
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in [e["field"] for e in response.get_json()["errors"]]
    assert api.get("/actions").get_json()["items"] == []


def test_gaps_of_two_sites_make_no_action(api, gaps):
    other = make_gaps(api, 1, name="Depot")
    response = api.post(
        "/actions", json={"title": "Both", "gaps": [gaps["gaps"][0], *other["gaps"]]}
    )
    assert response.status_code == 422
    assert response.get_json()["detail"] == "All gaps of an action belong to one site."


def test_an_unknown_action_is_not_found(api):
    assert api.get(f"/actions/{uuid.uuid4()}").status_code == 404
    assert patch(api, f"/actions/{uuid.uuid4()}", json={}).status_code == 404
