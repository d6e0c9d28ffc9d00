"""notice_preferences and sent_notices: e-mail notices, each decided once

Revision ID: e8f1c3a5d7b2
Revises: d4e7a2c9b1f0
Create Date: 2026-12-03 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import gemba.models.base  # noqa: F401  (column types)

# revision identifiers, used by Alembic.
revision = 'e8f1c3a5d7b2'
down_revision = 'd4e7a2c9b1f0'
branch_labels = None
depends_on = None


def upgrade():
    # New tables only: SQLite creates them in place, no table rebuild.
    op.create_table('notice_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notice_preferences'))
    )
    op.create_table('sent_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('created_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', gemba.models.base.UTCDateTime(), nullable=True),
    sa.Column('read_at', gemba.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sent_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_notices')),
    sa.UniqueConstraint('user_id', 'kind', 'key', name='uq_sent_notices_event')
    )
    with op.batch_alter_table('sent_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_notices_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_notices_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sent_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_notices_user_id'))
        batch_op.drop_index(batch_op.f('ix_sent_notices_state'))
    op.drop_table('sent_notices')
    op.drop_table('notice_preferences')
