"""Photos stored before faces were blurred: blurred now, and the originals a works-council
site must not keep, removed.

A photo row whose `blurred` is NULL was stored before the pipeline blurred faces, so its
display copy and thumbnail show them as taken. `flask photos blur` runs the pipeline again
on the stored display copy (already upright, sRGB and without metadata, so the pipeline
gives the same copies it would give today, faces blurred), stores the new copies, points
the row at them and then removes the old files. A works-council site keeps no originals,
including those kept before the mode was turned on, so those go as well.

One photo per transaction, so a long run never holds the write lock for long. A photo is
done when its row is updated: a second run finds nothing, and a crash between storing
the new files and updating the row leaves only files no row uses, which
`flask photos sweep` removes.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from gemba.domain.photos import PhotoRejected, ProcessedPhoto
from gemba.extensions import db
from gemba.models import Photo, Site, Walk
from gemba.photos import processing
from gemba.photos import service as photos
from gemba.platform.database import transaction

__all__ = [
    "Outcome",
    "Pending",
    "Summary",
    "blur_photo",
    "pending",
    "report",
    "run",
    "summary_line",
]

log = logging.getLogger(__name__)

UNREADABLE = "unreadable"  # the display copy is missing, or not a picture
NOT_STORED = "not stored"  # the store refused the new copies
CHANGED = "changed"  # the row was deleted or blurred by someone else meanwhile


@dataclass(frozen=True)
class Pending:
    """A photo with work to do: its faces to blur, its original to remove, or both."""

    photo_id: uuid.UUID
    site: str  # the site's name, for the report
    blur: bool
    drop_original: bool


@dataclass(frozen=True)
class Outcome:
    """What became of one photo; `skipped` names why nothing was done, if so."""

    item: Pending
    blurred: bool = False
    faces: int = 0
    original_removed: bool = False
    skipped: str | None = None


@dataclass
class Summary:
    """The run in numbers, for its last line and its exit code."""

    photos: int = 0
    faces: int = 0
    originals: int = 0
    skipped: int = 0

    def add(self, outcome: Outcome) -> None:
        """Count one photo's outcome (a photo changed meanwhile counts nowhere)."""
        self.photos += outcome.blurred
        self.faces += outcome.faces
        self.originals += outcome.original_removed
        self.skipped += outcome.skipped in (UNREADABLE, NOT_STORED)


def pending(site_id: uuid.UUID | None = None) -> list[Pending]:
    """Every photo never looked at for faces, and every original a works-council site
    still keeps; oldest first, of one site if given."""
    never_blurred = Photo.blurred.is_(None)
    kept_original = and_(Photo.original_key.is_not(None), Site.works_council.is_(True))
    query = (
        select(Photo.id, Site.name, never_blurred, kept_original)
        .join(Walk, Photo.walk_id == Walk.id)
        .join(Site, Walk.site_id == Site.id)
        .where(or_(never_blurred, kept_original))
        .order_by(Photo.created_at, Photo.id)
    )
    if site_id is not None:
        query = query.where(Site.id == site_id)
    return [
        Pending(photo_id, name, bool(blur), bool(drop))
        for photo_id, name, blur, drop in db.session.execute(query)
    ]


def run(
    site_id: uuid.UUID | None = None,
    *,
    dry_run: bool = False,
    each: Callable[[Outcome], None] = lambda outcome: None,
) -> Summary:
    """Blur every photo never looked at and remove works-council originals, one photo at a
    time; `each` hears of every photo as it is done (or would be, in a dry run)."""
    summary = Summary()
    for item in pending(site_id):
        if dry_run:
            outcome = Outcome(item, blurred=item.blur, original_removed=item.drop_original)
        else:
            outcome = blur_photo(item)
        summary.add(outcome)
        each(outcome)
    return summary


def blur_photo(item: Pending) -> Outcome:
    """Do one photo's work: new blurred copies stored first, then the row updated in its own
    transaction, then the files no row uses any more removed."""
    processed = None
    if item.blur:
        photo = db.session.get(Photo, item.photo_id)
        if photo is None:
            return Outcome(item, skipped=CHANGED)
        processed = _reprocess(item.photo_id, photo.display_key)
        if processed is None and not item.drop_original:
            return Outcome(item, skipped=UNREADABLE)
    try:
        new_keys = _put(processed) if processed is not None and processed.blurred else []
    except OSError:
        log.exception("photo %s: could not store its blurred copies", item.photo_id)
        return Outcome(item, skipped=NOT_STORED)
    try:
        with transaction():
            old_keys = _update_row(item, processed)
    except BaseException:
        _discard(new_keys)
        raise
    if old_keys is None:
        _discard(new_keys)
        return Outcome(item, skipped=CHANGED)
    _discard(old_keys)
    faces = len(processed.blurred) if processed is not None else 0
    return Outcome(
        item,
        blurred=processed is not None,
        faces=faces,
        original_removed=item.drop_original,
        skipped=UNREADABLE if item.blur and processed is None else None,
    )


