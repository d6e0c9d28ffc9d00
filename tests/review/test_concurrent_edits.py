"""Two people at work on one action: a change made meanwhile is seen, never overwritten."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select, update

from gemba.extensions import db
from gemba.models import Action, AuditEvent
from gemba.review import actions

SEEN = re.compile(r'name="seen"[^>]*value="([0-9a-f]+)"|value="([0-9a-f]+)"[^>]*name="seen"')


def _new_action(client, gap_id: str) -> str:
    response = client.post(
        f"/review/gaps/{gap_id}/actions/new",
        data={"title": "Fix the badge scanner", "owner": "", "status": "open", "gaps": [gap_id]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location.rsplit("/", 1)[1]


def _edit_form(client, action_id: str) -> dict:
    """The edit form as its page fills it: the values shown and what the form saw."""
    page = client.get(f"/review/actions/{action_id}/edit").get_data(as_text=True)
    match = SEEN.search(page)
    assert match, "the edit form carries what it saw"
    return {"seen": match.group(1) or match.group(2), "page": page}


def _fields(gap_id: str, **changes) -> dict:
    return {"title": "Fix the badge scanner", "owner": "", "status": "open", "gaps": [gap_id]} | (
        changes
    )


def test_an_edit_made_after_another_is_refused_and_keeps_both(app, demo, login_as):
    first, _ = login_as("analyst")
    second, someone = login_as("analyst")
    gap = demo.gap("badge")
    action_id = _new_action(first, gap)
    mine = _edit_form(first, action_id)  # opened by the first analyst ...
    theirs = _edit_form(second, action_id)  # ... and by the second
    saved = second.post(
        f"/review/actions/{action_id}/edit",
        data=_fields(gap, owner=str(someone.id), seen=theirs["seen"]),
    )
    assert saved.status_code == 302
    refused = first.post(
        f"/review/actions/{action_id}/edit",
        data=_fields(gap, title="Replace the badge scanner", seen=mine["seen"]),
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Someone else changed this action" in page
    assert 'value="Replace the badge scanner"' in page  # what the first analyst typed
    with app.app_context():
        action = db.session.get(Action, uuid.UUID(action_id))
        assert (action.title, action.owner_id) == ("Fix the badge scanner", someone.id)
    again = SEEN.search(page)
    resaved = first.post(
        f"/review/actions/{action_id}/edit",
        data=_fields(
            gap,
            title="Replace the badge scanner",
            owner=str(someone.id),
            seen=again.group(1) or again.group(2),
        ),
    )
    assert resaved.status_code == 302
    with app.app_context():
        action = db.session.get(Action, uuid.UUID(action_id))
        assert (action.title, action.owner_id) == ("Replace the badge scanner", someone.id)


def test_a_move_reads_the_action_as_it_is_now(app, demo, login_as):
    client, analyst = login_as("analyst")
    action_id = uuid.UUID(_new_action(client, demo.gap("badge")))
    with app.app_context():
        looked_at = db.session.get(Action, action_id)  # a view's first look, before writing
        assert looked_at.status == "open"
        with db.engine.begin() as other:  # meanwhile another request finishes the action
            other.execute(update(Action).where(Action.id == action_id).values(status="done"))
        assert actions.move_action(analyst, action_id, "done") is None
        moved = actions.move_action(analyst, action_id, "in_progress")
        assert moved is not None
        audit = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == str(action_id), AuditEvent.verb == "status")
            .order_by(AuditEvent.id)
        ).all()
        assert [event.detail["status"] for event in audit] == [["done", "in_progress"]]
