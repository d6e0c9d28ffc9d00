"""trend snapshots and topic sightings: per topic its first and latest sightings, kept by
the write path, and each site's figures of finished periods under its history version, so
the trends page counts only the period that is not over yet

Revision ID: b7e2d4f6a8c1
Revises: 3ac4e33682b7
Create Date: 2026-12-06 10:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import gemba.models.base

# revision identifiers, used by Alembic.
revision = 'b7e2d4f6a8c1'
down_revision = '3ac4e33682b7'
branch_labels = None
depends_on = None

MOMENT = gemba.models.base.UTCDateTime()


def upgrade():
    op.create_table(
        "topic_sightings",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("first_seen_at", MOMENT, nullable=True),
        sa.Column("first_said_at", MOMENT, nullable=True),
        sa.Column("last_seen_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_sightings_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_topic_sightings_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_topic_sightings")),
    )
    op.create_index(op.f("ix_topic_sightings_site_id"), "topic_sightings", ["site_id"])
    op.create_table(
        "trend_versions",
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_trend_versions_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_trend_versions")),
    )
    op.create_table(
        "trend_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("persona_key", sa.String(length=36), nullable=False),
        sa.Column("stale_weeks", sa.Integer(), nullable=False),
        sa.Column("period_start", MOMENT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_trend_snapshots_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_snapshots")),
        sa.UniqueConstraint(
            "site_id", "unit", "zone", "persona_key", "stale_weeks", "period_start",
            name=op.f("uq_trend_snapshots_site_id"),
        ),
    )
    # Every topic's sightings from the records already there (the write path keeps them
    # from now on); shadow walks are left out as the trends leave them out.
    op.execute(
        """
        INSERT INTO topic_sightings (topic_id, site_id, first_seen_at, first_said_at, last_seen_at)
        SELECT t.id, t.site_id,
          (SELECT min(f.observed_at) FROM facts f WHERE f.topic_id = t.id AND f.walk_id NOT IN
             (SELECT w.id FROM walks w WHERE w.calibrates_id IS NOT NULL)),
          (SELECT min(s.observed_at) FROM statements s WHERE s.topic_id = t.id),
          (SELECT max(f.observed_at) FROM facts f WHERE f.topic_id = t.id AND f.walk_id NOT IN
             (SELECT w.id FROM walks w WHERE w.calibrates_id IS NOT NULL))
        FROM topics t
        """
    )


def downgrade():
    op.drop_table("trend_snapshots")
    op.drop_table("trend_versions")
    op.drop_index(op.f("ix_topic_sightings_site_id"), table_name="topic_sightings")
    op.drop_table("topic_sightings")
