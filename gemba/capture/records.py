"""The one write path for walks and records.

Capture forms, API sync and import all hand Gemba JSON records to `write()`, so
validation, ownership checks and gap updates happen in one place and one
transaction per user action (`platform.database.transaction`). One try at a batch is
`capture.batch`; each record type's rules are in `capture.record_types`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from gemba.capture import trash
from gemba.capture.batch import write_once
from gemba.capture.outcomes import Isolate, RecordResult, WriteContext, WriteResult
from gemba.capture.permissions import can_edit_walk
from gemba.capture.upserts import MODELS, note_touched
from gemba.domain.gemba_json import FieldError, RecordInvalid
from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.models import Contradiction, Fact, Role, User, Walk
from gemba.platform.database import is_transient, transaction, writing

RETRIES = 3


def write(actor: User, records: Iterable[Any], *, atomic: bool = False) -> WriteResult:
    """Validate, authorise and save a batch in one transaction; refresh the gaps it touches.

    Valid records are kept even when others in the batch are rejected (unless
    `atomic`: then one rejection saves nothing and raises RecordInvalid); records may
    come in any order (parents are written first); a record sent again is unchanged.
    """
    records = list(records)
    # Inside a caller's transaction there is no starting again: each record gets its own
    # savepoint from the start, and a conflict is the caller's to handle.
    joined = writing()
    isolate, conflicts = joined, 0
    while True:
        try:
            with transaction():
                return write_once(actor, records, atomic, isolate)
        except Isolate:
            # Rare: a record that validated was refused (unknown walk, someone else's
            # record). Only a savepoint per record keeps the others, so start again so.
            isolate = True
        except (IntegrityError, OperationalError) as exc:
            # A concurrent writer created the same record or topic first, or the database
            # chose this transaction to lose a lock: try again, now it is an update or
            # unchanged. Anything else (a full disk, say) is not helped by trying again.
            conflicts += 1
            if joined or conflicts == RETRIES or not worth_retrying(exc):
                raise


def worth_retrying(exc: Exception) -> bool:
    """A conflict or a lost lock clears on a second try; a full disk does not."""
    return isinstance(exc, IntegrityError) or is_transient(exc)


def save(actor: User, record: dict[str, Any]) -> WriteResult:
    """Save one record for a form; raises RecordInvalid (nothing saved) if it is refused."""
    return write(actor, [record], atomic=True)


def write_all_or_nothing(actor: User, batch: list[dict[str, Any]]) -> WriteResult:
    """One user action that makes several records: all are saved, or none."""
    return write(actor, batch, atomic=True)


def delete(actor: User, type_: str, record_id: uuid.UUID) -> WriteResult:
    """Delete one record (and what hangs off it) if the actor may; gaps follow.

    What goes is kept (`capture.trash`) for an admin to restore; its photo files stay
    until `flask photos sweep` finds them needed by nothing."""
    ctx = WriteContext(actor)
    with transaction():
        obj = db.session.get(MODELS[type_], record_id)
        if obj is None:
            raise RecordInvalid(FieldError("id", "No such record."), 404)
        _check_may_delete(actor, type_, obj)
        note_touched(ctx, type_, obj)
        if type_ == "walk":
            _note_walk_evidence(ctx, obj)
        trash.keep(actor, type_, obj)
        db.session.delete(obj)
        db.session.flush()
        changed, cleared = gap_updates.refresh(ctx.topics, ctx.statements)
    return WriteResult([RecordResult(str(record_id), type_, "deleted")], changed, cleared)


def _check_may_delete(actor: User, type_: str, obj: Any) -> None:
    walk = _walk_of(type_, obj)
    if walk is not None and not can_edit_walk(actor, walk):
        raise RecordInvalid(FieldError("id", "You can only delete records of your own walks."), 403)
    if walk is None and not actor.has_role(Role.analyst):
        raise RecordInvalid(FieldError("id", "Only analysts and admins can delete this."), 403)


def _note_walk_evidence(ctx: WriteContext, walk: Walk) -> None:
    """A walk that goes takes its facts with it: their topics, and the statements elsewhere
    that an observer linked to them, are judged again."""
    ctx.topics.update(
        db.session.scalars(
            select(Fact.topic_id).where(Fact.walk_id == walk.id, Fact.topic_id.is_not(None))
        )
    )
    ctx.statements.update(
        db.session.scalars(
            select(Contradiction.statement_id)
            .join(Fact, Fact.id == Contradiction.fact_id)
            .where(Fact.walk_id == walk.id)
        )
    )


def _walk_of(type_: str, obj: Any) -> Walk | None:
    if type_ == "walk":
        return obj
    if type_ == "contradiction":
        return obj.fact.walk
    if hasattr(obj, "walk"):
        return obj.walk
    return None
