"""Photos on the app side: attach an upload to a record, store its files, forget unused ones.

The pipeline (`gemba.domain.photos`) turns untrusted bytes into two clean JPEGs;
the store (`gemba.photos.store`) keeps bytes under their SHA-256. This module
puts them together for the capture forms and the API: who may attach a photo
to which record, idempotency by the photo's client UUID, files first and then
the database row in one transaction, and removing files no row refers to.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, union
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.utils import import_string

from gemba.capture.permissions import can_edit_walk
from gemba.domain.blur_requests import BlurRequest
from gemba.domain.faces import Box
from gemba.domain.photos import ProcessedPhoto
from gemba.extensions import db
from gemba.models import Fact, Photo, Place, Statement, Thing, User
from gemba.photos import processing, s3_store
from gemba.photos.processing import PhotoRefused
from gemba.photos.store import LocalPhotoStore, PhotoStore
from gemba.platform.database import transaction, writing

__all__ = [
    "KINDS",
    "PhotoRefused",
    "discard_unused",
    "find_record",
    "save_photo",
    "store",
]

log = logging.getLogger(__name__)

# The records a photo can show, and the column of the photo row that points at each.
KINDS: dict[str, tuple[type, Any]] = {
    "place": (Place, Photo.place_id),
    "thing": (Thing, Photo.thing_id),
    "fact": (Fact, Photo.fact_id),
    "statement": (Statement, Photo.statement_id),
}

NOT_STORED = "The photo could not be stored just now. Please send it again in a moment."

_STORE = "gemba.photos.store"


# -- storage ---------------------------------------------------------------------------------


def store() -> PhotoStore:
    """The app's photo store, made once per app from GEMBA_PHOTO_STORE.

    "local" (the default): files under GEMBA_PHOTO_DIR, relative to the instance folder
    unless absolute. "s3": the bucket GEMBA_S3_BUCKET (s3_store.from_settings). Anything
    else names a factory ("package.module:function") that takes the app and returns any
    `PhotoStore`.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get(_STORE)
    if cached is None:
        cached = app.extensions[_STORE] = make_store(app.config, app.instance_path)
    return cached


def make_store(config: Any, instance_path: str, kind: str | None = None) -> PhotoStore:
    """The store `kind` (default: GEMBA_PHOTO_STORE) as these settings describe it; also
    used by `flask photos migrate` to open the store it is not currently using."""
    kind = kind or config.get("GEMBA_PHOTO_STORE") or "local"
    if kind == "local":
        root = Path(config.get("GEMBA_PHOTO_DIR") or "photos")
        return LocalPhotoStore(root if root.is_absolute() else Path(instance_path, root))
    if kind == "s3":
        return s3_store.from_settings(config)
    return import_string(kind)(current_app._get_current_object())  # type: ignore[attr-defined]


@contextmanager
def files_lock(*, shared: bool) -> Iterator[None]:
    """Backups copy photo files and the sweep removes them: a backup holds this lock
    shared and the sweep exclusive, so no file goes from under a backup that needs it."""
    path = Path(current_app.instance_path, ".photos.lock")
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discard_unused(keys: list[str] | set[str]) -> list[str]:
    """Delete the stored files among `keys` that no photo row refers to; return those deleted.

    Files are content-addressed, so two photos (or a photo's display copy and
    another's original) may share one; a file goes only when the last row using
    it has gone. A file that cannot be removed is logged and left for
    `flask photos sweep`: the user's delete has already happened.
    """
    wanted = {key for key in keys if key}
    if not wanted:
        return []
    used = set(
        db.session.scalars(
            union(
                select(Photo.display_key).where(Photo.display_key.in_(wanted)),
                select(Photo.thumb_key).where(Photo.thumb_key.in_(wanted)),
                select(Photo.original_key).where(Photo.original_key.in_(wanted)),
            )
        )
    )
    deleted = []
    for key in sorted(wanted - used):
        try:
            store().delete(key)
        except (OSError, ValueError) as exc:
            log.warning("could not delete photo file %s: %r", key, exc)
        else:
            deleted.append(key)
    return deleted


