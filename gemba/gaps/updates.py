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

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from gemba.domain import phrases
from gemba.domain.phrases import N_, Phrase
from gemba.domain.saydo import (
    Claim,
    FrequencyClaim,
    Observation,
    Verdict,
    judge,
    voiced,
)
from gemba.extensions import db
from gemba.gaps.loading import (
    Evidence,
    StatementRow,
    ids_in,
    load_evidence,
    load_statements,
    load_states,
    serialise,
)
from gemba.gaps.writing import Plan, write
from gemba.models import (
    Gap,
    GapStatus,
    gap_id_for,
    utcnow,
)
from gemba.platform.allocation import no_cycle_collection
from gemba.platform.database import transaction

# A dismissed gap re-opens when the contradiction is much stronger than when it was
# dismissed: at least REOPEN_COUNT_FACTOR times the contradicting facts and at least
# REOPEN_COUNT_MORE more of them, or a confidence at least REOPEN_CONFIDENCE higher.
REOPEN_COUNT_FACTOR = 2
REOPEN_COUNT_MORE = 2
REOPEN_CONFIDENCE = 0.25

_GAPS = Gap.__table__
_CHANGED_GAPS = (
    select(Gap)
    .where(ids_in(Gap.id))
    .order_by(Gap.score.desc(), Gap.statement_id)
    .execution_options(populate_existing=True)
)


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
    serialise(topic_ids, statement_ids)
    rows = load_statements(topic_ids, statement_ids)
    if not rows:
        return [], []
    ids = [row.id for row in rows]
    topics = sorted({row.evidence_topic for row in rows if row.evidence_topic is not None})
    evidence = load_evidence(rows, topics, ids)
    states = load_states(ids)
    plan = _plan(_judge_all(rows, evidence), states, utcnow())
    write(plan)
    changed = plan.changed_ids
    gaps = list(db.session.scalars(_CHANGED_GAPS, {"ids": changed})) if changed else []
    return gaps, list(plan.deletes)


def recompute_all() -> dict[str, int]:
    """Re-judge every statement against all evidence; the same steps as refresh().

    One transaction (joining the caller's, if any). Returns counts: statements judged,
    gaps changed (created or updated), cleared (deleted), and in all.
    """
    with transaction(), no_cycle_collection():
        serialise(None, None)
        rows = load_statements(None)
        evidence = load_evidence(rows, None, None)
        states = load_states(None)
        plan = _plan(_judge_all(rows, evidence), states, utcnow())
        write(plan)
    return {
        "statements": len(rows),
        "changed": len(plan.inserts) + len(plan.updates),
        "cleared": len(plan.deletes),
        "gaps": db.session.scalar(select(func.count()).select_from(Gap)) or 0,
    }


# -- judge --------------------------------------------------------------------------------------


def _judge_all(
    rows: Iterable[StatementRow], evidence: Evidence
) -> Iterator[tuple[StatementRow, Verdict | None]]:
    """Judge each statement; statements with the same claim on a topic share one verdict.
    The evidence lists come sorted in the verdict's order (`load_evidence`)."""
    cache: dict[tuple[int | None, Claim | None], Verdict | None] = {}
    # Per topic and kind of evidence: its counts and converted values, shared by its claims.
    memos: dict[tuple[int | None, bool], dict] = defaultdict(dict)
    for row in rows:
        claim, topic = row.claim, row.evidence_topic
        if claim is None or topic is None:
            observations: Sequence[Observation] = ()
        elif isinstance(claim, FrequencyClaim):
            observations = evidence.behaviours.get(topic, ())
        else:
            observations = evidence.measurements.get(topic, ())
        manual = evidence.links.get(row.id)
        memo = memos[(topic, isinstance(claim, FrequencyClaim))]
        if manual:
            yield row, judge(claim, observations, manual, ordered=True, memo=memo)
            continue
        # Without manual links the verdict is a function of (topic, claim) alone.
        key = (topic, claim)
        if key not in cache:
            cache[key] = judge(claim, observations, ordered=True, memo=memo)
        yield row, cache[key]


