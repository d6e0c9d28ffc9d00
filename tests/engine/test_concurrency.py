"""Two writers on one topic at once (PostgreSQL; SQLite writers queue at BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.models import Fact, Gap, Topic
from gemba.platform.database import transaction
from tests.conftest import PG_URL, uid

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: concurrent writers")


def _add_miss(walk: str, topic: int) -> str:
    """Insert a behaviour fact and refresh its topic, in the caller's open transaction."""
    fact = Fact(id=uuid.UUID(uid()), walk_id=uuid.UUID(walk), topic_id=topic, text="No scan")
    fact.performed = False
    db.session.add(fact)
    db.session.flush()
    gap_updates.refresh({topic}, set())
    return str(fact.id)


def _waits_for(holder: int) -> bool:
    """Whether another session of the database is blocked by a lock `holder` holds."""
    with db.engine.connect() as conn:
        waiting = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE %(pid)s = ANY(pg_blocking_pids(pid))",
            {"pid": holder},
        ).scalar()
    return bool(waiting)


def test_concurrent_facts_on_one_topic_both_count(app, floor):
    statement = floor.say("Badge scan", {"frequency": "always"})
    first = floor.see("Badge scan", False)
    with app.app_context():
        topic = db.session.scalar(select(Topic.id).where(Topic.key == "badge scan"))
    second: list[str] = []

    def other_writer() -> None:
        with app.app_context(), transaction():
            second.append(_add_miss(floor.walks["a2"], topic))

    with app.app_context(), transaction() as session:
        mine = _add_miss(floor.walks["a"], topic)
        holder = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        thread = threading.Thread(target=other_writer)
        thread.start()
        # Not a time limit: the database itself says the other writer waits for this one.
        while not _waits_for(holder):
            assert thread.is_alive(), "the second refresh should wait for the first to commit"
            thread.join(0.01)
        assert not second
    thread.join(60)
    assert not thread.is_alive()
    with app.app_context():
        gap = db.session.scalar(select(Gap).where(Gap.statement_id == uuid.UUID(statement)))
        assert gap.evidence == sorted([first, mine, *second])
        assert gap.explanation.startswith('Said "always"; observed 0 of 3')
