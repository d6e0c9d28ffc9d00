"""The one write path for walks and records.

Capture forms, API sync and import all hand Gemba JSON records to `write()`, so
validation, ownership checks and gap updates happen in one place and one
transaction per user action.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from gemba.domain.gemba_json import (
    WRITE_ORDER,
    FieldError,
    RecordInvalid,
    parse_timestamp,
    parse_uuid,
    record_type,
    validate_record,
)
from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.models import (
    Contradiction,
    Fact,
    Gap,
    Persona,
    Photo,
    Place,
    Role,
    Site,
    Statement,
    Thing,
    Topic,
    User,
    Walk,
    topic_key,
)
from gemba.platform.database import begin_write

MODELS: dict[str, type] = {
    "site": Site,
    "persona": Persona,
    "walk": Walk,
    "place": Place,
    "thing": Thing,
    "statement": Statement,
    "fact": Fact,
    "contradiction": Contradiction,
}


@dataclass
class RecordResult:
    """What happened to one record of a batch."""

    id: str | None
    type: str | None
    status: str  # created | updated | unchanged | rejected
    errors: list[FieldError] = field(default_factory=list)
    http_status: int = 200

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "status": self.status}
        if self.errors:
            out["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
            out["reason"] = "; ".join(e.message for e in self.errors)
        return out


@dataclass
class WriteResult:
    """The outcome of one user action: a result per record and the gaps it moved."""

    results: list[RecordResult]
    gaps: list[Gap] = field(default_factory=list)
    cleared_gaps: list[uuid.UUID] = field(default_factory=list)

    @property
    def rejected(self) -> list[RecordResult]:
        return [r for r in self.results if r.status == "rejected"]


class _Reject(Exception):
    def __init__(self, field_name: str, message: str, status: int = 422) -> None:
        self.error = FieldError(field_name, message)
        self.status = status


class _Isolate(Exception):
    """A record was refused on the fast path: write the batch again, a savepoint per record."""


@dataclass
class _Context:
    actor: User
    topics: set[int] = field(default_factory=set)
    statements: set[uuid.UUID] = field(default_factory=set)
    photo_keys: list[str] = field(default_factory=list)
    topic_cache: dict[tuple[uuid.UUID, str], int] = field(default_factory=dict)
    # The batch's walks, held here: the session's identity map keeps only weak references,
    # so without this each record of a batch would load its walk again.
    walks: dict[uuid.UUID, Walk] = field(default_factory=dict)
    # The batch's records as stored (None: new), looked up together before writing.
    stored: dict[type, dict[uuid.UUID, Any]] = field(default_factory=dict)
    # Topic keys looked up for every site at once: one not in topic_cache is new.
    topic_keys_read: set[str] = field(default_factory=set)


# -- public API ------------------------------------------------------------------------------


def write(actor: User, records: Iterable[Any], *, atomic: bool = False) -> WriteResult:
    """Validate, authorise and save a batch in one transaction; refresh the gaps it touches.

    Valid records are kept even when others in the batch are rejected (unless
    `atomic`: then one rejection saves nothing and raises RecordInvalid); records may
    come in any order (parents are written first); a record sent again is unchanged.
    """
    records = list(records)
    isolate, conflicts = False, 0
    while True:
        try:
            return _write_once(actor, records, atomic, isolate)
        except _Isolate:
            # Rare: a record that validated was refused (unknown walk, someone else's
            # record). Only a savepoint per record keeps the others, so start again so.
            db.session.rollback()
            isolate = True
            continue
        except (IntegrityError, OperationalError) as exc:
            # A concurrent writer created the same record or topic first, or the database
            # chose this transaction to lose a lock: try again, now it is an update or
            # unchanged. Anything else (a full disk, say) is not helped by trying again.
            db.session.rollback()
            conflicts += 1
            if conflicts == 3 or not worth_retrying(exc):
                raise


def worth_retrying(exc: Exception) -> bool:
    """A conflict or a lost lock clears on a second try; a full disk does not."""
    if isinstance(exc, IntegrityError):
        return True
    text = str(exc.orig if hasattr(exc, "orig") else exc).lower()
    return any(word in text for word in ("locked", "deadlock", "could not serialize"))


def save(actor: User, record: dict[str, Any]) -> WriteResult:
    """Save one record for a form; raises RecordInvalid (nothing saved) if it is refused."""
    return write(actor, [record], atomic=True)


def write_all_or_nothing(actor: User, batch: list[dict[str, Any]]) -> WriteResult:
    """One user action that makes several records: all are saved, or none."""
    return write(actor, batch, atomic=True)


def delete(actor: User, type_: str, record_id: uuid.UUID) -> WriteResult:
    """Delete one record (and what hangs off it) if the actor may; gaps follow."""
    model = MODELS[type_]
    begin_write()
    obj = db.session.get(model, record_id)
    if obj is None:
        db.session.rollback()
        raise RecordInvalid(FieldError("id", "No such record."), 404)
    ctx = _Context(actor)
    walk = _walk_of(type_, obj)
    if walk is not None and not can_edit_walk(actor, walk):
        db.session.rollback()
        raise RecordInvalid(FieldError("id", "You can only delete records of your own walks."), 403)
    if walk is None and not actor.has_role(Role.analyst):
        db.session.rollback()
        raise RecordInvalid(FieldError("id", "Only analysts and admins can delete this."), 403)
    _note_touched(ctx, type_, obj)
    if type_ == "walk":
        for topic_id in db.session.scalars(
            select(Fact.topic_id).where(Fact.walk_id == obj.id, Fact.topic_id.is_not(None))
        ):
            ctx.topics.add(topic_id)
        # Statements elsewhere that an observer linked to this walk's facts lose those links.
        ctx.statements.update(
            db.session.scalars(
                select(Contradiction.statement_id)
                .join(Fact, Fact.id == Contradiction.fact_id)
                .where(Fact.walk_id == obj.id)
            )
        )
    ctx.photo_keys.extend(_photo_keys(type_, obj))
    db.session.delete(obj)
    db.session.flush()
    changed, cleared = gap_updates.refresh(ctx.topics, ctx.statements)
    db.session.commit()
    _discard_unused_files(ctx.photo_keys)
    return WriteResult([RecordResult(str(record_id), type_, "deleted")], changed, cleared)


def can_edit_walk(actor: User, walk: Walk) -> bool:
    """Observers edit their own walks' records; admins edit everything."""
    return actor.has_role(Role.admin) or walk.observer_id == actor.id


