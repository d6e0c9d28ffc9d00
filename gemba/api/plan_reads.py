"""The API's reads of walk plans: the plans themselves, as Gemba JSON the capture app
keeps on the phone, and the walks due to the caller."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from gemba.domain.gemba_json import FORMAT, format_timestamp
from gemba.extensions import db
from gemba.interchange.exports import plan_records
from gemba.models import Site, User
from gemba.plans.programme import due_for


def plans_document(site_id: uuid.UUID | None) -> dict[str, Any]:
    """Every plan (of one site, if given) with its checklist, retired items included."""
    query = select(Site).order_by(Site.name, Site.id)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    records = [record for site in db.session.scalars(query) for record in plan_records(site)]
    return {"format": FORMAT, "records": records}


def due_walks(user: User) -> dict[str, Any]:
    """Today's walks and the overdue ones for this user, earliest first."""
    return {
        "due": [
            {
                "plan": str(due.plan.id),
                "site": str(due.plan.site_id),
                "title": due.plan.title,
                "due_at": format_timestamp(due.due_at),
                "status": due.status,
            }
            for due in due_for(user)
        ]
    }
