"""No room to write: a photo folder that cannot be written, a database that is full.

The answer is a problem document that says what went wrong, nothing is half-saved, the
database stays whole, and the same request succeeds once there is room again. (Backups
on a full disk are tested in tests/security/test_backup.py; a full disk under a capture
form in tests/security/test_database_settings.py.)
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, text

from gemba.extensions import db
from gemba.models import Fact, Photo
from tests.conftest import PG_URL, uid
from tests.faults.conftest import assert_store_consistent, stored_files

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's page limit stands in for a disk")


def photo() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((640, 480), 40).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def put(app, floor, photo_id: str, data: bytes):
    return app.test_client().put(
        f"/api/v1/photos/{photo_id}",
        data={"file": (io.BytesIO(data), "photo.jpg"), "record": floor.facts[0]},
        headers={"Authorization": f"Bearer {floor.token}"},
        content_type="multipart/form-data",
    )


def sync(app, floor, batch: list[dict]):
    return app.test_client().post(
        "/api/v1/sync",
        json={"format": "gemba/v1", "records": batch},
        headers={"Authorization": f"Bearer {floor.token}"},
    )


def use_photo_dir(app, folder: Path) -> None:
    app.config["GEMBA_PHOTO_DIR"] = str(folder)
    app.extensions.pop("gemba.photos.store", None)  # the store is made once per app


def count(app, model, ids: list[str] | None = None) -> int:
    with app.app_context():
        query = db.select(db.func.count()).select_from(model)
        if ids is not None:
            query = query.where(model.id.in_([uuid.UUID(i) for i in ids]))
        n = db.session.scalar(query)
        db.session.remove()
        return n


def test_a_photo_folder_that_cannot_be_written_is_a_clear_503_and_saves_nothing(
    app, floor, tmp_path
):
    """As root a read-only mode stops nothing, so the folder sits under a plain file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the photo folder should be")
    use_photo_dir(app, blocker / "photos")
    photo_id, data = uid(), photo()

    response = put(app, floor, photo_id, data)

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "could not be stored" in response.get_json()["detail"]
    assert response.headers["Retry-After"]
    assert count(app, Photo) == 0
    assert blocker.read_text().startswith("a file")

    use_photo_dir(app, tmp_path / "photos-again")
    response = put(app, floor, photo_id, data)
    assert response.status_code == 201
    assert put(app, floor, photo_id, data).get_json()["status"] == "unchanged"
    assert count(app, Photo, [photo_id]) == 1
    assert_store_consistent(app, tmp_path / "photos-again")
    assert stored_files(tmp_path / "photos-again")[1] == []


@pytest.fixture
def full_database(app, floor):
    """Cap the SQLite file at its current size, as a full disk would; lift it afterwards."""
    with app.app_context():
        pages = db.session.execute(text("PRAGMA page_count")).scalar()
        engine = db.engine
        db.session.remove()
        engine.dispose()

    def cap(dbapi_connection, record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(engine, "connect", cap)

    def lift() -> None:
        if event.contains(engine, "connect", cap):
            event.remove(engine, "connect", cap)
        with app.app_context():
            db.session.remove()
        engine.dispose()

    yield lift
    lift()


def bulky_batch(walk: str) -> list[dict]:
    """Facts on new topics with long notes: more than the free pages of the file hold."""
    return [
        {"type": "fact", "id": uid(), "walk": walk, "topic": f"Topic {n}", "text": "x" * 3000}
        for n in range(20)
    ]


def _integrity(app) -> str:
    with app.app_context():
        result = db.session.execute(text("PRAGMA integrity_check")).scalar()
        db.session.remove()
        return result


@sqlite_only
def test_a_full_database_saves_nothing_of_a_sync_batch_and_the_retry_writes_it_once(
    app, floor, full_database
):
    batch = bulky_batch(floor.walk)
    ids = [record["id"] for record in batch]
    before = count(app, Fact)

    response = sync(app, floor, batch)

    assert response.status_code >= 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]
    assert count(app, Fact) == before
    assert _integrity(app) == "ok"

    full_database()  # room again
    response = sync(app, floor, batch)
    assert response.status_code == 200
    assert {r["status"] for r in response.get_json()["results"]} == {"created"}
    assert count(app, Fact, ids) == len(batch)
    assert count(app, Fact) == before + len(batch)


@sqlite_only
def test_a_full_database_tells_the_api_client_that_the_server_is_out_of_space(
    app, floor, full_database
):
    response = sync(app, floor, bulky_batch(floor.walk))

    assert response.status_code in (503, 507)
    assert "full" in response.get_json()["detail"] or "space" in response.get_json()["detail"]
