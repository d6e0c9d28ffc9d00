"""The benchmarks' shared data set: sites, walks, topics, facts and statements at scale.

`build(scale, seed)` fills a migrated, empty app database (inside an app context) with
Core bulk inserts in chunks, one transaction, not through the write path. Two presets:

- `100k`: 100,000 facts, 10,000 statements, 2,000 topics, 200 walks on 1 site;
- `1m`: 1,000,000 facts, 100,000 statements, 20,000 topics, 2,000 walks on 10 sites.

Each site has its own topics, walks, places (6 per walk), personas (12), observers' walks
spread over the last 26 weeks in its own time zone, and facts and statements only on its
own topics and walks. Statements: about 60 % frequency claims, 40 % measure claims (a
typical value or a bound, in s, min or h, some with a tolerance); facts: 60 % behaviour
(done with the topic's own rate), the rest measurements in s or min around the topic's
typical time (2 % in kg, which cannot be compared); 30 % of both with a persona, a sixth
of facts a pain and a sixth a delight; 300 manual contradiction links per site.

With `extras` (the analyst pages need them): 3 weekly plans per site with 5 checks each
and every tenth walk of the site one of theirs; then `gap_updates.recompute_all()` once,
after which the engine's "flagged" events and the gaps' flagged_at are moved back to
when the evidence was seen; a third of the gaps triaged (audit "triaged" events spread
over the weeks since), 40 actions per site on confirmed gaps (some done, some verified by
evidence, audited).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, insert, select, text, update

from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.gaps.verification import VERB as VERIFIED
from gemba.models import (
    Action,
    AuditEvent,
    Contradiction,
    Fact,
    Gap,
    Persona,
    Place,
    Plan,
    PlanEntry,
    PlanItem,
    PlanSchedule,
    Role,
    Site,
    Statement,
    Topic,
    User,
    Walk,
    action_gaps,
)

CHUNK = 20_000
WORDS = ("always", "usually", "sometimes", "rarely", "never")
ZONES = (
    "Europe/Warsaw",
    "America/Chicago",
    "Asia/Tokyo",
    "Europe/London",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Europe/Berlin",
    "America/New_York",
    "Africa/Johannesburg",
)
DAYS = 26 * 7
PLACES_PER_WALK = 6
PERSONAS = 12
LINKS = 300
PLANS = 3
PLAN_ITEMS = 5
ACTIONS = 40
TRIAGED_SHARE = 1 / 3
OBSERVERS = 5


@dataclass(frozen=True)
class Scale:
    facts: int
    statements: int
    topics: int
    walks: int
    sites: int

    def describe(self) -> str:
        return (
            f"{self.facts:,} facts, {self.statements:,} statements, {self.topics:,} topics, "
            f"{self.walks:,} walks, {self.sites} site{'s' if self.sites > 1 else ''}"
        )


SIZES = {
    "100k": Scale(100_000, 10_000, 2_000, 200, 1),
    "1m": Scale(1_000_000, 100_000, 20_000, 2_000, 10),
}


def _bulk(model, rows: list[dict]) -> None:
    """Core executemany in chunks; rows of one model share their keys per chunk."""
    table = getattr(model, "__table__", model)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        by_keys: dict[tuple, list[dict]] = {}
        for row in chunk:
            by_keys.setdefault(tuple(sorted(row)), []).append(row)
        for group in by_keys.values():
            db.session.execute(insert(table), group)


def _split(total: int, parts: int, part: int) -> int:
    """Part `part` of `total` shared out over `parts` (the first ones take the remainder)."""
    return total // parts + (1 if part < total % parts else 0)


def build(scale: Scale, seed: int = 7, *, extras: bool = True, recompute: bool = True) -> dict:
    """Fill the app's empty database; return the ids the measurements need."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    analyst = User(email="analyst@example.com", role=Role.analyst.value)
    analyst.set_password("benchmark password")  # noqa: S106 (a throwaway database)
    observers = [
        User(email=f"observer{i}@example.com", role=Role.observer.value) for i in range(OBSERVERS)
    ]
    admin = User(email="admin@example.com", role=Role.admin.value)
    for user in (*observers, admin):
        user.set_password("benchmark password")  # noqa: S106
    sites = [
        Site(name=f"Plant {s + 1}", time_zone=ZONES[s % len(ZONES)]) for s in range(scale.sites)
    ]
    db.session.add_all([analyst, admin, *observers, *sites])
    db.session.flush()
    observer_ids = [u.id for u in observers]
    out = {
        "user_id": analyst.id,
        "session_id": analyst.get_id(),
        "admin_id": admin.id,
        "site_ids": [s.id for s in sites],
        "walk_ids": [],
        "walks_by_site": [],
        "topics": scale.topics,
        "topics_by_site": [],
    }
    topic_base = 0
    for s, site in enumerate(sites):
        topics = _split(scale.topics, scale.sites, s)
        site_ids = _build_site(
            site.id,
            scale,
            s,
            topics,
            topic_base,
            observer_ids,
            rng,
            now,
            extras,
        )
        out["walk_ids"] += site_ids["walk_ids"]
        out["walks_by_site"].append(site_ids["walk_ids"])
        out["topics_by_site"].append(range(topic_base, topic_base + topics))
        topic_base += topics
    if db.engine.dialect.name == "postgresql":  # topic ids were given: move the sequence on
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('topics', 'id'),"
                " (SELECT max(id) FROM topics))"
            )
        )
    db.session.commit()
    if recompute:
        out["summary"] = gap_updates.recompute_all()
        db.session.commit()
        if extras:
            _history(rng, now, analyst.id, out["site_ids"])
            db.session.commit()
    return out


