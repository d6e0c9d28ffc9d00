"""Retention per site: what people said and how they looked is kept no longer than allowed.

A site with `retention_days` set loses, once its records are older than that, what
identifies people: the photos (rows and files, originals too), the words of quotes and
the observers' notes. What the records count for stays: a statement keeps its claim,
topic, speaker role, source and persona; a fact keeps its outcome, value, unit,
sentiment, topic and place. Gaps are left exactly as they are (severity, confidence,
score, status, evidence ids): the verdicts were reached on evidence that existed, and
their pages say that the evidence has expired. The record gets `expired_at`, so a
second run finds nothing to do (docs/retention.md).

A record's age is its `observed_at` (when it was seen or said), not its walk's start:
that is the moment the words describe, and it is indexed per walk. The writes go
straight to the columns, one transaction per site, not through the write path: nothing
here changes what a gap is computed from, and the write path would re-judge topics and
refuse an empty quote. The data revision changes with the commit (gemba.platform.
revision notices every UPDATE), so no cached page keeps showing removed words.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select, update

from gemba.capture import trash
from gemba.extensions import db
from gemba.models import (
    AuditEvent,
    Contradiction,
    Fact,
    Photo,
    Place,
    Site,
    Statement,
    Thing,
    Walk,
    utcnow,
)
from gemba.photos import service as photos
from gemba.platform.database import transaction

# The records whose notes are emptied, and the column that holds the note (None: emptied
# to no note; "": a fact's text is required, so it becomes the empty string).
NOTES: dict[str, tuple[type, str, str | None]] = {
    "place": (Place, "note", None),
    "thing": (Thing, "note", None),
    "fact": (Fact, "text", ""),
}
AUDIT_VERB = "retention_applied"
_CHUNK = 500  # ids per IN (...): far below SQLite's limit on bound parameters


@dataclass
class SiteRun:
    """What retention does (or, in a dry run, would do) at one site."""

    site_id: uuid.UUID
    site_name: str
    days: int
    cutoff: datetime
    photos: list[uuid.UUID] = field(default_factory=list)
    quotes: list[uuid.UUID] = field(default_factory=list)
    # (kind, id): kind is place, thing, fact, or link (a contradiction's note).
    notes: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # the photos' stored keys
    files_deleted: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.photos or self.quotes or self.notes)

    def counts(self) -> dict[str, int]:
        return {"photos": len(self.photos), "quotes": len(self.quotes), "notes": len(self.notes)}


def sites(site_id: uuid.UUID | None = None) -> list[Site]:
    """The sites with a retention period (only `site_id`, if given), by name."""
    query = select(Site).where(Site.retention_days.is_not(None)).order_by(Site.name, Site.id)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    return list(db.session.scalars(query))


def find(site: Site, now: datetime | None = None) -> SiteRun:
    """What a run would do at this site now; reads only."""
    days = int(site.retention_days or 0)
    cutoff = (now or utcnow()) - timedelta(days=days)
    found = SiteRun(site.id, site.name, days, cutoff)
    found.quotes = _expiring(Statement, site.id, cutoff)
    for kind, (model, _column, _empty) in NOTES.items():
        found.notes.extend((kind, i) for i in _expiring(model, site.id, cutoff))
    found.notes.extend(("link", i) for i in _noted_links(site.id, cutoff))
    for row in db.session.execute(_old_photos(site.id, cutoff)):
        found.photos.append(row.id)
        found.files.update(key for key in row[1:] if key)
    return found


def run(
    now: datetime | None = None, site_id: uuid.UUID | None = None, *, dry_run: bool = False
) -> list[SiteRun]:
    """Apply retention at every site that has it (or only `site_id`); a dry run changes
    nothing and returns the same lists a run would act on."""
    now = now or utcnow()
    if dry_run:
        return [find(site, now) for site in sites(site_id)]
    done = []
    for site_ref in [site.id for site in sites(site_id)]:
        # Exclusive, as `flask photos sweep` takes it: a backup copying files waits, and
        # so does a second run started meanwhile (it then finds the work done).
        with photos.files_lock(shared=False):
            with transaction():
                found = _apply_site(site_ref, now)
            if found is not None and found.files:
                keep = trash.kept_photo_keys()  # a deleted record may still need a file
                found.files_deleted = photos.discard_unused(found.files - keep)
        if found is not None:
            done.append(found)
    return done


def _apply_site(site_id: uuid.UUID, now: datetime) -> SiteRun | None:
    """Inside the site's transaction: read again what to do, do it, audit it."""
    site = db.session.scalar(select(Site).where(Site.id == site_id).with_for_update())
    if site is None or site.retention_days is None:
        return None  # changed since the list was read
    found = find(site, now)
    if found.nothing:
        return found
    for ids in _chunks(found.quotes):
        _mark(Statement, ids, {"text": ""}, now)
    for kind, (model, column, empty) in NOTES.items():
        for ids in _chunks([i for k, i in found.notes if k == kind]):
            _mark(model, ids, {column: empty}, now)
    for ids in _chunks([i for k, i in found.notes if k == "link"]):
        db.session.execute(
            update(Contradiction).where(Contradiction.id.in_(ids)).values(note=None),
            execution_options={"synchronize_session": False},
        )
    for ids in _chunks(found.photos):
        db.session.execute(
            delete(Photo).where(Photo.id.in_(ids)),
            execution_options={"synchronize_session": False},
        )
    db.session.add(
        AuditEvent(
            object_type="site",
            object_id=str(site.id),
            site_id=site.id,
            verb=AUDIT_VERB,
            detail={"days": found.days, "before": found.cutoff.isoformat(), **found.counts()},
        )
    )
    return found


