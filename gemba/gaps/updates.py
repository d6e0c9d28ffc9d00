"""Keeps the gaps table current: the database side of the say-vs-do verdict.

The verdict is the pure `gemba.domain.saydo.judge`. Both ways in run the same four
steps, load → judge → plan → write, and differ only in how much they load:

- `refresh(topic_ids, statement_ids)`: the write path calls it inside its transaction
  with the topics and statements a user action touched;
- `recompute_all()`: every statement at once (`flask --app gemba gaps recompute`).

Planning compares each verdict with the stored row first, so a gap is written only
when something about it changed. A gap an analyst has triaged is never deleted and
keeps its status when the evidence moves; it records when the evidence changed, and a
dismissed gap re-opens only when the contradiction got much stronger (see
`_much_stronger`). docs/saydo.md writes the rules down.
"""

from __future__ import annotations

import gc
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import String, bindparam, delete, func, insert, or_, select, type_coerce, update

from gemba.domain.saydo import (
    Claim,
    FrequencyClaim,
    ManualLink,
    MeasureClaim,
    Observation,
    Verdict,
    judge,
)
from gemba.extensions import db
from gemba.models import (
    AuditEvent,
    Contradiction,
    Fact,
    Gap,
    GapStatus,
    Statement,
    Topic,
    Walk,
    gap_evidence,
    gap_id_for,
    utcnow,
)

# A dismissed gap re-opens when the contradiction is much stronger than when it was
# dismissed: at least REOPEN_COUNT_FACTOR times the contradicting facts and at least
# REOPEN_COUNT_MORE more of them, or a confidence at least REOPEN_CONFIDENCE higher.
REOPEN_COUNT_FACTOR = 2
REOPEN_COUNT_MORE = 2
REOPEN_CONFIDENCE = 0.25

# What the verdict decides about a gap: compared with the stored row before writing.
VERDICT_FIELDS = (
    "site_id",
    "topic_id",
    "walk_id",
    "kind",
    "severity",
    "confidence",
    "score",
    "explanation",
    "evidence",
    "observed",
    "stats",
    "contradicted",
)

_GAPS = Gap.__table__
_AUDIT = AuditEvent.__table__
_IN_CHUNK = 900  # values per IN (...) list, inside every backend's parameter limit
_UPDATE_GAP = update(_GAPS).where(_GAPS.c.id == bindparam("gap_id"))
_UNCITE = delete(gap_evidence).where(
    gap_evidence.c.gap_id == bindparam("gap"), gap_evidence.c.fact_id == bindparam("fact")
)

# The loading queries are built once, on tables rather than ORM entities, with the ids
# as expanding parameters: a one-fact write then spends its time in SQLite, not in
# building and compiling statements.
_S, _W, _T, _F, _C = (m.__table__ for m in (Statement, Walk, Topic, Fact, Contradiction))
_STATEMENTS = select(
    _S.c.id,
    _S.c.walk_id,
    _W.c.site_id,
    _S.c.topic_id,
    _T.c.site_id.label("topic_site_id"),
    _S.c.claim_frequency,
    _S.c.claim_value,
    _S.c.claim_unit,
    _S.c.claim_tolerance,
    _S.c.claim_comparator,
).select_from(_S.join(_W, _W.c.id == _S.c.walk_id).outerjoin(_T, _T.c.id == _S.c.topic_id))
# Fact ids are read as the driver returns them (32 hex digits on SQLite, a uuid on
# PostgreSQL), not as uuid.UUID objects: building 100,000 of those was a sixth of a full
# recompute. They sort like canonical ids, and only the ids a gap cites are converted.
# A fact counts only where its walk is at its topic's site: the write path keeps it so, and
# the join makes "another site's facts never count" hold whatever wrote the rows. Notes
# (neither performed nor a value) say nothing to a claim and are not loaded.
_FACTS = (
    select(_F.c.topic_id, type_coerce(_F.c.id, String), _F.c.performed, _F.c.value, _F.c.unit)
    .select_from(_F.join(_W, _W.c.id == _F.c.walk_id).join(_T, _T.c.id == _F.c.topic_id))
    .where(_T.c.site_id == _W.c.site_id, or_(_F.c.performed.is_not(None), _F.c.value.is_not(None)))
)
# Manual links with the site of the linked fact's walk; a link counts only where that is
# the statement's site, which its loaded row knows (checked in Python: joining the
# statement's walk as well made PostgreSQL spend more time planning than running).
_LINKS = select(
    _C.c.statement_id, type_coerce(_C.c.fact_id, String), _C.c.note, _W.c.site_id
).select_from(_C.join(_F, _F.c.id == _C.c.fact_id).join(_W, _W.c.id == _F.c.walk_id))
_STATES = select(
    _GAPS.c.statement_id,
    _GAPS.c.id,
    _GAPS.c.status,
    _GAPS.c.triaged_at,
    _GAPS.c.triage_confidence,
    _GAPS.c.triage_evidence_count,
    *(_GAPS.c[name] for name in VERDICT_FIELDS),
)


