"""Read side of the actions: the board, one action with its loop, the action form's choices.

An action is decided from gaps; its page reads, per linked gap, whether the evidence
observed since the action was created still contradicts the statement, so the loop is
closed by what was seen on later walks rather than by a ticked box. Due dates compare
against today's date in UTC, like every stored timestamp.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from gemba.extensions import db
from gemba.gaps import evidence as evidence_mod
from gemba.models import (
    Action,
    ActionStatus,
    AuditEvent,
    Gap,
    GapStatus,
    Site,
    Statement,
    User,
    Walk,
)
from gemba.review import verification_walks
from gemba.review.queries import history


def today() -> date:
    """The date actions fall due against (UTC, like every stored timestamp)."""
    return datetime.now(UTC).date()


def is_overdue(action: Action, on: date) -> bool:
    """Past its due date and not done yet."""
    return (
        action.due_date is not None
        and action.due_date < on
        and action.status in (ActionStatus.open.value, ActionStatus.in_progress.value)
    )


def action_board(site_id: uuid.UUID | None, owner_id: int | None) -> dict[str, list[Action]]:
    """Actions by status, overdue first within a column, with owner and gaps loaded."""
    query = (
        select(Action)
        .options(
            joinedload(Action.owner),
            selectinload(Action.gaps).joinedload(Gap.statement),
        )
        .order_by(Action.due_date.is_(None), Action.due_date, Action.created_at)
    )
    if site_id:
        query = query.where(Action.site_id == site_id)
    if owner_id:
        query = query.where(Action.owner_id == owner_id)
    board: dict[str, list[Action]] = {s.value: [] for s in ActionStatus}
    for action in db.session.scalars(query):
        board.setdefault(action.status, []).append(action)
    return board


def load_action(action_id: uuid.UUID) -> Action | None:
    return db.session.scalars(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.owner),
            selectinload(Action.gaps)
            .joinedload(Gap.statement)
            .options(
                joinedload(Statement.topic),
                joinedload(Statement.walk).joinedload(Walk.site),
                joinedload(Statement.persona),
            ),
        )
    ).one_or_none()


@dataclass
class ActionDetail:
    action: Action
    site: Site
    evidence: dict[uuid.UUID, evidence_mod.StatementEvidence]  # by statement id
    loops: dict[uuid.UUID, evidence_mod.LoopStatus]  # by gap id: since it took effect
    befores: dict[uuid.UUID, evidence_mod.LoopStatus]  # by gap id: before (once done)
    history: list[AuditEvent]
    created_by: User | None
    walks: list[verification_walks.VerificationWalk]

    @property
    def loop_closed(self) -> bool:
        """Every linked statement holds on the evidence observed since the action."""
        return bool(self.loops) and all(s.state == "closed" for s in self.loops.values())


def action_detail(action: Action) -> ActionDetail:
    """The action with, per linked gap, whether later evidence still contradicts."""
    statements = [gap.statement for gap in action.gaps]
    found = evidence_mod.load_for_statements(statements)
    effective = action.done_at or action.created_at
    loops = {
        gap.id: evidence_mod.loop_status(found[gap.statement_id], effective) for gap in action.gaps
    }
    befores = {
        gap.id: evidence_mod.before_status(found[gap.statement_id], action.done_at)
        for gap in action.gaps
        if action.done_at is not None
    }
    created_by = db.session.get(User, action.created_by_id) if action.created_by_id else None
    return ActionDetail(
        action=action,
        site=db.session.get(Site, action.site_id),
        evidence=found,
        loops=loops,
        befores=befores,
        history=history("action", [action.id]),
        created_by=created_by,
        walks=verification_walks.walks_of(action),
    )


def gap_choices(site_id: uuid.UUID, topic_ids: set[int], keep: set[uuid.UUID]) -> list[Gap]:
    """Gaps an action may link: the ones linked already and gaps on the same topics."""
    query = (
        select(Gap)
        .join(Statement, Statement.id == Gap.statement_id)
        .options(contains_eager(Gap.statement))
        .where(Gap.site_id == site_id)
    )
    conditions = []
    if keep:
        conditions.append(Gap.id.in_(keep))
    if topic_ids:
        conditions.append(
            Gap.topic_id.in_(topic_ids) & Gap.status.not_in([GapStatus.dismissed.value])
        )
    if not conditions:
        return []
    return list(
        db.session.scalars(query.where(or_(*conditions)).order_by(Gap.score.desc()).limit(50))
    )


def owner_choices() -> list[tuple[str, str]]:
    """Active users an action can be given to."""
    rows = db.session.execute(
        select(User.id, User.email).where(User.active.is_(True)).order_by(User.email)
    )
    return [(str(i), email.split("@", 1)[0] + f" ({email})") for i, email in rows]