# -- the batch ------------------------------------------------------------------------------


def _write_once(actor: User, records: list[Any], atomic: bool, isolate: bool) -> WriteResult:
    """One try at the batch. Most batches are all accepted, so the fast path applies every
    record in the one transaction and flushes once (a statement per table, not three per
    record); the first refusal on it raises _Isolate, and `isolate` then wraps each record
    in a savepoint, so a refused record leaves nothing behind and the rest are kept."""
    begin_write()
    ctx = _Context(actor)
    results: list[RecordResult | None] = [None] * len(records)
    valid: list[tuple[int, str, dict]] = []
    seen: dict[str, int] = {}
    rejected_ids: set[str] = set()
    for index, record in enumerate(records):
        type_ = record_type(record)
        rid = record.get("id") if isinstance(record, dict) else None
        rid = rid if isinstance(rid, str) else None
        errors = validate_record(record)
        if errors:
            results[index] = RecordResult(rid, type_, "rejected", errors, 422)
            if rid:
                with contextlib.suppress(ValueError):
                    rejected_ids.add(str(parse_uuid(rid)))
            continue
        key = f"{type_}:{parse_uuid(rid)}"
        if key in seen:  # the same record twice in one batch: the last one wins
            results[seen[key]] = RecordResult(rid, type_, "unchanged")
        seen[key] = index
        valid.append((index, type_, record))

    _look_up_together(ctx, valid)
    for index, type_, record in sorted(valid, key=lambda item: (WRITE_ORDER[item[1]], item[0])):
        if seen[f"{type_}:{parse_uuid(record['id'])}"] != index:
            continue
        refs = _references(record)
        if refs & rejected_ids:
            bad = sorted(refs & rejected_ids)[0]
            results[index] = RecordResult(
                record["id"],
                type_,
                "rejected",
                [FieldError(_ref_field(record, bad), "Refers to a record that was rejected.")],
                422,
            )
            rejected_ids.add(str(parse_uuid(record["id"])))
            continue
        if not isolate:
            try:
                results[index] = RecordResult(record["id"], type_, _APPLY[type_](ctx, record))
            except _Reject as reject:
                raise _Isolate from reject
            continue
        savepoint = db.session.begin_nested()
        try:
            status = _APPLY[type_](ctx, record)
            db.session.flush()
            savepoint.commit()
            results[index] = RecordResult(record["id"], type_, status)
        except _Reject as reject:
            savepoint.rollback()
            ctx.topic_cache.clear()  # topics made inside the savepoint are gone with it
            ctx.topic_keys_read.clear()
            results[index] = RecordResult(
                record["id"], type_, "rejected", [reject.error], reject.status
            )
            rejected_ids.add(str(parse_uuid(record["id"])))
    done = [r for r in results if r is not None]
    refused = [r for r in done if r.status == "rejected"]
    if atomic and refused:
        db.session.rollback()
        raise RecordInvalid(
            [e for r in refused for e in r.errors], max(r.http_status for r in refused)
        )
    db.session.flush()
    changed, cleared = gap_updates.refresh(ctx.topics, ctx.statements)
    db.session.commit()
    return WriteResult(done, changed, cleared)


