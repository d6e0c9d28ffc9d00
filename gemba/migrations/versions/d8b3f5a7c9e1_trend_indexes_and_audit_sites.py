"""trend indexes and audit sites: facts and statements indexed by topic and time (a topic's
first and latest observation without reading its rows), facts by walk and feeling (the
experience maps' counts), and each gap and action audit event tagged with its site, so one
site's trends read one site's history

Revision ID: d8b3f5a7c9e1
Revises: c5d7e9f1a3b6
Create Date: 2026-12-05 22:20:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8b3f5a7c9e1'
down_revision = 'c5d7e9f1a3b6'
branch_labels = None
depends_on = None

BATCH = 1000

audit = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("site_id", sa.Uuid()),
)
gaps = sa.table("gaps", sa.column("id", sa.Uuid()), sa.column("site_id", sa.Uuid()))
actions = sa.table("actions", sa.column("id", sa.Uuid()), sa.column("site_id", sa.Uuid()))


def _uuid(text):
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def upgrade():
    with op.batch_alter_table("facts") as batch:
        batch.drop_index("ix_facts_topic_id")
        batch.create_index("ix_facts_topic_time", ["topic_id", "observed_at", "walk_id"])
        batch.create_index("ix_facts_walk_feeling", ["walk_id", "sentiment", "place_id"])
    with op.batch_alter_table("statements") as batch:
        batch.drop_index("ix_statements_topic_id")
        batch.create_index("ix_statements_topic_time", ["topic_id", "observed_at"])
    op.add_column("audit_events", sa.Column("site_id", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_audit_events_site", "audit_events", ["site_id", "object_type", "at"]
    )
    bind = op.get_bind()
    site_of = {gap_id: site_id for gap_id, site_id in bind.execute(sa.select(gaps.c.id, gaps.c.site_id))}
    site_of.update(bind.execute(sa.select(actions.c.id, actions.c.site_id)).all())
    updates = []
    for event_id, object_id, detail in bind.execute(
        sa.select(audit.c.id, audit.c.object_id, audit.c.detail).where(
            audit.c.object_type.in_(("gap", "action"))
        )
    ):
        site_id = _uuid((detail or {}).get("site")) if isinstance(detail, dict) else None
        site_id = site_id or site_of.get(_uuid(object_id))
        if site_id is not None:
            updates.append({"event": event_id, "site": site_id})
    # Triage events carry no site: a removed gap's is in its "flagged" event.
    flagged = {}
    for object_id, detail in bind.execute(
        sa.select(audit.c.object_id, audit.c.detail).where(audit.c.object_type == "gap")
    ):
        site_id = _uuid((detail or {}).get("site")) if isinstance(detail, dict) else None
        if site_id is not None:
            flagged.setdefault(object_id, site_id)
    known = {row["event"] for row in updates}
    for event_id, object_id in bind.execute(
        sa.select(audit.c.id, audit.c.object_id).where(audit.c.object_type == "gap")
    ):
        if event_id not in known and object_id in flagged:
            updates.append({"event": event_id, "site": flagged[object_id]})
    statement = (
        sa.update(audit).where(audit.c.id == sa.bindparam("event")).values(site_id=sa.bindparam("site"))
    )
    for start in range(0, len(updates), BATCH):
        bind.execute(statement, updates[start:start + BATCH])


def downgrade():
    op.drop_index("ix_audit_events_site", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("site_id")
    with op.batch_alter_table("statements") as batch:
        batch.drop_index("ix_statements_topic_time")
        batch.create_index("ix_statements_topic_id", ["topic_id"])
    with op.batch_alter_table("facts") as batch:
        batch.drop_index("ix_facts_walk_feeling")
        batch.drop_index("ix_facts_topic_time")
        batch.create_index("ix_facts_topic_id", ["topic_id"])
