"""`flask backup` and `flask restore`: a consistent snapshot while the app writes, an exact
restore into an empty instance, and clear errors (never a damaged database) when the
disk is full or a folder cannot be written."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gemba.capture import records
from gemba.extensions import db
from gemba.models import DeletedRecord, Photo, Site, User, Walk
from gemba.ops.backup import digests, files, postgres, sqlite
from gemba.ops.backup.errors import BackupError
from gemba.photos.store import LocalPhotoStore
from tests.conftest import PASSWORD, PG_URL, make_test_app, uid

BATCH = 5  # facts written with each walk, in one transaction


@pytest.fixture
def owner(make_user):
    return make_user("admin")


@pytest.fixture
def site_id(make_site):
    return make_site("Plant 2")


def _write_batch(app, user_id: int, site: str, n: int) -> None:
    """One walk and BATCH facts, in one transaction."""
    walk = uid()
    batch = [{"type": "walk", "id": walk, "site": site, "title": f"batch-{n}"}]
    batch += [
        {"type": "fact", "id": uid(), "walk": walk, "topic": "Badge scan", "text": f"fact {i}"}
        for i in range(BATCH)
    ]
    with app.app_context():
        result = records.write(db.session.get(User, user_id), batch, atomic=True)
        assert all(r.status in ("created", "updated", "unchanged") for r in result.results)


def _add_photos(app, count: int = 3) -> dict[str, str]:
    store = LocalPhotoStore(files.photo_dir(app))
    keys = [store.put(f"photo {n} ".encode() * 200) for n in range(count)]
    return _files(files.photo_dir(app)) if keys else {}


def _files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): files.sha256(path) for path in files.photo_files(root)
    }


def _summaries(app) -> dict:
    with app.app_context(), db.engine.connect() as conn:
        return digests.table_summaries(conn)


@pytest.fixture
def empty_instance(database_template, tmp_path):
    """A second, freshly set-up instance (its own database, folder and photos)."""
    apps = []
    databases = []

    def make():
        base = tmp_path / f"empty-{len(apps)}"
        base.mkdir()
        if PG_URL:
            name = f"gemba_restore_{uuid.uuid4().hex[:12]}"
            admin = create_engine(database_template, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            databases.append(name)
            uri = make_url(database_template).set(database=name).render_as_string(False)
            app = make_test_app(uri, base, GEMBA_AUTO_MIGRATE=True)
        else:
            shutil.copy(database_template, base / "gemba.db")
            app = make_test_app(f"sqlite:///{base / 'gemba.db'}", base)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if databases:
        admin = create_engine(database_template, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in databases:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_backup_and_restore_give_identical_tables_and_photos(
    app, owner, site_id, empty_instance, tmp_path
):
    for n in range(3):
        _write_batch(app, owner.id, site_id, n)
    photos = _add_photos(app)
    before = _summaries(app)
    target = tmp_path / "snapshot"
    result = _invoke(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["database"]["tables"] == before
    assert manifest["photos"]["count"] == 3

    other = empty_instance()
    result = _invoke(other, "restore", str(target))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert _summaries(other) == before
    assert _files(files.photo_dir(other)) == photos
    with other.app_context():  # and the restored instance works as an app
        assert db.session.scalar(db.select(db.func.count()).select_from(Walk)) == 3
    assert other.test_client().get("/login").status_code == 200


def test_backup_while_the_app_writes_is_a_consistent_snapshot(
    app, owner, site_id, empty_instance, tmp_path, monkeypatch
):
    """Batches are committed before, during and after the snapshot; none is split."""
    _add_photos(app, 2)
    stop = threading.Event()
    written: list[int] = []
    errors = []

    def writer():
        try:
            while not stop.is_set():
                _write_batch(app, owner.id, site_id, len(written))
                written.append(1)
        except Exception as exc:  # noqa: BLE001  (reported by the main thread)
            errors.append(exc)

    def wait_for_more_writes(count: int = 2) -> None:
        goal = len(written) + count
        for _ in range(1000):
            if len(written) >= goal or not thread.is_alive():
                return
            threading.Event().wait(0.01)

    # Make the writer commit while the database snapshot is open (PostgreSQL: while
    # pg_dump reads it) and again after it, while the photos are copied.
    real_run, real_photos = postgres._run, files.copy_photos

    def run_while_writing(*args, **kwargs):
        wait_for_more_writes()
        return real_run(*args, **kwargs)

    def photos_while_writing(*args, **kwargs):
        wait_for_more_writes()
        return real_photos(*args, **kwargs)

    monkeypatch.setattr(postgres, "_run", run_while_writing)
    monkeypatch.setattr(files, "copy_photos", photos_while_writing)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for_more_writes()
        target = tmp_path / "snapshot"
        result = _invoke(app, "backup", str(target))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == []
    assert result.exit_code == 0, result.output

    manifest = json.loads((target / "manifest.json").read_text())
    walks = manifest["database"]["tables"]["walks"]["rows"]
    facts = manifest["database"]["tables"]["facts"]["rows"]
    assert 2 <= walks < len(written)  # later batches are not in this snapshot
    assert facts == walks * BATCH  # and none is there by half

    other = empty_instance()
    assert _invoke(other, "restore", str(target)).exit_code == 0
    assert _summaries(other) == manifest["database"]["tables"]
    with other.app_context():
        per_walk = db.session.execute(
            text("SELECT walk_id, count(*) FROM facts GROUP BY walk_id")
        ).all()
        assert len(per_walk) == walks
        assert {count for _, count in per_walk} == {BATCH}


def test_the_snapshot_is_one_self_contained_file_on_sqlite(app, owner, site_id, tmp_path):
    if PG_URL:
        pytest.skip("SQLite only: PostgreSQL snapshots are pg_dump archives")
    _write_batch(app, owner.id, site_id, 0)
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    assert sorted(p.name for p in target.iterdir()) == ["gemba.db", "manifest.json", "photos"]
    conn = sqlite3.connect(target / "gemba.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_backup_defaults_to_a_dated_folder_in_the_instance(app, owner):
    result = _invoke(app, "backup")
    assert result.exit_code == 0, result.output
    made = list(Path(app.instance_path, "backups").iterdir())
    assert len(made) == 1
    assert made[0].name.startswith("gemba-")
    assert (made[0] / "manifest.json").exists()


def test_backup_refuses_a_folder_that_is_not_empty(app, owner, tmp_path):
    target = tmp_path / "full"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = _invoke(app, "backup", str(target))
    assert result.exit_code == 1
    assert "not an empty folder" in result.output
    assert (target / "keep.txt").read_text() == "mine"


def test_restore_refuses_an_instance_with_data_unless_forced(
    app, owner, site_id, empty_instance, tmp_path
):
    _write_batch(app, owner.id, site_id, 0)
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    other = empty_instance()
    with other.app_context():
        db.session.add(Site(name="Somebody else's plant"))
        db.session.commit()
    result = _invoke(other, "restore", str(target))
    assert result.exit_code == 1
    assert "already holds data" in result.output
    with other.app_context():
        assert db.session.scalar(db.select(Site.name)) == "Somebody else's plant"
    result = _invoke(other, "restore", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert (
        _summaries(other)
        == json.loads((target / "manifest.json").read_text())["database"]["tables"]
    )


def test_restore_refuses_photos_in_the_instance_unless_forced(app, owner, empty_instance, tmp_path):
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    other = empty_instance()
    _add_photos(other, 1)
    result = _invoke(other, "restore", str(target))
    assert result.exit_code == 1
    assert "already holds data or photos" in result.output
    assert _invoke(other, "restore", str(target), "--force").exit_code == 0
    assert _files(files.photo_dir(other)) == {}


def test_a_damaged_backup_is_refused(app, owner, empty_instance, tmp_path):
    _add_photos(app, 1)
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    photo = next(files.photo_files(target / "photos"))
    photo.write_bytes(b"tampered")
    result = _invoke(empty_instance(), "restore", str(target))
    assert result.exit_code == 1
    assert "damaged" in result.output


def test_restore_of_a_folder_that_is_not_a_backup(app, tmp_path):
    result = _invoke(app, "restore", str(tmp_path))
    assert result.exit_code == 1
    assert "is not a Gemba backup" in result.output


def test_restore_refuses_a_backup_of_the_other_database_kind(app, owner, tmp_path):
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["database"]["backend"] = "sqlite" if PG_URL else "postgresql"
    (target / "manifest.json").write_text(json.dumps(manifest))
    result = _invoke(app, "restore", str(target), "--force")
    assert result.exit_code == 1
    assert "the instance uses" in result.output


def test_backup_into_a_folder_that_cannot_be_written(app, owner, tmp_path):
    """Tests run as root, so a read-only folder would not stop them: use a path under a file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _invoke(app, "backup", str(blocker / "backup"))
    assert result.exit_code == 1
    assert "Cannot write the backup" in result.output
    assert "is a file, not a folder" in result.output
    assert "Traceback" not in result.output


