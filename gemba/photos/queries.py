"""The read side of photos: their metadata as the API gives it, and the photos of a walk
or of records, loaded a query at a time for the pages that show them."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Uuid, bindparam, or_, select

from gemba.extensions import db
from gemba.models import Photo, Role, Site, Walk
from gemba.photos.service import KINDS


def photo_json(photo: Photo, urls: dict[str, str]) -> dict[str, Any]:
    """A photo's metadata as the API gives it (never its GPS: that is the place's, if any)."""
    kind = next(k for k, (_, column) in KINDS.items() if getattr(photo, column.key) is not None)
    return {
        "id": str(photo.id),
        "record": str(photo.record_id),
        "record_type": kind,
        "walk": str(photo.walk_id),
        "sha256": photo.sha256,
        "size_bytes": photo.size_bytes,
        "source_format": photo.source_format,
        "taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
        "created_at": photo.created_at.isoformat(),
        "display": {
            "url": urls["display"],
            "width": photo.display_width,
            "height": photo.display_height,
            "type": photo.mime,
        },
        "thumb": {
            "url": urls["thumb"],
            "width": photo.thumb_width,
            "height": photo.thumb_height,
            "type": photo.mime,
        },
        "blurred": photo.blurred or [],
    }


def photos_of_walk(walk_id: uuid.UUID) -> dict[uuid.UUID, list[Photo]]:
    """A walk's photos by the record they show, oldest first, in one query."""
    return photos_by_record(
        db.session.scalars(
            select(Photo).where(Photo.walk_id == walk_id).order_by(Photo.created_at, Photo.id)
        )
    )


def photos_of_records(record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Photo]]:
    """The photos of any places, things, facts and statements, by record, in one query.

    For pages that show records from several walks, such as a gap's statement
    beside its evidence: `photo_strip(photos.get(fact.id))`.
    """
    ids = set(record_ids)
    if not ids:
        return {}
    return photos_by_record(
        db.session.scalars(
            select(Photo)
            .where(or_(*(column.in_(ids) for _, column in KINDS.values())))
            .order_by(Photo.created_at, Photo.id)
        )
    )


def photos_on_walk_page(
    walk_id: uuid.UUID, on_page: Mapping[str, Collection[uuid.UUID]]
) -> dict[uuid.UUID, list[Photo]]:
    """The photos of a walk page's records (kind -> ids), by record, in one query.

    Along the walk's photos and only the columns of the kinds on the page: an OR of
    every kind's column over every id would read the whole photos table instead.
    """
    kinds = tuple(kind for kind in KINDS if on_page.get(kind))
    if not kinds:
        return {}
    params = {"walk_id": walk_id, **{kind: list(on_page[kind]) for kind in kinds}}
    return photos_by_record(db.session.scalars(_walk_page_photos(kinds), params))


@functools.cache
def _walk_page_photos(kinds: tuple[str, ...]):
    """The statement for pages with these kinds of records, built once per combination."""
    conditions = [KINDS[kind][1].in_(bindparam(kind, expanding=True)) for kind in kinds]
    return (
        select(Photo)
        .where(Photo.walk_id == bindparam("walk_id", type_=Uuid), or_(*conditions))
        .order_by(Photo.created_at, Photo.id)
    )


def photos_by_record(photos: Iterable[Photo]) -> dict[uuid.UUID, list[Photo]]:
    """Group photos by the record they show, keeping their order; only those the viewer
    may see (a site can show its photos to some roles only)."""
    grouped: dict[uuid.UUID, list[Photo]] = {}
    for photo in visible(list(photos)):
        record_id = photo.record_id
        if record_id is not None:
            grouped.setdefault(record_id, []).append(photo)
    return grouped


def may_see_photos(site: Site, user: Any) -> bool:
    """Whether the user's role is one the site shows its photos to (admins always are)."""
    if not site.photo_roles or user.has_role(Role.admin):
        return True
    return user.role in {role.strip() for role in site.photo_roles.split(",")}


def visible(photos: list[Photo]) -> list[Photo]:
    """The photos the logged-in user may see, so pages list no photo the server would
    refuse to serve them; outside a request (commands, exports from the shell) all."""
    if not photos or not has_request_context() or not current_user.is_authenticated:
        return photos
    sites = _sites_of_walks({photo.walk_id for photo in photos})
    hidden = {walk_id for walk_id, site in sites.items() if not may_see_photos(site, current_user)}
    return [photo for photo in photos if photo.walk_id not in hidden] if hidden else photos


def _sites_of_walks(walk_ids: set[uuid.UUID]) -> dict[uuid.UUID, Site]:
    """Each walk's site: from the session when the page has loaded them (a walk's own page
    has, so its photos cost no query more), else in one query for the rest."""
    sites: dict[uuid.UUID, Site] = {}
    for walk_id in walk_ids:
        walk = db.session.identity_map.get(db.session.identity_key(Walk, walk_id))
        site = walk and db.session.identity_map.get(db.session.identity_key(Site, walk.site_id))
        if site is not None:
            sites[walk_id] = site
    if rest := walk_ids - sites.keys():
        query = select(Walk.id, Site).join(Site, Walk.site_id == Site.id).where(Walk.id.in_(rest))
        sites.update({walk_id: site for walk_id, site in db.session.execute(query)})
    return sites
