"""deleted_records: what a delete took, restorable by an admin for a while

Revision ID: f1a2b3c4d5e6
Revises: e4b8c2f6a9d1
Create Date: 2026-12-03 10:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import gemba.models.base

# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'e4b8c2f6a9d1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'deleted_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('object_type', sa.String(length=24), nullable=False),
        sa.Column('object_id', sa.Uuid(), nullable=False),
        sa.Column('site_id', sa.Uuid(), nullable=True),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('deleted_at', gemba.models.base.UTCDateTime(), nullable=False),
        sa.Column('deleted_by_id', sa.Integer(), nullable=True),
        sa.Column('records', sa.JSON(), nullable=False),
        sa.Column('photos', sa.JSON(), nullable=False),
        sa.Column('observers', sa.JSON(), nullable=False),
        sa.Column('restored_at', gemba.models.base.UTCDateTime(), nullable=True),
        sa.Column('restored_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['deleted_by_id'], ['users.id'],
            name=op.f('fk_deleted_records_deleted_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['restored_by_id'], ['users.id'],
            name=op.f('fk_deleted_records_restored_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deleted_records')),
    )
    op.create_index(
        'ix_deleted_records_deleted_at', 'deleted_records', ['deleted_at'], unique=False
    )


def downgrade():
    op.drop_index('ix_deleted_records_deleted_at', table_name='deleted_records')
    op.drop_table('deleted_records')
