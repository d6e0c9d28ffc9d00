"""The admin's writes on hooks, each in one `transaction()`; refusals carry the field.

A hook's URL must be http or https with a host. Webhooks make the server send requests
wherever an admin points them (a server-side request on the admin's behalf), which is
why only admins may register them, redirects are not followed and only the first KB of
an answer is kept; on a network where the app server can reach services the admins
should not, block those addresses at the firewall (see docs/webhooks.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from gemba.extensions import db
from gemba.models import DeliveryStatus, Site, User, Webhook, WebhookDelivery, utcnow
from gemba.platform.database import transaction
from gemba.webhooks import EVENTS, events, payloads, signing

URL_LIMIT = 2000


class WebhookError(ValueError):
    """A refusal, with the form field it belongs by."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class HookData:
    """What the form says a hook is."""

    url: str
    events: list[str]
    site_id: uuid.UUID | None
    active: bool = True


def url_problem(url: str) -> str | None:
    """Why a URL cannot be a hook's, or None."""
    if len(url) > URL_LIMIT:
        return str(_l("Keep the address under %(limit)d characters.", limit=URL_LIMIT))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return str(_l("Enter a web address such as https://example.com/hooks/gemba."))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return str(_l("Enter an http:// or https:// address with a host name."))
    return None


def _check(data: HookData) -> None:
    problem = url_problem(data.url)
    if problem:
        raise WebhookError("url", problem)
    if not data.events or any(event not in EVENTS for event in data.events):
        raise WebhookError("events", str(_l("Choose at least one event.")))
    if data.site_id is not None and db.session.get(Site, data.site_id) is None:
        raise WebhookError("site", str(_l("That site no longer exists.")))


def create_hook(actor: User, data: HookData) -> Webhook:
    """Register a hook with a new secret; it hears of events from now on."""
    with transaction():
        _check(data)
        hook = Webhook(
            url=data.url,
            events=list(data.events),
            site_id=data.site_id,
            active=data.active,
            secret=signing.new_secret(),
            created_by_id=actor.id,
            created_at=utcnow(),
            audit_cursor=events.start_cursor(),
        )
        db.session.add(hook)
        db.session.flush()
        return hook


def update_hook(hook_id: int, data: HookData) -> Webhook | None:
    """Change a hook's address, events, site or whether it is active."""
    with transaction():
        hook = db.session.get(Webhook, hook_id)
        if hook is None:
            return None
        _check(data)
        hook.url, hook.events, hook.site_id = data.url, list(data.events), data.site_id
        if data.active and not hook.active:
            # Back on: what happened while it was off is not replayed.
            hook.audit_cursor = max(hook.audit_cursor, events.start_cursor())
        hook.active = data.active
        return hook


def delete_hook(hook_id: int) -> bool:
    """Remove a hook and its deliveries."""
    with transaction():
        hook = db.session.get(Webhook, hook_id)
        if hook is None:
            return False
        db.session.delete(hook)
        return True


def new_secret(hook_id: int) -> Webhook | None:
    """Give a hook a new secret (the old one stops verifying at once)."""
    with transaction():
        hook = db.session.get(Webhook, hook_id)
        if hook is not None:
            hook.secret = signing.new_secret()
        return hook


def send_test(hook_id: int) -> bool:
    """Queue a test event for the hook; the next deliver run sends it."""
    with transaction():
        hook = db.session.get(Webhook, hook_id)
        if hook is None:
            return False
        now = utcnow()
        events.queue(hook, [payloads.ping(hook.id, now, uuid.uuid4().hex)], now)
        return True


def send_again(hook_id: int, delivery_id: uuid.UUID) -> bool:
    """Put a failed delivery back in the queue, with its attempts counted from zero."""
    with transaction():
        row = db.session.get(WebhookDelivery, delivery_id)
        if row is None or row.webhook_id != hook_id or row.status != DeliveryStatus.failed:
            return False
        row.status = DeliveryStatus.pending.value
        row.attempts = 0
        row.next_attempt_at = utcnow()
        return True
