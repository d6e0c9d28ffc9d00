"""The demo plant's walk plans: a start-of-shift check every morning and a weekly safety
round, each walked on most of the past two weeks, so the programme shows done, late and
missed walks and the standards have their checks to be judged against."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from gemba.domain import clock

TORQUE = "Torque check before start"
GLASSES = "Safety glasses in press hall"
CHANGEOVER = "Changeover time"
DIE_CART = "Die cart back in its bay"
BADGE = "Badge scan at entry"
DAYS = 14
# Mornings nobody walked the shift check (days ago), and the weekly round walked a day late.
SKIPPED_MORNINGS = {4, 9, 10}
LATE_WEEK = 1


def plan_records(site: str, zone: str, assignee: str | None, id_of: Callable[..., str]) -> list:
    """Two plans with their checklists (standards from the plant's SOPs) and their walks."""
    start = _day(DAYS, zone).strftime("%Y%m%dT000000")
    shift, weekly = id_of("plan", "shift"), id_of("plan", "weekly")
    items = {name: id_of("item", name) for name in (TORQUE, GLASSES, CHANGEOVER, DIE_CART, BADGE)}
    assignees = [assignee] if assignee else None
    out: list[dict] = [
        _shift_plan(site, shift, items, f"DTSTART;TZID={zone}:{start}", assignees),
        _weekly_plan(site, weekly, items, f"DTSTART;TZID={zone}:{start}", assignees),
    ]
    for day in range(DAYS, 0, -1):
        if day not in SKIPPED_MORNINGS:
            out.extend(_shift_walk(site, shift, items, day, zone, id_of))
    for week, monday in enumerate(_mondays(zone)):
        late = week == LATE_WEEK
        out.extend(_weekly_walk(site, weekly, items, monday - (1 if late else 0), zone, id_of))
    return out


def _shift_plan(site: str, plan_id: str, items: dict, start: str, assignees) -> dict:
    return {
        "type": "plan",
        "id": plan_id,
        "site": site,
        "title": "Press line 3 — start of shift",
        "purpose": "Team leader's standard work: the press line ready before the first hit.",
        "route": ["Press line 3", "Die storage"],
        "schedule": f"{start}\nRRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0",
        "assignees": assignees,
        "items": [
            _item(items[TORQUE], TORQUE, "Torque check done before the first hit?",
                  {"frequency": "always"}, "SOP 4.2 rev B"),
            _item(items[GLASSES], GLASSES, "Safety glasses worn in the press hall?",
                  {"frequency": "always"}, "Safety rule 3"),
            {**_item(items[CHANGEOVER], CHANGEOVER, "How long did the changeover take?",
                     {"value": 15, "unit": "min", "comparator": "<="}, "SOP 4.2 rev B"),
             "kind": "measure", "unit": "min"},
            _item(items[DIE_CART], DIE_CART, "Die cart parked in its marked bay?", None, None),
        ],
    }  # fmt: skip


def _weekly_plan(site: str, plan_id: str, items: dict, start: str, assignees) -> dict:
    return {
        "type": "plan",
        "id": plan_id,
        "site": site,
        "title": "Weekly safety round",
        "purpose": "Plant manager's round: entry rules and the press hall.",
        "route": ["Gate 2", "Press hall"],
        "schedule": f"{start}\nRRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
        "assignees": assignees,
        "items": [
            _item(items[BADGE], BADGE, "Does everyone scan their badge at the gate?",
                  {"frequency": "always"}, "Site access rule 1"),
            _item(items[GLASSES], GLASSES, "Safety glasses worn in the press hall?",
                  {"frequency": "always"}, "Safety rule 3"),
        ],
    }  # fmt: skip


def _item(item_id: str, topic: str, question: str, standard, reference) -> dict:
    record = {"id": item_id, "topic": topic, "question": question, "kind": "behaviour"}
    if standard:
        record["standard"] = standard
    if reference:
        record["reference"] = reference
    return record


def _day(days_ago: int, zone: str) -> datetime:
    today = datetime.now(clock.zone(zone)).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)


def _at(days_ago: int, zone: str, hour: int, minute: int) -> str:
    return (_day(days_ago, zone) + timedelta(hours=hour, minutes=minute)).isoformat()


def _mondays(zone: str) -> list[int]:
    """The past Mondays within the demo's two weeks, as days ago, oldest first."""
    return [d for d in range(DAYS, 0, -1) if _day(d, zone).weekday() == 0]


def _walk(site: str, plan: str, key: str, title: str, day: int, hour: int, zone: str, id_of):
    walk_id = id_of("walk", key)
    started, ended = _at(day, zone, hour, 0), _at(day, zone, hour, 25)
    record = {"type": "walk", "id": walk_id, "site": site, "title": title, "plan": plan,
              "status": "finished", "started_at": started, "ended_at": ended}  # fmt: skip
    return walk_id, record


def _check(walk_id: str, item_id: str, topic: str, text: str, at: str, id_of, **answer) -> dict:
    return {"type": "fact", "id": id_of("check", walk_id, item_id), "walk": walk_id,
            "plan_item": item_id, "topic": topic, "text": text, "observed_at": at,
            **answer}  # fmt: skip


def _shift_walk(site, plan, items, day, zone, id_of) -> list[dict]:
    walk_id, walk = _walk(site, plan, f"shift-{day}", "Start of shift, press line 3", day, 5,
                          zone, id_of)  # fmt: skip
    torque_done = day % 3 == 0  # the torque check is skipped two mornings in three
    torque = f"{TORQUE} — {'done' if torque_done else 'not done'}"
    return [
        walk,
        _check(walk_id, items[TORQUE], TORQUE, torque, _at(day, zone, 5, 5), id_of,
               performed=torque_done),
        _check(walk_id, items[GLASSES], GLASSES, f"{GLASSES} — done", _at(day, zone, 5, 8),
               id_of, performed=True),
        _check(walk_id, items[CHANGEOVER], CHANGEOVER, f"{CHANGEOVER} — measured",
               _at(day, zone, 5, 20), id_of, value=12 + (day % 5) * 2, unit="min"),
        _check(walk_id, items[DIE_CART], DIE_CART,
               f"{DIE_CART} — {'not done' if day % 4 == 0 else 'done'}",
               _at(day, zone, 5, 22), id_of, performed=day % 4 != 0),
    ]  # fmt: skip


def _weekly_walk(site, plan, items, day, zone, id_of) -> list[dict]:
    walk_id, walk = _walk(site, plan, f"weekly-{day}", "Weekly safety round", day, 9, zone, id_of)
    return [
        walk,
        _check(walk_id, items[BADGE], BADGE, f"{BADGE} — not done", _at(day, zone, 9, 5),
               id_of, performed=False),
        _check(walk_id, items[GLASSES], GLASSES, f"{GLASSES} — done", _at(day, zone, 9, 15),
               id_of, performed=True),
    ]  # fmt: skip
