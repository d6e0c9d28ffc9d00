"""The steps every record type shares on the write path: upsert a row, copy optional fields,
check the walk may be edited, resolve place, persona and topic, and note what the gaps
must look at again."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from gemba.capture.outcomes import Reject, WriteContext
from gemba.capture.permissions import can_edit_walk
from gemba.domain.gemba_json import parse_timestamp, parse_uuid
from gemba.extensions import db
from gemba.models import (
    AuditEvent,
    Contradiction,
    Fact,
    Persona,
    Place,
    Plan,
    PlanItem,
    Site,
    Statement,
    Thing,
    Topic,
    Walk,
    topic_key,
)
from gemba.topics import names as topic_names

MODELS: dict[str, type] = {
    "site": Site,
    "persona": Persona,
    "plan": Plan,
    "walk": Walk,
    "place": Place,
    "thing": Thing,
    "statement": Statement,
    "fact": Fact,
    "contradiction": Contradiction,
}
TYPE_OF = {model: type_ for type_, model in MODELS.items()} | {PlanItem: "plan_item"}
LOOK_UP = object()


def upsert(
    ctx: WriteContext,
    model: type,
    record_id: uuid.UUID,
    values: dict[str, Any],
    existing: Any = LOOK_UP,
) -> tuple[Any, str]:
    """Create the row, or update only the fields that differ; say which happened.
    `existing` is the stored row (or None) when the caller has already looked it up.

    An update is kept in the audit trail with who made it and the values before, so
    nothing a user entered is lost by someone else's edit."""
    obj = db.session.get(model, record_id) if existing is LOOK_UP else existing
    if obj is None:
        obj = model(id=record_id, **values)
        db.session.add(obj)
        return obj, "created"
    before: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            before[name] = json_value(old)
            setattr(obj, name, value)
    if not before:
        return obj, "unchanged"
    db.session.add(
        AuditEvent(
            user_id=ctx.actor.id,
            object_type=TYPE_OF[model],
            object_id=str(record_id),
            verb="updated",
            detail={"before": before},
        )
    )
    return obj, "updated"


