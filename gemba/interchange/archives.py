"""Archives: a document and the photos of its records in one zip, out and back in.

An archive is `gemba.json` (the export, as `gemba.interchange.exports` writes it),
`photos.json` (which photo belongs to which record) and the photo files. Archives
are deterministic like exports: fixed member dates and modes. On import the
records go first, then each photo through the photo path, which checks it like
an upload; a bad photo is rejected alone.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import current_app

from gemba.capture import records
from gemba.domain.gemba_json import FieldError
from gemba.domain.photos import PhotoRejected
from gemba.interchange.exports import Export
from gemba.interchange.imports import DocumentInvalid, describe, import_document, parse_json
from gemba.models import User
from gemba.photos import service as photos
from gemba.photos.queries import photos_of_records

ARCHIVE_DOCUMENT = "gemba.json"
ARCHIVE_PHOTOS = "photos.json"
MAX_ARCHIVE_ENTRIES = 20_000
MAX_DOCUMENT_BYTES = 200 << 20  # gemba.json inside an archive, once unpacked
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest zip date: archives do not depend on the clock
_PHOTO_KINDS = ("place", "thing", "statement", "fact")


@dataclass(frozen=True)
class PhotoResult:
    """What happened to one photo of an archive."""

    id: str | None
    record: str | None
    status: str  # created | unchanged | rejected
    reason: str | None = None


@dataclass
class Imported:
    """An import's outcome: the records' results and, from an archive, the photos'."""

    result: records.WriteResult
    photos: list[PhotoResult]

    @property
    def rejected_photos(self) -> list[PhotoResult]:
        return [p for p in self.photos if p.status == "rejected"]

    def describe(self) -> str:
        """One line a person reads after an import."""
        line = describe(self.result)
        if self.photos:
            counts = Counter(p.status for p in self.photos)
            photo_counts = ", ".join(
                f"{counts.get(s, 0)} {s}" for s in ("created", "unchanged", "rejected")
            )
            line += f" {len(self.photos)} photos: {photo_counts}."
        return line


def archive(export: Export) -> bytes:
    """A zip of the document and the photos of its records (the original if one was kept)."""
    record_ids = [
        uuid.UUID(r["id"]) for r in export.document["records"] if r["type"] in _PHOTO_KINDS
    ]
    found = sorted(
        (p for group in photos_of_records(record_ids).values() for p in group),
        key=lambda p: str(p.id),
    )
    manifest, files = [], []
    for photo in found:
        key = photo.original_key or photo.display_key
        suffix = photo.source_format.lower() if photo.original_key else "jpg"
        name = f"photos/{photo.id}.{suffix}"
        with photos.store().open(key) as handle:
            files.append((name, handle.read()))
        manifest.append({"id": str(photo.id), "record": str(photo.record_id), "file": name})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        _add(zf, ARCHIVE_DOCUMENT, export.dumps().encode(), zipfile.ZIP_DEFLATED)
        listing = json.dumps({"photos": manifest}, indent=2) + "\n"
        _add(zf, ARCHIVE_PHOTOS, listing.encode(), zipfile.ZIP_DEFLATED)
        for name, data in files:
            _add(zf, name, data, zipfile.ZIP_STORED)  # JPEGs do not compress
    return buffer.getvalue()


def archive_name(export: Export) -> str:
    """The archive's file name: the document's, as .zip."""
    return export.filename.removesuffix(".json") + ".zip"


def _add(zf: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    """Add a member with fixed date and mode, so the same data gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def is_archive(data: bytes) -> bool:
    """A zip (an export with photos) rather than a JSON document."""
    return data[:4] == b"PK\x03\x04"


def import_file(actor: User, data: bytes) -> Imported:
    """Import a JSON document or a zip archive with photos, as the actor."""
    if not is_archive(data):
        return Imported(import_document(actor, parse_json(data)), [])
    config = current_app.config
    limit = config.get("GEMBA_PHOTO_MAX_BYTES") or config.get("MAX_CONTENT_LENGTH") or 25 << 20
    return _import_archive(actor, data, int(limit))


def _import_archive(actor: User, data: bytes, max_photo_bytes: int) -> Imported:
    """Records first, then each photo through the photo path; a bad photo is rejected alone."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentInvalid(400, "The file is not a readable zip archive.") from None
    with zf:
        names = set(zf.namelist())
        if len(names) > MAX_ARCHIVE_ENTRIES:
            raise DocumentInvalid(413, f"At most {MAX_ARCHIVE_ENTRIES} files per archive.")
        if ARCHIVE_DOCUMENT not in names:
            raise DocumentInvalid(
                422,
                f"The archive has no {ARCHIVE_DOCUMENT}.",
                [FieldError(ARCHIVE_DOCUMENT, "The archive must hold the Gemba JSON document.")],
            )
        document = parse_json(_read(zf, ARCHIVE_DOCUMENT, MAX_DOCUMENT_BYTES))
        listing = _manifest(
            parse_json(_read(zf, ARCHIVE_PHOTOS, MAX_DOCUMENT_BYTES))
            if ARCHIVE_PHOTOS in names
            else {"photos": []}
        )
        result = import_document(actor, document)
        outcomes = [_import_photo(actor, zf, names, entry, max_photo_bytes) for entry in listing]
    return Imported(result, outcomes)


def _read(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, refusing more than `limit` whatever the archive claims."""
    try:
        with zf.open(name) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise DocumentInvalid(400, f"{name} cannot be read from the archive: {exc}") from None
    if len(data) > limit:
        raise DocumentInvalid(413, f"{name} is larger than {limit} bytes.")
    return data


def _manifest(listing: Any) -> list[Any]:
    """The list of photo entries of photos.json."""
    photos = listing.get("photos") if isinstance(listing, dict) else None
    if not isinstance(photos, list):
        raise DocumentInvalid(
            422,
            f"{ARCHIVE_PHOTOS} must be an object with a list of photos.",
            [FieldError("photos", "Must be a list.")],
        )
    return photos


def _import_photo(
    actor: User, zf: zipfile.ZipFile, names: set[str], entry: Any, max_bytes: int
) -> PhotoResult:
    """One photo through the photo path (which checks the walk is the actor's)."""
    if not isinstance(entry, dict):
        return PhotoResult(None, None, "rejected", "Not a photo entry.")
    raw_id, raw_record, name = entry.get("id"), entry.get("record"), entry.get("file")
    shown = (
        raw_id if isinstance(raw_id, str) else None,
        raw_record if isinstance(raw_record, str) else None,
    )
    try:
        photo_id, record_id = uuid.UUID(raw_id), uuid.UUID(raw_record)
    except (TypeError, ValueError, AttributeError):
        return PhotoResult(*shown, "rejected", "id and record must be UUIDs.")
    if not isinstance(name, str) or name not in names:
        return PhotoResult(*shown, "rejected", "The photo's file is not in the archive.")
    try:
        data = _read(zf, name, max_bytes)
        _, status = photos.save_photo(actor, photo_id, data, record_id)
    except DocumentInvalid as exc:
        return PhotoResult(*shown, "rejected", exc.detail)
    except PhotoRejected as exc:
        return PhotoResult(*shown, "rejected", exc.message)
    return PhotoResult(*shown, status)
