"""The sync ledger: a rejected record is fixed and sent again; the queue exports as a file
that `flask import` accepts, with its photos in a zip."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from PIL import Image
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Fact, Place, Site, Walk
from tests.offline.conftest import log_in, wait_for_worker
from tests.offline.test_offline_capture import (
    add,
    camera_photo,
    queue,
    start_walk,
    stored_ids,
    wait_until,
)

pytestmark = pytest.mark.browser


def open_app(page, server, user):
    log_in(page, server.url, user.email)
    wait_for_worker(page)
    page.reload()
    page.wait_for_selector("main[data-ready='/app']")


def test_a_rejected_walk_is_edited_and_sent_again_with_what_hangs_off_it(
    server, make_user, make_site, phone_context
):
    user = make_user("observer", email="walker@example.com")
    make_site("Plant 1")
    doomed = make_site("Plant 2")
    page = phone_context.new_page()
    open_app(page, server, user)
    phone_context.set_offline(True)
    page.click("text=+ Start a walk")
    page.select_option("select[name=site]", doomed)
    page.fill("input[name=title]", "Dock check")
    page.click("text=Save walk")
    page.wait_for_selector(".actionbar")
    walk_path = "/app/walks/" + page.url.rsplit("/", 1)[1]
    add(page, walk_path, "place", {"name": "Dock 1"})
    with server.app.app_context():  # the site is removed while the phone is offline
        db.session.delete(db.session.get(Site, uuid.UUID(doomed)))
        db.session.commit()
        db.session.remove()

    phone_context.set_offline(False)
    assert wait_until(lambda: {q["state"] for q in queue(page, user)} == {"rejected"})
    page.goto(server.url + "/app/ledger")
    page.wait_for_selector(".ledger-item.state-rejected")
    ledger = page.locator("main").inner_text()
    assert "Unknown site." in ledger
    assert "Refers to a record that was rejected." in ledger

    page.click(".ledger-item:has-text('Dock check') >> text=Edit")
    page.wait_for_selector("form[data-kind=walk]")
    assert "The server refused it: Unknown site." in page.locator("main").inner_text()
    page.select_option("select[name=site]", label="Plant 1")
    page.click("form button[type=submit]")
    assert wait_until(lambda: queue(page, user) == [])
    assert len(stored_ids(server.app, Walk)) == 1
    assert len(stored_ids(server.app, Place)) == 1


def test_export_queue_gives_a_file_flask_import_accepts_and_a_photo_zip(
    server, make_user, make_site, phone_context, tmp_path
):
    user = make_user("observer", email="walker@example.com")
    make_site("Plant 2")
    page = phone_context.new_page()
    open_app(page, server, user)
    phone_context.set_offline(True)
    walk_path = start_walk(page, "Export me")
    add(page, walk_path, "place", {"name": "Gate 2"}, photo=camera_photo(tmp_path, "gate.jpg"))
    add(page, walk_path, "fact", {"text": "Door propped open"}, ["Not done"])
    page.click("nav >> text=Sync")
    page.wait_for_selector("main[data-ready='/app/ledger']")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("#export-queue")
    for _ in range(100):  # Playwright delivers events only while it is called
        if len(downloads) == 2:
            break
        page.wait_for_timeout(100)
    files = {}
    for download in downloads:
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        files[path.suffix] = path
    assert set(files) == {".json", ".zip"}

    document = json.loads(files[".json"].read_text())
    assert document["format"] == "gemba/v1"
    assert sorted(r["type"] for r in document["records"]) == ["fact", "place", "walk"]
    with zipfile.ZipFile(files[".zip"]) as archive:
        assert archive.testzip() is None
        index = json.loads(archive.read("photos.json"))
        (photo,) = index["photos"]
        place_id = next(r["id"] for r in document["records"] if r["type"] == "place")
        assert photo["record"] == place_id
        with Image.open(io.BytesIO(archive.read(photo["file"]))) as image:
            assert image.format == "JPEG"
            assert max(image.size) == 2048
            assert not image.getexif()  # the camera's metadata stayed off the phone's copy

    result = server.app.test_cli_runner().invoke(
        args=["import", str(files[".json"]), "--as", user.email]
    )
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    with server.app.app_context():
        assert db.session.scalar(select(Fact.text)) == "Door propped open"
        db.session.remove()
