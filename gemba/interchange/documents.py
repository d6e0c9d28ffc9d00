"""Gemba JSON in and out: a walk or a site as one document, and a document back in.

Exports are deterministic (the same data gives the same bytes) and self-contained
(the site and its personas come along), so an export imported into an empty
instance and exported again gives the same document. Imports go through
`records.write` like every other write.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gemba.capture import records
from gemba.domain.gemba_json import (
    FORMAT,
    MAX_RECORDS,
    FieldError,
    format_timestamp,
    validate_document,
)
from gemba.domain.photos import PhotoRejected
from gemba.extensions import db
from gemba.models import Contradiction, Fact, Persona, Place, Site, Statement, Thing, User, Walk
from gemba.photos import service as photos

STATUSES = ("created", "updated", "unchanged", "rejected")


class DocumentInvalid(Exception):
    """The envelope is wrong (not JSON, wrong format, too many records): nothing was read."""

    def __init__(self, status: int, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


# -- reading a document ----------------------------------------------------------------------


def _refuse_constant(name: str) -> None:
    """NaN and Infinity are Python extensions to JSON; no database keeps them faithfully."""
    raise ValueError(f"{name} is not valid JSON.")


def parse_json(data: bytes | str) -> Any:
    """Strict JSON: NaN and Infinity are refused, as is nesting too deep to read."""
    if not data:
        raise DocumentInvalid(400, "The body is empty; send a Gemba JSON document.")
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise DocumentInvalid(400, f"The body is not valid JSON: {exc}"[:300]) from None


def check_document(doc: Any) -> list[Any]:
    """The document's records, once the envelope is right; single records are checked later."""
    if not isinstance(doc, dict):
        raise DocumentInvalid(
            422, "Send a JSON object.", [FieldError("document", "Must be a JSON object.")]
        )
    batch = doc.get("records")
    if isinstance(batch, list) and len(batch) > MAX_RECORDS:
        raise DocumentInvalid(
            413,
            f"Too many records: send at most {MAX_RECORDS} per document.",
            [FieldError("records", f"At most {MAX_RECORDS} records per document.")],
        )
    errors = validate_document(doc)
    if errors:
        raise DocumentInvalid(422, "The document is not a Gemba JSON v1 document.", errors)
    return batch


def import_document(actor: User, doc: Any) -> records.WriteResult:
    """Write a document's records as the actor; bad records are rejected one by one."""
    return records.write(actor, check_document(doc))


def summary(result: records.WriteResult) -> dict[str, int]:
    """How many records were created, updated, unchanged and rejected."""
    counts = Counter(r.status for r in result.results)
    return {status: counts.get(status, 0) for status in STATUSES}


def describe(result: records.WriteResult) -> str:
    """One line a person reads after an import."""
    counts = summary(result)
    total = len(result.results)
    return f"{total} records: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES) + "."


# -- writing a document ----------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """A document and the file name it is offered under."""

    document: dict[str, Any]
    filename: str

    def dumps(self) -> str:
        """The document as text, keys in a fixed order, one record per line."""
        lines = [
            json.dumps(r, ensure_ascii=False, allow_nan=False) for r in self.document["records"]
        ]
        body = ",\n    ".join(lines)
        records_text = f"[\n    {body}\n  ]" if lines else "[]"
        return f'{{\n  "format": "{FORMAT}",\n  "records": {records_text}\n}}\n'


def walk_export(walk: Walk) -> Export:
    """One walk with its site and the site's personas, ready to import elsewhere."""
    document = _document(walk.site, [walk], only_walk=True)
    return Export(document, f"gemba-walk-{walk.id}.json")


def site_export(site: Site) -> Export:
    """A whole site: its personas, every walk and everything logged on them."""
    walks = db.session.scalars(
        select(Walk).where(Walk.site_id == site.id).order_by(Walk.started_at, Walk.id)
    ).all()
    return Export(_document(site, list(walks), only_walk=False), f"gemba-site-{site.id}.json")


def _document(site: Site, walks: list[Walk], *, only_walk: bool) -> dict[str, Any]:
    walk_ids = [w.id for w in walks]
    # Sorted here, not in SQL: collations differ between databases, bytes do not.
    personas = sorted(
        db.session.scalars(select(Persona).where(Persona.site_id == site.id)),
        key=lambda p: (p.name, str(p.id)),
    )
    out: list[dict[str, Any]] = [site_record(site)]
    out.extend(persona_record(p) for p in personas)
    by_walk = _walk_records(walk_ids)
    for walk in walks:
        out.append(walk_record(walk))
        out.extend(by_walk.get(walk.id, []))
    out.extend(contradiction_record(c) for c in _contradictions(walk_ids, only_walk))
    return {"format": FORMAT, "records": out}


