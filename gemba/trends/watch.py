"""Keeps what the trends store true to the data, in the transaction of every write.

Two things are kept (gemba/models/trends.py):

- each topic's sightings (first and latest observation, first statement), refreshed for
  the topics whose facts or statements a transaction wrote;
- each site's history version, raised when a transaction wrote something that could change
  a figure of a period already over: a fact or statement dated before the site's current
  week or month began (a late sync, an edit of an old record), a deleted or re-pointed
  walk, a merged or deleted topic, an action's gaps changed. Snapshots of finished periods
  (gemba/trends/snapshots.py) are valid only under the version they were counted at.

The session's flush tells what the ORM wrote and from which moment. Any other write to
the tables the trends read (`session.execute(update(Fact))`, a merge moving rows, textual
SQL) is noticed at the cursor and counts as "anything may have changed": every site's
version is raised and every topic's sightings are read again. Gap audit events need no
watching: they are written at the moment they happen, inside the current period.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Engine,
    Select,
    Table,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from gemba.domain import clock
from gemba.domain.trend_periods import local_midnight, site_zone
from gemba.extensions import db
from gemba.models import (
    Action,
    AuditEvent,
    Fact,
    Site,
    Statement,
    Topic,
    TopicSighting,
    TrendVersion,
    Walk,
    utcnow,
)
from gemba.platform import revision
from gemba.trends.sightings import SHADOW_WALKS

# The tables whose rows the trends count from (besides the audit trail, see above).
WATCHED = frozenset({"facts", "statements", "walks", "topics", "action_gaps"})
EVERYTHING = None  # a mark's moment when the whole history may have changed
_MARKS = "gemba_trend_marks"  # session.info: {"topics": {id: moment}, "sites": {id: moment}}
_UNKNOWN = "gemba_trend_unknown"  # connection.info: a watched table written outside a flush
_FLUSHING: ContextVar[bool] = ContextVar("gemba_trend_flushing", default=False)
_CHUNK = 500


def _earliest(old: datetime | None, new: datetime | None) -> datetime | None:
    if old is EVERYTHING or new is EVERYTHING:
        return EVERYTHING
    return min(old, new)


def _mark(marks: dict, kind: str, key: Any, moment: datetime | None) -> None:
    if key is None:
        return
    found = marks[kind]
    found[key] = _earliest(found[key], moment) if key in found else moment


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _values(obj: Any, name: str) -> list:
    """The attribute's value now and, when it changed in this flush, before."""
    history = inspect(obj).attrs[name].history
    return [*history.deleted, *(history.unchanged or ()), *history.added] or [getattr(obj, name)]


def _note_record(marks: dict, obj: Fact | Statement, gone: bool, new: bool) -> None:
    """A fact or statement written: its topics (before and after) from its moments. A new
    one can only move a topic's sightings outwards; a deleted or changed one may move them
    back, so those topics are read again exactly (`exact`)."""
    if new:
        _mark(marks, "topics", obj.topic_id, obj.observed_at)
        return
    if gone:
        _mark(marks, "topics", obj.topic_id, obj.observed_at)
        marks["exact"].add(obj.topic_id)
        return
    if not _changed(obj, "topic_id", "observed_at", "persona_id", *_walk_of(obj)):
        return
    moments = [m for m in _values(obj, "observed_at") if m is not None]
    moment = min(moments) if moments else EVERYTHING
    if _changed(obj, "persona_id"):  # a persona's gaps are those of its statements
        moment = EVERYTHING
    for topic_id in _values(obj, "topic_id"):
        _mark(marks, "topics", topic_id, moment)
        marks["exact"].add(topic_id)


def _walk_of(obj: Any) -> tuple[str, ...]:
    return ("walk_id",) if isinstance(obj, Fact) else ()


@event.listens_for(db.session, "before_flush")
def _flushing(_session: Session, _context, _instances) -> None:
    _FLUSHING.set(True)


def _no_marks() -> dict:
    return {"topics": {}, "sites": {}, "exact": set()}


