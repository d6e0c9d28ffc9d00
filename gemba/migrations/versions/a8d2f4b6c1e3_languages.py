"""Languages: a user's own choice and a site's language (both optional: nullable columns
added in place, no table rebuild)

Revision ID: a8d2f4b6c1e3
Revises: f3a9c1e7b5d2
Create Date: 2026-12-04 20:38:01.773355

"""
from alembic import op
import sqlalchemy as sa

import gemba.models.base  # noqa: F401  (column types)


# revision identifiers, used by Alembic.
revision = 'a8d2f4b6c1e3'
down_revision = 'f3a9c1e7b5d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('language')

