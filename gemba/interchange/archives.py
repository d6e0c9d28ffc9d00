"""Archives: a document and the photos of its records in one zip, out and back in.

An archive is `gemba.json` (the export, as `gemba.interchange.exports` writes it),
`photos.json` (which photo belongs to which record) and the photo files. Archives
are deterministic like exports: fixed member dates and modes.

An import is all or nothing. The file is checked whole before anything is written:
the number of members, each member's size and their total (as the archive declares
them, and again while reading, since a declaration can lie), the document's records,
and each photo entry (its record, its file, that the file is a photo). Then the
records and the photos are written in one transaction, the photos through the photo
path that checks them like uploads; one refusal anywhere and nothing is kept. The
limits are settings: GEMBA_IMPORT_MAX_BYTES for the whole archive unpacked,
GEMBA_PHOTO_MAX_BYTES for one photo.
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
from gemba.domain.photos import NOT_A_PHOTO, PhotoRejected, sniff_format
from gemba.interchange.exports import Export
from gemba.interchange.imports import (
    DocumentInvalid,
    check_document,
    describe,
    import_document,
    parse_json,
)
from gemba.models import User
from gemba.photos import service as photos
from gemba.photos.queries import photos_of_records
from gemba.platform.database import transaction

ARCHIVE_DOCUMENT = "gemba.json"
ARCHIVE_PHOTOS = "photos.json"
MAX_ARCHIVE_ENTRIES = 20_000
MAX_DOCUMENT_BYTES = 200 << 20  # gemba.json inside an archive, once unpacked
DEFAULT_IMPORT_BYTES = 2 << 30  # a whole archive, once unpacked
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest zip date: archives do not depend on the clock
_PHOTO_KINDS = ("place", "thing", "statement", "fact")


@dataclass(frozen=True)
class PhotoResult:
    """What happened to one photo of an archive."""

    id: str | None
    record: str | None
    status: str  # created | unchanged
    reason: str | None = None


@dataclass
class Imported:
    """An import's outcome: the records' results and, from an archive, the photos'."""

    result: records.WriteResult
    photos: list[PhotoResult]

    def describe(self) -> str:
        """One line a person reads after an import."""
        line = describe(self.result)
        if self.photos:
            counts = Counter(p.status for p in self.photos)
            photo_counts = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("created", "unchanged"))
            line += f" {len(self.photos)} photos: {photo_counts}."
        return line


def archive(export: Export) -> bytes:
    """A zip of the document and the photos of its records (their display copies)."""
    record_ids = [
        uuid.UUID(r["id"]) for r in export.document["records"] if r["type"] in _PHOTO_KINDS
    ]
    found = sorted(
        (p for group in photos_of_records(record_ids).values() for p in group),
        key=lambda p: str(p.id),
    )
    manifest, files = [], []
    for photo in found:
        # The display copy, faces blurred; an original a site keeps never leaves Gemba,
        # since only admins may see it, one logged look at a time.
        name = f"photos/{photo.id}.jpg"
        with photos.store().open(photo.display_key) as handle:
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
    """Import a JSON document or a zip archive with photos, as the actor: all or nothing."""
    if not is_archive(data):
        document = parse_json(data)
        with transaction():
            return Imported(_write_records(actor, document), [])
    config = current_app.config
    photo_limit = config.get("GEMBA_PHOTO_MAX_BYTES") or config.get("MAX_CONTENT_LENGTH")
    total_limit = config.get("GEMBA_IMPORT_MAX_BYTES") or DEFAULT_IMPORT_BYTES
    return _import_archive(actor, data, int(photo_limit or 25 << 20), int(total_limit))


def _write_records(actor: User, document: Any) -> records.WriteResult:
    """The document's records, in the caller's transaction; any refusal refuses them all."""
    result = import_document(actor, document)
    if result.rejected:
        raise DocumentInvalid(
            422,
            f"{len(result.rejected)} of {len(result.results)} records were refused, "
            "so nothing was imported.",
            [
                FieldError(f"{r.type or 'record'} {r.id or '?'}: {e.field}", e.message)
                for r in result.rejected
                for e in r.errors
            ],
        )
    return result


@dataclass
class _Reader:
    """Reads members of one archive, holding the whole import to its byte budget."""

    zf: zipfile.ZipFile
    budget: int

    def read(self, name: str, limit: int) -> bytes:
        data = _read(self.zf, name, min(limit, self.budget))
        self.budget -= len(data)
        return data