@event.listens_for(db.session, "after_flush")
def _collect(session: Session, _context) -> None:
    """Note which topics and sites this flush touched: after its statements, so new records
    have their ids, while the session still shows what was new, changed and deleted."""
    marks = session.info.setdefault(_MARKS, _no_marks())
    for obj, new, gone in [
        *((o, True, False) for o in session.new),
        *((o, False, False) for o in session.dirty),
        *((o, False, True) for o in session.deleted),
    ]:
        if isinstance(obj, (Fact, Statement)):
            _note_record(marks, obj, gone, new)
        elif new:  # a new walk or topic has no records yet; theirs are marked themselves
            if isinstance(obj, AuditEvent) and _dated(obj):
                _mark(marks, "sites", obj.site_id, obj.at)
        elif isinstance(obj, Walk) and (gone or _changed(obj, "calibrates_id", "site_id")):
            for site_id in _values(obj, "site_id"):
                _mark(marks, "sites", site_id, EVERYTHING)
        elif isinstance(obj, Topic) and (gone or _changed(obj, "merged_into_id", "site_id")):
            _mark(marks, "topics", obj.id, EVERYTHING)
            marks["exact"].add(obj.id)
            for site_id in _values(obj, "site_id"):
                _mark(marks, "sites", site_id, EVERYTHING)
        elif isinstance(obj, Action) and (gone or _changed(obj, "gaps")):
            # A new action is verified later, in its own period; an old one's gaps changed
            # may move a verification into the past.
            _mark(marks, "sites", obj.site_id, EVERYTHING)


def _dated(event_row: AuditEvent) -> bool:
    """A gap or action event given its own moment (the app writes them at the moment they
    happen; a back-dated one, as an import writes, may change a finished period)."""
    return (
        event_row.site_id is not None
        and event_row.object_type in ("gap", "action")
        and event_row.at is not None
    )


@event.listens_for(db.session, "after_flush_postexec")
def _flushed(_session: Session, _context) -> None:
    _FLUSHING.set(False)


@event.listens_for(Engine, "before_cursor_execute")
def _note_statement(conn, _cursor, statement, _parameters, context, _executemany) -> None:
    """A watched table written outside the ORM's flush: its moments are unknown."""
    if _FLUSHING.get():
        return
    target = getattr(getattr(context, "compiled", None), "statement", None)
    if isinstance(target, UpdateBase):
        if isinstance(target.table, Table) and target.table.name in WATCHED:
            conn.info[_UNKNOWN] = True
    elif not isinstance(target, (Select, CompoundSelect)) and _text_writes_watched(statement):
        conn.info[_UNKNOWN] = True


# Textual SQL: the table an INSERT, UPDATE or DELETE names (schema changes write no rows).
_TEXT_TARGET = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)",
    re.IGNORECASE,
)
_SCHEMA = ("CREATE", "DROP", "ALTER", "VACUUM", "ANALYZE", "REINDEX", "SET", "RESET")


def _text_writes_watched(statement: str) -> bool:
    """Whether textual SQL may write a watched table (unreadable SQL may write any)."""
    if revision.is_read(statement):
        return False
    found = _TEXT_TARGET.match(statement)
    if found:
        return found.group(1).lower() in WATCHED
    words = statement.split(None, 1)
    return not words or words[0].upper() not in _SCHEMA


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget(conn) -> None:
    conn.info.pop(_UNKNOWN, None)


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_MARKS, None)
        _FLUSHING.set(False)


@event.listens_for(db.session, "before_commit")
def _keep(session: Session) -> None:
    """Refresh the touched topics' sightings and raise the versions of the sites whose past
    may have changed, in the transaction that is about to commit."""
    if session.in_nested_transaction():
        return
    session.flush()
    unknown = False
    for conn in revision.connections(session):
        unknown = conn.info.pop(_UNKNOWN, False) or unknown
    marks = session.info.pop(_MARKS, None) or _no_marks()
    if not unknown and not marks["topics"] and not marks["sites"]:
        return
    now = utcnow()
    if unknown:
        refresh_sightings(None)
        raise_versions(list(db.session.scalars(select(Site.id))))
        return
    topics = [t for t in marks["topics"] if t is not None]
    found = []
    if topics:
        found = db.session.execute(
            select(Topic.id, Topic.site_id, Site.time_zone)
            .join(Site, Site.id == Topic.site_id)
            .where(Topic.id.in_(topics))
        ).all()
    zones: dict[uuid.UUID, str | None] = {}
    if marks["sites"]:
        query = select(Site.id, Site.time_zone).where(Site.id.in_(list(marks["sites"])))
        zones.update((site, zone) for site, zone in db.session.execute(query))
    moments: dict[uuid.UUID, datetime | None] = dict(marks["sites"])
    for topic_id, site_id, zone in found:
        zones[site_id] = zone
        moment = marks["topics"][topic_id]
        moments[site_id] = _earliest(moments[site_id], moment) if site_id in moments else moment
    refresh_sightings(topics, marks["exact"])
    raise_versions(
        [s for s, m in moments.items() if m is EVERYTHING or m < finished_until(zones.get(s), now)]
    )


