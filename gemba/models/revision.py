"""The data revision: one row whose token changes with every committed write."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gemba.models.base import Base


class DataRevision(Base):
    """A random token, replaced in the same transaction as any change to the data.

    Rendered pages are cached under the token they were read at (gemba/page_cache.py):
    a new token makes every older entry unreachable, so no page is ever served from
    data that has since changed, and no list of what to invalidate is kept by hand.
    """

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
