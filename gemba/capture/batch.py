"""One try at writing a batch of records: validate, order parents first, apply, refresh gaps.

Most batches are all accepted, so the fast path applies every record in the one
transaction and flushes once (a statement per table, not three per record); the first
refusal on it raises Isolate, and the caller then tries again with a savepoint per
record, so a refused record leaves nothing behind and the rest are kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from gemba.capture.outcomes import Isolate, RecordResult, Reject, WriteContext, WriteResult
from gemba.capture.record_types import APPLY
from gemba.capture.upserts import MODELS
from gemba.domain.gemba_json import (
    WRITE_ORDER,
    FieldError,
    RecordInvalid,
    parse_uuid,
    record_type,
    validate_record,
)
from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.gaps import verification
from gemba.models import User, topic_key
from gemba.topics import names as topic_names


def write_once(actor: User, records: list[Any], atomic: bool, isolate: bool) -> WriteResult:
    """One try at the batch, inside the caller's transaction (see the module's docstring)."""
    ctx = WriteContext(actor)
    results: list[RecordResult | None] = [None] * len(records)
    valid, seen, rejected_ids = _validate(records, results)
    _look_up_together(ctx, valid)
    for index, type_, record in sorted(valid, key=_write_order):
        if seen[f"{type_}:{parse_uuid(record['id'])}"] != index:
            continue
        bad = sorted(_references(record) & rejected_ids)
        if bad:
            error = FieldError(_ref_field(record, bad[0]), "Refers to a record that was rejected.")
            results[index] = RecordResult(record["id"], type_, "rejected", [error], 422)
        else:
            results[index] = _apply(ctx, type_, record, isolate)
        if results[index].status == "rejected":
            rejected_ids.add(str(parse_uuid(record["id"])))
    done = [r for r in results if r is not None]
    refused = [r for r in done if r.status == "rejected"]
    if atomic and refused:
        raise RecordInvalid(
            [e for r in refused for e in r.errors], max(r.http_status for r in refused)
        )
    db.session.flush()
    changed, cleared = gap_updates.refresh(ctx.topics, ctx.statements)
    verification.verify(ctx.topics, ctx.statements)
    return WriteResult(done, changed, cleared)


def _validate(
    records: list[Any], results: list[RecordResult | None]
) -> tuple[list[tuple[int, str, dict]], dict[str, int], set[str]]:
    """Check each record on its own: the valid ones (index, type, record), the index of the
    last copy of each record, and the ids of the rejected ones."""
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
    return valid, seen, rejected_ids


def _apply(ctx: WriteContext, type_: str, record: dict, isolate: bool) -> RecordResult:
    """Write one record: on the fast path a refusal restarts the batch isolated; isolated,
    a savepoint per record lets a refused one leave nothing behind."""
    if not isolate:
        try:
            return RecordResult(record["id"], type_, APPLY[type_](ctx, record))
        except Reject as reject:
            raise Isolate from reject
    savepoint = db.session.begin_nested()
    try:
        status = APPLY[type_](ctx, record)
        db.session.flush()
        savepoint.commit()
        return RecordResult(record["id"], type_, status)
    except Reject as reject:
        savepoint.rollback()
        ctx.topic_cache.clear()  # topics made inside the savepoint are gone with it
        ctx.topic_keys_read.clear()
        return RecordResult(record["id"], type_, "rejected", [reject.error], reject.status)


def _look_up_together(ctx: WriteContext, valid: list[tuple[int, str, dict]]) -> None:
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
        rows = topic_names.resolve_keys(chunk)
        ctx.topic_cache.update(((site_id, key), topic_id) for site_id, key, topic_id in rows)
    ctx.topic_keys_read.update(keys)


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """Bounded IN lists, whatever the size of the batch."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_order(item: tuple[int, str, dict]) -> tuple[int, bool, int]:
    """Parents first; among walks, a calibration walk after the walk it shadows."""
    index, type_, record = item
    return WRITE_ORDER[type_], type_ == "walk" and bool(record.get("calibrates")), index


_REFERENCE_FIELDS = ("site", "plan", "walk", "place", "persona", "fact", "statement", "calibrates")


def _references(record: dict) -> set[str]:
    refs = set()
    for name in _REFERENCE_FIELDS:
        value = record.get(name)
        if isinstance(value, str):
            refs.add(str(parse_uuid(value)))
    for value in record.get("things") or []:
        refs.add(str(parse_uuid(value)))
    return refs


def _ref_field(record: dict, ref: str) -> str:
    for name in _REFERENCE_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and str(parse_uuid(value)) == ref:
            return name
    return "things"