def _look_up_together(ctx: _Context, valid: list[tuple[int, str, dict]]) -> None:
    """Load the batch's walk records that already exist, and the topics its records name,
    a query per kind instead of one per record (a sync batch is mostly new records)."""
    for type_ in ("place", "thing", "fact", "statement"):
        model = MODELS[type_]
        ids = sorted({parse_uuid(r["id"]) for _, t, r in valid if t == type_})
        if not ids:
            continue
        ctx.stored[model] = dict.fromkeys(ids)
        for chunk in _chunks(ids):
            found = db.session.scalars(select(model).where(model.id.in_(chunk)))
            ctx.stored[model].update((obj.id, obj) for obj in found)
    keys = sorted(
        {topic_key(r["topic"]) for _, _, r in valid if isinstance(r.get("topic"), str)} - {""}
    )
    for chunk in _chunks(keys):
        rows = db.session.execute(
            select(Topic.site_id, Topic.key, Topic.id).where(Topic.key.in_(chunk))
        )
        ctx.topic_cache.update(((site_id, key), topic_id) for site_id, key, topic_id in rows)
    ctx.topic_keys_read.update(keys)


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """Bounded IN lists, whatever the size of the batch."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _references(record: dict) -> set[str]:
    refs = set()
    for name in ("site", "walk", "place", "persona", "fact", "statement"):
        value = record.get(name)
        if isinstance(value, str):
            refs.add(str(parse_uuid(value)))
    for value in record.get("things") or []:
        refs.add(str(parse_uuid(value)))
    return refs


def _ref_field(record: dict, ref: str) -> str:
    for name in ("site", "walk", "place", "persona", "fact", "statement"):
        value = record.get(name)
        if isinstance(value, str) and str(parse_uuid(value)) == ref:
            return name
    return "things"


# -- helpers shared by the record types --------------------------------------------------------


_LOOK_UP = object()


def _upsert(
    model: type, record_id: uuid.UUID, values: dict[str, Any], existing: Any = _LOOK_UP
) -> tuple[Any, str]:
    """Create the row, or update only the fields that differ; say which happened.
    `existing` is the stored row (or None) when the caller has already looked it up."""
    obj = db.session.get(model, record_id) if existing is _LOOK_UP else existing
    if obj is None:
        obj = model(id=record_id, **values)
        db.session.add(obj)
        return obj, "created"
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return obj, "updated" if changed else "unchanged"


def _optional(record: dict, values: dict, mapping: dict[str, str | tuple[str, Callable]]) -> None:
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


def _time(value: str) -> datetime:
    return parse_timestamp(value)


def _editable_walk(ctx: _Context, model: type, record: dict) -> tuple[Walk, Any]:
    """The record's walk, which must exist and be the actor's to edit, and the record as
    stored (None if new): one lookup each, which the apply functions reuse."""
    walk_id = parse_uuid(record["walk"])
    walk = ctx.walks.get(walk_id) or db.session.get(Walk, walk_id)
    if walk is None:
        raise _Reject("walk", "Unknown walk.", 404)
    ctx.walks[walk_id] = walk
    record_id = parse_uuid(record["id"])
    stored = ctx.stored.get(model, {})
    existing = stored[record_id] if record_id in stored else db.session.get(model, record_id)
    if existing is not None and existing.walk_id != walk.id:
        raise _Reject("walk", "A record cannot move to another walk.", 409)
    if not can_edit_walk(ctx.actor, walk):
        raise _Reject("walk", "You can only add to and edit your own walks.", 403)
    return walk, existing


def _place_id(record: dict, walk: Walk) -> uuid.UUID | None:
    if record.get("place") is None:
        return None
    place = db.session.get(Place, parse_uuid(record["place"]))
    if place is None or place.walk_id != walk.id:
        raise _Reject("place", "Unknown place on this walk.", 404)
    return place.id


def _persona_id(record: dict, site_id: uuid.UUID) -> uuid.UUID | None:
    if record.get("persona") is None:
        return None
    persona = db.session.get(Persona, parse_uuid(record["persona"]))
    if persona is None or persona.site_id != site_id:
        raise _Reject("persona", "Unknown persona at this site.", 404)
    return persona.id


def _topic_id(ctx: _Context, site_id: uuid.UUID, name: str | None) -> int | None:
    """The site's topic of that name, matched case- and space-insensitively, made if new."""
    if not name or not topic_key(name):
        return None
    key = topic_key(name)
    cached = ctx.topic_cache.get((site_id, key))
    if cached is not None:
        return cached
    topic_id = None
    if key not in ctx.topic_keys_read:
        topic_id = db.session.scalar(
            select(Topic.id).where(Topic.site_id == site_id, Topic.key == key)
        )
    if topic_id is None:
        topic = Topic(site_id=site_id, name=" ".join(name.split()), key=key)
        db.session.add(topic)
        db.session.flush()
        topic_id = topic.id
    ctx.topic_cache[(site_id, key)] = topic_id
    return topic_id


