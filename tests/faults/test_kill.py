"""SIGKILL the server in the middle of a photo upload and of a sync batch, start it again:
no half file is served, no orphan row exists, and the client's retry completes the work
once (each UUID stored once)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import random
import re
import socket
import sqlite3
import time
import uuid

import psycopg
import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.engine import make_url

from gemba.extensions import db
from gemba.models import Fact, Gap, Photo, Statement, User
from tests.conftest import PG_URL, login, uid
from tests.faults.conftest import assert_store_consistent, multipart, stored_files

BATCH = 600  # facts in the killed sync batch: the server needs a good part of a second


def jpeg(seed: int = 1) -> bytes:
    """A real photo with some texture, larger than a thumbnail (so its two copies differ)."""
    image = Image.effect_noise((640, 480), 30 + seed).convert("RGB")
    image.paste((random.Random(seed).randrange(256), 90, 30), (0, 0, 320, 240))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def put_head(photo_id: str, token: str, boundary: str, length: int) -> bytes:
    return (
        f"PUT /api/v1/photos/{photo_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def no_answer_yet(sock: socket.socket) -> bool:
    """True while the server has sent nothing back on this connection."""
    timeout = sock.gettimeout()
    sock.settimeout(0)
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    finally:
        sock.settimeout(timeout)
    return False


def answer_after_kill(sock: socket.socket) -> bytes:
    """What the client receives once the server is dead: nothing, or a reset."""
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


def photos_with_id(app, photo_id: str) -> int:
    with app.app_context():
        count = db.session.scalar(
            db.select(db.func.count()).select_from(Photo).where(Photo.id == uuid.UUID(photo_id))
        )
        db.session.remove()
        return count


def served(app, floor, photo_id: str, variant: str):
    """The response a logged-in browser gets for a photo copy (served from the same store)."""
    with app.app_context():
        user = db.session.get(User, floor.user_id)
        db.session.expunge(user)
    client = login(app.test_client(), user)
    return client.get(f"/photos/{photo_id}/{variant}")


def assert_served_whole(app, floor, photo_id: str) -> None:
    with app.app_context():
        photo = db.session.get(Photo, uuid.UUID(photo_id))
        keys = {"display": photo.display_key, "thumb": photo.thumb_key}
        db.session.remove()
    for variant, key in keys.items():
        response = served(app, floor, photo_id, variant)
        assert response.status_code == 200
        assert hashlib.sha256(response.get_data()).hexdigest() == key


def assert_database_intact(app) -> None:
    """SQLite's own checks: the file is whole and no row points at a missing parent."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        db.session.remove()


# -- photos ----------------------------------------------------------------------------------