# -- plan ---------------------------------------------------------------------------------------


def _plan(
    judged: Iterable[tuple[StatementRow, Verdict | None]],
    states: dict[uuid.UUID, Any],
    now: datetime,
) -> Plan:
    """Decide per statement: insert, update, delete or leave its gap alone."""
    plan = Plan()
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
                plan.audits.append(_verdict_event(inserted["id"], row, FLAGGED, now))
            continue
        if not contradicted and not _triaged(state):
            plan.deletes.append(state.id)
            plan.audits.append(_verdict_event(state.id, row, CLOSED, now))
            continue
        fields = _fields(row, verdict) if contradicted else _settled_fields(row, verdict, state)
        if all(getattr(state, name) == value for name, value in fields.items()):
            continue
        if bool(state.contradicted) != contradicted:  # a kept gap's verdict turned
            plan.audits.append(
                _verdict_event(state.id, row, FLAGGED if contradicted else CLOSED, now)
            )
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


def _fields(row: StatementRow, verdict: Verdict) -> dict[str, Any]:
    """A contradicted verdict as the gap's columns (numbers rounded, stats JSON-safe; the
    stats keep the explanation's phrase, which pages render in the reader's language)."""
    verdict = voiced(row.standard, verdict)
    stats = _json_safe(verdict.stats)
    if verdict.phrase is not None:
        stats["phrase"] = phrases.to_json(verdict.phrase)
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
        "stats": stats,
        "contradicted": True,
    }


def _settled_fields(row: StatementRow, verdict: Verdict | None, state: Any) -> dict[str, Any]:
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
            "explanation": phrases.english(reason := _no_verdict_reason(row)),
            "observed": 0,
            "stats": {"phrase": phrases.to_json(reason)},
        }
    return {**fields, "score": 0.0, "evidence": [], "contradicted": False}


def _no_verdict_reason(row: StatementRow) -> Phrase:
    """Why a statement has no verdict now, for a triaged gap that is kept."""
    if row.claim is None:
        return Phrase(N_("The statement makes no claim now."))
    if row.evidence_topic is None:
        return Phrase(N_("The statement has no topic now, so no observations count."))
    return Phrase(N_("No comparable observations on the topic now."))


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


# The engine's own audit verbs: a gap flagged (or contradicted again) and a gap the evidence
# no longer contradicts (removed, or kept as "no longer contradicted" once triaged). With
# "triaged" and "reopened" they are the history trends count from (docs/trends.md), so a
# past month's numbers stay what they were after gaps come and go.
FLAGGED, CLOSED = "flagged", "closed"
ENGINE_VERBS = (FLAGGED, CLOSED)


def _verdict_event(gap_id: uuid.UUID, row: StatementRow, verb: str, now: datetime) -> dict:
    """The audit row of a verdict that turned, with the gap's site and topic (a removed
    gap's row is gone, its history is not)."""
    detail: dict[str, Any] = {"site": str(row.site_id), "topic": row.topic_id}
    if verb == CLOSED:
        detail["by"] = "evidence"
    return {
        "at": now,
        "user_id": None,
        "object_type": "gap",
        "object_id": str(gap_id),
        "site_id": row.site_id,
        "verb": verb,
        "detail": detail,
        "note": None,
    }


def _reopened_event(state: Any, fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The audit row of an automatic re-open (no user: the evidence did it)."""
    return {
        "at": now,
        "user_id": None,
        "object_type": "gap",
        "object_id": str(state.id),
        "site_id": state.site_id,
        "verb": "reopened",
        "detail": {
            "from": GapStatus.dismissed.value,
            "to": GapStatus.open.value,
            "evidence_count": [state.triage_evidence_count, len(fields["evidence"])],
            "confidence": [state.triage_confidence, fields["confidence"]],
        },
        "note": "Re-opened: the evidence is much stronger than when it was dismissed.",
    }


# -- small helpers ------------------------------------------------------------------------------


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