def _note_touched(ctx: _Context, type_: str, obj: Any, *, new: bool = False) -> None:
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


def _walk_of(type_: str, obj: Any) -> Walk | None:
    if type_ == "walk":
        return obj
    if type_ == "contradiction":
        return obj.fact.walk
    if hasattr(obj, "walk"):
        return obj.walk
    return None


def _photo_keys(type_: str, obj: Any) -> list[str]:
    """The stored files of every photo that goes when this record goes."""
    condition = {
        "place": Photo.place_id == obj.id,
        "thing": Photo.thing_id == obj.id,
        "fact": Photo.fact_id == obj.id,
        "statement": Photo.statement_id == obj.id,
        "walk": Photo.walk_id == obj.id,
        "site": Photo.walk_id.in_(select(Walk.id).where(Walk.site_id == obj.id)),
    }.get(type_)
    if condition is None:
        return []
    keys: list[str] = []
    for photo in db.session.scalars(select(Photo).where(condition)):
        keys.extend(k for k in (photo.display_key, photo.thumb_key, photo.original_key) if k)
    return keys


def _discard_unused_files(keys: list[str]) -> None:
    """Delete stored files no remaining photo row refers to (content-addressed, so shared)."""
    if not keys:
        return
    from gemba.photos import service as photos

    photos.discard_unused(keys)


# -- one function per record type -------------------------------------------------------------


def _apply_site(ctx: _Context, record: dict) -> str:
    values: dict[str, Any] = {"name": record["name"].strip()}
    _optional(record, values, {"description": "description"})
    return _upsert_managed(ctx, Site, parse_uuid(record["id"]), values, "sites")


def _apply_persona(ctx: _Context, record: dict) -> str:
    site = db.session.get(Site, parse_uuid(record["site"]))
    if site is None:
        raise _Reject("site", "Unknown site.", 404)
    persona_id = parse_uuid(record["id"])
    existing = db.session.get(Persona, persona_id)
    if existing is not None and existing.site_id != site.id:
        raise _Reject("site", "A persona cannot move to another site.", 409)
    values: dict[str, Any] = {"site_id": site.id, "name": record["name"].strip()}
    _optional(record, values, {"description": "description"})
    return _upsert_managed(ctx, Persona, persona_id, values, "personas")


