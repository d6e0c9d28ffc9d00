"""Sending the outbox: each due row is POSTed to its hook, signed, with a short timeout;
a 2xx marks it delivered, a connection error, a timeout, a 5xx, 408 or 429 schedules a
retry with exponential backoff, anything else (3xx: redirects are not followed, 4xx) or
MAX_ATTEMPTS failures mark it failed for good.

A row is claimed before it is sent: in one short transaction its next attempt is moved a
LEASE ahead and the attempt counted (PostgreSQL skips rows another run holds; SQLite's
writers queue), then the HTTP call runs with no transaction open, then the outcome is
written. Two runs at once therefore do not send the same row, and a run killed mid-send
leaves the row to be sent again once its lease ends: delivery is at least once, and
`Gemba-Delivery` (the row's id, the same on every attempt) lets a receiver drop a repeat.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from gemba.extensions import db
from gemba.models import DeliveryStatus, Webhook, WebhookDelivery, utcnow
from gemba.platform.database import transaction
from gemba.webhooks import events, signing

TIMEOUT = 5.0  # seconds to connect, and again to read the answer
LEASE = timedelta(minutes=5)  # far longer than a batch of attempts can take
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
KEEP = 1000  # characters of an answer kept for the hook's page
BATCH = 10  # rows claimed at once: BATCH attempts of 2 x TIMEOUT fit well in LEASE
RUN_FOR = 60.0  # seconds a run keeps claiming; the rest is for the next run
RETRY_CODES = frozenset({408, 429})
USER_AGENT = "Gemba-Webhooks/1"
log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """How long after the n-th failed attempt the next one is due: 1, 2, 4 ... minutes,
    at most six hours."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status code and the start of the answer, or an error."""

    status_code: int | None = None
    response: str | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        code = self.status_code
        return code is None or code >= 500 or code in RETRY_CODES


@dataclass(frozen=True)
class Claimed:
    """A row taken for one attempt, as plain values (no session needed to send it)."""

    id: uuid.UUID
    url: str
    secret: str
    event: str
    body: dict[str, Any]
    attempts: int


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: the hook's URL is the admin's choice."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def encode(body: dict[str, Any]) -> bytes:
    """The bytes sent (and signed): compact JSON, keys sorted."""
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def post(claimed: Claimed, now: datetime, timeout: float = TIMEOUT) -> Outcome:
    """One signed POST of the row's body; never raises for what the network does."""
    if not claimed.url.lower().startswith(("http://", "https://")):
        return Outcome(error="not an http(s) address")  # checked on save; kept here too
    data = encode(claimed.body)
    # Only http(s) reaches here (just above), so no file: or custom scheme is opened.
    request = urllib.request.Request(claimed.url, data=data, method="POST")  # noqa: S310
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    request.add_header("Gemba-Event", claimed.event)
    request.add_header("Gemba-Delivery", str(claimed.id))
    request.add_header(signing.HEADER, signing.header(claimed.secret, int(now.timestamp()), data))
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return Outcome(answer.status, _text(answer.read(KEEP)))
    except urllib.error.HTTPError as exc:
        with exc:
            return Outcome(exc.code, _text(exc.read(KEEP)))
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return Outcome(error=f"{type(exc).__name__}: {exc}"[:KEEP])


def _text(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", errors="replace")[:KEEP]


def claim(now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to `limit` due rows of active hooks for one attempt each."""
    with transaction():
        rows = db.session.execute(
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.pending.value,
                WebhookDelivery.next_attempt_at <= now,
                Webhook.active.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        ).all()
        claimed = []
        for row, hook in rows:
            row.attempts += 1
            row.last_attempt_at = now
            row.next_attempt_at = now + LEASE
            claimed.append(
                Claimed(row.id, hook.url, hook.secret, row.event, row.body, row.attempts)
            )
        return claimed


def record(claimed: Claimed, outcome: Outcome, now: datetime) -> str:
    """Write what the attempt got; the row's status after it."""
    with transaction():
        row = db.session.get(WebhookDelivery, claimed.id)
        if row is None:  # the hook was deleted meanwhile
            return "gone"
        row.last_status_code = outcome.status_code
        row.last_response = outcome.response
        row.last_error = outcome.error
        if outcome.delivered:
            row.status = DeliveryStatus.delivered.value
            row.delivered_at = now
            row.next_attempt_at = None
        elif outcome.retryable and row.attempts < MAX_ATTEMPTS:
            row.next_attempt_at = now + backoff(row.attempts)
        else:
            row.status = DeliveryStatus.failed.value
            row.next_attempt_at = None
        return row.status


def run(now: datetime | None = None, timeout: float = TIMEOUT) -> Counter:
    """Queue what happened, then send everything due; counts by outcome."""
    now = now or utcnow()
    done: Counter = Counter()
    try:
        done["queued"] = events.collect(now)
    except Exception:  # what is queued already is still sent; the next run collects again
        log.exception("Collecting webhook events failed")
        db.session.rollback()
    started = time.monotonic()
    while batch := claim(now):
        for claimed in batch:
            status = record(claimed, post(claimed, now, timeout), now)
            done["retrying" if status == DeliveryStatus.pending.value else status] += 1
        if time.monotonic() - started > RUN_FOR:
            break  # what is left is due on the next run, which cron starts soon
    return done
