"""gap_evidence: the facts each gap cites, as rows, for the walk page's gap queries

Revision ID: d7e3f9a1b2c4
Revises: c5d2e8f1a7b3
Create Date: 2026-12-02 22:20:00.000000

"""
import json
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7e3f9a1b2c4'
down_revision = 'c5d2e8f1a7b3'
branch_labels = None
depends_on = None

_CHUNK = 900


def upgrade():
    table = op.create_table(
        'gap_evidence',
        sa.Column('gap_id', sa.Uuid(), nullable=False),
        sa.Column('fact_id', sa.Uuid(), nullable=False),
        sa.Column('walk_id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ['fact_id'], ['facts.id'], name=op.f('fk_gap_evidence_fact_id_facts'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['gap_id'], ['gaps.id'], name=op.f('fk_gap_evidence_gap_id_gaps'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['walk_id'], ['walks.id'], name=op.f('fk_gap_evidence_walk_id_walks'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('gap_id', 'fact_id', name=op.f('pk_gap_evidence')),
    )
    op.create_index(op.f('ix_gap_evidence_fact_id'), 'gap_evidence', ['fact_id'], unique=False)
    op.create_index('ix_gap_evidence_walk_gap', 'gap_evidence', ['walk_id', 'gap_id'], unique=False)
    # Existing gaps: their evidence lists as rows (only facts that still exist).
    conn = op.get_bind()
    gaps = sa.table('gaps', sa.column('id', sa.Uuid()), sa.column('evidence', sa.JSON()))
    facts = sa.table('facts', sa.column('id', sa.Uuid()), sa.column('walk_id', sa.Uuid()))
    cited = []
    for gap_id, evidence in conn.execute(sa.select(gaps.c.id, gaps.c.evidence)):
        if isinstance(evidence, str):
            evidence = json.loads(evidence)
        cited.extend((gap_id, uuid.UUID(fact_id)) for fact_id in set(evidence or ()))
    walk_of = {}
    ids = sorted({fact_id for _, fact_id in cited})
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = sa.select(facts.c.id, facts.c.walk_id).where(facts.c.id.in_(chunk))
        walk_of.update((fact_id, walk_id) for fact_id, walk_id in conn.execute(query))
    rows = [
        {'gap_id': g, 'fact_id': f, 'walk_id': walk_of[f]} for g, f in cited if f in walk_of
    ]
    for start in range(0, len(rows), 5000):
        op.bulk_insert(table, rows[start : start + 5000])


def downgrade():
    op.drop_index('ix_gap_evidence_walk_gap', table_name='gap_evidence')
    op.drop_index(op.f('ix_gap_evidence_fact_id'), table_name='gap_evidence')
    op.drop_table('gap_evidence')
