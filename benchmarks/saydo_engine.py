"""Speed of the say-vs-do engine: full recompute and one fact's incremental update.

    .venv/bin/python benchmarks/saydo_engine.py [--facts 100000] [--statements 10000]
        [--topics 2000] [--writes 200] [--runs 3] [--seed 7]

Builds a SQLite database in a temporary folder (migrated like a real instance,
then filled with Core bulk inserts, not the write path) holding one site with
the given numbers of facts and statements spread over the topics: about 60 %
frequency claims and 40 % measure claims (typical values and bounds, in s, min
or h), facts a mix of behaviour and measurement (in s or min, a few in kg that
cannot be compared), and a few hundred manual links. Then it measures

- the full recompute, `recompute_all()` plus commit, from an empty gaps table
  ("cold") and again with every gap already current ("warm"), --runs times each;
- the incremental path: --writes single-fact saves through `records.write`
  (validation, topic lookup, insert, gap refresh, commit), each on a random
  topic, after a few unmeasured warm-up saves; the time inside
  `gap_updates.refresh` is reported on its own line.

Each line shows wall-clock time (median, p95, max: what a user waits) and the median
CPU time of this process (SQLite runs in it too), which shows the cost without the rest
of the machine's load; the load average is printed with the figures.

Targets (issue 4): full recompute < 3 s, one fact's update < 20 ms median.
"""

from __future__ import annotations

import argparse
import math
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

from sqlalchemy import delete, func, insert, select  # noqa: E402

from gemba import create_app
from gemba.capture import records  # noqa: E402
from gemba.extensions import db  # noqa: E402
from gemba.gaps import updates as gap_updates
from gemba.models import (  # noqa: E402
    Contradiction,
    Fact,
    Gap,
    Role,
    Site,
    Statement,
    Topic,
    User,
    Walk,
    utcnow,
)

RECOMPUTE_TARGET_S = 3.0
INCREMENTAL_TARGET_MS = 20.0
WORDS = ("always", "usually", "sometimes", "rarely", "never")
WALKS = 200
LINKS = 300
CHUNK = 20_000
WARM_UP = 10