def _no_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_during_backup_leaves_no_half_snapshot(
    app, owner, site_id, tmp_path, monkeypatch
):
    _write_batch(app, owner.id, site_id, 0)
    _add_photos(app, 2)
    before = _summaries(app)
    monkeypatch.setattr(files, "copy_file", _disk_full)
    monkeypatch.setattr(files, "write_stream", _disk_full)
    target = tmp_path / "backups" / "snapshot"
    result = _invoke(app, "backup", str(target))
    assert result.exit_code == 1
    assert "the disk is full" in result.output
    assert not target.exists()
    assert _no_leftovers(target.parent) == []
    assert _summaries(app) == before  # the live database was only read


def test_disk_full_while_copying_the_sqlite_database(app, owner, site_id, tmp_path, monkeypatch):
    if PG_URL:
        pytest.skip("SQLite only: the PostgreSQL path reports pg_dump's own error")

    def full_copy(live, copy):
        copy.write_bytes(b"half a database")
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode, exc.sqlite_errorname = sqlite3.SQLITE_FULL, "SQLITE_FULL"
        raise exc

    monkeypatch.setattr(sqlite, "_sqlite_copy", full_copy)
    target = tmp_path / "snapshot"
    result = _invoke(app, "backup", str(target))
    assert result.exit_code == 1
    assert "the disk is full" in result.output
    assert not target.exists()
    assert _no_leftovers(tmp_path) == []