def _upsert_managed(
    ctx: _Context, model: type, record_id: uuid.UUID, values: dict[str, Any], noun: str
) -> str:
    """Sites and personas: anyone may resend them unchanged, only analysts change them.

    An observer's offline phone sends the site with its walk; that must not fail.
    """
    existing = db.session.get(model, record_id)
    if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
        return "unchanged"
    if not ctx.actor.has_role(Role.analyst):
        raise _Reject("type", f"Only analysts and admins can add or change {noun}.", 403)
    _, status = _upsert(model, record_id, values)
    return status


def _apply_walk(ctx: _Context, record: dict) -> str:
    site = db.session.get(Site, parse_uuid(record["site"]))
    if site is None:
        raise _Reject("site", "Unknown site.", 404)
    walk_id = parse_uuid(record["id"])
    existing = db.session.get(Walk, walk_id)
    if existing is not None:
        if existing.site_id != site.id:
            raise _Reject("site", "A walk cannot move to another site.", 409)
        if not can_edit_walk(ctx.actor, existing):
            raise _Reject("id", "This walk belongs to another observer.", 403)
    values: dict[str, Any] = {"site_id": site.id, "title": record["title"].strip()}
    _optional(
        record,
        values,
        {
            "purpose": "purpose",
            "status": "status",
            "started_at": ("started_at", _time),
            "ended_at": ("ended_at", _time),
        },
    )
    if values.get("status", "") is None:
        values["status"] = "in_progress"
    if values.get("started_at", "") is None:
        values.pop("started_at")
    if existing is None:
        values["observer_id"] = ctx.actor.id
    obj, status = _upsert(Walk, walk_id, values)
    if status != "unchanged":
        db.session.flush()
        if obj.ended_at is not None and obj.ended_at < obj.started_at:
            raise _Reject("ended_at", "A walk cannot end before it starts.")
    return status


def _apply_place(ctx: _Context, record: dict) -> str:
    walk, existing = _editable_walk(ctx, Place, record)
    values: dict[str, Any] = {"walk_id": walk.id, "name": record["name"].strip()}
    _optional(
        record,
        values,
        {
            "lat": "lat",
            "lon": "lon",
            "accuracy_m": "accuracy_m",
            "note": "note",
            "observed_at": ("observed_at", _time),
        },
    )
    if ("lat" in values) != ("lon" in values) or (values.get("lat") is None) != (
        values.get("lon") is None
    ):
        raise _Reject("lon" if "lat" in values else "lat", "Give both latitude and longitude.")
    _drop_null_time(values)
    _, status = _upsert(Place, parse_uuid(record["id"]), values, existing)
    return status


def _apply_thing(ctx: _Context, record: dict) -> str:
    walk, existing = _editable_walk(ctx, Thing, record)
    values: dict[str, Any] = {"walk_id": walk.id, "name": record["name"].strip()}
    _optional(
        record,
        values,
        {"kind": "kind", "note": "note", "observed_at": ("observed_at", _time)},
    )
    if "place" in record:
        values["place_id"] = _place_id(record, walk)
    if values.get("kind", "") is None:
        values["kind"] = "other"
    _drop_null_time(values)
    _, status = _upsert(Thing, parse_uuid(record["id"]), values, existing)
    return status


def _claim_values(claim: dict | None) -> dict[str, Any]:
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


def _shared_references(ctx: _Context, record: dict, walk: Walk, values: dict[str, Any]) -> None:
    """Place, persona and topic, which statements and facts name the same way."""
    if "place" in record:
        values["place_id"] = _place_id(record, walk)
    if "persona" in record:
        values["persona_id"] = _persona_id(record, walk.site_id)
    if "topic" in record:
        values["topic_id"] = _topic_id(ctx, walk.site_id, record["topic"])


