"""Evidence quality: announced and shadowed walks, topic synonyms and merges

walks.announced / observer_visible / calibrates_id, plans.announced, sites.walks_announced,
topics.merged_into_id, and the tables topic_synonyms and topic_merges. On SQLite adding the
foreign keys rebuilds walks and topics, with foreign keys off (migrations/env.py).

Revision ID: f3a9c1e7b5d2
Revises: e8f1c3a5d7b2
Create Date: 2026-12-04 19:15:59.830086

"""
from alembic import op
import sqlalchemy as sa

import gemba.models.base  # noqa: F401  (column types)


# revision identifiers, used by Alembic.
revision = 'f3a9c1e7b5d2'
down_revision = 'e8f1c3a5d7b2'
branch_labels = None
depends_on = None


def _repair_sqlite_orphans():
    """Do what SQLite's foreign keys would have done to rows left pointing at nothing.

    Before this revision, migrating on start could leave the app's SQLite connections with
    foreign keys off, so a delete did not cascade. Each such row is deleted (ON DELETE
    CASCADE, or no action) or its reference cleared (SET NULL), until none is left."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for _ in range(10):  # a deleted row's own children show up on the next round
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if not broken:
            return
        for table, rowid, _parent, fkid in broken:
            keys = bind.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').fetchall()
            columns = [k[3] for k in keys if k[0] == fkid]
            if keys and [k[6] for k in keys if k[0] == fkid][0] == "SET NULL":
                sets = ", ".join(f'"{c}" = NULL' for c in columns)
                bind.exec_driver_sql(f'UPDATE "{table}" SET {sets} WHERE rowid = ?', (rowid,))
            else:
                bind.exec_driver_sql(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))


def upgrade():
    _repair_sqlite_orphans()
    op.create_table('topic_merges',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('similarity', sa.Double(), nullable=True),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.Column('undone_at', gemba.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_topic_merges_merged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_topic_merges_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['topics.id'], name=op.f('fk_topic_merges_source_id_topics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['topics.id'], name=op.f('fk_topic_merges_target_id_topics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_topic_merges_undone_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_merges'))
    )
    with op.batch_alter_table('topic_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topic_merges_site_id'), ['site_id'], unique=False)

    op.create_table('topic_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', gemba.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_topic_synonyms_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_topic_synonyms_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_synonyms_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_synonyms')),
    sa.UniqueConstraint('site_id', 'key', name=op.f('uq_topic_synonyms_site_id'))
    )
    with op.batch_alter_table('topic_synonyms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topic_synonyms_topic_id'), ['topic_id'], unique=False)

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced', sa.Boolean(), nullable=True))

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walks_announced', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_topics_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_topics_merged_into_id_topics'), 'topics', ['merged_into_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('observer_visible', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('calibrates_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_walks_calibrates_id'), ['calibrates_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_walks_calibrates_id_walks'), 'walks', ['calibrates_id'], ['id'], ondelete='SET NULL')
        # The engine's join of facts to walks reads calibrates_id too: index-only still.
        batch_op.drop_index('ix_walks_id_site')
        batch_op.create_index('ix_walks_id_site_shadow', ['id', 'site_id', 'calibrates_id'], unique=False)



def downgrade():
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.drop_index('ix_walks_id_site_shadow')
        batch_op.create_index('ix_walks_id_site', ['id', 'site_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_walks_calibrates_id_walks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_walks_calibrates_id'))
        batch_op.drop_column('calibrates_id')
        batch_op.drop_column('observer_visible')
        batch_op.drop_column('announced')

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_topics_merged_into_id_topics'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_topics_merged_into_id'))
        batch_op.drop_column('merged_into_id')

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('walks_announced')

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('announced')

    with op.batch_alter_table('topic_synonyms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_synonyms_topic_id'))

    op.drop_table('topic_synonyms')
    with op.batch_alter_table('topic_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_merges_site_id'))

    op.drop_table('topic_merges')
