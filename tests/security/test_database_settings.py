"""Database settings for concurrent workers: SQLite pragmas and write locks, PostgreSQL pool,
and what a full disk does to a write (a clear error, nothing half-saved)."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from gemba.extensions import db
from gemba.models import Fact
from gemba.platform.database import is_transient, transaction
from tests.conftest import PG_URL, login

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite settings")
postgres_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL settings")


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    with app.app_context():
        pragma = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 15000,
        "synchronous": 1,
    }


@sqlite_only
def test_a_write_takes_the_sqlite_write_lock_at_begin(app):
    """BEGIN IMMEDIATE: a second writer waits at its BEGIN instead of failing later."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with transaction(), pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.execute("BEGIN IMMEDIATE")  # free once the first writer committed
            other.execute("ROLLBACK")
        finally:
            other.close()


def test_concurrent_read_then_write_transactions_queue_instead_of_failing(app, make_user):
    """Each thread reads, then writes; in transaction() none gets 'database is locked'."""
    user = make_user("observer")
    errors = []

    def worker(n: int) -> None:
        try:
            with app.app_context():
                for _ in range(5):
                    with transaction():
                        db.session.execute(text("SELECT count(*) FROM users")).scalar()
                        time.sleep(0.002)  # widen the window between the read and the write
                        db.session.execute(
                            text(
                                "UPDATE users SET session_version = session_version + 0"
                                " WHERE id = :id"
                            ),
                            {"id": user.id},
                        )
        except OperationalError as exc:  # noqa: PERF203
            errors.append(f"{n}: {exc}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


@postgres_only
def test_postgresql_pool_checks_connections_and_stays_bounded(app):
    with app.app_context():
        engine = db.engine
        assert engine.pool._pre_ping is True
        assert engine.pool.size() == 5
        assert engine.pool._max_overflow == 10
        assert db.session.execute(text("SHOW default_transaction_isolation")).scalar() == (
            "read committed"
        )


@sqlite_only
def test_a_full_disk_on_a_write_is_a_clear_error_and_saves_nothing(
    app, make_user, make_walk, monkeypatch
):
    """SQLite's max_page_count makes the database 'full' the way a full disk does."""
    user = make_user("observer")
    walk = make_walk(user)
    client = login(app.test_client(), user)
    with app.app_context():
        facts_before = db.session.scalar(db.select(db.func.count()).select_from(Fact))
        db.session.commit()
        # No free pages left inside the file (a migration that rebuilt a table leaves
        # some): the write must need a new page, which the cap refuses.
        raw = db.engine.raw_connection()
        raw.driver_connection.execute("VACUUM")
        raw.close()
        pages = db.session.execute(text("PRAGMA page_count")).scalar()
        engine = db.engine
        db.session.remove()
        engine.dispose()

    def cap(dbapi_connection, record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(engine, "connect", cap)
    try:
        response = client.post(
            f"/walks/{walk}/facts/new",
            data={"text": "x" * 4000, "topic": "A brand new topic", "outcome": "done"},
        )
    finally:
        event.remove(engine, "connect", cap)
        with app.app_context():
            db.session.remove()
            engine.dispose()
    assert response.status_code == 503
    assert b"disk is full. Nothing was saved" in response.data
    with app.app_context():
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.scalar(db.select(db.func.count()).select_from(Fact)) == facts_before


def _sqlite_error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("any text at all")
    error.sqlite_errorcode = code
    return error


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("any text at all")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (_sqlite_error(5), True),  # SQLITE_BUSY
        (_sqlite_error(517), True),  # SQLITE_BUSY_SNAPSHOT: busy, extended
        (_sqlite_error(6), True),  # SQLITE_LOCKED
        (_sqlite_error(13), False),  # SQLITE_FULL: the disk is full
        (_sqlite_error(10), False),  # SQLITE_IOERR
        (_PgError("40001"), True),  # serialization_failure
        (_PgError("40P01"), True),  # deadlock_detected
        (_PgError("55P03"), True),  # lock_not_available
        (_PgError("53100"), False),  # disk_full
        (_PgError("57P01"), False),  # admin_shutdown
        (sqlite3.OperationalError("database is locked"), False),  # no code: not guessed
    ],
)
def test_transient_errors_are_told_by_their_code_not_their_text(error, transient):
    wrapped = OperationalError("SELECT 1", {}, error)
    assert is_transient(wrapped) is transient
