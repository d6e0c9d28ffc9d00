"""actions.done_at: when an action took effect, to judge the evidence before and since

Revision ID: d4e7a2c9b1f0
Revises: cf0d3ddb01f4
Create Date: 2026-12-03 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import gemba.models.base  # noqa: F401  (column types)

# revision identifiers, used by Alembic.
revision = 'd4e7a2c9b1f0'
down_revision = 'cf0d3ddb01f4'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable with no default: SQLite adds it in place, no table rebuild.
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', gemba.models.base.UTCDateTime(), nullable=True))
    # Actions already done took effect at the latest when they were last changed.
    actions = sa.table(
        'actions',
        sa.column('status', sa.String(16)),
        sa.column('updated_at', sa.DateTime()),
        sa.column('done_at', sa.DateTime()),
    )
    op.execute(
        actions.update()
        .where(actions.c.status.in_(['done', 'verified']))
        .values(done_at=actions.c.updated_at)
    )


def downgrade():
    op.drop_column('actions', 'done_at')
