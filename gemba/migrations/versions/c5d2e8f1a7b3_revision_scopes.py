"""data revision tokens per table, so a page is kept while the tables it reads are unchanged

Revision ID: c5d2e8f1a7b3
Revises: a3f1c2d4e5b6
Create Date: 2026-11-23 18:00:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5d2e8f1a7b3'
down_revision = 'a3f1c2d4e5b6'
branch_labels = None
depends_on = None


def upgrade():
    # A cache token, not data: the table is made anew (every cached page is then stale).
    op.drop_table('data_revision')
    table = op.create_table(
        'data_revision',
        sa.Column('scope', sa.String(length=64), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_data_revision')),
    )
    op.bulk_insert(table, [{'scope': '*', 'token': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('data_revision')
    table = op.create_table(
        'data_revision',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_revision')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': uuid.uuid4().hex}])