def _import_archive(actor: User, data: bytes, max_photo: int, max_total: int) -> Imported:
    """Check everything, then write the records and photos in one transaction."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentInvalid(400, "The file is not a readable zip archive.") from None
    with zf:
        names = _check_members(zf, max_total)
        reader = _Reader(zf, max_total)
        document = parse_json(reader.read(ARCHIVE_DOCUMENT, MAX_DOCUMENT_BYTES))
        check_document(document)
        listing = _manifest(
            parse_json(reader.read(ARCHIVE_PHOTOS, MAX_DOCUMENT_BYTES))
            if ARCHIVE_PHOTOS in names
            else {"photos": []}
        )
        entries = _check_photos(reader, names, listing, document, max_photo)
        stored: list[str] = []
        try:
            with transaction():
                result = _write_records(actor, document)
                outcomes = [_save_photo(actor, stored, *entry) for entry in entries]
        except BaseException:
            photos.discard_unused(stored)  # files of photos whose rows were rolled back
            raise
    return Imported(result, outcomes)


def _check_members(zf: zipfile.ZipFile, max_total: int) -> set[str]:
    """Refuse an archive by what it declares, before reading a byte of it."""
    infos = zf.infolist()
    if len(infos) > MAX_ARCHIVE_ENTRIES:
        raise DocumentInvalid(413, f"At most {MAX_ARCHIVE_ENTRIES} files per archive.")
    total = sum(info.file_size for info in infos)
    if total > max_total:
        raise DocumentInvalid(
            413,
            f"The archive unpacks to {total / 1_048_576:.0f} MB; the limit is "
            f"{max_total / 1_048_576:.0f} MB (GEMBA_IMPORT_MAX_BYTES). Nothing was imported.",
        )
    names = {info.filename for info in infos}
    if ARCHIVE_DOCUMENT not in names:
        raise DocumentInvalid(
            422,
            f"The archive has no {ARCHIVE_DOCUMENT}.",
            [FieldError(ARCHIVE_DOCUMENT, "The archive must hold the Gemba JSON document.")],
        )
    return names


def _read(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, refusing more than `limit` whatever the archive claims."""
    try:
        with zf.open(name) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise DocumentInvalid(400, f"{name} cannot be read from the archive: {exc}") from None
    if len(data) > limit:
        raise DocumentInvalid(413, f"{name} is larger than {limit} bytes. Nothing was imported.")
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


def _check_photos(
    reader: _Reader, names: set[str], listing: list[Any], document: Any, max_bytes: int
) -> list[tuple[str, str, uuid.UUID, uuid.UUID, bytes]]:
    """Every photo entry read and checked; all the problems at once, or the entries."""
    in_document = {r.get("id") for r in document.get("records", []) if isinstance(r, dict)}
    entries, problems = [], []
    for position, entry in enumerate(listing):
        where = f"photos.{position}"
        if not isinstance(entry, dict):
            problems.append(FieldError(where, "Not a photo entry."))
            continue
        raw_id, raw_record, name = entry.get("id"), entry.get("record"), entry.get("file")
        try:
            photo_id, record_id = uuid.UUID(raw_id), uuid.UUID(raw_record)
        except (TypeError, ValueError, AttributeError):
            problems.append(FieldError(where, "id and record must be UUIDs."))
            continue
        if not isinstance(name, str) or name not in names:
            problems.append(FieldError(where, "The photo's file is not in the archive."))
            continue
        data = reader.read(name, max_bytes)
        if sniff_format(data) is None:
            problems.append(FieldError(where, f"{name}: {NOT_A_PHOTO}"))
            continue
        if raw_record not in in_document and photos.find_record(record_id)[1] is None:
            problems.append(FieldError(where, "The photo's record is not in the import."))
            continue
        entries.append((raw_id, raw_record, photo_id, record_id, data))
    if problems:
        raise DocumentInvalid(
            422, f"{len(problems)} photos were refused, so nothing was imported.", problems
        )
    return entries


def _save_photo(
    actor: User,
    stored: list[str],
    raw_id: str,
    raw_record: str,
    photo_id: uuid.UUID,
    record_id: uuid.UUID,
    data: bytes,
) -> PhotoResult:
    """One photo through the photo path, in the import's transaction; its files noted."""
    try:
        photo, status = photos.save_photo(actor, photo_id, data, record_id)
        stored.extend(k for k in (photo.display_key, photo.thumb_key, photo.original_key) if k)
    except PhotoRejected as exc:
        raise DocumentInvalid(
            exc.status if 400 <= exc.status < 500 else 422,
            f"Photo {raw_id} was refused, so nothing was imported: {exc.message}",
            [FieldError(f"photo {raw_id}", exc.message)],
        ) from None
    return PhotoResult(raw_id, raw_record, status)