def _ids_in(column) -> Any:
    return column.in_(bindparam("ids", expanding=True))


_STATEMENTS_ON_TOPICS = _STATEMENTS.where(_ids_in(_S.c.topic_id))
_STATEMENTS_BY_ID = _STATEMENTS.where(_ids_in(_S.c.id))
_FACTS_ON_TOPICS = _FACTS.where(_ids_in(_F.c.topic_id))
_LINKS_OF_STATEMENTS = _LINKS.where(_ids_in(_C.c.statement_id))
_STATES_OF_STATEMENTS = _STATES.where(_ids_in(_GAPS.c.statement_id))
_TOPICS_OF_STATEMENTS = select(_S.c.topic_id).where(_ids_in(_S.c.id))
_LOCK_ALL_TOPICS = select(_T.c.id).order_by(_T.c.id).with_for_update(key_share=True)
_LOCK_TOPICS = _LOCK_ALL_TOPICS.where(_ids_in(_T.c.id))
_CHANGED_GAPS = (
    select(Gap)
    .where(_ids_in(Gap.id))
    .order_by(Gap.score.desc(), Gap.statement_id)
    .execution_options(populate_existing=True)
)


@dataclass(frozen=True, slots=True)
class _StatementRow:
    """What judging one statement needs, read without building ORM objects."""

    id: uuid.UUID
    walk_id: uuid.UUID
    site_id: uuid.UUID
    topic_id: int | None  # the statement's topic, stored on its gap
    evidence_topic: int | None  # the topic whose facts count (None if it is another site's)
    claim: Claim | None


