"""Speed of the analyst pages on the engine's benchmark data.

    .venv/bin/python benchmarks/review_pages.py [--facts 100000] [--statements 10000]
        [--topics 2000] [--runs 25] [--seed 7]

Builds a SQLite database in a temporary folder (migrated like a real instance, then
filled with Core bulk inserts) holding one site with the given numbers of facts and
statements spread over the topics, as benchmarks/saydo_engine.py does, plus places,
personas and pain/delight on some facts; then `gap_updates.recompute_all()` flags the
gaps. It then requests each page with the Flask test client as a logged-in analyst,
--runs times after two unmeasured warm-up requests, and prints the median and p95
server time and the number of SQL statements per request.

Target (issue 6): inbox first page, a gap page and a topic view each < 100 ms median.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sqlalchemy import event, func, select  # noqa: E402

from benchmarks.saydo_engine import _bulk, percentile  # noqa: E402
from gemba import create_app
from gemba.extensions import db  # noqa: E402
from gemba.gaps import updates as gap_updates  # noqa: E402
from gemba.models import (  # noqa: E402
    Contradiction,
    Fact,
    Gap,
    Persona,
    Place,
    Role,
    Site,
    Statement,
    Topic,
    User,
    Walk,
    utcnow,
)

TARGET_MS = 100.0
WORDS = ("always", "usually", "sometimes", "rarely", "never")
WALKS = 200
PLACES_PER_WALK = 6
PERSONAS = 12
LINKS = 300


def build(facts: int, statements: int, topics: int, seed: int) -> dict:
    """Fill the app's empty database; return the analyst's session id."""
    rng = random.Random(seed)
    now = utcnow()
    user = User(email="analyst@example.com", role=Role.analyst.value)
    user.set_password(secrets.token_urlsafe())
    site = Site(name="Plant 1")
    db.session.add_all([user, site])
    db.session.flush()
    personas = [
        {"id": uuid.uuid4(), "site_id": site.id, "name": f"Persona {i}"} for i in range(PERSONAS)
    ]
    _bulk(Persona, personas)
    walk_ids = [uuid.uuid4() for _ in range(WALKS)]
    day = 24 * 3600
    _bulk(
        Walk,
        [
            {
                "id": w,
                "site_id": site.id,
                "observer_id": user.id,
                "title": f"Walk {i}",
                "started_at": now.fromtimestamp(now.timestamp() - (WALKS - i) * day, now.tzinfo),
            }
            for i, w in enumerate(walk_ids)
        ],
    )
    places = {w: [uuid.uuid4() for _ in range(PLACES_PER_WALK)] for w in walk_ids}
    _bulk(
        Place,
        [
            {"id": p, "walk_id": w, "name": f"Station {i}"}
            for w, ids in places.items()
            for i, p in enumerate(ids)
        ],
    )
    _bulk(
        Topic,
        [
            {"id": t + 1, "site_id": site.id, "name": f"Topic {t}", "key": f"topic {t}"}
            for t in range(topics)
        ],
    )
    truth = [
        (rng.choice((1.0, 0.98, 0.9, 0.75, 0.5, 0.15, 0.0)), rng.uniform(3, 30))
        for _ in range(topics)
    ]
    walk_index = {w: i for i, w in enumerate(walk_ids)}

    def observed(walk_id):
        """A time during the walk's day, so the topic charts have a time axis."""
        offset = (WALKS - walk_index[walk_id]) * day - rng.uniform(0, 8 * 3600)
        return now.fromtimestamp(now.timestamp() - offset, now.tzinfo)

    statement_rows = []
    for _ in range(statements):
        topic = rng.randrange(topics)
        walk = rng.choice(walk_ids)
        row = {
            "id": uuid.uuid4(),
            "walk_id": walk,
            "topic_id": topic + 1,
            "place_id": rng.choice(places[walk]),
            "persona_id": rng.choice(personas)["id"] if rng.random() < 0.3 else None,
            "text": "What we do here",
            "speaker": "Shift lead",
            "observed_at": observed(walk),
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
        statement_rows.append(row)
    _bulk(Statement, statement_rows)
    fact_rows = []
    for _ in range(facts):
        topic = rng.randrange(topics)
        rate, minutes = truth[topic]
        walk = rng.choice(walk_ids)
        row = {
            "id": uuid.uuid4(),
            "walk_id": walk,
            "topic_id": topic + 1,
            "place_id": rng.choice(places[walk]),
            "persona_id": rng.choice(personas)["id"] if rng.random() < 0.3 else None,
            "text": "Seen on the floor",
            "observed_at": observed(walk),
            "sentiment": rng.choice(("pain", "delight", None, None, None, None)),
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
        fact_rows.append(row)
    _bulk(Fact, fact_rows)
    pairs = {(rng.choice(fact_rows)["id"], rng.choice(statement_rows)["id"]) for _ in range(LINKS)}
    _bulk(
        Contradiction,
        [{"id": uuid.uuid4(), "fact_id": f, "statement_id": s, "note": None} for f, s in pairs],
    )
    db.session.commit()
    gap_updates.recompute_all()
    return {"session_id": user.get_id()}


def pages() -> dict[str, str]:
    """The URLs to time: the three with a target first, then the others for information."""
    top = db.session.scalars(select(Gap).order_by(Gap.score.desc(), Gap.id).limit(1)).one()
    walk_id = db.session.scalar(select(Walk.id).order_by(Walk.started_at.desc()).limit(1))
    persona_id = db.session.scalar(select(Persona.id).order_by(Persona.name).limit(1))
    site_id = db.session.scalar(select(Site.id))
    return {
        "inbox, first page": "/review/",
        "gap page (strongest gap)": f"/review/gaps/{top.id}",
        "topic view (its topic)": f"/review/topics/{top.topic_id}",
        "inbox, filtered by topic": "/review/?topic=topic 1&status=all",
        "topics list": "/review/topics?sort=gaps",
        "persona empathy map": f"/review/personas/{persona_id}",
        "walk experience map": f"/review/walks/{walk_id}/experience",
        "site experience map": f"/review/sites/{site_id}/experience",
        "walk report": f"/review/walks/{walk_id}/report",
        "action board": "/review/actions",
    }


def measure(client, url: str, runs: int, engine) -> tuple[list[float], int]:
    """Milliseconds per GET (after two warm-ups), and the SQL statements of one request."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    times = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(runs):
            statements.clear()
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return times, len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gemba-bench-") as folder:
        os.environ["GEMBA_INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/gemba.db",
                "GEMBA_AUTO_MIGRATE": True,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            started = time.perf_counter()
            ids = build(args.facts, args.statements, args.topics, args.seed)
            built = time.perf_counter() - started
            gaps = db.session.scalar(select(func.count()).select_from(Gap))
            urls = pages()
            engine = db.engine
            db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = ids["session_id"]
            session["_fresh"] = True
        results = [
            (label, url, *measure(client, url, args.runs, engine)) for label, url in urls.items()
        ]
        with app.app_context():
            db.engine.dispose()

    print(
        f"SQLite, {args.facts:,} facts, {args.statements:,} statements, {args.topics:,} topics, "
        f"one site; built and judged in {built:.1f} s; {gaps:,} gaps"
    )
    print(f"{'page':<28} {'runs':>5} {'median':>9} {'p95':>9} {'queries':>8} {'target':>12}")
    missed = False
    for index, (label, _url, times, queries) in enumerate(results):
        median = statistics.median(times)
        verdict = ""
        if index < 3:
            ok = median < TARGET_MS
            missed |= not ok
            verdict = f"< {TARGET_MS:g} ms " + ("ok" if ok else "MISSED")
        print(
            f"{label:<28} {len(times):>5} {median:>6.1f} ms {percentile(times, 0.95):>6.1f} ms "
            f"{queries:>8} {verdict:>12}"
        )
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
