"""How a walk was run, beside what it found: announced or not, the observer seen or not,
and the walk it shadows when two observers log the same walk to compare what they saw.

Announced walks are where the observer effect lives ("they only did it because you were
watching"): a walk that does not say takes its plan's setting, or else its site's, when it
is first written, so the split between announced and unannounced walks is never empty for
want of a tap on the phone.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from gemba.capture.outcomes import Reject, WriteContext
from gemba.domain.gemba_json import parse_uuid
from gemba.extensions import db
from gemba.models import Fact, Plan, Site, Walk


def walk_context(
    ctx: WriteContext, record: dict, site: Site, existing: Walk | None, values: dict[str, Any]
) -> None:
    """Put the walk's announced / observer-visible / calibrates values into `values`.

    A walk that becomes a shadow, or stops being one, changes which facts the verdicts
    count (a shadow's count for agreement only): its topics' gaps are re-judged."""
    for field in ("announced", "observer_visible"):
        if field in record:
            values[field] = record[field]
    if existing is None and values.get("announced") is None and "announced" not in record:
        values["announced"] = default_announced(site, values.get("plan_id"))
    if "calibrates" in record:
        values["calibrates_id"] = shadowed_walk(record, site)
        if existing is not None and existing.calibrates_id != values["calibrates_id"]:
            ctx.topics.update(
                db.session.scalars(
                    select(Fact.topic_id)
                    .where(Fact.walk_id == existing.id, Fact.topic_id.is_not(None))
                    .distinct()
                )
            )


def default_announced(site: Site, plan_id: uuid.UUID | None) -> bool:
    """The plan's setting where it has one, else the site's."""
    plan = db.session.get(Plan, plan_id) if plan_id is not None else None
    if plan is not None and plan.announced is not None:
        return plan.announced
    return site.walks_announced


def shadowed_walk(record: dict, site: Site) -> uuid.UUID | None:
    """The walk a calibration walk shadows: at the same site, and itself no shadow, so a
    calibration group is one walk and the walks that shadow it."""
    if record.get("calibrates") is None:
        return None
    walk = db.session.get(Walk, parse_uuid(record["calibrates"]))
    if walk is None:
        raise Reject("calibrates", "Unknown walk to shadow.", 404)
    if walk.site_id != site.id:
        raise Reject("calibrates", "The walk to shadow is at another site.", 422)
    if walk.calibrates_id is not None:
        raise Reject("calibrates", "Shadow the original walk, not another shadow.", 422)
    return walk.id
