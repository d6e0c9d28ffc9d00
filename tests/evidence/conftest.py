"""Walks built for the evidence-quality tests: announced and unannounced walks, and
calibration walks, written through the write path like any phone's."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from gemba.models import User
from tests.conftest import uid

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def site_record(site_id: str, name: str = "Plant 2", **extra) -> dict:
    return {"type": "site", "id": site_id, "name": name, **extra}


def walk_record(site_id: str, walk_id: str | None = None, day: int = 0, **extra) -> dict:
    return {
        "type": "walk",
        "id": walk_id or uid(),
        "site": site_id,
        "title": f"Walk {day}",
        "started_at": iso(START + timedelta(days=day)),
        **extra,
    }


def behaviours(
    walk_id: str,
    topic: str,
    outcomes: Sequence[bool],
    place: str | None = None,
    day: int = 0,
) -> list[dict]:
    """One fact per outcome, a minute apart, at a place of the walk if named."""
    records: list[dict] = []
    place_id = None
    if place is not None:
        place_id = uid()
        records.append({"type": "place", "id": place_id, "walk": walk_id, "name": place})
    for i, done in enumerate(outcomes):
        fact = {
            "type": "fact",
            "id": uid(),
            "walk": walk_id,
            "topic": topic,
            "text": "Seen",
            "performed": done,
            "observed_at": iso(START + timedelta(days=day, minutes=i)),
        }
        if place_id:
            fact["place"] = place_id
        records.append(fact)
    return records


@pytest.fixture
def site_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def people(make_user) -> dict[str, User]:
    return {
        "admin": make_user("admin", "lead@example.com"),
        "ana": make_user("observer", "ana@example.com"),
        "ben": make_user("observer", "ben@example.com"),
        "cy": make_user("observer", "cy@example.com"),
        "analyst": make_user("analyst", "desk@example.com"),
    }


def ok(result) -> None:
    bad = [r for r in result.results if r.status == "rejected"]
    assert not bad, [(r.type, [e.message for e in r.errors]) for r in bad]