@dataclass
class _Evidence:
    """Facts per topic, split by the claim kind they can speak to, and manual links."""

    behaviours: dict[int, list[Observation]] = field(default_factory=lambda: defaultdict(list))
    measurements: dict[int, list[Observation]] = field(default_factory=lambda: defaultdict(list))
    links: dict[uuid.UUID, list[ManualLink]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class _Plan:
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


# -- the two ways in ----------------------------------------------------------------------------


def refresh(
    topic_ids: Iterable[int], statement_ids: Iterable[uuid.UUID]
) -> tuple[list[Gap], list[uuid.UUID]]:
    """Re-judge the statements on these topics and these statements; return changed gaps.

    Runs inside the caller's transaction and does not commit. Returns the gaps created
    or updated (strongest first) and the ids of the gaps deleted.
    """
    topic_ids = {t for t in topic_ids if t is not None}
    statement_ids = set(statement_ids)
    if not topic_ids and not statement_ids:
        return [], []
    _serialise(topic_ids, statement_ids)
    rows = _load_statements(topic_ids, statement_ids)
    if not rows:
        return [], []
    ids = [row.id for row in rows]
    topics = sorted({row.evidence_topic for row in rows if row.evidence_topic is not None})
    evidence = _load_evidence(rows, topics, ids)
    states = _load_states(ids)
    plan = _plan(_judge_all(rows, evidence), states, utcnow())
    _write(plan)
    changed = plan.changed_ids
    gaps = list(db.session.scalars(_CHANGED_GAPS, {"ids": changed})) if changed else []
    return gaps, list(plan.deletes)


def recompute_all() -> dict[str, int]:
    """Re-judge every statement against all evidence; the same steps as refresh().

    Runs inside the caller's transaction and does not commit. Returns counts:
    statements judged, gaps changed (created or updated), cleared (deleted), and in all.
    """
    with _no_cycle_collection():
        _serialise(None, None)
        rows = _load_statements(None)
        evidence = _load_evidence(rows, None, None)
        states = _load_states(None)
        plan = _plan(_judge_all(rows, evidence), states, utcnow())
        _write(plan)
    return {
        "statements": len(rows),
        "changed": len(plan.inserts) + len(plan.updates),
        "cleared": len(plan.deletes),
        "gaps": db.session.scalar(select(func.count()).select_from(Gap)) or 0,
    }


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a recompute allocates its many small objects.

    None of them form cycles, but every few hundred allocations the collector walks
    them all again: about a tenth of a full recompute. Reference counting still frees
    everything, and the collector runs as usual afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- load -------------------------------------------------------------------------------------


def _serialise(topic_ids: set[int] | None, statement_ids: set[uuid.UUID] | None) -> None:
    """Make refreshes of one topic run one after another, on PostgreSQL.

    Two transactions adding a fact to the same topic would each judge without the other's
    fact, and the gap written last would miss the evidence of the first. Taking the topic
    rows (FOR NO KEY UPDATE, which leaves alone the key-share locks that foreign keys
    take) before reading anything makes the second wait for the first to commit, then
    read its facts. Topics are locked in id order so two writers cannot deadlock. SQLite
    needs none of this: `database.begin_write()` already makes writers queue.
    """
    if db.session.connection().dialect.name == "sqlite":
        return
    if topic_ids is None:
        db.session.execute(_LOCK_ALL_TOPICS).all()
        return
    topics = set(topic_ids)
    if statement_ids:
        topics.update(row[0] for row in _rows(_TOPICS_OF_STATEMENTS, sorted(statement_ids)))
    topics.discard(None)
    list(_rows(_LOCK_TOPICS, sorted(topics)))  # fetching the rows takes the locks


def _rows(query, ids: Iterable[Any] | None) -> Iterator[Any]:
    """Run a loading query over everything (ids None) or in chunks of the given ids."""
    if ids is None:
        yield from db.session.execute(query)
        return
    ids = list(ids)
    for start in range(0, len(ids), _IN_CHUNK):
        yield from db.session.execute(query, {"ids": ids[start : start + _IN_CHUNK]})


def _load_statements(topic_ids: Iterable[int] | None, statement_ids=()) -> list[_StatementRow]:
    """Statements with their site and claim; a topic of another site counts as none."""
    if topic_ids is None:
        found = _rows(_STATEMENTS, None)
    else:
        found = chain(
            _rows(_STATEMENTS_ON_TOPICS, sorted(topic_ids)),
            _rows(_STATEMENTS_BY_ID, sorted(statement_ids)),
        )
    rows: dict[uuid.UUID, _StatementRow] = {}
    for sid, walk_id, site_id, topic_id, topic_site, *claim in found:
        rows[sid] = _StatementRow(
            id=sid,
            walk_id=walk_id,
            site_id=site_id,
            topic_id=topic_id,
            evidence_topic=topic_id if topic_site == site_id else None,
            claim=_claim(*claim),
        )
    return list(rows.values())


def _claim(
    frequency: str | None,
    value: float | None,
    unit: str | None,
    tolerance: float | None,
    comparator: str | None,
) -> Claim | None:
    if frequency:
        return FrequencyClaim(frequency)
    if value is not None:
        return MeasureClaim(value, unit, tolerance, comparator)
    return None


def _load_evidence(
    rows: Sequence[_StatementRow],
    topic_ids: Sequence[int] | None,
    statement_ids: Sequence[uuid.UUID] | None,
) -> _Evidence:
    """Behaviour and measurement facts on the topics, and the statements' manual links."""
    evidence = _Evidence()
    behaviours, measurements = evidence.behaviours, evidence.measurements
    # The frequency rule reads only `performed`, the measure rule only `value`: each claim
    # gets the facts it can use (the same verdict for half the work), and a topic nobody
    # made that kind of claim about needs no observations of that kind at all.
    frequency_topics = {r.evidence_topic for r in rows if isinstance(r.claim, FrequencyClaim)}
    measure_topics = {r.evidence_topic for r in rows if isinstance(r.claim, MeasureClaim)}
    query = _FACTS if topic_ids is None else _FACTS_ON_TOPICS
    for topic_id, fact_id, performed, value, unit in _rows(query, topic_ids):
        if performed is not None and topic_id in frequency_topics:
            behaviours[topic_id].append(Observation(_fact_key(fact_id), performed))
        if value is not None and topic_id in measure_topics:
            measurements[topic_id].append(Observation(_fact_key(fact_id), None, value, unit))
    query = _LINKS if statement_ids is None else _LINKS_OF_STATEMENTS
    site_of = {row.id: row.site_id for row in rows}
    for statement_id, fact_id, note, fact_site in _rows(query, statement_ids):
        if site_of.get(statement_id) == fact_site:
            evidence.links[statement_id].append(ManualLink(_fact_key(fact_id), note))
    return evidence


def _load_states(statement_ids: Sequence[uuid.UUID] | None) -> dict[uuid.UUID, Any]:
    """The stored gaps as plain rows, keyed by statement: what planning compares with."""
    query = _STATES if statement_ids is None else _STATES_OF_STATEMENTS
    return {row.statement_id: row for row in _rows(query, statement_ids)}


# -- judge --------------------------------------------------------------------------------------


def _judge_all(
    rows: Iterable[_StatementRow], evidence: _Evidence
) -> Iterator[tuple[_StatementRow, Verdict | None]]:
    """Judge each statement; statements with the same claim on a topic share one verdict."""
    cache: dict[tuple[int | None, Claim | None], Verdict | None] = {}
    for row in rows:
        claim, topic = row.claim, row.evidence_topic
        if claim is None or topic is None:
            observations: Sequence[Observation] = ()
        elif isinstance(claim, FrequencyClaim):
            observations = evidence.behaviours.get(topic, ())
        else:
            observations = evidence.measurements.get(topic, ())
        manual = evidence.links.get(row.id)
        if manual:
            yield row, judge(claim, observations, manual)
            continue
        # Without manual links the verdict is a function of (topic, claim) alone.
        key = (topic, claim)
        if key not in cache:
            cache[key] = judge(claim, observations)
        yield row, cache[key]


# -- plan ---------------------------------------------------------------------------------------


def _plan(
    judged: Iterable[tuple[_StatementRow, Verdict | None]],
    states: dict[uuid.UUID, Any],
    now: datetime,
) -> _Plan:
    """Decide per statement: insert, update, delete or leave its gap alone."""
    plan = _Plan()
    for row, verdict in judged:
        state = states.get(row.id)
        contradicted = verdict is not None and verdict.contradicted
        if state is None:
            if contradicted:
                inserted = {
                    "id": gap_id_for(row.id),
                    "statement_id": row.id,
                    "status": GapStatus.open.value,
                    "flagged_at": now,
                    "evidence_changed_at": now,
                    **_fields(row, verdict),
                }
                plan.inserts.append(inserted)
                plan.cites[inserted["id"]] = ([], inserted["evidence"])
            continue
        if not contradicted and not _triaged(state):
            plan.deletes.append(state.id)
            continue
        fields = _fields(row, verdict) if contradicted else _settled_fields(row, verdict, state)
        if all(getattr(state, name) == value for name, value in fields.items()):
            continue
        status = state.status
        if contradicted and status == GapStatus.dismissed and _much_stronger(state, fields):
            status = GapStatus.open.value
            plan.audits.append(_reopened_event(state, fields, now))
        plan.updates.append(
            {"gap_id": state.id, "status": status, "evidence_changed_at": now, **fields}
        )
        if list(state.evidence or ()) != fields["evidence"]:
            plan.cites[state.id] = (list(state.evidence or ()), fields["evidence"])
    return plan


def _fields(row: _StatementRow, verdict: Verdict) -> dict[str, Any]:
    """A contradicted verdict as the gap's columns (numbers rounded, stats JSON-safe)."""
    severity, confidence = _round(verdict.severity), _round(verdict.confidence)
    return {
        "site_id": row.site_id,
        "topic_id": row.topic_id,
        "walk_id": row.walk_id,
        "kind": verdict.kind,
        "severity": severity,
        "confidence": confidence,
        "score": _round(severity * confidence),
        "explanation": verdict.explanation,
        "evidence": [_canonical_id(key) for key in verdict.evidence],
        "observed": verdict.observed,
        "stats": _json_safe(verdict.stats),
        "contradicted": True,
    }


def _settled_fields(row: _StatementRow, verdict: Verdict | None, state: Any) -> dict[str, Any]:
    """A triaged gap the evidence no longer contradicts: current numbers, no evidence."""
    if verdict is not None:
        fields = _fields(row, verdict)
    else:
        fields = {
            "site_id": row.site_id,
            "topic_id": row.topic_id,
            "walk_id": row.walk_id,
            "kind": state.kind,
            "severity": 0.0,
            "confidence": 0.0,
            "explanation": _no_verdict_reason(row),
            "observed": 0,
            "stats": {},
        }
    return {**fields, "score": 0.0, "evidence": [], "contradicted": False}


def _no_verdict_reason(row: _StatementRow) -> str:
    """Why a statement has no verdict now, for a triaged gap that is kept."""
    if row.claim is None:
        return "The statement makes no claim now."
    if row.evidence_topic is None:
        return "The statement has no topic now, so no observations count."
    return "No comparable observations on the topic now."


def _triaged(state: Any) -> bool:
    """An analyst has looked at this gap: it is kept even when nothing contradicts."""
    return state.triaged_at is not None or state.status != GapStatus.open


def _much_stronger(state: Any, fields: dict[str, Any]) -> bool:
    """The re-open rule: evidence well beyond what the gap was dismissed on."""
    before = state.triage_evidence_count or 0
    count = len(fields["evidence"])
    if count >= max(REOPEN_COUNT_FACTOR * before, before + REOPEN_COUNT_MORE):
        return True
    return fields["confidence"] >= (state.triage_confidence or 0.0) + REOPEN_CONFIDENCE


def _reopened_event(state: Any, fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The audit row of an automatic re-open (no user: the evidence did it)."""
    return {
        "at": now,
        "user_id": None,
        "object_type": "gap",
        "object_id": str(state.id),
        "verb": "reopened",
        "detail": {
            "from": GapStatus.dismissed.value,
            "to": GapStatus.open.value,
            "evidence_count": [state.triage_evidence_count, len(fields["evidence"])],
            "confidence": [state.triage_confidence, fields["confidence"]],
        },
        "note": "Re-opened: the evidence is much stronger than when it was dismissed.",
    }


# -- write --------------------------------------------------------------------------------------


def _write(plan: _Plan) -> None:
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
        (gap_id, uuid.UUID(fact_id))
        for gap_id, (before, now) in cites.items()
        for fact_id in set(now).difference(before)
    ]
    if gone:
        session.execute(_UNCITE, gone)
    if not new:
        return
    walk_of: dict[uuid.UUID, uuid.UUID] = {}
    for chunk in _chunks({fact_id for _, fact_id in new}):
        query = select(Fact.id, Fact.walk_id).where(Fact.id.in_(chunk))
        walk_of.update((fact_id, walk_id) for fact_id, walk_id in session.execute(query))
    rows = [
        {"gap_id": gap_id, "fact_id": fact_id, "walk_id": walk_of[fact_id]}
        for gap_id, fact_id in new
        if fact_id in walk_of
    ]
    if rows:
        session.execute(insert(gap_evidence), rows)


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


# -- small helpers ------------------------------------------------------------------------------


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    values = list(values)
    return [values[i : i + _IN_CHUNK] for i in range(0, len(values), _IN_CHUNK)]


def _fact_key(raw: Any) -> str:
    """A fact id as the verdict sees it: the driver's value as a string."""
    return raw if isinstance(raw, str) else str(raw)


def _canonical_id(key: str) -> str:
    """The id as gaps store it, 8-4-4-4-12 (a hex key sorts in the same order)."""
    if len(key) != 32:
        return key
    return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"


def _round(value: float) -> float:
    return round(value, 6)


def _json_safe(stats: dict) -> dict:
    """Stats go into a JSON column: floats rounded, infinities and NaN as None."""
    return {
        key: (_round(value) if math.isfinite(value) else None)
        if isinstance(value, float)
        else value
        for key, value in stats.items()
    }
