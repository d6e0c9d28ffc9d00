"""Which events are queued, for which hooks, once: the audit trail behind a cursor that
waits for slow commits, overdue actions and missed walks on the site's clock, finished
walks, site scope, hooks turned off; claims that keep two runs from sending one row."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, update

from gemba.extensions import db
from gemba.models import (
    Action,
    AuditEvent,
    Plan,
    PlanSchedule,
    Site,
    User,
    Walk,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from gemba.platform.database import MIGRATIONS_DIR
from gemba.review import actions
from gemba.webhooks import delivery, events
from tests.webhooks.conftest import deliveries

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
DAILY_6 = "DTSTART;TZID=UTC:20260105T000000\nRRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"


def _created_at(app, hook_id: int, when: datetime) -> None:
    """Pretend the hook was made earlier (its events since then are its own)."""
    with app.app_context():
        db.session.execute(update(Webhook).where(Webhook.id == hook_id).values(created_at=when))
        db.session.commit()


def _site(app, name: str) -> uuid.UUID:
    with app.app_context():
        site = Site(name=name, time_zone="UTC")
        db.session.add(site)
        db.session.commit()
        return site.id


def _action(app, site_id, due: date, status: str = "open") -> uuid.UUID:
    with app.app_context():
        action = Action(site_id=site_id, title="Fix the reader", due_date=due, status=status)
        db.session.add(action)
        db.session.commit()
        return action.id


def test_an_overdue_action_is_sent_once_per_due_date_and_only_for_its_site(
    app, receiver, add_hook, deliver
):
    plant, other = _site(app, "Plant"), _site(app, "Other")
    hook_id, _ = add_hook(receiver.url, ["action.overdue"], site_id=plant)
    _created_at(app, hook_id, NOW - timedelta(days=30))
    late = _action(app, plant, TODAY - timedelta(days=3))
    _action(app, plant, TODAY - timedelta(days=3), status="done")
    _action(app, plant, TODAY)  # due today: not overdue yet
    _action(app, other, TODAY - timedelta(days=3))  # another site's
    deliver(NOW)
    deliver(NOW + timedelta(hours=1))
    (got,) = receiver.requests
    assert got.json["type"] == "action.overdue"
    assert got.json["data"]["action"]["id"] == str(late)
    assert got.json["occurred_at"] == "2026-02-28T00:00:00+00:00"  # its due day ended
    with app.app_context():
        db.session.execute(
            update(Action).where(Action.id == late).values(due_date=TODAY - timedelta(days=1))
        )
        db.session.commit()
    deliver(NOW + timedelta(hours=2))
    assert len(receiver.requests) == 2  # a new due date, a new event


def test_a_new_hook_hears_nothing_of_what_was_overdue_before_it(app, receiver, add_hook, deliver):
    plant = _site(app, "Plant")
    add_hook(receiver.url, ["action.overdue"])
    _action(app, plant, date.today() - timedelta(days=3))
    deliver()
    assert receiver.requests == []


def test_missed_walks_since_the_hook_was_made_are_sent_once_each(app, receiver, add_hook, deliver):
    plant = _site(app, "Plant")
    with app.app_context():
        plan = Plan(site_id=plant, title="Line 3 round", schedule=DAILY_6)
        db.session.add(plan)
        db.session.flush()
        starts = datetime(2026, 1, 5, tzinfo=UTC)
        db.session.add(PlanSchedule(plan_id=plan.id, rule=DAILY_6, starts_at=starts))
        db.session.commit()
        plan_id = plan.id
    hook_id, _ = add_hook(receiver.url, ["walk.missed"])
    _created_at(app, hook_id, datetime(2026, 2, 28, tzinfo=UTC))
    deliver(NOW)
    deliver(NOW + timedelta(minutes=5))
    assert sorted(r.json["data"]["due_at"] for r in receiver.requests) == [
        "2026-02-28T06:00:00+00:00",
        "2026-03-01T06:00:00+00:00",
    ]
    assert {r.json["data"]["plan"]["id"] for r in receiver.requests} == {str(plan_id)}


def test_a_finished_walk_is_sent_once(app, receiver, add_hook, deliver, make_user, make_walk):
    hook_id, _ = add_hook(receiver.url, ["walk.finished"])
    walker = make_user("observer")
    walk_id = make_walk(walker)
    make_walk(walker)  # still in progress
    with app.app_context():
        walk = db.session.get(Walk, uuid.UUID(walk_id))
        walk.status, walk.ended_at = "finished", utcnow()
        db.session.commit()
    deliver()
    deliver()
    (got,) = receiver.requests
    assert got.json["type"] == "walk.finished"
    assert got.json["data"]["walk"]["id"] == walk_id
    assert got.json["url"].endswith(f"/walks/{walk_id}")


def test_action_created_changed_and_verified_come_from_the_audit_trail(
    app, demo, receiver, add_hook, deliver
):
    add_hook(receiver.url, ["action.created", "action.changed", "action.verified"])
    with app.app_context():
        admin = db.session.get(User, demo.admin.id)
        data = actions.ActionData("Move the scanner", None, None, None, "open")
        action = actions.create_action(admin, data, [uuid.UUID(demo.gap("badge"))])
        actions.move_action(admin, action.id, "verified")
        action_id = str(action.id)
    deliver()
    assert receiver.events() == ["action.created", "action.changed", "action.verified"]
    assert {r.json["data"]["action"]["id"] for r in receiver.requests} == {action_id}
    assert receiver.requests[1].json["data"]["change"]["detail"] == {"status": ["open", "verified"]}
    deliver()
    assert len(receiver.requests) == 3


def _audit(app, event_id: int, at: datetime, gap_id: str) -> None:
    with app.app_context():
        db.session.add(
            AuditEvent(id=event_id, at=at, object_type="gap", object_id=gap_id, verb="triaged")
        )
        db.session.commit()


def test_the_cursor_waits_for_events_that_commit_late(app, demo, receiver, add_hook, deliver):
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    with app.app_context():
        cursor = db.session.get(Webhook, hook_id).audit_cursor
    now = utcnow()
    _audit(app, cursor + 2, now, demo.gap("badge"))  # id C+1 is still in an open transaction
    deliver()
    with app.app_context():
        assert db.session.get(Webhook, hook_id).audit_cursor == cursor  # young: not passed
    _audit(app, cursor + 1, now, demo.gap("torque"))  # ... and commits now
    deliver()
    assert sorted(r.json["id"] for r in receiver.requests) == [
        f"audit:{cursor + 1}:gap.triaged",
        f"audit:{cursor + 2}:gap.triaged",
    ]
    deliver(now + events.SETTLE + timedelta(minutes=1))
    with app.app_context():
        assert db.session.get(Webhook, hook_id).audit_cursor == cursor + 2
    assert len(receiver.requests) == 2


def test_a_hook_turned_off_gets_nothing_and_no_backlog_when_back_on(
    app, demo, receiver, add_hook, deliver
):
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    with app.app_context():
        hook = db.session.get(Webhook, hook_id)
        hook.active = False
        db.session.commit()
    _audit(app, 10**6, utcnow() - timedelta(hours=1), demo.gap("badge"))
    deliver()
    assert deliveries(app, hook_id) == []
    with app.app_context():
        from gemba.webhooks import services

        services.update_hook(hook_id, services.HookData(receiver.url, ["gap.triaged"], None))
    deliver()
    assert receiver.requests == []


def test_a_claimed_row_is_not_claimed_again_by_a_second_run(app, demo, receiver, add_hook):
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    with app.app_context():
        from gemba.webhooks import services

        services.send_test(hook_id)
        now = utcnow()
        (first,) = delivery.claim(now)
        assert delivery.claim(now) == []
        assert delivery.claim(now + delivery.LEASE - timedelta(seconds=1)) == []
        (again,) = delivery.claim(now + delivery.LEASE)  # that run died: the lease ended
        assert again.id == first.id
        assert again.attempts == 2


def test_the_migration_downgrades_and_upgrades(app):
    with app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision="d8b3f5a7c9e1")
        tables = inspect(db.engine).get_table_names()
        assert "webhooks" not in tables
        assert "webhook_deliveries" not in tables
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)
        tables = inspect(db.engine).get_table_names()
        assert {"webhooks", "webhook_deliveries"} <= set(tables)
        assert db.session.scalar(select(WebhookDelivery.id)) is None


def test_a_gap_the_engine_flags_is_sent_for_its_site(app, make_user, receiver, add_hook, deliver):
    from tests.engine.conftest import Floor

    floor = Floor(app, make_user("observer"), make_user("analyst"))
    add_hook(receiver.url, ["gap.flagged"], site_id=uuid.UUID(floor.sites["A"]))
    statement = floor.say("Badge scan", {"frequency": "always"})
    floor.see("Badge scan", performed=False)
    floor.say("Gloves", {"frequency": "always"}, walk="b")
    floor.see("Gloves", performed=False, walk="b")  # site B's gap: not this hook's
    deliver()
    (got,) = receiver.requests
    assert got.json["type"] == "gap.flagged"
    assert got.json["site_id"] == floor.sites["A"]
    assert got.json["data"]["gap"]["statement_id"] == statement
    assert "always" in got.json["data"]["gap"]["explanation"]
