"""Triage from the gap page: confirm, dismiss with a reason, ask for observation, re-open.

Every decision is a CSRF-protected form, lands in the audit trail, and shows in the
gap's status history.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.gaps.updates import ENGINE_VERBS
from gemba.models import AuditEvent, gap_id_for
from gemba.ops import demo as demo_data
from tests.conftest import login
from tests.review.conftest import copy_demo, gap_row


def _events(app, gap_id: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "gap", AuditEvent.object_id == gap_id)
            .where(AuditEvent.verb.not_in(ENGINE_VERBS))  # people's decisions only
            .order_by(AuditEvent.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


@pytest.mark.parametrize(
    ("decision", "field", "status"),
    [
        ("confirm", "confirm-note", "confirmed"),
        ("observe", "observe-note", "needs_observation"),
        ("dismiss", "dismiss-reason", "dismissed"),
    ],
)
def test_each_decision_sets_the_status_and_is_audited(app, demo, analyst, decision, field, status):
    client, user = analyst
    gap_id = demo.gap("torque")
    response = client.post(
        f"/review/gaps/{gap_id}/{decision}", data={field: "Seen on two shifts  "}
    )
    assert response.status_code == 302
    assert response.location.startswith(f"/review/gaps/{gap_id}")
    gap = gap_row(app, gap_id)
    assert gap.status == status
    assert gap.triaged_by_id == user.id
    assert gap.triage_reason == "Seen on two shifts"
    assert gap.triage_evidence_count == 6
    (event,) = _events(app, gap_id)
    assert (event.user_id, event.verb, event.note) == (user.id, "triaged", "Seen on two shifts")
    assert event.detail["from"] == "open"
    assert event.detail["to"] == status
    page = client.get(response.location).get_data(as_text=True)
    assert re.search(r"Open → <strong>[^<]+</strong>", page)
    assert '<q class="why">Seen on two shifts</q>' in page  # the reason, trimmed, in the history


def test_dismissing_needs_a_reason(app, demo, analyst):
    client, _ = analyst
    gap_id = demo.gap("badge")
    response = client.post(f"/review/gaps/{gap_id}/dismiss", data={"dismiss-reason": "   "})
    assert response.status_code == 200
    assert "Say why you dismiss it." in response.get_data(as_text=True)
    assert gap_row(app, gap_id).status == "open"
    assert _events(app, gap_id) == []


def test_reopen_returns_a_triaged_gap_to_the_inbox(app, demo, analyst):
    client, _ = analyst
    gap_id = demo.gap("speed")
    client.post(f"/review/gaps/{gap_id}/dismiss", data={"dismiss-reason": "Other aisle"})
    assert "Re-open" in client.get(f"/review/gaps/{gap_id}").get_data(as_text=True)
    client.post(f"/review/gaps/{gap_id}/reopen", data={})
    assert gap_row(app, gap_id).status == "open"
    assert [e.detail["to"] for e in _events(app, gap_id)] == ["dismissed", "open"]


def test_observers_read_gap_pages_but_cannot_triage(app, demo, observer):
    client, _ = observer
    gap_id = demo.gap("ten")
    page = client.get(f"/review/gaps/{gap_id}").get_data(as_text=True)
    assert "Analysts triage gaps" in page
    assert "Confirm gap" not in page
    for decision in ("confirm", "dismiss", "observe", "reopen"):
        response = client.post(f"/review/gaps/{gap_id}/{decision}", data={"dismiss-reason": "no"})
        assert response.status_code == 403
    assert gap_row(app, gap_id).status == "open"


def test_triage_keeps_the_inbox_filters_to_go_back_to(demo, analyst):
    client, _ = analyst
    back = "/review/?status=all&topic=badge"
    gap_id = demo.gap("badge")
    page = client.get(f"/review/gaps/{gap_id}?back=/review/%3Fstatus%3Dall%26topic%3Dbadge")
    assert 'href="/review/?status=all&amp;topic=badge"' in page.get_data(as_text=True)
    response = client.post(
        f"/review/gaps/{gap_id}/confirm", data={"confirm-note": "", "back": back}
    )
    assert "back=" in response.location
    evil = client.get(f"/review/gaps/{gap_id}?back=https://evil.example/review/")
    assert "evil.example" not in evil.get_data(as_text=True)


def test_triage_forms_carry_csrf_tokens_end_to_end(csrf_app, demo_rows, make_user):
    """With CSRF on, a post without the token is refused and one with it works."""
    copy_demo(csrf_app, demo_rows)
    client = login(csrf_app.test_client(), make_user("analyst"))
    walk = demo_data._id("walk", "changeover")
    gap_id = str(gap_id_for(uuid.UUID(demo_data._id("statement", walk, "ten"))))
    refused = client.post(f"/review/gaps/{gap_id}/confirm", data={"confirm-note": "x"})
    assert refused.status_code == 400
    page = client.get(f"/review/gaps/{gap_id}").get_data(as_text=True)
    token = re.search(r'name="confirm-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "the confirm form renders its CSRF token"
    accepted = client.post(
        f"/review/gaps/{gap_id}/confirm",
        data={"confirm-csrf_token": token.group(1), "confirm-note": "Real"},
    )
    assert accepted.status_code == 302
    assert gap_row(csrf_app, gap_id).status == "confirmed"
