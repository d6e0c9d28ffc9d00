"""The app's "For you" list: the notices decided for a user, whatever their e-mail state,
so one skipped or refused by mail is still seen in the app."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from gemba.domain.gemba_json import format_timestamp
from gemba.extensions import db
from gemba.models import SentNotice, User, utcnow
from gemba.platform.database import transaction

LIMIT = 50


def for_you(user: User) -> dict[str, Any]:
    """The user's newest notices (at most LIMIT) and how many of all of them are unread."""
    rows = db.session.scalars(
        select(SentNotice)
        .where(SentNotice.user_id == user.id)
        .order_by(SentNotice.created_at.desc(), SentNotice.id.desc())
        .limit(LIMIT)
    )
    unread = db.session.scalar(
        select(func.count())
        .select_from(SentNotice)
        .where(SentNotice.user_id == user.id, SentNotice.read_at.is_(None))
    )
    return {"notices": [_as_json(row) for row in rows], "unread": unread or 0}


def mark_read(user: User, notice_id: int) -> dict[str, Any] | None:
    """Mark one of the user's notices read; None if it is not theirs (or does not exist).

    Idempotent: a notice already read keeps its first read time, so a tap queued offline
    and sent twice changes nothing."""
    with transaction():
        notice = db.session.scalar(
            select(SentNotice).where(SentNotice.id == notice_id, SentNotice.user_id == user.id)
        )
        if notice is None:
            return None
        if notice.read_at is None:
            notice.read_at = utcnow()
        return _as_json(notice)


def _as_json(notice: SentNotice) -> dict[str, Any]:
    """One notice as the API gives it: no e-mail state, the app does not need it."""
    return {
        "id": notice.id,
        "kind": notice.kind,
        "subject": notice.subject,
        "body": notice.body,
        "link": notice.link,
        "created_at": format_timestamp(notice.created_at),
        "read": notice.read_at is not None,
    }
