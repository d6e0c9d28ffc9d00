"""What the write path hands back, and what it carries while it writes a batch.

Kept apart from the write path itself so that the batch, the record types and the
callers (API responses, capture pages) share these types without importing each other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from gemba.domain.gemba_json import FieldError
from gemba.models import Gap, User, Walk


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


class Reject(Exception):
    def __init__(self, field_name: str, message: str, status: int = 422) -> None:
        self.error = FieldError(field_name, message)
        self.status = status


class Isolate(Exception):
    """A record was refused on the fast path: write the batch again, a savepoint per record."""


@dataclass
class WriteContext:
    actor: User
    topics: set[int] = field(default_factory=set)
    statements: set[uuid.UUID] = field(default_factory=set)
    topic_cache: dict[tuple[uuid.UUID, str], int] = field(default_factory=dict)
    # The batch's walks, held here: the session's identity map keeps only weak references,
    # so without this each record of a batch would load its walk again.
    walks: dict[uuid.UUID, Walk] = field(default_factory=dict)
    # The batch's records as stored (None: new), looked up together before writing.
    stored: dict[type, dict[uuid.UUID, Any]] = field(default_factory=dict)
    # Topic keys looked up for every site at once: one not in topic_cache is new.
    topic_keys_read: set[str] = field(default_factory=set)
