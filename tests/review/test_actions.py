"""Actions: decided from a gap, moved along the board, edited, audited; the loop closes."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from gemba.extensions import db
from gemba.models import Action, AuditEvent, User
from tests.conftest import uid
from tests.review.conftest import gap_row


def _create(client, gap_id: str, **fields) -> str:
    """Create an action through the form; return its id."""
    page = client.get(f"/review/gaps/{gap_id}/actions/new").get_data(as_text=True)
    owner = re.search(r'<option selected value="(\d+)"', page) or re.search(
        r'<option value="(\d+)" selected', page
    )
    data = {
        "title": "Fix the badge scanner",
        "description": "Call the vendor",
        "owner": owner.group(1) if owner else "",
        "due_date": (date.today() + timedelta(days=7)).isoformat(),
        "status": "open",
        "gaps": [gap_id],
        **fields,
    }
    response = client.post(f"/review/gaps/{gap_id}/actions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location.rsplit("/", 1)[1]


def _seen(client, action_id: str) -> str:
    """What the edit form saw of the action, as its page carries it."""
    page = client.get(f"/review/actions/{action_id}/edit").get_data(as_text=True)
    return re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', page).group(1)


def _action(app, action_id: str) -> Action:
    with app.app_context():
        action = db.session.get(Action, uuid.UUID(action_id))
        _ = [g.id for g in action.gaps]
        db.session.expunge_all()
        return action


def _audit(app, object_type: str, object_id: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
                .order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return rows


def test_an_action_from_a_gap_marks_it_actioned_and_is_audited(app, demo, analyst):
    client, user = analyst
    gap_id = demo.gap("badge")
    form = client.get(f"/review/gaps/{gap_id}/actions/new").get_data(as_text=True)
    assert "We always scan our badges." in form
    assert f'<option selected value="{user.id}">' in form  # the analyst owns it unless changed
    action_id = _create(client, gap_id)
    action = _action(app, action_id)
    assert (action.title, action.owner_id, action.status) == (
        "Fix the badge scanner",
        user.id,
        "open",
    )
    assert [str(g.id) for g in action.gaps] == [gap_id]
    assert gap_row(app, gap_id).status == "actioned"
    (created,) = _audit(app, "action", action_id)
    assert created.verb == "created"
    assert created.user_id == user.id
    assert created.detail["gaps"] == [gap_id]
    triaged = _audit(app, "gap", gap_id)[-1]
    assert triaged.detail["to"] == "actioned"
    assert triaged.note == "Action: Fix the badge scanner"
    page = client.get(f"/review/actions/{action_id}").get_data(as_text=True)
    assert "Fix the badge scanner" in page
    assert "We always scan our badges." in page
    assert "created “Fix the badge scanner”" in page
    gap_page = client.get(f"/review/gaps/{gap_id}").get_data(as_text=True)
    assert f"/review/actions/{action_id}" in gap_page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": ""}, "Say what will be done."),
        ({"gaps": []}, "Link at least one gap."),
        ({"gaps": [str(uuid.UUID(int=1))]}, "not a valid choice"),
        ({"due_date": "next tuesday"}, "Not a valid date value."),
        ({"owner": "99999"}, "Not a valid choice"),
    ],
)
def test_the_action_form_says_what_is_wrong(demo, analyst, fields, error):
    client, _ = analyst
    gap_id = demo.gap("badge")
    data = {"title": "Fix it", "status": "open", "gaps": [gap_id], "owner": "", **fields}
    response = client.post(f"/review/gaps/{gap_id}/actions/new", data=data)
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)


def test_an_action_can_answer_several_gaps_on_the_topic(app, demo, analyst):
    client, _ = analyst
    ten, fifteen = demo.gap("ten"), demo.gap("fifteen")
    form = client.get(f"/review/gaps/{ten}/actions/new").get_data(as_text=True)
    assert f'value="{fifteen}"' in form  # the other changeover statement is offered
    assert demo.gap("badge") not in form  # another topic is not
    action_id = _create(client, ten, title="SMED workshop", gaps=[ten, fifteen])
    assert {str(g.id) for g in _action(app, action_id).gaps} == {ten, fifteen}
    assert gap_row(app, fifteen).status == "actioned"


def test_editing_an_action_records_what_changed(app, demo, analyst, make_user):
    client, _ = analyst
    other = make_user("observer")
    ten, fifteen = demo.gap("ten"), demo.gap("fifteen")
    action_id = _create(client, ten, title="SMED workshop")
    response = client.post(
        f"/review/actions/{action_id}/edit",
        data={
            "seen": _seen(client, action_id),
            "title": "SMED workshop on line 3",
            "description": "Call the vendor",
            "owner": str(other.id),
            "due_date": "2030-01-31",
            "status": "in_progress",
            "gaps": [ten, fifteen],
        },
    )
    assert response.status_code == 302
    action = _action(app, action_id)
    assert action.owner_id == other.id
    assert action.due_date == date(2030, 1, 31)
    updated = _audit(app, "action", action_id)[-1]
    assert updated.verb == "updated"
    assert set(updated.detail) == {"title", "owner", "due_date", "status", "gaps"}
    assert updated.detail["due_date"][1] == "2030-01-31"
    assert gap_row(app, fifteen).status == "actioned"
    unchanged = client.post(
        f"/review/actions/{action_id}/edit",
        data={
            "seen": _seen(client, action_id),
            "title": "SMED workshop on line 3",
            "description": "Call the vendor",
            "owner": str(other.id),
            "due_date": "2030-01-31",
            "status": "in_progress",
            "gaps": [ten, fifteen],
        },
        follow_redirects=True,
    )
    assert "Nothing changed." in unchanged.get_data(as_text=True)
    assert len(_audit(app, "action", action_id)) == 2


def test_the_board_moves_actions_and_overdue_ones_stand_out(app, demo, analyst):
    client, _ = analyst
    late = _create(client, demo.gap("badge"), title="Late one", due_date="2020-01-01")
    done_late = _create(client, demo.gap("speed"), title="Done late", due_date="2020-01-01")
    client.post(f"/review/actions/{done_late}/status", data={"status": "done", "next": "board"})
    board = client.get("/review/actions").get_data(as_text=True)
    late_card = re.search(
        rf'<li class="action-card is-overdue" id="a-{late}">.*?</li>', board, re.S
    )
    assert late_card, "the late action's card is marked overdue"
    assert "⚠ Overdue" in late_card.group(0)
    done_card = re.search(rf'<li class="action-card" id="a-{done_late}">.*?</li>', board, re.S)
    assert done_card, "a done action is never overdue"
    done_column = board.split('id="col-done"')[1].split("</section>")[0]
    assert "Done late" in done_column
    moved = client.post(
        f"/review/actions/{late}/status", data={"status": "in_progress", "next": "board"}
    )
    assert moved.location.endswith(f"/review/actions#a-{late}")
    assert _action(app, late).status == "in_progress"
    status_event = _audit(app, "action", late)[-1]
    assert (status_event.verb, status_event.detail) == (
        "status",
        {"status": ["open", "in_progress"]},
    )
    page = client.get(f"/review/actions/{late}").get_data(as_text=True)
    assert "Overdue by" in page
    mine = client.get("/review/actions?mine=1").get_data(as_text=True)
    assert "Late one" in mine
    nobody = client.get(f"/review/actions?site={uuid.uuid4()}").get_data(as_text=True)
    assert "Late one" not in nobody


def _backdate(app, action_id: str, days: int) -> None:
    with app.app_context():
        db.session.execute(
            update(Action)
            .where(Action.id == uuid.UUID(action_id))
            .values(created_at=datetime.now(UTC) - timedelta(days=days))
        )
        db.session.commit()


def _later_scans(app, demo, write, outcomes: list[bool]) -> None:
    """A later walk at the gate: badge scans observed an hour ago."""
    with app.app_context():
        admin = db.session.get(User, demo.admin.id)
        db.session.expunge(admin)
    walk = uid()
    at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    records = [
        {"type": "walk", "id": walk, "site": demo.site, "title": "Follow-up", "started_at": at}
    ]
    for done in outcomes:
        records.append(
            {
                "type": "fact",
                "id": uid(),
                "walk": walk,
                "topic": "Badge scan at entry",
                "text": "Scanned" if done else "Did not scan",
                "performed": done,
                "observed_at": at,
            }
        )
    result = write(admin, *records)
    assert all(r.status == "created" for r in result.results)


def test_the_loop_closes_when_later_evidence_no_longer_contradicts(app, demo, analyst, write):
    client, _ = analyst
    action_id = _create(client, demo.gap("badge"), title="Fix the scanner")
    _backdate(app, action_id, days=1)
    waiting = client.get(f"/review/actions/{action_id}").get_data(as_text=True)
    assert "Waiting for evidence" in waiting
    assert "The loop closes" not in waiting
    _later_scans(app, demo, write, [True] * 6)
    closed = client.get(f"/review/actions/{action_id}").get_data(as_text=True)
    assert "The loop closes." in closed
    assert "observed 6 of 6 (100%, 95% CI 61–100%)" in closed.replace("&#34;", '"')
    assert "no longer contradicts the statement" in closed
    # All the evidence together still contradicts "always": the numbers say both.
    assert "All evidence: Said" in closed
    gap_page = client.get(f"/review/gaps/{demo.gap('badge')}").get_data(as_text=True)
    assert "The loop closes" in gap_page


def test_a_later_miss_keeps_the_loop_open(app, demo, analyst, write):
    client, _ = analyst
    action_id = _create(client, demo.gap("badge"), title="Fix the scanner")
    _backdate(app, action_id, days=1)
    _later_scans(app, demo, write, [True, True, False])
    page = client.get(f"/review/actions/{action_id}").get_data(as_text=True)
    assert "Still contradicted" in page
    assert "The loop closes" not in page


def test_actions_csv(app, demo, analyst):
    client, _ = analyst
    action_id = _create(
        client, demo.gap("badge"), title="=cmd|' /C calc'!A0", due_date="2020-02-02"
    )
    response = client.get("/review/actions.csv")
    assert response.mimetype == "text/csv"
    (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert row["action_id"] == action_id
    assert row["title"].startswith("'=")
    assert row["overdue"] == "yes"
    assert row["gap_ids"] == demo.gap("badge")
    assert row["statements"] == "We always scan our badges."
    assert row["owner"].endswith("@example.com")


def test_observers_see_actions_but_cannot_change_them(app, demo, analyst, observer):
    client, _ = analyst
    action_id = _create(client, demo.gap("badge"))
    reader, _ = observer
    assert reader.get("/review/actions").status_code == 200
    page = reader.get(f"/review/actions/{action_id}").get_data(as_text=True)
    assert "Edit action" not in page
    assert reader.get(f"/review/actions/{action_id}/edit").status_code == 403
    assert reader.get(f"/review/gaps/{demo.gap('ten')}/actions/new").status_code == 403
    moved = reader.post(f"/review/actions/{action_id}/status", data={"status": "done"})
    assert moved.status_code == 403
    assert _action(app, action_id).status == "open"