def finished_until(zone_name: str | None, now: datetime) -> datetime:
    """The end of the site's latest finished week or month: nothing dated from then on can
    change a period already over."""
    zone = site_zone(clock.canonical_zone(zone_name or "UTC") or "UTC")
    today = now.astimezone(zone).date()
    week = local_midnight(today - timedelta(days=today.weekday()), zone)
    month = local_midnight(today.replace(day=1), zone)
    return max(week, month)


def raise_versions(site_ids: Iterable[uuid.UUID]) -> None:
    """One more history version for each site (a first one where it had none)."""
    ids = sorted(set(site_ids), key=str)
    if not ids:
        return
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(TrendVersion).values([{"site_id": s, "version": 1} for s in ids])
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["site_id"], set_={"version": TrendVersion.version + 1}
        )
    )


def _sightings(topic_filter) -> Any:
    seen = select(Fact.observed_at).where(
        Fact.topic_id == Topic.id, Fact.walk_id.not_in(SHADOW_WALKS)
    )
    return select(
        Topic.id,
        Topic.site_id,
        seen.with_only_columns(func.min(Fact.observed_at)).scalar_subquery(),
        select(func.min(Statement.observed_at))
        .where(Statement.topic_id == Topic.id)
        .scalar_subquery(),
        seen.with_only_columns(func.max(Fact.observed_at)).scalar_subquery(),
    ).where(topic_filter)


_COLUMNS = ["topic_id", "site_id", "first_seen_at", "first_said_at", "last_seen_at"]


def refresh_sightings(topic_ids: list[int] | None, exact: set[int] = frozenset()) -> None:
    """Read again the sightings of these topics (of every topic, given None).

    Two transactions may write records on one topic at once (PostgreSQL): each reads the
    topic's sightings without the other's records. Where a transaction only added records,
    its sightings are merged with the row (the earliest first, the latest last), so
    whichever commits second keeps both; where it removed or moved some (`exact`), the
    row is locked first and then read afresh, with whatever committed before.
    """
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if topic_ids is None:  # every topic, overwritten (a deleted topic's row goes with it)
        db.session.execute(_upsert(postgres, None, merge=False))
        return
    exact_ids = sorted(t for t in topic_ids if t in exact)
    added_ids = sorted(t for t in topic_ids if t not in exact)
    for start in range(0, len(exact_ids), _CHUNK):
        chunk = exact_ids[start : start + _CHUNK]
        if postgres:
            db.session.execute(
                select(TopicSighting.topic_id)
                .where(TopicSighting.topic_id.in_(chunk))
                .with_for_update()
            )
        db.session.execute(_upsert(postgres, chunk, merge=False))
    for start in range(0, len(added_ids), _CHUNK):
        db.session.execute(_upsert(postgres, added_ids[start : start + _CHUNK], merge=postgres))


def _upsert(postgres: bool, chunk: list[int] | None, merge: bool):
    module = postgresql if postgres else sqlite
    chosen = Topic.id.is_not(None) if chunk is None else Topic.id.in_(chunk)
    statement = module.insert(TopicSighting).from_select(_COLUMNS, _sightings(chosen))
    new = statement.excluded
    if merge:  # PostgreSQL's LEAST and GREATEST pass over a NULL
        values = {
            "first_seen_at": func.least(TopicSighting.first_seen_at, new.first_seen_at),
            "first_said_at": func.least(TopicSighting.first_said_at, new.first_said_at),
            "last_seen_at": func.greatest(TopicSighting.last_seen_at, new.last_seen_at),
        }
    else:
        values = {name: new[name] for name in _COLUMNS[2:]}
    return statement.on_conflict_do_update(index_elements=["topic_id"], set_=values)
