"""Accounts: create users, change roles and passwords, issue API tokens.

Views and CLI commands call these so account rules live in one place. Each function
that writes is one `transaction()`; what it reads to decide (the user as it is now) is
read inside it.

A token dies with a password change (one's own or an admin's reset) and with its
user's deactivation, in the same transaction: whoever took an account over loses its
API access when the account is taken back. Tokens also expire (`GEMBA_TOKEN_DAYS`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from gemba.extensions import db
from gemba.models import ApiToken, AuditEvent, Role, User, utcnow
from gemba.models.accounts import TokenScope
from gemba.platform.database import transaction
from gemba.platform.languages import LANGUAGES

MIN_PASSWORD = 10
# Our own words, which no general list holds.
LOCAL_COMMON = frozenset({"gemba12345", "gembawalk1", "gembawalks", "genchigenbutsu"})


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 passwords most often found in leaks, from zxcvbn's frequency lists."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | LOCAL_COMMON


class AccountError(ValueError):
    """An account rule was broken; `field` says which input to point at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is not acceptable, or None: too short, one of the passwords tried
    first in any attack, or the account's own e-mail (or its name before the @)."""
    if len(password) < MIN_PASSWORD:
        return _("Use at least %(count)s characters.", count=MIN_PASSWORD)
    folded = password.strip().lower()
    if folded in _common_passwords() or len(set(folded)) < 3:
        return _("This password is too common; choose another.")
    email = normalise_email(email)
    if email and folded in {email, email.partition("@")[0]}:
        return _("Do not use your e-mail address as your password.")
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    An unknown e-mail costs the same password hash check as a known one (against a
    hash of a random password), so the time of an answer does not tell which e-mails
    have accounts.
    """
    user = find_user(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(24))


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, role: Role | str, *, by: User | None = None) -> User:
    """Add a user; refuses a taken e-mail, an unknown role or a weak password."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("email", _("Enter a valid e-mail address."))
    if role not in Role.__members__:
        raise AccountError("role", _("Role must be observer, analyst or admin."))
    problem = password_problem(password, email)
    if problem:
        raise AccountError("password", problem)
    user = User(email=email, role=Role(role).value)
    user.set_password(password)
    with transaction():
        if find_user(email) is not None:
            raise AccountError("email", _("A user with this e-mail already exists."))
        db.session.add(user)
        db.session.flush()
        _audit(by, user, "created", {"role": user.role})
    return user


def update_user(user: User, *, role: str, active: bool, by: User) -> None:
    """Change role or deactivate; an admin cannot lock themself out."""
    if user.id == by.id and (role != Role.admin or not active):
        raise AccountError("role", _("You cannot demote or deactivate yourself."))
    if role not in Role.__members__:
        raise AccountError("role", _("Role must be observer, analyst or admin."))
    with transaction():
        changes = {}
        if user.role != role:
            changes["role"] = [user.role, role]
            user.role = role
        if user.active != active:
            changes["active"] = [user.active, active]
            user.active = active
            if not active:
                user.session_version += 1  # their open sessions end now
                changes["tokens_revoked"] = _revoke_all_tokens(user)
        if changes:
            _audit(by, user, "updated", changes)


def set_password(user: User, password: str, *, by: User | None = None) -> None:
    """New password; every other session of that user ends, and every API token."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError("password", problem)
    with transaction():
        user.set_password(password)
        user.session_version += 1
        _audit(by, user, "password_changed", {"tokens_revoked": _revoke_all_tokens(user)})


def set_language(user: User, language: str | None) -> None:
    """The language the user reads Gemba in; None (or '') follows the browser."""
    language = language or None
    if language is not None and language not in LANGUAGES:
        raise AccountError("language", _("Choose one of the languages offered."))
    with transaction():
        user.language = language


def end_sessions(user: User) -> None:
    """Log the user out everywhere: every browser's cookie names the old session version."""
    with transaction():
        user.session_version += 1


# A token may be made to live from one day to ten years; none lives for ever.
MAX_TOKEN_DAYS = 3650


def create_token(
    user: User,
    name: str = "script",
    *,
    scope: TokenScope | str = TokenScope.write,
    days: int | None = None,
) -> str:
    """A new personal API token; only its hash is kept, so it is shown once.

    It expires after `days` (default `GEMBA_TOKEN_DAYS`); scope `read` allows only
    GET, HEAD and OPTIONS.
    """
    if scope not in TokenScope.__members__:
        raise AccountError("scope", "Scope must be read or write.")
    days = token_days() if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError("days", f"A token lives 1 to {MAX_TOKEN_DAYS} days.")
    token = "gmb_" + secrets.token_urlsafe(32)
    now = utcnow()
    with transaction():
        db.session.add(
            ApiToken(
                user_id=user.id,
                name=name[:80],
                token_hash=hash_token(token),
                created_at=now,
                expires_at=now + timedelta(days=days),
                scope=TokenScope(scope).value,
            )
        )
    return token


def token_days() -> int:
    """How long a new token lives unless told otherwise (`GEMBA_TOKEN_DAYS`)."""
    return int(current_app.config.get("GEMBA_TOKEN_DAYS", 90))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    """The active user behind a bearer token that is neither revoked nor expired."""
    row = usable_token(token)
    return None if row is None else row.user


def usable_token(token: str) -> ApiToken | None:
    """The token's row if it is not revoked, not expired and its user is active."""
    row = find_token(token)
    if row is None or token_refusal(row) is not None:
        return None
    return row


def find_token(token: str) -> ApiToken | None:
    """The row of a token, whatever its state (see `token_refusal`)."""
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))


def token_refusal(row: ApiToken, now: datetime | None = None) -> str | None:
    """Why a token may not be used ("revoked", "expired", "deactivated"), or None."""
    if row.revoked_at is not None:
        return "revoked"
    if token_expiry(row) <= (now or utcnow()):
        return "expired"
    if not row.user.active:
        return "deactivated"
    return None


def token_expiry(row: ApiToken) -> datetime:
    """When the token stops working; a row without a date lives the default from creation."""
    return row.expires_at or row.created_at + timedelta(days=token_days())


def live_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked (expired ones included), newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(token_row: ApiToken) -> None:
    with transaction():
        if token_row.revoked_at is None:
            token_row.revoked_at = utcnow()


def _revoke_all_tokens(user: User) -> int:
    """Revoke every token of the user not yet revoked (inside the caller's transaction)."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def note_token_use(token: str, now: datetime, every: timedelta) -> None:
    """Note when a token was last used, at most once per `every` (a hint for people
    revoking tokens: a coarse time saves a write per request)."""
    with transaction():
        db.session.execute(
            update(ApiToken)
            .where(
                ApiToken.token_hash == hash_token(token),
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - every),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )


def _audit(by: User | None, user: User, verb: str, detail: dict) -> None:
    db.session.add(
        AuditEvent(
            user_id=by.id if by else None,
            object_type="user",
            object_id=str(user.id),
            verb=verb,
            detail=detail,
        )
    )
