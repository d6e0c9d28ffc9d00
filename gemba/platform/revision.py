"""The data revision: tokens that change in the same transaction as the writes they cover.

Read-side caches key their entries by tokens (gemba/page_cache.py). Rather than each
write path naming what it invalidates, which is easy to get wrong once (a gap's
explanation changes when a fact lands in *another* walk), the database connection
notices what it wrote and the session replaces the tokens just before it commits:

- every INSERT, UPDATE or DELETE names its table; the connection collects them for
  the transaction, with the tables the database itself changes in turn (foreign keys
  with ON DELETE CASCADE or SET NULL). A statement it cannot read (textual SQL other
  than a SELECT) counts as a write to every table. This happens at the cursor, so it
  sees every way of writing alike: ORM flushes, `session.execute(update(...))`,
  `session.connection().execute(...)`, `exec_driver_sql`, textual SQL;
- `before_commit` then looks at what the connections of the session's transaction
  collected (not at how the session was used: a write through `session.connection()`
  passes no session hook) and upserts, inside the transaction, a new random token for
  each table written and for the scope "*" (any write), in one statement, so the
  tokens and the data they stand for become visible together.

A page keyed by "*" is rebuilt after any write; one keyed by the tables it reads (the
gap inbox) survives writes elsewhere (a photo upload). A random token, not a counter:
a restored backup brings back the tokens of its own data, and a cache entry made under
them showed exactly that data.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from flask import g, has_app_context
from sqlalchemy import (
    CompoundSelect,
    Connection,
    Engine,
    Select,
    Table,
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import UpdateBase

from gemba.extensions import db
from gemba.models import DataRevision
from gemba.models.base import Base

ANY = "*"  # the scope every write replaces
M = TypeVar("M")
_CONNECTIONS = "gemba_connections"  # session.info: the connections its transaction uses
_TABLES = "gemba_written_tables"  # connection.info: what the transaction wrote
# Statements that never change data, by their first word.
_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "PRAGMA", "SHOW")
# What the read side derives and keeps for itself (the trends' sightings and snapshots):
# writing it changes no data a page shows, so it replaces no token.
UNTRACKED = frozenset({"topic_sightings", "trend_versions", "trend_snapshots"})
_TOKENS = select(
    func.aggregate_strings(DataRevision.scope + "=" + DataRevision.token, " ")
).scalar_subquery()


def current(tables: Iterable[str] | None = None) -> str:
    """The token of the data this request reads: of any write (`tables` None), or of the
    writes to these tables. Read once per request, before any data.

    Read it before the data it keys: a write that commits in between then leaves the
    newer data under the older token, which nobody asks for again.
    """
    tokens = _tokens()
    if tables is None:
        return tokens.get(ANY, "none")
    joined = " ".join(f"{name}={tokens.get(name, '-')}" for name in sorted(set(tables)))
    return hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()


def load_with_token(model: type[M], ident: Any) -> M | None:
    """`session.get(model, ident)` that also reads the tokens in the same statement.

    The session's user is the first thing every page loads; reading the tokens with it
    saves the cached pages a round trip to the database.
    """
    row = db.session.execute(_with_tokens(model), {"ident": ident}).first()
    if row is None:
        return None
    if has_app_context() and "data_revision" not in g:
        g.data_revision = _parse(row[1])
    return row[0]


@functools.cache
def _with_tokens(model: type) -> Any:
    """The row of `model` by id and every token, built once (it runs on every request)."""
    return select(model, _TOKENS).where(model.id == bindparam("ident"))


def _tokens() -> dict[str, str]:
    if has_app_context() and "data_revision" in g:
        return g.data_revision
    tokens = _parse(db.session.scalar(select(_TOKENS)))
    if has_app_context():
        g.data_revision = tokens
    return tokens


def _parse(joined: str | None) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in (joined or "").split())


# -- what a transaction wrote -------------------------------------------------------------------


def _dependents() -> dict[str, set[str]]:
    """Table -> the tables the database changes when a row of it goes (cascades and SET
    NULL, followed all the way)."""
    direct: dict[str, set[str]] = {name: set() for name in Base.metadata.tables}
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            if (fk.ondelete or "").upper() in ("CASCADE", "SET NULL", "SET DEFAULT"):
                direct.setdefault(fk.column.table.name, set()).add(table.name)
    closed: dict[str, set[str]] = {}
    for name in direct:
        seen, todo = set(), [name]
        while todo:
            for child in direct.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        closed[name] = seen
    return closed


_DEPENDENTS = _dependents()


@event.listens_for(Engine, "before_cursor_execute")
def _note_statement(conn, cursor, statement: str, parameters, context, executemany) -> None:
    """Collect the tables this transaction writes (every engine: backups and tests too),
    whichever way the statement came: the session, its connection, or the driver's SQL."""
    target = getattr(getattr(context, "compiled", None), "statement", None)
    if isinstance(target, UpdateBase) and isinstance(target.table, Table):
        conn.info.setdefault(_TABLES, set()).add(target.table.name)
    elif isinstance(target, (Select, CompoundSelect)):
        return  # a built query reads, whatever its SQL starts with (WITH ...)
    elif not is_read(statement):
        conn.info.setdefault(_TABLES, set()).add(ANY)  # textual or unknown: anything may change


def is_read(statement: str) -> bool:
    """Whether the SQL text, by its first word, only reads."""
    words = statement.split(None, 1)
    return not words or words[0].upper() in _READS


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_tables(conn) -> None:
    conn.info.pop(_TABLES, None)


@event.listens_for(db.session, "after_begin")
def _began(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    """Remember every connection the session's transaction runs on (one per engine)."""
    used = session.info.setdefault(_CONNECTIONS, [])
    if not any(connection is known for known in used):
        used.append(connection)


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)


def connections(session: Session) -> list[Connection]:
    """The live connections of the session's transaction."""
    return [
        conn
        for conn in session.info.get(_CONNECTIONS, ())
        if not conn.closed and not conn.invalidated
    ]


def _written(session: Session) -> set[str]:
    """The tables the session's open transaction wrote, however it wrote them."""
    written: set[str] = set()
    for conn in connections(session):
        written.update(conn.info.get(_TABLES, ()))
    return written


@event.listens_for(db.session, "before_commit")
def _replace_tokens(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outermost commit replaces the tokens, once
    session.flush()  # changes still pending are part of this commit too
    written = _written(session) - UNTRACKED
    if not written:
        return
    conn = session.connection(bind_arguments={"mapper": DataRevision.__mapper__})
    if ANY in written:
        written.update(Base.metadata.tables)
    for name in list(written):
        written.update(_DEPENDENTS.get(name, ()))
    written.discard(DataRevision.__tablename__)
    written.add(ANY)
    conn.execute(_upsert(conn.dialect.name, sorted(written), uuid.uuid4().hex))
    for used in connections(session):
        used.info.pop(_TABLES, None)  # the upsert itself, and what it now covers
    if has_app_context():
        g.pop("data_revision", None)  # this request now reads the data it just wrote


def _upsert(dialect_name: str, scopes: list[str], token: str):
    module = postgresql if dialect_name == "postgresql" else sqlite
    statement = module.insert(DataRevision).values([{"scope": s, "token": token} for s in scopes])
    return statement.on_conflict_do_update(
        index_elements=["scope"], set_={"token": statement.excluded.token}
    )


def wrote_uncommitted(session: Session) -> bool:
    """Whether the session's open transaction holds writes (flushed, pending or issued
    through its connection) that nobody has committed."""
    if session.new or session.dirty or session.deleted:
        return True
    return session.in_transaction() and bool(_written(session))
