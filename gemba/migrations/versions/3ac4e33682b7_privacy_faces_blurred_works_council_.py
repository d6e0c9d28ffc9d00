"""privacy: faces blurred, works council, photo views, retention

sites.works_council / keep_originals / photo_roles / retention_days, photos.blurred,
expired_at on places, things, facts and statements, and the photo_views log. Columns are
added in place (no table rebuild on SQLite); photos stored before this have blurred NULL
(never looked at: `flask photos blur` blurs their faces).

Revision ID: 3ac4e33682b7
Revises: ec3e4593b5ae
Create Date: 2026-12-06 04:04:43.320138

"""
from alembic import op
import sqlalchemy as sa

import gemba.models.base  # noqa: F401  (column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = '3ac4e33682b7'
down_revision = 'ec3e4593b5ae'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photo_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('photo_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('variant', sa.String(length=16), nullable=False),
    sa.Column('viewed_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_photo_views_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_photo_views_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_views'))
    )
    with op.batch_alter_table('photo_views', schema=None) as batch_op:
        batch_op.create_index('ix_photo_views_site_time', ['site_id', 'viewed_at'], unique=False)

    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', gemba.models.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blurred', sa.JSON(none_as_null=True), nullable=True))

    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', gemba.models.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('works_council', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('keep_originals', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('photo_roles', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=True))

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', gemba.models.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table('things', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', gemba.models.base.UTCDateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('things', schema=None) as batch_op:
        batch_op.drop_column('expired_at')

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('expired_at')

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('retention_days')
        batch_op.drop_column('photo_roles')
        batch_op.drop_column('keep_originals')
        batch_op.drop_column('works_council')

    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_column('expired_at')

    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_column('blurred')

    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_column('expired_at')

    with op.batch_alter_table('photo_views', schema=None) as batch_op:
        batch_op.drop_index('ix_photo_views_site_time')

    op.drop_table('photo_views')
