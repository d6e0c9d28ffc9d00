"""Triage: an analyst decides what a say-vs-do gap is (confirmed, dismissed, ...).

The decision keeps a snapshot of the evidence it was made on (severity, confidence,
number of contradicting facts). `gap_updates` compares new evidence with that snapshot
to show that the evidence changed since, and to re-open a dismissed gap when the
contradiction got much stronger. Every decision is written to the audit trail.
"""

from __future__ import annotations

from gemba.extensions import db
from gemba.models import AuditEvent, Gap, GapStatus, User, utcnow
from gemba.platform.database import transaction

REASON_LIMIT = 2000


def decide(gap_id: object, status: GapStatus | str, actor: User, reason: str | None = None) -> Gap:
    """A user's triage of one gap, in its own transaction, on the gap as it is now (its
    strength at triage is the one the database holds, not an earlier read's)."""
    with transaction():
        gap = db.session.get(Gap, gap_id)
        if gap is None:
            raise LookupError(gap_id)
        return triage(gap, status, actor, reason)


def triage(gap: Gap, status: GapStatus | str, actor: User, reason: str | None = None) -> Gap:
    """Set a gap's status for the actor and record why; raise ValueError if refused.

    A dismissal needs a reason. Runs inside the caller's `transaction()` (an action
    that answers gaps marks them actioned in its own); `decide` is the one for a user's
    triage of one gap.
    """
    try:
        new_status = GapStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in GapStatus)
        raise ValueError(f"Unknown gap status {status!r}; use one of {allowed}.") from None
    reason = reason.strip() if reason else None
    if new_status is GapStatus.dismissed and not reason:
        raise ValueError("Say why the gap is dismissed.")
    if reason and len(reason) > REASON_LIMIT:
        raise ValueError(f"Keep the reason under {REASON_LIMIT} characters.")
    now = utcnow()
    previous = gap.status
    evidence_count = len(gap.evidence or [])
    gap.status = new_status.value
    gap.triage_reason = reason
    gap.triaged_at = now
    gap.triaged_by_id = actor.id
    gap.triage_severity = gap.severity
    gap.triage_confidence = gap.confidence
    gap.triage_evidence_count = evidence_count
    db.session.add(
        AuditEvent(
            at=now,
            user_id=actor.id,
            object_type="gap",
            object_id=str(gap.id),
            site_id=gap.site_id,
            verb="triaged",
            detail={
                "from": previous,
                "to": new_status.value,
                "severity": gap.severity,
                "confidence": gap.confidence,
                "evidence_count": evidence_count,
                "contradicted": gap.contradicted,
            },
            note=reason,
        )
    )
    db.session.flush()
    return gap