def used_keys() -> set[str]:
    """Every key some photo row refers to."""
    rows = db.session.execute(select(Photo.display_key, Photo.thumb_key, Photo.original_key))
    return {key for row in rows for key in row if key}


# -- attaching a photo -----------------------------------------------------------------------


def find_record(record_id: uuid.UUID) -> tuple[str, Any] | tuple[None, None]:
    """The place, thing, fact or statement with this id, and its kind."""
    for kind, (model, _) in KINDS.items():
        obj = db.session.get(model, record_id)
        if obj is not None:
            return kind, obj
    return None, None


def save_photo(
    actor: User,
    photo_id: uuid.UUID,
    data: bytes,
    record_id: uuid.UUID,
    *,
    gps_opt_in: bool = False,
    blur: BlurRequest | None = None,
) -> tuple[Photo, str]:
    """Attach an uploaded photo to a record of the actor's walk; status created or unchanged.

    Idempotent by `photo_id`: the same bytes sent again for the same record are
    "unchanged" (and missing files are put back); the id with other bytes, or
    for another record, is a 409. The pipeline's refusals come out as
    PhotoRejected (413, 415, 422); a record that is unknown (404) or not the
    actor's to edit (403) as PhotoRefused. Files are written before the row,
    and removed again if the row cannot be written, so a row never points at a
    missing file and a failed upload leaves no file behind. The photo's EXIF
    position goes into the record's place only with `gps_opt_in`, and only
    when that place has no position yet. Faces are blurred as `blurring` decides from
    the observer's `blur` request and the record's site.
    """
    kind, record = _editable_record(actor, record_id)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = db.session.get(Photo, photo_id)
    if existing is not None:
        _check_same(existing, kind, record_id, sha256)
        _restore_missing_files(existing, data)
        return existing, "unchanged"

    processed = processing.process(
        data, **processing.blurring(record.walk.site, blur or BlurRequest())
    )
    new_keys = _put_files(processed)
    try:
        photo, status = _insert_row(actor, photo_id, record_id, processed, gps_opt_in)
    except BaseException as exc:
        db.session.rollback()
        _discard_after_failure(new_keys)
        if isinstance(exc, SQLAlchemyError):
            log.exception("could not write the row of photo %s", photo_id)
            raise PhotoRefused(503, NOT_STORED) from exc
        raise
    if status == "unchanged":
        discard_unused(new_keys)
    return photo, status


def _discard_after_failure(keys: list[str]) -> None:
    """Remove the files a failed upload added, unless a row has come to use them meanwhile
    (a concurrent upload of the same picture); if even that cannot be checked, the files
    stay for `flask photos sweep`, since no row points at them and nothing serves them."""
    try:
        discard_unused(keys)
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("left %d photo files of a failed upload for the sweep", len(keys))


def _editable_record(actor: User, record_id: uuid.UUID) -> tuple[str, Any]:
    kind, record = find_record(record_id)
    if record is None:
        raise PhotoRefused(404, "No place, thing, fact or statement has this id.", "record")
    if not can_edit_walk(actor, record.walk):
        raise PhotoRefused(403, "You can only add photos to records of your own walks.", "record")
    return kind, record


def _check_same(existing: Photo, kind: str, record_id: uuid.UUID, sha256: str) -> None:
    """A photo id already taken: the same photo again is fine, anything else a conflict."""
    if existing.record_id != record_id:
        raise PhotoRefused(409, "This photo id is already attached to another record.", "id")
    if existing.sha256 != sha256:
        raise PhotoRefused(
            409,
            "This photo id was already used for a different picture; "
            "send a new photo with a new id.",
            "id",
        )


def _restore_missing_files(photo: Photo, data: bytes) -> None:
    """Put back renditions that went missing (a lost disk, a cleanup race), from a resend."""
    target = store()
    keys = (photo.display_key, photo.thumb_key)
    if all(target.exists(key) for key in keys):
        return
    log.warning("photo %s: files missing, re-creating them from the upload", photo.id)
    # The same areas as the first time, from the row: the copies come out the same.
    boxes = [Box(**box) for box in photo.blurred or []]
    _put_files(processing.process(data, detect_faces=False, boxes=boxes))


