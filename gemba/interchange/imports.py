"""Gemba JSON in: a document's envelope checked, then its records written as one actor.

The envelope (JSON at all, the right format, not too many records) is refused whole;
single records are checked by `records.write`, the one write path every other
write goes through too, so a bad record is rejected alone and the rest are kept.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from gemba.capture import records
from gemba.domain.gemba_json import (
    MAX_RECORDS,
    FieldError,
    parse_timestamp,
    parse_uuid,
    validate_document,
)
from gemba.extensions import db
from gemba.models import Fact, Place, Statement, Thing, User
from gemba.platform.database import transaction

STATUSES = ("created", "updated", "unchanged", "rejected")
# Records a site's retention can expire: the model, and the column it empties to what.
EXPIRABLE = {
    "place": (Place, "note", None),
    "thing": (Thing, "note", None),
    "statement": (Statement, "text", ""),
    "fact": (Fact, "text", ""),
}


class DocumentInvalid(Exception):
    """The envelope is wrong (not JSON, wrong format, too many records): nothing was read."""

    def __init__(self, status: int, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


def _refuse_constant(name: str) -> None:
    """NaN and Infinity are Python extensions to JSON; no database keeps them faithfully."""
    raise ValueError(f"{name} is not valid JSON.")


def parse_json(data: bytes | str) -> Any:
    """Strict JSON: NaN and Infinity are refused, as is nesting too deep to read."""
    if not data:
        raise DocumentInvalid(400, "The body is empty; send a Gemba JSON document.")
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise DocumentInvalid(400, f"The body is not valid JSON: {exc}"[:300]) from None


def check_document(doc: Any) -> list[Any]:
    """The document's records, once the envelope is right; single records are checked later."""
    if not isinstance(doc, dict):
        raise DocumentInvalid(
            422, "Send a JSON object.", [FieldError("document", "Must be a JSON object.")]
        )
    batch = doc.get("records")
    if isinstance(batch, list) and len(batch) > MAX_RECORDS:
        raise DocumentInvalid(
            413,
            f"Too many records: send at most {MAX_RECORDS} per document.",
            [FieldError("records", f"At most {MAX_RECORDS} records per document.")],
        )
    errors = validate_document(doc)
    if errors:
        raise DocumentInvalid(422, "The document is not a Gemba JSON v1 document.", errors)
    return batch


def import_document(actor: User, doc: Any) -> records.WriteResult:
    """Write a document's records as the actor; bad records are rejected one by one."""
    batch = check_document(doc)
    result = records.write(actor, batch)
    keep_expired(batch, result)
    return result


def keep_expired(batch: list[Any], result: records.WriteResult) -> None:
    """Keep retention's mark through a sync or an import: a record that carries
    `expired_at` (an export of an anonymised walk) gets it, and a record already expired
    here keeps its words removed even if a phone sends its old copy again.

    The write path leaves `expired_at` alone (no form or phone sets it), so it is written
    here, after the records, in the caller's transaction if there is one."""
    accepted = {(r.type, r.id) for r in result.results if r.status != "rejected"}
    given: dict[str, dict] = {kind: {} for kind in EXPIRABLE}
    for record in batch:
        if not isinstance(record, dict) or not all(
            isinstance(record.get(k), str) for k in ("type", "id")
        ):
            continue
        key = (record.get("type"), record["id"])
        if key in accepted and key[0] in EXPIRABLE:
            when = record.get("expired_at")
            given[key[0]][parse_uuid(key[1])] = parse_timestamp(when) if when else None
    changes = []
    for kind, (model, column, empty) in EXPIRABLE.items():
        if not given[kind]:
            continue
        marked = [i for i, when in given[kind].items() if when is not None]
        rows = db.session.execute(
            db.select(model.id, model.expired_at, getattr(model, column)).where(
                model.id.in_(list(given[kind])),
                db.or_(model.expired_at.is_not(None), model.id.in_(marked)),
            )
        )
        for row_id, expired, words in rows:
            if expired is None or words not in (empty, None):
                values = {"expired_at": expired or given[kind][row_id], column: empty}
                changes.append(db.update(model).where(model.id == row_id).values(values))
    if changes:  # read first: a sync with nothing expired takes no write lock for this
        with transaction():
            for change in changes:
                db.session.execute(change, execution_options={"synchronize_session": False})


def summary(result: records.WriteResult) -> dict[str, int]:
    """How many records were created, updated, unchanged and rejected."""
    counts = Counter(r.status for r in result.results)
    return {status: counts.get(status, 0) for status in STATUSES}


def describe(result: records.WriteResult) -> str:
    """One line a person reads after an import."""
    counts = summary(result)
    total = len(result.results)
    return f"{total} records: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES) + "."
