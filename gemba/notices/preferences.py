"""Each user's choice per kind of notice, and the signed unsubscribe tokens that let an
e-mail's reader turn one kind off without logging in."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import NoticeMode, NoticePreference, User
from gemba.notices import KINDS
from gemba.platform.database import transaction

SALT = "gemba.notices.unsubscribe"
# The token of a digest e-mail: it turns off every kind the user gets as a digest.
DIGEST = "digest"


def modes_for(user_id: int) -> dict[str, str]:
    """Every kind's mode for the user; a kind never chosen is immediate."""
    chosen = dict(
        db.session.execute(
            select(NoticePreference.kind, NoticePreference.mode).where(
                NoticePreference.user_id == user_id
            )
        ).all()
    )
    return {kind: chosen.get(kind, NoticeMode.immediate.value) for kind in KINDS}


def set_modes(user: User, modes: dict[str, str]) -> None:
    """Store the user's choices for the kinds given (unknown kinds and modes refused)."""
    for kind, mode in modes.items():
        if kind not in KINDS:
            raise ValueError(f"unknown notice kind {kind!r}")
        NoticeMode(mode)
    with transaction():
        for kind, mode in modes.items():
            row = db.session.get(NoticePreference, (user.id, kind))
            if row is None:
                db.session.add(NoticePreference(user_id=user.id, kind=kind, mode=mode))
            else:
                row.mode = mode


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A token naming the user and the kind, signed with the app's secret key."""
    return _serializer().dumps([user_id, kind])


def read_token(token: str) -> tuple[User, str] | None:
    """The active user and kind a token names, or None when it is forged or stale."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or (kind not in KINDS and kind != DIGEST):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    return user, kind


def unsubscribe(user: User, kind: str) -> list[str]:
    """Turn off one kind, or with DIGEST every kind the user gets as a digest; the kinds
    turned off."""
    modes = modes_for(user.id)
    if kind == DIGEST:
        kinds = [k for k, mode in modes.items() if mode == NoticeMode.digest.value]
    else:
        kinds = [kind]
    set_modes(user, dict.fromkeys(kinds, NoticeMode.none.value))
    return kinds