def _walk_records(walk_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Places, things, statements and facts per walk, each kind in observation order."""
    by_walk: dict[uuid.UUID, list[dict[str, Any]]] = {w: [] for w in walk_ids}
    if not walk_ids:
        return by_walk
    kinds: list[tuple[type, Any, Any]] = [
        (Place, place_record, None),
        (Thing, thing_record, None),
        (Statement, statement_record, selectinload(Statement.topic)),
        (Fact, fact_record, (selectinload(Fact.topic), selectinload(Fact.things))),
    ]
    for model, to_json, load in kinds:
        query = (
            select(model)
            .where(model.walk_id.in_(walk_ids))
            .order_by(model.walk_id, model.observed_at, model.id)
        )
        if load is not None:
            query = query.options(*(load if isinstance(load, tuple) else (load,)))
        for obj in db.session.scalars(query):
            by_walk[obj.walk_id].append(to_json(obj))
    return by_walk


def _contradictions(walk_ids: list[uuid.UUID], only_walk: bool) -> Iterable[Contradiction]:
    """Manual links whose fact is on these walks; a walk export keeps only links within it,
    because a statement on another walk would not be in the document."""
    if not walk_ids:
        return []
    query = (
        select(Contradiction)
        .join(Fact, Fact.id == Contradiction.fact_id)
        .where(Fact.walk_id.in_(walk_ids))
        .order_by(Contradiction.id)
    )
    if only_walk:
        query = query.join(Statement, Statement.id == Contradiction.statement_id).where(
            Statement.walk_id.in_(walk_ids)
        )
    return db.session.scalars(query).all()


# -- one record per row ---------------------------------------------------------------------


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional fields: an absent field means no value."""
    return {k: v for k, v in record.items() if v is not None}


def _ref(value: uuid.UUID | None) -> str | None:
    """A reference as text, or None when there is none."""
    return str(value) if value is not None else None


def site_record(site: Site) -> dict[str, Any]:
    """A site as a Gemba JSON record (also the items of GET /sites)."""
    return _compact(
        {"type": "site", "id": str(site.id), "name": site.name, "description": site.description}
    )


def persona_record(persona: Persona) -> dict[str, Any]:
    """A persona as a Gemba JSON record."""
    return _compact(
        {
            "type": "persona",
            "id": str(persona.id),
            "site": str(persona.site_id),
            "name": persona.name,
            "description": persona.description,
        }
    )


def walk_record(walk: Walk) -> dict[str, Any]:
    """A walk as a Gemba JSON record; the observer is the importer, so it is left out."""
    return _compact(
        {
            "type": "walk",
            "id": str(walk.id),
            "site": str(walk.site_id),
            "title": walk.title,
            "purpose": walk.purpose,
            "status": walk.status,
            "started_at": format_timestamp(walk.started_at),
            "ended_at": format_timestamp(walk.ended_at),
        }
    )


def place_record(place: Place) -> dict[str, Any]:
    """A place as a Gemba JSON record."""
    return _compact(
        {
            "type": "place",
            "id": str(place.id),
            "walk": str(place.walk_id),
            "name": place.name,
            "lat": place.lat,
            "lon": place.lon,
            "accuracy_m": place.accuracy_m,
            "note": place.note,
            "observed_at": format_timestamp(place.observed_at),
        }
    )


def thing_record(thing: Thing) -> dict[str, Any]:
    """A thing as a Gemba JSON record."""
    return _compact(
        {
            "type": "thing",
            "id": str(thing.id),
            "walk": str(thing.walk_id),
            "place": _ref(thing.place_id),
            "name": thing.name,
            "kind": thing.kind,
            "note": thing.note,
            "observed_at": format_timestamp(thing.observed_at),
        }
    )


def statement_record(statement: Statement) -> dict[str, Any]:
    """A statement with its claim; the topic under its site-wide spelling."""
    claim = statement.claim
    return _compact(
        {
            "type": "statement",
            "id": str(statement.id),
            "walk": str(statement.walk_id),
            "place": _ref(statement.place_id),
            "topic": statement.topic.name if statement.topic is not None else None,
            "speaker": statement.speaker,
            "source": statement.source,
            "persona": _ref(statement.persona_id),
            "text": statement.text,
            "claim": _compact(claim) if claim else None,
            "observed_at": format_timestamp(statement.observed_at),
        }
    )


def fact_record(fact: Fact) -> dict[str, Any]:
    """A fact; its things sorted by id so the export does not depend on names."""
    return _compact(
        {
            "type": "fact",
            "id": str(fact.id),
            "walk": str(fact.walk_id),
            "place": _ref(fact.place_id),
            "things": sorted(str(t.id) for t in fact.things) or None,
            "topic": fact.topic.name if fact.topic is not None else None,
            "text": fact.text,
            "performed": fact.performed,
            "value": fact.value,
            "unit": fact.unit,
            "sentiment": fact.sentiment,
            "persona": _ref(fact.persona_id),
            "observed_at": format_timestamp(fact.observed_at),
        }
    )


def contradiction_record(link: Contradiction) -> dict[str, Any]:
    """A manual link as a Gemba JSON record."""
    return _compact(
        {
            "type": "contradiction",
            "id": str(link.id),
            "fact": str(link.fact_id),
            "statement": str(link.statement_id),
            "note": link.note,
        }
    )


# -- archives: the document and its photos in one zip ----------------------------------------

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
        (p for group in photos.photos_of_records(record_ids).values() for p in group),
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
