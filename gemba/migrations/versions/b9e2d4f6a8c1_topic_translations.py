"""topic_translations: a topic's name per shipped language, shown beside the typed name

Revision ID: b9e2d4f6a8c1
Revises: a8d2f4b6c1e3
Create Date: 2026-12-04 22:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

import gemba.models.base  # noqa: F401  (column types)

# revision identifiers, used by Alembic.
revision = 'b9e2d4f6a8c1'
down_revision = 'a8d2f4b6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    # A new table only: SQLite creates it in place, no table rebuild.
    op.create_table('topic_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_translations_topic_id_topics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_topic_translations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_translations')),
    sa.UniqueConstraint('topic_id', 'language', name=op.f('uq_topic_translations_topic_id')),
    # A merge's undo finds the names it moved by id: SQLite must not reuse a cleared one's.
    sqlite_autoincrement=True,
    )


def downgrade():
    op.drop_table('topic_translations')
