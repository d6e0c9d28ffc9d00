"""Two writers on one topic at once (PostgreSQL; SQLite writers queue at BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.models import Fact, Gap, Topic
from gemba.platform.database import begin_write
from tests.conftest import PG_URL, uid

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: concurrent writers")


def _add_miss(walk: str, topic: int) -> str:
    """Insert a behaviour fact and refresh its topic, leaving the transaction open."""
    begin_write()
    fact = Fact(id=uuid.UUID(uid()), walk_id=uuid.UUID(walk), topic_id=topic, text="No scan")
    fact.performed = False
    db.session.add(fact)
    db.session.flush()
    gap_updates.refresh({topic}, set())
    return str(fact.id)


def test_concurrent_facts_on_one_topic_both_count(app, floor):
    statement = floor.say("Badge scan", {"frequency": "always"})
    first = floor.see("Badge scan", False)
    with app.app_context():
        topic = db.session.scalar(select(Topic.id).where(Topic.key == "badge scan"))
    second: list[str] = []
    started = threading.Event()

    def other_writer() -> None:
        with app.app_context():
            started.set()
            second.append(_add_miss(floor.walks["a2"], topic))
            db.session.commit()

    with app.app_context():
        mine = _add_miss(floor.walks["a"], topic)
        thread = threading.Thread(target=other_writer)
        thread.start()
        started.wait(30)
        thread.join(0.5)
        assert thread.is_alive(), "the second refresh should wait for the first to commit"
        db.session.commit()
    thread.join(60)
    assert not thread.is_alive()
    with app.app_context():
        gap = db.session.scalar(select(Gap).where(Gap.statement_id == uuid.UUID(statement)))
        assert gap.evidence == sorted([first, mine, *second])
        assert gap.explanation.startswith('Said "always"; observed 0 of 3')