def _put_files(processed: ProcessedPhoto) -> list[str]:
    """Store the renditions (and the original if kept); return the keys that were new."""
    target = store()
    blobs = [processed.display.data, processed.thumb.data]
    if processed.original is not None:
        blobs.append(processed.original)
    new_keys: list[str] = []
    try:
        for blob in blobs:
            key = hashlib.sha256(blob).hexdigest()
            if not target.exists(key):
                new_keys.append(key)
            target.put(blob)
    except OSError as exc:
        log.exception("could not store a photo file")
        for key in new_keys:
            try:
                target.delete(key)
            except OSError:  # the sweep will find it; the upload has failed either way
                log.warning("could not remove photo file %s after a failed put", key)
        raise PhotoRefused(503, NOT_STORED) from exc
    return new_keys


def _insert_row(
    actor: User,
    photo_id: uuid.UUID,
    record_id: uuid.UUID,
    processed: ProcessedPhoto,
    gps_opt_in: bool,
) -> tuple[Photo, str]:
    """Write the photo row (and the place's position) in one transaction."""
    for attempt in range(2):
        try:
            with transaction():
                return _write_row(actor, photo_id, record_id, processed, gps_opt_in)
        except (IntegrityError, OperationalError):
            # Another request inserted this photo id (or locked the row) first:
            # look again, once, and answer as for a resend (unless the caller's
            # transaction holds this write: then the caller decides).
            if attempt == 1 or writing():
                raise
    raise AssertionError("unreachable")


def _write_row(
    actor: User,
    photo_id: uuid.UUID,
    record_id: uuid.UUID,
    processed: ProcessedPhoto,
    gps_opt_in: bool,
) -> tuple[Photo, str]:
    # Read again inside the write transaction: the record may have been
    # deleted, or the same photo id sent twice at once, since the first look.
    kind, record = _editable_record(actor, record_id)
    existing = db.session.get(Photo, photo_id)
    if existing is not None:
        _check_same(existing, kind, record_id, processed.sha256)
        return existing, "unchanged"
    _, column = KINDS[kind]
    photo = Photo(
        id=photo_id,
        walk_id=record.walk_id,
        uploaded_by_id=actor.id,
        sha256=processed.sha256,
        size_bytes=processed.size_bytes,
        source_format=processed.source_format,
        mime=processed.display.mime,
        display_key=hashlib.sha256(processed.display.data).hexdigest(),
        display_width=processed.display.width,
        display_height=processed.display.height,
        thumb_key=hashlib.sha256(processed.thumb.data).hexdigest(),
        thumb_width=processed.thumb.width,
        thumb_height=processed.thumb.height,
        original_key=processed.sha256 if processed.original is not None else None,
        taken_at=_aware(processed.taken_at),
        blurred=[box.to_json() for box in processed.blurred],
    )
    setattr(photo, column.key, record.id)
    db.session.add(photo)
    if gps_opt_in and processed.gps is not None:
        _fill_place_position(kind, record, processed.gps)
    db.session.flush()
    return photo, "created"


def _fill_place_position(kind: str, record: Any, gps: tuple[float, float]) -> None:
    """Give the record's place the photo's position, if it has none.

    Written here rather than through records.write because it must commit with
    the photo row, and a place's position touches no topic or gap.
    """
    place = record if kind == "place" else record.place
    if place is None or place.lat is not None or place.lon is not None:
        return
    place.lat, place.lon = gps
    place.accuracy_m = None


def _aware(taken_at: datetime | None) -> datetime | None:
    """Keep the capture time only when the camera said which zone it was in.

    Phones write OffsetTimeOriginal; a bare local time could be any of 24
    hours in UTC, and guessing would make up evidence.
    """
    if taken_at is None or taken_at.tzinfo is None:
        return None
    return taken_at


# -- reading ---------------------------------------------------------------------------------
