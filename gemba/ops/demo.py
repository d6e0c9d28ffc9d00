"""Demo data: a stamping plant with three walks and two walk plans, so a new user sees
Gemba at work.

Everything goes through the write path, with ids derived from names, so running
the command twice changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gemba.accounts import services as accounts
from gemba.capture import records
from gemba.domain import clock
from gemba.models import Role
from gemba.ops import demo_evidence, demo_plans

NAMESPACE = uuid.UUID("5d1f0b7e-3c2a-4e8b-9f61-0a7d2c4b8e93")
# The plant's clock: the walks below happen at the hours its shifts keep.
TIME_ZONE = "Europe/Warsaw"
PERSONAS = {
    "op": "Night-shift press operator",
    "fork": "Forklift driver",
    "tech": "Maintenance technician",
}


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _at(day: int, hour: int, minute: int) -> str:
    """A time on the plant's clock `day` days ago (wall-clock arithmetic, so 07:40 is 07:40
    in summer and winter), written with its offset."""
    base = datetime.now(clock.zone(TIME_ZONE)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (base - timedelta(days=day) + timedelta(hours=hour, minutes=minute)).isoformat()


@dataclass
class _Plant:
    """The demo records in the order they are written; each method adds one and returns its id."""

    site: str
    out: list[dict] = field(default_factory=list)

    def walk(self, key: str, title: str, purpose: str, day: int) -> str:
        walk_id = _id("walk", key)
        self.out.append(
            {
                "type": "walk",
                "id": walk_id,
                "site": self.site,
                "title": title,
                "purpose": purpose,
                "started_at": _at(day, 7, 30),
            }
        )
        return walk_id

    def place(self, walk_id: str, key: str, name: str, t: str, **gps: Any) -> str:
        place_id = _id("place", walk_id, key)
        self.out.append(
            {
                "type": "place",
                "id": place_id,
                "walk": walk_id,
                "name": name,
                "observed_at": t,
                **gps,
            }
        )
        return place_id

    def thing(self, walk_id: str, key: str, name: str, kind: str, place_id: str, t: str) -> str:
        thing_id = _id("thing", walk_id, key)
        self.out.append(
            {
                "type": "thing",
                "id": thing_id,
                "walk": walk_id,
                "place": place_id,
                "name": name,
                "kind": kind,
                "observed_at": t,
            }
        )
        return thing_id

    def said(
        self, walk_id: str, key: str, topic: str, text: str, claim: dict, speaker: str, **extra: Any
    ) -> str:
        statement_id = _id("statement", walk_id, key)
        self.out.append(
            {
                "type": "statement",
                "id": statement_id,
                "walk": walk_id,
                "topic": topic,
                "text": text,
                "claim": claim,
                "speaker": speaker,
                **extra,
            }
        )
        return statement_id

    def fact(self, walk_id: str, key: str, topic: str | None, text: str, **extra: Any) -> str:
        fact_id = _id("fact", walk_id, key)
        self.out.append(
            {"type": "fact", "id": fact_id, "walk": walk_id, "topic": topic, "text": text, **extra}
        )
        return fact_id

    def link(self, fact_id: str, statement_id: str, note: str) -> None:
        self.out.append(
            {
                "type": "contradiction",
                "id": _id("link", fact_id, statement_id),
                "fact": fact_id,
                "statement": statement_id,
                "note": note,
            }
        )


def build_records(
    days_ago: int = 3, assignee: str | None = None, *, plans: bool = True
) -> list[dict]:
    """The demo plant as Gemba JSON records; its walk plans (unless left out) assigned to
    `assignee`."""
    plant = _Plant(_id("site"))
    plant.out.append(
        {
            "type": "site",
            "id": plant.site,
            "name": "Plant 2 — Stamping",
            "description": "Demo plant",
            "time_zone": TIME_ZONE,
        }
    )
    for key, name in PERSONAS.items():
        plant.out.append(
            {"type": "persona", "id": _id("persona", key), "site": plant.site, "name": name}
        )
    _changeover_walk(plant, days_ago)
    _entry_walk(plant, max(days_ago - 1, 0))
    _picking_walk(plant, max(days_ago - 2, 0))
    if plans:
        plant.out.extend(demo_plans.plan_records(plant.site, TIME_ZONE, assignee, _id))
        plant.out.extend(demo_evidence.unannounced_walk(plant.site, _id, _at, max(days_ago - 1, 0)))
    return plant.out


def _changeover_walk(plant: _Plant, d: int) -> None:
    """Walk 1: changeover on line 3, slower than said, and a torque check that is mostly skipped."""
    w1 = plant.walk("changeover", "Line 3 changeover", "Why is changeover on Line 3 slow?", d)
    press = plant.place(
        w1, "press", "Press line 3", _at(d, 7, 40), lat=51.5072, lon=-0.1276, accuracy_m=9
    )
    storage = plant.place(w1, "dies", "Die storage", _at(d, 8, 5))
    wrench = plant.thing(w1, "wrench", "Torque wrench", "tool", press, _at(d, 7, 45))
    checklist = plant.thing(
        w1, "checklist", "Changeover checklist", "document", press, _at(d, 7, 46)
    )
    cart = plant.thing(w1, "cart", "Die cart", "equipment", storage, _at(d, 8, 6))
    plant.said(
        w1, "ten", "Changeover time", "A changeover takes ten minutes.",
        {"value": 10, "unit": "min", "tolerance": 0.2}, "Production manager",
        source="meeting", observed_at=_at(d, 7, 35),
    )  # fmt: skip
    plant.said(
        w1, "fifteen", "Changeover time", "Never more than fifteen minutes, it says so in the SOP.",
        {"value": 15, "unit": "min", "comparator": "<="}, "SOP 4.2", source="sop",
        observed_at=_at(d, 7, 36),
    )  # fmt: skip
    plant.said(
        w1, "torque", "Torque check before start",
        "We usually do the torque check before the first hit.",
        {"frequency": "usually"}, "Maintenance technician", source="interview",
        persona=_id("persona", "tech"), place=press, observed_at=_at(d, 7, 50),
    )  # fmt: skip
    plant.fact(w1, "co1", "Changeover time", "Timed the changeover, die to first good part",
               value=24, unit="min", place=press, things=[cart], sentiment="pain",
               observed_at=_at(d, 8, 30))  # fmt: skip
    plant.fact(w1, "co2", "changeover  TIME", "Second changeover, waited for the die cart",
               value=1140, unit="s", place=storage, things=[cart], sentiment="pain",
               persona=_id("persona", "op"), observed_at=_at(d, 10, 15))  # fmt: skip
    plant.fact(w1, "co3", "Changeover time", "Third changeover, checklist searched for 5 min",
               value=22, unit="min", place=press, things=[checklist], sentiment="pain",
               observed_at=_at(d, 13, 40))  # fmt: skip
    for i, done in enumerate([False, False, True, False, False, False, True, False]):
        plant.fact(w1, f"tq{i}", "Torque check before start",
                   "Torque check done before start" if done else "Started without the torque check",
                   performed=done, place=press, things=[wrench, checklist],
                   observed_at=_at(d, 8 + i // 2, 10 + 7 * i))  # fmt: skip
    plant.fact(w1, "delight", None, "Operators help each other set the die without being asked",
               sentiment="delight", place=press, observed_at=_at(d, 9, 0))  # fmt: skip


def _entry_walk(plant: _Plant, d2: int) -> None:
    """Walk 2: entry and safety; badges are skipped, glasses are worn, one fact linked by hand."""
    w2 = plant.walk("entry", "Badge and safety round", "Do people follow the entry rules?", d2)
    gate = plant.place(w2, "gate", "Gate 2", _at(d2, 7, 32))
    hall = plant.place(w2, "hall", "Press hall", _at(d2, 8, 0))
    scanner = plant.thing(w2, "scanner", "Badge scanner", "equipment", gate, _at(d2, 7, 33))
    badge = plant.said(
        w2, "badge", "Badge scan at entry", "We always scan our badges.",
        {"frequency": "always"}, "Shift lead", source="interview", place=gate,
        observed_at=_at(d2, 7, 35),
    )  # fmt: skip
    plant.said(
        w2, "glasses", "Safety glasses in press hall",
        "Safety glasses are always worn in the hall.",
        {"frequency": "always"}, "Sign on the wall", source="signage", place=hall,
        observed_at=_at(d2, 8, 1),
    )  # fmt: skip
    entries = [True, True, False, True, False, True, True, False]
    for i, done in enumerate(entries):
        plant.fact(w2, f"scan{i}", "Badge scan at entry",
                   "Scanned badge at entry" if done else "Walked in without scanning",
                   performed=done, place=gate, things=[scanner],
                   persona=_id("persona", "op"), observed_at=_at(d2, 7, 40 + 2 * i))  # fmt: skip
    off = plant.fact(w2, "off", "Badge scan at entry", "Scanner display dark, nobody could scan",
                     place=gate, things=[scanner], sentiment="pain",
                     observed_at=_at(d2, 7, 58))  # fmt: skip
    plant.link(off, badge, "Said it in front of the scanner that was off")
    for i in range(9):
        plant.fact(w2, f"gl{i}", "Safety glasses in press hall", "Wearing safety glasses",
                   performed=True, place=hall, observed_at=_at(d2, 8, 5 + i))  # fmt: skip


def _picking_walk(plant: _Plant, d3: int) -> None:
    """Walk 3: warehouse picking, as quick as said, and forklifts faster than said."""
    w3 = plant.walk("picking", "Warehouse picking", "Where does picking lose time?", d3)
    aisle = plant.place(w3, "aisle", "Aisle 4", _at(d3, 13, 0))
    plant.said(
        w3, "pick", "Pick time per order", "Picking an order takes about three minutes.",
        {"value": 3, "unit": "min"}, "Warehouse lead", source="interview",
        persona=_id("persona", "fork"), observed_at=_at(d3, 13, 2),
    )  # fmt: skip
    for i, minutes in enumerate([3.2, 2.8, 3.1, 2.9]):
        plant.fact(w3, f"pick{i}", "Pick time per order", f"Order {i + 1} picked",
                   value=minutes, unit="min", place=aisle,
                   observed_at=_at(d3, 13, 10 + 5 * i))  # fmt: skip
    plant.said(
        w3, "speed", "Forklift speeding", "Forklifts rarely go faster than walking pace here.",
        {"frequency": "rarely"}, "Forklift driver", source="interview",
        persona=_id("persona", "fork"), place=aisle, observed_at=_at(d3, 13, 30),
    )  # fmt: skip
    for i, fast in enumerate([True, True, False, True, True, False, True]):
        plant.fact(w3, f"fl{i}", "Forklift speeding",
                   "Forklift faster than walking pace" if fast else "Forklift at walking pace",
                   performed=fast, place=aisle, persona=_id("persona", "fork"),
                   observed_at=_at(d3, 13, 35 + 3 * i))  # fmt: skip


def load(email: str, password: str, *, plans: bool = True) -> str:
    """Create the demo admin (if needed) and write the demo records as them."""
    user = accounts.find_user(email)
    if user is None:
        user = accounts.create_user(email, password, Role.admin)
    result = records.write(user, build_records(assignee=user.email, plans=plans))
    if plans:  # a second observer shadows the badge round (the calibration page's data)
        shadow = accounts.find_user(demo_evidence.SHADOW_EMAIL) or accounts.create_user(
            demo_evidence.SHADOW_EMAIL, password, Role.observer
        )
        site, walk = _id("site"), _id("walk", "entry")
        records.write(shadow, demo_evidence.shadow_walk(site, walk, _id, _at, 2))
    counts: dict[str, int] = {}
    for outcome in result.results:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    flagged = sum(1 for g in result.gaps if g.contradicted)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return (
        f"Demo plant loaded ({summary}); {flagged} say-vs-do gaps flagged.\n"
        f"Log in as {email} with password {password}"
        + (f" (or as the observer {demo_evidence.SHADOW_EMAIL}, same password)." if plans else ".")
    )
