"""Database set-up: the SQLite default, its pragmas, and migrations on start-up."""

from __future__ import annotations

import fcntl
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

_WRITING = "gemba_writing"
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def configure(app: Flask) -> None:
    """Default to SQLite in the instance folder and tune each engine for its backend."""
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        uri = "sqlite:///" + os.path.join(app.instance_path, "gemba.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("postgres://"):  # the spelling some hosts hand out
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 15)
    else:
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", 5)
        options.setdefault("max_overflow", 10)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "do_connect")
def _create_private(dialect, conn_rec, cargs, cparams) -> None:
    """Create a new SQLite file readable by its owner only (0600), as the secret key is:
    it holds the password hashes. SQLite gives its -wal and -shm files the same mode."""
    if dialect.name != "sqlite":
        return
    path = cargs[0] if cargs else cparams.get("database")
    if not isinstance(path, str) or path in ("", ":memory:") or path.startswith("file:"):
        return
    if not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Foreign keys on (cascades depend on it), WAL for readers beside a writer."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads: map the file instead of copying pages through read() calls, and keep more
    # pages per connection (the default 2 MB holds a few walks of a 100,000-fact site).
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()
    # Let SQLAlchemy, not the driver, say when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Emit BEGIN ourselves: savepoints work, and writes can take the lock up front."""
    if conn.dialect.name != "sqlite":
        return
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def transaction() -> Iterator[Session]:
    """The one way to write: a user action's changes are saved together or not at all.

    Every service that writes runs inside this block, and no view commits. It ends the
    request's read transaction and starts a write transaction (on SQLite with the write
    lock taken at BEGIN: a read transaction that later writes fails at once with
    "database is locked" if another process wrote meanwhile, whatever the busy timeout;
    taking the lock up front makes concurrent writers queue instead). Everything the
    session holds is expired, so what the block reads to decide its write is read from
    the database inside this transaction, not what an earlier read left in memory (a
    change made meanwhile by another request is seen, not overwritten). It commits when
    the block ends and rolls back if the block raises. A block inside another joins it.
    """
    from gemba.extensions import db

    session = db.session()
    if session.info.get(_WRITING):
        yield session
        return
    if session.in_transaction():
        db.session.commit()  # ends the request's read transaction; nothing is pending here
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.expire_all()
    session.info[_WRITING] = True
    try:
        yield session
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()
    finally:
        session.info.pop(_WRITING, None)


def end_reads_with_commit(app: Flask) -> None:
    """End a request's read-only transaction with COMMIT rather than the ROLLBACK the
    session would send when it closes.

    The two are the same to the database, but psycopg drops every prepared statement of
    the connection on ROLLBACK: pages would then re-parse and re-plan each of their
    statements on every request (half of PostgreSQL's time under load), where prepared
    they keep their plans across requests. A transaction that wrote without committing,
    or a request that failed, is still rolled back.
    """
    from gemba.extensions import db
    from gemba.platform import revision

    @app.teardown_appcontext
    def _commit_reads(exc: BaseException | None) -> None:
        # Registered after Flask-SQLAlchemy's teardown, so it runs before it.
        if exc is not None:
            return
        session = db.session()
        try:
            if session.in_transaction() and not revision.wrote_uncommitted(session):
                session.commit()
        except SQLAlchemyError:
            # Nothing was written: a connection that fails here is only logged, and
            # the session's own close discards it.
            app.logger.warning("could not end a read-only transaction", exc_info=True)


def writing() -> bool:
    """Whether a `transaction()` block is open: a write inside it joins it, so it cannot
    start again on a conflict (the caller's transaction decides)."""
    from gemba.extensions import db

    return bool(db.session().info.get(_WRITING))


# PostgreSQL SQLSTATEs of a transaction that lost to another: serialization_failure,
# deadlock_detected, lock_not_available. SQLite's primary result codes of the same kind:
# SQLITE_BUSY and SQLITE_LOCKED (extended codes keep the primary one in the low byte).
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
TRANSIENT_SQLITE_CODES = frozenset({5, 6})


def is_transient(exc: BaseException) -> bool:
    """Whether a database error clears when the transaction is tried again (a lost lock,
    a deadlock, a serialization failure), told by the driver's error code, not its text.

    A full disk, a broken connection or a constraint violation is not transient.
    """
    error = getattr(exc, "orig", None) or exc
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in TRANSIENT_SQLSTATES
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in TRANSIENT_SQLITE_CODES
    return False


@functools.cache
def migration_heads() -> frozenset[str]:
    """The revisions the migrations end at (read from the scripts once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def at_head(app: Flask) -> bool:
    """Whether the database already stands at the migration head: then a worker starts
    without loading Alembic's environment and every migration script."""
    from gemba.extensions import db

    with app.app_context():
        try:
            with db.engine.connect() as conn:
                found = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except SQLAlchemyError:
            return False  # a new database: no version table yet
    return found == migration_heads()


def upgrade_on_start(app: Flask) -> None:
    """Bring the schema to the migration head, so a new instance needs no DB command."""
    if not app.config.get("GEMBA_AUTO_MIGRATE") or at_head(app):
        return
    from flask_migrate import upgrade

    lock_path = os.path.join(app.instance_path, ".migrate.lock")
    # Several workers may start at once: one upgrades, the others wait and find it done.
    with open(lock_path, "w") as lock, app.app_context():
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            upgrade(directory=MIGRATIONS_DIR)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
