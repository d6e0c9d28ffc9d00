"""Login rate limits: failed attempts are counted per account and per address.

Counts live in memory by default (right for one process on a laptop); set
`RATELIMIT_STORAGE_URI` (e.g. `redis://host:6379/0`) so that several workers and
servers share them. Only failed logins count, so a shift logging in together
from one factory address is never locked out by its own successes. When the
limit is reached, every attempt, right or wrong, gets the same 429 page until
the window passes: the answer never says whether the account exists.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from gemba.accounts.services import normalise_email

limiter = Limiter(
    key_func=get_remote_address,
    # A broken Redis must not lock everyone out: count in memory until it is back.
    swallow_errors=True,
    in_memory_fallback_enabled=True,
    headers_enabled=True,
    strategy="fixed-window",
)


def account_key() -> str:
    """The submitted e-mail, hashed: an account's counter without an address in the store."""
    email = normalise_email(request.form.get("email", ""))
    if not email:
        return ""  # nothing to count against; Flask-Limiter skips an empty key
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def address_key() -> str:
    """The client's address (the real one behind a trusted proxy, see GEMBA_BEHIND_PROXY)."""
    return "address:" + (get_remote_address() or "unknown")


def mark_failed_login() -> None:
    """Called by the login view when the e-mail or password was wrong."""
    g.gemba_login_failed = True


def _failed(response) -> bool:
    return bool(g.get("gemba_login_failed"))


def _account_limit() -> str:
    return current_app.config["GEMBA_LOGIN_LIMIT_PER_ACCOUNT"]


def _address_limit() -> str:
    return current_app.config["GEMBA_LOGIN_LIMIT_PER_ADDRESS"]


# Decorators for the login view: checked on every POST, counted only on failure.
limit_login_per_account = limiter.limit(
    _account_limit, key_func=account_key, methods=["POST"], deduct_when=_failed
)
limit_login_per_address = limiter.limit(
    _address_limit, key_func=address_key, methods=["POST"], deduct_when=_failed
)


def init_app(app: Flask) -> None:
    """Bind the limiter to the app; storage comes from RATELIMIT_STORAGE_URI."""
    limiter.init_app(app)
