"""The app's "For you" list over the API: the caller's notices only, newest first, and
marking one read (idempotent; another user's is not found)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gemba.extensions import db
from gemba.models import NoticeState, SentNotice, User
from tests.conftest import login

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def add_notice(app, user: User, subject: str, minutes: int, **fields) -> int:
    """A notice decided for the user `minutes` after START; its id."""
    with app.app_context():
        row = SentNotice(
            user_id=user.id,
            kind=fields.pop("kind", "action_assigned"),
            key=f"{subject}-{minutes}",
            state=fields.pop("state", NoticeState.sent.value),
            subject=subject,
            body=f"{subject}: the line",
            link=fields.pop("link", "https://gemba.example/actions/1"),
            created_at=START + timedelta(minutes=minutes),
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def test_lists_only_mine_newest_first_whatever_the_mail_state(app, make_user):
    me, other = make_user(), make_user()
    add_notice(app, me, "Older", 1)
    add_notice(app, me, "Skipped by mail", 3, state=NoticeState.skipped.value, link=None)
    add_notice(app, me, "Newest", 5)
    add_notice(app, other, "Not mine", 9)

    body = login(app.test_client(), me).get("/api/v1/notices").get_json()

    assert [n["subject"] for n in body["notices"]] == ["Newest", "Skipped by mail", "Older"]
    assert body["unread"] == 3
    first = body["notices"][0]
    assert set(first) == {"id", "kind", "subject", "body", "link", "created_at", "read"}
    assert first["read"] is False
    assert first["body"] == "Newest: the line"
    assert body["notices"][1]["link"] is None


def test_at_most_fifty_but_unread_counts_all(app, make_user):
    me = make_user()
    for minute in range(52):
        add_notice(app, me, f"N{minute}", minute)

    body = login(app.test_client(), me).get("/api/v1/notices").get_json()

    assert len(body["notices"]) == 50
    assert body["notices"][0]["subject"] == "N51"
    assert body["unread"] == 52


def test_read_marks_it_once_and_is_idempotent(app, make_user):
    me = make_user()
    notice = add_notice(app, me, "Open me", 1)
    add_notice(app, me, "Still unread", 2)
    client = login(app.test_client(), me)

    first = client.post(f"/api/v1/notices/{notice}/read")
    with app.app_context():
        read_at = db.session.get(SentNotice, notice).read_at
    again = client.post(f"/api/v1/notices/{notice}/read")

    assert first.status_code == again.status_code == 200
    assert first.get_json()["read"] is True
    assert again.get_json()["read"] is True
    assert read_at is not None
    with app.app_context():
        assert db.session.get(SentNotice, notice).read_at == read_at  # the first read stays
    body = client.get("/api/v1/notices").get_json()
    assert body["unread"] == 1
    assert {n["subject"]: n["read"] for n in body["notices"]} == {
        "Open me": True,
        "Still unread": False,
    }


def test_another_users_notice_is_not_found_and_stays_unread(app, make_user):
    me, other = make_user(), make_user()
    theirs = add_notice(app, other, "Theirs", 1)
    client = login(app.test_client(), me)

    assert client.post(f"/api/v1/notices/{theirs}/read").status_code == 404
    assert client.post("/api/v1/notices/999999/read").status_code == 404
    with app.app_context():
        assert db.session.get(SentNotice, theirs).read_at is None


def test_needs_a_login(app):
    assert app.test_client().get("/api/v1/notices").status_code == 401