def test_an_upload_cut_off_by_a_killed_server_leaves_nothing_and_the_retry_stores_it_once(
    app, floor, live
):
    live.start()
    photo_id, data = uid(), jpeg()
    boundary, body = multipart(data, floor.facts[0])
    with live.connect() as sock:
        sock.sendall(put_head(photo_id, floor.token, boundary, len(body)))
        half = body[: len(body) // 2]
        for start in range(0, len(half), 2048):  # a phone on a poor network
            sock.sendall(half[start : start + 2048])
            time.sleep(0.005)
        time.sleep(0.3)  # the worker is now waiting for the rest of the body
        assert no_answer_yet(sock)
        live.kill()
        assert answer_after_kill(sock) == b""

    live.start()
    status, _, _ = live.request("GET", f"/api/v1/photos/{photo_id}")
    assert status == 404
    assert served(app, floor, photo_id, "display").status_code == 404
    assert photos_with_id(app, photo_id) == 0
    assert stored_files(floor.photos) == ({}, [])  # the body never arrived: nothing stored

    status, answer = live.put_photo(photo_id, data, floor.facts[0])
    assert (status, answer["status"]) == (201, "created")
    status, answer = live.put_photo(photo_id, data, floor.facts[0])
    assert (status, answer["status"]) == (200, "unchanged")
    assert photos_with_id(app, photo_id) == 1
    assert_served_whole(app, floor, photo_id)
    assert_store_consistent(app, floor.photos)
    assert_database_intact(app)


def test_a_server_killed_halfway_through_a_photo_file_serves_no_half_file(
    app, floor, live, tmp_path
):
    """The store stops inside its second file (the thumbnail), the display copy stored."""
    marker = tmp_path / "paused"
    live.start(
        GEMBA_PHOTO_STORE="tests.faults.hooks:pausing_store",
        GEMBA_FAULT_PAUSE_FILE=str(marker),
    )
    photo_id, data = uid(), jpeg(2)
    boundary, body = multipart(data, floor.facts[1])
    with live.connect() as sock:
        sock.sendall(put_head(photo_id, floor.token, boundary, len(body)) + body)
        wait_for(marker.exists, 20, "the store to pause inside a file")
        live.kill()
        assert answer_after_kill(sock) == b""

    files, temps = stored_files(floor.photos)
    assert len(files) == 1  # the display copy, complete, which no row refers to
    assert len(temps) == 1  # half a thumbnail, under a temporary name
    assert temps[0].name.startswith("." + marker.read_text()[:12])

    live.start()
    assert live.request("GET", f"/api/v1/photos/{photo_id}")[0] == 404
    for variant in ("display", "thumb"):
        assert served(app, floor, photo_id, variant).status_code == 404
    assert photos_with_id(app, photo_id) == 0
    assert_store_consistent(app, floor.photos)

    status, answer = live.put_photo(photo_id, data, floor.facts[1])
    assert (status, answer["status"]) == (201, "created")
    assert photos_with_id(app, photo_id) == 1
    assert_served_whole(app, floor, photo_id)
    assert_store_consistent(app, floor.photos)

    result = app.test_cli_runner().invoke(args=["photos", "sweep", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    files, temps = stored_files(floor.photos)
    assert temps == []
    assert len(files) == 2
    assert_served_whole(app, floor, photo_id)
    assert_database_intact(app)


# -- a sync batch ----------------------------------------------------------------------------


def big_batch(walk: str) -> list[dict]:
    """A claim and BATCH facts that contradict it, on one topic: one transaction's work."""
    statement = {
        "type": "statement",
        "id": uid(),
        "walk": walk,
        "topic": "Badge scan at entry",
        "speaker": "Shift lead",
        "text": "We always scan our badges.",
        "claim": {"frequency": "always"},
    }
    facts = [
        {
            "type": "fact",
            "id": uid(),
            "walk": walk,
            "topic": "Badge scan at entry",
            "text": f"Walked in without scanning ({n})",
            "performed": False,
        }
        for n in range(BATCH)
    ]
    return [statement, *facts]


@contextlib.contextmanager
def gaps_held(uri: str):
    """On PostgreSQL, hold the gaps table so the batch waits after its facts are flushed.

    A PostgreSQL server writes the batch fast enough to commit between two probes; with
    the table held, the kill lands inside the transaction every time. SQLite's single
    writer needs no help: the batch itself takes a good part of a second."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        yield
        return
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as conn:
        conn.execute("LOCK TABLE gaps IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback()


def writer_in_transaction(uri: str):
    """A probe: is some connection inside a write transaction it has not committed?"""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":

        def sqlite_probe() -> bool:
            conn = sqlite3.connect(url.database, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                return True
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                conn.close()
            return False

        return sqlite_probe

    def postgres_probe() -> bool:
        with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as conn:
            return bool(
                conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                ).fetchone()[0]
            )

    return postgres_probe


def count_ids(app, model, ids: list[str]) -> int:
    with app.app_context():
        count = db.session.scalar(
            db.select(db.func.count())
            .select_from(model)
            .where(model.id.in_([uuid.UUID(i) for i in ids]))
        )
        db.session.remove()
        return count


def test_a_sync_batch_killed_mid_transaction_is_all_or_nothing_and_the_retry_writes_it_once(
    app, floor, live
):
    live.start()
    batch = big_batch(floor.walk)
    fact_ids = [r["id"] for r in batch if r["type"] == "fact"]
    body = json.dumps({"format": "gemba/v1", "records": batch}).encode()
    head = (
        f"POST /api/v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {floor.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    in_transaction = writer_in_transaction(floor.uri)
    with gaps_held(floor.uri), live.connect() as sock:
        sock.sendall(head + body)
        wait_for(in_transaction, 30, "the batch's write transaction")
        time.sleep(0.05)  # into the batch: rows flushed, nothing committed
        assert in_transaction()
        assert no_answer_yet(sock)
        live.kill()
        assert answer_after_kill(sock) == b""

    live.start()
    assert_database_intact(app)
    assert count_ids(app, Fact, fact_ids) == 0  # none of the batch, not some of it
    assert count_ids(app, Statement, [batch[0]["id"]]) == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Gap)) == 0
        db.session.remove()

    status, answer = live.sync(batch)
    assert status == 200
    assert {r["status"] for r in answer["results"]} == {"created"}
    status, answer = live.sync(batch)  # the client did not see the first answer either
    assert status == 200
    assert {r["status"] for r in answer["results"]} == {"unchanged"}

    assert count_ids(app, Fact, fact_ids) == BATCH
    assert count_ids(app, Statement, [batch[0]["id"]]) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Fact)) == BATCH + 3
        gap = db.session.scalar(db.select(Gap))
        assert re.search(rf"observed 0 of {BATCH}\b", gap.explanation.replace(",", ""))
        db.session.remove()
    assert_database_intact(app)


@pytest.fixture(autouse=True)
def _no_pg_connections_left(floor):
    """The killed server's PostgreSQL sessions must end before the tables are emptied."""
    yield
    if not PG_URL:
        return
    url = make_url(floor.uri).set(drivername="postgresql").render_as_string(False)
    deadline = time.monotonic() + 10
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"
            ).fetchone()[0]
            if not busy:
                break
            time.sleep(0.05)