def _build_site(
    site_id, scale: Scale, s: int, topics: int, base: int, observers, rng, now, extras
) -> dict:
    """One site's rows: personas, walks, places, topics, statements, facts, links, plans."""
    walks = _split(scale.walks, scale.sites, s)
    facts = _split(scale.facts, scale.sites, s)
    statements = _split(scale.statements, scale.sites, s)
    personas = [uuid.uuid4() for _ in range(PERSONAS)]
    _bulk(
        Persona,
        [{"id": p, "site_id": site_id, "name": f"Persona {i}"} for i, p in enumerate(personas)],
    )
    _bulk(
        Topic,
        [
            {
                "id": base + t + 1,
                "site_id": site_id,
                "name": f"Topic {base + t}",
                "key": f"topic {base + t}",
            }
            for t in range(topics)
        ],
    )
    # Walks spread over the last 26 weeks, oldest first, each about an hour long.
    starts = sorted(now - timedelta(seconds=rng.uniform(3600, DAYS * 86400)) for _ in range(walks))
    walk_ids = [uuid.uuid4() for _ in range(walks)]
    plan_ids = _plans(site_id, base, topics, rng, now) if extras else []
    walk_rows = []
    for i, (w, started) in enumerate(zip(walk_ids, starts, strict=True)):
        walk_rows.append(
            {
                "id": w,
                "site_id": site_id,
                "observer_id": observers[i % len(observers)],
                "title": f"Walk {s}.{i}",
                "purpose": "Why is changeover slow?",
                "status": "finished",
                "started_at": started,
                "ended_at": started + timedelta(hours=1),
                "plan_id": plan_ids[i // 10 % len(plan_ids)] if plan_ids and i % 10 == 0 else None,
            }
        )
    _bulk(Walk, walk_rows)
    places = {w: [uuid.uuid4() for _ in range(PLACES_PER_WALK)] for w in walk_ids}
    _bulk(
        Place,
        [
            {"id": p, "walk_id": w, "name": f"Station {i}"}
            for w, ids in places.items()
            for i, p in enumerate(ids)
        ],
    )
    start_of = dict(zip(walk_ids, starts, strict=True))
    # Each topic has its own truth: how often the behaviour happens, how long the task takes.
    truth = [
        (rng.choice((1.0, 0.98, 0.9, 0.75, 0.5, 0.15, 0.0)), rng.uniform(3, 30))
        for _ in range(topics)
    ]

    def observed(walk):
        return start_of[walk] + timedelta(seconds=rng.uniform(0, 3600))

    statement_ids = []
    rows = []
    for _ in range(statements):
        topic = rng.randrange(topics)
        walk = rng.choice(walk_ids)
        row = {
            "id": uuid.uuid4(),
            "walk_id": walk,
            "topic_id": base + topic + 1,
            "place_id": rng.choice(places[walk]),
            "persona_id": rng.choice(personas) if rng.random() < 0.3 else None,
            "text": "What we do here",
            "speaker": "Shift lead",
            "source": "interview",
            "observed_at": observed(walk),
            "claim_frequency": None,
            "claim_value": None,
            "claim_unit": None,
            "claim_comparator": None,
            "claim_tolerance": None,
        }
        if rng.random() < 0.6:
            row["claim_frequency"] = rng.choice(WORDS)
        else:
            minutes = round(truth[topic][1] * rng.uniform(0.6, 1.4), 1)
            unit = rng.choice(("min", "min", "s", "h"))
            row["claim_value"] = round(minutes * {"min": 1, "s": 60, "h": 1 / 60}[unit], 3)
            row["claim_unit"] = unit
            row["claim_comparator"] = rng.choice((None, None, None, "<=", ">="))
            row["claim_tolerance"] = rng.choice((None, None, None, 0.1, 0.3))
        rows.append(row)
        statement_ids.append(row["id"])
        if len(rows) == CHUNK:
            _bulk(Statement, rows)
            rows = []
    _bulk(Statement, rows)
    fact_sample: list[uuid.UUID] = []
    rows = []
    for n in range(facts):
        topic = rng.randrange(topics)
        rate, minutes = truth[topic]
        walk = rng.choice(walk_ids)
        row = {
            "id": uuid.uuid4(),
            "walk_id": walk,
            "topic_id": base + topic + 1,
            "place_id": rng.choice(places[walk]),
            "persona_id": rng.choice(personas) if rng.random() < 0.3 else None,
            "text": "Seen on the floor",
            "observed_at": observed(walk),
            "sentiment": rng.choice(("pain", "delight", None, None, None, None)),
            "performed": None,
            "value": None,
            "unit": None,
        }
        if rng.random() < 0.6:
            row["performed"] = rng.random() < rate
        elif rng.random() < 0.02:
            row["value"], row["unit"] = round(rng.uniform(1, 20), 1), "kg"
        else:
            value = max(0.1, rng.gauss(minutes, minutes * 0.25))
            unit = rng.choice(("min", "s"))
            row["value"] = round(value * 60, 0) if unit == "s" else round(value, 1)
            row["unit"] = unit
        rows.append(row)
        if n % max(1, facts // (LINKS * 4)) == 0:
            fact_sample.append(row["id"])
        if len(rows) == CHUNK:
            _bulk(Fact, rows)
            rows = []
    _bulk(Fact, rows)
    pairs = {(rng.choice(fact_sample), rng.choice(statement_ids)) for _ in range(LINKS)}
    _bulk(
        Contradiction,
        [{"id": uuid.uuid4(), "fact_id": f, "statement_id": st, "note": None} for f, st in pairs],
    )
    return {"walk_ids": walk_ids}


def _plans(site_id, base: int, topics: int, rng, now) -> list[uuid.UUID]:
    """A few weekly plans with five checks each on the site's topics, in force 26 weeks."""
    first = (now - timedelta(days=DAYS)).date()
    plan_ids, items, entries, versions = [], [], [], []
    plans = []
    for k in range(PLANS):
        plan_id = uuid.uuid4()
        day = first + timedelta(days=k)
        rule = (
            f"DTSTART;TZID=UTC:{day:%Y%m%d}T000000\n"
            f"RRULE:FREQ=WEEKLY;BYDAY={('MO', 'WE', 'FR')[k]};BYHOUR=6;BYMINUTE=0;BYSECOND=0"
        )
        plans.append(
            {
                "id": plan_id,
                "site_id": site_id,
                "title": f"Round {k + 1}",
                "purpose": "Leader standard work",
                "route": ["Press 1", "Press 2", "Dock"],
                "schedule": rule,
            }
        )
        versions.append(
            {"plan_id": plan_id, "rule": rule, "starts_at": _midnight(day), "ends_at": None}
        )
        for j in range(PLAN_ITEMS):
            item_id = uuid.uuid4()
            items.append(
                {
                    "id": item_id,
                    "site_id": site_id,
                    "topic_id": base + rng.randrange(topics) + 1,
                    "question": f"Check {k}.{j}?",
                    "kind": "behaviour",
                }
            )
            entries.append({"plan_id": plan_id, "item_id": item_id, "position": j})
        plan_ids.append(plan_id)
    _bulk(Plan, plans)
    _bulk(PlanSchedule, versions)
    _bulk(PlanItem, items)
    _bulk(PlanEntry, entries)
    return plan_ids


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _history(rng, now: datetime, analyst_id: int, site_ids: list) -> None:
    """Gaps flagged when their evidence was seen, a third triaged since, actions on some."""
    gaps_t, events_t = Gap.__table__, AuditEvent.__table__
    gaps = db.session.execute(
        select(
            gaps_t.c.id,
            gaps_t.c.site_id,
            gaps_t.c.severity,
            gaps_t.c.confidence,
            Statement.observed_at,
        )
        .join(Statement, Statement.id == gaps_t.c.statement_id)
        .order_by(gaps_t.c.id)
    ).all()
    flagged, moved = {}, []
    for gap_id, _site, _sev, _conf, seen in gaps:
        at = min(now, seen + timedelta(days=rng.uniform(0, 14)))
        flagged[gap_id] = at
        moved.append({"b_id": gap_id, "b_oid": str(gap_id), "b_at": at})
    for start in range(0, len(moved), CHUNK):
        chunk = moved[start : start + CHUNK]
        db.session.execute(
            update(gaps_t)
            .where(gaps_t.c.id == bindparam("b_id"))
            .values(flagged_at=bindparam("b_at"), evidence_changed_at=bindparam("b_at")),
            chunk,
        )
        db.session.execute(
            update(events_t)
            .where(
                events_t.c.object_type == "gap",
                events_t.c.object_id == bindparam("b_oid"),
                events_t.c.verb == "flagged",
            )
            .values(at=bindparam("b_at")),
            chunk,
        )
    triaged, events = [], []
    confirmed_by_site: dict = {s: [] for s in site_ids}
    for gap_id, site, severity, confidence, _seen in gaps:
        if rng.random() >= TRIAGED_SHARE:
            continue
        at = min(now, flagged[gap_id] + timedelta(days=rng.uniform(0, 21)))
        status = rng.choices(("confirmed", "dismissed", "needs_observation"), weights=(6, 2, 2))[0]
        reason = "Seasonal staff; the SOP is current." if status == "dismissed" else None
        triaged.append(
            {
                "b_id": gap_id,
                "b_status": status,
                "b_at": at,
                "b_reason": reason,
                "b_sev": severity,
                "b_conf": confidence,
            }
        )
        events.append(_triage_event(gap_id, site, "open", status, at, analyst_id, reason))
        if status == "confirmed":
            confirmed_by_site[site].append((gap_id, at))
    actions, links, actioned = [], [], []
    statuses = ("open", "open", "in_progress", "done", "verified")
    for site, confirmed in confirmed_by_site.items():
        rng.shuffle(confirmed)
        for a in range(min(ACTIONS, len(confirmed) // 2)):
            answered = confirmed[a * 2 : a * 2 + rng.randint(1, 2)]
            created = max(at for _g, at in answered) + timedelta(hours=1)
            status = rng.choice(statuses)
            done_at = None
            if status in ("done", "verified"):
                done_at = min(now, created + timedelta(days=rng.uniform(1, 14)))
            action_id = uuid.uuid4()
            actions.append(
                {
                    "id": action_id,
                    "site_id": site,
                    "title": f"Countermeasure {a + 1}",
                    "description": "Change the standard work and train the shift.",
                    "owner_id": analyst_id,
                    "due_date": (created + timedelta(days=30)).date(),
                    "status": status,
                    "created_by_id": analyst_id,
                    "created_at": min(now, created),
                    "updated_at": min(now, done_at or created),
                    "done_at": done_at,
                }
            )
            for gap_id, _at in answered:
                links.append({"action_id": action_id, "gap_id": gap_id})
                actioned.append({"b_id": gap_id})
                events.append(
                    _triage_event(
                        gap_id, site, "confirmed", "actioned", min(now, created), analyst_id, None
                    )
                )
            if status == "verified":
                events.append(
                    {
                        "at": min(now, done_at + timedelta(days=7)),
                        "user_id": None,
                        "object_type": "action",
                        "object_id": str(action_id),
                        "site_id": site,
                        "verb": VERIFIED,
                        "detail": {"since": done_at.isoformat(), "status": ["done", "verified"]},
                        "note": None,
                    }
                )
    if triaged:
        db.session.execute(
            update(gaps_t)
            .where(gaps_t.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                triaged_at=bindparam("b_at"),
                triaged_by_id=analyst_id,
                triage_reason=bindparam("b_reason"),
                triage_severity=bindparam("b_sev"),
                triage_confidence=bindparam("b_conf"),
            ),
            triaged,
        )
    if actioned:
        db.session.execute(
            update(gaps_t).where(gaps_t.c.id == bindparam("b_id")).values(status="actioned"),
            actioned,
        )
    _bulk(Action, actions)
    _bulk(action_gaps, links)
    _bulk(AuditEvent, events)


def _triage_event(gap_id, site, before: str, after: str, at, user_id: int, reason) -> dict:
    """A "triaged" audit row as gaps/triage.py writes it (with the gap's site)."""
    return {
        "at": at,
        "user_id": user_id,
        "object_type": "gap",
        "object_id": str(gap_id),
        "site_id": site,
        "verb": "triaged",
        "detail": {"from": before, "to": after},
        "note": reason,
    }
