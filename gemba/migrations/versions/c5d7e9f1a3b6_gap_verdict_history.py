"""gap verdict history: a "flagged" audit event for every gap there is, and a "closed" one
for a kept gap the evidence no longer contradicts, so trends count gaps flagged before the
engine recorded its verdicts

Revision ID: c5d7e9f1a3b6
Revises: b9e2d4f6a8c1
Create Date: 2026-12-04 23:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import gemba.models.base

# revision identifiers, used by Alembic.
revision = 'c5d7e9f1a3b6'
down_revision = 'b9e2d4f6a8c1'
branch_labels = None
depends_on = None

ENGINE_VERBS = ("flagged", "closed")
BATCH = 1000

gaps = sa.table(
    "gaps",
    sa.column("id", sa.Uuid()),
    sa.column("site_id", sa.Uuid()),
    sa.column("topic_id", sa.Integer()),
    sa.column("contradicted", sa.Boolean()),
    sa.column("flagged_at", gemba.models.base.UTCDateTime()),
    sa.column("evidence_changed_at", gemba.models.base.UTCDateTime()),
)
audit = sa.table(
    "audit_events",
    sa.column("at", gemba.models.base.UTCDateTime()),
    sa.column("user_id", sa.Integer()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("verb", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("note", sa.Text()),
)


def _event(gap_id, site_id, topic_id, verb, at):
    detail = {"site": str(site_id), "topic": topic_id}
    if verb == "closed":
        detail["by"] = "evidence"
    return {"at": at, "user_id": None, "object_type": "gap", "object_id": str(gap_id),
            "verb": verb, "detail": detail, "note": None}


def upgrade():
    bind = op.get_bind()
    recorded = {
        object_id for (object_id,) in bind.execute(
            sa.select(audit.c.object_id).where(
                audit.c.object_type == "gap", audit.c.verb == "flagged"
            )
        )
    }
    rows = []
    for gap_id, site_id, topic_id, contradicted, flagged_at, changed_at in bind.execute(
        sa.select(gaps.c.id, gaps.c.site_id, gaps.c.topic_id, gaps.c.contradicted,
                  gaps.c.flagged_at, gaps.c.evidence_changed_at)
    ):
        if str(gap_id) in recorded:
            continue
        rows.append(_event(gap_id, site_id, topic_id, "flagged", flagged_at))
        if contradicted is False:
            rows.append(_event(gap_id, site_id, topic_id, "closed", changed_at or flagged_at))
    for start in range(0, len(rows), BATCH):
        bind.execute(sa.insert(audit), rows[start:start + BATCH])


def downgrade():
    op.execute(
        sa.delete(audit).where(
            audit.c.object_type == "gap",
            audit.c.verb.in_(ENGINE_VERBS),
            audit.c.user_id.is_(None),
        )
    )
