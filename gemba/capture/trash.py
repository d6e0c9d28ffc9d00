"""What a delete keeps: the deleted record and what went with it, restorable for a while.

`records.delete` calls `keep` inside its transaction, before the row goes, so the kept
copy and the delete are saved together. The copy is what `capture.restore` writes back
through the write path: Gemba JSON records (the record, the records that went with it,
and those that only pointed at it, so their links come back), the photo rows, and each
walk's observer. Photo files are not removed by a delete: `flask photos sweep` removes
a file once no photo row and no kept delete refers to it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from gemba.capture.upserts import json_value
from gemba.extensions import db
from gemba.interchange.exports import (
    contradiction_record,
    fact_record,
    persona_record,
    place_record,
    site_export,
    statement_record,
    thing_record,
    walk_export,
)
from gemba.models import (
    Contradiction,
    DeletedRecord,
    Fact,
    Photo,
    Statement,
    Thing,
    User,
    Walk,
    fact_things,
    utcnow,
)
from gemba.photos.service import KINDS as PHOTO_KINDS

DEFAULT_DAYS = 30


def keep_days() -> int:
    """How long a delete can be undone (GEMBA_RESTORE_DAYS)."""
    return int(current_app.config.get("GEMBA_RESTORE_DAYS", DEFAULT_DAYS))


def cutoff(now: datetime | None = None) -> datetime:
    """Deletes before this moment can no longer be restored."""
    return (now or utcnow()) - timedelta(days=keep_days())


def keep(actor: User, type_: str, obj: Any) -> DeletedRecord:
    """Keep a copy of `obj` and of what its delete takes with it; in the caller's transaction."""
    records = _records(type_, obj)
    walks = [r["id"] for r in records if r["type"] == "walk"]
    observers = {
        str(walk_id): observer
        for walk_id, observer in db.session.execute(
            select(Walk.id, Walk.observer_id).where(Walk.id.in_([uuid.UUID(w) for w in walks]))
        )
    }
    entry = DeletedRecord(
        object_type=type_,
        object_id=obj.id,
        site_id=_site_of(type_, obj),
        label=_label(type_, obj),
        deleted_by_id=actor.id,
        records=records,
        photos=[_photo_row(photo) for photo in _photos(type_, obj)],
        observers=observers,
    )
    db.session.add(entry)
    return entry


def was_deleted(type_: str, record_id: uuid.UUID) -> bool:
    """Whether this record was deleted (and not brought back): a delete sent twice is done."""
    found = db.session.scalar(
        select(DeletedRecord.id)
        .where(DeletedRecord.object_type == type_, DeletedRecord.object_id == record_id)
        .where(DeletedRecord.restored_at.is_(None))
        .limit(1)
    )
    return found is not None


def restorable(limit: int = 200) -> list[DeletedRecord]:
    """Deletes that can still be undone, newest first."""
    return list(
        db.session.scalars(
            select(DeletedRecord)
            .where(DeletedRecord.deleted_at >= cutoff(), DeletedRecord.restored_at.is_(None))
            .order_by(DeletedRecord.deleted_at.desc(), DeletedRecord.id.desc())
            .limit(limit)
        )
    )


def kept_photo_keys() -> set[str]:
    """The photo files that kept deletes still need."""
    keys: set[str] = set()
    rows = db.session.scalars(
        select(DeletedRecord.photos).where(
            DeletedRecord.deleted_at >= cutoff(), DeletedRecord.restored_at.is_(None)
        )
    )
    for photos in rows:
        for photo in photos or []:
            keys.update(k for k in (photo.get(n) for n in PHOTO_KEYS) if k)
    return keys


def purge_expired() -> int:
    """Forget deletes older than the restore period; their files then go with the sweep."""
    result = db.session.execute(delete(DeletedRecord).where(DeletedRecord.deleted_at < cutoff()))
    return result.rowcount or 0


PHOTO_KEYS = ("display_key", "thumb_key", "original_key")


def _records(type_: str, obj: Any) -> list[dict[str, Any]]:
    if type_ == "site":
        return site_export(obj).document["records"]
    if type_ == "walk":
        return walk_export(obj).document["records"]
    if type_ == "contradiction":
        return [contradiction_record(obj)]
    if type_ == "persona":
        referring = _referring((Fact, Statement), "persona_id", obj.id)
        return [persona_record(obj), *referring]
    if type_ == "place":
        return [place_record(obj), *_referring((Thing, Fact, Statement), "place_id", obj.id)]
    if type_ == "thing":
        facts = db.session.scalars(
            select(Fact).join(fact_things).where(fact_things.c.thing_id == obj.id)
        )
        return [thing_record(obj), *(fact_record(f) for f in facts)]
    links = select(Contradiction).where(
        Contradiction.fact_id == obj.id if type_ == "fact" else Contradiction.statement_id == obj.id
    )
    own = fact_record(obj) if type_ == "fact" else statement_record(obj)
    return [own, *(contradiction_record(c) for c in db.session.scalars(links))]


_WRITERS = {Thing: thing_record, Fact: fact_record, Statement: statement_record}


def _referring(models: tuple[type, ...], column: str, target: uuid.UUID) -> list[dict]:
    """Records that point at the deleted one and lose that link with it (SET NULL)."""
    out: list[dict] = []
    for model in models:
        rows = db.session.scalars(select(model).where(getattr(model, column) == target))
        out.extend(_WRITERS[model](row) for row in rows)
    return out


def _photos(type_: str, obj: Any) -> list[Photo]:
    """The photo rows that go with the record (ON DELETE CASCADE)."""
    if type_ in PHOTO_KINDS:
        condition = PHOTO_KINDS[type_][1] == obj.id
    elif type_ == "walk":
        condition = Photo.walk_id == obj.id
    elif type_ == "site":
        condition = Photo.walk_id.in_(select(Walk.id).where(Walk.site_id == obj.id))
    else:
        return []
    return list(db.session.scalars(select(Photo).where(condition)))


def _photo_row(photo: Photo) -> dict[str, Any]:
    return {c.key: json_value(getattr(photo, c.key)) for c in Photo.__table__.columns}


def _site_of(type_: str, obj: Any) -> uuid.UUID | None:
    if type_ == "site":
        return obj.id
    if type_ == "persona":
        return obj.site_id
    if type_ == "walk":
        return obj.site_id
    walk = obj.fact.walk if type_ == "contradiction" else getattr(obj, "walk", None)
    return walk.site_id if walk is not None else None


def _label(type_: str, obj: Any) -> str:
    """A line an admin recognises the record by."""
    if type_ == "contradiction":
        words = f"{obj.fact.text} ↔ {obj.statement.text}"
    else:
        words = getattr(obj, "title", None) or getattr(obj, "name", None) or obj.text
    words = " ".join(str(words).split())
    return f"{type_.capitalize()}: {words}"[:200]
