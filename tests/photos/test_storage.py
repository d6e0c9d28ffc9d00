"""Files and rows together or not at all: failures between the store and the database,
crashes inside a write, deletes that follow records, the sweep, the decode limit."""

from __future__ import annotations

import io
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from gemba.capture import records
from gemba.domain.photos import PhotoRejected
from gemba.extensions import db
from gemba.models import DeletedRecord, User, utcnow
from gemba.photos import processing
from gemba.photos import service as photos
from gemba.photos import store as photo_store
from gemba.photos.store import LocalPhotoStore
from tests.conftest import uid
from tests.photos.conftest import phone_photo, photo_bytes


def save(world, data: bytes, kind: str = "fact", photo_id: str | None = None):
    """Call the service as the walk's observer, inside an app context."""
    with world.app.app_context():
        actor = db.session.get(User, world.owner.id)
        return photos.save_photo(
            actor, uuid.UUID(photo_id or uid()), data, uuid.UUID(world.ids[kind])
        )


def assert_nothing_served(world, photo_id: str) -> None:
    for variant in ("thumb", "display"):
        assert world.client.get(f"/photos/{photo_id}/{variant}").status_code == 404


# -- between the files and the row -------------------------------------------------------------


def test_a_database_failure_after_the_files_leaves_no_row_and_no_file(world, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    photo_id = uid()
    monkeypatch.setattr(db.session, "commit", fail)
    response = world.put(photo_bytes(), world.ids["fact"], photo_id)
    monkeypatch.undo()

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    assert world.photo_count() == 0
    assert world.stored_files() == set()
    assert_nothing_served(world, photo_id)


def test_any_error_after_the_files_removes_them(world, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(photos, "_fill_place_position", crash)
    with world.app.app_context():
        actor = db.session.get(User, world.owner.id)
        with pytest.raises(RuntimeError):
            photos.save_photo(
                actor, uuid.uuid4(), phone_photo(), uuid.UUID(world.ids["place"]), gps_opt_in=True
            )

    assert world.photo_count() == 0
    assert world.stored_files() == set()


def test_files_left_by_a_hard_crash_are_never_served_and_the_sweep_removes_them(world, monkeypatch):
    """A process killed between the files and the row cannot clean up after itself."""

    def killed(*args, **kwargs):
        raise SystemExit(137)

    monkeypatch.setattr(photos, "_insert_row", killed)
    monkeypatch.setattr(photos, "_discard_after_failure", lambda keys: None)
    photo_id = uid()
    with pytest.raises(SystemExit):
        save(world, photo_bytes(), photo_id=photo_id)
    monkeypatch.undo()
    keep = uid()
    save(world, photo_bytes((1, 2, 3)), photo_id=keep)
    orphans = world.stored_files() - {world.photo(keep).display_key, world.photo(keep).thumb_key}

    assert orphans
    assert world.photo_count() == 1
    assert_nothing_served(world, photo_id)
    runner = world.app.test_cli_runner()
    dry = runner.invoke(args=["photos", "sweep", "--min-age", "0", "--dry-run"])
    assert dry.exit_code == 0
    assert "would remove" in dry.output
    assert orphans <= world.stored_files()
    result = runner.invoke(args=["photos", "sweep", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    assert world.stored_files() == {world.photo(keep).display_key, world.photo(keep).thumb_key}
    assert world.client.get(f"/photos/{keep}/display").status_code == 200


def test_the_sweep_spares_young_files_of_uploads_in_flight(world):
    stray = world.store().put(b"in flight")

    result = world.app.test_cli_runner().invoke(args=["photos", "sweep"])

    assert result.exit_code == 0
    assert "0 removed" in result.output
    assert stray in world.stored_files()


# -- inside a file write -----------------------------------------------------------------------


def test_a_failure_inside_a_put_leaves_no_half_file_and_no_row(world, local_only, monkeypatch):
    def broken_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(photo_store.os, "replace", broken_rename)
    response = world.put(photo_bytes(), world.ids["fact"])
    monkeypatch.undo()

    assert response.status_code == 503
    assert "could not be stored" in response.get_json()["detail"]
    assert world.photo_count() == 0
    assert world.stored_files() == set()  # no temporary file either


def test_a_failure_on_the_second_file_removes_the_first(world, monkeypatch):
    kind = type(world.store())
    real_put = kind.put
    calls = {"n": 0}

    def second_fails(self, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(5, "Input/output error")
        return real_put(self, data)

    monkeypatch.setattr(kind, "put", second_fails)
    response = world.put(photo_bytes(size=(900, 600)), world.ids["fact"])

    assert response.status_code == 503
    assert world.stored_files() == set()


def test_a_temporary_file_from_a_killed_write_is_never_served(world, local_only, upload):
    photo_id = upload()
    photo = world.photo(photo_id)
    final = world.photo_dir() / photo.display_key[:2] / photo.display_key[2:4]
    half = final / f".{photo.display_key[:12]}.dead.tmp"
    half.write_bytes(b"\xff\xd8\xff half a photo")
    old = time.time() - 7200
    os.utime(half, (old, old))

    assert world.client.get(f"/photos/{photo_id}/display").get_data() != half.read_bytes()
    world.app.test_cli_runner().invoke(args=["photos", "sweep"])
    assert not half.exists()
    assert (final / photo.display_key).exists()


def test_a_resend_puts_back_files_that_went_missing(world):
    data, photo_id = photo_bytes(), uid()
    world.put(data, world.ids["fact"], photo_id)
    world.lose_all_files()
    assert world.client.get(f"/photos/{photo_id}/display").status_code == 404

    again = world.put(data, world.ids["fact"], photo_id)

    assert again.status_code == 200
    assert again.get_json()["status"] == "unchanged"
    assert world.client.get(f"/photos/{photo_id}/display").status_code == 200


# -- deleting records ------------------------------------------------------------------------


def delete_record(world, kind: str) -> None:
    response = world.client.post(f"/walks/{world.walk}/{kind}s/{world.ids[kind]}/delete")
    assert response.status_code == 302


def expire_deletes_and_sweep(world) -> None:
    """Let the restore period of every delete pass, then run the photo sweep."""
    with world.app.app_context():
        db.session.execute(update(DeletedRecord).values(deleted_at=utcnow() - timedelta(days=365)))
        db.session.commit()
    result = world.app.test_cli_runner().invoke(args=["photos", "sweep", "--min-age", "0"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["place", "thing", "fact", "statement"])
def test_a_deleted_records_photos_go_at_once_and_their_files_after_the_restore_period(
    world, upload, kind
):
    photo_id = upload(kind)
    other = upload("fact" if kind != "fact" else "thing", data=photo_bytes((5, 5, 5)))
    other_files = {world.photo(other).display_key, world.photo(other).thumb_key}
    files = world.stored_files()

    delete_record(world, kind)

    assert world.photo(photo_id) is None
    assert_nothing_served(world, photo_id)
    assert world.stored_files() == files  # an admin may still restore it
    expire_deletes_and_sweep(world)
    assert world.stored_files() == other_files


def test_files_shared_with_another_photo_stay_until_the_last_one_goes(world, upload):
    data = photo_bytes()
    on_fact = upload("fact", data=data)
    on_thing = upload("thing", data=data)
    files = world.stored_files()

    delete_record(world, "fact")
    expire_deletes_and_sweep(world)
    assert world.photo(on_fact) is None
    assert world.stored_files() == files
    assert world.client.get(f"/photos/{on_thing}/display").status_code == 200

    delete_record(world, "thing")
    expire_deletes_and_sweep(world)
    assert world.stored_files() == set()


def test_deleting_a_walk_deletes_all_its_photos_and_then_their_files(world, upload):
    for kind in ("place", "thing", "fact", "statement"):
        upload(kind, data=photo_bytes((len(kind) * 20, 0, 0)))
    with world.app.app_context():
        records.delete(db.session.get(User, world.owner.id), "walk", uuid.UUID(world.walk))

    assert world.photo_count() == 0
    expire_deletes_and_sweep(world)
    assert world.stored_files() == set()


def test_discard_unused_keeps_keys_still_in_use(world, upload):
    photo = world.photo(upload())
    stray = world.store().put(b"no row refers to this")
    with world.app.app_context():
        deleted = photos.discard_unused([photo.display_key, photo.thumb_key, stray, ""])

    assert deleted == [stray]
    assert world.stored_files() == {photo.display_key, photo.thumb_key}


# -- where the files are -----------------------------------------------------------------------


def test_a_relative_photo_dir_is_inside_the_instance_folder(app, local_only):
    app.config["GEMBA_PHOTO_DIR"] = "photos"
    app.extensions.pop("gemba.photos.store", None)
    with app.app_context():
        store = photos.store()

    assert isinstance(store, LocalPhotoStore)
    assert store.root == Path(app.instance_path, "photos")
    assert not str(store.root).startswith(app.static_folder)


def test_another_store_plugs_in_through_a_factory(app, monkeypatch):
    class MemoryStore:
        def __init__(self, app):
            self.app = app

    monkeypatch.setattr(photos, "MemoryStore", MemoryStore, raising=False)
    app.config["GEMBA_PHOTO_STORE"] = "gemba.photos.service:MemoryStore"
    app.extensions.pop("gemba.photos.store", None)
    with app.app_context():
        store = photos.store()

    assert isinstance(store, MemoryStore)
    assert store.app is app


# -- concurrency -------------------------------------------------------------------------------


def test_decodes_wait_for_a_free_slot_and_give_up_with_503(world):
    world.app.config.update(GEMBA_PHOTO_DECODES=1, GEMBA_PHOTO_DECODE_WAIT=0.05)
    slot = processing.decode_slot(1)
    assert slot.acquire(timeout=1)
    try:
        response = world.put(photo_bytes(), world.ids["fact"])
    finally:
        slot.release()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert world.put(photo_bytes(), world.ids["fact"]).status_code == 201


def test_no_more_decodes_run_at_once_than_configured(world, monkeypatch):
    world.app.config["GEMBA_PHOTO_DECODES"] = 2
    running, peak, lock = [0], [0], threading.Lock()
    real = processing.process_photo

    def counting(data, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        try:
            return real(data, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(processing, "process_photo", counting)

    def one(i: int):
        with world.app.app_context():
            return processing.process(photo_bytes((i, i, i)))

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(one, range(5)))

    assert peak[0] == 2


def test_the_same_photo_sent_twice_at_once_is_stored_once(world):
    data, photo_id = photo_bytes(), uid()

    barrier = threading.Barrier(2)

    def send(_):
        client = world.app.test_client()
        barrier.wait()
        response = client.put(
            f"/api/v1/photos/{photo_id}",
            data={"file": (io.BytesIO(data), "a.jpg"), "record": world.ids["fact"]},
            headers=world.auth,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(send, range(2)))

    assert statuses == [200, 201]
    assert world.photo_count() == 1
    photo = world.photo(photo_id)
    assert world.stored_files() == {photo.display_key, photo.thumb_key}


def test_refusals_never_touch_the_store(world):
    with pytest.raises(PhotoRejected):
        save(world, b"<html>not a photo</html>")

    assert world.stored_files() == set()
