"""The API's reads of walk plans: the plans themselves, as Gemba JSON the capture app
keeps on the phone, and the walks due to the caller.

Both lists page like every other (`limit`, `cursor`), but only when asked: the capture
app has always read them whole, and a phone that keeps a site's plans offline must get
every one of them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from gemba.api.pagination import Key, Page, keyset_page, list_page
from gemba.domain.gemba_json import FORMAT, format_timestamp
from gemba.extensions import db
from gemba.interchange.exports import plan_records
from gemba.models import Plan, Site, User
from gemba.plans.programme import DueWalk, due_for


def plans_document(site_id: uuid.UUID | None, page: Page) -> dict[str, Any]:
    """The plans (of one site, if given) by site and title, each with its checklist,
    retired items included, as a Gemba JSON document with the paging members."""
    query = select(Plan.id, Plan.title, Site).join(Site, Site.id == Plan.site_id)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    keys = [
        Key(Site.name, "str"),
        Key(Site.id, "uuid"),
        Key(Plan.title, "str"),
        Key(Plan.id, "uuid"),
    ]
    body = keyset_page(
        "plans",
        query,
        keys,
        page,
        lambda plan_id, _title, site: {"plan": plan_id, "site": site},
        lambda plan_id, title, site: (site.name, site.id, title, plan_id),
    )
    by_site: dict[uuid.UUID, tuple[Site, set[uuid.UUID]]] = {}
    for item in body.pop("items"):
        by_site.setdefault(item["site"].id, (item["site"], set()))[1].add(item["plan"])
    records = [r for site, ids in by_site.values() for r in plan_records(site, only=ids)]
    # Asked for whole (the capture app), the answer is the document it always was.
    return {"format": FORMAT, "records": records, **({} if page.unpaged else body)}


def plan_document(plan_id: uuid.UUID) -> dict[str, Any] | None:
    """One plan with its checklist as a Gemba JSON document, or None."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        return None
    return {"format": FORMAT, "records": plan_records(plan.site, only={plan.id})}


def _due_key(due: DueWalk) -> tuple[str, str, str]:
    return (format_timestamp(due.due_at), due.plan.title, str(due.plan.id))


def due_walks(user: User, page: Page) -> dict[str, Any]:
    """Today's walks and the overdue ones for this user, earliest first."""
    chosen, paging = list_page("due", due_for(user), ["str", "str", "str"], _due_key, page)
    return {
        "due": [
            {
                "plan": str(due.plan.id),
                "site": str(due.plan.site_id),
                "title": due.plan.title,
                "due_at": format_timestamp(due.due_at),
                "status": due.status,
            }
            for due in chosen
        ],
        **({} if page.unpaged else paging),
    }