def test_disk_full_during_restore_keeps_the_empty_instance_intact(
    app, owner, site_id, empty_instance, tmp_path, monkeypatch
):
    _write_batch(app, owner.id, site_id, 0)
    _add_photos(app, 2)
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    other = empty_instance()
    empty = _summaries(other)
    real_copy = files.copy_file
    calls = {"n": 0}

    def copy_then_fill_up(source, dest):
        calls["n"] += 1
        if calls["n"] > 1:  # the first photo fits, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_copy(source, dest)

    monkeypatch.setattr(files, "copy_file", copy_then_fill_up)
    result = _invoke(other, "restore", str(target))
    assert result.exit_code == 1
    assert "the disk is full" in result.output
    assert _summaries(other) == empty
    photos = files.photo_dir(other)
    assert _files(photos) == {}
    assert _no_leftovers(photos.parent) == []
    monkeypatch.setattr(files, "copy_file", real_copy)
    assert _invoke(other, "restore", str(target)).exit_code == 0  # once there is room


def test_disk_full_while_staging_the_sqlite_database_on_restore(
    app, owner, site_id, empty_instance, tmp_path, monkeypatch
):
    if PG_URL:
        pytest.skip("SQLite only: pg_restore runs in one transaction on the server")
    _write_batch(app, owner.id, site_id, 0)
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    other = empty_instance()
    live = Path(make_url(other.config["SQLALCHEMY_DATABASE_URI"]).database)
    empty = _summaries(other)
    real_copy = files.copy_file

    def full_on_database(source, dest):
        if Path(dest).parent == live.parent:
            Path(dest).write_bytes(b"half a database")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_copy(source, dest)

    monkeypatch.setattr(files, "copy_file", full_on_database)
    result = _invoke(other, "restore", str(target))
    assert result.exit_code == 1
    assert "the disk is full" in result.output
    assert _summaries(other) == empty
    conn = sqlite3.connect(live)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert _no_leftovers(live.parent) == []
    assert _no_leftovers(files.photo_dir(other).parent) == []


def test_restore_into_an_instance_whose_photo_folder_cannot_be_written(
    app, owner, site_id, tmp_path
):
    _write_batch(app, owner.id, site_id, 0)
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config["GEMBA_PHOTO_DIR"] = str(blocker / "photos")
    app.extensions.pop("gemba.photos.store", None)  # made from the settings of before
    before = _summaries(app)
    result = _invoke(app, "restore", str(target), "--force")
    assert result.exit_code == 1
    assert "Cannot write photos" in result.output
    assert _summaries(app) == before


