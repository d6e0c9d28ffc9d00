"""Nothing a user entered is lost by a click: edits keep the values before, deletes keep
what went, and an admin brings a delete back (with its photos and gaps) for 30 days."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from gemba.capture import records, restore, trash
from gemba.extensions import db
from gemba.models import AuditEvent, DeletedRecord, Fact, Gap, Photo, Statement, User, Walk, utcnow
from tests.conftest import login, uid
from tests.photos.conftest import photo_bytes


def _statement_and_gap(world, write) -> str:
    """A statement "always" on the world's fact's topic, contradicted by that fact."""
    statement = uid()
    result = write(
        world.owner,
        {"type": "fact", "id": world.ids["fact"], "walk": world.walk, "text": "Guard left open",
         "topic": "Guard shut", "performed": False},
        {"type": "statement", "id": statement, "walk": world.walk, "text": "Always shut",
         "topic": "Guard shut", "claim": {"frequency": "always"}},
    )  # fmt: skip
    assert not result.rejected
    return statement


def _gap_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Gap.id)).all())


def test_an_edit_keeps_who_changed_what_and_the_value_before(world, write):
    write(world.owner, {"type": "fact", "id": world.ids["fact"], "walk": world.walk,
                        "text": "Guard wide open"})  # fmt: skip
    with world.app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == world.ids["fact"])
        ).one()
    assert (event.verb, event.object_type, event.user_id) == ("updated", "fact", world.owner.id)
    assert event.detail == {"before": {"text": "Guard left open"}}


def test_a_deleted_fact_comes_back_with_its_photo_and_its_gap(world, write, make_user):
    _statement_and_gap(world, write)
    photo_id = uid()
    assert world.put(photo_bytes(), world.ids["fact"], photo_id).status_code == 201
    files = world.stored_files()
    assert _gap_count(world.app) == 1
    response = world.client.post(f"/walks/{world.walk}/facts/{world.ids['fact']}/delete", data={})
    assert response.status_code == 302
    assert _gap_count(world.app) == 0
    assert world.photo(photo_id) is None
    assert world.stored_files() == files  # kept on disk for the restore period
    admin = login(world.app.test_client(), make_user("admin"))
    page = admin.get("/manage/deleted").get_data(as_text=True)
    assert "Fact: Guard left open" in page
    with world.app.app_context():
        entry_id = db.session.scalars(select(DeletedRecord.id)).one()
    restored = admin.post(f"/manage/deleted/{entry_id}/restore", follow_redirects=True)
    assert "Restored" in restored.get_data(as_text=True)
    assert world.photo(photo_id) is not None
    assert world.client.get(f"/photos/{photo_id}/thumb").status_code == 200
    assert _gap_count(world.app) == 1
    assert "Fact: Guard left open" not in admin.get("/manage/deleted").get_data(as_text=True)


def test_a_restored_walk_stays_its_observers(world, make_user):
    admin = make_user("admin")
    with world.app.app_context():
        records.delete(db.session.get(User, world.owner.id), "walk", uuid.UUID(world.walk))
        assert db.session.get(Walk, uuid.UUID(world.walk)) is None
        entry_id = db.session.scalars(select(DeletedRecord.id)).one()
        restore.restore(db.session.get(User, admin.id), entry_id)
        walk = db.session.get(Walk, uuid.UUID(world.walk))
        assert walk.observer_id == world.owner.id
        assert db.session.get(Fact, uuid.UUID(world.ids["fact"])) is not None
        assert db.session.get(Statement, uuid.UUID(world.ids["statement"])) is not None


def test_a_restored_place_is_linked_again_from_its_facts(world, write, make_user):
    write(world.owner, {"type": "fact", "id": world.ids["fact"], "walk": world.walk,
                        "text": "Guard left open", "place": world.ids["place"]})  # fmt: skip
    admin = make_user("admin")
    with world.app.app_context():
        records.delete(db.session.get(User, world.owner.id), "place", uuid.UUID(world.ids["place"]))
        assert db.session.get(Fact, uuid.UUID(world.ids["fact"])).place_id is None
        entry_id = db.session.scalars(select(DeletedRecord.id)).one()
        restore.restore(db.session.get(User, admin.id), entry_id)
        fact = db.session.get(Fact, uuid.UUID(world.ids["fact"]))
        assert str(fact.place_id) == world.ids["place"]


def test_only_admins_restore_and_only_within_the_period(world, make_user):
    admin_user = make_user("admin")
    with world.app.app_context():
        owner = db.session.get(User, world.owner.id)
        records.delete(owner, "fact", uuid.UUID(world.ids["fact"]))
        entry_id = db.session.scalars(select(DeletedRecord.id)).one()
    observer_page = world.client.post(f"/manage/deleted/{entry_id}/restore")
    assert observer_page.status_code == 403
    with world.app.app_context():
        db.session.execute(update(DeletedRecord).values(deleted_at=utcnow() - timedelta(days=31)))
        db.session.commit()
        admin = db.session.get(User, admin_user.id)
        with pytest.raises(restore.RestoreRefused, match="30 days"):
            restore.restore(admin, entry_id)
        assert db.session.get(Fact, uuid.UUID(world.ids["fact"])) is None


def test_the_sweep_forgets_old_deletes_and_keeps_young_ones_files(world, upload):
    old_photo = upload("fact", photo_bytes((10, 200, 10)))
    young_photo = upload("statement", photo_bytes((200, 10, 10)))
    with world.app.app_context():
        owner = db.session.get(User, world.owner.id)
        keys = {
            pid: {db.session.get(Photo, uuid.UUID(pid)).display_key}
            for pid in (old_photo, young_photo)
        }
        records.delete(owner, "fact", uuid.UUID(world.ids["fact"]))
        records.delete(owner, "statement", uuid.UUID(world.ids["statement"]))
        db.session.execute(
            update(DeletedRecord)
            .where(DeletedRecord.object_id == uuid.UUID(world.ids["fact"]))
            .values(deleted_at=utcnow() - timedelta(days=31))
        )
        db.session.commit()
    result = world.app.test_cli_runner().invoke(args=["photos", "sweep", "--min-age", "0"])
    assert "1 deleted records past the restore period forgotten" in result.output
    files = world.stored_files()
    assert keys[old_photo].isdisjoint(files)
    assert keys[young_photo] <= files
    with world.app.app_context():
        assert [e.object_type for e in trash.restorable()] == ["statement"]
