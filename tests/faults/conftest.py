"""Fault fixtures: the app under gunicorn in a subprocess, which a test can SIGKILL in the
middle of a request and start again on the same database and photo folder; a walk with
facts and a bearer token to write with; and a raw HTTP client that can stop halfway."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from gemba.accounts import services as accounts
from gemba.capture import records
from gemba.extensions import db
from gemba.models import Photo, Role, Site, User
from tests.conftest import PASSWORD, uid

REPO = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
START_TIMEOUT = 30.0


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than about ten seconds")


@dataclass
class Floor:
    """What the server finds when it starts: an observer's walk with facts, and a token."""

    uri: str
    instance: Path
    photos: Path
    token: str
    user_id: int
    walk: str
    facts: list[str]


@pytest.fixture
def floor(app, database_uri, tmp_path) -> Floor:
    """An observer with an API token and a walk with three facts, in the test database."""
    with app.app_context():
        user = User(email="observer@example.com", role=Role.observer.value)
        user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        site = Site(name="Plant 2")
        db.session.add_all([user, site])
        db.session.commit()
        walk = uid()
        facts = [uid() for _ in range(3)]
        result = records.write(
            user,
            [{"type": "walk", "id": walk, "site": str(site.id), "title": "Line 3 changeover"}]
            + [
                {"type": "fact", "id": f, "walk": walk, "text": f"Guard {n} left open"}
                for n, f in enumerate(facts)
            ],
        )
        assert not result.rejected, [r.as_json() for r in result.rejected]
        token = accounts.create_token(user)
        user_id = user.id
        db.session.remove()
    return Floor(
        uri=database_uri,
        instance=Path(app.instance_path),
        photos=Path(app.config["GEMBA_PHOTO_DIR"]),
        token=token,
        user_id=user_id,
        walk=walk,
        facts=facts,
    )


class LiveServer:
    """gunicorn with one sync worker on the floor's database, in its own process group."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.log = floor.instance / "gunicorn.log"

    def start(self, **config: str) -> LiveServer:
        """Start (again), with extra app config as FLASK_ variables; wait until it answers."""
        assert self.process is None or self.process.poll() is not None
        self.port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "GEMBA_INSTANCE_PATH": str(self.floor.instance),
            "FLASK_SQLALCHEMY_DATABASE_URI": self.floor.uri,
            "FLASK_SECRET_KEY": "test-secret",
            "FLASK_GEMBA_AUTO_MIGRATE": "false",
            "FLASK_GEMBA_PHOTO_DIR": str(self.floor.photos),
            **{f"FLASK_{name}": value for name, value in config.items()},
        }
        command = [GUNICORN, "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{self.port}"]
        command += ["--chdir", str(REPO), "--timeout", "120", "gemba:create_app()"]
        self.floor.instance.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (the app's own server)
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if self.request("GET", "/api/v1/openapi.json")[0] == 200:
                    # The token's first use in a minute writes its last_used_at. Done here,
                    # so that a test's own request makes no write transaction but its own:
                    # a probe for the batch's transaction could catch that one instead.
                    assert self.request("GET", "/api/v1/sites")[0] == 200
                    return self
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the master and its worker at once, as a crash or the OOM killer would."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes, str]:
        """One request with the floor's token: (status, body, content type)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body, {**self.auth, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            conn.close()

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.floor.token}"}

    def sync(self, batch: list[dict]) -> tuple[int, dict]:
        """POST /api/v1/sync; (status, JSON answer)."""
        body = json.dumps({"format": "gemba/v1", "records": batch}).encode()
        status, data, _ = self.request(
            "POST", "/api/v1/sync", body, {"Content-Type": "application/json"}
        )
        return status, json.loads(data)

    def put_photo(self, photo_id: str, data: bytes, record: str) -> tuple[int, dict]:
        """PUT /api/v1/photos/{id} with the whole body at once; (status, JSON answer)."""
        boundary, body = multipart(data, record)
        status, answer, _ = self.request(
            "PUT",
            f"/api/v1/photos/{photo_id}",
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return status, json.loads(answer)


@pytest.fixture
def live(floor) -> Iterator[LiveServer]:
    """The server (not started); killed at the end whatever the test did."""
    server = LiveServer(floor)
    yield server
    server.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def multipart(data: bytes, record: str) -> tuple[str, bytes]:
    """A multipart body: the record field first, then the photo; (boundary, body)."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="record"\r\n\r\n'.encode(),
            record.encode(),
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="photo.jpg"\r\n',
            b"Content-Type: image/jpeg\r\n\r\n",
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return boundary, body


def stored_files(root: Path) -> tuple[dict[str, Path], list[Path]]:
    """The photo store's files by name, and its temporary files, apart."""
    files, temps = {}, []
    for path in root.rglob("*") if root.exists() else []:
        if path.is_file():
            if path.name.endswith(".tmp"):
                temps.append(path)
            else:
                files[path.name] = path
    return files, temps


def assert_store_consistent(app, root: Path) -> None:
    """Every stored file holds the bytes its name promises; every photo row has its files."""
    files, _ = stored_files(root)
    for name, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == name, f"torn file {path}"
    with app.app_context():
        for photo in db.session.scalars(db.select(Photo)):
            assert photo.display_key in files, f"photo {photo.id} lost its display copy"
            assert photo.thumb_key in files, f"photo {photo.id} lost its thumbnail"
        db.session.remove()