def _mark(model: type, ids: list[uuid.UUID], values: dict, now: datetime) -> None:
    """Empty these records' words and note when; only ones not yet expired (a concurrent
    run may have got there first)."""
    db.session.execute(
        update(model)
        .where(model.id.in_(ids), model.expired_at.is_(None))
        .values(expired_at=now, **values),
        execution_options={"synchronize_session": False},
    )


def _site_records(model: type, site_id: uuid.UUID):
    return select(model.id).join(Walk, Walk.id == model.walk_id).where(Walk.site_id == site_id)


def _expiring(model: type, site_id: uuid.UUID, cutoff: datetime) -> list[uuid.UUID]:
    """Records of the site's walks seen before the cutoff and not expired yet."""
    query = (
        _site_records(model, site_id)
        .where(model.observed_at < cutoff, model.expired_at.is_(None))
        .order_by(model.observed_at, model.id)
    )
    return list(db.session.scalars(query))


def _gone(model: type, site_id: uuid.UUID, cutoff: datetime):
    """Records whose evidence goes: older than the cutoff, or expired by an earlier run
    (a photo sent later to an expired record goes too)."""
    return _site_records(model, site_id).where(
        or_(model.observed_at < cutoff, model.expired_at.is_not(None))
    )


def _noted_links(site_id: uuid.UUID, cutoff: datetime) -> list[uuid.UUID]:
    """Hand-made links with a note whose fact or statement has expired (or does now)."""
    query = (
        select(Contradiction.id)
        .where(
            Contradiction.note.is_not(None),
            Contradiction.note != "",
            or_(
                Contradiction.fact_id.in_(_gone(Fact, site_id, cutoff)),
                Contradiction.statement_id.in_(_gone(Statement, site_id, cutoff)),
            ),
        )
        .order_by(Contradiction.created_at, Contradiction.id)
    )
    return list(db.session.scalars(query))


def _old_photos(site_id: uuid.UUID, cutoff: datetime):
    """The photos that go: of expired records, and any of the site's walks that shows no
    record and is older than the cutoff."""
    unattached = and_(
        Photo.place_id.is_(None),
        Photo.thing_id.is_(None),
        Photo.fact_id.is_(None),
        Photo.statement_id.is_(None),
        Photo.created_at < cutoff,
    )
    return (
        select(Photo.id, Photo.display_key, Photo.thumb_key, Photo.original_key)
        .join(Walk, Walk.id == Photo.walk_id)
        .where(
            Walk.site_id == site_id,
            or_(
                Photo.place_id.in_(_gone(Place, site_id, cutoff)),
                Photo.thing_id.in_(_gone(Thing, site_id, cutoff)),
                Photo.fact_id.in_(_gone(Fact, site_id, cutoff)),
                Photo.statement_id.in_(_gone(Statement, site_id, cutoff)),
                unattached,
            ),
        )
        .order_by(Photo.created_at, Photo.id)
    )


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


# -- what the command says -------------------------------------------------------------------


def report(runs: list[SiteRun], *, dry_run: bool) -> list[str]:
    """The command's lines in the current locale: one per site with its counts, and in a
    dry run the records, one per line, indented."""
    if not runs:
        return [_("No site has a retention period.")]
    lines = []
    for found in runs:
        values = {
            "site": found.site_name,
            "days": found.days,
            "cutoff": f"{found.cutoff:%Y-%m-%d %H:%M}",
            **found.counts(),
        }
        if dry_run:
            lines.append(
                _(
                    "%(site)s (%(days)d days, before %(cutoff)s UTC): photos to delete: "
                    "%(photos)d, quotes to anonymise: %(quotes)d, notes to empty: %(notes)d.",
                    **values,
                )
            )
            lines.extend("  " + line for line in _listing(found))
        else:
            lines.append(
                _(
                    "%(site)s (%(days)d days, before %(cutoff)s UTC): photos deleted: "
                    "%(photos)d, quotes anonymised: %(quotes)d, notes emptied: %(notes)d.",
                    **values,
                )
            )
    return lines


def _listing(found: SiteRun) -> Iterator[str]:
    """Each record a run would change, by kind."""
    for photo_id in found.photos:
        yield _("photo %(id)s", id=photo_id)
    for quote_id in found.quotes:
        yield _("quote %(id)s (statement)", id=quote_id)
    words = {
        "place": _("note %(id)s (place)"),
        "thing": _("note %(id)s (thing)"),
        "fact": _("note %(id)s (fact)"),
        "link": _("note %(id)s (contradiction)"),
    }
    for kind, record_id in found.notes:
        yield words[kind] % {"id": record_id}
