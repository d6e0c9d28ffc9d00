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
    validate_document,
)
from gemba.models import User

STATUSES = ("created", "updated", "unchanged", "rejected")


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
    return records.write(actor, batch)


def summary(result: records.WriteResult) -> dict[str, int]:
    """How many records were created, updated, unchanged and rejected."""
    counts = Counter(r.status for r in result.results)
    return {status: counts.get(status, 0) for status in STATUSES}


def describe(result: records.WriteResult) -> str:
    """One line a person reads after an import."""
    counts = summary(result)
    total = len(result.results)
    return f"{total} records: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES) + "."
