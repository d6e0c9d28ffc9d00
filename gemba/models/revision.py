"""The data revision: a token per table that changes with every committed write to it."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gemba.models.base import Base


class DataRevision(Base):
    """A random token per table (and one, scope "*", for any write), replaced in the
    same transaction as a change to that table.

    Rendered pages are cached under the tokens they were read at (gemba/page_cache.py):
    a new token makes every older entry unreachable, so no page is ever served from
    data that has since changed, and no list of what to invalidate is kept by hand.
    """

    __tablename__ = "data_revision"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
