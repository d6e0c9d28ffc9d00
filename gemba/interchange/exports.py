"""Gemba JSON out: a walk or a site as one document, one record per row.

Exports are deterministic (the same data gives the same bytes) and self-contained
(the site and its personas come along), so an export imported into an empty
instance (`gemba.interchange.imports`) and exported again gives the same document.
`gemba.interchange.archives` packs an export with its photos into a zip.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gemba.domain.gemba_json import FORMAT, format_timestamp
from gemba.extensions import db
from gemba.models import (
    Contradiction,
    Fact,
    Persona,
    Place,
    Plan,
    PlanEntry,
    Site,
    Statement,
    Thing,
    Walk,
)


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
    plan_ids = {w.plan_id for w in walks if w.plan_id is not None} if only_walk else None
    out.extend(plan_records(site, plan_ids))
    by_walk = _walk_records(walk_ids)
    exported = set(walk_ids)
    for walk in walks:
        out.append(walk_record(walk, exported))
        out.extend(by_walk.get(walk.id, []))
    out.extend(contradiction_record(c) for c in _contradictions(walk_ids, only_walk))
    return {"format": FORMAT, "records": out}


def plan_records(site: Site, only: set[uuid.UUID] | None = None) -> list[dict[str, Any]]:
    """The site's walk plans (or only those named), by title, with their checklists."""
    query = (
        select(Plan)
        .where(Plan.site_id == site.id)
        .options(
            selectinload(Plan.assignees), selectinload(Plan.entries).selectinload(PlanEntry.item)
        )
    )
    if only is not None:
        if not only:
            return []
        query = query.where(Plan.id.in_(sorted(only)))
    plans = sorted(db.session.scalars(query), key=lambda p: (p.title, str(p.id)))
    item_ids = [e.item_id for p in plans for e in p.entries]
    standards = (
        {
            s.plan_item_id: s
            for s in db.session.scalars(
                select(Statement).where(Statement.plan_item_id.in_(item_ids))
            )
        }
        if item_ids
        else {}
    )
    return [plan_record(p, standards) for p in plans]


def plan_record(plan: Plan, standards: dict[uuid.UUID, Statement]) -> dict[str, Any]:
    """A plan with its checklist: items in order, then the retired ones, each with its
    standard as a claim; assignees by e-mail."""
    entries = sorted(plan.entries, key=lambda e: (e.retired_at is not None, e.position))
    items = []
    for entry in entries:
        item, standard = entry.item, standards.get(entry.item_id)
        claim = standard.claim if standard is not None else None
        items.append(
            _compact(
                {
                    "id": str(item.id),
                    "topic": item.topic.name,
                    "question": item.question,
                    "kind": item.kind,
                    "unit": item.unit,
                    "standard": _compact(claim) if claim else None,
                    "reference": item.reference,
                    "retired": True if entry.retired_at is not None else None,
                }
            )
        )
    return _compact(
        {
            "type": "plan",
            "id": str(plan.id),
            "site": str(plan.site_id),
            "title": plan.title,
            "purpose": plan.purpose,
            "route": list(plan.route) or None,
            "schedule": plan.schedule,
            "assignees": sorted(u.email for u in plan.assignees) or None,
            "assignee_role": plan.assignee_role,
            "announced": plan.announced,
            "items": items,
        }
    )


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
        {
            "type": "site",
            "id": str(site.id),
            "name": site.name,
            "description": site.description,
            "time_zone": site.time_zone,
            "walks_announced": site.walks_announced,
            # Read by the phone app for its banner; set on the site's page, never imported.
            "works_council": site.works_council,
        }
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


def walk_record(walk: Walk, exported: set[uuid.UUID] | None = None) -> dict[str, Any]:
    """A walk as a Gemba JSON record; the observer is the importer, so it is left out.

    The walk it shadows is named only where that walk is in the same document (`exported`;
    None: always), so a one-walk export imports on its own."""
    shadows = walk.calibrates_id
    if exported is not None and shadows not in exported:
        shadows = None
    record = _compact(
        {
            "type": "walk",
            "id": str(walk.id),
            "site": str(walk.site_id),
            "title": walk.title,
            "purpose": walk.purpose,
            "plan": _ref(walk.plan_id),
            "announced": walk.announced,
            "observer_visible": walk.observer_visible,
            "calibrates": _ref(shadows),
            "status": walk.status,
            "started_at": format_timestamp(walk.started_at),
            "ended_at": format_timestamp(walk.ended_at),
        }
    )
    # Not recorded stays not recorded: an absent field would take the site's default.
    record.setdefault("announced", None)
    return record


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
            "expired_at": format_timestamp(place.expired_at),
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
            "expired_at": format_timestamp(thing.expired_at),
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
            "expired_at": format_timestamp(statement.expired_at),
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
            "expired_at": format_timestamp(fact.expired_at),
            "plan_item": _ref(fact.plan_item_id),
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
