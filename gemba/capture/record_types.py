"""One function per Gemba JSON record type: check the record against what is stored and
write it; each returns created, updated or unchanged, or raises Reject."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from gemba.capture.outcomes import Reject, WriteContext
from gemba.capture.permissions import can_edit_walk
from gemba.capture.plan_records import apply_plan, item_of_fact, plan_of_walk
from gemba.capture.upserts import (
    claim_values,
    drop_null_time,
    editable_walk,
    keep_expiry,
    note_touched,
    optional,
    place_id_of,
    shared_references,
    timestamp,
    upsert,
)
from gemba.capture.walk_context import walk_context
from gemba.domain import clock
from gemba.domain.gemba_json import parse_uuid
from gemba.extensions import db
from gemba.models import Contradiction, Fact, Persona, Place, Role, Site, Statement, Thing, Walk
from gemba.platform import time_zones


def _apply_site(ctx: WriteContext, record: dict) -> str:
    site_id = parse_uuid(record["id"])
    values: dict[str, Any] = {"name": record["name"].strip()}
    optional(record, values, {"description": "description"})
    # A zone is kept as the zone database spells it; a site sent without one (an older
    # client, a phone resending it with its walk) keeps its own, and a new one starts
    # with the server's.
    if record.get("walks_announced") is not None:
        values["walks_announced"] = record["walks_announced"]
    if record.get("time_zone") is not None:
        values["time_zone"] = clock.canonical_zone(record["time_zone"])
    elif db.session.get(Site, site_id) is None:
        values["time_zone"] = time_zones.default_zone()
    return _upsert_managed(ctx, Site, site_id, values, "sites")


def _apply_persona(ctx: WriteContext, record: dict) -> str:
    site = db.session.get(Site, parse_uuid(record["site"]))
    if site is None:
        raise Reject("site", "Unknown site.", 404)
    persona_id = parse_uuid(record["id"])
    existing = db.session.get(Persona, persona_id)
    if existing is not None and existing.site_id != site.id:
        raise Reject("site", "A persona cannot move to another site.", 409)
    values: dict[str, Any] = {"site_id": site.id, "name": record["name"].strip()}
    optional(record, values, {"description": "description"})
    return _upsert_managed(ctx, Persona, persona_id, values, "personas")


def _upsert_managed(
    ctx: WriteContext, model: type, record_id: uuid.UUID, values: dict[str, Any], noun: str
) -> str:
    """Sites and personas: anyone may resend them unchanged, only analysts change them.

    An observer's offline phone sends the site with its walk; that must not fail.
    """
    existing = db.session.get(model, record_id)
    if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
        return "unchanged"
    if not ctx.actor.has_role(Role.analyst):
        raise Reject("type", f"Only analysts and admins can add or change {noun}.", 403)
    _, status = upsert(ctx, model, record_id, values)
    return status


def _apply_walk(ctx: WriteContext, record: dict) -> str:
    site = db.session.get(Site, parse_uuid(record["site"]))
    if site is None:
        raise Reject("site", "Unknown site.", 404)
    walk_id = parse_uuid(record["id"])
    existing = db.session.get(Walk, walk_id)
    if existing is not None:
        if existing.site_id != site.id:
            raise Reject("site", "A walk cannot move to another site.", 409)
        if not can_edit_walk(ctx.actor, existing):
            raise Reject("id", "This walk belongs to another observer.", 403)
    values: dict[str, Any] = {"site_id": site.id, "title": record["title"].strip()}
    optional(
        record,
        values,
        {
            "purpose": "purpose",
            "status": "status",
            "started_at": ("started_at", timestamp),
            "ended_at": ("ended_at", timestamp),
        },
    )
    if "plan" in record:
        values["plan_id"] = plan_of_walk(record, site)
    walk_context(ctx, record, site, existing, values)
    if values.get("status", "") is None:
        values["status"] = "in_progress"
    if values.get("started_at", "") is None:
        values.pop("started_at")
    if existing is None:
        values["observer_id"] = ctx.actor.id
    obj, status = upsert(ctx, Walk, walk_id, values)
    if status != "unchanged":
        db.session.flush()
        if obj.ended_at is not None and obj.ended_at < obj.started_at:
            raise Reject("ended_at", "A walk cannot end before it starts.")
    return status


def _apply_place(ctx: WriteContext, record: dict) -> str:
    walk, existing = editable_walk(ctx, Place, record)
    values: dict[str, Any] = {"walk_id": walk.id, "name": record["name"].strip()}
    optional(
        record,
        values,
        {
            "lat": "lat",
            "lon": "lon",
            "accuracy_m": "accuracy_m",
            "note": "note",
            "observed_at": ("observed_at", timestamp),
        },
    )
    if ("lat" in values) != ("lon" in values) or (values.get("lat") is None) != (
        values.get("lon") is None
    ):
        raise Reject("lon" if "lat" in values else "lat", "Give both latitude and longitude.")
    drop_null_time(values)
    keep_expiry(Place, record, values, existing)
    _, status = upsert(ctx, Place, parse_uuid(record["id"]), values, existing)
    return status


def _apply_thing(ctx: WriteContext, record: dict) -> str:
    walk, existing = editable_walk(ctx, Thing, record)
    values: dict[str, Any] = {"walk_id": walk.id, "name": record["name"].strip()}
    optional(
        record,
        values,
        {"kind": "kind", "note": "note", "observed_at": ("observed_at", timestamp)},
    )
    if "place" in record:
        values["place_id"] = place_id_of(record, walk)
    if values.get("kind", "") is None:
        values["kind"] = "other"
    drop_null_time(values)
    keep_expiry(Thing, record, values, existing)
    _, status = upsert(ctx, Thing, parse_uuid(record["id"]), values, existing)
    return status


def _apply_statement(ctx: WriteContext, record: dict) -> str:
    walk, before = editable_walk(ctx, Statement, record)
    statement_id = parse_uuid(record["id"])
    if before is not None:
        note_touched(ctx, "statement", before)
    values: dict[str, Any] = {"walk_id": walk.id, "text": record["text"].strip()}
    optional(
        record,
        values,
        {"speaker": "speaker", "source": "source", "observed_at": ("observed_at", timestamp)},
    )
    if "claim" in record:
        values.update(claim_values(record["claim"]))
    shared_references(ctx, record, walk, values)
    drop_null_time(values)
    keep_expiry(Statement, record, values, before)
    obj, status = upsert(ctx, Statement, statement_id, values, before)
    note_touched(ctx, "statement", obj)
    return status


def _apply_fact(ctx: WriteContext, record: dict) -> str:
    walk, before = editable_walk(ctx, Fact, record)
    fact_id = parse_uuid(record["id"])
    if before is not None:
        note_touched(ctx, "fact", before)
    values: dict[str, Any] = {"walk_id": walk.id, "text": record["text"].strip()}
    optional(
        record,
        values,
        {
            "performed": "performed",
            "value": ("value", float),
            "unit": "unit",
            "sentiment": "sentiment",
            "observed_at": ("observed_at", timestamp),
        },
    )
    shared_references(ctx, record, walk, values)
    item_of_fact(ctx, record, walk, values)
    drop_null_time(values)
    # A fact is a behaviour or a measurement: setting one clears the other.
    if values.get("performed") is not None:
        values.setdefault("value", None)
        values.setdefault("unit", None)
    elif values.get("value") is not None:
        values.setdefault("performed", None)
    keep_expiry(Fact, record, values, before)
    obj, status = upsert(ctx, Fact, fact_id, values, before)
    if "things" in record:
        wanted = [parse_uuid(t) for t in record.get("things") or []]
        things = []
        for position, thing_id in enumerate(dict.fromkeys(wanted)):
            thing = db.session.get(Thing, thing_id)
            if thing is None or thing.walk_id != walk.id:
                raise Reject(f"things.{position}", "Unknown thing on this walk.", 404)
            things.append(thing)
        if {t.id for t in obj.things} != {t.id for t in things}:
            obj.things = things
            status = "updated" if status == "unchanged" else status
    note_touched(ctx, "fact", obj, new=before is None)
    return status


def _apply_contradiction(ctx: WriteContext, record: dict) -> str:
    fact = db.session.get(Fact, parse_uuid(record["fact"]))
    if fact is None:
        raise Reject("fact", "Unknown fact.", 404)
    statement = db.session.get(Statement, parse_uuid(record["statement"]))
    if statement is None:
        raise Reject("statement", "Unknown statement.", 404)
    if fact.walk.site_id != statement.site.id:
        raise Reject("statement", "The statement is from another site.", 422)
    if not can_edit_walk(ctx.actor, fact.walk):
        raise Reject("fact", "You can only link facts of your own walks.", 403)
    link_id = parse_uuid(record["id"])
    existing = db.session.get(Contradiction, link_id)
    if existing is not None and (
        existing.fact_id != fact.id or existing.statement_id != statement.id
    ):
        raise Reject("id", "A link cannot be moved to other records.", 409)
    duplicate = db.session.scalar(
        select(Contradiction.id).where(
            Contradiction.fact_id == fact.id, Contradiction.statement_id == statement.id
        )
    )
    if duplicate is not None and duplicate != link_id:
        raise Reject("fact", "This fact is already linked to that statement.", 409)
    values: dict[str, Any] = {"fact_id": fact.id, "statement_id": statement.id}
    optional(record, values, {"note": "note"})
    if existing is None:
        values["created_by_id"] = ctx.actor.id
    obj, status = upsert(ctx, Contradiction, link_id, values)
    ctx.statements.add(statement.id)
    return status


APPLY: dict[str, Callable[[WriteContext, dict], str]] = {
    "site": _apply_site,
    "persona": _apply_persona,
    "plan": apply_plan,
    "walk": _apply_walk,
    "place": _apply_place,
    "thing": _apply_thing,
    "statement": _apply_statement,
    "fact": _apply_fact,
    "contradiction": _apply_contradiction,
}
