"""api tokens expire and may be read-only: expires_at, scope

Revision ID: e4b8c2f6a9d1
Revises: d7e3f9a1b2c4
Create Date: 2026-12-05 10:00:00.000000

"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import gemba.models.base

# revision identifiers, used by Alembic.
revision = 'e4b8c2f6a9d1'
down_revision = 'd7e3f9a1b2c4'
branch_labels = None
depends_on = None

# Tokens made before expiry existed get the default lifetime from their creation, so
# one taken over long ago stops working now rather than living on.
_DAYS = 90


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('expires_at', gemba.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column('scope', sa.String(length=8), server_default='write', nullable=False)
        )
    conn = op.get_bind()
    tokens = sa.table(
        'api_tokens',
        sa.column('id', sa.Integer()),
        sa.column('created_at', sa.DateTime()),
        sa.column('expires_at', sa.DateTime()),
    )
    rows = conn.execute(
        sa.select(tokens.c.id, tokens.c.created_at).where(tokens.c.expires_at.is_(None))
    ).all()
    for token_id, created_at in rows:
        conn.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(expires_at=created_at + timedelta(days=_DAYS))
        )


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scope')
        batch_op.drop_column('expires_at')
