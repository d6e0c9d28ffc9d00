"""Actions verified by evidence: an action marked done is verified once the facts observed
since it took effect no longer contradict any statement it answers, on enough of them.

Old facts from before the fix keep contradicting the statement for ever, so the gap's
own verdict cannot say the fix worked; the facts since the action's `done_at` can. The
check runs in the write path's transaction, after the gaps were refreshed, for the
actions whose gaps are on the topics (or statements) the write touched; with no such
action waiting it costs one indexed query. A verified action can be taken back to open
by an analyst (actions.move_action), which clears `done_at`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import or_, select

from gemba.extensions import db
from gemba.gaps import evidence as evidence_mod
from gemba.models import Action, ActionStatus, AuditEvent, Gap, action_gaps

CONFIG_KEY = "GEMBA_VERIFY_MIN_OBSERVATIONS"
DEFAULT_MINIMUM = 10
VERB = "verified by evidence"


def minimum() -> int:
    """Observations since the action needed for each statement (GEMBA_VERIFY_MIN_OBSERVATIONS)."""
    return max(1, int(current_app.config.get(CONFIG_KEY, DEFAULT_MINIMUM)))


def waiting_actions(topic_ids: Iterable[int], statement_ids: Iterable[uuid.UUID]) -> list[Action]:
    """Done actions answering a gap on these topics or of these statements."""
    topics = sorted({t for t in topic_ids if t is not None})
    statements = sorted(set(statement_ids))
    if not topics and not statements:
        return []
    touched = []
    if topics:
        touched.append(Gap.topic_id.in_(topics))
    if statements:
        touched.append(Gap.statement_id.in_(statements))
    query = (
        select(Action)
        .join(action_gaps, action_gaps.c.action_id == Action.id)
        .join(Gap, Gap.id == action_gaps.c.gap_id)
        .where(Action.status == ActionStatus.done.value, Action.done_at.is_not(None))
        .where(or_(*touched))
        .distinct()
    )
    return list(db.session.scalars(query))


def verify(topic_ids: Iterable[int], statement_ids: Iterable[uuid.UUID]) -> list[Action]:
    """Verify the waiting actions the evidence since now supports; the actions verified."""
    verified = []
    for action in waiting_actions(topic_ids, statement_ids):
        if verify_one(action):
            verified.append(action)
    return verified


def verify_one(action: Action) -> bool:
    """Move the action to verified (audited, with the evidence) when every statement it
    answers holds on at least `minimum()` observations made since it took effect."""
    statements = [gap.statement for gap in action.gaps]
    if not statements or action.done_at is None:
        return False
    found = evidence_mod.load_for_statements(statements)
    since = {
        gap.statement_id: evidence_mod.loop_status(found[gap.statement_id], action.done_at)
        for gap in action.gaps
    }
    needed = minimum()
    if not all(s.state == "closed" and s.observed >= needed for s in since.values()):
        return False
    action.status = ActionStatus.verified.value
    db.session.add(
        AuditEvent(
            user_id=None,
            object_type="action",
            object_id=str(action.id),
            site_id=action.site_id,
            verb=VERB,
            detail={
                "since": action.done_at.isoformat(),
                "status": [ActionStatus.done.value, ActionStatus.verified.value],
                "statements": {
                    str(sid): {"explanation": s.verdict.explanation, "evidence": s.facts}
                    for sid, s in since.items()
                },
            },
        )
    )
    return True
