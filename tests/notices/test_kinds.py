"""Each kind of notice reaches the right user once, with the right subject, over SMTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from gemba.extensions import db
from gemba.models import AuditEvent, Plan, PlanSchedule, User, Walk, utcnow
from gemba.notices import sender
from tests.engine.conftest import Floor
from tests.notices.conftest import NOW, TODAY

# Every day at 06:00 UTC from Monday 5 January 2026: at NOW (10:00, 2 March) today's walk
# is due and yesterday's, never walked, is missed.
DAILY_6 = "DTSTART;TZID=UTC:20260105T000000\nRRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"


def run(app, now=NOW):
    with app.app_context():
        return sender.run(now)


def test_an_action_assigned_by_someone_else_is_sent_to_its_owner(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="Fix the badge reader")
    make_action(analyst, analyst, title="My own note")  # assigned to oneself: no e-mail
    run(app)
    assert mailbox.subjects() == ["Action assigned to you: Fix the badge reader"]
    (message,) = mailbox.to(owner.email)
    assert "/review/actions/" in message.get_body(("plain",)).get_content()


def test_an_action_due_tomorrow_and_one_overdue_are_sent_to_the_owner(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, owner, title="Tomorrow", due_date=TODAY + timedelta(days=1))
    make_action(owner, owner, title="Late", due_date=TODAY - timedelta(days=3))
    make_action(owner, owner, title="Next week", due_date=TODAY + timedelta(days=7))
    make_action(owner, owner, title="Done late", due_date=TODAY - timedelta(days=3), status="done")
    run(app)
    assert mailbox.subjects(owner.email) == ["Due tomorrow: Tomorrow", "Overdue: Late"]
    assert mailbox.to(analyst.email) == []


def test_walks_assigned_due_today_and_missed_go_to_the_assignees(app, make_user, site_id, mailbox):
    walker, role_walker, other = make_user("observer"), make_user("analyst"), make_user("admin")
    with app.app_context():
        plan = Plan(
            site_id=site_id, title="Line 3 round", schedule=DAILY_6, assignee_role="analyst"
        )
        plan.assignees = [db.session.get(User, walker.id)]
        db.session.add(plan)
        db.session.flush()
        db.session.add(
            PlanSchedule(plan_id=plan.id, rule=DAILY_6, starts_at=datetime(2026, 1, 5, tzinfo=UTC))
        )
        db.session.commit()
    run(app)
    assert mailbox.subjects(walker.email) == [
        "Walk due today: Line 3 round",
        "Walk missed: Line 3 round",
        "Walk plan assigned to you: Line 3 round",
    ]
    # Assigned by role: the walks, not the naming.
    assert mailbox.subjects(role_walker.email) == [
        "Walk due today: Line 3 round",
        "Walk missed: Line 3 round",
    ]
    assert mailbox.to(other.email) == []
    (missed,) = [m for m in mailbox.to(walker.email) if "missed" in m["Subject"]]
    assert "2026-03-01 06:00" in missed.get_body(("plain",)).get_content()


def test_a_needs_observation_request_goes_to_who_walks_the_site_but_not_who_asked(
    app, make_user, mailbox
):
    observer, analyst = make_user("observer"), make_user("analyst")
    elsewhere, gone, planned = make_user("observer"), make_user("observer"), make_user("admin")
    floor = Floor(app, observer, analyst)
    with app.app_context():
        # Never walked there, but a plan of the site is assigned to their role.
        db.session.add(Plan(site_id=uuid.UUID(floor.sites["A"]), title="A", assignee_role="admin"))
        db.session.add(
            Walk(site_id=uuid.UUID(floor.sites["B"]), observer_id=elsewhere.id, title="b")
        )
        db.session.add(Walk(site_id=uuid.UUID(floor.sites["A"]), observer_id=gone.id, title="a"))
        db.session.get(User, gone.id).active = False
        db.session.commit()
    statement = floor.say("Badge scan", {"frequency": "always"})
    floor.see("Badge scan", False)
    floor.triage(statement, "needs_observation", "Only one shift seen")
    run(app, utcnow())
    assert mailbox.subjects() == ["More observation needed at Plant A"] * 2
    assert mailbox.subjects(planned.email) == ["More observation needed at Plant A"]
    (message,) = mailbox.to(observer.email)
    assert "Only one shift seen" in message.get_body(("plain",)).get_content()


def test_an_action_verified_by_evidence_goes_to_its_owner_and_its_creator(
    app, make_user, make_action, mailbox
):
    owner, analyst, bystander = make_user("observer"), make_user("analyst"), make_user("analyst")
    action_id = make_action(owner, analyst, title="Badge reader moved", status="verified")
    with app.app_context():
        db.session.add(
            AuditEvent(
                at=NOW - timedelta(hours=1),
                user_id=None,
                object_type="action",
                object_id=str(action_id),
                verb="verified by evidence",
            )
        )
        db.session.commit()
    run(app)
    subject = "Verified by evidence: Badge reader moved"
    assert mailbox.subjects(owner.email) == [subject]
    assert mailbox.subjects(analyst.email) == [subject]
    assert mailbox.to(bystander.email) == []


def test_an_inactive_user_gets_nothing(app, make_user, make_action, mailbox):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst)
    with app.app_context():
        db.session.get(User, owner.id).active = False
        db.session.commit()
    run(app)
    assert mailbox.messages == []


def test_every_e_mail_has_plain_text_html_and_an_unsubscribe_link(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="Fix <the> badge reader")
    run(app)
    (message,) = mailbox.messages
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Fix <the> badge reader" in text
    assert "Fix &lt;the&gt; badge reader" in html
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://gemba.example/notices/unsubscribe/")
    assert link in text
    assert f'href="{link}"' in html
