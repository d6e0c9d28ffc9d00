"""`flask notify` from cron: each notice once, nothing lost or doubled when the SMTP
server refuses or is down, and the daily digest."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from gemba.extensions import db
from gemba.models import NoticeMode, SentNotice, User
from gemba.notices import preferences


def sent_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SentNotice))


def choose(app, user, **modes) -> None:
    with app.app_context():
        preferences.set_modes(db.session.get(User, user.id), modes)


def test_notify_run_twice_sends_once(app, make_user, make_action, mailbox):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="Fix the badge reader")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notify"])
    second = runner.invoke(args=["notify"])
    assert first.exit_code == 0, first.output
    assert "1 sent" in first.output
    assert second.exit_code == 0
    assert "0 sent" in second.output
    assert mailbox.subjects() == ["Action assigned to you: Fix the badge reader"]


def test_a_refusing_smtp_server_loses_nothing_and_doubles_nothing(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="First")
    make_action(owner, analyst, title="Second")
    mailbox.refuse = 1
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["notify"])
    assert refused.exit_code == 1
    assert "refused" in refused.output
    assert mailbox.messages == []
    assert sent_rows(app) == 0
    accepted = runner.invoke(args=["notify"])
    assert accepted.exit_code == 0, accepted.output
    again = runner.invoke(args=["notify"])
    assert again.exit_code == 0
    assert mailbox.subjects() == ["Action assigned to you: First", "Action assigned to you: Second"]
    assert sent_rows(app) == 2


def test_a_server_that_hangs_up_mid_run_keeps_the_rest_for_the_next(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    for title in ("One", "Two", "Three"):
        make_action(owner, analyst, title=title)
    mailbox.refusal = "421 4.3.2 Shutting down"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["notify"]).exit_code == 0
    assert len(mailbox.messages) == 3
    make_action(owner, analyst, title="Four")
    make_action(owner, analyst, title="Five")
    mailbox.refuse = 1
    assert runner.invoke(args=["notify"]).exit_code == 1
    assert runner.invoke(args=["notify"]).exit_code == 0
    assert len(mailbox.messages) == 5
    assert len(set(mailbox.subjects())) == 5


def test_an_smtp_server_that_is_down_sends_later(app, make_user, make_action, smtp):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="Fix the badge reader")
    mailbox, port = smtp
    runner = app.test_cli_runner()
    app.extensions["mail"].port = 1  # nothing listens there: connection refused
    assert runner.invoke(args=["notify"]).exit_code == 1
    assert sent_rows(app) == 0
    app.extensions["mail"].port = port
    assert runner.invoke(args=["notify"]).exit_code == 0
    assert mailbox.subjects() == ["Action assigned to you: Fix the badge reader"]


def test_the_digest_gathers_notices_into_one_e_mail_once(app, make_user, make_action, mailbox):
    owner, analyst = make_user("observer"), make_user("analyst")
    choose(app, owner, action_assigned=NoticeMode.digest.value)
    make_action(owner, analyst, title="One")
    make_action(owner, analyst, title="Two")
    runner = app.test_cli_runner()
    collected = runner.invoke(args=["notify"])
    assert "2 kept for the digest" in collected.output
    assert mailbox.messages == []
    make_action(owner, analyst, title="Three")
    assert runner.invoke(args=["notify", "--digest"]).exit_code == 0
    (digest,) = mailbox.messages
    assert digest["Subject"] == "Gemba: 3 notices"
    text = digest.get_body(("plain",)).get_content()
    for title in ("One", "Two", "Three"):
        assert f"Action assigned to you: {title}" in text
    assert runner.invoke(args=["notify", "--digest"]).exit_code == 0
    assert runner.invoke(args=["notify"]).exit_code == 0
    assert len(mailbox.messages) == 1


def test_a_refused_digest_is_sent_whole_on_the_next_run(app, make_user, make_action, mailbox):
    owner, analyst = make_user("observer"), make_user("analyst")
    choose(app, owner, action_assigned=NoticeMode.digest.value)
    make_action(owner, analyst, title="One")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["notify"]).exit_code == 0
    mailbox.refuse = 1
    assert runner.invoke(args=["notify", "--digest"]).exit_code == 1
    assert mailbox.messages == []
    assert runner.invoke(args=["notify", "--digest"]).exit_code == 0
    assert runner.invoke(args=["notify", "--digest"]).exit_code == 0
    assert [m["Subject"] for m in mailbox.messages] == ["Gemba: 1 notice"]


def test_a_kind_turned_off_is_not_sent_and_not_replayed_when_turned_on(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    choose(app, owner, action_assigned=NoticeMode.none.value)
    make_action(owner, analyst, title="Quiet")
    runner = app.test_cli_runner()
    assert "1 turned off" in runner.invoke(args=["notify"]).output
    choose(app, owner, action_assigned=NoticeMode.immediate.value)
    make_action(owner, analyst, title="Loud")
    runner.invoke(args=["notify"])
    assert mailbox.subjects() == ["Action assigned to you: Loud"]


def test_an_address_the_server_refuses_for_good_does_not_hold_up_the_others(
    app, make_user, make_action, mailbox
):
    gone, owner, analyst = make_user("observer"), make_user("observer"), make_user("analyst")
    mailbox.unknown = {gone.email}
    make_action(gone, analyst, title="To nobody")
    make_action(owner, analyst, title="To someone")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notify"])
    assert first.exit_code == 0, first.output
    assert "1 refused by the mail server for good" in first.output
    mailbox.unknown = set()
    runner.invoke(args=["notify"])
    assert mailbox.subjects() == ["Action assigned to you: To someone"]
    assert sent_rows(app) == 2


def test_a_kind_turned_off_before_the_digest_is_left_out_of_it(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    choose(app, owner, action_assigned="digest", action_overdue="digest")
    make_action(owner, analyst, title="Assigned")
    make_action(owner, owner, title="Late", due_date=date(2026, 1, 5))
    runner = app.test_cli_runner()
    assert "2 kept for the digest" in runner.invoke(args=["notify"]).output
    choose(app, owner, action_overdue="none")
    assert runner.invoke(args=["notify", "--digest"]).exit_code == 0
    (digest,) = mailbox.messages
    assert digest["Subject"] == "Gemba: 1 notice"
    assert "Assigned" in digest.get_body(("plain",)).get_content()
    assert "Late" not in digest.get_body(("plain",)).get_content()
