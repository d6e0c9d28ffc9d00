"""walk plans: plans, their items and schedules; walks, facts and standards tied to them

statements.walk_id and gaps.walk_id become nullable: a plan item's standard is a
statement no walk logged. On SQLite that rebuilds both tables, which env.py does with
foreign keys off, so dropping the old table runs no ON DELETE CASCADE.

Revision ID: cf0d3ddb01f4
Revises: b7c4d1e9f2a3
Create Date: 2026-12-03 16:35:55.371554

"""
from alembic import op
import sqlalchemy as sa

import gemba.models.base  # noqa: F401  (column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = 'cf0d3ddb01f4'
down_revision = 'b7c4d1e9f2a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('route', sa.JSON(), nullable=False),
    sa.Column('schedule', sa.Text(), nullable=True),
    sa.Column('assignee_role', sa.String(length=16), nullable=True),
    sa.Column('created_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_plans_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_site_id'), ['site_id'], unique=False)

    op.create_table('plan_assignees',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_assignees_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_assignees_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'user_id', name=op.f('pk_plan_assignees'))
    )
    with op.batch_alter_table('plan_assignees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_assignees_user_id'), ['user_id'], unique=False)

    op.create_table('plan_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('created_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_plan_items_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_plan_items_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_items'))
    )
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_items_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_items_topic_id'), ['topic_id'], unique=False)

    op.create_table('plan_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('starts_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', gemba.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_schedules_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_schedules'))
    )
    with op.batch_alter_table('plan_schedules', schema=None) as batch_op:
        batch_op.create_index('ix_plan_schedules_plan_start', ['plan_id', 'starts_at'], unique=False)

    op.create_table('plan_entries',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', gemba.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['plan_items.id'], name=op.f('fk_plan_entries_item_id_plan_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_entries_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'item_id', name=op.f('pk_plan_entries'))
    )
    with op.batch_alter_table('plan_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_entries_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_item_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_facts_plan_item_id'), ['plan_item_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_facts_plan_item_id_plan_items'), 'plan_items', ['plan_item_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('gaps', schema=None) as batch_op:
        batch_op.alter_column('walk_id',
               existing_type=sa.Uuid(),
               nullable=True)

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_item_id', sa.Uuid(), nullable=True))
        batch_op.alter_column('walk_id',
               existing_type=sa.Uuid(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_statements_plan_item_id'), ['plan_item_id'])
        batch_op.create_foreign_key(batch_op.f('fk_statements_plan_item_id_plan_items'), 'plan_items', ['plan_item_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Uuid(), nullable=True))
        batch_op.create_index('ix_walks_plan_started', ['plan_id', 'started_at'], unique=False)
        batch_op.create_index('ix_walks_id_site', ['id', 'site_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_walks_plan_id_plans'), 'plans', ['plan_id'], ['id'], ondelete='SET NULL')



def downgrade():
    # Standards have no walk: they go with the plans (their gaps cascade).
    op.execute("DELETE FROM statements WHERE walk_id IS NULL")
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_walks_plan_id_plans'), type_='foreignkey')
        batch_op.drop_index('ix_walks_id_site')
        batch_op.drop_index('ix_walks_plan_started')
        batch_op.drop_column('plan_id')

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_statements_plan_item_id_plan_items'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_statements_plan_item_id'), type_='unique')
        batch_op.alter_column('walk_id',
               existing_type=sa.Uuid(),
               nullable=False)
        batch_op.drop_column('plan_item_id')

    with op.batch_alter_table('gaps', schema=None) as batch_op:
        batch_op.alter_column('walk_id',
               existing_type=sa.Uuid(),
               nullable=False)

    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_facts_plan_item_id_plan_items'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_facts_plan_item_id'))
        batch_op.drop_column('plan_item_id')

    with op.batch_alter_table('plan_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_entries_item_id'))

    op.drop_table('plan_entries')
    with op.batch_alter_table('plan_schedules', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_schedules_plan_start')

    op.drop_table('plan_schedules')
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_items_topic_id'))
        batch_op.drop_index(batch_op.f('ix_plan_items_site_id'))

    op.drop_table('plan_items')
    with op.batch_alter_table('plan_assignees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_assignees_user_id'))

    op.drop_table('plan_assignees')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_site_id'))

    op.drop_table('plans')
