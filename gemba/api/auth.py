"""Who is calling the API: a logged-in session (with a CSRF header) or a bearer token.

The app's own pages call the API with their session cookie, so unsafe methods
need the CSRF token in the `X-CSRFToken` header like any form. Scripts send
`Authorization: Bearer TOKEN` and no cookie; a cross-site page cannot make a
browser send that header, so those requests need no CSRF token. When a request
carries both, the session wins and the CSRF check applies.

A token works until it is revoked (by hand, or by its user's password change or
deactivation) or expires; a read-only token may only call GET, HEAD and OPTIONS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Request, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from gemba.accounts import services as accounts
from gemba.extensions import csrf, login_manager
from gemba.models import User, utcnow
from gemba.platform.errors import problem

# Operations anyone may call, by endpoint.
PUBLIC_ENDPOINTS = {"api.openapi_document", "api.reference"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# last_used_at is a hint for people revoking tokens: a minute's precision saves a write
# per request.
TOUCH_EVERY = timedelta(minutes=1)


def bearer_token(req: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, if there is one."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


@login_manager.request_loader
def _user_from_bearer(req: Request) -> User | None:
    """Flask-Login asks this when there is no session: API calls may bring a token."""
    if req.blueprint != "api":
        return None
    token = bearer_token(req)
    if token is None:
        return None
    row = accounts.find_token(token)
    refusal = "unknown" if row is None else accounts.token_refusal(row)
    if refusal is not None:
        g.api_token_refusal = refusal  # unauthorized() says why an expired one failed
        return None
    g.api_bearer = True
    g.api_token_read_only = row.read_only
    now = utcnow()
    if row.last_used_at is None or row.last_used_at < now - TOUCH_EVERY:
        _touch(token, now)
    return row.user


def _touch(token: str, now: datetime) -> None:
    """Note the token's use (best effort: a busy database is no reason to fail a request)."""
    try:
        accounts.note_token_use(token, now, TOUCH_EVERY)
    except OperationalError:
        current_app.logger.warning("could not note an API token's last use", exc_info=True)


def unauthorized():
    """401 as problem details; never the login page's redirect."""
    refusal = g.get("api_token_refusal")
    if refusal == "expired":
        detail = _l("The bearer token has expired; create a new one on your profile page.")
    elif request.headers.get("Authorization"):
        detail = _l("The bearer token is missing, malformed, revoked or its user is deactivated.")
    else:
        detail = _l("Log in, or send an API token as 'Authorization: Bearer TOKEN'.")
    response = problem(401, detail)
    # RFC 6750: a token that was sent and refused is an invalid_token.
    error = ', error="invalid_token"' if refusal else ""
    response.headers["WWW-Authenticate"] = f'Bearer realm="gemba"{error}'
    return response


def read_only_refused():
    """403 as problem details: a read-only token tried to change something."""
    response = problem(403, _l("This token is read-only."))
    response.headers["WWW-Authenticate"] = 'Bearer realm="gemba", error="insufficient_scope"'
    return response


def authenticate():
    """Before every API request: a user is required, a session needs its CSRF header, and
    a read-only token may not change anything."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return unauthorized()
    if request.method not in SAFE_METHODS and g.get("api_token_read_only"):
        return read_only_refused()
    config = current_app.config
    if (
        request.method not in SAFE_METHODS
        and not g.get("api_bearer")
        and config.get("WTF_CSRF_ENABLED", True)
    ):
        csrf.protect()  # raises CSRFError, which errors.py turns into a 400 problem
    return None
