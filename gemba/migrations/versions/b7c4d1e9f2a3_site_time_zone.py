"""sites.time_zone: the IANA zone a site's times are shown in

Revision ID: b7c4d1e9f2a3
Revises: f1a2b3c4d5e6
Create Date: 2026-12-08 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from gemba.platform.time_zones import CONFIG_KEY, resolve_default

# revision identifiers, used by Alembic.
revision = 'b7c4d1e9f2a3'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def _default_zone() -> str:
    """Sites made before zones existed get the server's zone, as a new site would."""
    try:
        configured = current_app.config.get(CONFIG_KEY)
    except RuntimeError:  # run by Alembic without the app
        configured = None
    return resolve_default(configured)


def upgrade():
    # Added with a constant default, so SQLite adds the column in place: rebuilding the
    # sites table would run the ON DELETE CASCADE of every walk and record at the site.
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False)
        )
    sites = sa.table('sites', sa.column('time_zone', sa.String(length=64)))
    op.execute(sites.update().values(time_zone=_default_zone()))


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch rebuild: see upgrade().
    op.drop_column('sites', 'time_zone')
