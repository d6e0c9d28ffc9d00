"""Writing a plan: the gap rows inserted, updated and deleted, their audit events, and the
evidence lists as rows (`gap_evidence`), in a statement per kind of change.

Only the rows that a verdict changed are in a plan (see `updates._plan`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, text, update

from gemba.extensions import db
from gemba.gaps.loading import IN_CHUNK
from gemba.models import AuditEvent, Gap, gap_evidence

_GAPS = Gap.__table__
_AUDIT = AuditEvent.__table__
_UPDATE_GAP = update(_GAPS).where(_GAPS.c.id == bindparam("gap_id"))
_UNCITE = delete(gap_evidence).where(
    gap_evidence.c.gap_id == bindparam("gap"), gap_evidence.c.fact_id == bindparam("fact")
)
_PG_CHUNK = 50_000
_CITE_PG = text(
    "INSERT INTO gap_evidence (gap_id, fact_id, walk_id)"
    " SELECT c.gap_id, f.id, f.walk_id"
    " FROM unnest(CAST(:gaps AS uuid[]), CAST(:facts AS uuid[])) AS c (gap_id, fact_id)"
    " JOIN facts AS f ON f.id = c.fact_id ORDER BY c.gap_id, f.id"
)
# SQLite: a full recompute cites about 100,000 facts; building, binding and looking up uuid
# objects for each, and a query per 900 of them for their walks, was half of its time.
_CITE_TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS gemba_new_cites (gap_id CHAR(32), fact_id CHAR(32))",
    "INSERT INTO gemba_new_cites (gap_id, fact_id) VALUES (?, ?)",
    "INSERT INTO gap_evidence (gap_id, fact_id, walk_id) SELECT c.gap_id, f.id, f.walk_id"
    " FROM gemba_new_cites AS c JOIN facts AS f ON f.id = c.fact_id ORDER BY c.gap_id, f.id",
    "DELETE FROM gemba_new_cites",
)


@dataclass
class Plan:
    """The writes that bring the gaps table in line with the verdicts."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[uuid.UUID] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    # Gap id -> (the fact ids it cited, those it cites now), where the list changed.
    cites: dict[uuid.UUID, tuple[list[str], list[str]]] = field(default_factory=dict)

    @property
    def changed_ids(self) -> list[uuid.UUID]:
        return [row["id"] for row in self.inserts] + [row["gap_id"] for row in self.updates]


def write(plan: Plan) -> None:
    """Apply the plan with Core statements (one executemany per kind of change)."""
    session = db.session
    if plan.deletes:
        for chunk in _chunks(plan.deletes):
            session.execute(delete(_GAPS).where(_GAPS.c.id.in_(chunk)))
    if plan.inserts:
        session.execute(insert(_GAPS), plan.inserts)
    if plan.updates:
        session.execute(_UPDATE_GAP, plan.updates)
    if plan.audits:
        session.execute(insert(_AUDIT), plan.audits)
    if plan.cites:
        _write_citations(plan.cites)
    _forget_stale(set(plan.deletes), {row["gap_id"] for row in plan.updates})


def _write_citations(cites: dict[uuid.UUID, tuple[list[str], list[str]]]) -> None:
    """Bring the gap_evidence rows of these gaps from what they cited to what they cite
    now: usually a fact or two each, not the whole list again."""
    session = db.session
    gone = [
        {"gap": gap_id, "fact": uuid.UUID(fact_id)}
        for gap_id, (before, now) in cites.items()
        for fact_id in set(before).difference(now)
    ]
    new = [
        (gap_id, fact_id)
        for gap_id, (before, now) in cites.items()
        for fact_id in set(now).difference(before)
    ]
    if gone:
        session.execute(_UNCITE, gone)
    if not new:
        return
    if session.get_bind().dialect.name == "sqlite":
        _cite_sqlite(new)
    else:
        _cite_postgresql(new)


def _cite_postgresql(new: list[tuple[uuid.UUID, str]]) -> None:
    """The citation rows on PostgreSQL: the pairs as two arrays, joined to their facts'
    walks by one INSERT ... SELECT per 50,000 (a full recompute cites about a million facts
    at a million; a query per 900 of them for their walks, then the rows, took a minute)."""
    connection = db.session.connection()
    for start in range(0, len(new), _PG_CHUNK):
        chunk = new[start : start + _PG_CHUNK]
        connection.execute(
            _CITE_PG,
            {"gaps": [gap_id for gap_id, _ in chunk], "facts": [fact for _, fact in chunk]},
        )


def _cite_sqlite(new: list[tuple[uuid.UUID, str]]) -> None:
    """The citation rows on SQLite: the pairs go to a temporary table as the 32 hex digits
    a uuid is stored as, and one statement joins them to their facts' walks (see _CITE_TEMP).
    The temporary table is the connection's own and is emptied before the transaction ends."""
    connection = db.session.connection()
    create, fill, copy, empty = _CITE_TEMP
    connection.exec_driver_sql(create)
    pairs = [(gap_id.hex, fact_id.replace("-", "")) for gap_id, fact_id in new]
    connection.exec_driver_sql(fill, pairs)
    connection.exec_driver_sql(copy)
    connection.exec_driver_sql(empty)


def _forget_stale(deleted: set[uuid.UUID], updated: set[uuid.UUID]) -> None:
    """Gap objects the session already holds no longer match the table: drop or expire them."""
    if not deleted and not updated:
        return
    session = db.session
    for obj in list(session.identity_map.values()):
        if not isinstance(obj, Gap):
            continue
        if obj.id in deleted:
            session.expunge(obj)
        elif obj.id in updated:
            session.expire(obj)


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    values = list(values)
    return [values[i : i + IN_CHUNK] for i in range(0, len(values), IN_CHUNK)]
