"""A site with a walk plan for the plan tests: records written through the one write path."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from gemba.capture import records
from gemba.extensions import db
from gemba.models import Site, User
from tests.conftest import uid

SCHEDULE = (
    "DTSTART;TZID=Europe/Warsaw:20260105T000000\nRRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"
)


def plan_record(site: str, items: list[dict], **fields: Any) -> dict:
    return {
        "type": "plan",
        "id": fields.pop("id", uid()),
        "site": site,
        "title": "Press line",
        "items": items,
        **fields,
    }


def behaviour(topic: str = "Gloves at the press", **fields: Any) -> dict:
    return {
        "id": fields.pop("id", uid()),
        "topic": topic,
        "question": f"{topic}?",
        "kind": "behaviour",
        **fields,
    }


def measure(topic: str = "Changeover time", unit: str = "min", **fields: Any) -> dict:
    return {
        "id": fields.pop("id", uid()),
        "topic": topic,
        "question": f"{topic}?",
        "kind": "measure",
        "unit": unit,
        **fields,
    }


class Plant:
    """An analyst who writes plans and an observer who walks them, at one site."""

    def __init__(self, app, make_user, make_site) -> None:
        self.app = app
        self.analyst = make_user("analyst")
        self.observer = make_user("observer")
        self.site = make_site("Plant 2")
        with app.app_context():
            db.session.get(Site, uuid.UUID(self.site)).time_zone = "Europe/Warsaw"
            db.session.commit()

    def write(self, user: User, *batch: dict, atomic: bool = False) -> records.WriteResult:
        with self.app.app_context():
            actor = db.session.get(User, user.id)
            return records.write(actor, list(batch), atomic=atomic)

    def plan(self, items: list[dict], **fields: Any) -> dict:
        record = plan_record(self.site, items, **fields)
        result = self.write(self.analyst, record)
        assert [r.status for r in result.results] == ["created"], result.results[0].errors
        return record

    def walk(self, plan: dict | None = None, **fields: Any) -> str:
        walk_id = uid()
        record = {"type": "walk", "id": walk_id, "site": self.site, "title": "Press walk", **fields}
        if plan is not None:
            record["plan"] = plan["id"]
        result = self.write(self.observer, record)
        assert result.results[0].status == "created", result.results[0].errors
        return walk_id

    def check(self, walk: str, item: dict, **fields: Any) -> records.WriteResult:
        record = {
            "type": "fact",
            "id": uid(),
            "walk": walk,
            "text": f"{item['topic']} — checked",
            "plan_item": item["id"],
            **fields,
        }
        return self.write(self.observer, record)


@pytest.fixture
def plant(app, make_user, make_site) -> Plant:
    return Plant(app, make_user, make_site)
