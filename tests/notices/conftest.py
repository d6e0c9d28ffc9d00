"""A real SMTP server per test (aiosmtpd on 127.0.0.1, a free port) that records what it
accepts and can be told to refuse the next messages, and an app that sends to it."""

from __future__ import annotations

import email
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from gemba.extensions import db
from gemba.models import Action, Site
from tests.conftest import make_test_app

PUBLIC_URL = "https://gemba.example"


class Mailbox:
    """aiosmtpd handler: keeps accepted messages; refuses the next `refuse` ones, and
    refuses the addresses in `unknown` at RCPT (a 550, for good)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0
        self.refusal = "451 4.3.0 Try again later"
        self.unknown: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return self.refusal
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    def subjects(self, address: str | None = None) -> list[str]:
        found = self.to(address) if address else self.messages
        return sorted(str(m["Subject"]) for m in found)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp) -> Mailbox:
    return smtp[0]


@pytest.fixture
def app(database_uri, tmp_path, smtp):
    """The app, sending its mail to the test's SMTP server."""
    return make_test_app(
        database_uri,
        tmp_path,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp[1],
        MAIL_SUPPRESS_SEND=False,
        GEMBA_PUBLIC_URL=PUBLIC_URL,
    )


@pytest.fixture
def site_id(app) -> uuid.UUID:
    with app.app_context():
        site = Site(name="Plant 2", time_zone="UTC")
        db.session.add(site)
        db.session.commit()
        return site.id


@pytest.fixture
def make_action(app, site_id):
    """Factory: an open action owned by one user and created by another."""

    def make(owner, creator, title: str = "Fix the badge reader", **fields) -> uuid.UUID:
        with app.app_context():
            action = Action(
                site_id=site_id,
                title=title,
                owner_id=owner.id,
                created_by_id=creator.id,
                **fields,
            )
            db.session.add(action)
            db.session.commit()
            return action.id

    return make


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


@pytest.fixture
def csrf_app(database_uri, tmp_path, smtp):
    """The same app with CSRF protection on, as in production."""
    return make_test_app(
        database_uri,
        tmp_path,
        WTF_CSRF_ENABLED=True,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp[1],
        MAIL_SUPPRESS_SEND=False,
        GEMBA_PUBLIC_URL=PUBLIC_URL,
    )