def json_value(value: Any) -> Any:
    """A column's value as JSON can hold it: ids and times as text."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def optional(record: dict, values: dict, mapping: dict[str, str | tuple[str, Callable]]) -> None:
    """Copy optional fields that the record names; an absent field keeps its stored value."""
    for json_name, target in mapping.items():
        if json_name not in record:
            continue
        column, convert = target if isinstance(target, tuple) else (target, None)
        value = record[json_name]
        if value is not None and convert is not None:
            value = convert(value)
        if isinstance(value, str):
            value = value.strip() or None
        values[column] = value


def timestamp(value: str) -> datetime:
    return parse_timestamp(value)


def editable_walk(ctx: WriteContext, model: type, record: dict) -> tuple[Walk, Any]:
    """The record's walk, which must exist and be the actor's to edit, and the record as
    stored (None if new): one lookup each, which the apply functions reuse."""
    walk_id = parse_uuid(record["walk"])
    walk = ctx.walks.get(walk_id) or db.session.get(Walk, walk_id)
    if walk is None:
        raise Reject("walk", "Unknown walk.", 404)
    ctx.walks[walk_id] = walk
    record_id = parse_uuid(record["id"])
    stored = ctx.stored.get(model, {})
    existing = stored[record_id] if record_id in stored else db.session.get(model, record_id)
    if existing is not None and existing.walk_id != walk.id:
        raise Reject("walk", "A record cannot move to another walk.", 409)
    if not can_edit_walk(ctx.actor, walk):
        raise Reject("walk", "You can only add to and edit your own walks.", 403)
    return walk, existing


def place_id_of(record: dict, walk: Walk) -> uuid.UUID | None:
    if record.get("place") is None:
        return None
    place = db.session.get(Place, parse_uuid(record["place"]))
    if place is None or place.walk_id != walk.id:
        raise Reject("place", "Unknown place on this walk.", 404)
    return place.id


def persona_id_of(record: dict, site_id: uuid.UUID) -> uuid.UUID | None:
    if record.get("persona") is None:
        return None
    persona = db.session.get(Persona, parse_uuid(record["persona"]))
    if persona is None or persona.site_id != site_id:
        raise Reject("persona", "Unknown persona at this site.", 404)
    return persona.id


def topic_id_of(ctx: WriteContext, site_id: uuid.UUID, name: str | None) -> int | None:
    """The site's topic of that name, matched case- and space-insensitively, made if new.

    A name merged into another topic, or a synonym of one, means that topic."""
    if not name or not topic_key(name):
        return None
    key = topic_key(name)
    cached = ctx.topic_cache.get((site_id, key))
    if cached is not None:
        return cached
    topic_id = None
    if key not in ctx.topic_keys_read:
        topic_id = topic_names.resolve(site_id, key)
    if topic_id is None:
        topic = Topic(site_id=site_id, name=" ".join(name.split()), key=key)
        db.session.add(topic)
        db.session.flush()
        topic_id = topic.id
    ctx.topic_cache[(site_id, key)] = topic_id
    return topic_id


def note_touched(ctx: WriteContext, type_: str, obj: Any, *, new: bool = False) -> None:
    """Remember which topics and statements need their gaps refreshed (a record `new` in
    this write has no manual contradiction links yet: no need to look them up)."""
    if type_ in ("fact", "statement") and obj.topic_id is not None:
        ctx.topics.add(obj.topic_id)
    if type_ == "statement":
        ctx.statements.add(obj.id)
    if type_ == "contradiction":
        ctx.statements.add(obj.statement_id)
    if type_ == "fact" and not new:
        ctx.statements.update(
            db.session.scalars(
                select(Contradiction.statement_id).where(Contradiction.fact_id == obj.id)
            )
        )
    if type_ == "walk":
        ctx.statements.update(
            db.session.scalars(select(Statement.id).where(Statement.walk_id == obj.id))
        )


def claim_values(claim: dict | None) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(
        ("claim_frequency", "claim_value", "claim_unit", "claim_tolerance", "claim_comparator")
    )
    if not claim:
        return values
    if "frequency" in claim:
        values["claim_frequency"] = claim["frequency"]
        return values
    values["claim_value"] = float(claim["value"])
    unit = claim.get("unit")
    values["claim_unit"] = unit.strip() or None if isinstance(unit, str) else None
    if claim.get("tolerance") is not None:
        values["claim_tolerance"] = float(claim["tolerance"])
    values["claim_comparator"] = claim.get("comparator")
    return values


def shared_references(ctx: WriteContext, record: dict, walk: Walk, values: dict[str, Any]) -> None:
    """Place, persona and topic, which statements and facts name the same way."""
    if "place" in record:
        values["place_id"] = place_id_of(record, walk)
    if "persona" in record:
        values["persona_id"] = persona_id_of(record, walk.site_id)
    if "topic" in record:
        values["topic_id"] = topic_id_of(ctx, walk.site_id, record["topic"])


def drop_null_time(values: dict[str, Any]) -> None:
    if values.get("observed_at", "") is None:
        values.pop("observed_at")


# The words retention removes from each kind of record, and what they read as once removed.
WORDS: dict[type, tuple[str, str | None]] = {
    Place: ("note", None),
    Thing: ("note", None),
    Statement: ("text", ""),
    Fact: ("text", ""),
}


def keep_expiry(model: type, record: dict, values: dict[str, Any], existing: Any) -> None:
    """Retention's mark holds through every write: a record expired here keeps its words
    removed when a phone sends its old copy again, and a record that arrives with
    `expired_at` (an export of an anonymised walk) is stored expired, without words. Done
    here, in the one write, so the words are never back even for a moment."""
    stored = getattr(existing, "expired_at", None)
    sent = record.get("expired_at")
    when = stored or (timestamp(sent) if isinstance(sent, str) else None)
    if when is None:
        return
    column, empty = WORDS[model]
    values[column] = empty
    values["expired_at"] = when