def _reprocess(photo_id: uuid.UUID, key: str) -> ProcessedPhoto | None:
    """The pipeline run again on a stored display copy, faces found and blurred; None if
    the copy is missing or cannot be read."""
    try:
        with photos.store().open(key) as handle:
            data = handle.read()
    except (KeyError, OSError, ValueError) as exc:
        log.warning("photo %s: display copy %s cannot be read: %r", photo_id, key, exc)
        return None
    try:
        return processing.process(data, detect_faces=True)
    except PhotoRejected as exc:
        log.warning("photo %s: display copy %s is not a picture: %s", photo_id, key, exc)
        return None


def _put(processed: ProcessedPhoto) -> list[str]:
    """Store the blurred display copy and thumbnail; return the keys that were new."""
    target = photos.store()
    new_keys: list[str] = []
    try:
        for blob in (processed.display.data, processed.thumb.data):
            key = hashlib.sha256(blob).hexdigest()
            if not target.exists(key):
                new_keys.append(key)
            target.put(blob)
    except OSError:
        _discard(new_keys)
        raise
    return new_keys


def _update_row(item: Pending, processed: ProcessedPhoto | None) -> list[str] | None:
    """Point the row at the blurred copies and drop its original, inside the caller's
    transaction; return the keys it no longer uses, or None if it changed meanwhile."""
    photo = db.session.get(Photo, item.photo_id)
    if photo is None or (item.blur and photo.blurred is not None):
        return None
    old_keys = []
    if processed is not None:
        if processed.blurred:
            old_keys += [photo.display_key, photo.thumb_key]
            photo.display_key = hashlib.sha256(processed.display.data).hexdigest()
            photo.display_width = processed.display.width
            photo.display_height = processed.display.height
            photo.thumb_key = hashlib.sha256(processed.thumb.data).hexdigest()
            photo.thumb_width = processed.thumb.width
            photo.thumb_height = processed.thumb.height
        photo.blurred = [box.to_json() for box in processed.blurred]
    if item.drop_original and photo.original_key is not None:
        old_keys.append(photo.original_key)
        photo.original_key = None
    return old_keys


def _discard(keys: list[str]) -> None:
    """Remove those of `keys` no row uses, with the photo lock held, so a backup that is
    copying them keeps them until it is done."""
    if keys:
        with photos.files_lock(shared=False):
            photos.discard_unused(keys)


def report(outcome: Outcome, *, dry_run: bool) -> Iterator[str]:
    """The lines one photo's outcome is told in, in the current language."""
    item = outcome.item
    names = {"id": item.photo_id, "site": item.site}
    if dry_run:
        if item.blur:
            yield _("would blur photo %(id)s (site %(site)s)", **names)
        if item.drop_original:
            yield _("would remove the original of photo %(id)s (site %(site)s)", **names)
        return
    if outcome.skipped == UNREADABLE:
        yield _(
            "photo %(id)s (site %(site)s) skipped: its display copy is missing or unreadable",
            **names,
        )
    elif outcome.skipped == NOT_STORED:
        yield _("photo %(id)s (site %(site)s) skipped: its new copies could not be stored", **names)
    elif outcome.skipped == CHANGED:
        yield _("photo %(id)s (site %(site)s) changed meanwhile, left as it is", **names)
    if outcome.blurred:
        yield _(
            "photo %(id)s (site %(site)s): %(faces)d faces blurred", faces=outcome.faces, **names
        )
    if outcome.original_removed:
        yield _("photo %(id)s (site %(site)s): original removed", **names)


def summary_line(summary: Summary, *, dry_run: bool) -> str:
    """The run's last line, in the current language."""
    if dry_run:
        return _(
            "%(photos)d photos would be blurred, %(originals)d originals would be removed.",
            photos=summary.photos,
            originals=summary.originals,
        )
    return _(
        "%(photos)d photos blurred, %(faces)d faces found, %(originals)d originals removed, "
        "%(skipped)d skipped.",
        photos=summary.photos,
        faces=summary.faces,
        originals=summary.originals,
        skipped=summary.skipped,
    )