def _apply_statement(ctx: _Context, record: dict) -> str:
    walk, before = _editable_walk(ctx, Statement, record)
    statement_id = parse_uuid(record["id"])
    if before is not None:
        _note_touched(ctx, "statement", before)
    values: dict[str, Any] = {"walk_id": walk.id, "text": record["text"].strip()}
    _optional(
        record,
        values,
        {"speaker": "speaker", "source": "source", "observed_at": ("observed_at", _time)},
    )
    if "claim" in record:
        values.update(_claim_values(record["claim"]))
    _shared_references(ctx, record, walk, values)
    _drop_null_time(values)
    obj, status = _upsert(Statement, statement_id, values, before)
    _note_touched(ctx, "statement", obj)
    return status


def _apply_fact(ctx: _Context, record: dict) -> str:
    walk, before = _editable_walk(ctx, Fact, record)
    fact_id = parse_uuid(record["id"])
    if before is not None:
        _note_touched(ctx, "fact", before)
    values: dict[str, Any] = {"walk_id": walk.id, "text": record["text"].strip()}
    _optional(
        record,
        values,
        {
            "performed": "performed",
            "value": ("value", float),
            "unit": "unit",
            "sentiment": "sentiment",
            "observed_at": ("observed_at", _time),
        },
    )
    _shared_references(ctx, record, walk, values)
    _drop_null_time(values)
    # A fact is a behaviour or a measurement: setting one clears the other.
    if values.get("performed") is not None:
        values.setdefault("value", None)
        values.setdefault("unit", None)
    elif values.get("value") is not None:
        values.setdefault("performed", None)
    obj, status = _upsert(Fact, fact_id, values, before)
    if "things" in record:
        wanted = [parse_uuid(t) for t in record.get("things") or []]
        things = []
        for position, thing_id in enumerate(dict.fromkeys(wanted)):
            thing = db.session.get(Thing, thing_id)
            if thing is None or thing.walk_id != walk.id:
                raise _Reject(f"things.{position}", "Unknown thing on this walk.", 404)
            things.append(thing)
        if {t.id for t in obj.things} != {t.id for t in things}:
            obj.things = things
            status = "updated" if status == "unchanged" else status
    _note_touched(ctx, "fact", obj, new=before is None)
    return status


def _apply_contradiction(ctx: _Context, record: dict) -> str:
    fact = db.session.get(Fact, parse_uuid(record["fact"]))
    if fact is None:
        raise _Reject("fact", "Unknown fact.", 404)
    statement = db.session.get(Statement, parse_uuid(record["statement"]))
    if statement is None:
        raise _Reject("statement", "Unknown statement.", 404)
    if fact.walk.site_id != statement.walk.site_id:
        raise _Reject("statement", "The statement is from another site.", 422)
    if not can_edit_walk(ctx.actor, fact.walk):
        raise _Reject("fact", "You can only link facts of your own walks.", 403)
    link_id = parse_uuid(record["id"])
    existing = db.session.get(Contradiction, link_id)
    if existing is not None and (
        existing.fact_id != fact.id or existing.statement_id != statement.id
    ):
        raise _Reject("id", "A link cannot be moved to other records.", 409)
    duplicate = db.session.scalar(
        select(Contradiction.id).where(
            Contradiction.fact_id == fact.id, Contradiction.statement_id == statement.id
        )
    )
    if duplicate is not None and duplicate != link_id:
        raise _Reject("fact", "This fact is already linked to that statement.", 409)
    values: dict[str, Any] = {"fact_id": fact.id, "statement_id": statement.id}
    _optional(record, values, {"note": "note"})
    if existing is None:
        values["created_by_id"] = ctx.actor.id
    obj, status = _upsert(Contradiction, link_id, values)
    ctx.statements.add(statement.id)
    return status


def _drop_null_time(values: dict[str, Any]) -> None:
    if values.get("observed_at", "") is None:
        values.pop("observed_at")


_APPLY: dict[str, Callable[[_Context, dict], str]] = {
    "site": _apply_site,
    "persona": _apply_persona,
    "walk": _apply_walk,
    "place": _apply_place,
    "thing": _apply_thing,
    "statement": _apply_statement,
    "fact": _apply_fact,
    "contradiction": _apply_contradiction,
}