def test_a_missing_pg_dump_is_named_in_the_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump was not found on the PATH"):
        postgres._pg_command("pg_dump")


def test_table_digests_change_with_any_cell(app, owner, site_id):
    _write_batch(app, owner.id, site_id, 0)
    before = _summaries(app)
    with app.app_context():
        walk = db.session.scalar(db.select(Walk))
        walk.title = walk.title + "!"
        db.session.commit()
    after = _summaries(app)
    assert after["walks"]["rows"] == before["walks"]["rows"]
    assert after["walks"]["sha256"] != before["walks"]["sha256"]
    assert after["facts"] == before["facts"]


def test_the_backup_commands_are_listed(runner):
    result = runner.invoke(args=["--help"])
    assert "backup" in result.output
    assert "restore" in result.output
    assert os.environ.get("GEMBA_INSTANCE_PATH")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.pop("database"), "is incomplete"),
        (lambda m: m["photos"]["files"].update({"../../secret_key": "0" * 64}), "outside it"),
        (lambda m: m.update(format="something/9"), "has format"),
    ],
)
def test_a_forged_or_incomplete_manifest_is_refused(app, owner, tmp_path, change, message):
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    manifest = json.loads((target / "manifest.json").read_text())
    change(manifest)
    (target / "manifest.json").write_text(json.dumps(manifest))
    result = _invoke(app, "restore", str(target), "--force")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_backup_taken_while_photos_are_deleted_restores_every_photo_it_lists(
    app, owner, site_id, empty_instance, tmp_path, monkeypatch
):
    """Deletes land between the database snapshot and the copy of the photo files (the
    worst moment): the restored instance still serves every photo its rows list, and the
    deleted ones can still be restored there."""
    from gemba.photos import service as photo_service
    from tests.photos.conftest import photo_bytes

    walk, facts = uid(), [uid() for _ in range(12)]
    batch = [{"type": "walk", "id": walk, "site": site_id, "title": "Photos"}]
    batch += [{"type": "fact", "id": f, "walk": walk, "text": f"fact {f[:4]}"} for f in facts]
    with app.app_context():
        actor = db.session.get(User, owner.id)
        records.write(actor, batch, atomic=True)
        for n, fact in enumerate(facts):
            image = photo_bytes((n * 20, 100, 200 - n * 10))
            photo_service.save_photo(actor, uuid.uuid4(), image, uuid.UUID(fact))

    def delete_half() -> None:
        with app.app_context():
            actor = db.session.get(User, owner.id)
            for fact in facts[::2]:
                records.delete(actor, "fact", uuid.UUID(fact))

    real_copy = files.copy_photos

    def copy_after_deletes(*args, **kwargs):
        worker = threading.Thread(target=delete_half)
        worker.start()
        worker.join(60)
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(files, "copy_photos", copy_after_deletes)
    target = tmp_path / "snapshot"
    result = _invoke(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    monkeypatch.undo()

    other = empty_instance()
    result = _invoke(other, "restore", str(target))
    assert result.exit_code == 0, result.output
    client = other.test_client()
    client.post("/login", data={"email": owner.email, "password": PASSWORD})
    with other.app_context():
        photo_ids = db.session.scalars(db.select(Photo.id)).all()
        kept = db.session.scalars(db.select(DeletedRecord.id)).all()
    assert len(photo_ids) == len(facts)  # the snapshot was taken before the deletes
    for photo_id in photo_ids:
        for size in ("thumb", "display"):
            assert client.get(f"/photos/{photo_id}/{size}").status_code == 200
    assert kept == []


def test_restore_refuses_a_backup_missing_a_photo_its_rows_name(
    app, owner, empty_instance, tmp_path
):
    target = tmp_path / "snapshot"
    assert _invoke(app, "backup", str(target)).exit_code == 0
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["photos"]["referenced"] = ["ab" * 32]
    manifest_path.write_text(json.dumps(manifest))
    result = _invoke(empty_instance(), "restore", str(target))
    assert result.exit_code != 0
    assert "lacks 1 photo files" in result.output
    assert "ab" * 32 in result.output
