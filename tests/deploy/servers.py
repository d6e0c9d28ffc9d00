"""An app server started from the guide's command line, and an HTTP client that speaks
to it as the TLS proxy would: X-Forwarded-For/-Proto/-Host on every request, cookies
kept by hand (the session cookie is Secure, and the test talks plain HTTP to the app)."""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

HOST = "gemba.test"  # the public name the proxy forwards
START_TIMEOUT = 40.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """gunicorn in its own process group, from the guide's ExecStart and environment."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = int(command[command.index("--bind") + 1].rsplit(":", 1)[1])
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (the guide's command line)
                command,
                env=env,
                cwd=log.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        """Until GET /login answers 200, the guide's health check."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server {self.name} exited:\n{self.tail()}")
            with contextlib.suppress(OSError):
                if Client(self).request("GET", "/login").status == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"server {self.name} did not answer:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def stop_all(servers: list[AppServer], grace: float = 5.0) -> None:
    """TERM every server at once, then KILL any still running after `grace` seconds."""
    running = [s for s in servers if s.process.poll() is None]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for server in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, sig)
        deadline = time.monotonic() + grace
        for server in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        running = [s for s in running if s.process.poll() is None]
        if not running:
            return
    for server in running:
        server.process.wait(timeout=10)


class Answer:
    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> dict:
        return json.loads(self.body)


class Client:
    """Requests to one server as the proxy forwards them, from one client address."""

    def __init__(self, server: AppServer, address: str = "203.0.113.10") -> None:
        self.server = server
        self.address = address
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def on(self, server: AppServer) -> Client:
        """The same browser (its cookies) or script (its token), now sent to another server."""
        other = Client(server, self.address)
        other.cookies, other.token = self.cookies, self.token
        return other

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        sent = {
            "Host": HOST,
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": HOST,
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request(method, path, body, sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.read(), dict(response.getheaders()))
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
        finally:
            conn.close()
        return answer

    def sync(self, records: list[dict]) -> Answer:
        body = json.dumps({"format": "gemba/v1", "records": records}).encode()
        return self.request("POST", "/api/v1/sync", body, {"Content-Type": "application/json"})

    def put_photo(self, photo_id: str, data: bytes, record: str) -> Answer:
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
        content_type = f"multipart/form-data; boundary={boundary}"
        return self.request(
            "PUT", f"/api/v1/photos/{photo_id}", body, {"Content-Type": content_type}
        )

    def csrf_token(self) -> str:
        """The login form's CSRF token (its session cookie is kept)."""
        page = self.request("GET", "/login")
        assert page.status == 200, page.status
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert found, "no CSRF token on the login page"
        return html.unescape(found.group(1))

    def login(self, email: str, password: str, csrf: str | None = None) -> Answer:
        """POST the login form, as a browser on the public HTTPS address would."""
        from urllib.parse import urlencode

        form = {"csrf_token": csrf or self.csrf_token(), "email": email, "password": password}
        return self.request(
            "POST",
            "/login",
            urlencode(form).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://{HOST}/login",
                "Origin": f"https://{HOST}",
            },
        )