def build(facts: int, statements: int, topics: int, seed: int) -> dict:
    """Fill the app's empty database; return ids the measurements need."""
    rng = random.Random(seed)
    now = utcnow()
    user = User(email="bench@example.com", role=Role.admin.value)
    user.set_password(secrets.token_urlsafe())
    site = Site(name="Plant 1")
    db.session.add_all([user, site])
    db.session.flush()
    walk_ids = [uuid.uuid4() for _ in range(WALKS)]
    _bulk(
        Walk,
        [
            {"id": w, "site_id": site.id, "observer_id": user.id, "title": f"Walk {i}"}
            for i, w in enumerate(walk_ids)
        ],
    )
    _bulk(
        Topic,
        [
            {"id": t + 1, "site_id": site.id, "name": f"Topic {t}", "key": f"topic {t}"}
            for t in range(topics)
        ],
    )
    # Each topic has its own truth: how often the behaviour happens, how long the task takes.
    truth = [
        (rng.choice((1.0, 0.98, 0.9, 0.75, 0.5, 0.15, 0.0)), rng.uniform(3, 30))
        for _ in range(topics)
    ]
    statement_rows = []
    for _ in range(statements):
        topic = rng.randrange(topics)
        row = {
            "id": uuid.uuid4(),
            "walk_id": rng.choice(walk_ids),
            "topic_id": topic + 1,
            "text": "What we do here",
            "observed_at": now,
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
        row = {
            "id": uuid.uuid4(),
            "walk_id": rng.choice(walk_ids),
            "topic_id": topic + 1,
            "text": "Seen on the floor",
            "observed_at": now,
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
    return {"user_id": user.id, "walk_ids": walk_ids, "topics": topics}


def _bulk(model, rows: list[dict]) -> None:
    """Core executemany in chunks; rows of one model share their keys per chunk."""
    table = model.__table__
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        by_keys: dict[tuple, list[dict]] = {}
        for row in chunk:
            by_keys.setdefault(tuple(sorted(row)), []).append(row)
        for group in by_keys.values():
            db.session.execute(insert(table), group)


class Clock:
    """Wall-clock and CPU time of one measured step, in the unit asked for."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall.append((time.perf_counter() - self._wall) * self.scale)
        self.cpu.append((time.process_time() - self._cpu) * self.scale)

    def drop_first(self, count: int) -> None:
        del self.wall[:count], self.cpu[:count]


def time_recompute(runs: int, cold: bool) -> tuple[Clock, dict]:
    """Seconds per recompute_all() + commit, from an empty or an up-to-date gaps table."""
    clock, summary = Clock(1.0), {}
    for _ in range(runs):
        if cold:
            db.session.execute(delete(Gap))
            db.session.commit()
        db.session.expunge_all()
        with clock:
            summary = gap_updates.recompute_all()
    return clock, summary


def time_incremental(ids: dict, writes: int, seed: int) -> tuple[Clock, Clock]:
    """Milliseconds per single-fact records.write, and of that inside gap_updates.refresh."""
    rng = random.Random(seed + 1)
    actor = db.session.get(User, ids["user_id"])
    total, inside = Clock(1000.0), Clock(1000.0)
    original = gap_updates.refresh

    def timed_refresh(topic_ids, statement_ids):
        with inside:
            return original(topic_ids, statement_ids)

    gap_updates.refresh = timed_refresh
    try:
        for _ in range(writes + WARM_UP):
            record = {
                "type": "fact",
                "id": str(uuid.uuid4()),
                "walk": str(rng.choice(ids["walk_ids"])),
                "topic": f"Topic {rng.randrange(ids['topics'])}",
                "text": "Seen again",
            }
            if rng.random() < 0.6:
                record["performed"] = rng.random() < 0.8
            else:
                record["value"], record["unit"] = round(rng.uniform(2, 40), 1), "min"
            with total:
                result = records.write(actor, [record])
            assert result.results[0].status == "created", result.results[0]
    finally:
        gap_updates.refresh = original
    total.drop_first(WARM_UP)  # the first saves warm caches and are not counted
    inside.drop_first(WARM_UP)
    return total, inside


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 200 values is the 190th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=2_000)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gemba-bench-") as folder:
        os.environ["GEMBA_INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/gemba.db",
                "GEMBA_AUTO_MIGRATE": True,
            }
        )
        with app.app_context():
            started = time.perf_counter()
            ids = build(args.facts, args.statements, args.topics, args.seed)
            built = time.perf_counter() - started
            cold, summary = time_recompute(args.runs, cold=True)
            warm, _ = time_recompute(args.runs, cold=False)
            gaps = db.session.scalar(select(func.count()).select_from(Gap))
            total, inside = time_incremental(ids, args.writes, args.seed)
            db.session.remove()
            db.engine.dispose()

    print(
        f"SQLite, {args.facts:,} facts, {args.statements:,} statements, {args.topics:,} topics, "
        f"one site; built in {built:.1f} s; {gaps:,} gaps "
        f"({summary['statements']:,} statements judged); {os.cpu_count()} CPUs, "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    rows = [
        ("full recompute, empty gaps table", cold, "s", RECOMPUTE_TARGET_S),
        ("full recompute, gaps current", warm, "s", RECOMPUTE_TARGET_S),
        ("one new fact: records.write", total, "ms", INCREMENTAL_TARGET_MS),
        ("  of which gap_updates.refresh", inside, "ms", None),
    ]
    print(
        f"{'measure':<33} {'runs':>4} {'median':>9} {'p95':>9} {'max':>9} "
        f"{'CPU median':>11}  target"
    )
    for label, clock, unit, target in rows:
        median = statistics.median(clock.wall)
        verdict = ""
        if target is not None:
            verdict = f"< {target:g} {unit} " + ("met" if median < target else "MISSED")
        figures = [median, percentile(clock.wall, 0.95), max(clock.wall)]
        print(
            f"{label:<33} {len(clock.wall):>4} "
            + " ".join(f"{_fmt(v):>6} {unit:<2}" for v in figures)
            + f" {_fmt(statistics.median(clock.cpu)):>8} {unit:<2}  {verdict}"
        )


def _fmt(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


if __name__ == "__main__":
    main()
