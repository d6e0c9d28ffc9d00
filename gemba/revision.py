"""The data revision: a token that changes in the same transaction as any write.

Read-side caches key their entries by the token (gemba/page_cache.py). Rather than
each write path naming what it invalidates, which is easy to get wrong once (a gap's
explanation changes when a fact lands in *another* walk), the session itself notices
that it wrote and replaces the token just before it commits:

- `after_flush` fires only when the unit of work had changes to send;
- `do_orm_execute` sees every statement run through the session, so bulk
  `insert()/update()/delete()` and textual SQL count as writes too;
- `before_commit` then upserts the one row with a new random token, inside the
  transaction, so the token and the data it stands for become visible together.

A random token, not a counter: a restored backup brings back the token of its own
data, and a cache entry made under that token showed exactly that data.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from flask import g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from gemba.extensions import db
from gemba.models import DataRevision

ROW_ID = 1
M = TypeVar("M")
_WROTE = "gemba_wrote"


def current() -> str:
    """The token of the data this request reads (read once per request, before any data).

    Read it before the data it keys: a write that commits in between then leaves the
    newer data under the older token, which nobody asks for again.
    """
    if has_app_context() and "data_revision" in g:
        return g.data_revision
    token = db.session.scalar(select(DataRevision.token).where(DataRevision.id == ROW_ID))
    token = token or "none"
    if has_app_context():
        g.data_revision = token
    return token


def load_with_token(model: type[M], ident: Any) -> M | None:
    """`session.get(model, ident)` that also reads the token in the same statement.

    The session's user is the first thing every page loads; reading the token with it
    saves the cached pages a round trip to the database.
    """
    token = select(DataRevision.token).where(DataRevision.id == ROW_ID).scalar_subquery()
    row = db.session.execute(select(model, token).where(model.id == ident)).first()
    if row is None:
        return None
    if has_app_context() and "data_revision" not in g:
        g.data_revision = row[1] or "none"
    return row[0]


def _upsert(dialect_name: str, token: str):
    module = postgresql if dialect_name == "postgresql" else sqlite
    statement = module.insert(DataRevision).values(id=ROW_ID, token=token)
    return statement.on_conflict_do_update(index_elements=["id"], set_={"token": token})


@event.listens_for(db.session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(db.session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(db.session, "before_commit")
def _replace_token(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outermost commit replaces the token, once
    session.flush()  # changes still pending are part of this commit too
    if not session.info.pop(_WROTE, False):
        return
    bind = session.get_bind(DataRevision)
    token = uuid.uuid4().hex
    # Through the connection, not session.execute: that would count as a write again.
    session.connection(bind_arguments={"mapper": DataRevision.__mapper__}).execute(
        _upsert(bind.dialect.name, token)
    )
    if has_app_context():
        g.pop("data_revision", None)  # this request now reads the data it just wrote


@event.listens_for(db.session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_WROTE, None)
