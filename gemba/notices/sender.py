"""Sending notices once: the record of a notice and its e-mail go in one transaction.

For an immediate notice the row is inserted, then the message is handed to the SMTP
server, then the transaction commits. A server that is down or refuses makes the block
raise: the row is rolled back and the notice is decided again on the next run (nothing
lost), and the run stops there rather than knocking on a dead server once per notice.
A notice whose row committed was accepted by the server (nothing duplicated). The one
window left is a crash after the server accepted and before the commit: that notice is
sent again on the next run. We accept that at-least-once edge (seconds wide, one
message) over a "sending" state, which would turn the same crash into a lost notice
that someone must find and release by hand.

A digest notice is recorded as `pending` at once (no mail), and `send_digests` sends each
user's pending notices as one message, marking them sent in the same transaction. A kind
turned off is recorded as `skipped`, so turning it back on does not replay old events.
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_mail import Connection, Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gemba.extensions import db, mail
from gemba.models import NoticeMode, NoticeState, SentNotice, User, utcnow
from gemba.notices import KINDS, due, preferences, reader_language
from gemba.notices.due import Notice
from gemba.platform.database import transaction

log = logging.getLogger(__name__)
SMTP_ERRORS = (smtplib.SMTPException, OSError)
DIGEST = preferences.DIGEST


class Outbox:
    """One SMTP connection per run, opened on the first message, closed at the end."""

    def __init__(self) -> None:
        self._connection: Connection | None = None

    def send(self, message: Message) -> None:
        if self._connection is None:
            connection = mail.connect()
            connection.__enter__()
            self._connection = connection
        self._connection.send(message)

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.__exit__(None, None, None)
            except SMTP_ERRORS:  # a server that hung up first has nothing more to say
                log.debug("SMTP connection already closed")


def external_url(endpoint_or_path: str, **values) -> str:
    """An absolute link for an e-mail, under GEMBA_PUBLIC_URL (no request to ask)."""
    path = endpoint_or_path
    if not path.startswith("/"):
        path = current_app.url_map.bind("localhost").build(endpoint_or_path, values)
    return current_app.config["GEMBA_PUBLIC_URL"].rstrip("/") + path


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = preferences.unsubscribe_token(user_id, kind)
    return external_url("notices.unsubscribe", token=token)


def language_of(user: User, items: Sequence[SentNotice | Notice]) -> str:
    """The e-mail's language: the one its notice was written in; for a digest the user's
    own choice, else the language of the site its first notice (with a known site) is
    about, else English."""
    if items and isinstance(items[0], Notice):
        return items[0].language
    sites = (due.site_language_of(item.link) for item in items)
    return reader_language(user, next((s for s in sites if s), None))


def message(user: User, items: Sequence[SentNotice | Notice], kind: str) -> Message:
    """The e-mail for one notice or a digest of several, in the reader's language: plain
    text and HTML, each with the unsubscribe link of its kind, and the List-Unsubscribe
    header."""
    with force_locale(language_of(user, items)):
        return _message(user, items, kind)


def _message(user: User, items: Sequence[SentNotice | Notice], kind: str) -> Message:
    entries = [
        {
            "subject": item.subject,
            "text": item.body if isinstance(item, SentNotice) else item.text,
            "link": external_url(item.link) if item.link else None,
        }
        for item in items
    ]
    unsubscribe = unsubscribe_url(user.id, kind)
    context = {
        "user": user,
        "entries": entries,
        "digest": kind == DIGEST,
        "unsubscribe": unsubscribe,
        "kind_label": str(KINDS.get(kind, _l("your daily digest"))),
    }
    count = len(entries)
    if kind == DIGEST:
        subject = ngettext("Gemba: %(num)d notice", "Gemba: %(num)d notices", count)
    else:
        subject = entries[0]["subject"]
    return Message(
        subject=subject,
        recipients=[user.email],
        body=_render("notices/email.txt", context),
        html=_render("notices/email.html", context),
        extra_headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            # RFC 8058: a mail client may unsubscribe with one POST to that link.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _render(name: str, context: dict) -> str:
    """A template rendered without the page context processors, which ask the request."""
    return current_app.jinja_env.get_template(name).render(context)


def run(now: datetime | None = None) -> Counter:
    """Decide every notice due now and send the immediate ones; counts by outcome."""
    now = now or utcnow()
    done = Counter()
    decided = set(db.session.execute(select(SentNotice.user_id, SentNotice.kind, SentNotice.key)))
    fresh = [n for n in due.all_due(now) if (n.user.id, n.kind, n.key) not in decided]
    modes: dict[int, dict[str, str]] = {}
    outbox = Outbox()
    try:
        for notice in fresh:
            if notice.user.id not in modes:
                modes[notice.user.id] = preferences.modes_for(notice.user.id)
            outcome = _decide(notice, modes[notice.user.id][notice.kind], now, outbox)
            done[outcome] += 1
            if outcome == "failed":
                break
    finally:
        outbox.close()
    return done


def _decide(notice: Notice, mode: str, now: datetime, outbox: Outbox) -> str:
    """Record the notice and, when immediate, send it, all in one transaction."""
    state = {
        NoticeMode.immediate.value: NoticeState.sent,
        NoticeMode.digest.value: NoticeState.pending,
    }.get(mode, NoticeState.skipped)
    try:
        with transaction():
            if _recorded(notice):  # another run got there first
                return "known"
            _record(notice, state, now)
            if state is NoticeState.sent:
                outbox.send(message(db.session.get(User, notice.user.id), [notice], notice.kind))
    except IntegrityError:  # a concurrent run recorded it between our read and insert
        return "known"
    except smtplib.SMTPRecipientsRefused as exc:
        if not permanent(exc):
            log.warning("SMTP deferred a notice, it is retried on the next run: %s", exc)
            return "failed"
        log.warning("SMTP refused %s for good: %s", notice.user.email, exc.recipients)
        with transaction():
            if not _recorded(notice):
                _record(notice, NoticeState.refused, now)
        return NoticeState.refused.value
    except SMTP_ERRORS as exc:
        log.warning("SMTP refused a notice, it is retried on the next run: %s", exc)
        return "failed"
    return state.value


def permanent(exc: smtplib.SMTPRecipientsRefused) -> bool:
    """Every recipient refused with a 5xx code: the address will not work on a retry."""
    return all(500 <= code < 600 for code, _ in exc.recipients.values())


def _record(notice: Notice, state: NoticeState, now: datetime) -> None:
    db.session.add(
        SentNotice(
            user_id=notice.user.id,
            kind=notice.kind,
            key=notice.key,
            state=state.value,
            subject=notice.subject,
            body=notice.text,
            link=notice.link,
            created_at=now,
            sent_at=now if state is NoticeState.sent else None,
        )
    )
    db.session.flush()


def _recorded(notice: Notice) -> bool:
    return (
        db.session.scalar(
            select(SentNotice.id).where(
                SentNotice.user_id == notice.user.id,
                SentNotice.kind == notice.kind,
                SentNotice.key == notice.key,
            )
        )
        is not None
    )


def send_digests(now: datetime | None = None) -> Counter:
    """One message per user with their pending notices; each notice goes out once."""
    now = now or utcnow()
    done = Counter()
    users = db.session.scalars(
        select(SentNotice.user_id).where(SentNotice.state == NoticeState.pending.value).distinct()
    ).all()
    outbox = Outbox()
    try:
        for user_id in users:
            outcome = _send_digest(user_id, now, outbox)
            done[outcome] += 1
            if outcome == "failed":
                break
    finally:
        outbox.close()
    return done


def _send_digest(user_id: int, now: datetime, outbox: Outbox) -> str:
    """Send one user's pending notices; kinds turned off since are skipped, not sent."""
    try:
        with transaction():
            user = db.session.get(User, user_id)
            rows = _pending(user_id)
            modes = preferences.modes_for(user_id)
            wanted = [r for r in rows if user.active and modes[r.kind] != NoticeMode.none.value]
            for row in rows:
                row.state = (NoticeState.sent if row in wanted else NoticeState.skipped).value
                row.sent_at = now if row in wanted else None
            if not wanted:
                return "skipped"
            db.session.flush()
            outbox.send(message(user, wanted, DIGEST))
    except smtplib.SMTPRecipientsRefused as exc:
        if not permanent(exc):
            log.warning("SMTP deferred a digest, it is retried on the next run: %s", exc)
            return "failed"
        log.warning("SMTP refused the digest of user %s for good: %s", user_id, exc.recipients)
        with transaction():
            for row in _pending(user_id):
                row.state = NoticeState.refused.value
        return NoticeState.refused.value
    except SMTP_ERRORS as exc:
        log.warning("SMTP refused a digest, it is retried on the next run: %s", exc)
        return "failed"
    return "sent"


def _pending(user_id: int) -> Iterable[SentNotice]:
    return list(
        db.session.scalars(
            select(SentNotice)
            .where(SentNotice.user_id == user_id, SentNotice.state == NoticeState.pending.value)
            .order_by(SentNotice.created_at, SentNotice.id)
        )
    )
