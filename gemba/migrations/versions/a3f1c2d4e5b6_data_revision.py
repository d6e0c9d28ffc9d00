"""data revision token for read-side caches; timeline indexes

Revision ID: a3f1c2d4e5b6
Revises: 78bddf6590d0
Create Date: 2026-11-23 13:45:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3f1c2d4e5b6'
down_revision = '78bddf6590d0'
branch_labels = None
depends_on = None

TIMELINE_TABLES = ('places', 'things', 'facts', 'statements')


def upgrade():
    table = op.create_table(
        'data_revision',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_revision')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': uuid.uuid4().hex}])
    for name in TIMELINE_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(f'ix_{name}_walk_time', ['walk_id', 'observed_at', 'id'], unique=False)
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_index('ix_facts_walk_id')
        batch_op.create_index('ix_facts_walk_topic', ['walk_id', 'topic_id'], unique=False)


def downgrade():
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_index('ix_facts_walk_topic')
        batch_op.create_index('ix_facts_walk_id', ['walk_id'], unique=False)
    for name in TIMELINE_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{name}_walk_time')
    op.drop_table('data_revision')
