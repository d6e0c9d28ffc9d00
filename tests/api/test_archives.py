"""Exports with photos: a zip of the document and its photo files, and back in."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from gemba.extensions import db
from gemba.interchange import archives, exports, imports
from gemba.interchange.imports import DocumentInvalid
from gemba.models import Photo, User, Walk
from gemba.photos import service as photos
from tests.api.test_roundtrip import one_of_each, wipe, write
from tests.conftest import uid


def jpeg(colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def walk_with_photos(app, make_user):
    """One of each record, a photo on the place and one on the first fact."""
    admin = make_user("admin")
    batch = one_of_each()
    write(app, admin, batch)
    place = next(r["id"] for r in batch if r["type"] == "place")
    fact = next(r["id"] for r in batch if r["type"] == "fact")
    shots = {uid(): place, uid(): fact}
    with app.app_context():
        actor = db.session.get(User, admin.id)
        for number, (photo_id, record) in enumerate(shots.items()):
            photos.save_photo(
                actor, uuid.UUID(photo_id), jpeg((40 * number, 90, 200)), uuid.UUID(record)
            )
    walk = next(r["id"] for r in batch if r["type"] == "walk")
    return admin, walk, shots


def walk_archive(app, walk: str) -> bytes:
    with app.app_context():
        return archives.archive(exports.walk_export(db.session.get(Walk, uuid.UUID(walk))))


def import_bytes(app, user: User, data: bytes) -> archives.Imported:
    with app.app_context():
        return archives.import_file(db.session.get(User, user.id), data)


def attached(app) -> dict[str, str]:
    with app.app_context():
        return {str(p.id): str(p.record_id) for p in db.session.scalars(db.select(Photo))}


def test_an_archive_holds_the_document_a_listing_and_the_photos(app, api_as, walk_with_photos):
    admin, walk, shots = walk_with_photos
    api = api_as(user=admin)
    response = api.get(f"/walks/{walk}/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].endswith(f'gemba-walk-{walk}.zip"')
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as zf:
        assert zf.read("gemba.json") == api.get(f"/walks/{walk}/export").get_data()
        listing = json.loads(zf.read("photos.json"))["photos"]
        assert {p["id"]: p["record"] for p in listing} == shots
        for entry in listing:
            Image.open(io.BytesIO(zf.read(entry["file"]))).verify()


def test_a_site_archive_is_offered_too(api_as, walk_with_photos):
    admin, walk, _ = walk_with_photos
    api = api_as(user=admin)
    site = api.get(f"/walks/{walk}").get_json()["records"][0]["id"]
    response = api.get(f"/sites/{site}/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert api.get(f"/sites/{uuid.uuid4()}/export.zip").status_code == 404


def test_an_archive_carries_the_blurred_copy_never_a_kept_original(app, make_user):
    admin = make_user("admin")
    batch = one_of_each()
    write(app, admin, batch)
    with app.app_context():
        db.session.get(Walk, uuid.UUID(batch[2]["id"])).site.keep_originals = True
        db.session.commit()
        actor = db.session.get(User, admin.id)
        photo, _ = photos.save_photo(actor, uuid.uuid4(), jpeg(), uuid.UUID(batch[3]["id"]))
        original, display = photo.original_key, photo.display_key
    assert original is not None
    with zipfile.ZipFile(io.BytesIO(walk_archive(app, batch[2]["id"]))) as zf:
        carried = [zf.read(n) for n in zf.namelist() if n.startswith("photos/")]
    assert [hashlib.sha256(data).hexdigest() for data in carried] == [display]


def test_an_archive_imported_into_an_empty_instance_keeps_photos_on_their_records(
    app, walk_with_photos
):
    admin, walk, shots = walk_with_photos
    first = walk_archive(app, walk)
    wipe(app)
    imported = import_bytes(app, admin, first)
    assert [p.status for p in imported.photos] == ["created", "created"]
    assert attached(app) == shots
    again = zipfile.ZipFile(io.BytesIO(walk_archive(app, walk)))
    before = zipfile.ZipFile(io.BytesIO(first))
    with again, before:
        assert again.read("gemba.json") == before.read("gemba.json")
        assert again.read("photos.json") == before.read("photos.json")
    second = import_bytes(app, admin, first)
    assert {p.status for p in second.photos} == {"unchanged"}
    assert "2 photos: 0 created, 2 unchanged." in second.describe()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_a_bad_photo_entry_refuses_the_whole_import_with_every_reason(app, make_user):
    admin = make_user("admin")
    batch = one_of_each()
    fact = batch[7]["id"]
    listing = {
        "photos": [
            {"id": uid(), "record": fact, "file": "photos/a.jpg"},
            {"id": uid(), "record": fact, "file": "photos/missing.jpg"},
            {"id": "nope", "record": fact, "file": "photos/a.jpg"},
            {"id": uid(), "record": uid(), "file": "photos/a.jpg"},
            {"id": uid(), "record": fact, "file": "photos/not-an-image.jpg"},
            "not an entry",
        ]
    }
    data = _zip(
        {
            "gemba.json": json.dumps({"format": "gemba/v1", "records": batch}).encode(),
            "photos.json": json.dumps(listing).encode(),
            "photos/a.jpg": jpeg(),
            "photos/not-an-image.jpg": b"plain text",
        }
    )
    with pytest.raises(DocumentInvalid) as refused:
        import_bytes(app, admin, data)
    assert refused.value.detail == "5 photos were refused, so nothing was imported."
    assert [e.field for e in refused.value.errors] == [f"photos.{n}" for n in range(1, 6)]
    assert "not a photo" in refused.value.errors[3].message
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Walk)) == 0
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


@pytest.mark.parametrize(
    ("members", "status"),
    [
        ({"photos.json": b'{"photos": []}'}, 422),
        ({"gemba.json": b"{oops"}, 400),
        ({"gemba.json": b'{"format": "gemba/v1", "records": []}', "photos.json": b"[]"}, 422),
    ],
)
def test_a_bad_archive_is_refused_whole(app, make_user, members, status):
    admin = make_user("admin")
    with pytest.raises(imports.DocumentInvalid) as refused:
        import_bytes(app, admin, _zip(members))
    assert refused.value.status == status


def test_a_truncated_zip_is_refused(app, make_user):
    admin = make_user("admin")
    data = _zip({"gemba.json": b'{"format": "gemba/v1", "records": []}'})
    with pytest.raises(imports.DocumentInvalid) as refused:
        import_bytes(app, admin, data[: len(data) // 2])
    assert refused.value.status == 400


def test_the_cli_exports_and_imports_an_archive(app, runner, walk_with_photos, tmp_path):
    admin, walk, shots = walk_with_photos
    out = tmp_path / "walk.zip"
    result = runner.invoke(args=["export", "--walk", walk, "--photos", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wipe(app)
    imported = runner.invoke(args=["import", str(out), "--as", admin.email])
    assert imported.exit_code == 0, imported.output
    assert "2 photos: 2 created, 0 unchanged." in imported.output
    assert attached(app) == shots


def test_the_import_page_takes_an_archive(app, login_as, walk_with_photos):
    admin, walk, _ = walk_with_photos
    data = walk_archive(app, walk)
    wipe(app)
    client, _ = login_as(user=admin)
    page = client.post(
        "/manage/import",
        data={"file": (io.BytesIO(data), "walk.zip")},
        content_type="multipart/form-data",
    )
    assert "2 photos: 2 created" in page.get_data(as_text=True)


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        walks = db.session.scalar(select(func.count()).select_from(Walk))
        photo_rows = db.session.scalar(select(func.count()).select_from(Photo))
        return walks, photo_rows


def test_a_zip_bomb_is_refused_by_its_declared_size_before_a_byte_is_read(
    app, make_user, monkeypatch
):
    admin = make_user("admin")
    app.config["GEMBA_IMPORT_MAX_BYTES"] = 8 << 20
    batch = one_of_each()
    fact = batch[7]["id"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("gemba.json", json.dumps({"format": "gemba/v1", "records": batch}))
        listing = [{"id": uid(), "record": fact, "file": f"photos/{n}.jpg"} for n in range(12)]
        zf.writestr("photos.json", json.dumps({"photos": listing}))
        for n in range(12):
            zf.writestr(f"photos/{n}.jpg", b"\0" * (1 << 20))  # 12 MB of zeros, deflated
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: opened.append(a) or 1 / 0)
    with pytest.raises(DocumentInvalid) as refused:
        import_bytes(app, admin, buffer.getvalue())
    assert refused.value.status == 413
    assert "the limit is 8 MB (GEMBA_IMPORT_MAX_BYTES)" in refused.value.detail
    assert opened == []
    assert _counts(app) == (0, 0)


def test_a_photo_refused_while_writing_leaves_no_record_behind(app, make_user):
    admin = make_user("admin")
    batch = one_of_each()
    fact = batch[7]["id"]
    truncated = jpeg()[:200]  # a JPEG's start: it passes the sniff, fails the decode
    listing = {
        "photos": [
            {"id": uid(), "record": fact, "file": "photos/good.jpg"},
            {"id": uid(), "record": fact, "file": "photos/cut.jpg"},
        ]
    }
    data = _zip(
        {
            "gemba.json": json.dumps({"format": "gemba/v1", "records": batch}).encode(),
            "photos.json": json.dumps(listing).encode(),
            "photos/good.jpg": jpeg(),
            "photos/cut.jpg": truncated,
        }
    )
    with pytest.raises(DocumentInvalid) as refused:
        import_bytes(app, admin, data)
    assert "was refused, so nothing was imported" in refused.value.detail
    assert _counts(app) == (0, 0)
    stored = [p for p in Path(app.config["GEMBA_PHOTO_DIR"]).rglob("*") if p.is_file()]
    assert stored == []  # the good photo's files went with the rollback


def test_a_refused_record_in_an_archive_refuses_it_all(app, make_user):
    observer = make_user("observer")
    batch = one_of_each()  # holds a site, which only analysts may add
    data = _zip({"gemba.json": json.dumps({"format": "gemba/v1", "records": batch}).encode()})
    with pytest.raises(DocumentInvalid) as refused:
        import_bytes(app, observer, data)
    assert refused.value.detail.endswith("records were refused, so nothing was imported.")
    assert any("Only analysts" in e.message for e in refused.value.errors)
    assert _counts(app) == (0, 0)
