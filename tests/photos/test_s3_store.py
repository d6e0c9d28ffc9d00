"""The S3 photo store against a real S3 API (moto's server on loopback): what only an
object store has to show. The rest of tests/photos runs on both stores."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest

from gemba.extensions import db
from gemba.interchange import archives, exports
from gemba.models import User, Walk
from gemba.photos.s3_store import S3PhotoStore
from gemba.photos.store import LocalPhotoStore
from tests import s3_server
from tests.api.test_roundtrip import wipe
from tests.conftest import login, make_test_app
from tests.photos.conftest import photo_bytes

# Big enough that the thumbnail and the display copy differ: two objects a photo.
BIG = photo_bytes(size=(900, 600))


@pytest.fixture
def photo_store() -> str:
    return "s3"


def test_the_settings_make_a_private_store_in_the_named_bucket_and_prefix(world):
    store = world.store()

    assert isinstance(store, S3PhotoStore)
    key = store.put(b"one photo's bytes")
    bucket = world.app.config["GEMBA_S3_BUCKET"]
    assert s3_server.object_keys(bucket) == [f"photos/{key}"]
    assert store.put(b"one photo's bytes") == key  # stored once
    assert [item.key for item in store.objects()] == [key]


def test_objects_outside_the_prefix_or_not_named_by_a_key_are_not_photos(world):
    bucket = world.app.config["GEMBA_S3_BUCKET"]
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key="elsewhere/" + "a" * 64, Body=b"not ours")
    client.put_object(Bucket=bucket, Key="photos/readme.txt", Body=b"not a photo")

    assert list(world.store().objects()) == []
    result = world.app.test_cli_runner().invoke(args=["photos", "sweep", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    assert len(s3_server.object_keys(bucket)) == 2  # the sweep leaves them alone


def test_an_upload_the_store_cut_short_leaves_no_object_and_no_row(world, monkeypatch):
    store = world.store()
    real_put = store.client.put_object

    def cut_short(**params):
        params["Body"] = params["Body"][: len(params["Body"]) // 2]
        return real_put(**params)

    monkeypatch.setattr(store.client, "put_object", cut_short)
    response = world.put(photo_bytes(size=(300, 200)), world.ids["fact"])

    assert response.status_code == 503
    assert "could not be stored" in response.get_json()["detail"]
    assert world.photo_count() == 0
    assert world.stored_files() == set()


def test_a_store_out_of_reach_refuses_the_upload_and_the_copy_with_503(world, upload, monkeypatch):
    photo_id = upload()
    dead = S3PhotoStore(
        _client_on("http://127.0.0.1:9"), world.app.config["GEMBA_S3_BUCKET"], "photos/"
    )
    monkeypatch.setitem(world.app.extensions, "gemba.photos.store", dead)

    assert world.put(photo_bytes((9, 9, 9)), world.ids["thing"]).status_code == 503
    assert world.photo_count() == 1
    assert world.client.get(f"/photos/{photo_id}/display").status_code == 503
    api = world.app.test_client().get(f"/api/v1/photos/{photo_id}/thumb", headers=world.auth)
    assert api.status_code == 503
    assert api.mimetype == "application/problem+json"


def test_presigned_urls_send_a_logged_in_reader_to_the_store_briefly(world, upload):
    photo_id = upload()
    world.app.config["GEMBA_S3_PRESIGNED_URLS"] = True
    world.app.config["GEMBA_S3_URL_SECONDS"] = 120

    response = world.client.get(f"/photos/{photo_id}/display")

    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, no-store"
    url = response.headers["Location"]
    endpoint = world.app.config["GEMBA_S3_ENDPOINT_URL"]
    assert url.startswith(endpoint)
    assert "X-Amz-Expires=120" in url
    with urllib.request.urlopen(url) as answer:  # noqa: S310 - the test server
        assert answer.read()[:2] == b"\xff\xd8"
        assert answer.headers["Content-Type"] == "image/jpeg"
    anonymous = world.app.test_client().get(f"/photos/{photo_id}/display")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    unsigned = endpoint + urlsplit(url).path
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(unsigned)  # noqa: S310


def test_with_presigned_urls_the_pages_allow_images_from_the_store(database_uri, tmp_path):
    settings = s3_server.settings(s3_server.new_bucket()) | {"GEMBA_S3_PRESIGNED_URLS": True}
    app = make_test_app(database_uri, tmp_path, **settings)

    policy = app.test_client().get("/login").headers["Content-Security-Policy"]

    origin = settings["GEMBA_S3_ENDPOINT_URL"]
    assert f"img-src 'self' data: blob: {origin};" in policy
    assert f"connect-src 'self' {origin};" in policy
    assert "script-src 'self';" in policy


def test_photos_move_to_the_other_store_and_back_checked_and_resumable(world, upload):
    photo_ids = [upload(data=photo_bytes((n * 40, 10, 10), size=(900, 600))) for n in range(3)]
    runner = world.app.test_cli_runner()
    local = LocalPhotoStore(world.photo_dir())

    first = runner.invoke(args=["photos", "migrate", "--to", "local"])
    assert first.exit_code == 0, first.output
    assert "6 copied, 0 already there, 0 missing, 0 failed" in first.output
    assert {item.key for item in local.objects()} == world.stored_files()
    again = runner.invoke(args=["photos", "migrate", "--to", "local"])
    assert "0 copied, 6 already there" in again.output

    # The bucket loses one object; the local copy brings it back the other way.
    lost = world.photo(photo_ids[0]).display_key
    world.store().delete(lost)
    world.app.config["GEMBA_PHOTO_STORE"] = "local"
    world.app.extensions.pop("gemba.photos.store")
    back = runner.invoke(args=["photos", "migrate", "--to", "s3"])
    assert back.exit_code == 0, back.output
    assert "1 copied, 5 already there" in back.output
    for photo_id in photo_ids:
        assert world.client.get(f"/photos/{photo_id}/display").status_code == 200


def test_a_damaged_source_copy_is_not_spread_and_the_run_fails(world, upload):
    photo = world.photo(upload(data=BIG))
    runner = world.app.test_cli_runner()
    assert runner.invoke(args=["photos", "migrate", "--to", "s3"]).exit_code != 0  # no move
    assert runner.invoke(args=["photos", "migrate", "--to", "local"]).exit_code == 0
    world.store().delete(photo.thumb_key)
    thumb = world.photo_dir() / photo.thumb_key[:2] / photo.thumb_key[2:4] / photo.thumb_key
    thumb.write_bytes(b"not the thumbnail any more")
    world.app.config["GEMBA_PHOTO_STORE"] = "local"
    world.app.extensions.pop("gemba.photos.store")

    result = runner.invoke(args=["photos", "migrate", "--to", "s3", "--quiet"])

    assert result.exit_code == 1
    assert "0 copied, 1 already there, 0 missing, 1 failed" in result.output
    assert photo.thumb_key not in {k.rsplit("/", 1)[-1] for k in _bucket_keys(world)}


def _bucket_keys(world) -> list[str]:
    return s3_server.object_keys(world.app.config["GEMBA_S3_BUCKET"])


def test_backup_and_restore_with_the_bucket(world, upload, tmp_path, database_uri):
    photo_id = upload(data=BIG)
    snapshot = tmp_path / "snapshot"
    made = world.app.test_cli_runner().invoke(args=["backup", str(snapshot)])
    assert made.exit_code == 0, made.output
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert manifest["photos"]["count"] == 2

    fresh = s3_server.new_bucket()
    other = make_test_app(database_uri, tmp_path / "other", **s3_server.settings(fresh))
    restored = other.test_cli_runner().invoke(args=["restore", "--force", str(snapshot)])

    assert restored.exit_code == 0, restored.output
    assert len(s3_server.object_keys(fresh)) == 2
    client = login(other.test_client(), world.owner)
    assert client.get(f"/photos/{photo_id}/display").status_code == 200


def test_an_archive_carries_bucket_photos_into_another_bucket(world, upload, make_user):
    photo_id = upload(data=BIG)
    with world.app.app_context():
        data = archives.archive(exports.walk_export(db.session.get(Walk, uuid.UUID(world.walk))))

    wipe(world.app)
    world.app.config["GEMBA_S3_BUCKET"] = s3_server.new_bucket()
    world.app.extensions.pop("gemba.photos.store")
    admin = make_user("admin")
    with world.app.app_context():
        archives.import_file(db.session.get(User, admin.id), data)

    assert len(s3_server.object_keys(world.app.config["GEMBA_S3_BUCKET"])) == 2
    assert world.client.get(f"/photos/{photo_id}/display").status_code == 200


def _client_on(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(connect_timeout=1, retries={"max_attempts": 1}),
    )
