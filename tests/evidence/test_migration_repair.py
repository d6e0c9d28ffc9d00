"""Rows an earlier start left pointing at nothing (foreign keys were off after migrating on
start) are repaired by the next migration, as the foreign keys would have: deleted where
the reference cascades, cleared where it is SET NULL."""

from __future__ import annotations

import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Walk, gap_evidence
from gemba.platform.database import MIGRATIONS_DIR
from tests.conftest import uid
from tests.evidence.conftest import behaviours, ok, site_record, walk_record


def test_the_migration_repairs_dangling_rows(app, write, people, site_id):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL always enforced its foreign keys")
    walk = uid()
    ok(write(people["admin"], site_record(site_id)))
    ok(write(people["ana"], walk_record(site_id, walk), *behaviours(walk, "gloves", [True])))
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="e8f1c3a5d7b2")
        with db.engine.connect() as connection:
            driver = connection.connection.driver_connection
            driver.execute("PRAGMA foreign_keys=OFF")
            fact = connection.exec_driver_sql("SELECT id FROM facts").scalar()
            # A gap's evidence row whose gap was deleted without its cascade...
            driver.execute(
                "INSERT INTO gap_evidence (gap_id, fact_id, walk_id) VALUES (?, ?, ?)",
                (uuid.uuid4().hex, fact, uuid.UUID(walk).hex),
            )
            # ...and a walk whose plan was deleted without SET NULL.
            driver.execute("UPDATE walks SET plan_id = ?", (uuid.uuid4().hex,))
            driver.commit()
            driver.execute("PRAGMA foreign_keys=ON")
        db.engine.dispose()
        upgrade(directory=MIGRATIONS_DIR)
        assert db.session.execute(select(gap_evidence)).all() == []
        assert db.session.scalar(select(Walk.plan_id)) is None
        assert db.session.scalar(select(Walk.id)) == uuid.UUID(walk)  # the walk itself stays
