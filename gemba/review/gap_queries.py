"""Read side of the gap page: one gap with its evidence, verdict, history, actions, photos.

Like the inbox (`gemba.review.queries`), the page's data comes in a fixed number of
queries however much evidence stands behind the gap. `neighbours` finds the gaps before
and after it in inbox order, so an analyst can page through open gaps with j and k.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from gemba.extensions import db
from gemba.gaps import evidence as evidence_mod
from gemba.models import (
    Action,
    AuditEvent,
    Gap,
    GapStatus,
    Photo,
    Plan,
    PlanEntry,
    Statement,
    action_gaps,
)
from gemba.review.queries import gap_options, history, photos_for


@dataclass
class GapDetail:
    gap: Gap
    evidence: evidence_mod.StatementEvidence
    history: list[AuditEvent]
    actions: list[Action]
    photos: dict[uuid.UUID, list[Photo]]
    loops: dict[uuid.UUID, evidence_mod.LoopStatus]  # action id -> since it took effect
    befores: dict[uuid.UUID, evidence_mod.LoopStatus]  # action id -> before (done ones)
    plans: list[Plan]  # for a standard: the plans that check it


def load_gap(gap_id: uuid.UUID) -> Gap | None:
    """A gap with its statement, topic, walk, site, persona and place loaded."""
    query = select(Gap).where(Gap.id == gap_id).options(*gap_options(), joinedload(Gap.triaged_by))
    return db.session.scalars(query).unique().one_or_none()


def gap_detail(gap: Gap) -> GapDetail:
    """Everything the gap page shows: evidence, verdict, history, actions, photos."""
    found = evidence_mod.load_for_statements([gap.statement])[gap.statement_id]
    actions = list(
        db.session.scalars(
            select(Action)
            .join(action_gaps, action_gaps.c.action_id == Action.id)
            .where(action_gaps.c.gap_id == gap.id)
            .options(joinedload(Action.owner))
            .order_by(Action.created_at)
        )
    )
    fact_ids = [f.id for f in found.facts] + [link.fact_id for link in found.links]
    return GapDetail(
        gap=gap,
        evidence=found,
        history=history("gap", [gap.id]),
        actions=actions,
        photos=photos_for(fact_ids, [gap.statement_id]),
        loops={a.id: evidence_mod.loop_status(found, a.done_at or a.created_at) for a in actions},
        befores={a.id: evidence_mod.before_status(found, a.done_at) for a in actions if a.done_at},
        plans=_plans_checking(gap.statement),
    )


def _plans_checking(statement: Statement) -> list[Plan]:
    if statement.plan_item_id is None:
        return []
    query = (
        select(Plan)
        .join(PlanEntry, PlanEntry.plan_id == Plan.id)
        .where(PlanEntry.item_id == statement.plan_item_id)
        .order_by(Plan.title, Plan.id)
    )
    return list(db.session.scalars(query))


def neighbours(gap: Gap) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The previous and next open gap in inbox order (strongest first), for j/k paging."""
    base = select(Gap.id).where(Gap.status == GapStatus.open.value, Gap.id != gap.id)
    # The plain range on score lets the (status, score) index find the neighbour at once;
    # the OR only settles ties.
    stronger = db.session.scalar(
        base.where(Gap.score >= gap.score)
        .where(or_(Gap.score > gap.score, Gap.id < gap.id))
        .order_by(Gap.score.asc(), Gap.id.desc())
        .limit(1)
    )
    weaker = db.session.scalar(
        base.where(Gap.score <= gap.score)
        .where(or_(Gap.score < gap.score, Gap.id > gap.id))
        .order_by(Gap.score.desc(), Gap.id)
        .limit(1)
    )
    return stronger, weaker
