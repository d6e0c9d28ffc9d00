"""Who looked at which photo, and when: the log a works council may ask to see.

Every view of a photo of a works-council site, and every view of an original on any
site, is one `photo_views` row, written in a short transaction of its own as the bytes
are served, so a look is logged even when the page around it fails later. Admins read
the log of a site page by page, or export all of it as CSV (gemba/manage/photo_views.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Photo, PhotoView, Site, User, Walk
from gemba.platform.database import transaction

PER_PAGE = 50
BATCH = 500


@dataclass(frozen=True)
class LoggedView:
    """One row of the log as pages and the export show it."""

    viewed_at: datetime
    email: str | None  # None: the user was deleted since
    role: str | None
    photo_id: uuid.UUID
    variant: str
    walk_id: uuid.UUID | None  # None: the photo was deleted since


def site_of(photo: Photo) -> Site:
    """The site of the photo's walk (a photo always belongs to a walk)."""
    return db.session.get(Walk, photo.walk_id).site


def logs_views(photo: Photo, variant: str) -> bool:
    """Whether this look at the photo goes in the log: originals always, any copy on a
    works-council site."""
    return variant == "original" or site_of(photo).works_council


def log_view(photo: Photo, user: User | None, variant: str) -> None:
    """Write one view of the photo by the user, committed at once."""
    site_id = site_of(photo).id
    with transaction():
        db.session.add(
            PhotoView(
                site_id=site_id,
                photo_id=photo.id,
                user_id=user.id if user is not None else None,
                variant=variant,
            )
        )


def _query(site_id: uuid.UUID):
    return (
        select(PhotoView, User.email, User.role, Photo.walk_id)
        .outerjoin(User, User.id == PhotoView.user_id)
        .outerjoin(Photo, Photo.id == PhotoView.photo_id)
        .where(PhotoView.site_id == site_id)
        .order_by(PhotoView.viewed_at.desc(), PhotoView.id.desc())
    )


def _logged(row) -> LoggedView:
    view, email, role, walk_id = row
    return LoggedView(view.viewed_at, email, role, view.photo_id, view.variant, walk_id)


@dataclass(frozen=True)
class ViewPage:
    """A page of the log, newest first."""

    views: list[LoggedView]
    page: int
    pages: int
    total: int


def views_of_site(site_id: uuid.UUID, page: int = 1, per_page: int = PER_PAGE) -> ViewPage:
    """The site's logged views, newest first, one page of them (a page past the end is
    empty, never an error)."""
    page = max(page, 1)
    total = db.session.scalar(
        select(db.func.count()).select_from(PhotoView).where(PhotoView.site_id == site_id)
    )
    rows = db.session.execute(_query(site_id).limit(per_page).offset((page - 1) * per_page))
    pages = max((total + per_page - 1) // per_page, 1)
    return ViewPage([_logged(row) for row in rows], page, pages, total)


def iter_site_views(site_id: uuid.UUID) -> Iterator[LoggedView]:
    """Every logged view of the site, newest first, read in batches for a streamed export."""
    result = db.session.execute(_query(site_id).execution_options(yield_per=BATCH))
    for row in result:
        yield _logged(row)
