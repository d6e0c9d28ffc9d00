"""A receiving HTTP server per test (http.server on 127.0.0.1, a free port, in a thread)
that records every request and answers with the codes it is told, then 200; the demo
plant and clients from the review tests; and helpers to add a hook and run deliveries."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import User, WebhookDelivery
from gemba.webhooks import services
from tests.review.conftest import (  # noqa: F401 - fixtures shared with the review tests
    _quick_password_hashes,
    admin_client,
    analyst,
    demo,
    demo_rows,
)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server got, and the status codes to answer the next requests with."""

    port: int
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/gemba"

    def events(self) -> list[str]:
        return [r.headers["Gemba-Event"] for r in self.requests]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            code = receiver.answers.pop(0) if receiver.answers else 200
            answer = json.dumps({"seen": len(receiver.requests), "code": code}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args) -> None:  # noqa: A002 - quiet
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(0)))
    receiver = Receiver(server.server_address[1])
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join()


def dead_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def add_hook(app):
    """Factory: a hook for the events, made by the demo admin; returns (id, secret)."""

    def make(url: str, events: list[str], site_id=None, admin_email="demo@example.com"):
        with app.app_context():
            admin = db.session.scalar(select(User).where(User.email == admin_email))
            if admin is None:
                admin = User(email=admin_email, role="admin")
                admin.set_password("x" * 12)
                db.session.add(admin)
                db.session.commit()
            hook = services.create_hook(admin, services.HookData(url, events, site_id))
            return hook.id, hook.secret

    return make


@pytest.fixture
def deliver(runner):
    """Run `flask webhooks deliver`, optionally at a given UTC time; the output."""

    def run(now: datetime | None = None) -> str:
        args = ["webhooks", "deliver"]
        if now is not None:
            args += ["--now", now.strftime("%Y-%m-%d %H:%M:%S")]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def deliveries(app, hook_id: int | None = None) -> list[WebhookDelivery]:
    """The outbox rows (of one hook), oldest first, detached."""
    with app.app_context():
        query = select(WebhookDelivery).order_by(WebhookDelivery.created_at)
        if hook_id is not None:
            query = query.where(WebhookDelivery.webhook_id == hook_id)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows
