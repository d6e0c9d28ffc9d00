"""Demo data: a stamping plant with three walks, so a new user sees Gemba at work.

Everything goes through the write path, with ids derived from names, so running
the command twice changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from gemba.accounts import services as accounts
from gemba.capture import records
from gemba.extensions import db
from gemba.models import Role

NAMESPACE = uuid.UUID("5d1f0b7e-3c2a-4e8b-9f61-0a7d2c4b8e93")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _at(day: int, hour: int, minute: int) -> str:
    base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (base - timedelta(days=day) + timedelta(hours=hour, minutes=minute)).isoformat()


def build_records(days_ago: int = 3) -> list[dict]:
    """The demo plant as Gemba JSON records."""
    site = _id("site")
    out: list[dict] = [
        {"type": "site", "id": site, "name": "Plant 2 — Stamping", "description": "Demo plant"},
    ]
    personas = {
        "op": "Night-shift press operator",
        "fork": "Forklift driver",
        "tech": "Maintenance technician",
    }
    for key, name in personas.items():
        out.append({"type": "persona", "id": _id("persona", key), "site": site, "name": name})

    def walk(key: str, title: str, purpose: str, day: int) -> str:
        walk_id = _id("walk", key)
        out.append(
            {
                "type": "walk",
                "id": walk_id,
                "site": site,
                "title": title,
                "purpose": purpose,
                "started_at": _at(day, 7, 30),
            }
        )
        return walk_id

    def place(walk_id: str, key: str, name: str, t: str, **gps) -> str:
        place_id = _id("place", walk_id, key)
        out.append(
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

    def thing(walk_id: str, key: str, name: str, kind: str, place_id: str, t: str) -> str:
        thing_id = _id("thing", walk_id, key)
        out.append(
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

    def said(walk_id: str, key: str, topic: str, text: str, claim, speaker: str, **extra) -> str:
        statement_id = _id("statement", walk_id, key)
        out.append(
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

    def fact(walk_id: str, key: str, topic: str | None, text: str, **extra) -> str:
        fact_id = _id("fact", walk_id, key)
        out.append(
            {"type": "fact", "id": fact_id, "walk": walk_id, "topic": topic, "text": text, **extra}
        )
        return fact_id

    d = days_ago
    # Walk 1: changeover on line 3.
    w1 = walk("changeover", "Line 3 changeover", "Why is changeover on Line 3 slow?", d)
    press = place(
        w1, "press", "Press line 3", _at(d, 7, 40), lat=51.5072, lon=-0.1276, accuracy_m=9
    )
    storage = place(w1, "dies", "Die storage", _at(d, 8, 5))
    wrench = thing(w1, "wrench", "Torque wrench", "tool", press, _at(d, 7, 45))
    checklist = thing(w1, "checklist", "Changeover checklist", "document", press, _at(d, 7, 46))
    cart = thing(w1, "cart", "Die cart", "equipment", storage, _at(d, 8, 6))
    said(
        w1, "ten", "Changeover time", "A changeover takes ten minutes.",
        {"value": 10, "unit": "min", "tolerance": 0.2}, "Production manager",
        source="meeting", observed_at=_at(d, 7, 35),
    )  # fmt: skip
    said(
        w1, "fifteen", "Changeover time", "Never more than fifteen minutes, it says so in the SOP.",
        {"value": 15, "unit": "min", "comparator": "<="}, "SOP 4.2", source="sop",
        observed_at=_at(d, 7, 36),
    )  # fmt: skip
    said(
        w1, "torque", "Torque check before start",
        "We usually do the torque check before the first hit.",
        {"frequency": "usually"}, "Maintenance technician", source="interview",
        persona=_id("persona", "tech"), place=press, observed_at=_at(d, 7, 50),
    )  # fmt: skip
    fact(w1, "co1", "Changeover time", "Timed the changeover, die to first good part",
         value=24, unit="min", place=press, things=[cart], sentiment="pain",
         observed_at=_at(d, 8, 30))  # fmt: skip
    fact(w1, "co2", "changeover  TIME", "Second changeover, waited for the die cart",
         value=1140, unit="s", place=storage, things=[cart], sentiment="pain",
         persona=_id("persona", "op"), observed_at=_at(d, 10, 15))  # fmt: skip
    fact(w1, "co3", "Changeover time", "Third changeover, checklist searched for 5 min",
         value=22, unit="min", place=press, things=[checklist], sentiment="pain",
         observed_at=_at(d, 13, 40))  # fmt: skip
    for i, done in enumerate([False, False, True, False, False, False, True, False]):
        fact(w1, f"tq{i}", "Torque check before start",
             "Torque check done before start" if done else "Started without the torque check",
             performed=done, place=press, things=[wrench, checklist],
             observed_at=_at(d, 8 + i // 2, 10 + 7 * i))  # fmt: skip
    fact(w1, "delight", None, "Operators help each other set the die without being asked",
         sentiment="delight", place=press, observed_at=_at(d, 9, 0))  # fmt: skip

    # Walk 2: entry and safety.
    d2 = max(d - 1, 0)
    w2 = walk("entry", "Badge and safety round", "Do people follow the entry rules?", d2)
    gate = place(w2, "gate", "Gate 2", _at(d2, 7, 32))
    hall = place(w2, "hall", "Press hall", _at(d2, 8, 0))
    scanner = thing(w2, "scanner", "Badge scanner", "equipment", gate, _at(d2, 7, 33))
    badge = said(
        w2, "badge", "Badge scan at entry", "We always scan our badges.",
        {"frequency": "always"}, "Shift lead", source="interview", place=gate,
        observed_at=_at(d2, 7, 35),
    )  # fmt: skip
    said(
        w2, "glasses", "Safety glasses in press hall",
        "Safety glasses are always worn in the hall.",
        {"frequency": "always"}, "Sign on the wall", source="signage", place=hall,
        observed_at=_at(d2, 8, 1),
    )  # fmt: skip
    entries = [True, True, False, True, False, True, True, False]
    for i, done in enumerate(entries):
        fact(w2, f"scan{i}", "Badge scan at entry",
             "Scanned badge at entry" if done else "Walked in without scanning",
             performed=done, place=gate, things=[scanner],
             persona=_id("persona", "op"), observed_at=_at(d2, 7, 40 + 2 * i))  # fmt: skip
    off = fact(w2, "off", "Badge scan at entry", "Scanner display dark, nobody could scan",
               place=gate, things=[scanner], sentiment="pain",
               observed_at=_at(d2, 7, 58))  # fmt: skip
    out.append(
        {
            "type": "contradiction",
            "id": _id("link", off, badge),
            "fact": off,
            "statement": badge,
            "note": "Said it in front of the scanner that was off",
        }
    )
    for i in range(9):
        fact(w2, f"gl{i}", "Safety glasses in press hall", "Wearing safety glasses",
             performed=True, place=hall, observed_at=_at(d2, 8, 5 + i))  # fmt: skip

    # Walk 3: warehouse picking.
    d3 = max(d - 2, 0)
    w3 = walk("picking", "Warehouse picking", "Where does picking lose time?", d3)
    aisle = place(w3, "aisle", "Aisle 4", _at(d3, 13, 0))
    said(
        w3, "pick", "Pick time per order", "Picking an order takes about three minutes.",
        {"value": 3, "unit": "min"}, "Warehouse lead", source="interview",
        persona=_id("persona", "fork"), observed_at=_at(d3, 13, 2),
    )  # fmt: skip
    for i, minutes in enumerate([3.2, 2.8, 3.1, 2.9]):
        fact(w3, f"pick{i}", "Pick time per order", f"Order {i + 1} picked",
             value=minutes, unit="min", place=aisle,
             observed_at=_at(d3, 13, 10 + 5 * i))  # fmt: skip
    said(
        w3, "speed", "Forklift speeding", "Forklifts rarely go faster than walking pace here.",
        {"frequency": "rarely"}, "Forklift driver", source="interview",
        persona=_id("persona", "fork"), place=aisle, observed_at=_at(d3, 13, 30),
    )  # fmt: skip
    for i, fast in enumerate([True, True, False, True, True, False, True]):
        fact(w3, f"fl{i}", "Forklift speeding",
             "Forklift faster than walking pace" if fast else "Forklift at walking pace",
             performed=fast, place=aisle, persona=_id("persona", "fork"),
             observed_at=_at(d3, 13, 35 + 3 * i))  # fmt: skip
    return out


def load(email: str, password: str) -> str:
    """Create the demo admin (if needed) and write the demo records as them."""
    user = accounts.find_user(email)
    if user is None:
        user = accounts.create_user(email, password, Role.admin)
    result = records.write(user, build_records())
    db.session.commit()
    counts: dict[str, int] = {}
    for outcome in result.results:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    flagged = sum(1 for g in result.gaps if g.contradicted)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return (
        f"Demo plant loaded ({summary}); {flagged} say-vs-do gaps flagged.\n"
        f"Log in as {email} with password {password}."
    )
